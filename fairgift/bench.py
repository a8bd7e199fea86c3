"""The gas and scale benchmark (issue 7): what every FairGift operation costs, against baselines
measured in the same run, the targets checked, and how it behaves at scale.

Pure parts (rows, ratios, targets, the table, the JSON, the gas breakdown of a trace) are plain
functions of numbers so they can be tested without a chain; `run_bench` drives a connected Ape
provider (anvil) and fills a `Results`. `scripts/bench.py` is the thin CLI (`ape run bench`).

Vocabulary: "warm" means the accounts and balances an operation writes already hold a non-zero
value (a non-zero to non-zero storage write); "cold" means one of them is written for the first
time (the first tip to a creator, a new holder). Every measured transaction is separate, so EIP-2929
access costs are the same in both cases; only the storage-write costs differ.
"""

from __future__ import annotations

import json
import math
import platform
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eth_account import Account

from fairgift import batch, signing

WARM, COLD, ONCE = "warm", "cold", "once"
MAX_UINT256 = 2**256 - 1
MESSAGE = "great stream tonight, thank you!"  # the 32-byte tip message of the issue
assert len(MESSAGE.encode()) == 32
APPROVAL_MODE = (
    "unlimited: every payer approves the contract it pays once with approve(spender, 2**256 - 1), "
    "so a tip/buy/batch never writes the allowance (tipWithPermit signs a permit for exactly the "
    "amount; tipWithAuthorization needs no allowance)"
)
HISTORY_TOLERANCE = 500  # gas: "the same (± a few hundred gas)"

# What the bench deploys and trades (its own contracts, on a fresh local chain).
JAR_FEE_BPS = 500  # 5%
MARKET_FEE_BPS = 100  # protocol fee 1%
CREATOR_FEE_BPS = 500  # creator fee 5%
BASE_PRICE = 10_000  # 0.01 USDC per whole token at supply 0
SLOPE = 1  # + 1e-6 USDC per whole token per whole token of supply: 1.01 USDC at 10^6 tokens
GIFT_ID, GIFT_PRICE_USD6 = 1, 1_000_000  # a 1 USD gift
TIP_USD = 10
TRADE = 10 * 10**18  # 10 tokens per buy
SELL = 10**18  # 1 token per sell
MAX_COST = 10**15  # the bound of the creator's initial buy at launch (the token's quote needs the token)
SLIPPAGE_BPS = 100  # trades bound by the quote +/- 1%, like the tooling's default
VALID_FOR = 3_600  # deadlines: one hour from now, a realistic calldata value
BATCH = 50
HISTORY = 1_000
THROUGHPUT_TIPS, FANS, CREATORS = 1_000, 50, 10
TIP_AMOUNTS = ("1", "2.50", "5", "0.99", "20")
SECTIONS = ("baselines", "tipjar", "batch", "market", "split", "history", "throughput")


# --------------------------------------------------------------------------------------------- rows


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


# ------------------------------------------------------------------------------------------ targets


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
        limit=1.7,
        baseline=key("transfer", WARM),
        stretch=1.6,
        why="a tip is a transferFrom into the jar plus the jar's own work (fee read, two credits, "
        "the Tipped event with its message)",
    ),
    Target(
        "buy (warm holder) <= 80,000 gas",
        row=key("buy", WARM),
        limit=80_000,
        why="a buy is a stablecoin transferFrom plus the curve, three credits and a mint",
    ),
    Target(
        "sell (warm holder) <= 75,000 gas",
        row=key("sell", WARM),
        limit=75_000,
        why="a sell is a burn, the curve, credits and a stablecoin transfer out",
    ),
    Target(
        "launch (no initial buy) <= 150,000 gas",
        row=key("launch", COLD),
        limit=150_000,
        why="a launch deploys a clone and initialises its storage (name, symbol, market, creator)",
    ),
    Target(
        "launch (no initial buy) <= 0.2 x full ERC-20 + permit deploy",
        row=key("launch", COLD),
        limit=0.2,
        baseline=key("deploy ERC-20+permit", ONCE),
        why="as above: the clone's storage initialisation dominates",
    ),
    Target(
        "tipBatch of 50, gas per tip < transfer",
        row=key("tipBatch x50 (per tip)", WARM),
        limit=1.0,
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


# -------------------------------------------------------------------------------- gas breakdown


def calldata_gas(data: bytes) -> int:
    """EIP-2028 calldata cost: 4 per zero byte, 16 per non-zero byte."""
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros)


def intrinsic_gas(data: bytes, create: bool = False) -> int:
    """Base transaction cost: 21,000 (+32,000 and EIP-3860 initcode words for a creation) + calldata."""
    gas = 21_000 + calldata_gas(data)
    if create:
        gas += 32_000 + 2 * math.ceil(len(data) / 32)
    return gas


_STORAGE_OPS = ("SSTORE", "SLOAD", "TLOAD", "TSTORE")
_LOG_OPS = ("LOG0", "LOG1", "LOG2", "LOG3", "LOG4")


