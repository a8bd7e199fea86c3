"""What happened, from events alone: the tips and gifts a creator received, and the full history of
every fee (when it changed, was scheduled, matured or was cancelled, and the fee in force at any
past block).

Pure Python over `fairgift.events.Event`s: the API (`fairgift.api.records`) reads the events through
`fairgift.events.source(...)` and hands them here, so the same code serves a chain scan and the
index. Fees are replayed through `fairgift.fees.FeeSchedule`, the one model of the fee rule, and
every event is checked against the replay (an event whose `oldBps` is not the model's fee in force
is an error, never silently skipped).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fairgift.display import csv_text
from fairgift.errors import FairGiftError
from fairgift.events import Event
from fairgift.fees import FeeSchedule
from fairgift.gifts import amount_in

# ---------------------------------------------------------------------------------------- tips

GIFT_EVENTS = ("TipJar.Tipped", "TipJar.GiftSet")


@dataclass(frozen=True)
class TipRow:
    """One tip or gift as a creator sees it (amounts in the paying token's base units)."""

    block: int
    log_index: int
    timestamp: int
    tx: str
    fan: str
    creator: str
    token: str
    amount: int
    fee: int
    gift_id: int  # 0: a plain tip
    gift: str  # the gift's name at the time ("" for a tip)
    quantity: int  # how many of the gift (0 for a tip, or when the price does not divide it)
    message: str  # exactly as the fan wrote it: show it through fairgift.display

    @property
    def net(self) -> int:
        return self.amount - self.fee


def tip_rows(events: Iterable[Event], decimals_of: Callable[[str], int]) -> list[TipRow]:
    """`Tipped` events (and the jar's `GiftSet` events up to them, for the gift's name and price at
    the time) -> rows, newest first. `decimals_of(token)` gives a token's decimals."""
    catalogue: dict[int, tuple[str, int]] = {}  # gift id -> (name, priceUsd6) in force
    rows = []
    for ev in sorted(events, key=lambda e: e.order):
        if ev.name == "GiftSet":
            catalogue[int(ev.args["giftId"])] = (str(ev.args["name"]), int(ev.args["priceUsd6"]))
            continue
        if ev.name != "Tipped":
            continue
        a = ev.args
        gift_id, amount = int(a["giftId"]), int(a["amount"])
        name, quantity = "", 0
        if gift_id:
            name, price = catalogue.get(gift_id, (f"gift #{gift_id}", 0))
            unit = amount_in(price, 1, decimals_of(a["token"])) if price else 0
            quantity = amount // unit if unit and amount % unit == 0 else 0
        rows.append(
            TipRow(
                block=ev.block,
                log_index=ev.log_index,
                timestamp=ev.timestamp,
                tx=ev.tx,
                fan=a["fan"],
                creator=a["creator"],
                token=a["token"],
                amount=amount,
                fee=int(a["fee"]),
                gift_id=gift_id,
                gift=name,
                quantity=quantity,
                message=str(a["message"]),
            )
        )
    rows.reverse()
    return rows


TIPS_CSV_FIELDS = (
    "time_utc",
    "block",
    "tx",
    "fan",
    "creator",
    "token",
    "symbol",
    "amount",
    "fee",
    "net",
    "gift",
    "quantity",
    "message",
)


def tips_csv(
    rows: list[TipRow],
    fh,
    fmt_units: Callable[[str, int], str],
    symbol_of: Callable[[str], str],
    date,
) -> None:
    """The rows as CSV into the text stream `fh` (amounts as exact decimals of their token, the
    message whole): the one writer of the CLI's file and the creator's dashboard's download."""
    writer = csv.writer(fh)
    writer.writerow(TIPS_CSV_FIELDS)
    for r in rows:
        writer.writerow(
            [
                date(r.timestamp),
                r.block,
                r.tx,
                r.fan,
                r.creator,
                r.token,
                csv_text(symbol_of(r.token)),
                fmt_units(r.token, r.amount),
                fmt_units(r.token, r.fee),
                fmt_units(r.token, r.net),
                csv_text(r.gift),
                r.quantity or "",
                csv_text(r.message),
            ]
        )


def write_tips_csv(
    rows: list[TipRow],
    path: Path,
    fmt_units: Callable[[str, int], str],
    symbol_of: Callable[[str], str],
    date,
) -> Path:
    """The rows as a CSV file (`tips_csv`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        tips_csv(rows, fh, fmt_units, symbol_of, date)
    return path


# ---------------------------------------------------------------------------------------- fees

# Which events change which fee: (contract type, event) -> kind. The creator fees carry their token.
FEE_EVENTS = {
    ("TipJar", "FeeChanged"): "changed",
    ("TipJar", "FeeChangeScheduled"): "scheduled",
    ("TipJar", "FeeChangeCancelled"): "cancelled",
    ("CreatorMarket", "FeeChanged"): "changed",
    ("CreatorMarket", "FeeChangeScheduled"): "scheduled",
    ("CreatorMarket", "FeeChangeCancelled"): "cancelled",
    ("CreatorMarket", "CreatorFeeChanged"): "changed",
    ("CreatorMarket", "CreatorFeeChangeScheduled"): "scheduled",
    ("CreatorMarket", "CreatorFeeChangeCancelled"): "cancelled",
}
FEE_EVENT_NAMES = tuple(sorted({f"{c}.{n}" for c, n in FEE_EVENTS} | {"CreatorMarket.Launched"}))


def fee_key(ev: Event) -> str | None:
    """Which fee an event is about: "jar", "protocol" or "creator:<token>"; None for others."""
    if (ev.contract, ev.name) not in FEE_EVENTS:
        return None
    if ev.name.startswith("CreatorFee"):
        return f"creator:{ev.args['token']}"
    return "jar" if ev.contract == "TipJar" else "protocol"


@dataclass(frozen=True)
class FeeEntry:
    """One line of a fee's history. `kind`: "initial" (deployment or launch), "changed" (in force
    at once), "scheduled" (a rise, in force from `effective_at`), "matured" (that rise took effect:
    no transaction, `block` is None), "cancelled"."""

    kind: str
    old_bps: int
    new_bps: int
    timestamp: int
    block: int | None
    tx: str | None
    effective_at: int = 0


@dataclass
class FeeTimeline:
    """The history of one fee and its replay through the fee model."""

    key: str  # "jar", "protocol", "creator:<token>"
    label: str
    cap: int
    delay: int
    initial_bps: int
    since_block: int  # the deployment's (or the token's launch) block
    since_timestamp: int
    since_tx: str | None = None
    events: list[Event] = field(default_factory=list)

    def replay(self, block: int | None = None, timestamp: int | None = None) -> FeeSchedule:
        """The fee schedule after every event up to `block` (all when None), checked step by step."""
        schedule = FeeSchedule(self.initial_bps, self.cap, self.delay)
        for ev in self.events:
            if block is not None and ev.block > block:
                break
            self._apply(schedule, ev)
        return schedule

    def fee_at(self, block: int, timestamp: int) -> int | None:
        """The fee in force at the end of `block` (whose timestamp is `timestamp`); None before the
        fee existed."""
        if block < self.since_block:
            return None
        return self.replay(block).current(timestamp)

    def entries(self, now: int) -> list[FeeEntry]:
        """Every change, in order, with the matured rises (which need no transaction) in place."""
        schedule = FeeSchedule(self.initial_bps, self.cap, self.delay)
        out = [
            FeeEntry(
                "initial",
                self.initial_bps,
                self.initial_bps,
                self.since_timestamp,
                self.since_block,
                self.since_tx,
            )
        ]
        for ev in self.events:
            out.extend(self._matured(schedule, ev.timestamp))
            kind, old, new, effective = self._apply(schedule, ev)
            out.append(FeeEntry(kind, old, new, ev.timestamp, ev.block, ev.tx, effective))
        out.extend(self._matured(schedule, now))
        return out

    @staticmethod
    def _matured(schedule: FeeSchedule, until: int) -> list[FeeEntry]:
        if schedule.effective_at and schedule.effective_at <= until:
            entry = FeeEntry("matured", schedule.bps, schedule.pending_bps, schedule.effective_at, None, None)
            # the model folds a matured rise in at the next change; show it once
            schedule.bps, schedule.pending_bps, schedule.effective_at = schedule.pending_bps, 0, 0
            return [entry]
        return []

    def _apply(self, schedule: FeeSchedule, ev: Event) -> tuple[str, int, int, int]:
        kind = FEE_EVENTS[(ev.contract, ev.name)]
        a = ev.args
        in_force = schedule.current(ev.timestamp)
        if kind == "cancelled":
            pending, _ = schedule.pending(ev.timestamp)
            if pending != int(a["bps"]):
                self._mismatch(ev, f"cancels {a['bps']} bps but the model has {pending} bps pending")
            schedule.cancel(ev.timestamp)
            return kind, int(a["bps"]), in_force, 0
        old, new = int(a["oldBps"]), int(a["newBps"])
        if old != in_force:
            self._mismatch(ev, f"says the fee was {old} bps but the model has {in_force} bps in force")
        applied = schedule.schedule(new, ev.timestamp)
        if applied != (kind == "changed"):
            self._mismatch(ev, f"the model {'applied' if applied else 'scheduled'} {new} bps")
        if kind == "scheduled" and int(a["effectiveAt"]) != schedule.effective_at:
            self._mismatch(ev, f"takes effect at {a['effectiveAt']}, the model at {schedule.effective_at}")
        return kind, old, new, schedule.effective_at if kind == "scheduled" else 0

    def _mismatch(self, ev: Event, what: str):
        raise FairGiftError(
            f"the {self.label} fee's {ev.name} in block {ev.block} (tx {ev.tx}) {what}: "
            "the events do not replay through fairgift.fees.FeeSchedule"
        )


def initial_bps(events: list[Event], current_bps: int) -> int:
    """The fee a contract started with: the `oldBps` (or cancelled-over fee) of its first change, or
    the fee in force now when it never changed. (Constructors emit no event.)"""
    for ev in events:
        if "oldBps" in ev.args:
            return int(ev.args["oldBps"])
    return int(current_bps)


def group_fee_events(events: Iterable[Event]) -> tuple[dict[str, list[Event]], list[Event]]:
    """(fee key -> its change events in chain order, the market's Launched events)."""
    grouped: dict[str, list[Event]] = {}
    launches = []
    for ev in sorted(events, key=lambda e: e.order):
        if ev.name == "Launched":
            launches.append(ev)
        elif (key := fee_key(ev)) is not None:
            grouped.setdefault(key, []).append(ev)
    return grouped, launches
