"""The page's JSON endpoints take untrusted input: every bad request gets a 4xx with one line a fan
can read, never a 500, and changes nothing."""

import json
import urllib.error
import urllib.request

import pytest

HUGE = "9" * 200
BAD = [
    ("GET", "/api/creators/nobody", None, 404),
    ("GET", "/api/creators/0x0000000000000000000000000000000000000000", None, 404),
    ("GET", "/api/creators/ava/tips?before=not-a-cursor", None, 400),
    ("GET", "/api/quote/tip?creator=ava&amount=-1", None, 400),
    ("GET", f"/api/quote/tip?creator=ava&amount={HUGE}", None, 400),
    ("GET", "/api/quote/tip?creator=ava&amount=1e3", None, 400),
    ("GET", "/api/quote/tip?creator=ava&amount=%3Cscript%3E", None, 400),
    ("GET", "/api/quote/gift?creator=ava&gift=999&quantity=1", None, 400),
    ("GET", "/api/quote/gift?creator=ava&gift=1&quantity=0", None, 400),
    ("GET", "/api/quote/gift?creator=ava&gift=1&quantity=1.5", None, 400),
    ("GET", "/api/quote/sell?creator=ava&amount=1000000000", None, 400),
    ("GET", "/api/quote/swap?creator=ava&amount=1", None, 404),
    ("GET", "/api/tx/0x1234", None, 400),
    ("POST", "/api/prepare/tip", b"not json", 400),
    ("POST", "/api/prepare/tip", b"[1, 2]", 400),
    ("POST", "/api/prepare/tip", {"creator": "ava", "amount": "1"}, 400),  # no wallet address
    ("POST", "/api/prepare/tip", {"creator": "ava", "amount": "1", "from": "0x12"}, 400),
    ("POST", "/api/prepare/tip", {"creator": "ava", "amount": "1", "from": None, "message": 5}, 400),
    ("POST", "/api/prepare/gift", {"creator": "ava", "gift": 1, "from": "FAN", "max_amount": "x"}, 400),
    ("POST", "/api/prepare/gift", {"creator": "ava", "gift": 1, "from": "FAN", "max_amount": "1"}, 409),
    ("POST", "/api/prepare/buy", {"creator": "ava", "amount": "1", "from": "FAN", "quote": "1"}, 409),
    ("POST", "/api/prepare/stake", {}, 404),
    ("POST", "/api/explain", {"data": "0xzz"}, 200),
]


def _request(base, method, path, body):
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.parametrize(
    ("method", "path", "body", "status"), BAD, ids=[f"{m} {p[:40]}" for m, p, _, _ in BAD]
)
def test_bad_requests_answer_one_line(page_server, page_service, page_fan, method, path, body, status):
    if isinstance(body, dict) and body.get("from") == "FAN":
        body = {**body, "from": page_fan.address}
    block = page_service.fg.chain.blocks.head.number
    got, answer = _request(page_server, method, path, body)
    assert got == status, answer
    if status >= 400:
        assert set(answer) >= {"error", "code"}
        assert answer["error"] and "\n" not in answer["error"] and len(answer["error"]) < 300
    else:
        assert answer == {"reason": "the transaction would fail (no reason given)", "code": "reverted"}
    assert page_service.fg.chain.blocks.head.number == block  # nothing was sent