def breakdown(struct_logs: Iterable[dict], gas_used: int, intrinsic: int, code_deposit: int = 0) -> dict:
    """Where a transaction's gas went, from a debug_traceTransaction struct log: storage opcodes
    (counts and gas), logs, calls, hashing, intrinsic cost, code deposit (200 per byte of deployed
    code, a creation only), and the rest (execution)."""
    counts: dict[str, int] = {}
    gas_by_op: dict[str, int] = {}
    for step in struct_logs:
        op = step["op"]
        if op in _STORAGE_OPS or op in _LOG_OPS or op in ("KECCAK256", "SHA3", "CALL", "STATICCALL"):
            counts[op] = counts.get(op, 0) + 1
            if op not in ("CALL", "STATICCALL"):  # a call's gasCost includes what it forwards
                gas_by_op[op] = gas_by_op.get(op, 0) + int(step["gasCost"])
    sstore = gas_by_op.get("SSTORE", 0)
    sload = gas_by_op.get("SLOAD", 0)
    logs = sum(gas_by_op.get(op, 0) for op in _LOG_OPS)
    keccak = gas_by_op.get("KECCAK256", 0) + gas_by_op.get("SHA3", 0)
    transient = gas_by_op.get("TLOAD", 0) + gas_by_op.get("TSTORE", 0)
    return {
        "gas_used": gas_used,
        "intrinsic": intrinsic,
        "sstore": {"count": counts.get("SSTORE", 0), "gas": sstore},
        "sload": {"count": counts.get("SLOAD", 0), "gas": sload},
        "transient": {"count": counts.get("TLOAD", 0) + counts.get("TSTORE", 0), "gas": transient},
        "logs": {"count": sum(counts.get(op, 0) for op in _LOG_OPS), "gas": logs},
        "keccak": {"count": counts.get("KECCAK256", 0) + counts.get("SHA3", 0), "gas": keccak},
        "calls": counts.get("CALL", 0) + counts.get("STATICCALL", 0),
        "code_deposit": code_deposit,
        # execution, memory, call overheads, precompiles, minus refunds
        "rest": gas_used - intrinsic - code_deposit - sstore - sload - logs - keccak - transient,
    }


def describe_breakdown(b: dict) -> str:
    deposit = f"code deposit {b['code_deposit']:,}; " if b.get("code_deposit") else ""
    return (
        f"intrinsic {b['intrinsic']:,}; {deposit}SSTORE x{b['sstore']['count']} {b['sstore']['gas']:,}; "
        f"SLOAD x{b['sload']['count']} {b['sload']['gas']:,}; logs x{b['logs']['count']} "
        f"{b['logs']['gas']:,}; keccak x{b['keccak']['count']} {b['keccak']['gas']:,}; "
        f"{b['calls']} external calls; rest (execution, calls, refunds) {b['rest']:,}"
    )


# ------------------------------------------------------------------------------------ rendering


def _fmt_ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def render_table(results: Results) -> str:
    """The gas table: one line per row, grouped, with its baseline and ratio."""
    lines = []
    header = f"{'operation':<34} {'case':<5} {'gas':>10}  {'baseline':<40} {'ratio':>6}"
    lines.append(header)
    lines.append("-" * len(header))
    group = None
    for row in results.rows.values():
        if row.group != group:
            group = row.group
            lines.append(f"[{group}]")
        base = row.baseline or ""
        lines.append(
            f"{row.op:<34} {row.case:<5} {row.gas:>10,}  {base:<40} {_fmt_ratio(results.ratio_of(row)):>6}"
        )
    for skipped in results.skipped:
        lines.append(f"[{skipped['group']}] not measured: {skipped['reason']}")
    return "\n".join(lines)


def render_scale(scale: dict) -> str:
    lines = []
    for item in scale.get("history", []):
        lines.append(
            f"{item['name']:<46} early {item['early']:>8,}  late {item['late']:>8,}  "
            f"diff {item['late'] - item['early']:>+6,}  ({item['what']})"
        )
    if tp := scale.get("throughput"):
        lines.append(
            f"Python API on {tp['provider']}: {tp['tips']:,} tips, {tp['fans']} fans -> "
            f"{tp['creators']} creators, via {tp['api']}"
        )
        for mode in ("unbatched", "unbatched (bare contract calls)", "batched"):
            if mode in tp:
                m = tp[mode]
                extra = ""
                if "sign_seconds" in m:
                    extra = f" (signing {m['sign_seconds']:.2f} s, sending {m['send_seconds']:.2f} s)"
                lines.append(
                    f"  {mode:<32} {m['tips_per_second']:8.1f} tips/s  {m['seconds']:7.2f} s "
                    f"in {m['transactions']:,} transactions{extra}"
                )
    if ledger := scale.get("ledger"):
        lines.append(
            f"  ledger rebuilt from {ledger['events']:,} events in {ledger['seconds']:.2f} s via "
            f"{ledger['api']}; matches on-chain credits: {ledger['matches_chain']}"
        )
    return "\n".join(lines)


def render(results: Results, verdicts: list[Verdict]) -> str:
    meta = results.meta
    out = [
        f"FairGift gas benchmark: solc {meta.get('solc')}, optimizer "
        f"{'on' if meta.get('optimize') else 'off'}, runs {meta.get('optimization_runs'):,}, "
        f"EVM {meta.get('evm_version')}, {meta.get('provider')} (chain {meta.get('chain_id')})",
        f"Approval mode: {APPROVAL_MODE}",
        "warm: the balances and credits written already hold a value; cold: a first write "
        "(a creator's first tip, a new holder); ratio = gas / baseline gas (same run)",
        "",
        render_table(results),
    ]
    if results.scale:
        out += ["", "Scale", render_scale(results.scale)]
    out += ["", "Targets"] + [v.describe() for v in verdicts]
    return "\n".join(out)


