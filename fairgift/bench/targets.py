"""The gas targets: the only place they are defined. `make bench` checks every one against the
rows it measured; the contract gas tests (tests/jar, tests/market) import the same figures.

A target is an absolute gas limit, or a factor of a baseline row measured in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairgift.bench.results import COLD, ONCE, WARM, Results, key, ratio
from fairgift.bench.trace import explain

# tip (warm holders, unlimited approval, 32-byte message) against a plain warm MockUSDC transfer
TIP_VS_TRANSFER = 1.7
TIP_VS_TRANSFER_STRETCH = 1.6
# tipBatch of 50 fan-signed tips: gas per tip strictly below one warm transfer (every item to its
# own creator, the worst case), and at most 0.8 transfer per tip for a relayer's mix: 50 fans tipping
# BATCH_RELAY_CREATORS creators, the items ordered by creator (fairgift.batch.by_creator), every
# slot already non-zero (issue 12)
BATCH_SIZE = 50
BATCH_TIP_VS_TRANSFER = 1.0
BATCH_RELAY_CREATORS = 10
BATCH_RELAY_VS_TRANSFER = 0.8
# creator market, absolute gas
BUY_WARM_GAS = 80_000
SELL_WARM_GAS = 75_000
LAUNCH_GAS = 150_000  # no initial buy
# a launch against deploying a full ERC-20 + permit (BaselineERC20Permit)
LAUNCH_VS_ERC20_DEPLOY = 0.2
# "the same (± a few hundred gas)": a late operation (after 1,000 tips, at supply 10^6) vs an early one
HISTORY_TOLERANCE = 500


@dataclass(frozen=True)
class Target:
    """A gas limit for one row: an absolute number of gas, or `limit` × the baseline row's gas."""

    name: str
    row: str
    limit: float
    baseline: str | None = None  # None: `limit` is gas
    stretch: float | None = None
    strict: bool = False  # "below" rather than "at most"
    why: str = ""  # what dominates the cost, printed when the target is missed


@dataclass
class Verdict:
    name: str
    status: str  # PASS, MISS or N/A (not measured)
    gas: int | None = None
    limit_gas: float | None = None
    margin: float | None = None  # limit - gas: > 0 is headroom, < 0 is the miss
    margin_pct: float | None = None  # margin as a share of the limit
    ratio: float | None = None  # gas / baseline for ratio targets
    stretch: str | None = None  # PASS/MISS against the stretch limit, if any
    stretch_limit_gas: float | None = None
    why: str = ""
    kind: str = "gas"  # "history": late vs early within a tolerance

    def describe(self) -> str:
        if self.kind == "history":
            return f"{self.status:<5} {self.name}: {self.why}"
        if self.status == "N/A":
            return f"N/A   {self.name}: {self.why}"
        rel = f" ({self.ratio:.3f}x)" if self.ratio is not None else ""
        if self.status == "PASS":
            text = f"PASS  {self.name}: {self.gas:,}{rel} vs limit {self.limit_gas:,.0f}, "
            text += f"{self.margin:,.0f} gas ({self.margin_pct:.1%}) to spare"
        else:
            text = f"MISS  {self.name}: {self.gas:,}{rel} vs limit {self.limit_gas:,.0f}, "
            text += f"over by {-self.margin:,.0f} gas ({-self.margin_pct:.1%})"
        if self.stretch == "PASS":
            text += f"; stretch PASS (limit {self.stretch_limit_gas:,.0f})"
        elif self.stretch == "MISS":
            over = self.gas - self.stretch_limit_gas
            text += f"; stretch MISS (limit {self.stretch_limit_gas:,.0f}, over by {over:,.0f} gas)"
        if (self.status == "MISS" or self.stretch == "MISS") and self.why:
            text += f"\n      why: {self.why}"
        return text


def _limit(results: Results, target: Target, factor: float) -> float | None:
    if target.baseline is None:
        return factor
    base = results.gas(target.baseline)
    return None if base is None else factor * base


def _passes(gas: float, limit: float, strict: bool) -> bool:
    return gas < limit if strict else gas <= limit


