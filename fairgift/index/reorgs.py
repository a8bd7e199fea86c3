"""Reorgs: when the chain no longer has the index's cursor block, find the last block both agree on,
drop everything after it and record the reorg.

The index keeps the hash of the block at the end of every chunk it indexed (`index_blocks`).
Agreement is a prefix (a block's hash commits to all its ancestors), so the last kept block the
chain still has is found by binary search over the kept hashes. Nothing is silently merged: the
events after the fork are deleted in one transaction with the cursor's move back, and the catch-up
indexes the new branch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlalchemy as sa

from fairgift.index.schema import (
    index_blocks,
    index_events,
    index_features,
    index_reorgs,
    index_state,
    index_tips,
)

log = logging.getLogger("fairgift.index")


def last_agreeing(kept: list[tuple[int, str]], block_hash: Callable[[int], str | None]) -> int:
    """The position in `kept` (block number, hash; in chain order) of the last block whose hash the
    chain (`block_hash(number)`) still has, -1 when none."""
    lo, hi = -1, len(kept) - 1  # kept[lo] agrees (-1: none), kept[hi] is unknown
    while lo < hi:
        mid = (lo + hi + 1) // 2
        number, hash_ = kept[mid]
        if block_hash(number) == hash_:
            lo = mid
        else:
            hi = mid - 1
    return lo


def unwind(index, cursor_block: int) -> int:
    """The chain no longer has `index`'s cursor block (`cursor_block`): drop everything after the
    last block both agree on, and return the first block that changed."""
    db, key = index.db, index.key
    with db.read() as conn:
        kept = [
            (int(n), h)
            for n, h in conn.execute(
                sa.select(index_blocks.c.number, index_blocks.c.hash)
                .where(index_blocks.c.deployment == key)
                .order_by(index_blocks.c.number)
            )
        ]
    lo = last_agreeing(kept, index.block_hash)
    if lo >= 0:
        common, common_hash = kept[lo]
    else:
        common, common_hash = index.record.block - 1, None
    with db.write() as conn:
        removed = conn.execute(
            index_events.delete().where(index_events.c.deployment == key, index_events.c.block > common)
        ).rowcount
        conn.execute(index_tips.delete().where(index_tips.c.deployment == key, index_tips.c.block > common))
        conn.execute(
            index_blocks.delete().where(index_blocks.c.deployment == key, index_blocks.c.number > common)
        )
        if common_hash is None:
            conn.execute(index_state.delete().where(index_state.c.deployment == key))
            conn.execute(index_features.delete().where(index_features.c.deployment == key))
        else:
            conn.execute(
                index_state.update()
                .where(index_state.c.deployment == key)
                .values(
                    block=common,
                    hash=common_hash,
                    events=index_state.c.events - removed,
                    updated_at=time.time(),
                )
            )
        conn.execute(
            index_reorgs.insert().values(
                deployment=key,
                fork_block=common + 1,
                old_block=cursor_block,
                removed_events=removed,
                found_at=time.time(),
            )
        )
    log.warning(
        "reorg: the chain changed from block %d (index was at %d); removed %d events, re-indexing",
        common + 1,
        cursor_block,
        removed,
    )
    return common + 1


def reorgs(db, key: str) -> list[dict]:
    """Every reorg found in deployment `key`'s index, oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(index_reorgs).where(index_reorgs.c.deployment == key).order_by(index_reorgs.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]