def to_json(results: Results, verdicts: list[Verdict]) -> dict:
    rows = []
    for row in results.rows.values():
        item = asdict(row)
        item["baseline_gas"] = results.gas(row.baseline) if row.baseline else None
        item["ratio"] = results.ratio_of(row)
        rows.append(item)
    return {
        "meta": {**results.meta, "approval_mode": APPROVAL_MODE},
        "rows": rows,
        "skipped": results.skipped,
        "scale": results.scale,
        "targets": [asdict(v) for v in verdicts],
    }


_PARTS = (
    ("intrinsic", "intrinsic (calldata)"),
    ("sstore", "SSTORE"),
    ("sload", "SLOAD"),
    ("logs", "logs"),
    ("keccak", "keccak"),
    ("code_deposit", "code deposit"),
    ("rest", "execution, calls, refunds"),
)


def _part(b: dict, name: str, units: int) -> tuple[float, float]:
    """(gas, count) of one breakdown part, per unit."""
    value = b.get(name, 0)
    if isinstance(value, dict):
        return value["gas"] / units, value["count"] / units
    return value / units, 0


def explain(results: Results, row_key: str) -> str:
    """Where `row_key`'s gas goes beyond its baseline row's, part by part (per unit for a batch),
    from the two transactions' traces; empty without traces."""
    row = results.rows.get(row_key)
    if row is None or not row.breakdown:
        return ""
    base = results.rows.get(row.baseline) if row.baseline else None
    if base is None or not base.breakdown:
        return "gas: " + describe_breakdown(row.breakdown)
    parts = []
    for name, label in _PARTS:
        gas, count = _part(row.breakdown, name, row.units)
        base_gas, base_count = _part(base.breakdown, name, base.units)
        if round(gas - base_gas) == 0:
            continue
        counts = f" ({count:g} vs {base_count:g} ops)" if name in ("sstore", "sload", "logs") else ""
        parts.append(f"{label} {gas - base_gas:+,.0f}{counts}")
    per = " per tip" if row.units > 1 else ""
    return f"{row.op}{per} costs {row.gas - base.gas:+,} over {base.op} ({base.case}): " + ", ".join(parts)


def all_verdicts(results: Results, whys: dict[str, str] | None = None) -> list[Verdict]:
    """Every target's verdict; a miss's `why` adds the measured breakdown against the baseline."""
    whys = dict(whys or {})
    for target in TARGETS:
        if target.name not in whys and (detail := explain(results, target.row)):
            whys[target.name] = f"{target.why}. {detail}"
    return [evaluate(t, results, whys.get(t.name)) for t in TARGETS] + history_verdicts(results.scale)


def results_from_json(data: dict) -> Results:
    """The `Results` of a written out/bench.json (to re-render its table without re-measuring)."""
    results = Results(meta=dict(data["meta"]), skipped=list(data["skipped"]), scale=dict(data["scale"]))
    for item in data["rows"]:
        row = Row(**{k: v for k, v in item.items() if k not in ("baseline_gas", "ratio")})
        results.rows[row.key] = row
    return results


