"""The abuse benchmark's accounting, targets and rendering (pure: no chain, no clock).

`fairgift.bench.abuse` runs the service under attack and hands its raw observations here:

- `status_mix`: the status codes one kind of request got, and whether any was a 5xx or no answer;
- `attacker_gas`: the relayer's gas attributable to attackers' items, from the relay database's
  rows (`relay_tips`, `relay_txs`) of the attackers' accepted tips. The method: an item the
  relayer dropped before paying (skipped with no transaction: the pre-check or the simulation saw
  it) costs 0; an item that reached a mined batch costs that batch's measured gas per item
  (`gasUsed / items`, the batch's own average); a permit transaction for an attacker's tip costs
  its whole gas. An item that reached a batch is "visible to the simulation" when its fan's
  revocation was mined before the batch was recorded (the batch is recorded after it is simulated,
  so this counts a revocation that raced the simulation against the relayer: conservative);
- `verdicts`: the targets, PASS or MISS; `render_abuse`: the printed lines.
"""

from __future__ import annotations

from collections import Counter

ONCHAIN_SKIP = "skipped on chain"  # fairgift.relayer.tables.ONCHAIN_SKIP (a reason's prefix)
SIMULATED = "would be skipped (simulated"  # the batcher's simulation drop, a reason's prefix
FRONT_RUN_RATIO = 1.5  # issue 18: relayer gas wasted / the front-running fan's own gas


def status_mix(outcomes: list) -> dict:
    """`outcomes`: each request's status code (an int, or a text starting with it: "202 duplicate")
    or, when no status came back, the client's error (the connection was closed or timed out).
    Counts by outcome, with the 5xx and the unanswered totals."""
    counts = Counter(str(o) for o in outcomes)

    def code(outcome: str) -> int | None:
        head = outcome.split(" ", 1)[0]
        return int(head) if head.isdigit() else None

    # every 5xx counts, the service's own 503 "busy" included: the target is 4xx/429 only
    server_errors = sum(n for o, n in counts.items() if (code(o) or 0) >= 500)
    unanswered = sum(n for o, n in counts.items() if code(o) is None)
    return {
        "requests": len(outcomes),
        "statuses": dict(sorted(counts.items())),
        "server_errors": server_errors,
        "unanswered": unanswered,
    }


def availability(probes: list, phase_starts: dict[str, float], every: float, timeout: float, slow: float):
    """The health prober's record: `probes` as (status, seconds, wall-clock time); a failure is
    anything but a 200 (no answer within `timeout` included); the failed and the slow ones located
    in the phases (`phase_starts`: name -> wall-clock start)."""

    def where(at: float) -> str:
        started = [(t, name) for name, t in phase_starts.items() if t <= at]
        if not started:
            return f"setup {at - min(phase_starts.values(), default=at):+.1f} s"
        t, name = max(started)
        return f"{name} +{at - t:.1f} s"

    failures = [p for p in probes if p[0] != 200]
    late = [p for p in probes if p[0] == 200 and p[1] > slow]
    return {
        "probes": len(probes),
        "failures": len(failures),
        "failed_with": sorted({str(p[0]) for p in failures}),
        "failed_at": [where(p[2]) for p in failures],
        "slow": len(late),
        "slow_s": slow,
        "slow_at": [f"{where(p[2])} ({p[1]:.2f} s)" for p in late],
        "interval_s": every,
        "timeout_s": timeout,
        "slowest_s": round(max((p[1] for p in probes), default=0.0), 3),
    }


