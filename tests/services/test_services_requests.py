"""Bad and hostile requests to `POST /api/tips`: a 4xx with a one-line reason, nothing queued,
nothing sent, and the service still answering afterwards."""

import json

import pytest
import sqlalchemy as sa
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from svc_helpers import permit_body, tip_body

from fairgift.relayer import RelayerConfig
from fairgift.relayer.store import relay_tips
from tests.constants import USDC


def _count(service) -> int:
    with service.db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(relay_tips)).scalar_one()


@pytest.fixture
def svc_fan(svc_new_fan):
    return svc_new_fan()


@pytest.fixture
def good(svc_fg, creators, svc_fan, svc_domain):
    """A valid body factory: overrides by keyword (tip fields re-signed)."""

    def make(**kw):
        args = dict(
            creator=creators[0].address, token=svc_fg.usdc.address, amount=USDC, message="hi", nonce=1
        )
        args.update(kw)
        return tip_body(svc_fan, svc_domain, **args)

    return make


def _refused(client, service, status, fragment, **post):
    from ape import chain

    block, before = chain.blocks.height, _count(service)
    res = client.post("/api/tips", **post)
    assert res.status_code == status, res.text
    reason = res.json()["error"]
    assert fragment in reason and "\n" not in reason
    assert _count(service) == before and chain.blocks.height == block
    assert client.get("/api/health").status_code == 200  # still serving
    return reason


def test_malformed_json(svc_client, svc_service):
    _refused(
        svc_client,
        svc_service,
        400,
        "malformed JSON",
        content=b'{"tip": ',
        headers={"content-type": "application/json"},
    )
    _refused(
        svc_client,
        svc_service,
        400,
        "malformed JSON",
        content=b"\xff\xfe",
        headers={"content-type": "application/json"},
    )
    _refused(svc_client, svc_service, 400, "JSON object", json=[1, 2, 3])
    _refused(svc_client, svc_service, 400, "missing object 'tip'", json={"chainId": 1})
    deep = "[" * 100_000 + "]" * 100_000
    _refused(
        svc_client,
        svc_service,
        413,
        "bytes",
        content=deep.encode(),
        headers={"content-type": "application/json"},
    )
    deep = "[" * 5000 + "]" * 5000  # deeper than Python's recursion limit, or not an object either way
    _refused(
        svc_client,
        svc_service,
        400,
        "",
        content=deep.encode(),
        headers={"content-type": "application/json"},
    )
    _refused(
        svc_client, svc_service, 415, "send JSON", content=b"tip=1", headers={"content-type": "text/plain"}
    )


def test_wrong_fields(svc_client, svc_service, good):
    body = good()
    for path, value, fragment in [
        (("tip", "fan"), "0x123", "tip.fan is not an address"),
        (("tip", "amount"), 1.5, "tip.amount must be an integer"),
        (("tip", "amount"), True, "tip.amount is missing"),
        (("tip", "amount"), "-3", "out of range"),
        (("tip", "amount"), str(2**256), "out of range"),
        (("tip", "amount"), "1e6", "not an integer"),
        (("tip", "message"), {"$gt": ""}, "tip.message must be a string"),
        (("tip", "message"), "\ud800", "not valid Unicode"),
        (("signature",), "0x" + "11" * 66, "64 or 65 bytes"),
        (("signature",), "zz", "0x-hex signature"),
        (("permit",), "yes", "permit must be an object"),
    ]:
        bad = json.loads(json.dumps(body))
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        _refused(
            svc_client,
            svc_service,
            400,
            fragment,
            content=json.dumps(bad).encode(),
            headers={"content-type": "application/json"},
        )


