"""The fans' HTML pages: `/` lists the named creators, `/c/{name or address}` is a creator's page
(its state embedded in the page: one round trip), and `/static/…` (one stylesheet, one script, no
build step, no Ethereum library). The page computes no rule: it asks the `/api` endpoints.

The wallet is only asked for `eth_requestAccounts`, `eth_chainId`, `wallet_switchEthereumChain`,
`eth_signTypedData_v4` and `eth_sendTransaction`; the Content-Security-Policy allows the service
itself and, on a local development chain, the node (for a wallet running inside the page).
"""

from __future__ import annotations

import html as markup
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from fairgift.deployments import LOCAL_CHAIN_IDS
from fairgift.web.http import HttpError, path_text
from fairgift.web.views import Views

STATIC = Path(__file__).resolve().parent.parent / "static"
BRAND = "FairGift"
SLOT = re.compile(r"\{\{(view|state|title)\}\}")  # the template's slots


def state_json(state: dict) -> str:
    """JSON safe to embed in a <script type="application/json"> element (no `<`, `>`, `&`)."""
    text = json.dumps(state, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def content_security_policy(service) -> str:
    """Only the service itself; on a local development chain also the node, so that a wallet
    running inside the page (a test wallet; an extension's requests are not the page's) reaches it.
    `service.node_origin` overrides the node's origin."""
    connect = "'self'"
    node = getattr(service, "node_origin", None) or local_node_origin(service.fg)
    if node:
        connect += f" {node}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def local_node_origin(fg) -> str | None:
    if int(fg.record.chain_id) not in LOCAL_CHAIN_IDS:
        return None
    uri = getattr(fg.chain.provider, "http_uri", None) or getattr(fg.chain.provider, "uri", None)
    parts = urlsplit(str(uri or ""))
    if parts.scheme not in ("http", "https") or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    return f"{parts.scheme}://{parts.netloc}"


def routes(service, views: Views) -> list[BaseRoute]:
    template = (STATIC / "page.html").read_text(encoding="utf8")
    headers = {
        "Content-Security-Policy": content_security_policy(service),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    creators = views.creators

    def html(view: str, state: dict | None, status: int = 200, title: str = "") -> HTMLResponse:
        # One pass: a label or a message that contains "{{view}}" is never substituted again.
        values = {
            "view": view,
            "state": state_json(state or {}),
            "title": markup.escape(f"{title} · {BRAND}" if title else BRAND, quote=True),
        }
        text = SLOT.sub(lambda m: values[m.group(1)], template)
        return HTMLResponse(text, status_code=status, headers=headers)

    async def index_page(request: Request) -> Response:
        def read():
            return {"chain": {"id": views.reader.chain_id}, "creators": creators.listing()}

        return html("index", await run_in_threadpool(views.run, read), title="Creators")

    async def creator_page(request: Request) -> Response:
        try:
            who = path_text(request, "creator")
        except HttpError as err:
            return html("missing", {"error": err.reason}, err.status)

        def read():
            started = time.perf_counter()
            state = views.run(creators.state, who)
            state["served_in_ms"] = round((time.perf_counter() - started) * 1000, 1)
            return state

        try:
            state = await run_in_threadpool(read)
            return html("creator", state, title=state["creator"]["label"])
        except HttpError as err:
            return html("missing", {"error": err.reason}, err.status, title="Creator not found")

    return [
        Route("/", index_page, methods=["GET"]),
        Route("/c/{creator}", creator_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
