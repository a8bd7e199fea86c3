"""The abuse benchmark's accounting and verdicts (fairgift/bench/abuse_report.py): status codes by
kind, the relayer's gas on attackers' items, the front-run's ratio, PASS/MISS and the rendering.

No chain and no timing: the observations below are made up, the arithmetic on them is exact."""

import copy

import pytest

from fairgift.bench.abuse_report import (
    attacker_gas,
    availability,
    front_run_cost,
    render_abuse,
    status_mix,
    verdicts,
)


def test_status_mix_counts_5xx_and_unanswered():
    mix = status_mix([413, 413, "202 duplicate", 400, 503, 500, "ConnectionResetError", 429])
    assert mix["requests"] == 8
    assert mix["statuses"]["413"] == 2 and mix["statuses"]["202 duplicate"] == 1
    assert mix["server_errors"] == 2  # the 503 "busy" counts too: the target is 4xx/429 only
    assert mix["unanswered"] == 1
    assert status_mix([])["requests"] == 0


TXS = {
    1: {
        "kind": "batch",
        "status": "mined",
        "gas_used": 700_000,
        "items": 20,
        "created_at": 100.0,
        "tip_id": None,
    },
    2: {
        "kind": "batch",
        "status": "mined",
        "gas_used": 300_000,
        "items": 10,
        "created_at": 200.0,
        "tip_id": None,
    },
    3: {
        "kind": "permit",
        "status": "mined",
        "gas_used": 80_000,
        "items": 0,
        "created_at": 150.0,
        "tip_id": "0xp",
    },
}


def item(tip_id, fan, status, reason=None, batch_id=None):
    return {"id": tip_id, "fan": fan, "status": status, "reason": reason, "batch_id": batch_id}


def test_attacker_gas_method():
    items = [
        item("0x1", "0xA", "skipped", "allowance too low at submission (0 < 1000000)"),
        item("0x2", "0xB", "skipped", "would be skipped (simulated before paying): TransferFailed"),
        # revoked (at 90) before batch 1 was recorded (at 100): the simulation could have seen it
        item("0x3", "0xC", "skipped", "skipped on chain: TransferFailed", batch_id=1),
        # revoked in the batch's own block, after it was recorded: invisible to the simulation
        item("0x4", "0xD", "skipped", "skipped on chain: TransferFailed", batch_id=2),
        item("0x5", "0xE", "landed", batch_id=2),  # revoked too late: the fan simply tipped
        item("0x6", "0xF", "queued"),
    ]
    gas = attacker_gas(items, TXS, {"0xc": 90.0, "0xd": 250.0, "0xe": 300.0})
    assert gas["accepted_items"] == 6
    assert gas["dropped_before_paying"] == {"pre-check": 1, "queued": 1, "simulation": 1}
    assert gas["reached_a_batch"] == {"landed": 1, "skipped_on_chain": 2, "other": 0}
    assert (gas["visible_items_in_batches"], gas["gas_visible"]) == (1, 35_000)  # 700,000 / 20
    assert (gas["invisible_items_in_batches"], gas["gas_invisible"]) == (1, 30_000)  # 300,000 / 10
    assert gas["gas_on_landed_attacker_tips"] == 30_000
    assert gas["permit_txs"] == 0

    # a permit sponsored for an attacker's tip is the attacker's whole permit transaction
    with_permit = attacker_gas([item("0xp", "0xG", "skipped", "pre-check")], TXS, {})
    assert with_permit["permit_txs"] == 1 and with_permit["gas_visible"] == 80_000


def test_availability_locates_failures_and_slow_answers():
    probes = [
        (200, 0.1, 99.0),
        (200, 0.2, 100.5),
        (200, 1.5, 112.0),
        ("TimeoutError", 5.0, 131.0),
        (503, 0.1, 140.0),
    ]
    seen = availability(probes, {"no attack": 100.0, "under attack": 130.0}, 0.5, 5.0, 1.0)
    assert (seen["probes"], seen["failures"], seen["slow"]) == (5, 2, 1)
    assert seen["failed_with"] == ["503", "TimeoutError"]
    assert seen["failed_at"] == ["under attack +1.0 s", "under attack +10.0 s"]
    assert seen["slow_at"] == ["no attack +12.0 s (1.50 s)"]
    assert seen["slowest_s"] == 5.0
    assert availability([], {"no attack": 1.0}, 0.5, 5.0, 1.0)["probes"] == 0