def test_wrong_chain_jar_signature(svc_fg, creators, svc_client, svc_service, good, svc_domain):
    _refused(svc_client, svc_service, 400, "wrong chain id", json=good() | {"chainId": 1})
    _refused(svc_client, svc_service, 400, "wrong jar", json=good() | {"jar": creators[1].address})
    body = good()
    body["tip"]["amount"] = str(2 * USDC)  # the fan signed 1 USDC: a relayer (or anyone) raising it
    _refused(svc_client, svc_service, 400, "bad signature", json=body)
    body = good()
    body["tip"]["creator"] = creators[1].address  # redirected to another creator
    _refused(svc_client, svc_service, 400, "bad signature", json=body)
    stranger = Account.create()
    forged = tip_body(stranger, svc_domain, creators[0].address, svc_fg.usdc.address, USDC)
    forged["tip"]["fan"] = good()["tip"]["fan"]  # signed by someone else in the fan's name
    _refused(svc_client, svc_service, 400, "bad signature", json=forged)
    # a high-s (malleable) copy of a valid signature
    body = good()
    raw = bytes.fromhex(body["signature"][2:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = n - int.from_bytes(raw[32:64], "big")
    body["signature"] = "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([55 - raw[64]])).hex()
    _refused(svc_client, svc_service, 400, "low-s", json=body)


def test_deadline_amounts_message(svc_fg, svc_client, svc_service, good):
    from ape import chain

    now = chain.blocks.head.timestamp
    _refused(svc_client, svc_service, 400, "deadline expired", json=good(deadline=now - 1))
    _refused(svc_client, svc_service, 400, "deadline too close", json=good(deadline=now + 5))
    _refused(svc_client, svc_service, 400, "above zero", json=good(amount=0))
    _refused(svc_client, svc_service, 422, "balance too low", json=good(amount=2**255))
    _refused(svc_client, svc_service, 422, "balance too low", json=good(amount=1_001 * USDC))
    _refused(svc_client, svc_service, 413, "at most 280", json=good(message="x" * 281))
    _refused(svc_client, svc_service, 413, "at most 280", json=good(message="é" * 141))  # 282 bytes
    _refused(svc_client, svc_service, 400, "not allowed", json=good(token=svc_fg.jar.address))
    _refused(svc_client, svc_service, 400, "invalid creator", json=good(creator=svc_fg.jar.address))
    big = json.dumps(good()) + " " * 20_000
    _refused(
        svc_client,
        svc_service,
        413,
        "bytes",
        content=big.encode(),
        headers={"content-type": "application/json"},
    )
    # the largest message and a message full of markup are accepted as data (control characters
    # are refused: test_control_characters_in_a_message_are_refused)
    assert svc_client.post("/api/tips", json=good(message="é" * 140)).status_code == 202
    hostile = "<script>alert(1)</script>\u202e[31m'; DROP TABLE relay_tips;--"
    res = svc_client.post("/api/tips", json=good(message=hostile, nonce=2))
    assert res.status_code == 202
    assert svc_client.get(f"/api/tips/{res.json()['id']}").json()["message"] == hostile


def test_replayed_nonce(svc_client, svc_service, good):
    assert svc_client.post("/api/tips", json=good(nonce=5)).status_code == 202
    _refused(svc_client, svc_service, 409, "already queued", json=good(nonce=5, amount=2 * USDC))
    assert svc_service.relayer.step()
    _refused(svc_client, svc_service, 409, "already used on chain", json=good(nonce=5, amount=3 * USDC))


def test_allowance_and_queued_amounts(svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain):
    poor = svc_new_fan(usdc=3, approve=False)
    body = tip_body(poor, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, nonce=0)
    _refused(svc_client, svc_service, 422, "allowance too low", json=body)
    rich = svc_new_fan(usdc=3)
    for nonce in range(3):
        body = tip_body(rich, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, nonce=nonce)
        assert svc_client.post("/api/tips", json=body).status_code == 202
    body = tip_body(rich, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, nonce=3)
    assert "with 3000000 already queued" in _refused(
        svc_client, svc_service, 422, "balance too low", json=body
    )


def test_bad_permit(svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain):
    from ape import chain

    fan = svc_new_fan(approve=False)
    token_domain = svc_service.relayer.reader.token_domain(svc_fg.usdc.address)
    deadline = chain.blocks.head.timestamp + 3600
    wrong_nonce = permit_body(fan, token_domain, svc_fg.jar.address, USDC, 7, deadline)
    body = tip_body(fan, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, permit=wrong_nonce)
    _refused(svc_client, svc_service, 400, "bad permit signature", json=body)
    small = permit_body(fan, token_domain, svc_fg.jar.address, USDC - 1, 0, deadline)
    body = tip_body(fan, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, permit=small)
    _refused(svc_client, svc_service, 422, "permit value", json=body)


def test_rate_limit_and_queue_bound(svc_fg, creators, svc_service, svc_new_fan, svc_domain):
    from starlette.testclient import TestClient

    from fairgift.web.app import create_app

    svc_service.relayer.config = RelayerConfig(fan_rate=2, max_queue=3)
    with TestClient(create_app(svc_service)) as client:
        fan, other = svc_new_fan(), svc_new_fan()

        def tip(who, n):
            return tip_body(who, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, nonce=n)

        assert client.post("/api/tips", json=tip(fan, 0)).status_code == 202
        assert client.post("/api/tips", json=tip(fan, 1)).status_code == 202
        res = client.post("/api/tips", json=tip(fan, 2))
        assert (
            res.status_code == 429
            and res.headers["retry-after"] == "60"
            and "rate limit" in res.json()["error"]
        )
        assert client.post("/api/tips", json=tip(other, 0)).status_code == 202  # another fan is not held up
        res = client.post("/api/tips", json=tip(other, 1))
        assert res.status_code == 503 and "relayer busy" in res.json()["error"] and res.headers["retry-after"]
    assert _count(svc_service) == 3


def test_unknown_tip_and_routes(svc_client):
    assert svc_client.get("/api/tips/0x" + "00" * 32).status_code == 404
    res = svc_client.get("/api/tips/'; select 1;--")  # not an id at all: the request is malformed
    assert res.status_code == 400 and res.json()["code"] == "bad_request"
    res = svc_client.get("/api/nothing-here")
    assert res.status_code == 404 and res.json() == {"error": "Not Found", "code": "not_found"}
    assert svc_client.put("/api/tips", json={}).status_code == 405


# JSON values of any shape, and bodies that look like a tip with one field made wrong
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_no_input_makes_a_500(svc_client, svc_service, good, data):
    """Random bodies (any JSON, raw bytes, a valid tip with one field replaced by any JSON value):
    always a 4xx with a one-line reason, never a 5xx; the service keeps answering."""
    kind = data.draw(st.sampled_from(["json", "bytes", "field"]))
    if kind == "json":
        res = svc_client.post("/api/tips", json=data.draw(json_values))
    elif kind == "bytes":
        raw = data.draw(st.binary(max_size=200))
        res = svc_client.post("/api/tips", content=raw, headers={"content-type": "application/json"})
    else:
        body = good(nonce=99)
        section = data.draw(st.sampled_from(["top", "tip"]))
        target = body if section == "top" else body["tip"]
        target[data.draw(st.sampled_from(sorted(target)))] = data.draw(json_values)
        res = svc_client.post("/api/tips", json=body)
    if res.status_code == 202:  # the replaced value happened to be acceptable
        return
    assert 400 <= res.status_code < 500, res.text
    reason = res.json()["error"]
    assert reason and "\n" not in reason


def test_prepare_alias_is_the_canonical_view(svc_fg, creators, svc_client, svc_new_fan):
    """`POST /api/tips/prepare` (the relayer's field names, base units) answers what
    `POST /api/prepare/tip` answers for the same tip: one view, one answer, fields of both kept."""
    fan = svc_new_fan(usdc=10, approve=False)
    alias = svc_client.post(
        "/api/tips/prepare",
        json={"fan": fan.address, "creator": creators[0].address, "amount": str(2 * USDC), "message": "hi"},
    )
    canonical = svc_client.post(
        "/api/prepare/tip",
        json={"from": fan.address, "creator": creators[0].address, "amount": "2", "message": "hi"},
    )
    assert alias.status_code == canonical.status_code == 200, (alias.text, canonical.text)
    alias, canonical = alias.json(), canonical.json()
    assert set(alias) == set(canonical) >= {"tip", "permit", "request", "sign", "submit", "mode", "fee"}
    for answer in (alias, canonical):
        del answer["tip"]["message"]["deadline"], answer["request"]["tip"]["deadline"]
        del answer["permit"]["message"]["deadline"], answer["request"]["permit"]["deadline"]
        del answer["sign"], answer["submit"], answer["now"]  # (the deadline again, and the clock)
    assert alias == canonical
    assert alias["tip"]["message"]["amount"] == str(2 * USDC) and alias["mode"] == "gasless"
    # a refusal is the one shape on both
    res = svc_client.post(
        "/api/tips/prepare", json={"fan": "0x12", "creator": creators[0].address, "amount": "1"}
    )
    assert res.status_code == 400 and set(res.json()) == {"error", "code"}


def test_control_characters_in_a_message_are_refused(svc_client, svc_service, good):
    """U+0000 (PostgreSQL refuses it in text) and the other C0 controls: 400 with the reason."""
    for ch in ("\x00", "\x07", "\x1b", "\x7f"):
        reason = _refused(svc_client, svc_service, 400, "control character", json=good(message=f"a{ch}b"))
        assert f"U+{ord(ch):04X}" in reason


def test_identical_tips_racing_get_the_idempotent_answer(svc_client, svc_service, good, monkeypatch):
    """Two identical tips posted at the same moment: both pass the intake's look-ups before
    either inserts; the second insert meets the unique key. It answers as a duplicate (202), not
    500. The race window is held open by making the look-ups miss, as they do in a real race."""
    body = good(nonce=4242)
    first = svc_client.post("/api/tips", json=body)
    assert first.status_code == 202, first.text
    intake = svc_service.relayer.intake
    real_status = intake.status
    calls = []

    def status_before_the_other_commits(tip_id):
        calls.append(tip_id)
        return None if len(calls) == 1 else real_status(tip_id)

    monkeypatch.setattr(intake, "status", status_before_the_other_commits)
    monkeypatch.setattr(svc_service.relayer.store, "nonce_holder", lambda conn, fan, nonce: None)
    again = svc_client.post("/api/tips", json=body)
    assert again.status_code == 202, again.text
    assert again.json() == {"id": first.json()["id"], "status": "queued", "duplicate": True}
    assert _count(svc_service) == 1
