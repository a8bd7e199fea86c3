"""Exactly once, in process: the relayer "crashes" (an exception at a crash point, then a fresh
Relayer on the same database, as after a restart) before broadcast, after broadcast, and with its
transaction's nonce taken by another; every tip ends landed once or skipped with a reason, and
the relayer never sends two transactions for one tip. Also permits (a fan with no gas and no
approval), pre-checks that save gas, and outcomes read from the receipt."""

from dataclasses import replace

import pytest
import sqlalchemy as sa
from eth_account import Account
from svc_helpers import approve_jar, send_as, sign_typed, tip_body

from fairgift.relayer import Relayer, faults
from fairgift.relayer.store import relay_tips, relay_txs
from tests.constants import USDC


class Crash(Exception):
    pass


@pytest.fixture(autouse=True)
def _one_batch_for_a_fans_tips(svc_service):
    """These tests follow one fan's several tips through one batch (exactly once, crashes,
    outcomes): the per-fan cap of a batch (1 by default, tested in test_services_simulate) is
    raised for them."""
    svc_service.relayer.config = replace(svc_service.relayer.config, fan_per_batch=10)


@pytest.fixture
def crash_at(monkeypatch):
    def arm(name):
        def point(reached):
            if reached == name:
                raise Crash(name)

        monkeypatch.setattr(faults, "point", point)

    return arm


def restart(service):
    """A new relayer process on the same database (the crashed one's lease is its own holder)."""
    old = service.relayer
    service.relayer = Relayer(service.db, service.deployment, old.jar, old.account, old.config)
    with service.db.write() as conn:
        conn.execute(sa.text("DELETE FROM relay_leases"))  # the crashed process is gone
    return service.relayer


def drain(relayer, limit=10):
    for _ in range(limit):
        relayer.reconcile()
        if not relayer.step():
            return
    raise AssertionError("the relayer kept finding work")


def rows(service, table):
    with service.db.read() as conn:
        return conn.execute(sa.select(table)).all()


def queue_tips(client, fan, domain, creators, fg, n, first_nonce=0):
    ids = []
    for i in range(n):
        creator = creators[i % len(creators)].address
        body = tip_body(
            fan, domain, creator, fg.usdc.address, (i + 1) * USDC, f"tip {i}", nonce=first_nonce + i
        )
        res = client.post("/api/tips", json=body)
        assert res.status_code == 202, res.text
        ids.append(res.json()["id"])
    return ids


def credits(fg, creators):
    return [int(fg.jar.balanceOf(c, fg.usdc)) for c in creators]


def assert_landed_once(service, fg, creators, before, ids):
    tips = {r.id: r for r in rows(service, relay_tips)}
    assert all(tips[i].status == "landed" for i in ids), [(tips[i].status, tips[i].reason) for i in ids]
    fee_bps = int(fg.jar.feeBps())
    expected = [0] * len(creators)
    for i in ids:
        t = tips[i]
        amount = int(t.amount)
        expected[[c.address for c in creators].index(t.creator)] += amount - amount * fee_bps // 10_000
        assert fg.jar.isNonceUsed(t.fan, int(t.nonce))
    assert [a - b for a, b in zip(credits(fg, creators), before, strict=True)] == expected
    mined = [tx for tx in rows(service, relay_txs) if tx.status == "mined" and tx.kind == "batch"]
    assert sum(tx.items for tx in mined) == len(ids)  # each tip in exactly one mined transaction


@pytest.mark.parametrize("point", ["batch-recorded", "batch-sent", "batch-mined"])
def test_crash_then_restart(
    svc_fg, creators, point, crash_at, svc_client, svc_service, svc_new_fan, svc_domain
):
    fan = svc_new_fan()
    before = credits(svc_fg, creators)
    ids = queue_tips(svc_client, fan, svc_domain, creators, svc_fg, 4)
    crash_at(point)
    with pytest.raises(Crash):
        svc_service.relayer.step()
    txs = rows(svc_service, relay_txs)
    assert len(txs) == 1 and txs[0].status in ("recorded", "sent")
    crash_at("nothing")
    drain(restart(svc_service))
    txs = rows(svc_service, relay_txs)
    assert len(txs) == 1 and txs[0].status == "mined"  # the same bytes, never a second transaction
    assert_landed_once(svc_service, svc_fg, creators, before, ids)


