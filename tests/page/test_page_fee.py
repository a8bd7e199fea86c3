"""A scheduled rise of the tip jar's fee: its date and a live countdown, then the new fee and the new
"creator receives" once the chain's clock passes it, and a tip at the new fee."""

import re

import pytest
from playwright.sync_api import expect

from fairgift.api import FairGift

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _countdown_seconds(text: str) -> int:
    units = {"d": 86400, "h": 3600, "min": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+) (d|h|min|s)\b", text))


def test_scheduled_rise_counts_down_then_applies(open_tab, page_fg, page_creator, page_fan, owner, chain):
    jar, usdc = page_fg.jar, page_fg.usdc
    jar.scheduleFee(800, sender=owner)
    bps, effective_at = (int(x) for x in jar.pendingFee())
    assert bps == 800
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    expect(page.locator("#fee-now")).to_have_text("5% (500 bps)")
    expect(page.locator("#fee-next")).to_have_text("8% (800 bps)")
    expect(page.locator("#fee-date")).to_have_text(FairGift.date(effective_at))
    first = _countdown_seconds(page.text_content("#fee-countdown"))
    assert 7 * 86400 - 120 < first <= 7 * 86400
    page.wait_for_timeout(2100)
    second = _countdown_seconds(page.text_content("#fee-countdown"))
    assert 1 <= first - second <= 4  # it ticks with the clock
    page.fill("#tip-amount", "10")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 9.50 USDC, the fee is 0.50 USDC."
    )

    # The chain's clock reaches three seconds before the rise; the page, reloaded, counts down the
    # last seconds and then shows the new fee by itself.
    chain.mine(timestamp=effective_at - 3)
    page = tab.open("/c/ava")
    assert _countdown_seconds(page.text_content("#fee-countdown")) <= 4
    expect(page.locator("#fee-now")).to_have_text("8% (800 bps)", timeout=15_000)
    expect(page.locator("#fee-pending")).to_be_hidden()
    page.fill("#tip-amount", "10")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 9.20 USDC, the fee is 0.80 USDC."
    )

    # A tip sent now is charged the new fee on chain.
    credit_before = jar.balanceOf(page_creator, usdc)
    page.check("input[name=tip-mode][value=direct]")
    tab.submit("#tip-send", "tip-status", "Landed")
    assert jar.balanceOf(page_creator, usdc) == credit_before + 9_200_000
