"""The services' database: the engine, its SQLite settings, the column types and the URL helpers.

The tables belong to their owners, which hand them over: the index declares its own
(`fairgift.index.schema`), the relayer its queue (`fairgift.relayer.tables`), each as a `Schema`
(its own `sa.MetaData`, its version and the steps from each earlier version), created or brought
up to date by `Database.create(schema)` when the owner opens the database (`fairgift.db_schema`).

The embedded default is SQLite in the project's `.local/fairgift.sqlite3` (WAL mode: readers never
wait for the writer). Given `FAIRGIFT_DB_URL` (or a `url`), the same tables and queries run on
PostgreSQL (`postgresql://user:pass@host/db`, driven by psycopg 3).

Writes go through `Database.write()`, a transaction that takes the write lock up front (SQLite
`BEGIN IMMEDIATE`), so two writers never deadlock on a lock upgrade; reads use `Database.read()`.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from fairgift.db_schema import Schema, open_schema

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE = ROOT / ".local" / "fairgift.sqlite3"
URL_ENV = "FAIRGIFT_DB_URL"

# uint256 values (amounts, nonces, deadlines) do not fit a 64-bit integer column: they are stored
# as decimal strings of at most 78 digits. Block numbers, log indexes and times are plain integers.
U256 = sa.String(78)
ADDRESS = sa.String(42)
HASH = sa.String(66)
KEY = sa.String(80)  # a deployment record's key (`deployment_key`)
DDL_LOCK_KEY = 0x46414952474946  # PostgreSQL advisory lock held while tables are created ("FAIRGIF")


class u256_sum(FunctionElement):  # noqa: N801 - a SQL function, named like one
    """`u256_sum(column)`: the exact sum of uint256 values stored as decimal text (`U256`), as
    decimal text. PostgreSQL sums NUMERIC (arbitrary precision); SQLite's SUM stops at 64 bits
    (an error past 2**63), so there it is an aggregate in Python (`_U256Sum`) registered on every
    connection."""

    type = sa.String()
    name = "u256_sum"
    inherit_cache = True


@compiles(u256_sum)
def _u256_sum_numeric(element, compiler, **kw):
    return f"CAST(SUM(CAST({compiler.process(element.clauses, **kw)} AS NUMERIC)) AS TEXT)"


@compiles(u256_sum, "sqlite")
def _u256_sum_sqlite(element, compiler, **kw):
    return f"fairgift_u256_sum({compiler.process(element.clauses, **kw)})"


class _U256Sum:
    """SQLite aggregate behind `u256_sum`: Python integers never overflow; the total goes back as
    text (SQLite integers are 64-bit)."""

    def __init__(self):
        self.total = 0

    def step(self, value):
        if value is not None:
            self.total += int(value)

    def finalize(self):
        return str(self.total)


def database_url(url: str | None = None) -> str:
    """`url`, else `$FAIRGIFT_DB_URL`, else the embedded SQLite file. `postgresql://` URLs are
    mapped to the psycopg 3 driver (the one the project pins)."""
    url = url or os.environ.get(URL_ENV) or f"sqlite:///{DEFAULT_SQLITE}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """An engine on the services' database. `Database()` opens the default store; its owners
    create their tables in it (`create(metadata)`)."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            path = self.url.split("///", 1)[1] if "///" in self.url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=8, max_overflow=8)
        self._writer = self.engine.execution_options(fairgift_write=True)
        self._created: set[str] = set()
        self._guard = threading.Lock()
        # SQLite has one writer at a time; a thread meeting the lock sleeps in SQLite's busy
        # handler (1, 2, 5, ... up to 100 ms between tries) however soon the lock is free. The
        # writers of this process queue on a Python lock instead and start the moment it is free
        # (other processes on the same file still meet SQLite's lock). Reentrant: a thread nesting
        # writes gets SQLite's own error after its timeout, as before, not a silent deadlock.
        self._write_lock = threading.RLock() if self.is_sqlite else None

    def create(self, schema: Schema) -> None:
        """Create the tables of `schema` (an owner's: the index's, the relayer's), or bring those
        of an earlier version up to it; once per owner and database. `SchemaTooNew` when the
        database was written by a newer FairGift."""
        with self._guard:
            if schema.owner in self._created:
                return
            # One creator at a time across processes: two `serve` processes starting together on a
            # fresh PostgreSQL otherwise both issue CREATE TABLE and one fails in the catalogue. The
            # write transaction is the lock on SQLite (BEGIN IMMEDIATE); PostgreSQL takes a
            # transaction-scoped advisory lock. DDL is transactional on both, so an upgrade that
            # fails half-way leaves the database as it was.
            with self.write() as conn:
                if not self.is_sqlite:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": DDL_LOCK_KEY})
                open_schema(conn, schema)
            self._created.add(schema.owner)

    @contextmanager
    def write(self):
        """A write transaction (committed on exit, rolled back on an exception)."""
        if self._write_lock is None:
            with self._writer.begin() as conn:
                yield conn
            return
        with self._write_lock, self._writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self):
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)})"


def _sqlite_pragmas(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # SQLAlchemy emits BEGIN itself (below), so the driver's implicit transactions are off.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed row (an accepted tip, a recorded transaction) survives even a power cut.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
        dbapi_conn.create_aggregate("fairgift_u256_sum", 1, _U256Sum)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("fairgift_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def deployment_key(record) -> str:
    """The rows' deployment key: the record's `key` (chain id, genesis hash, address set), so a
    restarted local chain or another deployment never mixes with this one."""
    return str(record.key)
