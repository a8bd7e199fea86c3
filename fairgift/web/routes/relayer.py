"""`GET /api/relayer`: what a client needs to sign a tip for this relayer (domain, type, limits)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fairgift.eip712 import TIP
from fairgift.relayer.policy import policy_view
from fairgift.web.http import HttpError


def require_relayer(service):
    """The service's relayer, or 404 when this service does not relay tips."""
    if service.relayer is None:
        raise HttpError(404, "this service does not relay tips", "relayer_off")
    return service.relayer


def routes(service, views) -> list[Route]:
    def collect() -> dict:
        relayer = require_relayer(service)
        cfg = relayer.config
        settings = getattr(service.config, "settings", None)
        token = str(service.fg.usdc.address)
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
            "confirmations": cfg.confirmations,
            "gasPolicy": None
            if cfg.gas is None
            else {"priorityFeeGwei": str(cfg.gas.priority_gwei), "ceilingGwei": str(cfg.gas.ceiling_gwei)},
            "fanRateLimit": {"tips": cfg.fan_rate, "perSeconds": cfg.rate_window},
            # what relaying costs and what pays for it (the relayer only refuses; it never changes
            # what a fan signed): minimums in the deployment's stablecoin, with the arithmetic
            "policy": policy_view(cfg, relayer.reader.fee_bps(), relayer.reader.decimals(token)),
            "policyToken": token,
            # which network profile `serve` took its defaults from, and what an option overrode
            "network": None if settings is None else settings.as_json(),
        }

    async def relayer_info(request: Request) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(collect))

    return [Route("/api/relayer", relayer_info, methods=["GET"])]
