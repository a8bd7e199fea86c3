"""The bench's outputs: the table on stdout and out/bench.json (and reading it back)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from fairgift.bench.results import Results, Row
from fairgift.bench.targets import Verdict

APPROVAL_MODE = (
    "unlimited: every payer approves the contract it pays once with approve(spender, 2**256 - 1), "
    "so a tip/buy/batch never writes the allowance (tipWithPermit signs a permit for exactly the "
    "amount; tipWithAuthorization needs no allowance)"
)


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
