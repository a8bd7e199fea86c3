"""The FairGift web app: the JSON API under `/api` and the fans' pages, assembled from the route
modules (`fairgift.web.routes`) over the views (`fairgift.web.views`).

    app = create_app(service)        # an ASGI app: uvicorn.run(app), or a TestClient

`service` holds `fg` (the FairGift API bound to the deployment), `config`, `relayer` and `index`
(each None when off). `create_app` only routes; background work (the relayer's batcher, the index
bot) is started by the process that serves it, so a test can drive the app without any thread.

Every `/api` error is one JSON shape, `{"error": "<one line>", "code": "<machine-readable>", …}`
(`fairgift.web.http.HttpError`), with a 4xx status (503 when the node does not answer); a bug
answers 500 with no detail (logged). Every request passes the guard first (`fairgift.web.guard`).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from fairgift.web.guard import Guard
from fairgift.web.handlers import HANDLERS
from fairgift.web.routes import all_routes
from fairgift.web.views import Views


def create_app(service) -> Starlette:
    views = Views(service)
    app = Starlette(
        routes=all_routes(service, views),
        middleware=[Middleware(Guard, limits=service.config.limits)],
        exception_handlers=HANDLERS,  # fairgift.web.handlers: the one shape, no internals
    )
    app.state.service = service
    app.state.views = views
    return app
