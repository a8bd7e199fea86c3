"""Screenshots of the creator page at phone and desktop width, written to out/page/."""

from conftest import DESKTOP, PHONE
from playwright.sync_api import expect


def test_screenshots(open_tab, page_fg, page_creator, page_fan, shots_dir):
    page_fg.tip(page_fan, page_creator, "5", "Loved the stream, thank you!")
    page_fg.gift(page_fan, page_creator, "Heart", quantity=3, message="<3 <3 <3")
    page_fg.buy(page_fan, page_creator, "10")
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        tab = open_tab(account=page_fan, viewport=viewport)
        page = tab.open("/c/ava")
        page.fill("#tip-amount", "10")
        expect(page.locator("#compare")).to_be_visible()
        path = shots_dir / f"creator-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
