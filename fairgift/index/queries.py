"""Reading the index: `IndexSource`, the `fairgift.events` source over it.

`events(names, from_block=, to_block=, **filters)` answers like the scan source: indexed blocks
from the database (filters on indexed event arguments are index lookups), and the few blocks after
the cursor (not final yet, or not indexed yet) by a live scan, so an answer is never stale.
`latest(...)` pages back from the newest. `tip_groups(creator)` answers a creator's tips summed in
SQL (`fairgift.ledger.TipGroup`, what `fairgift.ledger.creator_ledger` folds): a creator with 10,000
tips from 100 fans is 100 rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from fairgift.db import u256_sum
from fairgift.events import Event, checksum, matches, parse_names
from fairgift.index.schema import index_events, index_tips
from fairgift.index.stored import canon, decode_arguments, decode_many
from fairgift.ledger import TipGroup

ORDER_SHIFT = 32  # (block, log_index) packed as block << 32 | log_index: one sortable integer


class IndexSource:
    """`fairgift.events` source over the index (plus a live scan of the blocks after its cursor)."""

    kind = "index"

    def __init__(self, index):  # a `fairgift.index.index.Index`
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
        loads = decode_arguments
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
        decoded = decode_many([row[1] for row in rows])
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


def _order(ev: Event) -> tuple[int, int]:
    return ev.order
