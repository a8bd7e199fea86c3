"""Faults with real processes: `ape run fairgift serve` killed at random points (SIGKILL, and
exits at the relayer's crash points) while 200 tips flow, then restarted on the same database."""

import os
import random
import time

import pytest
import sqlalchemy as sa
from svc_helpers import tip_body

from fairgift.bench.harness import ServeProcess, post
from fairgift.db import Database
from fairgift.relayer import faults
from fairgift.relayer.reads import ChainReader
from fairgift.relayer.store import relay_tips, relay_txs
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("its processes reach the chain over JSON-RPC")

TIPS, FANS = 200, 20
# One crash point per restart, each armed for its first hit: the process exits there by itself
# (like kill -9) as soon as a batch (or the reconciliation after the previous crash) reaches it.
# With --replace-after 0, the transaction recorded before the first crash is replaced (re-signed
# with higher fees) by the reconciliation after it: the second crash comes right after the
# replacement is recorded, before it is broadcast; the third reconciliation replaces it again.
CRASH_PLANS = ["batch-recorded:1", "batch-replaced:1", "batch-sent:1", "batch-mined:1", "batch-settled:1"]
RANDOM_KILLS = 2  # then SIGKILLs at random moments of the flow (after random tips)


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
    proc = ServeProcess(
        chain.provider.uri,
        svc_deployments,
        db_url,
        tmp_path,
        # tips are posted as fast as the service takes them: the per-client limit is not tested here
        [
            "--no-index",
            "--replace-after",
            "0",
            "--batch-size",
            "8",
            "--batch-wait",
            "0.3",
            "--client-rate",
            "1000",
            "--client-burst",
            "1000",
        ],
    )
    plans = list(CRASH_PLANS)
    crashes, sigkills = [], 0
    kill_after: set[int] = set()  # tip indexes after which to SIGKILL, drawn once the plans are used

    def revive():
        """Restart a process that exited at its crash point (and check that is why it exited)."""
        while not proc.alive():
            code = proc.proc.returncode
            assert code == faults.EXIT_STATUS, f"serve died with {code}\n{proc.log_text()[-3000:]}"
            crashes.append(proc.starts)
            proc.kill()
            proc.start(faults=plans.pop(0) if plans else "")

    try:
        proc.start(faults=plans.pop(0))
        accepted = {}
        for i, body in enumerate(bodies):
            while i not in accepted:
                revive()
                try:
                    status, res = post(proc.url + "/api/tips", body)
                except OSError:  # the process died mid-request: retry the same signed tip
                    time.sleep(0.05)
                    continue
                assert status == 202, (status, res)
                accepted[i] = res["id"]
            if not plans and len(crashes) == len(CRASH_PLANS) and not kill_after and not sigkills:
                kill_after = set(rng.sample(range(i + 5, TIPS - 5), RANDOM_KILLS))
            if i in kill_after:
                proc.kill()
                sigkills += 1
                proc.start()
        revive()
        assert len(crashes) == len(CRASH_PLANS) and sigkills == RANDOM_KILLS, (crashes, sigkills)
        # Let it finish until every tip is settled.
        db = Database(db_url)
        deadline = time.time() + 240
        while True:
            assert proc.alive(), proc.log_text()[-3000:]
            with db.read() as conn:
                open_tips = conn.execute(
                    sa.select(sa.func.count()).where(relay_tips.c.status.in_(("queued", "submitted")))
                ).scalar_one()
            if open_tips == 0:
                break
            assert time.time() < deadline, f"{open_tips} tips still open\n{proc.log_text()[-3000:]}"
            time.sleep(0.2)
        assert proc.stop() == 0  # a clean SIGTERM shutdown
    finally:
        proc.kill()
    print(f"restarts: {proc.starts - 1} ({len(crashes)} at crash points, {sigkills} SIGKILLs)")
    log = proc.log_text()
    for plan in CRASH_PLANS:
        assert f"fault injected: exiting at {plan.split(':')[0]}" in log

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
