"""No internals to a client: `ape run fairgift serve` reaches its node through a URL holding an API
key (as a hosted RPC's does); when that node stops answering, every endpoint answers a 4xx or a
503 with a generic reason and `Retry-After`, never the URL, the key or a library's message (those
go to the log). And path parameters are bounded: a malformed one is a 400, not a node call."""

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from svc_http import raw

from fairgift.bench.harness import ServeProcess

pytestmark = pytest.mark.anvil_only("the service runs in its own process, reaching the chain over JSON-RPC")

SECRET = "SECRETKEY0123456789"


class NodeProxy:
    """A JSON-RPC endpoint at http://127.0.0.1:<port>/v3/<SECRET> passing every call to the node;
    `close()` stops it and frees the port (then nothing answers there)."""

    def __init__(self, node_uri: str):
        target = node_uri

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                req = urllib.request.Request(target, body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=30) as res:
                    answer = res.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_address[1]}/v3/{SECRET}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def behind_proxy(svc_fg, svc_deployments, tmp_path_factory):
    from ape import chain

    proxy = NodeProxy(chain.provider.uri)
    folder = tmp_path_factory.mktemp("node-down")
    args = ["--no-index", "--client-rate", "1000", "--client-burst", "1000"]
    proc = ServeProcess(proxy.uri, svc_deployments, f"sqlite:///{folder / 'db.sqlite3'}", folder, args)
    proc.start()
    try:
        yield proc, proxy
    finally:
        proc.kill()
        proxy.close()


def test_path_parameters_are_bounded(behind_proxy, creators):
    proc, _ = behind_proxy
    creator = creators[0].address
    for path in (
        "/api/tx/0x1234",
        "/api/tx/" + "0x" + "zz" * 32,
        "/api/tx/" + "0x" + "ab" * 200,
        "/api/tips/" + "x" * 500,
        f"/api/creators/{'a' * 500}",
        f"/api/creators/{creator}/tips?before=1:2:3",
        f"/api/creators/{creator}/tips?before=" + "9" * 30,
        f"/api/quote/tip?creator={creator}&amount=" + "1" * 300,
    ):
        status, _, answer = raw(proc.url, [f"GET {path} HTTP/1.1"])
        assert status in (400, 404), (path, answer)
        assert set(answer) == {"error", "code"} and len(answer["error"]) < 200, (path, answer)
    status, _, answer = raw(proc.url, ["GET /api/tx/" + "0x" + "ab" * 32 + " HTTP/1.1"])
    assert status == 200 and answer["status"] == "pending", answer


def test_a_dead_node_is_a_503_without_its_url(behind_proxy, creators):
    proc, proxy = behind_proxy
    creator = creators[0].address
    status, _, answer = raw(proc.url, ["GET /api/health HTTP/1.1"])
    assert status == 200, answer
    proxy.close()  # the node's URL now answers nothing
    tip = json.dumps({"creator": creator, "amount": "1", "message": "hi"}).encode()
    requests = [
        ("GET", "/api/health", None),
        ("GET", "/api/relayer", None),
        ("GET", f"/api/creators/{creator}", None),
        ("GET", f"/api/creators/{creator}/tips", None),
        ("GET", "/api/creators", None),
        ("GET", f"/api/quote/tip?creator={creator}&amount=1", None),
        ("GET", "/api/tx/0x" + "ab" * 32, None),
        ("POST", "/api/prepare/tip", tip),
        ("POST", "/api/explain", b'{"data": "0x"}'),
        ("POST", "/api/tips", json.dumps({"chainId": 31337, "tip": {}}).encode()),
        ("GET", f"/c/{creator}", None),
        ("GET", "/", None),
    ]
    for method, path, body in requests:
        lines = [f"{method} {path} HTTP/1.1"]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        status, headers, answer = raw(proc.url, lines, body or b"")
        text = json.dumps(answer)
        assert SECRET not in text and proxy.uri.split("/v3")[0] not in text, (path, text)
        assert "Traceback" not in text and "requests." not in text, (path, text)
        assert status < 500 or status == 503, (path, status, text)
        if status == 503:
            assert int(headers["retry-after"]) >= 1, (path, headers)
            if path.startswith("/api"):
                assert answer["code"] == "node_unavailable", (path, answer)
    assert raw(proc.url, ["GET /api/health HTTP/1.1"])[0] == 503
    assert proc.alive()
    log = proc.log_text()
    assert "the node did not answer" in log  # the detail is in the log, for the operator
    assert "Traceback" not in log  # an outage, not a bug: one line per request
