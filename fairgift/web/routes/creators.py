"""`GET /api/creators` (the named creators), `/api/creators/{creator}` (a page's state) and
`/api/creators/{creator}/tips?before=BLOCK:LOG&limit=N` (older tips and gifts, newest first; a
message longer than 280 characters is cut, `truncated`, with the path of its whole text in `full`:
`/api/creators/{creator}/tips/{tx}/{logIndex}`) and `/api/creators/{creator}/balances?fan=0x…` (what
a connected fan holds: the stablecoin, the token)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import HttpError, path_hash, path_text, query_int, query_text
from fairgift.web.routes.answer import answer
from fairgift.web.views import Views
from fairgift.web.views.creators import MAX_RECENT, RECENT_LIMIT


def routes(service, views: Views) -> list[Route]:
    creators = views.creators

    async def listing(request: Request) -> JSONResponse:
        return await answer(views, lambda: {"creators": creators.listing()})

    async def state(request: Request) -> JSONResponse:
        return await answer(views, creators.state, path_text(request, "creator"))

    async def older_tips(request: Request) -> JSONResponse:
        # (a limit above the most is served as the most, as it always was; a non-number is a 400)
        limit = min(query_int(request, "limit", RECENT_LIMIT, 0, 10**9), MAX_RECENT)
        before = query_text(request, "before", "", 40)
        who = path_text(request, "creator")

        def read():
            creator = creators.resolve(who)
            return creators.recent(creator.address, limit, before)

        return await answer(views, read)

    async def balances(request: Request) -> JSONResponse:
        fan = query_text(request, "fan", "", 64)
        return await answer(views, views.balances.of, path_text(request, "creator"), fan)

    async def one_tip(request: Request) -> JSONResponse:
        """One tip with its whole message (a list shows 280 characters and links here)."""
        who = path_text(request, "creator")
        tx_hash = path_hash(request, "tx", "a transaction hash")
        text = request.path_params["log_index"]
        if not (text.isascii() and text.isdigit() and len(text) <= 9):
            raise HttpError(400, "the log index must be a whole number")

        def read():
            return creators.one_tip(creators.resolve(who).address, tx_hash, int(text))

        return await answer(views, read)

    return [
        Route("/api/creators", listing, methods=["GET"]),
        Route("/api/creators/{creator}", state, methods=["GET"]),
        Route("/api/creators/{creator}/tips", older_tips, methods=["GET"]),
        Route("/api/creators/{creator}/balances", balances, methods=["GET"]),
        Route("/api/creators/{creator}/tips/{tx}/{log_index}", one_tip, methods=["GET"]),
    ]
