"""The capacity part's verdicts, lines and record (`fairgift.bench.capacity`), on made-up figures."""

from fairgift.bench.capacity import LIFTED, TARGETS, capacity_record, render_capacity, verdicts


def _run(accepted: float, landed: float, direct: float) -> dict:
    relayed = {
        "tips": 1000,
        "clients": 8,
        "landed": 1000,
        "skipped": 0,
        "accepted_per_s": accepted,
        "landed_per_s": landed,
        "latency_p50_s": 1.0,
        "latency_p95_s": 2.0,
        "latency_max_s": 3.0,
        "status_polls": 1500,
        "serve_cpu_s": 6.0,
        "serve_cpu_ms_per_tip": 6.0,
        "load_before": 0.5,
        "load_after": 1.5,
        "grouping": "1000 requests written in 200 commits, 1000 requests' chain reads in 150 batches",
        "transactions": 10,
        "gas_per_tip": 33_000,
    }
    direct_result = {
        "tips": 1000,
        "clients": 8,
        "sent_and_landed_per_s": direct,
        "latency_p50_s": 0.04,
        "latency_p95_s": 0.08,
        "latency_max_s": 0.1,
        "transactions": 1000,
        "gas_per_tip": 63_000,
        "load_before": 1.0,
        "load_after": 1.2,
    }
    rl = {
        "relayed": relayed,
        "direct": direct_result,
        "batch_size": 50,
        "batch_wait_s": 2.0,
        "fan_per_batch": 1,
        "serve_options": ["--no-index", *LIFTED],
        "lifted_why": "the 8 clients share one address",
        "ratio": round(landed / direct, 2),
        "targets": TARGETS,
    }
    rl["verdicts"] = verdicts(rl)
    return rl


def test_each_target_passes_at_its_figure_and_misses_below():
    at = _run(accepted=150.0, landed=100.0, direct=50.0)
    assert [(v["target"], v["pass"]) for v in at["verdicts"]] == [
        ("accepted_per_s", True),
        ("landed_per_s", True),
        ("relayed_vs_direct", True),
    ]
    below = _run(accepted=149.9, landed=99.9, direct=50.0)
    assert [v["pass"] for v in below["verdicts"]] == [False, False, False]  # 99.9 / 50 = 1.998


def test_the_lines_say_each_verdict_and_what_differs_from_the_defaults():
    lines = render_capacity(_run(accepted=160.0, landed=90.0, direct=70.0))
    text = "\n".join(lines)
    assert "PASS  accepted 160.0/s (target >= 150)" in lines
    assert "MISS  landed 90.0/s (target >= 100)" in lines
    assert "MISS  relayed tips landed 1.286x as fast as direct ones (target >= 2)" in lines
    assert "--client-rate 100000" in text and "share one address" in text
    assert "6.0 ms/tip" in text and "load 0.5 -> 1.5" in text and "200 commits" in text


def test_the_record_keeps_both_paths_gas_and_the_verdicts():
    record = capacity_record(_run(accepted=160.0, landed=120.0, direct=50.0))
    assert record["relayed_vs_direct"] == 2.4
    assert (record["gas_per_tip_relayed"], record["gas_per_tip_direct"]) == (33_000, 63_000)
    assert [v["pass"] for v in record["verdicts"]] == [True, True, True]
    assert record["serve_options"][0] == "--no-index"
