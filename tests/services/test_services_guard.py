"""The request-level limit over real HTTP: a client over its rate, everyone over the global rate, too
many requests in flight, a body over the cap sent chunked (no Content-Length); each refused in the
one shape with `Retry-After`, and ordinary traffic served. Also through `ape run fairgift serve`'s
options."""

import socket
import time
from urllib.parse import urlsplit

import pytest
from svc_http import parse, raw

from fairgift.bench.harness import ServeProcess, get, serving
from fairgift.web.app import create_app
from fairgift.web.guard import Clients, Limits

LOOSE = dict(client_rate=1000.0, client_burst=1000, global_rate=1000.0)


def health(url: str, forwarded: str | None = None):
    lines = ["GET /api/health HTTP/1.1"] + ([f"X-Forwarded-For: {forwarded}"] if forwarded else [])
    return raw(url, lines)


def refused(result, status: int, code: str):
    got, headers, answer = result
    assert got == status, answer
    assert set(answer) == {"error", "code"} and answer["code"] == code, answer
    assert int(headers["retry-after"]) >= 1
    return answer


@pytest.fixture
def limited(svc_service):
    """Serve `svc_service` over real HTTP with the given limits."""

    def start(**limits):
        svc_service.config.limits = Limits(**limits)
        return serving(create_app(svc_service))

    return start


def test_a_client_over_its_rate_gets_429_and_others_are_served(limited):
    with limited(client_rate=0.5, client_burst=3, global_rate=1000, trusted_proxies=1) as url:
        for _ in range(3):
            assert health(url, "198.51.100.7")[0] == 200
        answer = refused(health(url, "198.51.100.7"), 429, "rate_limited")
        assert "your address" in answer["error"]
        # another client is served; a spoofed left-most entry does not make a new client
        assert health(url, "198.51.100.8")[0] == 200
        refused(health(url, "10.9.9.9, 198.51.100.7"), 429, "rate_limited")
        # an IPv6 client is counted by its /64
        for n in range(3):
            assert health(url, f"2001:db8::{n + 1}")[0] == 200
        refused(health(url, "2001:db8::ffff"), 429, "rate_limited")


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(limited):
    with limited(client_rate=0.5, client_burst=2, global_rate=1000) as url:
        assert health(url, "198.51.100.1")[0] == 200
        assert health(url, "198.51.100.2")[0] == 200
        refused(health(url, "198.51.100.3"), 429, "rate_limited")  # all are 127.0.0.1


def test_everyone_over_the_global_rate_gets_429(limited):
    with limited(client_rate=1000, client_burst=1000, global_rate=1, trusted_proxies=1) as url:
        served = [health(url, f"203.0.113.{n}")[0] for n in range(1, 3)]  # the burst: 2 seconds' worth
        assert served == [200, 200]
        answer = refused(health(url, "203.0.113.50"), 429, "rate_limited")
        assert "too many requests" in answer["error"]
        time.sleep(1.1)  # a token back a second later
        assert health(url, "203.0.113.51")[0] == 200


def test_too_many_in_flight_gets_503_and_the_rest_is_served(limited):
    """Two requests stall in their bodies (chunked, never finished): the third is refused with 503
    at once; when they finish, requests are served again."""
    with limited(max_in_flight=2, **LOOSE) as url:
        parts = urlsplit(url)
        stalled = []
        for _ in range(2):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
            head = "POST /api/explain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            head += "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            sock.sendall(head.encode() + b'2\r\n{"\r\n')
            stalled.append(sock)
        time.sleep(0.3)
        answer = refused(health(url), 503, "busy")
        assert "busy" in answer["error"]
        for sock in stalled:  # finish both bodies: each is answered
            rest = b'data": "0x00"}'
            sock.sendall(f"{len(rest):x}\r\n".encode() + rest + b"\r\n0\r\n\r\n")
            data = b""
            while chunk := sock.recv(65_536):
                data += chunk
            sock.close()
            assert parse(data)[0] == 200
        assert health(url)[0] == 200


def test_a_chunked_body_over_the_cap_is_refused_while_read(limited):
    with limited(max_body_bytes=1024, **LOOSE) as url:
        chunk = b'{"data": "' + b"0" * 4000 + b'"}'
        body = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
        lines = ["POST /api/explain HTTP/1.1", "Content-Type: application/json", "Transfer-Encoding: chunked"]
        status, _, answer = raw(url, lines, body)
        assert status == 413 and answer["code"] == "too_large" and "1024" in answer["error"], answer
        # declared: refused before reading, for any route (a page's too)
        status, _, answer = raw(url, ["POST /api/explain HTTP/1.1", "Content-Length: 999999"])
        assert status == 413 and answer["code"] == "too_large"
        status, _, answer = raw(url, ["GET / HTTP/1.1", "Content-Length: 999999"])
        assert status == 413
        ok = b'{"data": "0x"}'
        lines = ["POST /api/explain HTTP/1.1", "Content-Type: application/json", f"Content-Length: {len(ok)}"]
        assert raw(url, lines, ok)[0] == 200


def test_the_table_of_clients_is_bounded():
    clients = Clients(rate=1, burst=1, size=100)
    for n in range(10_000):
        clients.take(f"client-{n}", 0.0)
    assert len(clients) == 100
    assert clients.take("client-9999", 0.0) is not None  # the newest are remembered
    assert clients.take("client-0", 0.0) is None  # the oldest were forgotten


@pytest.mark.anvil_only("the service runs in its own process, reaching the chain over JSON-RPC")
def test_serve_options_set_the_limit(svc_fg, svc_deployments, tmp_path):
    from ape import chain

    args = [
        "--no-index",
        "--no-relay",
        "--client-rate",
        "0.2",
        "--client-burst",
        "4",
        "--max-body-bytes",
        "512",
    ]
    proc = ServeProcess(
        chain.provider.uri, svc_deployments, f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, args
    )
    proc.start()
    try:
        time.sleep(5.5)  # the start's health polls took tokens: a full bucket again
        for _ in range(3):
            assert get(proc.url + "/api/health")[0] == 200
        lines = ["POST /api/explain HTTP/1.1", "Content-Type: application/json", "Transfer-Encoding: chunked"]
        body = b"400\r\n" + b" " * 1024 + b"\r\n0\r\n\r\n"
        status, _, answer = raw(proc.url, lines, body)
        assert status == 413 and "512" in answer["error"], answer
        refused(health(proc.url), 429, "rate_limited")
    finally:
        proc.kill()
    assert "Traceback" not in proc.log_text()
