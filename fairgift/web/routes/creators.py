"""`GET /api/creators` (the named creators), `/api/creators/{creator}` (a page's state) and
`/api/creators/{creator}/tips?before=BLOCK:LOG&limit=N` (older tips and gifts, newest first)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import query_int, query_text
from fairgift.web.routes.answer import answer
from fairgift.web.views import Views
from fairgift.web.views.creators import MAX_RECENT, RECENT_LIMIT


def routes(service, views: Views) -> list[Route]:
    creators = views.creators

    async def listing(request: Request) -> JSONResponse:
        return await answer(views, lambda: {"creators": creators.listing()})

    async def state(request: Request) -> JSONResponse:
        return await answer(views, creators.state, request.path_params["creator"])

    async def older_tips(request: Request) -> JSONResponse:
        # (a limit above the most is served as the most, as it always was; a non-number is a 400)
        limit = min(query_int(request, "limit", RECENT_LIMIT, 0, 10**9), MAX_RECENT)
        before = query_text(request, "before", "", 40)

        def read():
            creator = creators.resolve(request.path_params["creator"])
            return creators.recent(creator.address, limit, before)

        return await answer(views, read)

    return [
        Route("/api/creators", listing, methods=["GET"]),
        Route("/api/creators/{creator}", state, methods=["GET"]),
        Route("/api/creators/{creator}/tips", older_tips, methods=["GET"]),
    ]
