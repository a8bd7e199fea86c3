"""The FairGift web app: the JSON API under `/api` and the fans' pages.

    from fairgift.web.app import create_app
    from fairgift.service import Service
    app = create_app(Service.connect())         # an ASGI app: uvicorn.run(app), or a TestClient

`create_app` only routes; background work (the relayer's batcher, the index bot) is started by
`fairgift.serve`, so a test can drive the app without any thread running.

The pages come from `fairgift/web/page.py: routes(service) -> list[BaseRoute]` (the page's own
module), mounted after the API.
"""

from __future__ import annotations

import importlib
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import BaseRoute

from fairgift.service import Service
from fairgift.web import api

log = logging.getLogger("fairgift.web")

__all__ = ["Service", "create_app"]


def page_routes(service) -> list[BaseRoute]:
    try:
        page = importlib.import_module("fairgift.web.page")
    except ModuleNotFoundError as err:  # the page module is optional: the API works without it
        if err.name != "fairgift.web.page":
            raise
        return []
    return list(page.routes(service))


def create_app(service) -> Starlette:
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error (logged by the service)"}, status_code=500)

    app = Starlette(
        # Plain routes, not a Mount("/api"): the page module adds its own /api/... endpoints too.
        routes=[*api.routes(service), *page_routes(service)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.service = service
    return app
