"""The creator's dashboard (/studio) in a real browser with the creator's own wallet: what fans sent
(totals, tips with messages, search by fan, the CLI's CSV) and getting paid (withdraw from the jar
and the market, set and reset the payout), each action previewed in plain words, sent by the wallet
exactly as shown, with the chain as the judge."""

import pytest
from page_env import WALLET_METHODS
from playwright.sync_api import expect
from studio_env import confirm, open_studio

pytestmark = pytest.mark.anvil_only("the creator's browser wallet forwards to the chain's JSON-RPC URL")


def test_dashboard_shows_what_fans_sent_and_withdraws_the_jar(
    open_tab, page_fg, page_creator, page_fan, page_fan2
):
    usdc, jar = page_fg.usdc, page_fg.jar
    page_fg.tip(page_fan, page_creator, "10", "first tip <b>bold?</b>")
    page_fg.gift(page_fan2, page_creator, "Heart", quantity=2, message="two hearts")
    credit = jar.balanceOf(page_creator, usdc)
    assert credit > 0
    wallet_before = usdc.balanceOf(page_creator)
    tab, page = open_studio(open_tab, page_creator)

    expect(page.locator("#jar-credits")).to_contain_text(page_fg.usd(credit))
    expect(page.locator("#totals")).to_contain_text("2 tips and gifts (1 gift) from 2 fans")
    expect(page.locator("#tips-list .msg").first).to_have_text("two hearts")
    expect(page.locator("#tips-list")).to_contain_text("2 × Heart")
    # the gift's icon, served here, beside it (a plain tip has none)
    icons = page.locator("#tips-list img.gift-icon")
    expect(icons).to_have_count(1)
    assert icons.first.get_attribute("src") == "/static/gifts/heart.svg"
    assert page.evaluate("() => document.querySelector('#tips-list img.gift-icon').naturalWidth") > 0
    expect(page.locator("#tips-list .msg").nth(1)).to_have_text("first tip <b>bold?</b>")  # text, not markup
    expect(page.locator("#supporters li").first).to_contain_text("10.00 USDC")
    assert page.locator("#chart rect").count() == 30
    # searchable by fan: only that fan's rows
    page.fill("#tips-fan", page_fan2.address[:12])
    expect(page.locator("#tips-list li")).to_have_count(1)
    expect(page.locator("#tips-list .msg")).to_have_text("two hearts")
    # the CSV is the CLI's (`ape run fairgift tips CREATOR --csv`)
    csv_text = page.evaluate("fetch(document.getElementById('csv').href).then((r) => r.text())")
    assert csv_text == page_fg.tips_csv_text(page_fg.tips(page_creator))
    assert csv_text.count("\n") == 3 and "two hearts" in csv_text

    page.click(".withdraw-jar")
    expect(page.locator("#confirm-list li")).to_have_text(
        [f"Withdraw {page_fg.usd(credit)} from the tip jar to your own address."]
    )
    assert "eth_sendTransaction" not in tab.wallet_log()  # nothing sent before the creator confirms
    status = confirm(tab, "withdraw-jar")
    assert "Done in block" in status
    assert jar.balanceOf(page_creator, usdc) == 0
    assert usdc.balanceOf(page_creator) == wallet_before + credit
    assert tab.wallet_log().count("eth_sendTransaction") == 1
    assert set(tab.wallet_log()) <= WALLET_METHODS
    expect(page.locator("#jar-credits")).to_contain_text("0.00 USDC")
    assert tab.console_errors == []


def test_withdraw_market_fees(open_tab, page_fg, page_creator, page_fan):
    usdc, market = page_fg.usdc, page_fg.market
    page_fg.buy(page_fan, page_creator, "20")  # the creator earns the token's creator fee
    owed = market.balanceOf(page_creator)
    assert owed > 0
    before = usdc.balanceOf(page_creator)
    tab, page = open_studio(open_tab, page_creator)
    expect(page.locator("#market-credit")).to_have_text(page_fg.usd(owed))
    page.click("#withdraw-market")
    expect(page.locator("#confirm-list li")).to_have_text(
        [f"Withdraw {page_fg.usd(owed)} of market fees to your own address."]
    )
    confirm(tab, "withdraw-market")
    assert market.balanceOf(page_creator) == 0
    assert usdc.balanceOf(page_creator) == before + owed


