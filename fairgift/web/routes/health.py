"""`GET /api/health`: the chain, the deployment, the relayer's queue and the index's position."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def routes(service, views) -> list[Route]:
    def collect() -> dict:
        relayer = service.relayer
        return {
            "ok": True,
            "chainId": service.chain_id,
            # the node's head: a node that does not answer makes this a 503 (not a false "ok")
            "block": int(service.fg.chain.provider.web3.eth.block_number),
            "deployment": service.deployment,
            "contracts": dict(service.fg.record.contracts),
            "relayer": None if relayer is None else {"address": relayer.sender, "tips": relayer.stats()},
            "index": None if service.index is None else service.index.status(),
        }

    async def health(request: Request) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(collect))

    return [Route("/api/health", health, methods=["GET"])]