def attacker_gas(items: list[dict], txs: dict[int, dict], revoked_at: dict[str, float]) -> dict:
    """The relayer's gas on attackers' accepted tips.

    `items`: the attackers' rows of `relay_tips` as dicts (`id`, `fan`, `status`, `reason`,
    `batch_id`); `txs`: `relay_txs` rows by id (`kind`, `status`, `gas_used`, `items`,
    `created_at`, `tip_id`); `revoked_at`: per fan (lower case), when its revocation was mined
    (wall clock, the serve process's clock too)."""
    dropped: Counter = Counter()
    reached = {"landed": 0, "skipped_on_chain": 0, "other": 0}
    gas_visible = gas_invisible = gas_landed = 0
    visible_items = invisible_items = 0
    for item in items:
        tx = txs.get(item.get("batch_id")) if item.get("batch_id") is not None else None
        if tx is None:
            reason = item.get("reason") or ""
            if item["status"] == "skipped":
                dropped["simulation" if reason.startswith(SIMULATED) else "pre-check"] += 1
            else:
                dropped[item["status"]] += 1  # still queued at the end (reported, costs nothing yet)
            continue
        per_item = round(int(tx.get("gas_used") or 0) / max(1, int(tx["items"])))
        if item["status"] == "landed":
            reached["landed"] += 1  # the revocation came after the batch: the fan simply tipped
            gas_landed += per_item
            continue
        reached["skipped_on_chain" if (item.get("reason") or "").startswith(ONCHAIN_SKIP) else "other"] += 1
        mined = revoked_at.get(item["fan"].lower())
        if mined is not None and mined < float(tx["created_at"]):
            visible_items += 1
            gas_visible += per_item
        else:
            invisible_items += 1
            gas_invisible += per_item
    attacker_ids = {item["id"] for item in items}
    permits = [tx for tx in txs.values() if tx.get("kind") == "permit" and tx.get("tip_id") in attacker_ids]
    gas_permits = sum(int(tx.get("gas_used") or 0) for tx in permits)
    return {
        "accepted_items": len(items),
        "dropped_before_paying": dict(sorted(dropped.items())),
        "reached_a_batch": reached,
        "visible_items_in_batches": visible_items,
        "gas_visible": gas_visible + gas_permits,
        "invisible_items_in_batches": invisible_items,
        "gas_invisible": gas_invisible,
        "gas_on_landed_attacker_tips": gas_landed,
        "permit_txs": len(permits),
        "method": (
            "dropped before paying = 0 gas; an item in a mined batch = the batch's gasUsed / items; "
            "a permit for an attacker's tip = its gasUsed; visible = the revocation was mined before "
            "the batch was recorded (relay_txs.created_at)"
        ),
    }


def front_run_cost(fr: dict, txs: dict) -> dict:
    """The front-run's wasted gas: the batch's measured gas per item (`gasUsed / items`) for the one
    item of the fan's in it (the policy's `fan_per_batch`)."""
    if not fr.get("reproduced"):
        return fr
    tx = next((t for t in txs.values() if t["tx_hash"].lower() == fr["batch_tx"].lower()), None)
    items = int(tx["items"]) if tx else 0
    wasted = round(fr["batch_gas"] / items) if items else fr["batch_gas"]
    return {
        **fr,
        "batch_items": items,
        "items_in_batch": 1,
        "wasted_gas": wasted,
        "ratio": round(wasted / fr["attacker_gas"], 3) if fr["attacker_gas"] else None,
    }


def verdicts(data: dict) -> list[tuple[bool, str]]:
    """(passed, what) per target."""
    out = []
    kinds = data["attacks"]
    bad = {k: v["server_errors"] + v["unanswered"] for k, v in kinds.items()}
    honest_bad = sum(
        p["honest"]["post"]["server_errors"] + p["honest"]["post"]["unanswered"] for p in data["phases"]
    )
    total = sum(bad.values()) + honest_bad
    worst = ", ".join(f"{k}: {n}" for k, n in bad.items() if n) or "none"
    out.append((total == 0, f"no 5xx and no request left unanswered ({total}; by kind: {worst})"))
    tips = data["tips"]
    out.append(
        (
            tips["stored"] == tips["accepted"],
            f"replayed and tampered tips made no tip: {tips['stored']} in the relay database, "
            f"{tips['accepted']} accepted as new",
        )
    )
    probe = data["availability"]
    out.append(
        (
            probe["failures"] == 0 and probe["probes"] > 0,
            f"serve never stopped answering: {probe['failures']} of {probe['probes']} health probes failed "
            f"(every {probe['interval_s']:g} s, timeout {probe['timeout_s']:g} s; slowest "
            f"{probe['slowest_s']:.2f} s, {probe['slow']} over {probe['slow_s']:g} s)",
        )
    )
    gas = data["gas"]
    out.append(
        (
            gas["gas_visible"] == 0,
            f"relayer gas on attacker items the simulation could see: {gas['gas_visible']:,} "
            f"({gas['visible_items_in_batches']} such items in batches; target 0)",
        )
    )
    fr = data.get("front_run")
    if fr and fr.get("reproduced"):
        ratio = fr["ratio"]
        out.append(
            (
                ratio is not None and ratio <= fr["target_ratio"],
                f"front-running fan: relayer gas wasted {fr['wasted_gas']:,} / the fan's own "
                f"{fr['attacker_gas']:,} = {ratio:.2f} (target <= {fr['target_ratio']:g}; "
                f"{fr['items_in_batch']} of its items in the batch, policy fan_per_batch)",
            )
        )
    for phase in data["phases"]:
        h = phase["honest"]
        out.append(
            (
                h["accepted"] > 0 and h["landed"] == h["accepted"],
                f"{phase['name']}: honest tips all landed ({h['landed']} of {h['accepted']} accepted)",
            )
        )
    return out