def test_front_run_cost():
    fr = {"reproduced": True, "batch_tx": "0xAB", "batch_gas": 687_355, "attacker_gas": 79_908}
    txs = {7: {"tx_hash": "0xab", "items": 21}}
    cost = front_run_cost(fr, txs)
    assert cost["batch_items"] == 21 and cost["wasted_gas"] == 32_731  # 687,355 / 21
    assert cost["ratio"] == pytest.approx(32_731 / 79_908, abs=1e-3)
    assert front_run_cost({"reproduced": False, "why": "x"}, txs) == {"reproduced": False, "why": "x"}


def phase(name, accepted, landed, posts):
    return {
        "name": name,
        "honest": {
            "tips_sent": accepted,
            "accepted": accepted,
            "landed": landed,
            "skipped": 0,
            "latency_p50_s": 2.1,
            "latency_p95_s": 3.0,
            "latency_max_s": 3.5,
            "posted_p50_s": 2.2,
            "posted_p95_s": 3.1,
            "post": status_mix(posts),
        },
    }


@pytest.fixture
def data():
    return {
        "attack_rates": {"body 2 MiB (declared length)": 1.0, "dust tip, fresh address": 4.0},
        "attacks": {
            "body 2 MiB (declared length)": status_mix([413] * 30),
            "dust tip, fresh address": status_mix([400] * 120),
        },
        "phases": [phase("no attack", 300, 300, [202] * 300), phase("under attack", 300, 300, [202] * 300)],
        "availability": availability(
            [(200, 0.1, 10.0 + i / 2) for i in range(150)], {"no attack": 10.0}, 0.5, 5.0, 1.0
        ),
        "gas": attacker_gas([item("0x1", "0xA", "skipped", "allowance too low")], TXS, {}),
        "tips": {"accepted": 316, "stored": 316},
        "front_run": front_run_cost(
            {
                "reproduced": True,
                "batch_tx": "0xab",
                "batch_gas": 600_000,
                "attacker_gas": 80_000,
                "block": 9,
                "batch_status": 1,
                "after_status": 429,
                "target_ratio": 1.5,
            },
            {1: {"tx_hash": "0xab", "items": 20}},
        ),
        "memory": {"interval_s": 0.5, "start_mib": 210.0, "peak_mib": 230.0, "end_mib": 228.0},
        "setup": {"honest_fans": 40, "honest_rate": 10.0, "phase_s": 30.0, "load": "5.0 4.0 3.0 on 2 cores"},
        "seconds": 150.0,
    }


def test_verdicts_pass_and_miss(data):
    assert all(passed for passed, _ in verdicts(data))
    text = render_abuse(data)
    assert "PASS  no 5xx and no request left unanswered (0; by kind: none)" in text
    assert (
        "30 x 413" in text and "front-running fan: relayer gas wasted 30,000 / the fan's own 80,000" in text
    )
    assert "MISS" not in text

    bad = copy.deepcopy(data)
    bad["attacks"]["dust tip, fresh address"] = status_mix([400] * 119 + [500])
    bad["phases"][1] = phase("under attack", 300, 299, [202] * 300)
    bad["availability"] = availability(
        [(200, 0.1, 100.0), ("TimeoutError", 5.0, 101.0)], {"no attack": 10.0}, 0.5, 5.0, 1.0
    )
    bad["gas"] = attacker_gas(
        [item("0x3", "0xC", "skipped", "skipped on chain: TransferFailed", batch_id=1)], TXS, {"0xc": 1.0}
    )
    bad["tips"]["stored"] = 317
    missed = [what for passed, what in verdicts(bad) if not passed]
    assert len(missed) == 5, missed
    assert "dust tip, fresh address: 1" in missed[0]
    assert any("35,000" in m for m in missed)  # the visible item's batch share
    assert any("299 of 300" in m for m in missed)
    assert "MISS" in render_abuse(bad)
