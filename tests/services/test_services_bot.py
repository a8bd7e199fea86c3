"""The index bot (`silverback run … index`, bots/index.py) killed with SIGKILL at random moments
and restarted while tips flow (direct tips and relayed batches): in the end the index holds
exactly the chain's events, none missing, none doubled."""

import os
import random
import time

import pytest
import sqlalchemy as sa
from svc_process import BotProcess

from fairgift.batch import batch_args, sign_tip
from fairgift.db import Database
from fairgift.events import ScanSource
from fairgift.index import Index
from fairgift.index.schema import index_events
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("its processes reach the chain over JSON-RPC")

KILLS = 2


def test_index_bot_killed_while_tips_flow(
    owner, fans, creators, relayer, svc_deployments, svc_fg, svc_mock_usdc, tmp_path
):
    from ape import chain

    seed = int(os.environ.get("FAIRGIFT_SEED") or random.randrange(2**32))
    print(f"FAIRGIFT_SEED={seed}")
    rng = random.Random(seed)
    fans = fans[:2]
    for fan in fans:
        svc_mock_usdc.mint(fan, 10_000 * USDC, sender=owner)
        svc_mock_usdc.approve(svc_fg.jar, 2**256 - 1, sender=fan)
    db_url = f"sqlite:///{tmp_path / 'index.sqlite3'}"
    db = Database(db_url)
    index = Index(db, svc_fg.record)
    bot = BotProcess(chain.provider.uri, svc_deployments, db_url, tmp_path)
    nonce = int(time.time())  # batch nonces of their own (other tests used low ones)
    sent = 0

    def send_one():
        nonlocal sent, nonce
        fan, creator = fans[sent % 2], creators[sent % 2]
        if sent % 10 == 9:  # a relayed batch of 5 now and then
            deadline = chain.pending_timestamp + 3600
            items = []
            for k in range(5):
                items.append(
                    sign_tip(
                        fan, svc_fg.jar, creator, svc_fg.usdc, USDC, f"batch {sent}.{k}", nonce, deadline
                    )
                )
                nonce += 1
            svc_fg.jar.tipBatch(svc_fg.usdc, *batch_args(items), sender=relayer)
        else:
            svc_fg.jar.tip(creator, svc_fg.usdc, USDC + sent, f"tip {sent}", sender=fan)
        sent += 1

    def send_until(condition, timeout=120):
        limit = time.time() + timeout
        while not condition():
            assert time.time() < limit, bot.log_text()[-3000:]
            send_one()
            time.sleep(0.1)  # a steady flow, not a flood

    live = []
    try:
        for _ in range(KILLS):
            bot.start()
            send_until(bot.running)  # tips flow while it starts and catches up
            kill_at = time.time() + rng.uniform(0.0, 4.0)
            send_until(lambda at=kill_at: time.time() >= at)  # ...and while it follows them
            assert bot.running(), bot.log_text()[-3000:]
            bot.kill()
        bot.start()
        send_until(bot.running)
        # following live: each new block is indexed without any restart
        for _ in range(5):
            send_one()
            head = chain.blocks.head.number
            limit = time.time() + 30
            while index.state().block < head:
                assert time.time() < limit, bot.log_text()[-3000:]
                time.sleep(0.05)
            live.append(head)
        code = bot.stop()
    finally:
        bot.kill()
    assert code == 0, bot.log_text()[-2000:]
    assert "Traceback" not in bot.log_text(), bot.log_text()[-3000:]
    print(f"{sent} tips/batches sent, bot killed {KILLS} times, then followed {len(live)} blocks live")
    scan = ScanSource(svc_fg.record, svc_fg.project).events()
    indexed = index.source().events(to_block=head)
    assert indexed == [e for e in scan if e.block <= head]
    with db.read() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(index_events).where(index_events.c.deployment == index.key)
        ).scalar_one()
    assert rows == index.state().events == len([e for e in scan if e.block <= index.state().block])
    assert "catching up from block" in bot.log_text()
    db.dispose()
