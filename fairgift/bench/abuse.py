"""The abuse benchmark (part of `make bench`; alone: `make bench-abuse`): honest fans keep tipping
through `ape run fairgift serve` while attackers send a steady mix of hostile requests.

On its own plain anvil (automine), `serve` in its own process with its default guard and relay
policy; the only option given is `--trusted-proxies 1`: every simulated client sends its own
`X-Forwarded-For`, as the clients of a deployment behind one reverse proxy would reach it (from
one loopback address they would all share one client's rate).

- Phase 1, no attack: `fans` honest fans (funded, with an allowance) post signed tips at `rate`
  per second for `seconds`; a poller follows each tip (`GET /api/tips/{id}`, from its fan's
  address) until it lands. Then the queue drains.
- Phase 2: the same honest load, plus attackers at the rates of `ATTACK_RATES` (requests per
  second, per kind): oversized bodies (2 MiB declared, 8 MiB chunked), deeply nested JSON
  (300,000 `[`, and 10,000 `[` under the size cap), dust tips from fresh addresses (no funds;
  and holding a few base units, with a permit), fans whose tip is accepted and who then revoke
  their allowance, honest fans' signed tips replayed (before and after they land) and tampered
  with; once, a fan front-running the relayer's batch with its revocation (automine paused while
  the batch is in the pool, the revocation sent with a higher priority fee, one block mined).
- Throughout: `GET /api/health` every 0.5 s (timeout 2 s), and the serve process's VmRSS.
- After: the relayer's gas on attackers' items, from the relay database and the relayer's mined
  transactions (`fairgift.bench.abuse_report` states the method), checked against the chain.

Numbers depend on the machine and its load (printed); the status codes and the gas do not.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from eth_utils import keccak

from fairgift.bench.abuse_clients import (
    PROBE_EVERY,
    PROBE_SLOW,
    PROBE_TIMEOUT,
    RSS_EVERY,
    paced,
    send_json,
    watch,
)
from fairgift.bench.abuse_fans import ATTACK_RATES, FANS, RATE, SECONDS, AbuseRun
from fairgift.bench.abuse_report import attacker_gas, availability, front_run_cost, status_mix
from fairgift.bench.harness import ROOT, ServeProcess, plain_anvil

log = logging.getLogger("fairgift.bench")

SKIPPED_TOPIC = "0x" + keccak(text="BatchTipSkipped(uint256,address,uint256,uint8)").hex()

# ---------------------------------------------------------------------------------- accounting


def relay_rows(db_url: str) -> tuple[dict[str, dict], dict[int, dict]]:
    """Every row of `relay_tips` (by id) and of `relay_txs` (by id), from the relay database."""
    import sqlalchemy as sa

    from fairgift.db import Database
    from fairgift.relayer.tables import relay_tips, relay_txs

    db = Database(db_url)
    try:
        with db.read() as conn:
            tips = {r.id: dict(r._mapping) for r in conn.execute(sa.select(relay_tips))}
            txs = {r.id: dict(r._mapping) for r in conn.execute(sa.select(relay_txs))}
    finally:
        db.dispose()
    return tips, txs


def chain_check(web3, relayer: str, first_block: int, attacker_fans: set[str], txs: dict) -> dict:
    """The relayer's transactions mined from `first_block` on, read from the chain, against the relay
    database's; the BatchTipSkipped logs in them (and how many name an attacker's address)."""
    mined, gas, skipped, skipped_attackers = 0, 0, 0, 0
    for number in range(first_block, int(web3.eth.block_number) + 1):
        for tx in web3.eth.get_block(number, full_transactions=True)["transactions"]:
            if str(tx["from"]).lower() != relayer.lower():
                continue
            receipt = web3.eth.get_transaction_receipt(tx["hash"])
            mined += 1
            gas += int(receipt["gasUsed"])
            for entry in receipt["logs"]:
                if (
                    entry["topics"]
                    and "0x" + bytes(entry["topics"][0]).hex().removeprefix("0x") == SKIPPED_TOPIC
                ):
                    skipped += 1
                    fan = "0x" + bytes(entry["topics"][2]).hex()[-40:]
                    skipped_attackers += fan.lower() in attacker_fans
    recorded = sum(1 for tx in txs.values() if tx["status"] in ("mined", "reverted"))
    return {
        "relayer_txs": mined,
        "gas": gas,
        "recorded_txs": recorded,
        "skipped_logs": skipped,
        "skipped_logs_attackers": skipped_attackers,
    }


# ---------------------------------------------------------------------------------- run


def run_phase(run: AbuseRun, name: str, rate: float, seconds: float, attacks=None, front_run=None):
    """`rate` honest tips per second for `seconds` (with `attacks`, each kind at its rate, and
    `front_run` once, half-way), then the queue drained; (the phase, the front-run's result)."""
    phase = {
        "name": name,
        "posts": [],
        "ids": [],
        "sent": int(rate * seconds),
        "started": time.perf_counter(),
    }
    log.info(f"abuse: {name}: {rate:g} honest tips/s for {seconds:g} s")
    stop = threading.Event()
    streams = [paced(rate, seconds, run.honest(phase), stop, workers=8)]
    for kind, fn in (attacks or {}).items():
        streams.append(paced(ATTACK_RATES[kind], seconds, fn, stop, workers=3))
    result: dict = {}
    timer = None
    if front_run is not None:
        timer = threading.Timer(seconds / 2, lambda: result.update(front_run()))
        timer.daemon = True
        timer.start()
    for stream in streams:
        stream.join()
    if timer is not None:
        timer.join(120)
    with run.lock:
        others = [i for i, f in run.follow.items() if "phase" not in f]  # the attackers' accepted tips
    run.drain(phase["ids"] + others)
    return phase, result


def run_abuse_bench(
    project,
    chain,
    accounts,
    *,
    fans: int = FANS,
    rate: float = RATE,
    seconds: float = SECONDS,
    front_run: bool = True,
    out: Path | None = None,
) -> dict:
    from ape import networks

    from fairgift.bench.services import ServicesBench

    started, load_at_start = time.perf_counter(), _load()
    (ROOT / "out").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-abuse-", dir=ROOT / "out"))
    db_url = f"sqlite:///{workdir / 'relay.sqlite3'}"
    data: dict = {"attack_rates": dict(ATTACK_RATES)}
    with plain_anvil(workdir) as uri, networks.parse_network_choice(f"ethereum:local:{uri}"):
        from ape import chain as connected

        sb = ServicesBench(project, connected, accounts, workdir)
        sb.deploy()
        log.info("abuse: starting `ape run fairgift serve` (default guard and policy, --trusted-proxies 1)")
        serve = ServeProcess(
            uri, sb.store.folder, db_url, workdir, ["--trusted-proxies", "1"], chain_id=connected.chain_id
        )
        serve.start(timeout=120)
        stop_watch, stop_poll = threading.Event(), threading.Event()
        probes, rss = [], []
        try:
            run = AbuseRun(sb, serve, fans)
            relayer = send_json(serve.url, "GET", "/api/relayer", client="10.250.0.2")[1]["relayer"]
            attacks = run.attackers(seconds)
            first_block = int(sb.web3.eth.block_number) + 1
            watchers = watch(serve, stop_watch, probes, rss)
            poller = threading.Thread(target=run.poll, args=(stop_poll,), daemon=True)
            poller.start()
            no_attack, _ = run_phase(run, "no attack", rate, seconds)
            attack_fn = (lambda: run.front_run(relayer)) if front_run else None
            under_attack, fr = run_phase(run, "under attack", rate, seconds, attacks, attack_fn)
            stop_poll.set()
            poller.join(10)
            time.sleep(1.0)  # the last probes and samples
            stop_watch.set()
            for w in watchers:
                w.join(10)
        finally:
            stop_poll.set()
            stop_watch.set()
            serve.stop()
        tips, txs = relay_rows(db_url)
        # the honest tips' latency from the relayer's own records (accepted, landed: its clock)
        data["phases"] = [run.phase_result(no_attack, tips), run.phase_result(under_attack, tips)]
        items = [t for t in tips.values() if t["fan"].lower() in run.attacker_fans]
        # every stored tip is one the bench saw accepted: no replay or tampering made another
        data["tips"] = {"accepted": len(run.follow), "stored": len(tips)}
        data["attacks"] = {k: status_mix(v) for k, v in run.attacks.items()}
        data["gas"] = attacker_gas(items, txs, run.revoked_at)
        data["chain_check"] = chain_check(sb.web3, relayer, first_block, run.attacker_fans, txs)
        if front_run:
            data["front_run"] = front_run_cost(fr, txs)
    kib = [v for v in rss if v]
    data["memory"] = {
        "interval_s": RSS_EVERY,
        "start_mib": kib[0] / 1024 if kib else 0.0,
        "peak_mib": max(kib, default=0) / 1024,
        "end_mib": kib[-1] / 1024 if kib else 0.0,
        "samples": len(rss),
    }
    phase_starts = {p["name"]: p["started"] for p in (no_attack, under_attack)}
    data["availability"] = availability(probes, phase_starts, PROBE_EVERY, PROBE_TIMEOUT, PROBE_SLOW)
    data["setup"] = {
        "honest_fans": fans,
        "honest_rate": rate,
        "phase_s": seconds,
        "load_at_start": load_at_start,
        "load": _load(),
        "node": "anvil (automine), its own",
        "serve_args": ["--trusted-proxies", "1"],
    }
    data["seconds"] = round(time.perf_counter() - started, 1)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=2, default=str) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)  # scratch; after a failure it stays for a look
    return data


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg()) + f" on {os.cpu_count()} cores"
    except OSError:
        return "?"


def abuse_options(fn):
    """The `ape run bench` options of this part."""
    import click

    fn = click.option(
        "--abuse-seconds",
        default=SECONDS,
        show_default=True,
        type=click.FloatRange(1),
        help="seconds of each abuse phase",
    )(fn)
    fn = click.option(
        "--abuse-rate",
        default=RATE,
        show_default=True,
        type=click.FloatRange(0.1),
        help="honest tips per second in the abuse part",
    )(fn)
    fn = click.option(
        "--abuse-fans",
        default=FANS,
        show_default=True,
        type=click.IntRange(1),
        help="honest fans in the abuse part",
    )(fn)
    fn = click.option("--abuse-only", is_flag=True, help="run only the abuse part (`make bench-abuse`)")(fn)
    fn = click.option(
        "--abuse/--no-abuse",
        default=True,
        show_default=True,
        help="the service under attack (fairgift/bench/abuse.py)",
    )(fn)
    return fn
