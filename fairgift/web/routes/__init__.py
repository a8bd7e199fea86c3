"""The web service's routes, one module per resource; `all_routes` lists them in the app's order.

pages      GET /, /c/{creator}, /static/...        the fans' HTML pages and their files
health     GET /api/health                         chain, deployment, queue, index position
relayer    GET /api/relayer                        what a client needs to sign a tip for it
tips       POST /api/tips, GET /api/tips/{id}      relayed tips: submit one, follow it
prepare    POST /api/prepare/{tip,gift,buy,sell}   what the wallet signs or sends
           (POST /api/tips/prepare: an alias of /api/prepare/tip in the relayer's field names)
creators   GET /api/creators[/{creator}[/tips]]    the catalogue, a page's state, older tips
quotes     GET /api/quote/{tip,gift,buy,sell}      figures as the fan types
tx         GET /api/tx/{hash}                      what a sent transaction did
explain    POST /api/explain                       a revert's data as one line
studio     GET /studio, /api/studio/...            the creator's dashboard and what its wallet sends
overlay    GET /overlay/{creator}[/events]         the stream overlay and its server-sent events
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from fairgift.web.routes import (
    creators,
    explain,
    health,
    overlay,
    pages,
    prepare,
    quotes,
    relayer,
    studio,
    tips,
    tx,
)
from fairgift.web.views import Views


def all_routes(service, views: Views) -> list[BaseRoute]:
    modules = (health, relayer, prepare, tips, creators, quotes, tx, explain, studio, overlay, pages)
    return [route for module in modules for route in module.routes(service, views)]
