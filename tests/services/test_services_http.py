"""Hostile bodies and parameters over real HTTP against `ape run fairgift serve` in its own process
(the process whose recursion limit a dependency raises very high): every endpoint reads JSON through
one reader, so each request here is a 4xx in the one error shape, and the process keeps serving."""

import json
import select
import socket
from urllib.parse import urlsplit

import pytest

from fairgift.bench.harness import ServeProcess, get

pytestmark = pytest.mark.anvil_only("the service runs in its own process, reaching the chain over JSON-RPC")

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def served(svc_fg, svc_deployments, tmp_path_factory):
    from ape import chain

    folder = tmp_path_factory.mktemp("serve-http")
    proc = ServeProcess(chain.provider.uri, svc_deployments, f"sqlite:///{folder / 'db.sqlite3'}", folder)
    proc.start()
    try:
        yield proc
    finally:
        proc.kill()


def send(url: str, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
    """One request on its own connection; (status, the decoded JSON answer or None). The body is
    sent in chunks and sending stops as soon as the service answers (a service that refuses a
    large body answers before reading it, then closes). Raises ConnectionError when the process
    answers nothing (it died on the request)."""
    parts = urlsplit(url)
    head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if body is not None:
        head.append(f"Content-Length: {len(body)}")
    if content_type is not None:
        head.append(f"Content-Type: {content_type}")
    raw = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            for start in range(0, len(body or b""), 65_536):
                if select.select([sock], [], [], 0)[0]:
                    break  # the answer is there: the rest of the body is not wanted
                sock.sendall(body[start : start + 65_536])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the service closed after answering; the answer is read below
        try:
            while chunk := sock.recv(65_536):
                raw += chunk
        except ConnectionResetError:
            pass
    if not raw:
        raise ConnectionError(f"no answer to {method} {path[:60]}")
    head_text, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head_text.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head_text.lower():
        payload = dechunk(payload)
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, None


def dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def digits(n: int) -> str:
    return "9" * n


HOSTILE = [
    # (id, method, path, body, content type, status)
    ("300,000 nested [", "POST", "/api/prepare/tip", b"[" * 300_000, "application/json", 413),
    ("300,000 nested [ to explain", "POST", "/api/explain", b"[" * 300_000, "application/json", 413),
    (
        "nested 100 deep, small",
        "POST",
        "/api/explain",
        b'{"data": ' + b"[" * 100 + b"]" * 100 + b"}",
        "application/json",
        400,
    ),
    (
        "8 MiB body",
        "POST",
        "/api/explain",
        json.dumps({"data": "0x" + "00" * (4 * MiB)}).encode(),
        "application/json",
        413,
    ),
    (
        "8 MiB of spaces after a tip",
        "POST",
        "/api/prepare/tip",
        json.dumps({"creator": "CREATOR", "amount": "1"}).encode() + b" " * (8 * MiB),
        "application/json",
        413,
    ),
    ("text/plain", "POST", "/api/prepare/tip", b'{"creator": "CREATOR"}', "text/plain", 415),
    ("form", "POST", "/api/explain", b"data=0x00", "application/x-www-form-urlencoded", 415),
    ("no content type", "POST", "/api/explain", b'{"data": "0x00"}', None, 415),
    ("no content type, tips", "POST", "/api/tips", b"{}", None, 415),
    (
        "5,000-digit integer",
        "POST",
        "/api/prepare/gift",
        f'{{"creator": "CREATOR", "gift": 1, "max_amount": {digits(5000)}}}'.encode(),
        "application/json",
        400,
    ),
    (
        "5,000-digit integer to tips",
        "POST",
        "/api/tips",
        f'{{"chainId": {digits(5000)}}}'.encode(),
        "application/json",
        400,
    ),
    (
        "5,000-digit string gift",
        "GET",
        f"/api/quote/gift?creator=CREATOR&gift={digits(5000)}",
        None,
        None,
        400,
    ),
    ("superscript gift id", "GET", "/api/quote/gift?creator=CREATOR&gift=%C2%B2", None, None, 400),
    ("NaN", "POST", "/api/explain", b'{"data": NaN}', "application/json", 400),
    ("?limit=abc", "GET", "/api/creators/CREATOR/tips?limit=abc", None, None, 400),
    ("?limit=-1", "GET", "/api/creators/CREATOR/tips?limit=-1", None, None, 400),
    ("?limit=1e3", "GET", "/api/creators/CREATOR/tips?limit=1e3", None, None, 400),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_request_is_a_4xx_in_the_one_shape(
    served, creators, method, path, body, content_type, status
):
    if not served.alive():  # a request before this one killed it (the old code): judge this one alone
        served.start()
    creator = creators[0].address
    path = path.replace("CREATOR", creator)
    if body is not None:
        body = body.replace(b"CREATOR", creator.encode())
    got, answer = send(served.url, method, path, body, content_type)
    assert got == status, answer
    assert isinstance(answer, dict) and set(answer) == {"error", "code"}, answer
    assert answer["error"] and "\n" not in answer["error"] and len(answer["error"]) < 200
    assert "Traceback" not in answer["error"] and "http://" not in answer["error"]
    # the process is alive and answers the next request
    assert served.alive() and get(served.url + "/api/health")[0] == 200


def test_the_same_requests_well_formed_are_served(served, creators):
    """The reader refuses only what is hostile: the same endpoints answer well-formed requests."""
    creator = creators[0].address
    got, answer = send(served.url, "GET", f"/api/creators/{creator}/tips?limit=5")
    assert got == 200 and answer == {"items": [], "more": False}
    got, answer = send(
        served.url, "POST", "/api/explain", b'{"data": "0x"}', "application/json; charset=utf-8"
    )
    assert got == 200 and answer["code"] == "reverted"
    log = served.log_text()
    assert "Traceback" not in log


def test_the_reader_refuses_deep_nesting_without_recursing():
    """Past the size cap too (a service configured with a larger one): 300,000 `[` are refused by a
    loop, under a recursion limit as high as the serving process runs with, before any parsing."""
    import sys

    from fairgift.web.http import MAX_DEPTH, HttpError, parse_json

    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved, 1_000_000))
    try:
        for body in (b"[" * 300_000, b'{"a": ' * 300_000, b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)):
            with pytest.raises(HttpError) as refused:
                parse_json(body)
            assert refused.value.status == 400 and "nested deeper than" in refused.value.reason
        # brackets inside strings are text, not nesting
        assert parse_json(b'{"m": "' + b"[" * 1000 + b'\\" ]"}') == {"m": "[" * 1000 + '" ]'}
        value, depth = parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH), 1  # the deepest allowed
        while value:
            value, depth = value[0], depth + 1
        assert value == [] and depth == MAX_DEPTH
    finally:
        sys.setrecursionlimit(saved)
