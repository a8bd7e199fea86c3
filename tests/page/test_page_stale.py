"""What is sent is what is on screen when the fan presses, or nothing (issue #20 §3): a gift or a
tip changed and sent in the same moment (an arrow key then Enter, faster than the quote's 150 ms
pause) sends nothing and says so; the next press sends what is then shown. The chain is the judge."""

import pytest
from playwright.sync_api import expect

from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _charged(page_fg, page_creator, fan):
    return page_fg.usdc.balanceOf(fan), page_fg.jar.balanceOf(page_creator, page_fg.usdc)


def test_gift_changed_and_sent_at_once_sends_nothing(open_tab, page_fg, page_creator, page_fan):
    before = _charged(page_fg, page_creator, page_fan)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.check("input[name=gift][value='4']")  # Universe, $450 (fairgift.gifts.DEFAULT_GIFTS)
    breakdown = page.locator("#gift-breakdown")
    expect(breakdown).to_contain_text("1 × Universe: 450.00 USDC")
    page.focus("input[name=gift][value='4']")
    page.keyboard.press("ArrowDown")  # the group wraps round: Rose, $0.01
    page.keyboard.press("Enter")  # at once: the Universe's quote is still the last one computed
    assert page.is_checked("input[name=gift][value='1']")
    notice = page.locator("#notice-text")
    expect(notice).to_have_text(
        "The price shown was not yet worked out for your choice, so nothing was sent. Check the "
        "price now shown, then press Send gift again."
    )
    expect(breakdown).to_contain_text("1 × Rose: 0.01 USDC")  # the new choice's price, at once
    assert "eth_sendTransaction" not in tab.wallet_log()
    assert tab.api_calls("/api/prepare") == []
    assert _charged(page_fg, page_creator, page_fan) == before
    # Pressed again, with Rose's price shown: one Rose is what is charged.
    tab.submit("#gift-send", "gift-status", "Landed")
    fan, credit = _charged(page_fg, page_creator, page_fan)
    assert fan == before[0] - USDC // 100
    assert credit == before[1] + USDC // 100 - USDC // 100 * 5 // 100


def test_tip_changed_and_sent_at_once_sends_nothing(open_tab, page_fg, page_creator, page_fan):
    before = _charged(page_fg, page_creator, page_fan)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.check("input[name=tip-mode][value=direct]")
    page.fill("#tip-amount", "5")
    breakdown = page.locator("#tip-breakdown")
    expect(breakdown).to_have_text("The creator receives 4.75 USDC, the fee is 0.25 USDC.")
    page.focus("#tip-amount")
    page.keyboard.type("0")  # 50 now, while 5's figures are on screen
    page.keyboard.press("Enter")
    expect(page.locator("#notice-text")).to_have_text(
        "The figures shown were not yet worked out for the amount you typed, so nothing was sent. "
        "Check the figures now shown, then press Tip again."
    )
    expect(breakdown).to_have_text("The creator receives 47.50 USDC, the fee is 2.50 USDC.")
    assert "eth_sendTransaction" not in tab.wallet_log()
    assert _charged(page_fg, page_creator, page_fan) == before
    tab.submit("#tip-send", "tip-status", "Landed")
    assert _charged(page_fg, page_creator, page_fan) == (before[0] - 50 * USDC, before[1] + 47_500_000)
