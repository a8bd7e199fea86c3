"""The relay policy where a fan chooses "gasless": the minimum and what the relayer pays for, in the
stablecoin's units; a tip below the minimum is refused before anything is signed (nothing asked of
the wallet, nothing prepared), with Direct one press away, and the direct tip then lands."""

from dataclasses import replace

import pytest
from page_env import PHONE, WALLET_METHODS
from playwright.sync_api import expect

from fairgift.bench.harness import get, post

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")

BELOW = (
    "Gasless tips start at 0.25 USDC: the jar's fee on a smaller tip does not pay for the relayer's "
    "gas. Tip 0.25 USDC or more, or choose Direct (your wallet sends it and you pay the gas)."
)
REFUSED = BELOW + " Nothing was signed."


def test_terms_shown_and_a_tip_below_the_minimum_is_refused_before_signing(
    open_tab, page_fg, page_creator, page_fan, page_service, shots_dir
):
    cfg = page_service.relayer.config
    assert (cfg.min_relayed, cfg.permit_min, cfg.fan_rate, cfg.fan_per_batch) == ("0.25", "1", 30, 1)
    usdc, jar = page_fg.usdc, page_fg.jar
    credit_before = jar.balanceOf(page_creator, usdc)
    tab = open_tab(account=page_fan, viewport=PHONE)
    page = tab.open("/c/ava")
    terms = page.locator("#relay-terms")
    expect(terms).to_be_visible()
    expect(page.locator("#relay-summary")).to_have_text("Gasless tips start at 0.25 USDC.")
    covers = page.locator("#relay-covers li")
    expect(covers).to_have_count(2)
    expect(covers.nth(0)).to_contain_text("The relayer pays the network fee (gas) for your tip")
    expect(covers.nth(1)).to_contain_text("comes to at least 1.00 USDC, once a day at most.")
    page.click("#relay-terms summary")
    limits = page.locator("#relay-limits li")
    expect(limits.nth(0)).to_have_text(
        "At most 30 gasless tips from you in a minute; one tip of yours goes out in each batch, so "
        "several land one after another."
    )
    expect(limits.nth(1)).to_contain_text("takes no gasless tips from you for an hour")

    # 0.10 USDC, gasless: the note says so as soon as the figures are shown
    page.fill("#tip-amount", "0.10")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 0.095 USDC, the fee is 0.005 USDC."
    )
    note = page.locator("#relay-below")
    expect(note).to_be_visible()
    expect(page.locator("#relay-below-text")).to_have_text(BELOW)
    page.screenshot(path=str(shots_dir / "relay-below-phone.png"), full_page=True)
    # pressing Tip anyway: the same words beside the button, nothing asked of the wallet or prepared
    page.click("#tip-send")
    assert tab.notice() == REFUSED
    assert page.evaluate("document.body.dataset.lastError") == "below_relay_minimum"
    assert tab.wallet_log() == []
    assert tab.api_calls("/api/prepare") == [] and tab.api_calls("/api/tips") == []
    # the way out: Direct is chosen, the note goes, and the direct tip lands (approve, then tip)
    expect(page.locator("#notice-action")).to_have_text("Pay directly instead")
    page.click("#notice-action")
    expect(page.locator("input[name=tip-mode][value=direct]")).to_be_checked()
    expect(note).to_be_hidden()
    tab.submit("#tip-send", "tip-status", "Landed")
    assert jar.balanceOf(page_creator, usdc) == credit_before + 95_000
    methods = tab.wallet_log()
    assert methods.count("eth_sendTransaction") == 2 and "eth_signTypedData_v4" not in methods
    assert set(methods) <= WALLET_METHODS
    # back to gasless: the note returns for 0.10 and goes at the minimum
    page.check("input[name=tip-mode][value=gasless]")
    expect(note).to_be_visible()
    page.click("#relay-direct")  # the note's own button does the same as the notice's
    expect(page.locator("input[name=tip-mode][value=direct]")).to_be_checked()
    expect(note).to_be_hidden()
    page.check("input[name=tip-mode][value=gasless]")
    page.fill("#tip-amount", "0.25")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 0.2375 USDC, the fee is 0.0125 USDC."
    )
    expect(note).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert tab.console_errors == []


def test_a_permit_the_relayer_would_not_send_is_said_before_signing(
    open_tab, page_fg, page_creator, page_fan
):
    """0.50 USDC from a fan whose wallet has not allowed the jar: above the tip minimum, but the
    permit it needs is sponsored only from 1.00 USDC; the page says so before the wallet signs."""
    assert page_fg.usdc.allowance(page_fan, page_fg.jar) == 0
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "0.50")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 0.475 USDC, the fee is 0.025 USDC."
    )
    expect(page.locator("#relay-below")).to_be_hidden()
    page.click("#tip-send")
    text = tab.notice()
    assert text == (
        "The tip jar may not take your USDC yet, and the relayer sends that permission for you only "
        "for tips of at least 1.00 USDC in all. Tip 1.00 USDC or more, or choose Direct (your wallet "
        "approves and sends it; you pay the gas). Nothing was signed."
    )
    assert page.evaluate("document.body.dataset.lastError") == "permit_below_minimum"
    assert "eth_signTypedData_v4" not in tab.wallet_log() and tab.api_calls("/api/tips") == []
    expect(page.locator("#notice-action")).to_have_text("Pay directly instead")


def test_prepare_refuses_below_the_minimum_in_the_fans_units(
    page_server, page_service, page_fg, page_creator, page_fan
):
    """The service's own check (a client that skips the page's): 400 in the same words. The
    permit's sponsorship is weighed on the fan's tips, not on the permit's value (which a larger
    `permit_allowance` raises), as the relayer's intake weighs it."""
    body = {"creator": "ava", "amount": "0.10", "message": "", "from": page_fan.address, "mode": "gasless"}
    status, answer = post(page_server + "/api/prepare/tip", body)
    assert (status, answer["code"], answer["error"]) == (400, "below_relay_minimum", REFUSED)
    assert page_fg.usdc.allowance(page_fan, page_fg.jar) == 0
    relayer = page_service.relayer
    before = relayer.config
    relayer.config = replace(before, permit_allowance="5")
    try:
        status, answer = post(page_server + "/api/prepare/tip", {**body, "amount": "0.50"})
        assert (status, answer["code"]) == (400, "permit_below_minimum"), answer
        status, answer = post(page_server + "/api/prepare/tip", {**body, "amount": "1"})
        assert status == 200 and answer["permit"]["message"]["value"] == "5000000", answer
    finally:
        relayer.config = before
    status, quote = get(page_server + "/api/quote/tip?creator=ava&amount=0.10")
    assert status == 200 and quote["relay"] == {"relayable": False, "message": BELOW}
    status, quote = get(page_server + "/api/quote/tip?creator=ava&amount=0.25")
    assert status == 200 and quote["relay"] == {"relayable": True, "message": None}
    status, info = get(page_server + "/api/relayer")
    assert info["policy"]["minRelayedUnits"] == "250000"  # the same minimum, in base units
