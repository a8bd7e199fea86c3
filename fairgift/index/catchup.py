"""Catch-up: read the deployment's events from the index's cursor to the chain's head (less the
confirmations) and write them, chunk by chunk.

Events are read through the one event reader (`fairgift.events.ScanSource`), in chunks of blocks,
each chunk written in one transaction together with the new cursor: a crash at any point leaves
the index at a chunk boundary, never half-written, and the next sync continues from there. Syncs
are idempotent and safe to run concurrently (threads of one bot, or several workers on one
PostgreSQL): the cursor only moves by compare-and-set, and a writer that lost the race drops its
chunk and reads the cursor again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

import fairgift.index.reorgs as reorgs
import fairgift.index.stored as stored
from fairgift.index.schema import TIPS, index_blocks, index_events, index_features, index_state, index_tips

log = logging.getLogger("fairgift.index")


@dataclass(frozen=True)
class SyncResult:
    start: int  # first block read (cursor + 1)
    stop: int  # the cursor after the sync
    events: int  # events written
    seconds: float
    reorg: int | None = None  # the fork block, when a reorg was found

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def then(self, later: SyncResult) -> SyncResult:
        """This sync followed by `later`, as one."""
        return SyncResult(
            self.start,
            later.stop,
            self.events + later.events,
            self.seconds + later.seconds,
            self.reorg or later.reorg,
        )


class CursorMoved(Exception):
    """The cursor is not where this writer read it: its chunk is dropped and read again."""


def sync_once(index, to_block: int | None, progress: Callable[[str], None] | None) -> SyncResult:
    """One pass of `index` up to `to_block` (default: head - confirmations): a reorg unwound first
    when the chain no longer has the cursor block, then every chunk up to the target."""
    started = time.perf_counter()
    state = index.state()
    reorg = None
    if state.hash is not None and index.block_hash(state.block) != state.hash:
        reorg = reorgs.unwind(index, state.block)
        state = index.state()
    if state.hash is not None and not index.has_tips_table():
        fill_tips_table(index)
    target = index.head() - index.confirmations
    if to_block is not None:
        target = min(target, int(to_block))
    start = state.block + 1
    written = 0
    while state.block < target:
        a = state.block + 1
        b = min(target, a + index.chunk_blocks - 1)
        count = index_chunk(index, state, a, b)
        if count is None:  # another writer moved the cursor, or the chain moved under us
            state = index.state()
            continue
        written += count
        state = index.state()
        if progress is not None:
            elapsed = time.perf_counter() - started
            rate = f", {written / elapsed:,.0f} events/s" if elapsed > 0 else ""
            progress(
                f"indexed blocks {a:,}-{b:,} of {target:,}: {count:,} events "
                f"({state.events:,} in the index{rate})"
            )
    return SyncResult(start, index.state().block, written, time.perf_counter() - started, reorg)


def index_chunk(index, state, a: int, b: int) -> int | None:
    """Write blocks `a`..`b`'s events and move the cursor to `b`, in one transaction; the number
    of events, or None when the chunk must be read again (block `b` changed while it was read, or
    another writer indexed these blocks first)."""
    hash_b = index.block_hash(b)
    events = index.scan.events(None, from_block=a, to_block=b)
    if hash_b is None or index.block_hash(b) != hash_b:
        return None  # block b changed while we read: read again
    rows = [
        stored.event_row(index.key, ev, index.indexed_args.get((ev.contract, ev.name), ())) for ev in events
    ]
    tips = [
        stored.tip_row(index.key, ev, row["args"])
        for ev, row in zip(events, rows, strict=True)
        if stored.is_tip(ev)
    ]
    try:
        with index.db.write() as conn:
            move_cursor(conn, index, state, b, hash_b, len(rows))
            if rows:
                conn.execute(index_events.insert(), rows)
            if tips:
                conn.execute(index_tips.insert(), tips)
            # the cursor's hash: what the next sync compares with the chain (reorg check)
            conn.execute(index_blocks.insert().values(deployment=index.key, number=b, hash=hash_b))
    except (CursorMoved, sa.exc.IntegrityError):
        return None  # another writer indexed these blocks first
    return len(rows)


def move_cursor(conn, index, state, b: int, hash_b: str, count: int) -> None:
    """Move the cursor from `state` to block `b` (compare-and-set: `CursorMoved` when another
    writer moved it first); the first chunk of a new index creates it."""
    cur = index_state.c
    now = time.time()
    if state.hash is None:
        conn.execute(
            index_state.insert().values(
                deployment=index.key,
                chain_id=int(index.record.chain_id),
                start_block=int(index.record.block),
                block=b,
                hash=hash_b,
                events=count,
                updated_at=now,
            )
        )
        # a new index writes index_tips from its first chunk on
        conn.execute(index_features.insert().values(deployment=index.key, feature=TIPS))
        return
    moved = conn.execute(
        index_state.update()
        .where(cur.deployment == index.key, cur.block == state.block, cur.hash == state.hash)
        .values(block=b, hash=hash_b, events=cur.events + count, updated_at=now)
    ).rowcount
    if moved != 1:
        raise CursorMoved


def fill_tips_table(index) -> None:
    """An index made before `index_tips` existed: copy its `Tipped` events there (those not
    there yet), then mark the table complete. The cursor row is locked first (PostgreSQL), so
    no chunk or unwind of another writer interleaves."""
    key = index.key
    e, t = index_events.c, index_tips.c
    with index.db.write() as conn:
        conn.execute(sa.select(index_state.c.block).where(index_state.c.deployment == key).with_for_update())
        if conn.execute(
            sa.select(index_features.c.feature).where(
                index_features.c.deployment == key, index_features.c.feature == TIPS
            )
        ).first():
            return
        have = {
            (int(b), int(i))
            for b, i in conn.execute(sa.select(t.block, t.log_index).where(t.deployment == key))
        }
        rows = [
            stored.tip_row(key, stored.event_from_row(row), row.args)
            for row in conn.execute(
                sa.select(index_events).where(e.deployment == key, e.contract == "TipJar", e.name == "Tipped")
            )
            if (int(row.block), int(row.log_index)) not in have
        ]
        if rows:
            conn.execute(index_tips.insert(), rows)
        conn.execute(index_features.insert().values(deployment=key, feature=TIPS))
    log.info("index_tips filled in for %s: %d tips", key, len(rows))
