"""The one way in and the one way out of `/api`: a JSON body reader, query parameters, one error.

Every endpoint reads its body with `read_json` and its query parameters with `query_int` /
`query_text`, and every refusal is an `HttpError`, answered as one JSON shape:

    {"error": "<one line a person can act on>", "code": "<machine-readable>", ...extra}

with a 4xx status (and `Retry-After` where the client should come back later). `extra` carries
what a client needs to recover (a 409's fresh `quote`). The relayer refuses with its own
`Rejected(status, reason)` (it sits below the web and knows nothing of HTTP responses);
`from_rejected` turns it into an `HttpError` in one place.

The body reader never hands the parser something that could hurt the process: the size is capped
before reading on (413), the content type must be JSON (415: a form or `text/plain` post from
another site is refused, so a visitor's browser cannot be made to send one), nesting deeper than
`MAX_DEPTH` is refused by a scan that does not recurse (400: the process runs with a very high
recursion limit, raised by a dependency, so the parser's own RecursionError would come too late,
as a crashed stack), and integers longer than a uint256 are refused (400) before Python converts
them (a 5,000-digit integer otherwise raises from deep inside the parser).
"""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_DEPTH = 32  # the deepest body any endpoint takes is 3 levels; 32 leaves room for clients
MAX_INT_DIGITS = 78  # 2**256 - 1 has 78 digits: every integer the contracts take fits
# One reason per status for errors raised without a code of their own (and Starlette's 404/405).
STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "rejected",
    429: "rate_limited",
    503: "unavailable",
}
# Strings (with their escapes) and the four bracket characters: the only tokens nesting depends on.
_NESTING = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def node_failures() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the node did not answer", whichever library raised them."""
    import requests
    from ape.exceptions import ProviderNotConnectedError, RPCTimeoutError
    from web3.exceptions import CannotHandleRequest, ProviderConnectionError

    return (
        requests.exceptions.RequestException,
        ProviderNotConnectedError,
        RPCTimeoutError,
        ProviderConnectionError,
        CannotHandleRequest,  # web3: no provider answered (it wraps the connection error)
        ConnectionError,
        TimeoutError,
    )


NODE_FAILURES = node_failures()


def node_failure(exc: BaseException | None) -> bool:
    """`exc`, or an exception it was raised from, is the node not answering (answered 503)."""
    seen = 0
    while exc is not None and seen < 16:
        if isinstance(exc, NODE_FAILURES):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class HttpError(Exception):
    """A request the service refuses: `status` (4xx), `reason` (one line), `code` (for scripts),
    `retry_after` (seconds, or None) and `extra` fields for the client."""

    def __init__(
        self, status: int, reason: str, code: str | None = None, retry_after: int | None = None, **extra
    ):
        self.status = int(status)
        self.reason = " ".join(str(reason).split())
        super().__init__(self.reason)
        self.code = code or STATUS_CODES.get(self.status, "error")
        self.retry_after = retry_after
        self.extra = extra

    def body(self) -> dict:
        return {"error": self.reason, "code": self.code, **self.extra}

    def response(self) -> JSONResponse:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after else None
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


def from_rejected(err, code: str | None = None) -> HttpError:
    """The relayer's `Rejected(status, reason, retry_after)` as the service's one error."""
    return HttpError(err.status, err.reason, code, err.retry_after)


def check_depth(body: bytes, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` without parsing it (a loop, not a recursion)."""
    depth = 0
    for match in _NESTING.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise HttpError(400, f"malformed JSON: nested deeper than {limit} levels")
        elif token in (b"]", b"}"):
            depth -= 1


def _parse_int(text: str) -> int:
    digits = text.lstrip("-")
    if len(digits) > MAX_INT_DIGITS:
        raise HttpError(400, f"malformed JSON: an integer of {len(digits)} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _parse_constant(name: str):
    raise HttpError(400, f"malformed JSON: {name} is not a number JSON allows")


def parse_json(body: bytes):
    """Bytes to JSON values, or `HttpError(400)`; depth and integer size bounded."""
    check_depth(body)
    try:
        text = body.decode("utf8")
    except UnicodeDecodeError:
        raise HttpError(400, "malformed JSON: the body is not UTF-8") from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_parse_constant)
    except json.JSONDecodeError as err:
        raise HttpError(400, f"malformed JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except (RecursionError, ValueError):  # the scan bounds both; kept so no parser error is a 500
        raise HttpError(400, "malformed JSON") from None


async def read_json(request: Request, max_bytes: int, *, want_object: bool = True):
    """The request's JSON body (a JSON object unless `want_object` is False), or `HttpError`:
    415 not JSON, 413 larger than `max_bytes` (read no further), 400 malformed or too deep."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        shown = repr(ctype[:60]) if ctype else "no content type"
        raise HttpError(415, f"send JSON (Content-Type: application/json), not {shown}")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise HttpError(413, f"the body is {declared} bytes; at most {max_bytes}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise HttpError(413, f"the body is over {max_bytes} bytes")
    value = parse_json(bytes(body))
    if want_object and not isinstance(value, dict):
        raise HttpError(400, "the body must be a JSON object")
    return value


HASH = re.compile(r"0x[0-9a-fA-F]{64}")


def path_hash(request: Request, name: str, what: str) -> str:
    """A 32-byte hash path parameter (0x + 64 hex digits), lower-case, or 400."""
    value = request.path_params[name]
    if not HASH.fullmatch(value):
        raise HttpError(400, f"not {what}: expected 0x and 64 hex digits, not {value[:20]!r}")
    return value.lower()


def path_text(request: Request, name: str, max_chars: int = 100) -> str:
    """A path parameter of at most `max_chars` characters, or 400."""
    value = request.path_params[name]
    if len(value) > max_chars:
        raise HttpError(400, f"the {name} in the path is longer than {max_chars} characters")
    return value


def query_text(request: Request, name: str, default: str = "", max_chars: int = 200) -> str:
    value = request.query_params.get(name)
    if value is None:
        return default
    if len(value) > max_chars:
        raise HttpError(400, f"?{name} is longer than {max_chars} characters")
    return value


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high] (an empty one is the default), or 400."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise HttpError(400, f"?{name} must be a whole number from {low} to {high}, not {text[:20]!r}")
    value = int(text)
    if not low <= value <= high:
        raise HttpError(400, f"?{name} must be from {low} to {high}, not {value}")
    return value
