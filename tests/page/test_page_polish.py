"""Rough edges a new fan met (issue #20 §3): the tab's title names the creator (set by the server,
as text), platform names do not break mid-word on a phone, and the connected fan's own balance is
shown, read through the service, and follows each action."""

import json
import urllib.error
import urllib.request

import pytest
from page_env import PHONE
from playwright.sync_api import expect

from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _html(base: str, path: str) -> str:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            return response.read().decode()
    except urllib.error.HTTPError as err:
        return err.read().decode()


def test_title_names_the_creator_server_side(page_server, page_service, page_fan):
    assert "<title>Ava · FairGift</title>" in _html(page_server, "/c/ava")
    assert "<title>Creators · FairGift</title>" in _html(page_server, "/")
    assert "<title>Creator not found · FairGift</title>" in _html(page_server, "/c/nobody")
    catalogue = page_service.creators
    catalogue.add("evil", page_fan.address, "</title><script>alert(1)</script> {{state}} & co")
    try:
        text = _html(page_server, "/c/evil")
    finally:
        catalogue.remove("evil")
    assert (
        "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; {{state}} &amp; co · FairGift</title>"
    ) in text
    assert text.count("<script") == 2  # the page's own: the state (JSON) and page.js


def test_platform_names_do_not_break_mid_word_on_a_phone(open_tab):
    tab = open_tab(viewport=PHONE)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "10")
    expect(page.locator("#compare")).to_be_visible()
    lines = page.evaluate(
        """() => {
            const cell = [...document.querySelectorAll('#compare-body th')]
                .find((th) => th.textContent.includes('coins->diamonds'));
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            const tops = new Set();
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf('coins->diamonds');
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 'coins->diamonds'.length);
                for (const rect of range.getClientRects()) tops.add(Math.round(rect.top));
            }
            return tops.size;
        }"""
    )
    assert lines == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_connected_fan_sees_own_balance(open_tab, page_fg, page_creator, page_fan, page_server):
    usdc = page_fg.usdc
    token = page_fg.project.CreatorToken.at(page_fg.creator_token(page_creator))
    page_fg.buy(page_fan, page_creator, "3")

    def shown():
        held = token.balanceOf(page_fan) / 10**18
        return f"You have {page_fg.usd(usdc.balanceOf(page_fan))} and {held:,.2f} AVA"

    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    expect(page.locator("#balance")).to_be_hidden()  # not connected yet
    page.click("#connect")
    expect(page.locator("#balance")).to_have_text(shown())
    assert "3.00 AVA" in shown()
    page.fill("#tip-amount", "2")
    page.check("input[name=tip-mode][value=direct]")
    expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives 1.90 USDC")
    before = usdc.balanceOf(page_fan)
    tab.submit("#tip-send", "tip-status", "Landed")
    assert usdc.balanceOf(page_fan) == before - 2 * USDC
    expect(page.locator("#balance")).to_have_text(shown())  # refreshed after the tip
    page.check("input[name=trade-side][value=sell]")
    page.fill("#trade-amount", "1")
    expect(page.locator("#trade-quote")).to_contain_text("1.00 AVA pay")
    tab.submit("#trade-send", "trade-status", "Sold")
    expect(page.locator("#balance")).to_have_text(shown())  # and after the sale
    assert "2.00 AVA" in shown()
    assert any("/balances?fan=" in url for url in tab.api_calls("/api/creators/"))
    # the endpoint itself: a bad address is a 400 with one line
    with urllib.request.urlopen(f"{page_server}/api/creators/ava/balances?fan={page_fan.address}") as r:
        held = json.loads(r.read())
    assert held["stablecoin"]["balance"] == str(usdc.balanceOf(page_fan))
    assert held["token"]["balance"] == str(token.balanceOf(page_fan))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{page_server}/api/creators/ava/balances?fan=0x12")
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["code"] == "bad_address"
