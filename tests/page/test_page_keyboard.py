"""The page works with the keyboard alone, at phone width; and the index lists the creators."""

import pytest
from page_env import PHONE
from playwright.sync_api import expect

from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _tab_to(page, element_id: str, limit: int = 25) -> int:
    """Press Tab until `element_id` has the focus; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} never got the focus in {limit} Tab presses")


def test_tip_with_the_keyboard_only_on_a_phone(open_tab, page_fg, page_creator, page_fan):
    usdc, jar = page_fg.usdc, page_fg.jar
    before = (usdc.balanceOf(page_fan), jar.balanceOf(page_creator, usdc))
    tab = open_tab(account=page_fan, viewport=PHONE)
    page = tab.open("/c/ava")
    assert _tab_to(page, "tip-amount") <= 6  # skip link, home, connect, then the form
    page.keyboard.type("1.5")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 1.425 USDC, the fee is 0.075 USDC."
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tip-message"
    page.keyboard.type("typed, not clicked")
    page.keyboard.press("Tab")  # the payment choice (a radio group): arrows move within it
    page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=tip-mode][value=direct]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tip-send"
    page.keyboard.press("Enter")
    expect(page.locator("#tip-status")).to_contain_text("Landed", timeout=60_000)
    assert usdc.balanceOf(page_fan) == before[0] - 3 * USDC // 2
    assert jar.balanceOf(page_creator, usdc) == before[1] + 1_425_000
    # A notice takes the focus, so a keyboard user hears and dismisses it.
    page.fill("#tip-amount", "1.0000001")
    page.keyboard.press("Enter")  # submits the form from the amount field
    expect(page.locator("#notice")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "notice-close"
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_be_hidden()


def test_index_lists_the_catalogue_and_opens_an_address(open_tab, page_creator, page_fan):
    tab = open_tab()
    page = tab.open("/")
    link = page.locator("#creator-list a")
    expect(link).to_have_text(["Ava"])
    assert link.get_attribute("href") == "/c/ava"
    page.fill("#open-address", page_fan.address)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/c/{page_fan.address}")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#creator-address")).to_have_text(page_fan.address)
    expect(page.locator("#token-none")).to_be_visible()  # this address launched no token
    page = tab.open("/c/nobody")
    expect(page.locator("#missing-text")).to_contain_text("no creator named 'nobody' here")