def evaluate(target: Target, results: Results, why: str | None = None) -> Verdict:
    """PASS/MISS of one target against the measured rows (N/A if a row it needs is missing)."""
    row = results.rows.get(target.row)
    limit = _limit(results, target, target.limit)
    if row is None or limit is None:
        missing = target.row if row is None else target.baseline
        return Verdict(target.name, "N/A", why=f"{missing} not measured")
    margin = limit - row.gas
    verdict = Verdict(
        name=target.name,
        status="PASS" if _passes(row.gas, limit, target.strict) else "MISS",
        gas=row.gas,
        limit_gas=limit,
        margin=margin,
        margin_pct=margin / limit,
        ratio=ratio(row.gas, results.gas(target.baseline)) if target.baseline else None,
        why=why if why is not None else target.why,
    )
    if target.stretch is not None:
        stretch_limit = _limit(results, target, target.stretch)
        verdict.stretch_limit_gas = stretch_limit
        verdict.stretch = "PASS" if _passes(row.gas, stretch_limit, target.strict) else "MISS"
    return verdict


TARGETS = (
    Target(
        "tip (warm, unlimited approval) <= 1.7 x transfer",
        row=key("tip", WARM),
        limit=TIP_VS_TRANSFER,
        baseline=key("transfer", WARM),
        stretch=TIP_VS_TRANSFER_STRETCH,
        why="a tip is a transferFrom into the jar plus the jar's own work (fee read, two credits, "
        "the Tipped event with its message)",
    ),
    Target(
        "buy (warm holder) <= 80,000 gas",
        row=key("buy", WARM),
        limit=BUY_WARM_GAS,
        why="a buy is a stablecoin transferFrom plus the curve, three credits and a mint",
    ),
    Target(
        "sell (warm holder) <= 75,000 gas",
        row=key("sell", WARM),
        limit=SELL_WARM_GAS,
        why="a sell is a burn, the curve, credits and a stablecoin transfer out",
    ),
    Target(
        "launch (no initial buy) <= 150,000 gas",
        row=key("launch", COLD),
        limit=LAUNCH_GAS,
        why="a launch deploys a clone and initialises its storage (name, symbol, market, creator)",
    ),
    Target(
        "launch (no initial buy) <= 0.2 x full ERC-20 + permit deploy",
        row=key("launch", COLD),
        limit=LAUNCH_VS_ERC20_DEPLOY,
        baseline=key("deploy ERC-20+permit", ONCE),
        why="as above: the clone's storage initialisation dominates",
    ),
    Target(
        f"tipBatch of {BATCH_SIZE} ({BATCH_SIZE} fans -> {BATCH_RELAY_CREATORS} creators, warm), "
        f"gas per tip <= {BATCH_RELAY_VS_TRANSFER} x transfer",
        row=key(f"tipBatch x{BATCH_SIZE}, {BATCH_RELAY_CREATORS} creators (per tip)", WARM),
        limit=BATCH_RELAY_VS_TRANSFER,
        baseline=key("transfer", WARM),
        why="each item verifies an EIP-712 signature (ecrecover 3,000 + hashing), consumes a nonce "
        "(a cold slot: 5,000), moves funds with a transferFrom (about 13,000 in MockUSDC) and logs "
        "Tipped (3,411); the creator's credit is written once per run of its items",
    ),
    Target(
        f"tipBatch of {BATCH_SIZE}, gas per tip < transfer",
        row=key(f"tipBatch x{BATCH_SIZE} (per tip)", WARM),
        limit=BATCH_TIP_VS_TRANSFER,
        baseline=key("transfer", WARM),
        strict=True,
        why="each item verifies an EIP-712 signature (ecrecover 3,000 + hashing), consumes a nonce "
        "and moves funds with a transferFrom",
    ),
)


def history_verdicts(scale: dict, tolerance: int = HISTORY_TOLERANCE) -> list[Verdict]:
    """PASS when a late operation costs the same as an early one, within `tolerance` gas."""
    verdicts = []
    for item in scale.get("history", []):
        diff = item["late"] - item["early"]
        verdicts.append(
            Verdict(
                name=item["name"],
                kind="history",
                status="PASS" if abs(diff) <= tolerance else "MISS",
                gas=item["late"],
                limit_gas=item["early"] + tolerance,
                margin=tolerance - abs(diff),
                margin_pct=(tolerance - abs(diff)) / tolerance,
                why=f"late {item['late']:,} vs early {item['early']:,} ({diff:+,} gas; "
                f"tolerance ±{tolerance})",
            )
        )
    return verdicts


def all_verdicts(results: Results, whys: dict[str, str] | None = None) -> list[Verdict]:
    """Every target's verdict; a miss's `why` adds the measured breakdown against the baseline."""
    whys = dict(whys or {})
    for target in TARGETS:
        if target.name not in whys and (detail := explain(results, target.row)):
            whys[target.name] = f"{target.why}. {detail}"
    return [evaluate(t, results, whys.get(t.name)) for t in TARGETS] + history_verdicts(results.scale)
