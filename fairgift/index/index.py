"""The index: catch-up, reorg handling, and the event source that reads it.

`Index(db, record).sync()` reads the deployment's events from the last indexed block to the
chain's head (less `confirmations`) through the one event reader (`fairgift.events.ScanSource`),
in chunks of blocks, each chunk written in one transaction together with the new cursor: a crash
at any point leaves the index at a chunk boundary, never half-written, and the next `sync`
continues from there. Syncs are idempotent and safe to run concurrently (threads of one bot, or
several workers on one PostgreSQL): the cursor only moves by compare-and-set.

Reorgs. The index keeps the hash of the block at the end of every chunk it indexed. Before
each sync it compares the cursor's hash with the chain's: if they differ, the chain was reorganised
deeper than the confirmations window (or a local node was reverted to a snapshot); the index finds
the last block both agree on (binary search over the kept hashes), deletes everything after it,
records the reorg in `index_reorgs` and indexes the new branch. Nothing is silently merged.

`IndexSource` answers `events(names, from_block=, to_block=, **filters)` like the scan source:
indexed blocks from the database (filters on indexed event arguments are index lookups), and the
few blocks after the cursor (not final yet, or not indexed yet) by a live scan, so an answer is
never stale. `tip_groups(creator)` answers a creator's tips summed in SQL (`fairgift.ledger.TipGroup`,
what `fairgift.ledger.creator_ledger` folds): a creator with 10,000 tips from 100 fans is 100 rows.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import msgspec
import sqlalchemy as sa

from fairgift.db import Database, deployment_key, u256_sum
from fairgift.events import CLONES, CONTRACT_TYPES, Event, ScanSource, matches, parse_names
from fairgift.events import _checksum as checksum
from fairgift.index import schema
from fairgift.index.schema import (
    index_blocks,
    index_events,
    index_features,
    index_reorgs,
    index_state,
    index_tips,
)

log = logging.getLogger("fairgift.index")

TIPS = "tips"  # index_features: index_tips holds every indexed Tipped event
ORDER_SHIFT = 32  # (block, log_index) packed as block << 32 | log_index: one sortable integer


def canon(value) -> str:
    """The text stored for an indexed argument, and compared with a filter's value."""
    value = getattr(value, "address", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return str(value).lower()


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


@dataclass(frozen=True)
class State:
    block: int
    hash: str | None
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
            db.create(schema.metadata)
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
        self.indexed_args = _indexed_args(self.project, self.known)
        self.indexed_addresses = _indexed_args(self.project, self.known, only_type="address")
        self._lock = threading.Lock()
        self._again = threading.Event()
        self._has_tips = False

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
                result = self._sync_once(to_block, progress)
                total = result if total is None else _merge(total, result)
                if not self._again.is_set():
                    return total
        finally:
            self._lock.release()

    def _sync_once(self, to_block, progress) -> SyncResult:
        started = time.perf_counter()
        state = self.state()
        reorg = None
        if state.hash is not None and self.block_hash(state.block) != state.hash:
            reorg = self._unwind(state)
            state = self.state()
        if state.hash is not None and not self.has_tips_table():
            self._fill_tips_table()
        target = self.head() - self.confirmations
        if to_block is not None:
            target = min(target, int(to_block))
        start = state.block + 1
        written = 0
        while state.block < target:
            a = state.block + 1
            b = min(target, a + self.chunk_blocks - 1)
            count = self._index_chunk(state, a, b)
            if count is None:  # another writer moved the cursor, or the chain moved under us
                state = self.state()
                continue
            written += count
            state = self.state()
            if progress is not None:
                elapsed = time.perf_counter() - started
                rate = f", {written / elapsed:,.0f} events/s" if elapsed > 0 else ""
                progress(
                    f"indexed blocks {a:,}-{b:,} of {target:,}: {count:,} events "
                    f"({state.events:,} in the index{rate})"
                )
        return SyncResult(start, self.state().block, written, time.perf_counter() - started, reorg)

    def _index_chunk(self, state: State, a: int, b: int) -> int | None:
        hash_b = self.block_hash(b)
        events = self.scan.events(None, from_block=a, to_block=b)
        if hash_b is None or self.block_hash(b) != hash_b:
            return None  # block b changed while we read: read again
        rows = [self._row(ev) for ev in events]
        tips = [
            self._tip_row(ev, row["args"])
            for ev, row in zip(events, rows, strict=True)
            if ev.contract == "TipJar" and ev.name == "Tipped"
        ]
        try:
            with self.db.write() as conn:
                self._move_cursor(conn, state, b, hash_b, len(rows))
                if rows:
                    conn.execute(index_events.insert(), rows)
                if tips:
                    conn.execute(index_tips.insert(), tips)
                # the cursor's hash: what the next sync compares with the chain (reorg check)
                conn.execute(index_blocks.insert().values(deployment=self.key, number=b, hash=hash_b))
        except (_CursorMoved, sa.exc.IntegrityError):
            return None  # another writer indexed these blocks first
        return len(rows)

    def _move_cursor(self, conn, state: State, b: int, hash_b: str, count: int) -> None:
        cur = index_state.c
        now = time.time()
        if state.hash is None:
            conn.execute(
                index_state.insert().values(
                    deployment=self.key,
                    chain_id=int(self.record.chain_id),
                    start_block=int(self.record.block),
                    block=b,
                    hash=hash_b,
                    events=count,
                    updated_at=now,
                )
            )
            # a new index writes index_tips from its first chunk on
            conn.execute(index_features.insert().values(deployment=self.key, feature=TIPS))
            return
        moved = conn.execute(
            index_state.update()
            .where(cur.deployment == self.key, cur.block == state.block, cur.hash == state.hash)
            .values(block=b, hash=hash_b, events=cur.events + count, updated_at=now)
        ).rowcount
        if moved != 1:
            raise _CursorMoved

    def _row(self, ev: Event) -> dict:
        topics = [canon(ev.args.get(name)) for name in self.indexed_args.get((ev.contract, ev.name), ())]
        topics += [None] * (3 - len(topics))
        return {
            "deployment": self.key,
            "block": ev.block,
            "log_index": ev.log_index,
            "tx": ev.tx,
            "contract": ev.contract,
            "address": ev.address,
            "name": ev.name,
            "args": json.dumps(ev.args, separators=(",", ":")),
            "timestamp": ev.timestamp,
            "topic1": topics[0],
            "topic2": topics[1],
            "topic3": topics[2],
        }

    def _tip_row(self, ev: Event, args_text: str | None = None) -> dict:
        a = ev.args
        return {
            "deployment": self.key,
            "creator": canon(a["creator"]),
            "block": ev.block,
            "log_index": ev.log_index,
            "token": canon(a["token"]),
            "fan": canon(a["fan"]),
            "gift_id": str(int(a["giftId"])),
            "amount": str(int(a["amount"])),
            "fee": str(int(a["fee"])),
            "address": ev.address,
            "tx": ev.tx,
            "timestamp": ev.timestamp,
            "args": args_text if args_text is not None else json.dumps(a, separators=(",", ":")),
        }

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

    def _fill_tips_table(self) -> None:
        """An index made before `index_tips` existed: copy its `Tipped` events there (those not
        there yet), then mark the table complete. The cursor row is locked first (PostgreSQL), so
        no chunk or unwind of another writer interleaves."""
        e, t = index_events.c, index_tips.c
        with self.db.write() as conn:
            conn.execute(
                sa.select(index_state.c.block).where(index_state.c.deployment == self.key).with_for_update()
            )
            if conn.execute(
                sa.select(index_features.c.feature).where(
                    index_features.c.deployment == self.key, index_features.c.feature == TIPS
                )
            ).first():
                return
            have = {
                (int(b), int(i))
                for b, i in conn.execute(sa.select(t.block, t.log_index).where(t.deployment == self.key))
            }
            rows = [
                self._tip_row(_event(row), row.args)
                for row in conn.execute(
                    sa.select(index_events).where(
                        e.deployment == self.key, e.contract == "TipJar", e.name == "Tipped"
                    )
                )
                if (int(row.block), int(row.log_index)) not in have
            ]
            if rows:
                conn.execute(index_tips.insert(), rows)
            conn.execute(index_features.insert().values(deployment=self.key, feature=TIPS))
        log.info("index_tips filled in for %s: %d tips", self.key, len(rows))

    def _unwind(self, state: State) -> int:
        """The chain no longer has our cursor block: drop everything after the last block both
        agree on, and return the first block that changed."""
        with self.db.read() as conn:
            kept = [
                (int(n), h)
                for n, h in conn.execute(
                    sa.select(index_blocks.c.number, index_blocks.c.hash)
                    .where(index_blocks.c.deployment == self.key)
                    .order_by(index_blocks.c.number)
                )
            ]
        # binary search for the last kept block whose hash the chain still has (agreement is a
        # prefix: a block's hash commits to all its ancestors)
        lo, hi = -1, len(kept) - 1  # kept[lo] agrees (-1: none), kept[hi] is unknown
        while lo < hi:
            mid = (lo + hi + 1) // 2
            number, hash_ = kept[mid]
            if self.block_hash(number) == hash_:
                lo = mid
            else:
                hi = mid - 1
        if lo >= 0:
            common, common_hash = kept[lo]
        else:
            common, common_hash = self.record.block - 1, None
        with self.db.write() as conn:
            removed = conn.execute(
                index_events.delete().where(
                    index_events.c.deployment == self.key, index_events.c.block > common
                )
            ).rowcount
            conn.execute(
                index_tips.delete().where(index_tips.c.deployment == self.key, index_tips.c.block > common)
            )
            conn.execute(
                index_blocks.delete().where(
                    index_blocks.c.deployment == self.key, index_blocks.c.number > common
                )
            )
            if common_hash is None:
                conn.execute(index_state.delete().where(index_state.c.deployment == self.key))
                conn.execute(index_features.delete().where(index_features.c.deployment == self.key))
            else:
                conn.execute(
                    index_state.update()
                    .where(index_state.c.deployment == self.key)
                    .values(
                        block=common,
                        hash=common_hash,
                        events=index_state.c.events - removed,
                        updated_at=time.time(),
                    )
                )
            conn.execute(
                index_reorgs.insert().values(
                    deployment=self.key,
                    fork_block=common + 1,
                    old_block=state.block,
                    removed_events=removed,
                    found_at=time.time(),
                )
            )
        log.warning(
            "reorg: the chain changed from block %d (index was at %d); removed %d events, re-indexing",
            common + 1,
            state.block,
            removed,
        )
        return common + 1

    def reorgs(self) -> list[dict]:
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(index_reorgs)
                .where(index_reorgs.c.deployment == self.key)
                .order_by(index_reorgs.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    # ------------------------------------------------------------------ reading

    def source(self) -> IndexSource:
        return IndexSource(self)

    def recent_tips(self, creator, limit: int = 50, before: tuple[int, int] | None = None) -> list[Event]:
        """A creator's newest tips and gifts (`Tipped`), newest first; `before=(block, log_index)`
        pages back from there."""
        return self.source().latest(["TipJar.Tipped"], limit, before=before, creator=creator)


class IndexSource:
    """`fairgift.events` source over the index (plus a live scan of the blocks after its cursor)."""

    kind = "index"

    def __init__(self, index: Index):
        self.index = index
        self.known = index.known

    def events(
        self, names: Iterable[str] | str | None = None, *, from_block=None, to_block=None, **arg_filters
    ) -> list[Event]:
        wanted = parse_names(names, self.known)
        record = self.index.record
        start = record.block if from_block is None else max(int(from_block), 0)
        stop = self.index.head() if to_block is None else int(to_block)
        if stop < start:
            return []
        state = self.index.state()
        found: list[Event] = []
        indexed_stop = min(stop, state.block)
        if start <= indexed_stop:
            rows = self._query(wanted, start, indexed_stop, arg_filters)
            exact = self._all_indexed(wanted, arg_filters)
            found += rows if exact else [ev for ev in rows if matches(ev, arg_filters)]
        tail_start = max(start, state.block + 1)
        if tail_start <= stop:
            found += self.index.scan.events(
                [f"{c}.{n}" for c, n in sorted(wanted)], from_block=tail_start, to_block=stop, **arg_filters
            )
        return found

    def latest(
        self,
        names: Iterable[str] | str | None,
        limit: int,
        *,
        before: tuple[int, int] | None = None,
        **arg_filters,
    ) -> list[Event]:
        """The newest `limit` matching events, newest first, strictly before `before` = (block,
        log_index) when given: the blocks after the cursor by a live scan, then one indexed
        query (paged, when a filter on a non-indexed argument drops rows)."""
        limit = int(limit)
        if limit < 1:
            return []
        wanted = parse_names(names, self.known)
        state = self.index.state()
        found: list[Event] = []
        head = self.index.head()
        if head > state.block and (before is None or before[0] > state.block):
            tail = self.index.scan.events(
                [f"{c}.{n}" for c, n in sorted(wanted)],
                from_block=state.block + 1,
                to_block=head,
                **arg_filters,
            )
            found += sorted(
                (ev for ev in tail if before is None or ev.order < tuple(before)), reverse=True, key=_order
            )
        cursor = tuple(before) if before is not None and before[0] <= state.block else None
        page = max(2 * limit, 100)
        while len(found) < limit:
            rows = self._select(
                wanted, None, state.block, arg_filters, newest_first=True, before=cursor, limit=page
            )
            found += [ev for ev in rows if matches(ev, arg_filters)]
            if len(rows) < page:
                break
            cursor = rows[-1].order
        return found[:limit]

    def tip_groups(self, creator, *, from_block=None, to_block=None) -> list:
        """`creator`'s `Tipped` events from `from_block` to `to_block` as `fairgift.ledger.TipGroup`s:
        the indexed blocks summed in SQL (grouped by token, fan, gift id and, for gifts, the amount
        of each send, between two changes of the jar's treasury or gifts, as
        `fairgift.ledger.group_tips` does), then the blocks after the cursor as events from a live
        scan. Events only, when this index's `index_tips` is not complete yet."""
        record = self.index.record
        start = record.block if from_block is None else max(int(from_block), 0)
        stop = self.index.head() if to_block is None else int(to_block)
        if stop < start:
            return []
        if not self.index.has_tips_table():
            return self.events("TipJar.Tipped", from_block=start, to_block=stop, creator=creator)
        state = self.index.state()
        found: list = []
        indexed_stop = min(stop, state.block)
        if start <= indexed_stop:
            found += self._tip_groups(canon(creator), start, indexed_stop)
        tail_start = max(start, state.block + 1)
        if tail_start <= stop:
            found += self.index.scan.events(
                "TipJar.Tipped", from_block=tail_start, to_block=stop, creator=creator
            )
        return found

    def _tip_groups(self, creator: str, start: int, stop: int) -> list:
        from fairgift.ledger import TipGroup

        e, t = index_events.c, index_tips.c
        key = self.index.key
        packed = t.block * (1 << ORDER_SHIFT) + t.log_index
        with self.index.db.read() as conn:
            # no ORDER BY (sorted here): with one, SQLite walks the primary key over every event
            # in the range (100 ms at 100,000 events) instead of the few rows of the name index
            changes = sorted(
                conn.execute(
                    sa.select(e.block, e.log_index, e.name).where(
                        e.deployment == key,
                        e.contract == "TipJar",
                        e.name.in_(["TreasurySet", "GiftSet"]),
                        e.block >= start,
                        e.block <= stop,
                    )
                ).all()
            )
            treasury_changes = [(b << ORDER_SHIFT) + i for b, i, name in changes if name == "TreasurySet"]
            any_changes = [(b << ORDER_SHIFT) + i for b, i, _ in changes]

            def epoch(bounds: list[int]):
                return sa.case(*[(packed < bound, n) for n, bound in enumerate(bounds)], else_=len(bounds))

            is_tip = t.gift_id == "0"
            grouping = [t.token, t.fan, t.gift_id, sa.case((is_tip, sa.null()), else_=t.amount)]
            if treasury_changes:  # (no constant terms: `GROUP BY 0` would name a column)
                grouping.append(epoch(treasury_changes))
            if any_changes:
                grouping.append(sa.case((is_tip, -1), else_=epoch(any_changes)))
            query = (
                sa.select(
                    t.token,
                    t.fan,
                    t.gift_id,
                    sa.func.count(),
                    u256_sum(t.amount),
                    u256_sum(t.fee),
                    sa.func.min(packed),
                )
                .where(t.deployment == key, t.creator == creator, t.block >= start, t.block <= stop)
                .group_by(*grouping)
            )
            rows = conn.execute(query).all()
        low = (1 << ORDER_SHIFT) - 1
        return [
            TipGroup(
                creator=checksum(creator),
                token=checksum(token),
                fan=checksum(fan),
                gift_id=int(gift_id),
                count=int(count),
                amount=int(amount),
                fee=int(fee),
                order=(int(first) >> ORDER_SHIFT, int(first) & low),
            )
            for token, fan, gift_id, count, amount, fee, first in rows
        ]

    def _all_indexed(self, wanted: set[tuple[str, str]], arg_filters: dict) -> bool:
        """True when SQL alone applies every filter exactly: each on an indexed address argument of
        every wanted event, given as text (addresses compare in any case, like `matches`)."""
        for arg, value in arg_filters.items():
            values = value if isinstance(value, list | tuple | set | frozenset) else [value]
            if not all(isinstance(v, str) for v in values):
                return False
            if not all(arg in self.index.indexed_addresses.get(pair, ()) for pair in wanted):
                return False
        return True

    def _query(self, wanted: set[tuple[str, str]], start: int, stop: int, arg_filters: dict) -> list[Event]:
        return self._select(wanted, start, stop, arg_filters)

    def _select(
        self,
        wanted: set[tuple[str, str]],
        start: int | None,
        stop: int,
        arg_filters: dict,
        *,
        newest_first: bool = False,
        before: tuple[int, int] | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        if self._from_tips_table(wanted, arg_filters):
            return self._select_tips(start, stop, arg_filters, newest_first, before, limit)
        e = index_events.c
        topic_columns = (e.topic1, e.topic2, e.topic3)
        clauses = []
        for contract, name in sorted(wanted):
            indexed = self.index.indexed_args.get((contract, name), ())
            clause = [e.contract == contract, e.name == name]
            for arg, value in arg_filters.items():
                if arg in indexed:
                    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
                    clause.append(topic_columns[indexed.index(arg)].in_([canon(v) for v in values]))
            clauses.append(sa.and_(*clause))
        if not clauses:
            return []
        query = sa.select(
            e.contract, e.address, e.name, e.args, e.block, e.log_index, e.tx, e.timestamp
        ).where(e.deployment == self.index.key, sa.or_(*clauses))
        query = _window(query, e, start, stop, newest_first, before, limit)
        loads = _arguments
        with self.index.db.read() as conn:
            # plain tuples straight into Events: this is the hot loop of every indexed read
            return [
                Event(contract, address, name, loads(args), block, log_index, tx, timestamp)
                for contract, address, name, args, block, log_index, tx, timestamp in conn.execute(query)
            ]

    def _from_tips_table(self, wanted: set[tuple[str, str]], arg_filters: dict) -> bool:
        """A creator's tips (filtered on creator, and fan or token, if at all) are read from
        `index_tips`, where they are stored together."""
        return (
            wanted == {("TipJar", "Tipped")}
            and "creator" in arg_filters
            and set(arg_filters) <= {"creator", "fan", "token"}
            and self.index.has_tips_table()
        )

    def _select_tips(self, start, stop, arg_filters, newest_first, before, limit) -> list[Event]:
        t = index_tips.c
        query = sa.select(t.address, t.args, t.block, t.log_index, t.tx, t.timestamp).where(
            t.deployment == self.index.key
        )
        for arg, column in (("creator", t.creator), ("fan", t.fan), ("token", t.token)):
            if arg in arg_filters:
                value = arg_filters[arg]
                values = value if isinstance(value, list | tuple | set | frozenset) else [value]
                query = query.where(column.in_([canon(v) for v in values]))
        query = _window(query, t, start, stop, newest_first, before, limit)
        with self.index.db.read() as conn:
            rows = _driver_rows(conn, query)
        try:
            decoded = [_fast_json(row[1]) for row in rows]
        except msgspec.DecodeError:
            decoded = [_arguments(row[1]) for row in rows]
        return [
            Event("TipJar", address, "Tipped", args, block, log_index, tx, timestamp)
            for (address, _, block, log_index, tx, timestamp), args in zip(rows, decoded, strict=True)
        ]


def _window(query, columns, start: int | None, stop: int, newest_first: bool, before, limit):
    """`query` over a table with `block` and `log_index` columns, limited to the blocks
    [start, stop], to the events before `before` (a (block, log_index) cursor), in chain order
    (or newest first) and to `limit` rows: the one window of every indexed read."""
    query = query.where(columns.block <= stop)
    if start is not None:
        query = query.where(columns.block >= start)
    if before is not None:
        block, log_index = before
        query = query.where(
            sa.or_(columns.block < block, sa.and_(columns.block == block, columns.log_index < log_index))
        )
    if newest_first:
        query = query.order_by(columns.block.desc(), columns.log_index.desc())
    else:
        query = query.order_by(columns.block, columns.log_index)
    if limit is not None:
        query = query.limit(limit)
    return query


class _CursorMoved(Exception):
    """The cursor is not where this writer read it: its chunk is dropped and read again."""


_fast_json = msgspec.json.Decoder().decode


def _driver_rows(conn, query) -> list[tuple]:
    """`query`'s rows as the database driver returns them (plain tuples), for the hot reads: at
    10,000 rows SQLAlchemy's result objects cost about as much as SQLite's own reading."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _arguments(text: str) -> dict:
    """A row's stored arguments (`json.dumps` text): msgspec is ~3x faster than `json.loads` with
    the same values (big ints too); it refuses a lone surrogate escape, which `json` takes."""
    try:
        return _fast_json(text)
    except msgspec.DecodeError:
        return json.loads(text)


def _order(ev: Event) -> tuple[int, int]:
    return ev.order


def _event(row) -> Event:
    return Event(
        contract=row.contract,
        address=row.address,
        name=row.name,
        args=_arguments(row.args),
        block=int(row.block),
        log_index=int(row.log_index),
        tx=row.tx,
        timestamp=int(row.timestamp),
    )


def _indexed_args(
    project, known: dict[str, set[str]], only_type: str | None = None
) -> dict[tuple[str, str], tuple[str, ...]]:
    """(contract type, event) -> the names of its indexed arguments, in topic order (only those
    of ABI type `only_type` when given)."""
    out = {}
    for contract in known:
        for abi in getattr(project, contract).contract_type.events:
            out[(contract, abi.name)] = tuple(
                i.name for i in abi.inputs if i.indexed and (only_type is None or i.type == only_type)
            )
    return out


def _merge(a: SyncResult, b: SyncResult) -> SyncResult:
    return SyncResult(a.start, b.stop, a.events + b.events, a.seconds + b.seconds, a.reorg or b.reorg)


__all__ = ["CLONES", "CONTRACT_TYPES", "Index", "IndexSource", "State", "SyncResult", "canon"]