def test_dropped_transaction_is_requeued(
    svc_fg, relayer, creators, crash_at, svc_client, svc_service, svc_new_fan, svc_domain
):
    fan = svc_new_fan()
    before = credits(svc_fg, creators)
    ids = queue_tips(svc_client, fan, svc_domain, creators, svc_fg, 3)
    crash_at("batch-recorded")
    with pytest.raises(Crash):
        svc_service.relayer.step()
    recorded = rows(svc_service, relay_txs)[0]
    # Someone else (an operator by hand) uses the relayer account's nonce: the recorded
    # transaction can never be mined.
    relayer.transfer(relayer, 0, nonce=recorded.account_nonce)
    crash_at("nothing")
    drain(restart(svc_service))
    statuses = sorted(tx.status for tx in rows(svc_service, relay_txs))
    assert statuses == ["dropped", "mined"]
    assert_landed_once(svc_service, svc_fg, creators, before, ids)


def test_permit_gasless_fan(svc_fg, creators, svc_client, svc_service, svc_new_fan):
    """A fan with no ether and no approval: the prepared typed data, signed as a wallet would."""
    from ape import chain

    fan = svc_new_fan(usdc=10, approve=False)
    assert chain.provider.get_balance(fan.address) == 0
    before = credits(svc_fg, creators)
    res = svc_client.post(
        "/api/tips/prepare",
        json={
            "fan": fan.address,
            "creator": creators[0].address,
            "amount": str(3 * USDC),
            "message": "first!",
        },
    )
    assert res.status_code == 200, res.text
    prepared = res.json()
    # the default `permit_allowance` (20) capped at the fan's balance (10): the fan's next tips
    assert prepared["permit"] is not None and prepared["permit"]["message"]["value"] == str(10 * USDC)
    assert prepared["request"]["permit"]["value"] == str(10 * USDC)
    body = prepared["request"]
    body["signature"] = sign_typed(fan, prepared["tip"])
    body["permit"]["signature"] = sign_typed(fan, prepared["permit"])
    res = svc_client.post("/api/tips", json=body)
    assert res.status_code == 202, res.text
    drain(svc_service.relayer)
    assert svc_client.get(f"/api/tips/{res.json()['id']}").json()["status"] == "landed"
    assert [tx.kind for tx in rows(svc_service, relay_txs)] == ["permit", "batch"]
    assert chain.provider.get_balance(fan.address) == 0  # never paid gas
    fee = 3 * USDC * int(svc_fg.jar.feeBps()) // 10_000
    assert credits(svc_fg, creators)[0] - before[0] == 3 * USDC - fee
    assert svc_fg.usdc.allowance(fan.address, svc_fg.jar.address) == 7 * USDC
    # the next prepared tip takes the next nonce, and needs no permit (the allowance left covers it)
    nxt = svc_client.post(
        "/api/tips/prepare", json={"fan": fan.address, "creator": creators[0].address, "amount": str(USDC)}
    ).json()
    assert nxt["tip"]["message"]["nonce"] == "1" and nxt["permit"] is None


def test_precheck_skips_without_paying(svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain):
    fan = svc_new_fan()
    ids = queue_tips(svc_client, fan, svc_domain, creators, svc_fg, 2)
    approve_jar(svc_fg, fan, 0)  # the fan withdraws the approval after the relayer accepted the tips
    assert svc_service.relayer.step()
    assert rows(svc_service, relay_txs) == []  # nothing sent, no gas paid
    for tip_id in ids:
        view = svc_client.get(f"/api/tips/{tip_id}").json()
        assert view["status"] == "skipped" and "allowance too low at submission" in view["reason"]


