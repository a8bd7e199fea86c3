"""The request-level limit in front of every route: body size, requests in flight, a rate per client
and a rate for everyone, each refusing in the one error shape with `Retry-After`.

    app = Starlette(..., middleware=[Middleware(Guard, limits=Limits())])

A pure ASGI middleware (not Starlette's `BaseHTTPMiddleware`, which buffers responses): streamed
answers pass through untouched. Refusals, before the route runs:

- 429 `rate_limited`: the client's token bucket (`client_rate` requests per second, bursts of
  `client_burst`) or everyone's (`global_rate`, bursts of twice that) is empty. A client is the
  address the service sees (an IPv6 address by its /64, what one host is given); behind
  `trusted_proxies` reverse proxies, the address the nearest of them appended to
  `X-Forwarded-For` (the entries further left are the client's own word, so never trusted).
- 503 `busy`: `max_in_flight` requests are being served; come back in a second. A live stream
  (`is_stream`: the overlay's events) is not counted: it lasts hours, and `fairgift.web.streams`
  bounds those per client and in total.
- 413 `too_large`: a declared `Content-Length` over `max_body_bytes`; a body sent without one
  (chunked) is counted as the route reads it and refused at the first byte over.

Memory stays bounded whatever the traffic: the table of clients holds at most `max_clients`
buckets, the least recently seen evicted first (an evicted client starts again with a full
bucket, which costs the service at most one burst per eviction).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.responses import PlainTextResponse

from fairgift.web.http import HttpError


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 16_384  # the largest body any endpoint takes (a signed tip is ~1.5 KB)
    max_in_flight: int = 64  # requests being served at once (the worker pool has 40 threads)
    client_rate: float = 20.0  # requests per second per client: a page asks a few per second
    client_burst: int = 60  # a page's first load and a fan typing fast fit in it
    global_rate: float = 1_000.0  # requests per second for everyone together
    max_clients: int = 10_000  # buckets kept; the least recently seen evicted first
    trusted_proxies: int = 0  # reverse proxies in front that append to X-Forwarded-For


# For measurements and tests of other things: no rate or concurrency limit (bodies still capped).
UNLIMITED = Limits(max_in_flight=10**6, client_rate=1e9, client_burst=10**9, global_rate=1e9)


class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst`; `take()` is None or the seconds
    until a token is there."""

    __slots__ = ("rate", "burst", "tokens", "at")

    def __init__(self, rate: float, burst: float, now: float):
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, now

    def take(self, now: float) -> float | None:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


class Clients:
    """Token buckets per client, at most `size` of them (least recently seen evicted)."""

    def __init__(self, rate: float, burst: float, size: int):
        self.rate, self.burst, self.size = rate, burst, size
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def take(self, key: str, now: float) -> float | None:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(self.rate, self.burst, now)
            while len(self._buckets) > self.size:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket.take(now)

    def __len__(self) -> int:
        return len(self._buckets)


def client_key(scope, trusted_proxies: int) -> str:
    """Who is asking: the peer's address, or behind `trusted_proxies` proxies the address the
    nearest one appended to X-Forwarded-For; an IPv6 address by its /64."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    address = peer
    if trusted_proxies > 0:
        forwarded = []
        for name, value in scope.get("headers") or ():
            if name == b"x-forwarded-for":
                forwarded += [part.strip() for part in value.decode("latin-1").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted_proxies:
            address = forwarded[-trusted_proxies]
        elif forwarded:
            address = forwarded[0]
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class BodyTooLarge(HttpError):
    def __init__(self, limit: int):
        super().__init__(413, f"the body is over {limit} bytes", "too_large")


class Guard:
    """The pure ASGI middleware applying `limits` to every HTTP request."""

    def __init__(self, app, limits: Limits | None = None):
        self.app = app
        self.limits = limits = limits or Limits()
        self.clients = Clients(limits.client_rate, limits.client_burst, limits.max_clients)
        self.everyone = Bucket(limits.global_rate, max(1.0, 2 * limits.global_rate), time.monotonic())
        self.in_flight = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.admit(scope)
        if refusal is not None:
            await respond(refusal, scope, receive, send)
            return
        if is_stream(scope):  # hours long: bounded by `fairgift.web.streams`, not counted here
            await self.app(scope, self.capped(receive), send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, self.capped(receive), send)
        finally:
            self.in_flight -= 1

    def admit(self, scope) -> HttpError | None:
        limits = self.limits
        now = time.monotonic()
        # (the event loop's thread is the only one touching the buckets: no lock)
        wait = self.clients.take(client_key(scope, limits.trusted_proxies), now)
        if wait is not None:
            return HttpError(429, "too many requests from your address; slow down", retry_after=seconds(wait))
        wait = self.everyone.take(now)
        if wait is not None:
            reason = "the service is taking too many requests; try again shortly"
            return HttpError(429, reason, retry_after=seconds(wait))
        if self.in_flight >= limits.max_in_flight and not is_stream(scope):
            return HttpError(503, "the service is busy; try again in a moment", "busy", retry_after=1)
        for name, value in scope.get("headers") or ():
            if name == b"content-length":
                text = value.decode("latin-1").strip()
                if not text.isdigit():
                    return HttpError(400, "a malformed Content-Length")
                if int(text) > limits.max_body_bytes:
                    return HttpError(413, f"the body is {text[:20]} bytes; at most {limits.max_body_bytes}")
        return None

    def capped(self, receive):
        """`receive` refusing a body longer than the limit, whether or not it was declared."""
        limit, seen = self.limits.max_body_bytes, 0

        async def guarded():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return guarded


def is_stream(scope) -> bool:
    """A long-lived stream (the overlay's server-sent events), not a request that ends."""
    path = scope.get("path", "")
    return path.startswith("/overlay/") and path.endswith("/events")


def seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


async def respond(error: HttpError, scope, receive, send) -> None:
    """The refusal in the one shape under /api, as plain text elsewhere (a page)."""
    if scope.get("path", "").startswith("/api"):
        response = error.response()
    else:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        response = PlainTextResponse(error.reason, status_code=error.status, headers=headers)
    await response(scope, receive, send)
