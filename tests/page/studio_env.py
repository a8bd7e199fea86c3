"""What the studio's browser tests share: opening /studio with the creator's wallet connected, and
sending a previewed action."""

from playwright.sync_api import expect


def open_studio(open_tab, account, **kwargs):
    tab = open_tab(account=account, **kwargs)
    page = tab.open("/studio")
    page.click("#connect-big")
    page.wait_for_selector(f"body[data-loaded='{account.address}']")
    return tab, page


def confirm(tab, action: str) -> str:
    """Press "Sign and send" on the previewed action; wait until this press is done (the marker of
    an earlier action of the same name is cleared first); the status text."""
    page = tab.page
    expect(page.locator("#confirm")).to_be_visible()
    page.evaluate("document.body.dataset.lastDone = ''")
    page.click("#confirm-send")
    page.wait_for_selector(f"body[data-last-done='{action}']", timeout=60_000)
    return page.text_content("#confirm-status")
