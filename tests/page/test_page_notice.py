"""After pressing Tip or Send gift, an error shows next to the button pressed, in sight on a 390 px
phone (not only at the top of the page); a success is not shown in the error's red."""

import pytest
from page_env import PHONE
from playwright.sync_api import expect

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _in_view(page, selector: str) -> dict:
    box = page.evaluate(
        """(selector) => {
            const r = document.querySelector(selector).getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, height: r.height, scrolled: window.scrollY};
        }""",
        selector,
    )
    assert box["height"] > 0, box
    assert 0 <= box["top"] and box["bottom"] <= PHONE["height"], box
    return box


@pytest.mark.parametrize("case", ["too little balance", "wrong chain", "declined gift"])
def test_error_shows_by_the_button_on_a_phone(open_tab, page_fg, page_creator, page_fan, stranger, case):
    if case == "too little balance":
        tab = open_tab(account=stranger, viewport=PHONE)  # holds no USDC
    elif case == "wrong chain":
        tab = open_tab(account=page_fan, viewport=PHONE, chain_override="0x1")
    else:
        tab = open_tab(account=page_fan, viewport=PHONE)
    page = tab.open("/c/ava")
    if case == "declined gift":
        tab.wallet("(w.rejectSend = true)")
        form, button = "#gift-form", "#gift-send"
        expect(page.locator("#gift-breakdown")).to_contain_text("1 × Rose")
        expected = "You declined the transaction in your wallet. Nothing was sent."
    else:
        form, button = "#tip-form", "#tip-send"
        page.fill("#tip-amount", "5")
        page.check("input[name=tip-mode][value=direct]")
        expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives")
        expected = {
            "too little balance": "Not enough USDC: you have 0.00 USDC, this tip needs 5.00 USDC.",
            "wrong chain": "Your wallet is on chain 1, but this page works on chain",
        }[case]
    page.locator(button).scroll_into_view_if_needed()
    page.click(button)
    expect(page.locator("#notice-text")).to_contain_text(expected)
    box = _in_view(page, "#notice")
    assert box["scrolled"] > 0  # the button is far down the page: the top is out of sight
    assert page.locator(f"{form} #notice").count() == 1  # in the form pressed, below its button
    assert page.evaluate(
        f"document.querySelector('{button}').getBoundingClientRect().bottom"
        " <= document.querySelector('#notice').getBoundingClientRect().top"
    )
    assert page.get_attribute("#notice", "data-kind") == "error"
    if case == "wrong chain":  # the way out is offered there too, and its success is not red
        page.click("#notice-action")
        expect(page.locator("#notice-text")).to_contain_text("Your wallet is now on chain")
        assert page.get_attribute("#notice", "data-kind") == "success"
        colours = page.evaluate(
            "(() => { const s = getComputedStyle(document.querySelector('#notice'));"
            " return [s.color, s.backgroundColor]; })()"
        )
        assert colours == ["rgb(29, 107, 51)", "rgb(232, 246, 236)"]  # the success style, not red
        _in_view(page, "#notice")
    # (the service's refusal of a tip beyond the balance is a 400, which the browser logs)
    assert [e for e in tab.console_errors if "status of 400" not in e] == []


def test_connect_error_stays_at_the_top(open_tab):
    tab = open_tab(wallet=False, viewport=PHONE)
    page = tab.open("/c/ava")
    page.click("#connect")
    expect(page.locator("#notice-text")).to_contain_text("No wallet found in this browser")
    assert page.evaluate("document.querySelector('#notice').parentElement.tagName") == "BODY"
    _in_view(page, "#notice")
