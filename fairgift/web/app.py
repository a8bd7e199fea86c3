"""The FairGift web app: the JSON API under `/api` and the fans' pages, assembled from the route
modules (`fairgift.web.routes`) over the views (`fairgift.web.views`).

    app = create_app(service)        # an ASGI app: uvicorn.run(app), or a TestClient

`service` holds `fg` (the FairGift API bound to the deployment), `config`, `relayer` and `index`
(each None when off). `create_app` only routes; background work (the relayer's batcher, the index
bot) is started by the process that serves it, so a test can drive the app without any thread.

Every `/api` error is one JSON shape, `{"error": "<one line>", "code": "<machine-readable>", …}`
(`fairgift.web.http.HttpError`), with a 4xx status; a bug answers 500 with no detail (logged).
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from fairgift.errors import FairGiftError
from fairgift.relayer import Rejected
from fairgift.web.guard import Guard
from fairgift.web.http import HttpError, from_rejected
from fairgift.web.routes import all_routes
from fairgift.web.views import Views

log = logging.getLogger("fairgift.web")


async def http_error(request: Request, exc: HttpError) -> Response:
    if not request.url.path.startswith("/api"):
        return PlainTextResponse(exc.reason, status_code=exc.status)
    return exc.response()


async def relayer_refused(request: Request, exc: Rejected) -> Response:
    return await http_error(request, from_rejected(exc))


async def api_refused(request: Request, exc: FairGiftError) -> Response:
    """The API's one-line refusal of a request (an amount, a balance, a revert) as a 400."""
    return await http_error(request, HttpError(400, str(exc), "rejected"))


async def starlette_error(request: Request, exc: HTTPException) -> Response:
    """Starlette's own 404 (no route) and 405 (wrong method), in the one shape under /api."""
    if request.url.path.startswith("/api"):
        error = HttpError(exc.status_code, str(exc.detail))
        return JSONResponse(error.body(), status_code=exc.status_code, headers=exc.headers)
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)


async def client_gone(request: Request, exc: ClientDisconnect) -> Response:
    """The client left while sending its body: nothing to answer, nothing wrong with the service."""
    log.info("%s %s: the client disconnected mid-body", request.method, request.url.path)
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"error": "internal error (logged by the service)", "code": "internal"}, status_code=500
    )


def create_app(service) -> Starlette:
    views = Views(service)
    app = Starlette(
        routes=all_routes(service, views),
        middleware=[Middleware(Guard, limits=service.config.limits)],
        exception_handlers={
            HttpError: http_error,
            Rejected: relayer_refused,
            FairGiftError: api_refused,
            HTTPException: starlette_error,
            ClientDisconnect: client_gone,
            Exception: server_error,
        },
    )
    app.state.service = service
    app.state.views = views
    return app
