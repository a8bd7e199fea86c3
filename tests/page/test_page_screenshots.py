"""Screenshots of the creator page at phone and desktop width, written to out/page/ (docs/ keeps
copies for docs/page.md). The page must fit the width: nothing scrolls sideways."""

import pytest
from page_env import DESKTOP, PHONE
from playwright.sync_api import expect

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def test_screenshots(open_tab, page_fg, page_creator, page_fan, page_fan2, owner, shots_dir):
    page_fg.tip(page_fan, page_creator, "5", "Loved the stream, thank you!")
    page_fg.gift(page_fan2, page_creator, "Heart", quantity=3, message="<3 <3 <3 from the back row")
    page_fg.tip(page_fan2, page_creator, "12.50", "For the new microphone. Can't wait for Friday's show!")
    page_fg.buy(page_fan, page_creator, "10")
    page_fg.jar.scheduleFee(700, sender=owner)  # a rise to 7%: its date and countdown show
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        tab = open_tab(account=page_fan, viewport=viewport)
        page = tab.open("/c/ava")
        page.fill("#tip-amount", "10")
        page.fill("#tip-message", "Great set tonight!")
        page.fill("#trade-amount", "5")
        expect(page.locator("#compare")).to_be_visible()
        expect(page.locator("#trade-quote")).to_contain_text("5.00 AVA cost")
        expect(page.locator("#fee-countdown")).to_contain_text("in 6 d 23 h")
        page.click("#connect")
        expect(page.locator("#connect")).to_have_text(f"{page_fan.address[:6]}…{page_fan.address[-4:]}")
        expect(page.locator("#balance")).to_contain_text("You have")  # read after connecting
        expect(page.locator("#relay-summary")).to_have_text("Gasless tips start at 0.25 USDC.")
        path = shots_dir / f"creator-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert tab.console_errors == []
