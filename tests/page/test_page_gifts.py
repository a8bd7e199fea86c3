"""Gifts as fans and creators see them: the quantity of each gift in the recent list and in
`/api/creators/<name>` (recovered exactly from the event's amount and the gift's price at that log),
and each gift's icon, served by the service (a generic one for a gift with none of its own)."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from fairgift.web.views.icons import GENERIC, gift_icon, slug
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _get(base: str, path: str):
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return response.status, response.headers.get("Content-Type"), response.read()


def test_icon_lookup():
    assert gift_icon("Heart") == "/static/gifts/heart.svg"
    assert gift_icon("Universe") == "/static/gifts/universe.svg"
    assert gift_icon("Golden Dragon") == gift_icon(None) == gift_icon("") == f"/static/gifts/{GENERIC}.svg"
    assert gift_icon("../../page") == f"/static/gifts/{GENERIC}.svg"  # a name is never a path
    assert slug("Golden  Star!") == "golden-star"


def test_quantity_in_the_api_and_the_list(
    open_tab, page_fg, page_creator, page_fan, page_fan2, owner, page_server
):
    jar = page_fg.jar
    page_fg.gift(page_fan, page_creator, "Heart", quantity=2, message="two hearts")
    jar.setGift(2, "Heart", 3 * USDC, sender=owner)  # repriced: the next 2 Hearts cost 6 USDC
    page_fg.gift(page_fan2, page_creator, "Heart", quantity=2, message="two dearer hearts")
    page_fg.gift(page_fan2, page_creator, "Universe", quantity=1, message="the universe")
    page_fg.tip(page_fan, page_creator, "6", "a plain tip of 6")

    _, _, body = _get(page_server, "/api/creators/ava")
    items = json.loads(body)["recent"]["items"][:4]
    assert [
        (i["message"], i["gift"], i["gift_id"], i["quantity"], i["amount"], i["icon"]) for i in items
    ] == [
        ("a plain tip of 6", None, None, None, str(6 * USDC), None),
        ("the universe", "Universe", 4, 1, str(450 * USDC), "/static/gifts/universe.svg"),
        ("two dearer hearts", "Heart", 2, 2, str(6 * USDC), "/static/gifts/heart.svg"),
        ("two hearts", "Heart", 2, 2, str(2 * USDC), "/static/gifts/heart.svg"),
    ]
    _, _, body = _get(page_server, "/api/creators/ava/tips?limit=4")
    assert [i["quantity"] for i in json.loads(body)["items"]] == [None, 1, 2, 2]

    tab = open_tab()
    page = tab.open("/c/ava")
    rows = page.locator("#recent-list li .what")
    expect(rows.nth(0)).to_have_text(" tipped 6.00 USDC")
    expect(rows.nth(1)).to_have_text(" sent 1 × Universe (450.00 USDC)")
    expect(rows.nth(2)).to_have_text(" sent 2 × Heart (6.00 USDC)")
    expect(rows.nth(3)).to_have_text(" sent 2 × Heart (2.00 USDC)")
    icons = page.locator("#recent-list li").nth(2).locator("img.gift-icon")
    expect(icons).to_have_count(1)
    assert icons.get_attribute("src") == "/static/gifts/heart.svg"
    assert page.locator("#recent-list li").nth(0).locator("img").count() == 0  # a tip has none


def test_every_gift_has_an_icon_served_here(open_tab, page_fg, page_server, owner):
    page_fg.jar.setGift(5, "Golden Dragon", 20 * USDC, sender=owner)  # no icon of its own
    _, _, body = _get(page_server, "/api/creators/ava")
    gifts = json.loads(body)["gifts"]
    assert [(g["name"], g["icon"]) for g in gifts] == [
        ("Rose", "/static/gifts/rose.svg"),
        ("Heart", "/static/gifts/heart.svg"),
        ("Lion", "/static/gifts/lion.svg"),
        ("Universe", "/static/gifts/universe.svg"),
        ("Golden Dragon", f"/static/gifts/{GENERIC}.svg"),
    ]
    for gift in gifts:
        status, kind, svg = _get(page_server, gift["icon"])
        assert (status, kind) == (200, "image/svg+xml")
        assert svg.startswith(b"<svg") and b"<script" not in svg and b"href" not in svg
    tab = open_tab()
    page = tab.open("/c/ava")
    icons = page.locator("#gift-list img.gift-icon")
    expect(icons).to_have_count(5)
    assert [icons.nth(i).get_attribute("src") for i in range(5)] == [g["icon"] for g in gifts]
    # each one loaded (allowed by the page's Content-Security-Policy, from the service alone)
    page.wait_for_function(
        "[...document.querySelectorAll('#gift-list img.gift-icon')]"
        ".every((i) => i.complete && i.naturalWidth > 0)"
    )
    assert tab.console_errors == []
    assert {url.split("/", 3)[2] for url in tab.requests} == {page_server.split("/", 3)[2]}
