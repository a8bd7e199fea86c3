"""The benchmark's pure parts: ratios, target evaluation, history checks, breakdown, rendering.

No chain and no timing: the numbers below are made up, the arithmetic on them is exact.
"""

import json

import pytest

from fairgift import bench
from fairgift.bench import COLD, ONCE, WARM, Results, Target, evaluate, key


@pytest.fixture
def results():
    r = Results(meta={"solc": "0.8.30", "optimize": True, "optimization_runs": 1_000_000})
    r.add("transfer", WARM, 40_000, group="baselines")
    r.add("transfer", COLD, 57_000, group="baselines")
    r.add("deploy ERC-20+permit", ONCE, 1_000_000, group="baselines")
    r.add("tip", WARM, 66_000, group="tip jar", baseline=key("transfer", WARM))
    r.add("launch", COLD, 160_000, group="market", baseline=key("deploy ERC-20+permit", ONCE))
    r.add("tipBatch x50 (per tip)", WARM, 1_950_000, group="batch", units=50, baseline=key("transfer", WARM))
    return r


def test_add_reads_receipt_gas_and_divides_batches(results):
    class Receipt:
        gas_used = 12_345

    row = results.add("x", WARM, Receipt())
    assert row.gas == 12_345 and row.tx_gas is None
    batch = results.rows[key("tipBatch x50 (per tip)", WARM)]
    assert batch.gas == 39_000 and batch.tx_gas == 1_950_000 and batch.units == 50


def test_ratio(results):
    assert results.ratio_of(results.rows["tip/warm"]) == pytest.approx(1.65)
    assert results.ratio_of(results.rows["transfer/warm"]) is None
    assert bench.ratio(5, 0) is None


def test_ratio_target_pass_with_stretch_miss(results):
    v = evaluate(Target("tip", row="tip/warm", limit=1.7, baseline="transfer/warm", stretch=1.6), results)
    assert v.status == "PASS"
    assert v.limit_gas == pytest.approx(68_000)
    assert v.margin == pytest.approx(2_000)
    assert v.ratio == pytest.approx(1.65)
    assert v.stretch == "MISS" and v.stretch_limit_gas == pytest.approx(64_000)
    assert v.describe().startswith("PASS  tip: 66,000 (1.650x) vs limit 68,000, 2,000 gas (2.9%)")


def test_absolute_target_miss_says_by_how_much_and_why(results):
    v = evaluate(Target("launch", row="launch/cold", limit=150_000, why="clone init"), results)
    assert v.status == "MISS"
    assert v.margin == -10_000
    assert v.margin_pct == pytest.approx(-10_000 / 150_000)
    text = v.describe()
    assert "over by 10,000 gas (6.7%)" in text
    assert "why: clone init" in text


def test_strict_target_at_the_limit_misses(results):
    results.add("tipBatch x50 (per tip)", WARM, 2_000_000, units=50, baseline="transfer/warm")
    strict = Target(
        "batch", row="tipBatch x50 (per tip)/warm", limit=1.0, baseline="transfer/warm", strict=True
    )
    assert evaluate(strict, results).status == "MISS"
    loose = Target("batch", row="tipBatch x50 (per tip)/warm", limit=1.0, baseline="transfer/warm")
    assert evaluate(loose, results).status == "PASS"


def test_missing_row_is_not_applicable(results):
    v = evaluate(Target("buy", row="buy/warm", limit=80_000), results)
    assert v.status == "N/A" and v.why == "buy/warm not measured"
    v = evaluate(Target("x", row="tip/warm", limit=1.0, baseline="nothing/warm"), results)
    assert v.status == "N/A" and v.why == "nothing/warm not measured"


def test_issue_targets_are_all_evaluated(results):
    verdicts = bench.all_verdicts(results)
    # the relay-mix batch row (50 fans -> 10 creators) is not in the fixture: N/A
    assert [v.status for v in verdicts] == ["PASS", "N/A", "N/A", "MISS", "PASS", "N/A", "PASS"]
    assert len(bench.TARGETS) == 7


def test_history_verdicts():
    scale = {
        "history": [
            {"name": "tip after 1,000 tips", "early": 60_000, "late": 60_300, "what": ""},
            {"name": "buy at supply 10^6", "early": 70_000, "late": 70_501, "what": ""},
        ]
    }
    first, second = bench.history_verdicts(scale, tolerance=500)
    assert first.status == "PASS" and first.margin == 200
    assert second.status == "MISS" and second.margin == -1


def test_calldata_and_intrinsic_gas():
    assert bench.calldata_gas(b"\x00\x01\x00\xff") == 4 + 16 + 4 + 16
    assert bench.intrinsic_gas(b"\x01" * 4) == 21_000 + 64
    assert bench.intrinsic_gas(b"\x01" * 33, create=True) == 21_000 + 33 * 16 + 32_000 + 2 * 2


