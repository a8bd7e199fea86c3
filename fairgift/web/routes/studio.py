"""The creator's dashboard: `GET /studio` (the page; the wallet it connects says whose dashboard),
`GET /api/studio/{creator}` (everything it shows), `GET /api/studio/{creator}/tips?fan=&offset=&limit=`
(a page of tips and gifts, searchable by fan), `GET /api/studio/{creator}/tips.csv` (the CLI's CSV,
`ape run fairgift tips CREATOR --csv`) and `POST /api/studio/prepare/{action}` {from, …} -> {"txs": […]}
(what the creator's wallet sends, each with what it does in plain words)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from fairgift.web.http import HttpError, path_text, query_int, query_text, read_json
from fairgift.web.routes.answer import NO_STORE, answer
from fairgift.web.routes.pages import STATIC, content_security_policy, state_json
from fairgift.web.views import Views
from fairgift.web.views.studio import MAX_TIPS_PAGE, TIPS_PAGE


def routes(service, views: Views) -> list[Route]:
    max_body = service.config.max_body_bytes
    studio, prepare = views.studio, views.studio_prepare
    actions = prepare.actions()
    template = (STATIC / "studio.html").read_text(encoding="utf8")
    headers = {
        "Content-Security-Policy": content_security_policy(service),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }

    async def page(request: Request) -> Response:
        def read():
            chain_id = views.reader.chain_id
            return {"chain": {"id": chain_id, "id_hex": hex(chain_id)}}

        state = await run_in_threadpool(views.run, read)
        return HTMLResponse(template.replace("{{state}}", state_json(state)), headers=headers)

    async def state(request: Request) -> JSONResponse:
        return await answer(views, studio.state, path_text(request, "creator"))

    async def tips(request: Request) -> JSONResponse:
        fan = query_text(request, "fan", "", 42)
        offset = query_int(request, "offset", 0, 0, 10**9)
        limit = query_int(request, "limit", TIPS_PAGE, 1, MAX_TIPS_PAGE)
        who = path_text(request, "creator")

        def read():
            return studio.tips_page(studio.creator(who), fan, offset, limit)

        return await answer(views, read)

    async def tips_csv(request: Request) -> Response:
        who = path_text(request, "creator")
        text = await run_in_threadpool(views.run, studio.csv, who)
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={**NO_STORE, "Content-Disposition": 'attachment; filename="tips.csv"'},
        )

    async def prepare_action(request: Request) -> JSONResponse:
        name = request.path_params["action"]
        action = actions.get(name)
        if action is None:
            raise HttpError(404, f"no dashboard action {name[:20]!r}")
        return await answer(views, action, await read_json(request, max_body))

    return [
        Route("/studio", page, methods=["GET"]),
        Route("/api/studio/prepare/{action}", prepare_action, methods=["POST"]),
        Route("/api/studio/{creator}", state, methods=["GET"]),
        Route("/api/studio/{creator}/tips", tips, methods=["GET"]),
        Route("/api/studio/{creator}/tips.csv", tips_csv, methods=["GET"]),
    ]
