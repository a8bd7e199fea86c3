"""Durability of an accepted tip under group commit: `serve` in its own process takes signed tips
from 8 clients at once and is SIGKILLed the moment the first answers come back; every tip it
answered 202 is in the database after the kill (it was committed before its answer), whichever
group commit it was in and whatever the requests still in flight were doing. (A SIGKILL loses
what the process held, not what the kernel did: that a commit also survives a power cut is SQLite's
`synchronous=FULL`, set in `fairgift.db`.)"""

import threading

import pytest
import sqlalchemy as sa
from svc_helpers import tip_body

from fairgift.bench.harness import ServeProcess, post
from fairgift.db import Database
from fairgift.relayer.reads import ChainReader
from fairgift.relayer.store import relay_tips
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("its process reaches the chain over JSON-RPC")

CLIENTS, FANS, KILL_AFTER = 8, 40, 25


def test_tips_answered_202_survive_a_sigkill_right_after_the_answer(
    svc_deployments, svc_fg, creators, svc_new_fan, tmp_path
):
    from ape import chain

    fans = [svc_new_fan(usdc=10) for _ in range(FANS)]
    domain = ChainReader(chain.provider.web3, svc_fg.jar.address).jar_domain()
    bodies = [
        tip_body(
            fan, domain, creators[i % len(creators)].address, svc_fg.usdc.address, USDC, f"#{i}", nonce=n
        )
        for n in range(2)
        for i, fan in enumerate(fans)
    ]
    db_url = f"sqlite:///{tmp_path / 'relay.sqlite3'}"
    # no batching while the tips arrive (the kill comes first): only the intake is under test
    proc = ServeProcess(
        chain.provider.uri,
        svc_deployments,
        db_url,
        tmp_path,
        ["--no-index", "--batch-size", "500", "--batch-wait", "600", "--client-rate", "100000"]
        + ["--client-burst", "100000"],
    )
    answered: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()
    proc.start()
    try:

        def client(mine):
            for body in mine:
                if killed.is_set():
                    return
                try:
                    status, res = post(proc.url + "/api/tips", body)
                except OSError:  # killed mid-request: no answer, nothing promised
                    return
                if status == 202:
                    with lock:
                        answered.append(res["id"])
                        if len(answered) >= KILL_AFTER:
                            enough.set()

        threads = [threading.Thread(target=client, args=(bodies[c::CLIENTS],)) for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        assert enough.wait(120), proc.log_text()[-3000:]
        proc.kill()  # SIGKILL, requests still in flight: no shutdown, no flush
        with lock:
            promised = list(answered)
        killed.set()
        for thread in threads:
            thread.join(60)
    finally:
        proc.kill()
    assert len(promised) >= KILL_AFTER
    db = Database(db_url)
    with db.read() as conn:
        stored = {row.id for row in conn.execute(sa.select(relay_tips.c.id))}
    db.dispose()
    assert set(promised) <= stored, set(promised) - stored
    # the kill came while tips were still flowing: not all of them were taken
    assert len(stored) < len(bodies)
