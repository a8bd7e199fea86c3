"""What the overlay tests share besides fixtures (imported as `overlay_env`, like `page_env`)."""

import time

OBS = {"width": 1920, "height": 1080}


def open_overlay(open_tab, query: str = ""):
    tab = open_tab(wallet=False, viewport=OBS)
    tab.open("/overlay/ava" + query)
    return tab


def wait_until(tab, expression: str, timeout: float = 20.0):
    """Poll `expression` in the page until it is truthy (the CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not tab.page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.02)


def shown(tab) -> list[str]:
    return [entry["id"] for entry in tab.page.evaluate("window.__overlay.shown")]


def tipped_ids(page_fg, receipts) -> list[str]:
    ids = []
    for receipt in receipts:
        for log in receipt.decode_logs(page_fg.jar.Tipped):
            ids.append(f"{log.block_number}:{log.log_index}")
    return ids