def test_breakdown_sums_to_gas_used():
    logs = [
        {"op": "SLOAD", "gasCost": 2100},
        {"op": "SSTORE", "gasCost": 2900},
        {"op": "KECCAK256", "gasCost": 42},
        {"op": "LOG3", "gasCost": 1756},
        {"op": "CALL", "gasCost": 99_999},
        {"op": "ADD", "gasCost": 3},
    ]
    b = bench.breakdown(logs, gas_used=30_000, intrinsic=21_500)
    assert b["sload"] == {"count": 1, "gas": 2100}
    assert b["sstore"] == {"count": 1, "gas": 2900}
    assert b["logs"] == {"count": 1, "gas": 1756}
    assert b["calls"] == 1
    assert b["rest"] == 30_000 - 21_500 - 2100 - 2900 - 42 - 1756
    assert "SSTORE x1 2,900" in bench.describe_breakdown(b)


def test_table_and_json(results, tmp_path):
    results.skip("market", "CreatorMarket is not in this tree")
    verdicts = bench.all_verdicts(results)
    table = bench.render_table(results)
    assert "tip                                warm      66,000  transfer/warm " in table
    assert "1.650" in table
    assert "[market] not measured: CreatorMarket is not in this tree" in table
    path = tmp_path / "out" / "bench.json"
    bench.write_json(path, bench.to_json(results, verdicts))
    data = json.loads(path.read_text())
    tip = next(r for r in data["rows"] if r["op"] == "tip")
    assert tip["gas"] == 66_000 and tip["baseline_gas"] == 40_000 and tip["ratio"] == pytest.approx(1.65)
    assert data["targets"][0]["status"] == "PASS"
    assert "unlimited" in data["meta"]["approval_mode"]


def _bd(intrinsic, sstore, sload, logs, rest, gas):
    return {
        "gas_used": gas,
        "intrinsic": intrinsic,
        "sstore": {"count": sstore[0], "gas": sstore[1]},
        "sload": {"count": sload[0], "gas": sload[1]},
        "transient": {"count": 0, "gas": 0},
        "logs": {"count": logs[0], "gas": logs[1]},
        "keccak": {"count": 0, "gas": 0},
        "calls": 0,
        "code_deposit": 0,
        "rest": rest,
    }


def test_explain_compares_parts_with_the_baseline():
    r = Results()
    r.add("transfer", WARM, 30_000, breakdown=_bd(21_000, (2, 5_800), (1, 2_100), (1, 1_000), 100, 30_000))
    r.add(
        "tip",
        WARM,
        40_000,
        baseline="transfer/warm",
        breakdown=_bd(22_000, (3, 8_700), (2, 4_200), (2, 3_000), 2_100, 40_000),
    )
    assert bench.explain(r, "tip/warm") == (
        "tip costs +10,000 over transfer (warm): intrinsic (calldata) +1,000, SSTORE +2,900 (3 vs 2 ops), "
        "SLOAD +2,100 (2 vs 1 ops), logs +2,000 (2 vs 1 ops), execution, calls, refunds +2,000"
    )
    assert bench.explain(r, "nothing/warm") == ""
    assert bench.explain(r, "transfer/warm").startswith("gas: intrinsic 21,000; SSTORE x2 5,800")


def test_explain_is_per_tip_for_a_batch():
    r = Results()
    r.add("transfer", WARM, 30_000, breakdown=_bd(21_000, (2, 5_800), (1, 2_100), (1, 1_000), 100, 30_000))
    r.add(
        "batch",
        WARM,
        1_000_000,
        units=50,
        baseline="transfer/warm",
        breakdown=_bd(100_000, (100, 290_000), (50, 105_000), (50, 50_000), 455_000, 1_000_000),
    )
    assert bench.explain(r, "batch/warm") == (
        "batch per tip costs -10,000 over transfer (warm): intrinsic (calldata) -19,000, "
        "execution, calls, refunds +9,000"
    )


def test_json_round_trip_renders_the_same_table(results):
    data = bench.to_json(results, bench.all_verdicts(results))
    again = bench.results_from_json(json.loads(json.dumps(data)))
    assert bench.render_table(again) == bench.render_table(results)
    assert again.rows["tipBatch x50 (per tip)/warm"].tx_gas == 1_950_000


def test_history_and_stretch_descriptions(results):
    (late,) = bench.history_verdicts({"history": [{"name": "buy at 10^6", "early": 70_000, "late": 70_120}]})
    assert late.describe() == "PASS  buy at 10^6: late 70,120 vs early 70,000 (+120 gas; tolerance ±500)"
    target = Target("tip", row="tip/warm", limit=1.7, baseline="transfer/warm", stretch=1.6, why="calldata")
    text = evaluate(target, results).describe()
    assert "stretch MISS (limit 64,000, over by 2,000 gas)" in text
    assert text.endswith("why: calldata")
