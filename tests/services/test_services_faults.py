"""Faults with real processes: `ape run fairgift serve` killed at random points (SIGKILL, and
exits at the relayer's crash points) while 200 tips flow, then restarted on the same database."""

import os
import random
import time

import sqlalchemy as sa
from svc_helpers import tip_body
from svc_process import ServiceProcess, post

from fairgift.index.db import Database
from fairgift.relayer.chain import ChainReader
from fairgift.relayer.store import relay_tips, relay_txs
from tests.constants import USDC

TIPS, FANS = 200, 20
# Each (re)start may carry one crash point: the process exits there by itself (like kill -9).
CRASH_PLANS = ["batch-recorded:2", "batch-sent:2", "batch-mined:2", "batch-settled:2"]
RANDOM_KILLS = 2


def test_relayer_killed_at_random_while_200_tips_flow(
    svc_deployments, svc_fg, creators, svc_new_fan, tmp_path
):
    from ape import chain

    seed = int(os.environ.get("FAIRGIFT_SEED") or random.randrange(2**32))
    print(f"FAIRGIFT_SEED={seed}")
    rng = random.Random(seed)
    fans = [svc_new_fan(usdc=100) for _ in range(FANS)]
    domain = ChainReader(chain.provider.web3, svc_fg.jar.address).jar_domain()
    bodies = []
    for i in range(TIPS):
        fan, creator = fans[i % FANS], creators[i % len(creators)]
        amount = USDC // 4 + rng.randrange(USDC)
        bodies.append(
            tip_body(fan, domain, creator.address, svc_fg.usdc.address, amount, f"#{i}", nonce=i // FANS)
        )
    before = [int(svc_fg.jar.balanceOf(c, svc_fg.usdc)) for c in creators]
    db_url = f"sqlite:///{tmp_path / 'relay.sqlite3'}"
    proc = ServiceProcess(
        chain.provider.uri,
        svc_deployments,
        db_url,
        tmp_path,
        ["--no-index", "--batch-size", "8", "--batch-wait", "0.3"],
    )
    plans = list(CRASH_PLANS)
    kills = {"sigkill": 0, "crash point": 0}

    def restart():
        proc.kill()  # reaps a process that exited at a crash point
        proc.start(faults=plans.pop(0) if plans else "")

    def next_kill_at():
        return time.time() + rng.uniform(0.5, 3.0)

    def keep_alive(kill_at, random_kills_left):
        if not proc.alive():
            kills["crash point"] += 1
            restart()
            return next_kill_at(), random_kills_left
        if random_kills_left and time.time() >= kill_at:
            proc.kill()
            kills["sigkill"] += 1
            restart()
            return next_kill_at(), random_kills_left - 1
        return kill_at, random_kills_left

    try:
        proc.start(faults=plans.pop(0))
        kill_at, random_kills = next_kill_at(), RANDOM_KILLS
        accepted = {}
        for i, body in enumerate(bodies):
            while i not in accepted:
                kill_at, random_kills = keep_alive(kill_at, random_kills)
                try:
                    status, res = post(proc.url + "/api/tips", body)
                except OSError:  # the process died mid-request: retry the same signed tip
                    time.sleep(0.05)
                    continue
                assert status == 202, (status, res)
                accepted[i] = res["id"]
        # Let it finish, still killing it now and then, until every tip is settled.
        db = Database(db_url, create=False)
        deadline = time.time() + 240
        while True:
            kill_at, random_kills = keep_alive(kill_at, random_kills)
            with db.read() as conn:
                open_tips = conn.execute(
                    sa.select(sa.func.count()).where(relay_tips.c.status.in_(("queued", "submitted")))
                ).scalar_one()
            if open_tips == 0 and not plans and random_kills == 0:
                break
            assert time.time() < deadline, f"{open_tips} tips still open\n{proc.log_text()[-3000:]}"
            time.sleep(0.2)
        assert proc.stop() == 0  # a clean SIGTERM shutdown
    finally:
        proc.kill()
    print(f"restarts: {proc.starts - 1} ({kills})")
    assert kills["sigkill"] == RANDOM_KILLS and kills["crash point"] == len(CRASH_PLANS)

    with db.read() as conn:
        tips = conn.execute(sa.select(relay_tips)).all()
        txs = conn.execute(sa.select(relay_txs)).all()
    assert sorted(t.id for t in tips) == sorted(accepted.values())  # each accepted tip stored once
    assert [t for t in tips if t.status != "landed"] == []
    # the jar's credits equal the landed tips
    fee_bps = int(svc_fg.jar.feeBps())
    expected = [0] * len(creators)
    for t in tips:
        amount = int(t.amount)
        expected[[c.address for c in creators].index(t.creator)] += amount - amount * fee_bps // 10_000
    after = [int(svc_fg.jar.balanceOf(c, svc_fg.usdc)) for c in creators]
    assert [a - b for a, b in zip(after, before, strict=True)] == expected
    # each tip went out in exactly one mined transaction, and no mined transaction carried a tip
    # that had already landed (the relayer never paid twice): no BatchTipSkipped at all
    mined = {tx.id: tx for tx in txs if tx.status == "mined"}
    assert all(t.batch_id in mined and t.tx == mined[t.batch_id].tx_hash for t in tips)
    assert sum(tx.items for tx in mined.values()) == TIPS
    assert not [tx for tx in txs if tx.status == "reverted"]
    tipped = skipped = 0
    for tx in mined.values():
        receipt = chain.provider.web3.eth.get_transaction_receipt(tx.tx_hash)
        for log in receipt["logs"]:
            if log["address"] == svc_fg.jar.address:
                topic = bytes(log["topics"][0])
                tipped += topic == bytes(
                    svc_fg.jar.Tipped.abi.selector_hash if False else _topic(svc_fg, "Tipped")
                )
                skipped += topic == _topic(svc_fg, "BatchTipSkipped")
    assert (tipped, skipped) == (TIPS, 0)
    db.dispose()


def _topic(fg, name) -> bytes:
    from eth_utils import keccak

    return keccak(text=getattr(fg.jar, name).abi.selector)