def test_set_and_reset_the_payout(open_tab, page_fg, page_creator, stranger):
    jar, market = page_fg.jar, page_fg.market
    tab, page = open_studio(open_tab, page_creator)
    page.fill("#payout-address", stranger.address)
    page.click("#payout-set")
    expect(page.locator("#confirm-list li")).to_have_text(
        [
            f"Tip jar: pay {stranger.address} instead of yourself.",
            f"Market: pay {stranger.address} instead of yourself.",
        ]
    )
    confirm(tab, "payout")
    assert jar.payoutOf(page_creator) == stranger.address
    assert market.payoutOf(page_creator) == stranger.address
    expect(page.locator("#payout-jar")).to_have_text(stranger.address)

    page.evaluate("document.body.dataset.lastDone = ''")
    page.click("#payout-reset")
    expect(page.locator("#confirm-list li").first).to_contain_text("pay yourself again")
    confirm(tab, "payout")
    assert jar.payoutOf(page_creator) == page_creator.address
    assert market.payoutOf(page_creator) == page_creator.address


def test_bad_payout_is_refused_beside_the_control(open_tab, page_fg, page_creator):
    tab, page = open_studio(open_tab, page_creator)
    page.fill("#payout-address", page_fg.jar.address)
    page.click("#payout-set")
    expect(page.locator("#payout-error")).to_contain_text("cannot be a FairGift contract")
    assert page.is_hidden("#confirm")
    assert "eth_sendTransaction" not in tab.wallet_log()


def test_inputs_changed_after_the_preview_send_nothing(open_tab, page_fg, page_creator, stranger, fan2):
    tab, page = open_studio(open_tab, page_creator)
    page.fill("#payout-address", stranger.address)
    page.click("#payout-set")
    expect(page.locator("#confirm-list li").first).to_contain_text(stranger.address)
    page.fill("#payout-address", fan2.address)  # changed after the preview
    page.click("#confirm-send")
    expect(page.locator("#confirm-status")).to_contain_text("nothing was sent")
    expect(page.locator("#payout-error")).to_contain_text("nothing was sent")
    assert "eth_sendTransaction" not in tab.wallet_log()
    assert page_fg.jar.payoutOf(page_creator) == page_creator.address


def test_declined_in_the_wallet_sends_nothing(open_tab, page_fg, page_creator, stranger):
    tab, page = open_studio(open_tab, page_creator)
    tab.wallet("(w.rejectSend = true)")
    page.fill("#payout-address", stranger.address)
    page.click("#payout-set")
    expect(page.locator("#confirm-list li")).to_have_count(2)
    page.click("#confirm-send")
    expect(page.locator("#confirm-status")).to_have_text(
        "You declined the transaction in your wallet. Nothing was sent."
    )
    assert tab.wallet("w.sent.length") == 0
    assert page_fg.jar.payoutOf(page_creator) == page_creator.address
    # the creator can try again from the same preview
    tab.wallet("(w.rejectSend = false)")
    status = confirm(tab, "payout")
    assert "Done in block" in status
    assert page_fg.jar.payoutOf(page_creator) == stranger.address


def test_declined_half_way_says_what_was_sent(open_tab, page_fg, page_creator, stranger):
    """The second of two transactions declined: the first is on chain and the page says so."""
    tab, page = open_studio(open_tab, page_creator)
    page.evaluate(
        """() => {
            const w = window.__wallet;
            let n = 0;
            const forward = window.ethereum.request;
            window.ethereum.request = async (args) => {
                if (args.method === "eth_sendTransaction" && ++n === 2) w.rejectSend = true;
                return forward(args);
            };
        }"""
    )
    page.fill("#payout-address", stranger.address)
    page.click("#payout-set")
    expect(page.locator("#confirm-list li")).to_have_count(2)
    page.click("#confirm-send")
    status = page.locator("#confirm-status")
    expect(status).to_contain_text("1 of 2 sent and mined (tip jar: pay")
    expect(status).to_contain_text("the next was not: You declined the transaction in your wallet.")
    expect(page.locator("#confirm-send")).to_be_hidden()
    assert page_fg.jar.payoutOf(page_creator) == stranger.address
    assert page_fg.market.payoutOf(page_creator) == page_creator.address
    expect(page.locator("#payout-jar")).to_have_text(stranger.address)