def test_outcomes_from_the_receipt(
    svc_fg, creators, monkeypatch, svc_client, svc_service, svc_new_fan, svc_domain
):
    """An item the jar skips (the fan cancelled its nonce after the simulation: in front of the
    batch) ends `skipped` with the jar's reason; the others land."""
    fan = svc_new_fan()
    ids = queue_tips(svc_client, fan, svc_domain, creators, svc_fg, 3)
    batcher = svc_service.relayer.batcher
    original = batcher.simulate

    def simulate_then_cancel(token, batch_rows):
        ready = original(token, batch_rows)
        # between the simulation and the mining, the fan cancels nonce 1 (bit 1 of word 0)
        send_as(fan, svc_fg.jar.address, svc_fg.jar.invalidateNonces.encode_input(0, 0b10))
        return ready

    monkeypatch.setattr(batcher, "simulate", simulate_then_cancel)
    assert svc_service.relayer.step()
    views = [svc_client.get(f"/api/tips/{i}").json() for i in ids]
    assert [v["status"] for v in views] == ["landed", "skipped", "landed"]
    assert views[1]["reason"] == "skipped on chain: NonceUsed" and views[1]["tx"] == views[0]["tx"]
    assert svc_fg.jar.isNonceUsed(fan.address, 1)  # cancelled by the fan, not used by a tip


def test_prepare_refuses_a_zero_tip(svc_fg, creators, svc_client):
    res = svc_client.post(
        "/api/tips/prepare",
        json={"fan": Account.create().address, "creator": creators[0].address, "amount": "0"},
    )
    assert res.status_code == 400 and "above zero" in res.json()["error"]


def test_two_quick_permit_tips_both_land(svc_fg, creators, svc_client, svc_service, svc_new_fan):
    """A new fan (no gas, no approval) sends two gasless tips before either is batched: both
    prepared permits are signed over one token nonce, the second for both tips. The relayer submits
    the one covering all the fan's queued tips, so both land (before: the first, smaller, permit
    was submitted and the second tip was skipped for lack of allowance). `permit_allowance` 2.5:
    the first permit allows more than its tip but less than both (with the default, 20 capped at
    the fan's 10, both permits would be equal and the choice untested)."""
    svc_service.relayer.config = replace(
        svc_service.relayer.config, fan_per_batch=1, permit_allowance="2.5"
    )  # (fan_per_batch 1: the default)
    fan = svc_new_fan(usdc=10, approve=False)
    before = credits(svc_fg, creators)
    ids, values = [], []
    for amount in (USDC, 2 * USDC):
        prepared = svc_client.post(
            "/api/tips/prepare",
            json={"fan": fan.address, "creator": creators[0].address, "amount": str(amount)},
        ).json()
        assert prepared["permit"]["message"]["nonce"] == "0"
        values.append(int(prepared["permit"]["message"]["value"]))
        body = prepared["request"]
        body["signature"] = sign_typed(fan, prepared["tip"])
        body["permit"]["signature"] = sign_typed(fan, prepared["permit"])
        res = svc_client.post("/api/tips", json=body)
        assert res.status_code == 202, res.text
        ids.append(res.json()["id"])
    assert values == [2_500_000, 3 * USDC]  # the first exceeds its tip; the second covers both
    drain(svc_service.relayer)
    views = [svc_client.get(f"/api/tips/{i}").json() for i in ids]
    assert [v["status"] for v in views] == ["landed", "landed"], views
    assert [tx.kind for tx in rows(svc_service, relay_txs)] == ["permit", "batch", "batch"]
    assert svc_fg.usdc.allowance(fan.address, svc_fg.jar.address) == 0  # the 3-token permit was sent
    fee = int(svc_fg.jar.feeBps())
    assert (
        credits(svc_fg, creators)[0] - before[0] == 3 * USDC - USDC * fee // 10_000 - 2 * USDC * fee // 10_000
    )
