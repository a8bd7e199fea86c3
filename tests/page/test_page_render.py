"""The creator page renders what the chain says, from the service only."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def test_creator_page_shows_fee_gifts_token(open_tab, page_fg, page_creator, page_server):
    tab = open_tab()
    page = tab.open("/c/ava")
    assert page.text_content("#creator-label") == "Ava"
    assert page.text_content("#creator-address") == page_creator.address
    fee = int(page_fg.jar.feeBps())
    assert page.text_content("#fee-now") == f"{fee / 100:g}% ({fee} bps)"
    gifts = page.locator("#gift-list .gift-name").all_text_contents()
    assert gifts == [g.name for g in page_fg.gifts().values()]
    assert page.text_content("#token-h") == "Creator token AVA"
    assert tab.console_errors == []
    hosts = {urlsplit(url).netloc for url in tab.requests if not url.startswith("data:")}
    assert hosts == {urlsplit(page_server).netloc}


HOSTILE = (
    '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    '</script><script>window.__pwned=3</script><b>bold</b> & "quotes"'
)


@pytest.mark.parametrize("csp", ["with CSP", "without CSP"])
def test_message_with_markup_is_shown_as_text(open_tab, page_fg, page_creator, page_fan, csp):
    """A fan's message is untrusted: the page shows it character for character and runs nothing,
    both on the first render (embedded in the HTML) and when the list is refreshed (JSON). Without
    the page's Content-Security-Policy too: the script itself never parses messages as markup."""
    page_fg.tip(page_fan, page_creator, "1", HOSTILE)
    tab = open_tab(account=page_fan, bypass_csp=csp == "without CSP")
    page = tab.open("/c/ava")
    for _ in range(2):
        message = page.locator("#recent-list .msg").first
        expect(message).to_have_text(HOSTILE)
        assert (
            page.locator("#recent-list img:not(.gift-icon), #recent-list script, #recent-list b").count() == 0
        )
        assert page.locator("body img:not(.gift-icon)").count() == 0  # only the gifts' icons
        assert all(
            src.startswith("/static/gifts/")
            for src in page.eval_on_selector_all(
                "img.gift-icon", "(imgs) => imgs.map((i) => i.getAttribute('src'))"
            )
        )
        assert page.evaluate("window.__pwned") is None
        page.fill("#tip-amount", "1")  # another round trip; then the list refreshes from JSON
        page.check("input[name=tip-mode][value=direct]")
        page.fill("#tip-message", HOSTILE)
        expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives 0.95 USDC")
        tab.submit("#tip-send", "tip-status", "Landed")
    expect(page.locator("#recent-list .msg")).to_have_text([HOSTILE] * 3)
    head = page_fg.chain.blocks.head.number
    on_chain = [log.message for log in page_fg.jar.Tipped.range(head - 10, head + 1)]
    assert on_chain[-3:] == [HOSTILE] * 3  # stored as written, shown as written
    assert page.evaluate("window.__pwned") is None
    assert tab.console_errors == []


def test_recent_tips_newest_first_and_older_on_request(open_tab, page_fg, page_creator, page_fan):
    """25 tips: the page shows the newest 20 (from the index), "Show older" brings the other 5,
    oldest last, and then hides itself."""
    page_fg.usdc.approve(page_fg.jar, 25 * USDC, sender=page_fan)
    for i in range(25):
        page_fg.jar.tip(page_creator, page_fg.usdc, USDC, f"tip number {i + 1}", sender=page_fan)
    tab = open_tab()
    page = tab.open("/c/ava")
    messages = page.locator("#recent-list .msg")
    expect(messages).to_have_count(20)
    assert messages.all_text_contents() == [f"tip number {n}" for n in range(25, 5, -1)]
    page.click("#recent-more")
    expect(messages).to_have_count(25)
    assert messages.all_text_contents()[20:] == [f"tip number {n}" for n in range(5, 0, -1)]
    expect(page.locator("#recent-more")).to_be_hidden()
