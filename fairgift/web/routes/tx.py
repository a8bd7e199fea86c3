"""`GET /api/tx/{hash}`: what a transaction the page sent did (pending, its effect, or why it
reverted)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.routes.answer import answer
from fairgift.web.views import Views


def routes(service, views: Views) -> list[Route]:
    async def outcome(request: Request) -> JSONResponse:
        return await answer(views, views.outcomes.outcome, request.path_params["tx"])

    return [Route("/api/tx/{tx}", outcome, methods=["GET"])]
