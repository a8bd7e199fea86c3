"""The stream overlay: `GET /overlay/{creator}` (a page a streamer adds to OBS as a browser source:
transparent, 1920x1080, one alert at a time) and `GET /overlay/{creator}/events`, the server-sent
events that feed it (`text/event-stream`).

The stream is woken by the index when it commits a block (`Index.commits`), not by polling the
database. Every alert carries `id: <block>:<log index>`; a browser that reconnects (a dropped
connection, a restarted service) sends it back as `Last-Event-ID` and gets exactly what came
after it. A first connection starts at the index's position (announced as the first `id:`), so
what lands while it reconnects is replayed, not lost. Each stream sends a comment every
`HEARTBEAT` seconds (proxies close silent connections) and holds one of `StreamSlots`' slots; the
guard does not count it as a request in flight.

Page options (query string, checked here, a 400 with a reason when malformed): `duration`
(seconds an alert stays, 1-120, default 6), `kinds` (`tips`, `gifts` or both), `min` (smallest
amount shown), `goal` and `since` (the goal bar: an amount, and the unix time it counts from),
`label` (the goal bar's last words, e.g. "tonight").
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from fairgift.web.guard import client_key
from fairgift.web.http import HttpError, path_text, query_int, query_text
from fairgift.web.routes.pages import STATIC, content_security_policy, state_json
from fairgift.web.streams import StreamSlots
from fairgift.web.views.alerts import END_OF_BLOCK, Alerts, format_id, parse_id

log = logging.getLogger("fairgift.overlay")

HEARTBEAT = 15.0  # seconds between comments on a quiet stream
RETRY_MS = 1000  # how soon a browser reconnects after the stream ends
RETRY_ON_ERROR = 2.0  # seconds before a stream reads again after a failed read
POLL_WITHOUT_INDEX = 1.0  # seconds between reads when no index in this process signals commits
_DECIMAL = re.compile(r"^\d{1,18}(\.\d{1,18})?$")


def overlay_options(request: Request) -> dict:
    duration = query_int(request, "duration", 6, 1, 120)
    kinds_text = query_text(request, "kinds", "tips,gifts", 40)
    kinds = sorted({k.strip() for k in kinds_text.split(",") if k.strip()})
    if not kinds or not set(kinds) <= {"tips", "gifts"}:
        raise HttpError(400, f"?kinds must be tips, gifts or tips,gifts, not {kinds_text[:40]!r}")
    options = {"duration": duration, "kinds": kinds}
    for name in ("min", "goal"):
        text = query_text(request, name, "", 40).strip()
        if text and not _DECIMAL.match(text):
            raise HttpError(400, f"?{name} must be an amount such as 2.50, not {text[:40]!r}")
        options[name] = text or None
    options["since"] = query_since(request)
    options["label"] = query_text(request, "label", "", 40)
    return options


def query_since(request: Request) -> int:
    """?since: a unix time in seconds (0: no goal bar), or 400."""
    text = query_text(request, "since", "", 20).strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise HttpError(400, f"?since must be a unix time in seconds, such as 1767225600, not {text[:20]!r}")
    return int(text)


def sse(event: str, data: dict, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def routes(service, views) -> list[Route]:
    template = (STATIC / "overlay" / "overlay.html").read_text(encoding="utf8")
    headers = {
        "Content-Security-Policy": content_security_policy(service),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    alerts = Alerts(views)
    slots = getattr(service, "stream_slots", None) or StreamSlots()
    service.stream_slots = slots
    trusted = service.config.limits.trusted_proxies

    async def overlay_page(request: Request) -> Response:
        options = overlay_options(request)
        who = path_text(request, "creator")
        resolved = await run_in_threadpool(views.run, views.creators.resolve, who)
        state = {"creator": who, "label": resolved.label, "address": resolved.address, "options": options}
        text = template.replace("{{state}}", state_json(state))
        return HTMLResponse(text, headers=headers)

    async def overlay_events(request: Request) -> Response:
        who = path_text(request, "creator")
        since = query_since(request)
        resolved = await run_in_threadpool(views.run, views.creators.resolve, who)
        if not alerts.available():
            raise HttpError(503, "live alerts need the index (serve without --no-index)", "no_index")
        # the browser's own reconnection sends Last-Event-ID; a page that had to open a new
        # EventSource (after a refusal, which ends the old one for good) sends ?after=
        resume = parse_id(request.headers.get("last-event-id")) or parse_id(
            query_text(request, "after", "", 30)
        )
        client = client_key(request.scope, trusted)
        slots.take(client)
        return StreamingResponse(
            stream(resolved.address, resume, since, client),
            media_type="text/event-stream",
            headers={
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def stream(creator: str, position, since: int, client: str):
        ends = time.monotonic() + slots.max_seconds
        try:
            commits = getattr(alerts.index(), "commits", None)
            now = await run_in_threadpool(alerts.position)
            if position is not None and position[0] > await run_in_threadpool(alerts.index().head):
                position = None  # an id from a chain that is gone (a reset node): start afresh
            hello = {"resumed": position is not None}
            if position is None:
                position = now
                yield f"retry: {RETRY_MS}\n" + sse("hello", hello, format_id(position))
            else:
                yield f"retry: {RETRY_MS}\n" + sse("hello", hello)
            if since:
                yield sse("goal", await run_in_threadpool(alerts.raised, creator, since, position))
            while True:
                seen = commits.generation if commits is not None else 0
                try:
                    found, skipped = await run_in_threadpool(alerts.after, creator, position)
                except Exception as err:  # noqa: BLE001 - the node or the database hiccuped: keep the stream
                    log.warning("overlay stream for %s: %s: %s; retrying", creator, type(err).__name__, err)
                    await asyncio.sleep(RETRY_ON_ERROR)
                    continue
                if skipped:
                    yield sse("skipped", {"count": skipped})
                for alert in found:
                    yield sse("alert", alert, alert["id"])
                    position = parse_id(alert["id"])
                left = ends - time.monotonic()
                if left <= 0:
                    return  # the browser reconnects with its Last-Event-ID (see StreamSlots)
                if commits is not None:
                    woke = await commits.wait(seen, min(HEARTBEAT, left))
                else:
                    await asyncio.sleep(min(POLL_WITHOUT_INDEX, left))
                    woke = True
                if not woke and time.monotonic() < ends:
                    yield ": heartbeat\n\n"
                fork = commits.fork_since(seen) if commits is not None else None
                if fork is not None and fork <= position[0]:
                    # the blocks from `fork` were replaced: what was sent from there is gone, and
                    # the new blocks' tips may reuse those ids (the page forgets them)
                    position = (fork - 1, END_OF_BLOCK)
                    yield sse("reorg", {"from": fork})
        finally:
            slots.give_back(client)

    return [
        Route("/overlay/{creator}", overlay_page, methods=["GET"]),
        Route("/overlay/{creator}/events", overlay_events, methods=["GET"]),
    ]
