"""`GET /api/tx/{hash}`: what a transaction the page sent did (pending, its effect, or why it
reverted)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import path_hash
from fairgift.web.routes.answer import NO_STORE
from fairgift.web.views import Views


def routes(service, views: Views) -> list[Route]:
    async def outcome(request: Request) -> JSONResponse:
        tx_hash = path_hash(request, "tx", "a transaction hash")
        # not under the views' lock: a revert's replay must not hold up the other pages
        result = await run_in_threadpool(views.outcomes.outcome, tx_hash)
        return JSONResponse(result, headers=NO_STORE)

    return [Route("/api/tx/{tx}", outcome, methods=["GET"])]
