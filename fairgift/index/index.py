"""The index of one deployment: its state, and `sync()`, which keeps it current with the chain.

`Index(db, record).sync()` catches up from the last indexed block to the chain's head (less
`confirmations`), after unwinding a reorg when the chain no longer has the cursor block: see
`fairgift.index.catchup` and `fairgift.index.reorgs`. `Index.source()` is the `fairgift.events`
source that reads it (`fairgift.index.queries.IndexSource`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

import fairgift.index.catchup as catchup
import fairgift.index.reorgs as reorgs
import fairgift.index.schema as schema
import fairgift.index.stored as stored
from fairgift.db import Database, deployment_key
from fairgift.events import Event, ScanSource
from fairgift.index.catchup import SyncResult
from fairgift.index.commits import Commits
from fairgift.index.queries import IndexSource
from fairgift.index.schema import TIPS, index_features, index_state


@dataclass(frozen=True)
class State:
    block: int  # the last block indexed as final (the record's block - 1: none yet)
    hash: str | None  # its hash (None before the first chunk)
    events: int


class Index:
    """The index of one deployment in `db`."""

    def __init__(
        self,
        db: Database,
        record,
        *,
        confirmations: int = 0,
        chunk_blocks: int = 2_000,
        project=None,
        create: bool = True,
    ):
        from ape import chain

        if create:
            db.create(schema.SCHEMA)
        self.db = db
        self.record = record
        self.key = deployment_key(record)
        self.confirmations = int(confirmations)
        self.chunk_blocks = int(chunk_blocks)
        self.chain = chain
        self.web3 = chain.provider.web3
        self._project = project
        scan = self.scan
        self.project = scan.project
        self.known = scan.known
        self.indexed_args = stored.indexed_args(self.project, self.known)
        self.indexed_addresses = stored.indexed_args(self.project, self.known, only_type="address")
        self._lock = threading.Lock()
        self._again = threading.Event()
        self._has_tips = False
        self.commits = Commits()  # signalled after every sync that moved the cursor (live readers)

    @property
    def scan(self) -> ScanSource:
        """A fresh scan source for each read: a long-lived one would keep block timestamps by
        number, which a reorg changes."""
        return ScanSource(self.record, self._project)

    # ------------------------------------------------------------------ state

    def state(self) -> State:
        with self.db.read() as conn:
            row = conn.execute(sa.select(index_state).where(index_state.c.deployment == self.key)).first()
        if row is None:
            return State(self.record.block - 1, None, 0)
        return State(int(row.block), row.hash, int(row.events))

    def head(self) -> int:
        return int(self.web3.eth.block_number)

    def block_hash(self, number: int) -> str | None:
        try:
            block = self.web3.eth.get_block(number)
        except Exception:  # noqa: BLE001 - BlockNotFound: the chain is shorter now
            return None
        if block is None:
            return None
        value = block["hash"]
        return value.to_0x_hex() if hasattr(value, "to_0x_hex") else "0x" + bytes(value).hex()

    def status(self) -> dict:
        state, head = self.state(), self.head()
        return {
            "deployment": self.key,
            "block": state.block,
            "head": head,
            "behind": max(0, head - self.confirmations - state.block),
            "events": state.events,
            "confirmations": self.confirmations,
        }

    def is_current(self, max_lag: int = 5_000) -> bool:
        """True when the index has started, agrees with the chain at its cursor, and lags the
        head by at most `max_lag` blocks (the rest is scanned live by the source)."""
        state = self.state()
        if state.hash is None:
            return False
        if self.block_hash(state.block) != state.hash:
            return False
        return self.head() - state.block <= max_lag

    # ------------------------------------------------------------------ sync

    def sync(self, to_block: int | None = None, progress: Callable[[str], None] | None = None) -> SyncResult:
        """Index up to `to_block` (default: head - confirmations). Concurrent calls in one process
        coalesce: a call made while another runs makes that one go round once more, so the last
        block seen is always indexed (a chain that mines only on transactions gets no "next block"
        to catch up with)."""
        if not self._lock.acquire(blocking=False):
            self._again.set()
            return SyncResult(0, self.state().block, 0, 0.0)
        try:
            total = None
            while True:
                self._again.clear()
                result = catchup.sync_once(self, to_block, progress)
                total = result if total is None else total.then(result)
                if result.events or result.reorg is not None or result.stop >= result.start:
                    self.commits.notify(result.reorg)
                if not self._again.is_set():
                    return total
        finally:
            self._lock.release()

    def has_tips_table(self) -> bool:
        """True when `index_tips` holds every indexed `Tipped` event of this deployment. Once true
        it stays true (remembered): every chunk writes its tips with its events."""
        if self._has_tips:
            return True
        f = index_features.c
        with self.db.read() as conn:
            found = conn.execute(
                sa.select(f.feature).where(f.deployment == self.key, f.feature == TIPS)
            ).first()
        self._has_tips = found is not None
        return self._has_tips

    def reorgs(self) -> list[dict]:
        """Every reorg this index found, oldest first (where, how deep)."""
        return reorgs.reorgs(self.db, self.key)

    # ------------------------------------------------------------------ reading

    def source(self) -> IndexSource:
        return IndexSource(self)

    def recent_tips(self, creator, limit: int = 50, before: tuple[int, int] | None = None) -> list[Event]:
        """A creator's newest tips and gifts (`Tipped`), newest first; `before=(block, log_index)`
        pages back from there."""
        return self.source().latest(["TipJar.Tipped"], limit, before=before, creator=creator)


__all__ = ["Index", "IndexSource", "State", "SyncResult"]
