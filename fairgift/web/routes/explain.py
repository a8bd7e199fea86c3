"""`POST /api/explain` {data}: a revert's data (from a wallet's failed estimate) as one line and a
code the page acts on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import read_json
from fairgift.web.routes.answer import answer
from fairgift.web.views import Views


def routes(service, views: Views) -> list[Route]:
    max_body = service.config.max_body_bytes

    def explain(data: str) -> dict:
        reason, code = views.outcomes.explain(data)
        return {"reason": reason, "code": code}

    async def explain_revert(request: Request) -> JSONResponse:
        body = await read_json(request, max_body)
        return await answer(views, explain, str(body.get("data") or ""))

    return [Route("/api/explain", explain_revert, methods=["POST"])]
