"""The creator page renders what the chain says, from the service only."""

from urllib.parse import urlsplit


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
