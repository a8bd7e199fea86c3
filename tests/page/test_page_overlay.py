"""The stream overlay (`/overlay/<creator>`): alerts fed by server-sent events as the index commits
blocks, one at a time, with the options in the URL; the chain is the judge of what was sent."""

import time

import pytest
from overlay_env import open_overlay, shown, tipped_ids, wait_until
from playwright.sync_api import expect

pytestmark = pytest.mark.anvil_only("the overlay follows the test chain's anvil")


def test_tip_and_gift_appear_in_order_one_at_a_time(open_tab, follower, page_fg, page_creator, page_fan):
    tab = open_overlay(open_tab, "?duration=1")
    page = tab.page
    tip = page_fg.tip(page_fan, page_creator, "2.5", "hello stream").receipts[-1]
    gift = page_fg.gift(page_fan, page_creator, "Heart", quantity=3, message="three hearts").receipts[-1]
    box = page.locator("#alert")
    expect(page.locator("#alert-what")).to_have_text("tipped")
    expect(page.locator("#alert-amount")).to_have_text("2.50 USDC")
    expect(page.locator("#alert-message")).to_have_text("hello stream")
    expect(page.locator("#alert-fan")).to_have_text(f"{page_fan.address[:6]}…{page_fan.address[-4:]}")
    assert page.locator("#alert-icon").is_hidden()  # a plain tip has no gift icon
    expect(page.locator("#alert-what")).to_have_text("sent 3 × Heart")
    expect(page.locator("#alert-amount")).to_have_text("3.00 USDC")
    expect(page.locator("#alert-icon")).to_have_attribute("src", "/static/gifts/heart.svg")
    assert page.evaluate("document.getElementById('alert-icon').naturalWidth") > 0  # the SVG loaded
    assert box.count() == 1
    expected = tipped_ids(page_fg, [tip, gift])
    assert shown(tab) == expected  # chain order, each once
    times = [entry["at"] for entry in page.evaluate("window.__overlay.shown")]
    assert times[1] - times[0] >= 1000  # the gift waited for the tip's second on screen
    assert tab.console_errors == []


def test_options_min_amount_and_kinds(open_tab, follower, page_fg, page_creator, page_fan):
    gifts_only = open_overlay(open_tab, "?duration=1&kinds=gifts")
    big_only = open_overlay(open_tab, "?duration=1&min=2")
    small = page_fg.tip(page_fan, page_creator, "1.5", "small").receipts[-1]
    rose = page_fg.gift(page_fan, page_creator, "Rose", quantity=1).receipts[-1]
    big = page_fg.tip(page_fan, page_creator, "2", "big").receipts[-1]
    small_id, rose_id, big_id = tipped_ids(page_fg, [small, rose, big])
    for tab in (gifts_only, big_only):  # every alert reached both pages...
        wait_until(tab, "window.__overlay.received >= 3")
    time.sleep(1.5)  # (...and anything queued had its turn)
    assert shown(gifts_only) == [rose_id]  # ...and each showed only what its options ask for
    assert shown(big_only) == [big_id]  # 2.00 passes min=2; 1.50 and the 0.01 rose do not
    assert small_id not in shown(big_only)


HOSTILE = '<img src=x onerror="window.__pwned=1"><b>bold</b>\u202eevil\u202c & more'


def test_hostile_message_is_inert_text(open_tab, follower, page_fg, page_creator, page_fan):
    tab = open_overlay(open_tab, "?duration=5")
    page_fg.tip(page_fan, page_creator, "1", HOSTILE)
    message = tab.page.locator("#alert-message")
    expected = HOSTILE.replace("\u202e", "\ufffd").replace("\u202c", "\ufffd")
    expect(message).to_have_text(expected)  # the bidi override neutralised, the markup as text
    assert tab.page.locator("#alert img:not(#alert-icon), #alert b").count() == 0
    assert tab.page.evaluate("window.__pwned") is None
    assert tab.console_errors == []


def test_background_is_transparent(open_tab, follower, page_fg, page_creator, page_fan, shots_dir):
    tab = open_overlay(open_tab, "?duration=30")
    page = tab.page
    for element in ("html", "body"):
        color = page.evaluate(f"getComputedStyle(document.querySelector('{element}')).backgroundColor")
        assert color == "rgba(0, 0, 0, 0)"
    page_fg.gift(page_fan, page_creator, "Lion", quantity=1, message="GG!")
    expect(page.locator("#alert-what")).to_have_text("sent 1 × Lion")
    from PIL import Image

    path = shots_dir / "overlay-raw.png"
    page.screenshot(path=str(path), omit_background=True)
    image = Image.open(path).convert("RGBA")
    assert image.size == (1920, 1080)
    assert image.getpixel((10, 10))[3] == 0  # a corner: nothing drawn, fully transparent
    assert image.getpixel((960, 200))[3] > 0  # the alert card is drawn


def test_bad_options_are_refused_with_a_reason(open_tab):
    tab = open_tab(wallet=False)
    for query, words in (
        ("?duration=0", "?duration"),
        ("?kinds=all", "?kinds"),
        ("?min=abc", "?min"),
        ("?since=soon", "?since"),
    ):
        answer = tab.context.request.get(tab.base_url + "/overlay/ava" + query)
        assert answer.status == 400 and words in answer.text()
    assert tab.context.request.get(tab.base_url + "/overlay/nobody").status == 404
    assert tab.context.request.get(tab.base_url + "/overlay/nobody/events").status == 404


def test_goal_bar_counts_from_its_start(open_tab, follower, page_fg, page_creator, page_fan):
    before = page_fg.tip(page_fan, page_creator, "4", "before the stream").receipts[-1]
    start = page_fg.chain.blocks[before.block_number].timestamp + 1
    page_fg.chain.mine(timestamp=start)  # the stream starts a second after that tip
    page_fg.tip(page_fan, page_creator, "2", "early")
    tab = open_overlay(open_tab, f"?duration=1&goal=10&since={start}&label=tonight")
    text = tab.page.locator("#goal-text")
    expect(text).to_have_text("2 of 10 USDC tonight")  # the tip before `since` is not counted
    page_fg.gift(page_fan, page_creator, "Heart", quantity=3)
    page_fg.tip(page_fan, page_creator, "0.5")
    expect(text).to_have_text("5.50 of 10 USDC tonight")
    width = tab.page.evaluate("document.getElementById('goal-fill').style.width")
    assert width == "55%"
