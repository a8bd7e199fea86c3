"""The service's JSON API under `/api` (every error: a 4xx/5xx with `{"error": "one line"}`).

    GET  /api/health              chain, deployment, relayer queue, index position
    GET  /api/relayer             what a client needs to sign a tip for this relayer
    POST /api/tips                one signed tip (+ optional EIP-2612 permit) -> 202 {"id", "status"}
    GET  /api/tips/{id}           queued | submitted (tx) | landed (tx, block) | skipped (reason)
    POST /api/tips/prepare        the EIP-712 typed data to sign (free nonce, deadline), and a permit's
                                  typed data when the jar's allowance does not cover the tip

Request bodies are untrusted: they are size-bounded, parsed defensively, and no input can make an
endpoint answer 500 (a bug would; it is logged, and the client gets a one-line 500).
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.eip712 import TIP
from fairgift.relayer.signed_tip import Rejected, address, uint

log = logging.getLogger("fairgift.api")


def error(status: int, reason: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


async def read_json(request: Request, max_bytes: int):
    """The request's JSON body, or `Rejected` (413 too large, 415 not JSON, 400 malformed)."""
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise Rejected(415, f"send JSON (Content-Type: application/json), not {ctype[:60]!r}")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise Rejected(413, f"the body is {declared} bytes; at most {max_bytes}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise Rejected(413, f"the body is over {max_bytes} bytes")
    try:
        return json.loads(body.decode("utf8"))
    except UnicodeDecodeError:
        raise Rejected(400, "malformed JSON: the body is not UTF-8") from None
    except json.JSONDecodeError as err:
        raise Rejected(400, f"malformed JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except RecursionError:
        raise Rejected(400, "malformed JSON: nested too deeply") from None


def routes(service) -> list[Route]:
    relayer = service.relayer
    max_body = service.config.max_body_bytes

    async def health(request: Request):
        def collect():
            out = {
                "ok": True,
                "chainId": service.chain_id,
                "deployment": service.deployment,
                "contracts": dict(service.fg.record.contracts),
                "relayer": None,
                "index": None,
            }
            if relayer is not None:
                out["relayer"] = {"address": relayer.sender, "tips": relayer.stats()}
            if service.index is not None:
                out["index"] = service.index.status()
            return out

        return JSONResponse(await run_in_threadpool(collect))

    async def relayer_info(request: Request):
        if relayer is None:
            return error(404, "this service does not relay tips")

        def collect():
            cfg = relayer.config
            return {
                "chainId": relayer.chain_id,
                "jar": relayer.reader.jar,
                "relayer": relayer.sender,
                "domain": relayer.reader.jar_domain(),
                "tipType": TIP.type_string,
                "maxMessageBytes": cfg.max_message_bytes,
                "minValiditySeconds": cfg.min_validity,
                "batchSize": cfg.batch_size,
                "batchWaitSeconds": cfg.batch_wait,
                "fanRateLimit": {"tips": cfg.fan_rate, "perSeconds": cfg.rate_window},
            }

        return JSONResponse(await run_in_threadpool(collect))

    async def post_tip(request: Request):
        if relayer is None:
            return error(404, "this service does not relay tips")
        try:
            body = await read_json(request, max_body)
            result = await run_in_threadpool(relayer.accept, body)
        except Rejected as err:
            return error(err.status, err.reason, err.retry_after)
        return JSONResponse(result, status_code=202)

    async def get_tip(request: Request):
        if relayer is None:
            return error(404, "this service does not relay tips")
        tip_id = request.path_params["tip_id"].lower()
        view = await run_in_threadpool(relayer.status, tip_id)
        if view is None:
            return error(404, f"no tip {tip_id[:80]!r} here")
        return JSONResponse(view)

    async def prepare_tip(request: Request):
        if relayer is None:
            return error(404, "this service does not relay tips")
        try:
            body = await read_json(request, max_body)
            if not isinstance(body, dict):
                raise Rejected(400, "the body must be a JSON object")
            from fairgift.relayer.prepare import prepare_tip as prepare

            result = await run_in_threadpool(
                prepare,
                relayer,
                fan=address(body.get("fan"), "fan"),
                creator=address(body.get("creator"), "creator"),
                token=address(body.get("token") or str(service.fg.usdc.address), "token"),
                amount=uint(body.get("amount"), "amount"),
                message=body.get("message", ""),
                validity=uint(body.get("validitySeconds", 3600), "validitySeconds"),
            )
        except Rejected as err:
            return error(err.status, err.reason, err.retry_after)
        return JSONResponse(result)

    return [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/relayer", relayer_info, methods=["GET"]),
        Route("/api/tips", post_tip, methods=["POST"]),
        Route("/api/tips/prepare", prepare_tip, methods=["POST"]),
        Route("/api/tips/{tip_id}", get_tip, methods=["GET"]),
    ]
