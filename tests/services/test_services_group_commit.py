"""Group commit (`fairgift.relayer.group_commit`): concurrent accepts share a database commit, and
each request still returns only once its own row is committed, with its own answer."""

import threading
import time

import pytest
import sqlalchemy as sa
from eth_account import Account

from fairgift.bench.rawchain import sign_tip
from fairgift.db import Database
from fairgift.relayer.signed_tip import Rejected
from fairgift.relayer.store import RelayStore, relay_tips
from fairgift.relayer.together import Together

REQUESTS = 16
SEPARATOR = b"\x11" * 32
TOKEN = "0x" + "22" * 20


def _tips(count: int):
    fans = [Account.create() for _ in range(count)]
    creator = Account.create().address
    return [
        sign_tip(bytes(fan.key), SEPARATOR, fan.address, creator, TOKEN, 10**6, f"#{i}", 0, 2**40)
        for i, fan in enumerate(fans)
    ]


def _accept_at_once(store, tips, check_of):
    """Every tip queued from its own thread (with the check `check_of(i)`), all released at the
    same moment; each thread's answer (None: queued) or exception, by tip index."""
    barrier = threading.Barrier(len(tips))
    answers: dict[int, object] = {}

    def accept(i):
        barrier.wait()
        try:
            answers[i] = store.queue_tip(f"0x{i:064x}", tips[i], None, check_of(i))
        except Exception as err:  # noqa: BLE001 - compared by the test
            answers[i] = err

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(tips))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


@pytest.fixture
def store(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'relay.sqlite3'}")
    yield RelayStore(db, "deployment")
    db.dispose()


def test_concurrent_accepts_share_commits_and_each_row_is_committed_before_its_answer(store):
    commits = []
    sa.event.listen(store.db.engine, "commit", lambda conn: commits.append(time.monotonic()))
    tips = _tips(REQUESTS)
    answered_at: dict[int, float] = {}

    def check(conn, holder):
        time.sleep(0.05)  # a slow check: the other requests arrive while the first is written

    original = store.queue_tip

    def timed(tip_id, tip, permit, check):
        answer = original(tip_id, tip, permit, check)
        answered_at[int(tip_id, 16)] = time.monotonic()
        return answer

    store.queue_tip = timed
    answers = _accept_at_once(store, tips, lambda i: check)
    assert answers == {i: None for i in range(REQUESTS)}
    with store.db.read() as conn:
        stored = conn.execute(sa.select(relay_tips.c.id, relay_tips.c.fan)).all()
    assert sorted(stored) == sorted((f"0x{i:064x}", tips[i].fan) for i in range(REQUESTS))
    # one commit per request before; now the requests that waited were written together
    assert len(commits) == store.group.transactions < REQUESTS / 2, commits
    assert store.group.together.items == REQUESTS  # what serve logs at exit (`Relayer.grouping`)
    # and no request was answered before a commit (its group's) had happened
    assert all(any(c <= at for c in commits) for at in answered_at.values())


def test_a_refusal_in_a_group_is_its_requests_alone(store):
    tips = _tips(8)

    def check_of(i):
        def check(conn, holder):
            time.sleep(0.02)  # slow: the others queue behind the first, then go as one group
            if i in (3, 6):
                raise Rejected(429, "refused for the test")

        return check

    answers = _accept_at_once(store, tips, check_of)
    assert {i for i, a in answers.items() if isinstance(a, Rejected)} == {3, 6}
    assert {i for i, a in answers.items() if a is None} == {0, 1, 2, 4, 5, 7}
    with store.db.read() as conn:
        stored = {row.fan for row in conn.execute(sa.select(relay_tips.c.fan))}
    assert stored == {tips[i].fan for i in (0, 1, 2, 4, 5, 7)}
    assert store.group.transactions < 8


def test_a_failed_group_fails_every_caller_of_it():
    started, release = threading.Event(), threading.Event()

    def handle(values):
        if values == ["first"]:
            started.set()
            release.wait(10)  # the others queue meanwhile, into one group
            return ["ok"]
        raise RuntimeError("the commit failed")

    together = Together(handle)
    answers = {}

    def call(value):
        try:
            answers[value] = together.run(value)
        except RuntimeError as err:
            answers[value] = str(err)

    first = threading.Thread(target=call, args=("first",))
    first.start()
    started.wait(10)
    others = [threading.Thread(target=call, args=(f"v{i}",)) for i in range(5)]
    for thread in others:
        thread.start()
    while together.waiting() < 5:
        time.sleep(0.005)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert answers == {"first": "ok", **{f"v{i}": "the commit failed" for i in range(5)}}
    assert (together.groups, together.items) == (2, 6)
