"""serve's node session (fairgift.node_transport): the environment's proxy settings are honoured,
read once when the session is made, and not consulted again per request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
import requests.sessions

from fairgift.node_transport import session_for

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy")


class _Node(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        out = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": "0x2a"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def node_url():
    server = HTTPServer(("127.0.0.1", 0), _Node)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def clean_env(monkeypatch):
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def _call(session, url):
    return session.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=5).json()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_proxy_is_taken_from_the_environment_once(node_url, clean_env):
    # a proxy nobody listens on: a request that goes through it fails
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    session, found = session_for(node_url)
    assert set(found.proxies) >= {"http"}
    assert "proxy for: http" in found.describe() and "127.0.0.1" not in found.describe()
    clean_env.delenv("HTTP_PROXY")  # a later change is not seen: resolved at start
    with pytest.raises(requests.exceptions.ProxyError):
        _call(session, node_url)


def test_no_proxy_is_honoured(node_url, clean_env):
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    session, found = session_for(node_url)
    assert found.proxies == {}
    assert _call(session, node_url)["result"] == "0x2a"


def test_the_environment_is_not_read_per_request(node_url, clean_env):
    session, _ = session_for(node_url)

    def consulted(*args, **kwargs):
        raise AssertionError("the environment was read for a request")

    # what a default requests.Session calls on every request (trust_env)
    clean_env.setattr(requests.sessions, "get_environ_proxies", consulted)
    clean_env.setattr(requests.sessions, "get_netrc_auth", consulted)
    for _ in range(3):
        assert _call(session, node_url)["result"] == "0x2a"
    with pytest.raises(AssertionError, match="environment was read"):
        _call(requests.Session(), node_url)  # the default session would (the old transport)
