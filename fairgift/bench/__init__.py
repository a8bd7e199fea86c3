"""The gas and scale benchmark (`make bench`): what every FairGift operation costs, against
baselines measured in the same run, the targets checked, and how it behaves at scale.

- `results`: measured rows, baselines, ratios (pure);
- `targets`: the gas targets, the only place they are defined, and their verdicts (pure);
- `trace`: intrinsic gas and the opcode breakdown of a trace (pure);
- `render`: the table and out/bench.json (pure);
- `measure`: `Bench`, which deploys and measures the gas sections on a connected provider (anvil);
- `scale`: the scale sections (late vs early operations, throughput, the ledger) on that `Bench`;
- `harness`: running the services around a chain (ports, uvicorn, `serve`, anvil, Chromium),
  shared with the tests;
- `page_load`, `services`: the page's and the services' benchmarks.
- `abuse` (with `abuse_fans`, `abuse_clients`, `abuse_report`): the service under attack
  (`make bench-abuse`).

`run_bench` ties them together; `scripts/bench.py` is the command line around it.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Iterable
from pathlib import Path

from fairgift.bench.measure import SECTIONS, Bench
from fairgift.bench.render import (
    APPROVAL_MODE,
    render,
    render_scale,
    render_table,
    results_from_json,
    to_json,
    write_json,
)
from fairgift.bench.results import COLD, ONCE, WARM, Results, Row, key, ratio
from fairgift.bench.scale import HISTORY, THROUGHPUT_TIPS, measure_history, measure_throughput
from fairgift.bench.targets import (
    HISTORY_TOLERANCE,
    TARGETS,
    Target,
    Verdict,
    all_verdicts,
    evaluate,
    history_verdicts,
)
from fairgift.bench.trace import breakdown, calldata_gas, describe_breakdown, explain, intrinsic_gas

log = logging.getLogger("fairgift.bench")


def compiler_meta(project) -> dict:
    cfg = project.config.get_config("solidity")
    return {
        "solc": cfg.get("version"),
        "optimize": cfg.get("optimize", True),
        "optimization_runs": cfg.get("optimization_runs"),
        "evm_version": cfg.get("evm_version"),
    }


def run_sections(
    bench: Bench, sections: Iterable[str] = SECTIONS, history: int = HISTORY, tips: int = THROUGHPUT_TIPS
) -> Results:
    """The chosen sections in their order (the scale sections use what the others set up)."""
    bench.sizes = {"history": history, "tips": tips}
    bench.setup_stablecoin()
    log.info("baselines")
    bench.measure_baselines()
    chosen = set(sections)
    for name in SECTIONS:
        if name == "baselines" or name not in chosen:
            continue
        if name == "history":
            measure_history(bench, history)
        elif name == "throughput":
            measure_throughput(bench, tips)
        else:
            getattr(bench, f"measure_{name}")()
    return bench.results


def run_bench(project, chain, accounts, *, out: Path | None = None, trace: bool = True, **options):
    """Run the benchmark on the connected provider (progress on the `fairgift.bench` logger).
    Returns (results, verdicts, json-ready dict) and writes `out` if given."""
    started = time.perf_counter()
    bench = Bench(project, chain, accounts, trace=trace)
    bench.results.meta.update(compiler_meta(project))
    bench.results.meta.update(
        {
            "provider": chain.provider.name,
            "chain_id": chain.chain_id,
            "python": platform.python_version(),
            "history_tolerance_gas": HISTORY_TOLERANCE,
        }
    )
    results = run_sections(bench, **options)
    results.meta["seconds"] = round(time.perf_counter() - started, 2)
    verdicts = all_verdicts(results)
    data = to_json(results, verdicts)
    if out is not None:
        write_json(out, data)
    return results, verdicts, data


__all__ = [
    "APPROVAL_MODE",
    "COLD",
    "HISTORY",
    "HISTORY_TOLERANCE",
    "ONCE",
    "SECTIONS",
    "TARGETS",
    "THROUGHPUT_TIPS",
    "WARM",
    "Bench",
    "Results",
    "Row",
    "Target",
    "Verdict",
    "all_verdicts",
    "breakdown",
    "calldata_gas",
    "compiler_meta",
    "describe_breakdown",
    "evaluate",
    "explain",
    "history_verdicts",
    "intrinsic_gas",
    "key",
    "ratio",
    "render",
    "render_scale",
    "render_table",
    "results_from_json",
    "run_bench",
    "run_sections",
    "to_json",
    "write_json",
]
