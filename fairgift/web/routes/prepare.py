"""`POST /api/prepare/{tip,gift,buy,sell}`: what the wallet signs (a gasless tip's typed data) or
sends (the transactions), with the figures shown beside it.

`POST /api/tips/prepare` is an alias of `/api/prepare/tip` (the same view) kept for the relayer's
API clients, in their field names: {fan, creator, token?, amount (base units), message,
validitySeconds?}. Its answer is the canonical one, which holds every field it answered before
(`tip`, `permit`, `request`, `balance`, `allowance`, `queued`, `enoughBalance`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import HttpError, read_json
from fairgift.web.routes.answer import answer
from fairgift.web.views import Views

RELAYER_DEFAULT_VALIDITY = 3600  # what `/api/tips/prepare` has always defaulted to


def from_relayer_fields(body: dict) -> dict:
    """The alias's body in the canonical endpoint's field names."""
    canonical = {
        "from": body.get("fan"),
        "creator": body.get("creator"),
        "units": body.get("amount"),
        "message": body.get("message", ""),
        "validitySeconds": body.get("validitySeconds", RELAYER_DEFAULT_VALIDITY),
        "mode": "gasless",
    }
    if body.get("token") is not None:
        canonical["token"] = body["token"]
    return canonical


def routes(service, views: Views) -> list[Route]:
    max_body = service.config.max_body_bytes
    actions = {
        "tip": views.prepare.tip,
        "gift": views.prepare.gift,
        "buy": lambda body: views.prepare.trade("buy", body),
        "sell": lambda body: views.prepare.trade("sell", body),
    }

    async def prepare(request: Request) -> JSONResponse:
        action = actions.get(request.path_params["kind"])
        if action is None:
            raise HttpError(404, f"nothing to prepare for {request.path_params['kind'][:20]!r}")
        return await answer(views, action, await read_json(request, max_body))

    async def prepare_relayed_tip(request: Request) -> JSONResponse:
        body = await read_json(request, max_body)
        return await answer(views, views.prepare.tip, from_relayer_fields(body))

    return [
        Route("/api/prepare/{kind}", prepare, methods=["POST"]),
        Route("/api/tips/prepare", prepare_relayed_tip, methods=["POST"]),
    ]
