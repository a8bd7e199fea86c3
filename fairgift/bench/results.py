"""Measured rows: one operation in one case (warm, cold, once), its gas, its baseline, and the
ratio against that baseline, all from the same run."""

from __future__ import annotations

from dataclasses import dataclass, field

WARM, COLD, ONCE = "warm", "cold", "once"


@dataclass
class Row:
    """One measured operation in one case."""

    op: str
    case: str
    gas: int  # gas per unit (per tip for a batch), as measured from receipts
    group: str = ""
    baseline: str | None = None  # key of the row this one is divided by
    what: str = ""  # exactly what was measured
    units: int = 1  # items in the transaction (a batch of 50: gas is the total / 50)
    tx_gas: int | None = None  # the whole transaction's gas when units > 1
    breakdown: dict | None = None

    @property
    def key(self) -> str:
        return key(self.op, self.case)


def key(op: str, case: str) -> str:
    return f"{op}/{case}"


def ratio(gas: float, base: float | None) -> float | None:
    """gas / base, or None without a baseline."""
    if not base:
        return None
    return gas / base


@dataclass
class Results:
    rows: dict[str, Row] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    scale: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def add(self, op, case, gas, *, group="", baseline=None, what="", units=1, breakdown=None) -> Row:
        """Record `gas` (a receipt's gas_used, or an int) for `op` in `case`."""
        total = int(getattr(gas, "gas_used", gas))
        row = Row(
            op=op,
            case=case,
            gas=total if units == 1 else round(total / units),
            group=group,
            baseline=baseline,
            what=what,
            units=units,
            tx_gas=None if units == 1 else total,
            breakdown=breakdown,
        )
        self.rows[row.key] = row
        return row

    def skip(self, group: str, reason: str):
        self.skipped.append({"group": group, "reason": reason})

    def gas(self, row_key: str) -> int | None:
        row = self.rows.get(row_key)
        return None if row is None else row.gas

    def ratio_of(self, row: Row) -> float | None:
        return ratio(row.gas, self.gas(row.baseline)) if row.baseline else None