def write_json(path: Path, data: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


# =========================================================================== on-chain measurement


class Bench:
    """Drives one connected provider: deploys what it measures and records receipts' gas.

    `project`, `chain` and `accounts` are Ape's managers (passed in, so this module imports
    nothing from ape at import time and its pure parts test without a chain).
    """

    def __init__(self, project, chain, accounts, *, trace: bool = True, log: Callable = print):
        self.project = project
        self.chain = chain
        self.accounts = accounts
        self.trace = trace
        self.log = log
        self.results = Results()
        self.owner = accounts.test_accounts[0]
        self.treasury = accounts.test_accounts[1]
        self._fresh_count = 0

    # ------------------------------------------------------------------ helpers

    def has(self, name: str) -> bool:
        try:
            getattr(self.project, name)
        except AttributeError:
            return False
        return True

    def fresh(self, eth: int = 10**20):
        """A new account with ether and nothing else: a random key, so never one used before.

        (Ape's `generate_test_account` derives the next mnemonic index, and its counter restarts
        whenever Ape resets the test accounts, which would hand out a used account as "new".)
        """
        key = secrets.token_bytes(32)
        address = Account.from_key(key).address
        self._fresh_count += 1
        account = self.accounts.test_accounts.init_test_account(
            10_000 + self._fresh_count, address, "0x" + key.hex()
        )
        self.chain.set_balance(address, eth)
        return account

    def deploy(self, contract_type, *args, sender=None):
        instance = (sender or self.owner).deploy(contract_type, *args)
        receipt = self.chain.get_receipt(instance.txn_hash)
        return instance, receipt

    def breakdown_of(self, receipt) -> dict | None:
        """Gas by category from anvil's debug_traceTransaction (None if tracing is unavailable)."""
        if not self.trace:
            return None
        try:
            trace = self.chain.provider.make_request(
                "debug_traceTransaction",
                [receipt.txn_hash, {"disableStack": True, "disableStorage": True, "enableMemory": False}],
            )
            tx = self.chain.provider.web3.eth.get_transaction(receipt.txn_hash)
        except Exception as err:  # a provider without debug tracing
            self.log(f"(no trace: {err})")
            self.trace = False
            return None
        data = bytes(tx["input"])
        create = tx.get("to") is None
        deposit = 0
        if create:
            deposit = 200 * len(bytes(self.chain.provider.get_code(receipt.contract_address)))
        return breakdown(
            trace.get("structLogs", []), int(receipt.gas_used), intrinsic_gas(data, create), deposit
        )

    def record(self, op, case, receipt, *, group, baseline=None, what="", units=1) -> Row:
        row = self.results.add(
            op,
            case,
            receipt,
            group=group,
            baseline=baseline,
            what=what,
            units=units,
            breakdown=self.breakdown_of(receipt),
        )
        self.log(f"  {row.op:<34} {row.case:<5} {row.gas:>10,}")
        return row

    # ------------------------------------------------------------------ baselines

    def setup_stablecoin(self):
        self.usdc, _ = self.deploy(self.project.MockUSDC, self.owner)
        self.usdc_unit = 10 ** int(self.usdc.decimals())

    def mint(self, account, whole: int):
        self.usdc.mint(account, whole * self.usdc_unit, sender=self.owner)

    def measure_baselines(self):
        g = "baselines"
        usdc = self.usdc
        unit = self.usdc_unit
        a, b, spender = self.fresh(), self.fresh(), self.fresh()
        self.mint(a, 1_000_000)
        self.mint(b, 1)
        usdc.approve(spender, MAX_UINT256, sender=a)
        usdc.transfer(b, unit, sender=a)  # a first transfer, so neither side is new
        self.record(
            "transfer",
            WARM,
            usdc.transfer(b, unit, sender=a),
            group=g,
            what="MockUSDC.transfer between two holders with balances",
        )
        self.record(
            "transfer",
            COLD,
            usdc.transfer(self.fresh(), unit, sender=a),
            group=g,
            what="MockUSDC.transfer to a new holder (balance 0 -> non-zero)",
        )
        self.record(
            "transferFrom (unlimited approval)",
            WARM,
            usdc.transferFrom(a, b, unit, sender=spender),
            group=g,
            what="MockUSDC.transferFrom between holders, allowance 2**256-1 (not written)",
        )
        limited = self.fresh()
        usdc.approve(limited, 1_000 * unit, sender=a)
        self.record(
            "transferFrom (finite approval)",
            WARM,
            usdc.transferFrom(a, b, unit, sender=limited),
            group=g,
            what="as above with a finite allowance, which is decreased (one more storage write)",
        )
        base, receipt = self.deploy(self.project.BaselineERC20Permit, "Alice Token", "ALICE")
        self.record(
            "deploy ERC-20+permit",
            ONCE,
            receipt,
            group=g,
            what="BaselineERC20Permit (OZ ERC20 + ERC20Permit), project's compiler settings",
        )

    def deadline(self) -> int:
        return int(self.chain.pending_timestamp) + VALID_FOR

    def payer(self, spender, whole: int = 1_000_000):
        """A new account holding `whole` stablecoins that approved `spender` without limit."""
        account = self.fresh()
        self.mint(account, whole)
        self.usdc.approve(spender, MAX_UINT256, sender=account)
        return account

    # ------------------------------------------------------------------ tip jar

    def setup_jar(self):
        self.jar, _ = self.deploy(self.project.TipJar, self.owner, self.treasury, JAR_FEE_BPS)
        self.jar.setTokenAllowed(self.usdc, True, sender=self.owner)
        self.jar.setGift(GIFT_ID, "Heart", GIFT_PRICE_USD6, sender=self.owner)
        self.jar_start_block = self.chain.blocks.head.number

    def measure_tipjar(self):
        g = "tip jar"
        if not self.has("TipJar"):
            return self.results.skip(g, "contracts/TipJar.sol is not in this tree")
        self.log(g)
        self.setup_jar()
        jar, usdc = self.jar, self.usdc
        amount = TIP_USD * self.usdc_unit
        fan = self.payer(jar)
        jar.tip(self.fresh(), usdc, amount, MESSAGE, sender=fan)  # jar-wide slots (balance, fees) warm
        tw, tc = key("transfer", WARM), key("transfer", COLD)

        creator = self.fresh()
        what = "tip of {} USDC with a 32-byte message, unlimited approval, to a creator {}"
        self.record(
            "tip",
            COLD,
            jar.tip(creator, usdc, amount, MESSAGE, sender=fan),
            group=g,
            baseline=tc,
            what=what.format(TIP_USD, "never tipped before"),
        )
        self.record(
            "tip",
            WARM,
            jar.tip(creator, usdc, amount, MESSAGE, sender=fan),
            group=g,
            baseline=tw,
            what=what.format(TIP_USD, "already credited"),
        )
        self.history_tip = (fan, creator, amount)

        gifted = self.fresh()
        gift_units = int(jar.giftAmount(usdc, GIFT_ID, 1))  # the quote the fan's wallet shows
        what = f"sendGift(quantity 1, price {GIFT_PRICE_USD6 / 10**6} USD), 32-byte message, to a creator "
        self.record(
            "sendGift",
            COLD,
            jar.sendGift(gifted, usdc, GIFT_ID, 1, gift_units, MESSAGE, sender=fan),
            group=g,
            baseline=tc,
            what=what + "never tipped before",
        )
        self.record(
            "sendGift",
            WARM,
            jar.sendGift(gifted, usdc, GIFT_ID, 1, gift_units, MESSAGE, sender=fan),
            group=g,
            baseline=tw,
            what=what + "already credited",
        )

        permitter = self.fresh()
        self.mint(permitter, 1_000)
        permitted = self.fresh()
        deadline = self.deadline()
        for case, base, what in (
            (COLD, tc, "the fan's first permit (nonce 0 -> 1), to a creator never tipped before"),
            (WARM, tw, "the fan's next permit, to a creator already credited"),
        ):
            v, r, s_ = signing.sign(permitter, signing.permit_message(usdc, permitter, jar, amount, deadline))
            receipt = jar.tipWithPermit(
                permitted, usdc, amount, MESSAGE, deadline, v, r, s_, sender=permitter
            )
            self.record(
                "tipWithPermit",
                case,
                receipt,
                group=g,
                baseline=base,
                what="permit for exactly the amount + tip; " + what,
            )

        authorizer = self.fresh()
        self.mint(authorizer, 1_000)
        relayer = self.fresh()
        authorized = self.fresh()
        deadline = self.deadline()
        for case, base, what in (
            (COLD, tc, "to a creator never tipped before"),
            (WARM, tw, "to a creator already credited"),
        ):
            salt = signing.random_salt()
            nonce = signing.tip_authorization_nonce(authorized, MESSAGE, salt)
            message = signing.authorization_message(usdc, authorizer, jar, amount, 0, deadline, nonce)
            v, r, s_ = signing.sign(authorizer, message)
            receipt = jar.tipWithAuthorization(
                authorizer, authorized, usdc, amount, MESSAGE, 0, deadline, salt, v, r, s_, sender=relayer
            )
            self.record(
                "tipWithAuthorization",
                case,
                receipt,
                group=g,
                baseline=base,
                what="EIP-3009 receiveWithAuthorization relayed by a third party, " + what,
            )

        # withdraw: `creator` holds credit; the first withdrawal makes it a stablecoin holder.
        self.record(
            "withdraw",
            COLD,
            jar.withdraw(usdc, sender=creator),
            group=g,
            baseline=tc,
            what="the creator's whole credit to itself, a new stablecoin holder",
        )
        jar.tip(creator, usdc, amount, MESSAGE, sender=fan)
        self.record(
            "withdraw",
            WARM,
            jar.withdraw(usdc, sender=creator),
            group=g,
            baseline=tw,
            what="the creator's whole credit to itself, already a stablecoin holder",
        )

    # ------------------------------------------------------------------ batch

    def batch_items(self, pairs, amount: int, nonce: int, message: str = MESSAGE) -> list[tuple]:
        """Signed `tipBatch` items, one per (fan account, creator) pair, all with `nonce`."""
        token = self.usdc.address
        return [
            batch.sign_tip(fan, self.jar, creator, token, amount, message, nonce, self.deadline()).as_tuple()
            for fan, creator in pairs
        ]

    def measure_batch(self):
        g = "batch"
        if not self.has("TipJar"):
            return self.results.skip(g, "contracts/TipJar.sol is not in this tree")
        if "tipBatch" not in {m.name for m in self.project.TipJar.contract_type.mutable_methods}:
            return self.results.skip(g, "TipJar has no tipBatch")
        self.log(g)
        amount = TIP_USD * self.usdc_unit
        relayer = self.fresh()
        fans = [self.payer(self.jar, whole=1_000) for _ in range(BATCH)]
        creators = [self.fresh() for _ in range(BATCH)]
        pairs = list(zip(fans, creators, strict=True))
        op = f"tipBatch x{BATCH} (per tip)"
        base = "each of {} fans' {} signed tip ({} USDC, 32-byte message) to its own creator {}"
        self.record(
            op,
            COLD,
            self.jar.tipBatch(self.usdc, self.batch_items(pairs, amount, 0), sender=relayer),
            group=g,
            baseline=key("transfer", COLD),
            units=BATCH,
            what=base.format(BATCH, "first", TIP_USD, "(never tipped before; nonce word 0 -> non-zero)"),
        )
        self.record(
            op,
            WARM,
            self.jar.tipBatch(self.usdc, self.batch_items(pairs, amount, 1), sender=relayer),
            group=g,
            baseline=key("transfer", WARM),
            units=BATCH,
            what=base.format(BATCH, "next", TIP_USD, "(already credited; nonce word already written)"),
        )

    # ------------------------------------------------------------------ market

    def setup_market(self):
        self.market, _ = self.deploy(
            self.project.CreatorMarket,
            self.owner,
            self.usdc,
            self.treasury,
            MARKET_FEE_BPS,
            BASE_PRICE,
            SLOPE,
        )

    def buy(self, token, amount: int, buyer):
        """A buy bounded by the quote + 1% and a deadline an hour away, as a wallet would send it."""
        cost = int(self.market.quoteBuy(token, amount)[0])
        max_cost = cost * (10_000 + SLIPPAGE_BPS) // 10_000
        return self.market.buy(token, amount, max_cost, self.deadline(), sender=buyer)

    def sell(self, token, amount: int, seller):
        net = int(self.market.quoteSell(token, amount)[0])
        min_proceeds = net * (10_000 - SLIPPAGE_BPS) // 10_000
        return self.market.sell(token, amount, min_proceeds, self.deadline(), sender=seller)

    def creator_token(self, creator):
        return self.project.CreatorToken.at(self.market.tokenOf(creator))

    def measure_market(self):
        g = "market"
        if not (self.has("CreatorMarket") and self.has("CreatorToken")):
            return self.results.skip(g, "contracts/CreatorMarket.sol is not in this tree")
        self.log(g)
        self.setup_market()
        market = self.market
        deploy = key("deploy ERC-20+permit", ONCE)
        first, second = self.fresh(), self.fresh()
        self.record(
            "launch",
            COLD,
            market.launch("Alice Token", "ALICE", CREATOR_FEE_BPS, 0, 0, sender=first),
            group=g,
            baseline=deploy,
            what="the market's first launch, no initial buy",
        )
        self.record(
            "launch",
            WARM,
            market.launch("Bobby Token", "BOBBY", CREATOR_FEE_BPS, 0, 0, sender=second),
            group=g,
            baseline=deploy,
            what="a later launch, no initial buy",
        )
        third = self.payer(market)
        receipt = market.launch("Carol Token", "CAROL", CREATOR_FEE_BPS, TRADE, MAX_COST, sender=third)
        self.record(
            "launch + initial buy",
            COLD,
            receipt,
            group=g,
            baseline=deploy,
            what=f"launch with the creator's own first buy of {TRADE // 10**18} tokens",
        )

        token = self.creator_token(first)
        primer, holder = self.payer(market), self.payer(market)
        self.buy(token, TRADE, primer)  # reserve and fee credits warm
        tf = key("transferFrom (unlimited approval)", WARM)
        what = f"buy {TRADE // 10**18} tokens, unlimited approval, by "
        self.record(
            "buy",
            COLD,
            self.buy(token, TRADE, holder),
            group=g,
            baseline=tf,
            what=what + "a new holder of the token",
        )
        self.record(
            "buy",
            WARM,
            self.buy(token, TRADE, holder),
            group=g,
            baseline=tf,
            what=what + "a holder (token and stablecoin balances non-zero)",
        )
        self.history_buy = (token, holder)

        self.record(
            "sell",
            WARM,
            self.sell(token, SELL, holder),
            group=g,
            baseline=key("transfer", WARM),
            what=f"sell {SELL // 10**18} token, keeping a balance, by a stablecoin holder",
        )
        fresh_seller = self.fresh()
        token.transfer(fresh_seller, 2 * SELL, sender=holder)
        self.record(
            "sell",
            COLD,
            self.sell(token, SELL, fresh_seller),
            group=g,
            baseline=key("transfer", COLD),
            what="sell 1 token by a holder with no stablecoin (a new stablecoin holder)",
        )

        self.record(
            "market withdraw",
            COLD,
            market.withdraw(sender=first),
            group=g,
            baseline=key("transfer", COLD),
            what="creator-fee credit to a creator with no stablecoin",
        )
        self.buy(token, TRADE, primer)
        self.record(
            "market withdraw",
            WARM,
            market.withdraw(sender=first),
            group=g,
            baseline=key("transfer", WARM),
            what="creator-fee credit to a creator holding stablecoin",
        )

    # ------------------------------------------------------------------ split

    def measure_split(self):
        g = "split"
        if not (self.has("SplitFactory") and self.has("RevenueSplit")):
            return self.results.skip(g, "contracts/SplitFactory.sol is not in this tree")
        self.log(g)
        factory, _ = self.deploy(self.project.SplitFactory)
        deploy = key("deploy ERC-20+permit", ONCE)
        splits = {}
        for n in (2, 32):
            payees = sorted((self.fresh() for _ in range(n)), key=lambda a: int(a.address, 16))
            shares = [10_000 // n + (1 if i < 10_000 % n else 0) for i in range(n)]
            receipt = factory.createSplit([p.address for p in payees], shares, sender=self.owner)
            self.record(
                f"split deploy ({n} payees)",
                ONCE,
                receipt,
                group=g,
                baseline=deploy,
                what=f"SplitFactory.createSplit with {n} payees (a clone)",
            )
            created = list(receipt.events.filter(factory.SplitCreated))[0]
            splits[n] = (self.project.RevenueSplit.at(created.split), payees)
        split, payees = splits[2]
        payee = payees[0]
        self.mint(split, 100)
        self.record(
            "split release",
            COLD,
            split.release(self.usdc, payee, sender=payee),
            group=g,
            baseline=key("transfer", COLD),
            what="first release to a payee with no stablecoin",
        )
        self.mint(split, 100)
        self.record(
            "split release",
            WARM,
            split.release(self.usdc, payee, sender=payee),
            group=g,
            baseline=key("transfer", WARM),
            what="a later release to a payee holding stablecoin",
        )

    # ------------------------------------------------------------------ history

    def measure_history(self, earlier: int = HISTORY):
        """Late operations (after `earlier` tips / credits, at supply 10^6) against early ones."""
        history = self.results.scale.setdefault("history", [])
        if hasattr(self, "jar") and hasattr(self, "history_tip"):
            self.log(f"history: {earlier:,} tips")
            jar, usdc = self.jar, self.usdc
            fan, creator, amount = self.history_tip
            early_tip = self.results.gas(key("tip", WARM))
            # an early withdrawal: a stablecoin holder withdrawing after a single credit
            early_one = self.fresh()
            self.mint(early_one, 1)
            jar.tip(early_one, usdc, amount, MESSAGE, sender=fan)
            early_withdraw = jar.withdraw(usdc, sender=early_one).gas_used
            self.mint(creator, 1)
            mode = self.tip_many(creator, earlier)
            late_tip = jar.tip(creator, usdc, amount, MESSAGE, sender=fan).gas_used
            history.append(
                {
                    "name": f"tip after {earlier:,} earlier tips",
                    "early": early_tip,
                    "late": late_tip,
                    "what": f"same fan and creator, warm; history via {mode}",
                }
            )
            late_withdraw = jar.withdraw(usdc, sender=creator).gas_used
            history.append(
                {
                    "name": f"withdraw after {earlier:,} credits",
                    "early": early_withdraw,
                    "late": late_withdraw,
                    "what": "after 1 credit vs after the tips above",
                }
            )
        if hasattr(self, "market") and hasattr(self, "history_buy"):
            self.log("history: buy at supply 10^6")
            token, holder = self.history_buy
            early_buy = self.results.gas(key("buy", WARM))
            early_supply = int(token.totalSupply())
            whale = self.payer(self.market, whole=10**9)
            self.buy(token, 10**6 * 10**18 - early_supply, whale)
            supply = int(token.totalSupply())
            late_buy = self.buy(token, TRADE, holder).gas_used
            history.append(
                {
                    "name": "buy at supply 10^6 tokens",
                    "early": early_buy,
                    "late": late_buy,
                    "what": f"same holder and amount at supply {early_supply / 10**18:,.0f} vs "
                    f"{supply / 10**18:,.0f} tokens",
                }
            )

    def tip_many(self, creator, n: int) -> str:
        """`n` tips to `creator` from BATCH fans, through tipBatch when there is one."""
        amount = self.usdc_unit
        fans = [self.payer(self.jar, whole=1_000) for _ in range(min(BATCH, n))]
        methods = {m.name for m in self.project.TipJar.contract_type.mutable_methods}
        if "tipBatch" in methods:
            relayer = self.fresh()
            sent, nonce = 0, 100
            while sent < n:
                size = min(len(fans), n - sent)
                items = self.batch_items([(f, creator) for f in fans[:size]], amount, nonce)
                self.jar.tipBatch(self.usdc, items, sender=relayer)
                sent += size
                nonce += 1
            return f"{(n + BATCH - 1) // BATCH} tipBatch transactions"
        for i in range(n):
            self.jar.tip(creator, self.usdc, amount, MESSAGE, sender=fans[i % len(fans)])
        return f"{n} tip transactions"

    # ------------------------------------------------------------------ through the Python API

    def measure_throughput(self, tips: int = THROUGHPUT_TIPS, fans: int = FANS, creators: int = CREATORS):
        if not self.has("TipJar"):
            return self.results.skip("scale", "no TipJar in this tree: throughput not measured")
        if not hasattr(self, "jar"):
            self.setup_jar()
        if not hasattr(self, "market") and self.has("CreatorMarket"):
            self.setup_market()  # the tooling API works on a whole deployment
        self.log(f"throughput: {tips:,} tips from {fans} fans to {creators} creators")
        jar, usdc = self.jar, self.usdc
        fan_accounts = [self.payer(jar, whole=10_000) for _ in range(fans)]
        creator_accounts = [self.fresh() for _ in range(creators)]
        plan = [
            (fan_accounts[i % fans], creator_accounts[i % creators], TIP_AMOUNTS[i % len(TIP_AMOUNTS)])
            for i in range(tips)
        ]
        api = python_api(self)
        start_block = self.chain.blocks.head.number + 1
        tp = {
            "provider": self.chain.provider.name,
            "tips": tips,
            "fans": fans,
            "creators": creators,
            "api": api.name,
        }

        started = time.perf_counter()
        for fan, creator, text in plan:
            api.tip(fan, creator, text)
        seconds = time.perf_counter() - started
        tp["unbatched"] = {
            "seconds": round(seconds, 3),
            "tips_per_second": round(tips / seconds, 2),
            "transactions": tips,
        }
        if not isinstance(api, _DirectApi):  # the same tips as bare contract calls: the API's overhead
            direct = _DirectApi(self)
            started = time.perf_counter()
            for fan, creator, text in plan:
                direct.tip(fan, creator, text)
            seconds = time.perf_counter() - started
            tp["unbatched (bare contract calls)"] = {
                "seconds": round(seconds, 3),
                "tips_per_second": round(tips / seconds, 2),
                "transactions": tips,
            }

        methods = {m.name for m in self.project.TipJar.contract_type.mutable_methods}
        if "tipBatch" in methods:
            relayer = self.fresh()
            started = time.perf_counter()
            items, used = [], {}
            for fan, creator, text in plan:
                nonce = used.get(fan.address, 0)  # a fresh fan counts up from 0 (one bitmap word)
                used[fan.address] = nonce + 1
                tip = batch.sign_tip(
                    fan, jar, creator, usdc.address, usd6(text), MESSAGE, nonce, self.deadline()
                )
                items.append(tip.as_tuple())
            signed = time.perf_counter()
            txs = 0
            for i in range(0, len(items), BATCH):
                jar.tipBatch(usdc, items[i : i + BATCH], sender=relayer)
                txs += 1
            done = time.perf_counter()
            tp["batched"] = {
                "seconds": round(done - started, 3),
                "tips_per_second": round(tips / (done - started), 2),
                "sign_seconds": round(signed - started, 3),
                "send_seconds": round(done - signed, 3),
                "transactions": txs,
            }
        self.results.scale["throughput"] = tp

        self.log("ledger")
        started = time.perf_counter()
        built = api.ledger(start_block)
        seconds = time.perf_counter() - started
        matches = all(api.credit(built, c.address) == int(jar.balanceOf(c, usdc)) for c in creator_accounts)
        self.results.scale["ledger"] = {
            "api": api.ledger_name,
            "events": api.events(built, start_block),
            "seconds": round(seconds, 3),
            "matches_chain": matches,
        }

    # ------------------------------------------------------------------ run

    def run(self, sections: Iterable[str] = SECTIONS, history: int = HISTORY, tips: int = THROUGHPUT_TIPS):
        self.sizes = {"history": history, "tips": tips}
        self.setup_stablecoin()
        self.log("baselines")
        self.measure_baselines()
        chosen = set(sections)
        for name in SECTIONS:  # in their order: history and throughput use what the others set up
            if name == "baselines" or name not in chosen:
                continue
            if name == "history":
                self.measure_history(history)
            elif name == "throughput":
                self.measure_throughput(tips)
            else:
                getattr(self, f"measure_{name}")()
        return self.results


def usd6(text: str) -> int:
    """ "2.50" -> 2_500_000 (a stablecoin with 6 decimals)."""
    whole, _, frac = text.partition(".")
    return int(whole) * 10**6 + int((frac + "000000")[:6])


# ---------------------------------------------------------------------- the Python API adapter


class _DirectApi:
    """The contract calls themselves, for a tree without the tooling API (fairgift.api)."""

    name = "contract calls (fairgift.api not in this tree)"
    ledger_name = "local rebuild from Tipped events (fairgift.ledger not in this tree)"

    def __init__(self, bench: Bench):
        self.bench = bench

    def tip(self, fan, creator, text):
        self.bench.jar.tip(creator, self.bench.usdc, usd6(text), MESSAGE, sender=fan)

    def ledger(self, start_block) -> tuple[dict[str, int], int]:
        """(net credit by creator, number of Tipped events) from the jar's Tipped events."""
        credits: dict[str, int] = {}
        frame = self.bench.jar.Tipped.query("*", start_block=start_block)
        rows = frame.to_dict("records")
        for row in rows:
            args = row["event_arguments"]
            creator = str(args["creator"])
            credits[creator] = credits.get(creator, 0) + int(args["amount"]) - int(args["fee"])
        return credits, len(rows)

    def credit(self, built, creator: str) -> int | None:
        return built[0].get(creator)

    def events(self, built, start_block) -> int:
        return built[1]


class _ToolingApi:
    """`fairgift.api.FairGift` over the bench's own deployment, and `fairgift.ledger`."""

    name = "fairgift.api.FairGift.tip"
    ledger_name = "fairgift.ledger.from_chain"

    def __init__(self, bench: Bench, fg, ledger_module):
        self.bench = bench
        self.fg = fg
        self.ledger_module = ledger_module

    def tip(self, fan, creator, text):
        # Objects, not address strings: fairgift.api resolves a string address by walking the test
        # accounts (re-deriving each from the mnemonic), about 0.6 s per call on this machine.
        self.fg.tip(fan, creator, text, MESSAGE, token=self.bench.usdc)

    def ledger(self, start_block):
        return self.ledger_module.from_chain(self.fg, start_block)

    def credit(self, built, creator: str) -> int:
        return int(built.jar_credit(creator, self.bench.usdc.address))

    def events(self, built, start_block) -> int:
        """How many events the ledger read (counted again, outside the timed rebuild)."""
        return len(self.ledger_module.collect(self.fg, start_block))


def python_api(bench: Bench):
    """The tooling API (fairgift.api / fairgift.ledger) over the bench's deployment when this tree
    has it and the deployment is complete (it needs a CreatorMarket); else plain contract calls."""
    try:
        from fairgift import ledger
        from fairgift.api import FairGift
        from fairgift.deployments import Deployment
    except ImportError:
        return _DirectApi(bench)
    if not hasattr(bench, "market"):
        direct = _DirectApi(bench)
        direct.name = "contract calls (fairgift.api needs a CreatorMarket: none in this tree)"
        direct.ledger_name = "local rebuild from Tipped events (fairgift.ledger needs a CreatorMarket)"
        return direct
    contracts = {
        "MockUSDC": bench.usdc.address,
        "TipJar": bench.jar.address,
        "CreatorMarket": bench.market.address,
    }
    record = Deployment(chain_id=bench.chain.chain_id, block=bench.jar_start_block, contracts=contracts)
    return _ToolingApi(bench, FairGift(record, project=bench.project), ledger)


def compiler_meta(project) -> dict:
    cfg = project.config.get_config("solidity")
    return {
        "solc": cfg.get("version"),
        "optimize": cfg.get("optimize", True),
        "optimization_runs": cfg.get("optimization_runs"),
        "evm_version": cfg.get("evm_version"),
    }


def run_bench(project, chain, accounts, *, out: Path | None = None, log: Callable = print, **options):
    """Run the whole benchmark on the connected provider; print nothing itself but `log` lines.
    Returns (results, verdicts, json-ready dict) and writes `out` if given."""
    started = time.perf_counter()
    bench = Bench(project, chain, accounts, trace=options.pop("trace", True), log=log)
    bench.results.meta.update(compiler_meta(project))
    bench.results.meta.update(
        {
            "provider": chain.provider.name,
            "chain_id": chain.chain_id,
            "python": platform.python_version(),
            "history_tolerance_gas": HISTORY_TOLERANCE,
        }
    )
    results = bench.run(**options)
    results.meta["seconds"] = round(time.perf_counter() - started, 2)
    verdicts = all_verdicts(results)
    data = to_json(results, verdicts)
    if out is not None:
        write_json(out, data)
    return results, verdicts, data
