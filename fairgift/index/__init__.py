"""The index: every FairGift event of a deployment in one database, kept current with the chain.

    from fairgift.index import open_index
    index = open_index(fg)                 # fg: a FairGift (or a deployment record)
    index.sync(progress=print)             # catch up to the head (what `ape run fairgift index` does)
    index.source().events(["Tipped"], creator=ava)

The schema (`schema.py`) and the queries are SQLAlchemy Core: SQLite by default
(`.local/fairgift.sqlite3`, WAL), PostgreSQL given `FAIRGIFT_DB_URL`. The follower that keeps it
current is a Silverback bot (`fairgift.index.follow`, `bots/index.py`).

`current_source(fg)` is the index's event source for `fg`'s deployment when an index of it exists
and is current, else None (the caller then scans the chain). It is the index's registration point:
a program whose readers should use the index hands it to `fairgift.events` with
`events.set_index_finder(current_source)` (`scripts/fairgift.py`, the console's extras, the
services' tests do); `fairgift.events` never imports the index.
"""

from __future__ import annotations

import logging
import threading

from fairgift.db import Database, database_url, deployment_key
from fairgift.index.index import Index, IndexSource, SyncResult

__all__ = [
    "Database",
    "Index",
    "IndexSource",
    "SyncResult",
    "current_source",
    "open_index",
]

log = logging.getLogger("fairgift.index")

_open: dict[tuple[str, str], Index] = {}
_databases: dict[str, Database] = {}
_guard = threading.Lock()


def _database(url: str | None, create: bool) -> Database | None:
    url = database_url(url)
    with _guard:
        if url not in _databases:
            if not create and url.startswith("sqlite:///"):
                from pathlib import Path

                if not Path(url.split("///", 1)[1]).is_file():
                    return None  # never indexed here: do not create an empty database as a side effect
            _databases[url] = Database(url)
        return _databases[url]


def open_index(fg, db_url: str | None = None, *, confirmations: int = 0, chunk_blocks: int = 2_000) -> Index:
    """The index of `fg`'s deployment in the database at `db_url` (default: $FAIRGIFT_DB_URL or
    the embedded SQLite), creating the tables if needed."""
    record = getattr(fg, "record", fg)
    db = _database(db_url, create=True)
    index = Index(
        db,
        record,
        confirmations=confirmations,
        chunk_blocks=chunk_blocks,
        project=getattr(fg, "project", None),
    )
    with _guard:
        _open[(db.url, index.key)] = index
    return index


def current_source(fg, db_url: str | None = None) -> IndexSource | None:
    """The index source for `fg`'s deployment when the index exists and is current, else None."""
    import sqlalchemy as sa

    record = getattr(fg, "record", fg)
    try:
        db = _database(db_url, create=False)
        if db is None or not sa.inspect(db.engine).has_table("index_state"):
            return None
        key = deployment_key(record)
        with _guard:
            index = _open.get((db.url, key))
        if index is None:
            # a reader: the tables exist (checked above), and a read never creates any
            index = Index(db, record, project=getattr(fg, "project", None), create=False)
            with _guard:
                _open[(db.url, key)] = index
        return index.source() if index.is_current() else None
    except Exception as err:  # noqa: BLE001 - an unreachable or broken index must never break a reader
        log.warning("index not used (%s); scanning the chain instead", err)
        return None
