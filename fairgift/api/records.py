"""Reading the record: a creator's tips and gifts (with the fans' messages, shown safely) and the
full history of every fee, with the fee in force at any past block. Events come from
`fairgift.events.source(...)` only (the index when current, else a chain scan); the rules from
`fairgift.history` and `fairgift.fees`."""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path

from fairgift import events
from fairgift.amounts import format_bps
from fairgift.api.market import Market
from fairgift.api.tips import Tips
from fairgift.display import cell, table
from fairgift.errors import FairGiftError, translated
from fairgift.history import (
    FEE_EVENT_NAMES,
    FeeEntry,
    FeeTimeline,
    TipRow,
    group_fee_events,
    initial_bps,
    tip_rows,
    tips_csv,
    write_tips_csv,
)

MESSAGE_WIDTH = 40  # columns of a message in the tips table (whole in the CSV)


def utc(timestamp: int, seconds: bool = False) -> str:
    return _dt.datetime.fromtimestamp(int(timestamp), _dt.UTC).strftime(
        "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M UTC"
    )


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


class Records(Market, Tips):
    _created: dict[str, int]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._created = {}

    # ------------------------------------------------------------------ tips and gifts

    def tips(self, creator=None, limit: int | None = None) -> list[TipRow]:
        """The tips and gifts received by `creator` (everyone's when None), newest first; the newest
        `limit` only when given."""
        if limit is not None and limit < 1:
            raise FairGiftError(f"--limit must be at least 1, not {limit}")
        source = events.source(self)
        filters = {} if creator is None else {"creator": self.creator_address(creator)}
        if limit is not None:
            tipped = events.latest(source, "TipJar.Tipped", limit, first_block=self.record.block, **filters)
        else:
            tipped = source.events("TipJar.Tipped", **filters)
        if not tipped:
            return []
        newest = max(ev.block for ev in tipped)
        catalogue = source.events("TipJar.GiftSet", to_block=newest)
        return tip_rows([*catalogue, *tipped], lambda token: self.token_info(token).decimals)

    def tips_text(self, rows: list[TipRow], creator=None, message_width: int = MESSAGE_WIDTH) -> str:
        """The rows as a table: time, fan, amount, fee, gift, message (safe, cut), transaction."""
        if not rows:
            whom = f" for {self.creator_address(creator)}" if creator is not None else ""
            return f"no tips or gifts{whom} yet"
        headers = ["time (UTC)", *(["creator"] if creator is None else []), "fan", "amount", "fee"]
        headers += ["gift", "message", "tx"]
        body = []
        for r in rows:
            info = self.token_info(r.token)
            gift = ""
            if r.gift_id:
                gift = cell(r.gift, 24) + (f" x{r.quantity}" if r.quantity else "")
            body.append(
                [
                    utc(r.timestamp, seconds=True),
                    *([short(r.creator)] if creator is None else []),
                    short(r.fan),
                    cell(info.fmt(r.amount)),
                    cell(info.fmt(r.fee)),
                    gift,
                    cell(r.message, message_width),
                    r.tx,
                ]
            )
        amount_col = headers.index("amount")
        total = {}
        for r in rows:
            total[r.token] = total.get(r.token, 0) + r.amount
        sums = ", ".join(self.token_info(t).fmt(v) for t, v in total.items())
        head = f"{len(rows)} tip(s) and gift(s), newest first; {sums} in all"
        return head + "\n" + table(headers, body, right={amount_col, amount_col + 1})

    def write_tips_csv(self, rows: list[TipRow], path: Path | str) -> Path:
        """The same rows as CSV: amounts as exact decimals, full addresses and hashes, messages
        whole (control characters replaced, spreadsheet formulas neutralised)."""
        return write_tips_csv(rows, Path(path), *self._csv_formats())

    def tips_csv_text(self, rows: list[TipRow]) -> str:
        """The CSV of `write_tips_csv` as text (the creator's dashboard serves it)."""
        buffer = io.StringIO(newline="")
        tips_csv(rows, buffer, *self._csv_formats())
        return buffer.getvalue()

    def _csv_formats(self):
        def units(token, value):
            return self.token_info(token).fmt(value).split(" ")[0].replace(",", "")

        return units, lambda t: self.token_info(t).symbol, lambda t: utc(t, seconds=True)

    # ------------------------------------------------------------------ fees

    def fee_timelines(self) -> list[FeeTimeline]:
        """The tip jar's fee, the protocol fee and every creator token's fee, each with its history."""
        source = events.source(self)
        grouped, launches = group_fee_events(source.events(list(FEE_EVENT_NAMES)))
        jar, market = self.jar, self.market
        jar_block, market_block = self.creation_block(jar.address), self.creation_block(market.address)
        timelines = [
            FeeTimeline(
                "jar",
                "tip jar",
                int(jar.MAX_FEE_BPS()),
                int(jar.FEE_CHANGE_DELAY()),
                initial_bps(grouped.get("jar", []), int(jar.feeBps())),
                jar_block,
                self.block_time(jar_block),
                events=grouped.get("jar", []),
            ),
            FeeTimeline(
                "protocol",
                "protocol",
                int(market.MAX_PROTOCOL_FEE_BPS()),
                int(market.FEE_CHANGE_DELAY()),
                initial_bps(grouped.get("protocol", []), int(market.protocolFeeBps())),
                market_block,
                self.block_time(market_block),
                events=grouped.get("protocol", []),
            ),
        ]
        creator_cap, delay = int(market.MAX_CREATOR_FEE_BPS()), int(market.FEE_CHANGE_DELAY())
        for launch in launches:
            token = launch.args["token"]
            key = f"creator:{token}"
            timelines.append(
                FeeTimeline(
                    key,
                    f"{cell(launch.args['symbol'], 16)} creator",
                    creator_cap,
                    delay,
                    int(launch.args["creatorFeeBps"]),
                    launch.block,
                    launch.timestamp,
                    launch.tx,
                    events=grouped.get(key, []),
                )
            )
        return timelines

    def creation_block(self, address: str) -> int:
        """The block in which the contract at `address` was deployed (a binary search over
        `eth_getCode` from the record's first block: no trace or explorer API needed)."""
        if address not in self._created:
            lo, hi = int(self.record.block), int(self.chain.blocks.head.number)
            with translated("finding a contract's deployment block"):
                while lo < hi:
                    mid = (lo + hi) // 2
                    if self.chain.provider.get_code(address, block_id=mid):
                        hi = mid
                    else:
                        lo = mid + 1
            self._created[address] = lo
        return self._created[address]

    def block_time(self, block: int) -> int:
        head = int(self.chain.blocks.head.number)
        if not 0 <= block <= head:
            raise FairGiftError(f"block {block} is not on the chain yet (the head is block {head})")
        with translated(f"reading block {block}"):
            return int(self.chain.provider.get_block(block).timestamp)

    def fees_at(self, block: int) -> dict[str, int | None]:
        """The fee (bps) in force at the end of `block`, by fee label; None where the fee did not
        exist yet."""
        timestamp = self.block_time(int(block))
        return {t.label: t.fee_at(int(block), timestamp) for t in self.fee_timelines()}

    def fee_history_text(self, at: int | None = None) -> str:
        timelines = self.fee_timelines()
        if at is not None:
            timestamp = self.block_time(int(at))
            lines = [f"fees in force at block {at} ({utc(timestamp)}):"]
            for t in timelines:
                bps = t.fee_at(int(at), timestamp)
                shown = format_bps(bps) if bps is not None else f"not yet (from block {t.since_block})"
                lines.append(f"  {t.label:<22} {shown}")
            return "\n".join(lines)
        now = self.now()
        lines = []
        for t in timelines:
            lines.append(
                f"{t.label} fee (cap {format_bps(t.cap)}; a rise waits {t.delay // 86400} days), "
                f"now {format_bps(t.replay().current(now))}"
            )
            lines.extend("  " + self._fee_entry_text(e) for e in t.entries(now))
        return "\n".join(lines)

    def _fee_entry_text(self, e: FeeEntry) -> str:
        where = f"block {e.block:<7}" if e.block is not None else f"{'(no tx)':<13}"
        text = {
            "initial": f"set at {format_bps(e.new_bps)}",
            "changed": f"{'lowered' if e.new_bps < e.old_bps else 'restated'} "
            f"{format_bps(e.old_bps)} -> {format_bps(e.new_bps)}, in force at once",
            "scheduled": f"rise {format_bps(e.old_bps)} -> {format_bps(e.new_bps)} scheduled, "
            f"in force from {utc(e.effective_at)}",
            "matured": f"the scheduled rise to {format_bps(e.new_bps)} takes effect (no transaction needed)",
            "cancelled": f"pending rise to {format_bps(e.old_bps)} cancelled; {format_bps(e.new_bps)} stays",
        }[e.kind]
        tx = f"  tx {e.tx}" if e.tx else ""
        return f"{utc(e.timestamp)}  {where}  {text}{tx}"
