"""The overlay's event stream: a dropped connection resumes from the last alert (the browser's
Last-Event-ID), without loss or duplicate; streams are bounded per client and in total, and the
guard does not count them as requests in flight."""

import asyncio
import http.client
import threading
import time
from urllib.parse import urlsplit

import pytest
from overlay_env import OBS, shown, tipped_ids, wait_until
from playwright.sync_api import expect

from fairgift.web.guard import Guard, Limits
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the overlay follows the test chain's anvil")


@pytest.fixture
def short_streams(page_service):
    """Every stream ends after 1.5 s (as a proxy or a flaky network would cut it): the browser
    reconnects by itself."""
    slots = page_service.stream_slots
    before = slots.max_seconds
    slots.max_seconds = 1.5
    yield slots
    slots.max_seconds = before


def test_dropped_connections_resume_without_loss_or_duplicates(
    open_tab, follower, short_streams, page_fg, page_creator, page_fan, page_fan2
):
    tab = open_tab(wallet=False, viewport=OBS)
    tab.open("/overlay/ava?duration=1")
    receipts = []
    for i in range(8):  # tips landing across several reconnections
        fan = page_fan if i % 2 else page_fan2
        receipts.append(page_fg.tip(fan, page_creator, "1", f"tip {i}").receipts[-1])
        time.sleep(0.4)
    expected = tipped_ids(page_fg, receipts)
    wait_until(tab, f"window.__overlay.received >= {len(expected)}", timeout=30)
    wait_until(tab, f"window.__overlay.shown.length >= {len(expected)}", timeout=30)
    time.sleep(2)  # (a duplicate would come now)
    assert shown(tab) == expected  # chain order, each exactly once
    assert tab.page.evaluate("window.__overlay.connected") >= 3  # it did reconnect, more than once
    assert tab.console_errors == []


def open_stream(base_url: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    return conn.getresponse()


def read_events(response, count: int) -> list[dict]:
    """The next `count` events (id, event, data) of a stream."""
    events, current = [], {}
    while len(events) < count:
        line = response.fp.readline().decode().rstrip("\n")
        if line == "":
            if current:
                events.append(current)
            current = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(": ")
            current[field] = value
    return events


def test_replay_after_last_event_id_and_stream_limits(
    follower, page_server, page_service, page_fg, page_creator, page_fan
):
    receipts = [page_fg.tip(page_fan, page_creator, "1", f"replay {i}").receipts[-1] for i in range(3)]
    page_service.index.sync()
    ids = tipped_ids(page_fg, receipts)
    slots = page_service.stream_slots
    before = slots.per_client
    slots.per_client = 2
    opened = []
    try:
        first = open_stream(page_server, "/overlay/ava/events", {"Last-Event-ID": ids[0]})
        opened.append(first)
        assert first.status == 200 and first.getheader("content-type").startswith("text/event-stream")
        events = read_events(first, 3)
        assert events[0]["event"] == "hello" and "id" not in events[0]  # resumed: the id stays
        assert [(e["event"], e["id"]) for e in events[1:]] == [("alert", ids[1]), ("alert", ids[2])]
        second = open_stream(page_server, "/overlay/ava/events")
        opened.append(second)
        hello = read_events(second, 1)[0]
        assert hello["event"] == "hello" and hello["id"].startswith(f"{page_fg.chain.blocks.head.number}:")
        third = open_stream(page_server, "/overlay/ava/events")
        assert third.status == 429 and "at most 2 live streams" in third.read().decode()
        assert slots.open_count() == 2
        for response in opened:
            response.close()
        deadline = time.monotonic() + 10
        while slots.open_count() and time.monotonic() < deadline:  # freed when the client leaves
            time.sleep(0.05)
        assert slots.open_count() == 0
    finally:
        slots.per_client = before
        for response in opened:
            response.close()


def test_guard_does_not_count_streams_in_flight():
    """With one request allowed in flight, an open stream does not make the next request a 503."""
    release = asyncio.Event()
    statuses = []

    async def app(scope, receive, send):
        if scope["path"].endswith("/events"):
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard = Guard(app, Limits(max_in_flight=1))

    def scope(path):
        return {"type": "http", "path": path, "headers": [], "client": ("127.0.0.1", 1)}

    async def receive():
        return {"type": "http.request", "body": b""}

    async def call(path):
        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append((path, message["status"]))

        await guard(scope(path), receive, send)

    async def main():
        stream = asyncio.create_task(call("/overlay/ava/events"))
        await asyncio.sleep(0.05)
        await call("/api/health")
        release.set()
        await stream

    # (in a thread of its own: Playwright's sync API keeps an event loop in this one)
    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    thread.join(10)
    assert statuses == [("/api/health", 200), ("/overlay/ava/events", 200)]


def test_a_reorg_shows_the_new_blocks_tips(
    open_tab, follower, page_fg, page_creator, page_fan, page_fan2, page_usdc
):
    """The chain replaces the block of a shown tip; the tip in the new block (same block number,
    same log index: the same id) is shown too, not taken for the one already shown."""
    from ape import chain

    tab = open_tab(wallet=False, viewport=OBS)
    tab.open("/overlay/ava?duration=1")
    for fan in (page_fan, page_fan2):
        page_usdc.approve(page_fg.jar.address, 10 * USDC, sender=fan)
    jar, usdc = page_fg.jar, page_fg.usdc.address
    snapshot = chain.snapshot()
    gone = tipped_ids(page_fg, [jar.tip(page_creator, usdc, USDC, "soon gone", sender=page_fan)])
    wait_until(tab, "window.__overlay.shown.length >= 1")
    chain.restore(snapshot)
    new = tipped_ids(page_fg, [jar.tip(page_creator, usdc, 2 * USDC, "the new block", sender=page_fan2)])
    assert new == gone  # the new block's tip has the replaced tip's id
    wait_until(tab, "window.__overlay.shown.length >= 2", timeout=30)
    assert shown(tab) == gone + new
    expect(tab.page.locator("#alert-message")).to_have_text("the new block")
