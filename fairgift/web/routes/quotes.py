"""`GET /api/quote/tip?creator=&amount=`, `/gift?creator=&gift=&quantity=`, `/buy` and `/sell`
`?creator=&amount=`: the figures the page shows as the fan types."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import HttpError, query_text
from fairgift.web.routes.answer import answer
from fairgift.web.views import Views


def routes(service, views: Views) -> list[Route]:
    quotes = views.quotes

    async def quote(request: Request) -> JSONResponse:
        kind = request.path_params["kind"]
        creator = query_text(request, "creator")
        if kind == "tip":
            return await answer(views, quotes.quote_tip, creator, query_text(request, "amount"))
        if kind == "gift":
            gift, quantity = query_text(request, "gift"), query_text(request, "quantity", "1")
            return await answer(views, quotes.quote_gift, creator, gift, quantity)
        if kind in ("buy", "sell"):
            return await answer(views, quotes.quote_trade, kind, creator, query_text(request, "amount"))
        raise HttpError(404, f"no quote for {kind[:20]!r}")

    return [Route("/api/quote/{kind}", quote, methods=["GET"])]