def _statuses(mix: dict) -> str:
    return ", ".join(f"{n} x {code}" for code, n in mix["statuses"].items()) or "-"


def render_abuse(data: dict) -> str:
    lines = ["", "abuse: honest fans under attack (fairgift.bench.abuse)", "-" * 100]
    s = data["setup"]
    lines.append(
        f"serve: default guard and relay policy, --trusted-proxies 1 (each simulated client its own "
        f"X-Forwarded-For, as behind a proxy); {s['honest_fans']} honest fans at "
        f"{s['honest_rate']:g} tips/s, {s['phase_s']:g} s per phase; machine load "
        f"(1, 5, 15 min) {s.get('load_at_start', '?')} at the start, {s.get('load', '?')} at the end"
    )
    for phase in data["phases"]:
        h = phase["honest"]
        lines.append(
            f"{phase['name']:<10} honest: {h['accepted']} accepted, {h['landed']} landed; accepted->landed "
            f"p50 {h['latency_p50_s']:.2f} s p95 {h['latency_p95_s']:.2f} s max {h['latency_max_s']:.2f} s; "
            f"posted->landed p50 {h['posted_p50_s']:.2f} s p95 {h['posted_p95_s']:.2f} s; "
            f"posts {_statuses(h['post'])}"
        )
        if "seen_by_poller_p50_s" in h:
            lines.append(
                f"{'':<11}(from the relayer's records; a client polling its tip saw it land "
                f"p50 {h['seen_by_poller_p50_s']:.2f} s p95 {h['seen_by_poller_p95_s']:.2f} s after its 202)"
            )
        if h.get("by_5s"):
            windows = " ".join(f"{w['p50_s']:.1f}/{w['max_s']:.1f}" for w in h["by_5s"])
            lines.append(f"{'':<11}accepted->landed p50/max by 5 s of the phase: {windows}")
    lines.append("attack (phase 2)                  rate/s  requests  status codes")
    for kind, mix in data["attacks"].items():
        rate = data["attack_rates"].get(kind)
        rate_text = f"{rate:>6.1f}" if rate else "     -"
        lines.append(f"  {kind:<32}{rate_text}  {mix['requests']:>8}  {_statuses(mix)}")
    g = data["gas"]
    dropped = ", ".join(f"{k} {n}" for k, n in g["dropped_before_paying"].items()) or "none"
    r = g["reached_a_batch"]
    lines.append(
        f"relayer gas on attackers: {g['accepted_items']} attacker tips accepted; dropped before paying: "
        f"{dropped}; in batches: {r['landed']} landed (fan paid its tip), {r['skipped_on_chain']} skipped "
        f"on chain; gas visible {g['gas_visible']:,}, invisible {g['gas_invisible']:,}"
    )
    lines.append(f"  (method: {g['method']})")
    c = data.get("chain_check")
    if c:
        lines.append(
            f"  chain check: {c['relayer_txs']} relayer txs mined in the run ({c['gas']:,} gas), "
            f"{c['recorded_txs']} in the relay database; BatchTipSkipped logs {c['skipped_logs']} "
            f"({c['skipped_logs_attackers']} of attackers)"
        )
    fr = data.get("front_run")
    if fr:
        if fr.get("reproduced"):
            lines.append(
                f"front-run: revocation mined before the batch in block {fr['block']}; batch status "
                f"{fr['batch_status']} ({fr['batch_gas']:,} gas, {fr['batch_items']} items); "
                f"automine paused {fr.get('automine_paused_s', 0):.1f} s for it; after: the fan's next "
                f"tip got {fr['after_status']}"
            )
        else:
            lines.append(f"front-run: not reproduced ({fr.get('why', '?')})")
    m = data["memory"]
    lines.append(
        f"serve memory (VmRSS, every {m['interval_s']:g} s): start {m['start_mib']:.0f} MiB, peak "
        f"{m['peak_mib']:.0f} MiB, end {m['end_mib']:.0f} MiB"
    )
    for passed, what in verdicts(data):
        lines.append(f"{'PASS' if passed else 'MISS'}  {what}")
    lines.append(f"(abuse bench: {data.get('seconds')} s)")
    return "\n".join(lines)
