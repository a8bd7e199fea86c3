"""A database written by the previous release (its DDL in schema_b96ab12.py) is brought up to
today's tables when it is opened, once, in one transaction, on SQLite and on PostgreSQL: the
relayer settles the transaction that release had sent, lands the tip it had queued, takes its
lease, and the index carries on from its cursor. A database newer than the code is refused with
one line (`serve`: one `Error:` line)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from schema_b96ab12 import statements
from svc_helpers import tip_body
from svc_servers import start_postgres

from fairgift.db import Database
from fairgift.db_schema import AddColumn, AddIndex, Schema, SchemaTooNew, fairgift_schema
from fairgift.events import ScanSource
from fairgift.index import Index
from fairgift.index import schema as index_schema
from fairgift.relayer import Relayer, RelayerConfig
from fairgift.relayer import tables as relay_tables
from tests.constants import USDC

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module")
def upgrade_pg(tmp_path_factory):
    server, _ = start_postgres(tmp_path_factory.mktemp("upgrade-pg"), "upgrade")
    yield server
    server.cleanup()


@pytest.fixture
def new_url(request, tmp_path):
    """A factory of empty databases of the test's backend (`backend` parameter)."""

    def make(backend: str) -> str:
        name = f"up_{time.monotonic_ns()}"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / name}.sqlite3"
        server = request.getfixturevalue("upgrade_pg")
        server.psql(f"CREATE DATABASE {name};")
        return server.get_uri(name)

    return make


def previous_release(url: str) -> Database:
    """A database at `url` holding the previous release's tables (none of today's changes)."""
    db = Database(url)
    with db.write() as conn:
        for statement in statements(db.engine.dialect.name):
            conn.exec_driver_sql(statement)
    return db


def shape(db: Database) -> dict:
    """Every table of the database: its columns (name, type, nullable) and its indexes' columns."""
    inspector = sa.inspect(db.engine)
    tables = {}
    for name in sorted(inspector.get_table_names()):
        columns = [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)]
        indexes = sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(name))
        tables[name] = (columns, indexes)
    return tables


def versions(db: Database) -> dict:
    with db.read() as conn:
        return dict(conn.execute(sa.select(fairgift_schema.c.owner, fairgift_schema.c.version)).all())


@pytest.mark.parametrize("backend", BACKENDS)
def test_previous_release_upgrades_to_todays_tables(backend, new_url):
    """Every table, column and index of today's code, as a fresh database has them: a change to
    the tables without its upgrade step fails here. An existing lease gets fence 1."""
    old = previous_release(new_url(backend))
    with old.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO relay_leases (sender, chain_id, holder, expires_at) VALUES ('0xA', 1, 'old:1', 0)"
        )
    assert "fence" not in [c for c, _, _ in shape(old)["relay_leases"][0]]
    old.create(index_schema.SCHEMA)
    old.create(relay_tables.SCHEMA)
    fresh = Database(new_url(backend))
    fresh.create(index_schema.SCHEMA)
    fresh.create(relay_tables.SCHEMA)
    upgraded, expected = shape(old), shape(fresh)
    assert set(upgraded) == set(expected)
    for table in expected:  # columns compared by name (ALTER TABLE appends at the end)
        assert sorted(upgraded[table][0]) == sorted(expected[table][0]), table
        assert upgraded[table][1] == expected[table][1], table
    assert versions(old) == versions(fresh) == {"index": 1, "relayer": relay_tables.SCHEMA.version}
    assert relay_tables.SCHEMA.version == 2
    with old.read() as conn:
        assert conn.exec_driver_sql("SELECT holder, fence FROM relay_leases").all() == [("old:1", 1)]
    old.dispose()
    fresh.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_table_missing_from_an_older_database_is_created_whole(backend, new_url):
    """A step on a table the database lacks is skipped; the table is then created as declared."""
    old = previous_release(new_url(backend))
    with old.write() as conn:
        conn.exec_driver_sql("DROP TABLE relay_leases")
    old.create(relay_tables.SCHEMA)
    fresh = Database(new_url(backend))
    fresh.create(relay_tables.SCHEMA)
    assert shape(old)["relay_leases"] == shape(fresh)["relay_leases"]
    assert versions(old) == {"relayer": 2}
    old.dispose()
    fresh.dispose()


