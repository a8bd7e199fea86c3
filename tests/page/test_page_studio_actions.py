"""The creator's dashboard's other actions in a real browser, the chain as the judge: a split with a
collaborator (payouts pointed at it, then released), shares refused before the wallet opens, the
token's launch with a first buy in the same transaction, and its fee: lowered at once, raised with
the delay (shown to fans at once, in force after it), a pending rise cancelled."""

import pytest
from page_env import DESKTOP, PHONE
from playwright.sync_api import expect
from studio_env import confirm, open_studio

from fairgift.api import ZERO_ADDRESS
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the creator's browser wallet forwards to the chain's JSON-RPC URL")
DAY = 86_400


def fill_split(page, rows):
    while page.locator(".payee-row").count() < len(rows):
        page.click("#split-add")
    for i, (address, share) in enumerate(rows):
        page.locator(".split-address").nth(i).fill(address)
        page.locator(".split-share").nth(i).fill(share)


def test_split_points_the_payout_then_releases(open_tab, page_fg, page_creator, page_fan, stranger, project):
    jar, market, usdc = page_fg.jar, page_fg.market, page_fg.usdc
    tab, page = open_studio(open_tab, page_creator)
    fill_split(page, [(page_creator.address, "60%"), (stranger.address, "40%")])
    page.click("#split-review")
    items = page.locator("#confirm-list li")
    expect(items).to_have_count(3)
    first = items.nth(0).text_content()
    assert f"{page_creator.address} 60% (6000 bps), {stranger.address} 40% (4000 bps)" in first
    split = first.split("Create the split ")[1].split(":")[0]
    expect(items.nth(1)).to_have_text(f"Tip jar: pay {split} instead of yourself.")
    expect(items.nth(2)).to_have_text(f"Market: pay {split} instead of yourself.")
    confirm(tab, "split")

    contract = project.RevenueSplit.at(split, detect_proxy=False)
    assert list(contract.payees()) == [page_creator.address, stranger.address]
    assert list(contract.shares()) == [6000, 4000]
    assert jar.payoutOf(page_creator) == split and market.payoutOf(page_creator) == split
    expect(page.locator("#split-list")).to_contain_text(split)

    # Fans tip; the jar's credit is withdrawn to the split; the dashboard releases what it owes.
    page_fg.tip(page_fan, page_creator, "10", "for the duo")
    page_fg.withdraw(page_creator)
    assert usdc.balanceOf(split) == 9_500_000
    creator_before, stranger_before = usdc.balanceOf(page_creator), usdc.balanceOf(stranger)
    tab, page = open_studio(open_tab, page_creator)
    page.click(".release")
    expect(page.locator("#confirm-list li")).to_have_text(
        [
            f"Release 5.70 USDC from the split to {page_creator.address} (60% (6000 bps)).",
            f"Release 3.80 USDC from the split to {stranger.address} (40% (4000 bps)).",
        ]
    )
    confirm(tab, "release")
    assert usdc.balanceOf(page_creator) == creator_before + 5_700_000
    assert usdc.balanceOf(stranger) == stranger_before + 3_800_000
    assert usdc.balanceOf(split) == 0


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("creator", "60%"), ("stranger", "30%")], "add up to 9000 bps, not 10000"),
        ([("creator", "50%"), ("creator", "50%")], "appears twice in the split"),
        ([("creator", "100%"), ("zero", "0")], "cannot be the zero address"),
        ([("creator", "100%"), ("stranger", "0%")], "needs a share above 0"),
    ],
)
def test_bad_split_is_refused_before_the_wallet_opens(
    open_tab, page_fg, page_creator, stranger, rows, message
):
    names = {"creator": page_creator.address, "stranger": stranger.address, "zero": ZERO_ADDRESS}
    tab, page = open_studio(open_tab, page_creator)
    fill_split(page, [(names[who], share) for who, share in rows])
    page.click("#split-review")
    expect(page.locator("#split-error")).to_contain_text(message)
    assert page.is_hidden("#confirm")
    assert "eth_sendTransaction" not in tab.wallet_log()
    assert page_fg.jar.payoutOf(page_creator) == page_creator.address


