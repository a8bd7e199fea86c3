"""Where a transaction's gas goes: intrinsic cost, calldata, and a breakdown by opcode category
from a `debug_traceTransaction` struct log; `explain` compares a row with its baseline."""

from __future__ import annotations

import math
from collections.abc import Iterable

from fairgift.bench.results import Results


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