@dataclass(frozen=True)
class Counted:
    """An upgrade step that counts its runs (and fails when `fail`)."""

    runs: list
    fail: bool = False

    def apply(self, conn):
        self.runs.append(1)
        if self.fail:
            raise RuntimeError("step failed")


def toy(version: int, runs: list, fail: bool = False) -> Schema:
    """An owner "toy" with one table: version 2 adds column `a` (NOT NULL, 7 in existing rows)
    and an index on it, version 3 adds `b` (then its counted step fails when `fail`)."""
    metadata = sa.MetaData()
    columns = [sa.Column("a", sa.BigInteger, nullable=False, default=7), sa.Column("b", sa.Text)]
    table = sa.Table("toy", metadata, sa.Column("id", sa.Integer, primary_key=True), *columns[: version - 1])
    steps: tuple = ()
    if version >= 2:
        index = sa.Index("ix_toy_a", table.c.a)
        steps += ((AddColumn(table, "a", default="7"), AddIndex(index), Counted(runs)),)
    if version >= 3:
        steps += ((AddColumn(table, "b"), Counted(runs, fail)),)
    return Schema("toy", metadata, upgrades=steps)


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_runs_once_in_one_transaction(backend, new_url):
    url = new_url(backend)
    runs: list = []
    Database(url).create(toy(1, runs))
    with Database(url).write() as conn:
        conn.exec_driver_sql("INSERT INTO toy (id) VALUES (1)")
    for _ in range(2):  # two processes opening it one after the other: the steps run once
        Database(url).create(toy(2, runs))
    assert runs == [1]
    db = Database(url)
    assert versions(db) == {"toy": 2}
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT id, a FROM toy").all() == [(1, 7)]
    assert shape(db)["toy"][1] == [("ix_toy_a", ("a",))]
    # version 3's second step fails: its first (ADD COLUMN b) is rolled back with it
    with pytest.raises(RuntimeError, match="step failed"):
        Database(url).create(toy(3, runs, fail=True))
    assert "b" not in [c for c, _, _ in shape(db)["toy"][0]]
    assert versions(db) == {"toy": 2}
    # a fresh database is created at the code's version without running any step
    runs.clear()
    fresh = Database(new_url(backend))
    fresh.create(toy(3, runs))
    assert runs == [] and versions(fresh) == {"toy": 3}
    assert shape(fresh)["toy"][1] == [("ix_toy_a", ("a",))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_newer_database_is_refused(backend, new_url):
    url = new_url(backend)
    Database(url).create(toy(3, []))
    db = Database(url)
    before = shape(db)
    with pytest.raises(SchemaTooNew) as refused:
        db.create(toy(2, []))
    message = str(refused.value)
    assert "toy tables are at schema version 3" in message and "up to version 2" in message
    assert "\n" not in message and url.split("@")[-1] not in message
    assert shape(db) == before and versions(db) == {"toy": 3}


@pytest.mark.parametrize("backend", BACKENDS)
def test_previous_release_database_keeps_relaying_and_indexing(
    backend, new_url, svc_fg, relayer, creators, svc_new_fan
):
    """The previous release's database with an index cursor, a batch transaction it had sent
    (tip A, mined, but the process stopped before reading the receipt), a tip it had queued
    (tip B) and its lease: today's code upgrades it, settles A, lands B, indexes on."""
    from ape import chain

    deployment = "upgrade-" + backend
    config = RelayerConfig(batch_wait=0)
    # The rows, written by today's code into a database of today's tables...
    today = Database(new_url("sqlite"))
    writer = Relayer(today, deployment, svc_fg.jar, relayer, config)
    domain = writer.reader.jar_domain()
    fan_a, fan_b = svc_new_fan(), svc_new_fan()
    token, creator = svc_fg.usdc.address, creators[0].address
    a = writer.accept(tip_body(fan_a, domain, creator, token, 2 * USDC, "sent before", nonce=0))
    assert writer.acquire_lease() and writer.step()
    landed_a = writer.status(a["id"])
    assert landed_a["status"] == "landed"
    b = writer.accept(tip_body(fan_b, domain, creator, token, 3 * USDC, "queued before", nonce=0))
    Index(today, svc_fg.record).sync()
    cursor = Index(today, svc_fg.record).state().block
    # ...copied into the previous release's tables, as that release left them
    old = previous_release(new_url(backend))
    with today.read() as src, old.write() as dst:
        for name in sa.inspect(old.engine).get_table_names():
            target = sa.Table(name, sa.MetaData(), autoload_with=dst)
            rows = [dict(r._mapping) for r in src.execute(sa.text(f"SELECT * FROM {name}"))]
            kept = [{k: v for k, v in row.items() if k in target.c} for row in rows]
            if kept:
                dst.execute(target.insert(), kept)
        # tip A's batch was sent, its receipt never read; the lease's holder is gone
        dst.exec_driver_sql("UPDATE relay_txs SET status = 'sent', block = NULL, gas_used = NULL")
        dst.execute(
            sa.text(
                "UPDATE relay_tips SET status = 'submitted', block = NULL, log_index = NULL WHERE id = :id"
            ),
            {"id": a["id"]},
        )
        dst.execute(
            sa.text("UPDATE relay_leases SET holder = 'old-release:1', expires_at = :t"),
            {"t": time.time() - 1},
        )
        if backend == "postgresql":  # rows copied with their ids: the id sequence goes on after them
            dst.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('relay_txs', 'id'), MAX(id)) FROM relay_txs"
            )
    today.dispose()
    with old.read() as conn:
        assert conn.exec_driver_sql("SELECT status FROM relay_txs").scalars().all() == ["sent"]
        assert sorted(conn.exec_driver_sql("SELECT status FROM relay_tips").scalars().all()) == [
            "queued",
            "submitted",
        ]
    old.dispose()

    db = Database(old.url)  # a new process, on the previous release's database
    relay = Relayer(db, deployment, svc_fg.jar, relayer, config)
    index = Index(db, svc_fg.record)
    assert versions(db) == {"index": 1, "relayer": 2}
    assert relay.reconcile() == 0
    assert relay.status(a["id"]) == landed_a  # settled from the chain, as it was
    assert relay.acquire_lease() and relay.lease.fence == 2  # the old lease's fence 1, raised
    assert relay.step()
    view = relay.status(b["id"])
    assert view["status"] == "landed", view
    assert svc_fg.jar.isNonceUsed(fan_b.address, 0)
    assert index.state().block == cursor
    index.sync()
    scan = ScanSource(svc_fg.record, svc_fg.project)
    head = index.state().block
    assert head >= view["block"] > cursor
    assert index.source().events(to_block=head) == scan.events(to_block=head)
    tipped = index.source().events(["Tipped"], from_block=view["block"], to_block=view["block"])
    assert [(e.args["fan"], e.args["message"]) for e in tipped] == [(fan_b.address, "queued before")]
    assert chain.provider.web3.eth.get_transaction_receipt(view["tx"])["status"] == 1
    db.dispose()


@pytest.mark.anvil_only("serve runs as its own process, reaching the chain over JSON-RPC")
def test_serve_on_a_newer_database_says_one_error_line(svc_fg, svc_deployments, tmp_path):
    from ape import chain

    from fairgift.bench.harness import ROOT, ape_env

    url = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    db = Database(url)
    db.create(relay_tables.SCHEMA)
    with db.write() as conn:
        conn.execute(fairgift_schema.update().where(fairgift_schema.c.owner == "relayer").values(version=99))
    db.dispose()
    cmd = ["ape", "run", "fairgift", "serve", "--network", "ethereum:local:node", "--db", url, "--no-index"]
    env = ape_env(chain.provider.uri, svc_deployments)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: "), done.stderr
    assert "relayer tables are at schema version 99" in errors[0]
    assert "Traceback" not in done.stdout + done.stderr