def test_launch_with_a_first_buy(open_tab, page_fg, page_usdc, creator2, owner, project):
    market, usdc = page_fg.market, page_fg.usdc
    page_usdc.mint(creator2, 100 * USDC, sender=owner)
    before = usdc.balanceOf(creator2)
    tab, page = open_studio(open_tab, creator2)
    expect(page.locator("#launch-form")).to_be_visible()
    page.fill("#launch-name", "Bo Token")
    page.fill("#launch-symbol", "BO")
    page.fill("#launch-fee", "4%")
    page.fill("#launch-buy", "10")
    page.click("#launch-review")
    items = page.locator("#confirm-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Approve the market to take")
    expect(items.nth(1)).to_contain_text(
        "Launch Bo Token (BO) with a creator fee of 4% (400 bps), buying the first 10.00 BO for at most"
    )
    confirm(tab, "launch")
    token = market.tokenOf(creator2)
    assert token != ZERO_ADDRESS
    bo = project.CreatorToken.at(token, detect_proxy=False)
    assert (bo.name(), bo.symbol(), bo.balanceOf(creator2)) == ("Bo Token", "BO", 10 * 10**18)
    assert market.creatorFeeBps(token) == 400
    assert usdc.balanceOf(creator2) < before and usdc.allowance(creator2, market) == 0
    expect(page.locator("#token-name")).to_have_text("Bo Token (BO)")


def test_fee_lowered_at_once_then_raised_after_the_delay(open_tab, page_fg, page_creator, page_server, chain):
    market = page_fg.market
    token = market.tokenOf(page_creator)
    assert market.creatorFeeBps(token) == 500
    tab, page = open_studio(open_tab, page_creator)
    page.fill("#fee-new", "3%")
    page.click("#fee-review")
    expect(page.locator("#confirm-list li")).to_have_text(
        ["Lower your token's creator fee from 5% (500 bps) to 3% (300 bps), in force at once."]
    )
    confirm(tab, "fee")
    assert market.creatorFeeBps(token) == 300

    page.fill("#fee-new", "8%")
    page.click("#fee-review")
    expect(page.locator("#confirm-list li")).to_contain_text(
        ["Raise your token's creator fee from 3% (300 bps) to 8% (800 bps), in force 7 days after"]
    )
    confirm(tab, "fee")
    bps, effective_at = market.pendingCreatorFee(token)
    assert market.creatorFeeBps(token) == 300 and bps == 800
    assert 7 * DAY - 60 < effective_at - chain.blocks.head.timestamp <= 7 * DAY
    expect(page.locator("#token-pending")).to_contain_text("Rising to 8% (800 bps)")
    # Fans see the rise at once: the fan page's token card and its API.
    fan = open_tab(account=None).open("/c/ava")
    expect(fan.locator("#token-fees")).to_contain_text("creator 3% (300 bps), rising to 8% (800 bps) on")
    state = fan.evaluate("fetch('/api/creators/ava').then((r) => r.json())")
    assert state["token"]["creator_fee_pending"]["effective_at"] == effective_at

    chain.mine(timestamp=effective_at + 1)
    assert market.creatorFeeBps(token) == 800
    tab, page = open_studio(open_tab, page_creator)
    expect(page.locator("#token-fee")).to_have_text("8% (800 bps)")
    expect(page.locator("#token-pending")).to_be_hidden()
    expect(page.locator("#fee-history")).to_contain_text("the scheduled rise to 8% (800 bps) took effect")


def test_cancel_a_pending_rise(open_tab, page_fg, page_creator):
    market = page_fg.market
    token = market.tokenOf(page_creator)
    page_fg.schedule_fee(page_creator, "9%", "creator")
    assert market.pendingCreatorFee(token)[0] == 900
    tab, page = open_studio(open_tab, page_creator)
    expect(page.locator("#token-pending")).to_contain_text("Rising to 9% (900 bps)")
    page.click("#fee-cancel")
    expect(page.locator("#confirm-list li")).to_contain_text(
        ["Cancel the rise of your token's creator fee to 9% (900 bps)"]
    )
    confirm(tab, "cancel-fee")
    assert tuple(market.pendingCreatorFee(token)) == (0, 0)
    assert market.creatorFeeBps(token) == 500
    expect(page.locator("#token-pending")).to_be_hidden()


def test_screenshots(open_tab, page_fg, page_creator, page_fan, page_fan2, stranger, chain, shots_dir):
    page_fg.tip(page_fan, page_creator, "5", "Loved the stream, thank you!")
    chain.mine(timestamp=chain.blocks.head.timestamp + DAY)
    page_fg.gift(page_fan2, page_creator, "Heart", quantity=3, message="<3 <3 <3 from the back row")
    chain.mine(timestamp=chain.blocks.head.timestamp + 2 * DAY)
    page_fg.tip(page_fan2, page_creator, "12.50", "For the new microphone. Can't wait for Friday's show!")
    page_fg.buy(page_fan, page_creator, "10")
    page_fg.split(page_creator, {page_creator.address: "70%", stranger.address: "30%"})
    page_fg.schedule_fee(page_creator, "7%", "creator")
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        tab, page = open_studio(open_tab, page_creator, viewport=viewport)
        fill_split(page, [(page_creator.address, "70%"), (stranger.address, "30%")])
        expect(page.locator("#token-pending")).to_contain_text("Rising to 7% (700 bps)")
        path = shots_dir / f"studio-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert tab.console_errors == []
