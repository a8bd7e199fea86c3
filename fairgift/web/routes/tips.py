"""Relayed tips: `POST /api/tips` (one signed tip, with an optional EIP-2612 permit, -> 202
{"id", "status"}) and `GET /api/tips/{id}` (queued | submitted | landed | skipped, with why)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.web.http import HttpError, path_hash, read_json
from fairgift.web.routes.relayer import require_relayer


def routes(service, views) -> list[Route]:
    max_body = service.config.max_body_bytes

    async def post_tip(request: Request) -> JSONResponse:
        relayer = require_relayer(service)
        body = await read_json(request, max_body)
        return JSONResponse(await run_in_threadpool(relayer.accept, body), status_code=202)

    async def get_tip(request: Request) -> JSONResponse:
        relayer = require_relayer(service)
        tip_id = path_hash(request, "tip_id", "a tip's id")
        view = await run_in_threadpool(relayer.status, tip_id)
        if view is None:
            raise HttpError(404, f"no tip {tip_id[:80]!r} here")
        return JSONResponse(view)

    return [
        Route("/api/tips", post_tip, methods=["POST"]),
        Route("/api/tips/{tip_id}", get_tip, methods=["GET"]),
    ]
