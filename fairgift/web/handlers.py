"""How the app answers what a route raised: always the one error shape under `/api` (plain text on
a page), never a node's URL, a library's message or a stack trace (those go to the log).

- `HttpError` (the service's refusals), the relayer's `Rejected` and the API's `FairGiftError`
  (a one-line refusal: 400) as they are, unless the reason names a URL (an API key can sit in a
  hosted RPC's URL): then the detail is logged and the client reads a generic reason.
- The node not answering (a refused or timed-out connection, an HTTP error from a hosted RPC):
  503 `node_unavailable` with `Retry-After`; one line in the log.
- Starlette's own 404/405 in the one shape; a client gone mid-body: nothing to answer.
- Anything else is a bug: 500 with no detail, the stack trace in the log.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

from fairgift.errors import FairGiftError
from fairgift.relayer import Rejected
from fairgift.web.http import NODE_FAILURES, HttpError, from_rejected, node_failure

log = logging.getLogger("fairgift.web")

NODE_RETRY_AFTER = 5  # seconds: a node restarting or a hosted RPC's rate window


def answer(request: Request, error: HttpError) -> Response:
    if not request.url.path.startswith("/api"):
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        return PlainTextResponse(error.reason, status_code=error.status, headers=headers)
    return error.response()


def unavailable(request: Request, exc: BaseException) -> Response:
    log.warning(
        "%s %s: the node did not answer: %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        " ".join(str(exc).split())[:500],
    )
    reason = "the blockchain node is not answering; try again shortly"
    return answer(request, HttpError(503, reason, "node_unavailable", retry_after=NODE_RETRY_AFTER))


def public(request: Request, error: HttpError) -> Response:
    """`error` as the client may read it: a reason naming a URL is logged and replaced."""
    if "://" in error.reason:
        log.warning("%s %s: %s (not shown to the client)", request.method, request.url.path, error.reason)
        error = HttpError(
            error.status, "the request could not be served (the service logged why)", error.code
        )
    return answer(request, error)


async def http_error(request: Request, exc: HttpError) -> Response:
    return public(request, exc)


async def relayer_refused(request: Request, exc: Rejected) -> Response:
    return public(request, from_rejected(exc))


async def api_refused(request: Request, exc: FairGiftError) -> Response:
    """The API's one-line refusal of a request (an amount, a balance, a revert) as a 400, unless
    the node failed under it."""
    if node_failure(exc):
        return unavailable(request, exc)
    return public(request, HttpError(400, str(exc), "rejected"))


async def node_down(request: Request, exc: Exception) -> Response:
    return unavailable(request, exc)


async def starlette_error(request: Request, exc: HTTPException) -> Response:
    """Starlette's own 404 (no route) and 405 (wrong method), in the one shape under /api."""
    error = HttpError(exc.status_code, str(exc.detail))
    response = answer(request, error)
    response.headers.update(exc.headers or {})
    return response


async def client_gone(request: Request, exc: ClientDisconnect) -> Response:
    """The client left while sending its body: nothing to answer, nothing wrong with the service."""
    log.info("%s %s: the client disconnected mid-body", request.method, request.url.path)
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    if node_failure(exc):  # raised from a node failure under another library's exception
        return unavailable(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return answer(request, HttpError(500, "internal error (logged by the service)", "internal"))


HANDLERS = {
    HttpError: http_error,
    Rejected: relayer_refused,
    FairGiftError: api_refused,
    HTTPException: starlette_error,
    ClientDisconnect: client_gone,
    **{kind: node_down for kind in NODE_FAILURES},
    Exception: server_error,
}
