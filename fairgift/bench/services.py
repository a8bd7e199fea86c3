"""The services' benchmark (part of `make bench`): the index and the relayer, on a fresh anvil.

Index. `events` tips (default 100,000) are signed by `fans` fresh keys to `creators` creators
(creator #0, the "top creator", gets 10% of them; the rest share the remainder) and land through
`tipBatch` transactions of `batch` items sent straight to the node. Then, on that chain: the time
for `Index.sync()` to catch up from nothing (events per second), and the time to answer one
creator's tips (`events(["Tipped"], creator=…)`) and one creator's ledger
(`fairgift.ledger.creator_ledger`), on the index and on the event scan
(`fairgift.events.ScanSource`), checked equal. Target: the index answers a creator's
ledger in under 1% of the scan's time at 100,000 events.

Relayer. `ape run fairgift serve` in its own process (default batching: 50 tips or 2 s), and
`clients` threads posting `relay_tips` signed tips (`POST /api/tips`) while a poller follows them
(`GET /api/tips/{id}`): tips accepted per second, landed per second, and the latency from accepted
to landed (p50, p95, max). The same tips, from the same fans, sent as direct `tip` transactions by
the same threads (each fan signs and sends its own transaction, then waits for its receipt): sent
per second, landed per second, latency from sent to mined; and the gas per tip of both paths.

Numbers depend on the machine and its load; gas does not.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eth_account import Account

from fairgift.batch import batch_args, by_creator
from fairgift.bench.harness import ROOT, ServeProcess, plain_anvil, request_json
from fairgift.bench.rawchain import RawChain, calldata, percentile, sign_tip

log = logging.getLogger("fairgift.bench")

EVENTS, FANS, CREATORS, BATCH = 100_000, 100, 100, 500
RELAY_TIPS, CLIENTS = 1_000, 8
TOP_SHARE = 0.10  # the top creator's share of the tips
INDEX_TARGET = 0.01  # the index answers a creator's ledger in under 1% of the scan's time


# ---------------------------------------------------------------------------------- helpers


# ---------------------------------------------------------------------------------- setup


class ServicesBench:
    def __init__(self, project, chain, accounts, workdir: Path):
        self.project, self.chain, self.accounts = project, chain, accounts
        self.workdir = workdir
        self.web3 = chain.provider.web3
        self.raw = RawChain(self.web3)
        self.owner = accounts.test_accounts[0]
        self.relayer_key = accounts.test_accounts[9].private_key

    def deploy(self):
        from fairgift.api import FairGift
        from fairgift.deploy import deploy
        from fairgift.deployments import DeploymentStore

        self.store = DeploymentStore(self.workdir / "deployments")
        deployed = deploy(
            self.owner, treasury=self.accounts.test_accounts[1].address, store=self.store, fresh=True
        )
        self.fg = FairGift(deployed.record, project=self.project)
        self.mock = self.project.MockUSDC.at(self.fg.usdc.address)
        self.token = str(self.fg.usdc.address)
        self.jar = str(self.fg.jar.address)

    def fund(self, count: int, whole: int) -> list:
        """`count` fresh fans with `whole` USDC each, an unlimited approval, and a little ether."""
        fans = [Account.create() for _ in range(count)]
        unit = 10**6
        pending = []
        for fan in fans:
            self.chain.provider.make_request("anvil_setBalance", [fan.address, hex(10**19)])
            data = calldata(self.mock.mint, fan.address, whole * unit)
            pending.append(self.raw.send(self.owner.private_key, self.token, data, 100_000))
            data = calldata(self.fg.usdc.approve, self.jar, 2**256 - 1)
            pending.append(self.raw.send("0x" + bytes(fan.key).hex(), self.token, data, 100_000))
        for tx in pending:
            assert self.raw.wait(tx)["status"] == 1
        return fans


# ---------------------------------------------------------------------------------- the index


def bench_index(sb: ServicesBench, events: int, fans: int, creators: int, batch: int) -> dict:
    made = make_tips(sb, events, fans, creators, batch)
    return {**made, **measure_index(sb, made.pop("creator_addresses"))}


def make_tips(sb: ServicesBench, events: int, fans: int, creators: int, batch: int) -> dict:
    """`events` signed tips from `fans` fresh fans to `creators` creators (creator #0 gets
    `TOP_SHARE` of them), landed by `tipBatch` transactions of `batch`."""
    from fairgift.relayer.reads import ChainReader

    rng = random.Random(20261130)
    fan_keys = sb.fund(fans, whole=10_000)
    creator_addrs = [Account.create().address for _ in range(creators)]
    reader = ChainReader(sb.web3, sb.jar)
    separator = reader.jar_separator()
    deadline = int(sb.web3.eth.get_block("latest")["timestamp"]) + 30 * 86_400
    log.info(f"index: signing {events:,} tips from {fans} fans to {creators} creators")
    started = time.perf_counter()
    nonces = [0] * fans
    items = []
    for t in range(events):
        f = t % fans
        c = 0 if rng.random() < TOP_SHARE else 1 + rng.randrange(creators - 1)
        fan = fan_keys[f]
        item = sign_tip(
            bytes(fan.key),
            separator,
            fan.address,
            creator_addrs[c],
            sb.token,
            250_000 + rng.randrange(5_000_000),  # at least the relay policy's minimum (0.25)
            f"tip #{t}",
            nonces[f],
            deadline,
        )
        nonces[f] += 1
        items.append(item.batch_item())
    signing = time.perf_counter() - started
    log.info(
        f"index: sending {len(items) // batch + (len(items) % batch > 0)} tipBatch transactions of {batch}"
    )
    first_block = sb.web3.eth.block_number + 1
    started = time.perf_counter()
    hashes = []
    for i in range(0, len(items), batch):
        data = calldata(sb.fg.jar.tipBatch, sb.token, *batch_args(by_creator(items[i : i + batch])))
        hashes.append(sb.raw.send(sb.relayer_key, sb.jar, data, 29_000_000))
    gas = 0
    for h in hashes:
        receipt = sb.raw.wait(h)
        assert receipt["status"] == 1, h
        gas += int(receipt["gasUsed"])
    sending = time.perf_counter() - started
    head = sb.web3.eth.block_number
    log.info(
        f"index: {events:,} tips in blocks {first_block:,}-{head:,} "
        f"({signing:.1f} s signing, {sending:.1f} s sending)"
    )
    return {
        "events": events,
        "fans": fans,
        "creators": creators,
        "batch": batch,
        "transactions": len(hashes),
        "blocks": head - first_block + 1,
        "gas_per_tip": round(gas / events),
        "signing_s": round(signing, 2),
        "sending_s": round(sending, 2),
        "creator_addresses": creator_addrs,
    }


def measure_index(sb: ServicesBench, creator_addrs: list[str]) -> dict:
    """Catch the index up from nothing on the chain `make_tips` made, then time the top and a
    typical creator's tips and ledger on the index and on the scan (checked equal)."""
    from fairgift import ledger
    from fairgift.db import Database
    from fairgift.events import ScanSource
    from fairgift.index import Index

    db = Database(f"sqlite:///{sb.workdir / 'index.sqlite3'}")
    index = Index(db, sb.fg.record)
    started = time.perf_counter()
    result = index.sync(progress=log.info)
    catch_up = time.perf_counter() - started
    indexed = index.state().events
    log.info(f"index: caught up {indexed:,} events in {catch_up:.1f} s")

    scan = ScanSource(sb.fg.record, sb.project)
    source = index.source()
    top = creator_addrs[0]
    typical = creator_addrs[1 + (len(creator_addrs) - 1) // 2]

    def creator_ledger(src, creator):
        # the index sums the creator's tips in SQL (tip_groups); the scan returns them one by one
        return ledger.creator_ledger(sb.fg, creator, source=src)

    def timed(fn, *args, repeat=1):
        best, value = None, None
        for _ in range(repeat):
            t0 = time.perf_counter()
            value = fn(*args)
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        return best, value

    queries = {}
    for label, creator in (("top creator", top), ("typical creator", typical)):
        log.info(f"index: {label} tips and ledger, index vs scan")
        t_index, on_index = timed(lambda c=creator: source.events(["Tipped"], creator=c), repeat=3)
        t_scan, on_scan = timed(lambda c=creator: scan.events(["Tipped"], creator=c))
        assert on_index == on_scan, f"{label}: the index and the scan disagree"
        l_index, ledger_index = timed(creator_ledger, source, creator, repeat=3)
        l_scan, ledger_scan = timed(creator_ledger, scan, creator)
        assert ledger_index == ledger_scan, f"{label}: ledgers differ"
        queries[label] = {
            "creator": creator,
            "tips": len(on_index),
            "tips_index_s": round(t_index, 4),
            "tips_scan_s": round(t_scan, 3),
            "tips_ratio": round(t_index / t_scan, 5),
            "ledger_index_s": round(l_index, 4),
            "ledger_scan_s": round(l_scan, 3),
            "ledger_ratio": round(l_index / l_scan, 5),
        }
    db.dispose()
    return {
        "indexed_events": indexed,
        "catch_up_s": round(catch_up, 2),
        "events_per_s": round(indexed / catch_up) if catch_up else None,
        "sync_reported_events": result.events,
        "queries": queries,
        "target_ratio": INDEX_TARGET,
    }


# ---------------------------------------------------------------------------------- the relayer


def bench_relayer(sb: ServicesBench, tips: int, clients: int) -> dict:
    from fairgift.relayer.reads import ChainReader

    fans = sb.fund(max(1, tips // 10), whole=1_000)  # 10 tips per fan: under the default rate limit
    creators = [Account.create().address for _ in range(20)]
    reader = ChainReader(sb.web3, sb.jar)
    separator = reader.jar_separator()
    domain = reader.jar_domain()
    deadline = int(sb.web3.eth.get_block("latest")["timestamp"]) + 86_400
    bodies = []
    for t in range(tips):
        fan = fans[t % len(fans)]
        item = sign_tip(
            bytes(fan.key),
            separator,
            fan.address,
            creators[t % len(creators)],
            sb.token,
            1_000_000,
            f"relayed #{t}",
            t // len(fans),
            deadline,
        )
        bodies.append(
            {
                "chainId": domain["chainId"],
                "jar": sb.jar,
                "tip": {
                    "fan": item.fan,
                    "creator": item.creator,
                    "token": item.token,
                    "amount": str(item.amount),
                    "message": item.message,
                    "nonce": str(item.nonce),
                    "deadline": str(item.deadline),
                },
                "signature": "0x" + item.signature.to_bytes().hex(),
            }
        )
    log.info(
        f"relayer: starting `ape run fairgift serve` (default batching), {tips:,} tips from {clients} clients"
    )
    serve = ServeProcess(
        sb.chain.provider.uri,
        sb.store.folder,
        f"sqlite:///{sb.workdir / 'relay.sqlite3'}",
        sb.workdir,
        # capacity is measured without the request-level limit (8 clients on one address)
        ["--no-index", "--client-rate", "100000", "--client-burst", "100000", "--global-rate", "100000"],
        chain_id=sb.chain.chain_id,
    )
    serve.start(timeout=120)
    accepted_at: dict[str, float] = {}
    landed_at: dict[str, float] = {}
    outcome: dict[str, dict] = {}
    lock = threading.Lock()
    try:
        started = time.perf_counter()

        def post(body):
            while True:
                status, res = request_json("POST", serve.url + "/api/tips", body)
                if status == 202:
                    with lock:
                        accepted_at[res["id"]] = time.perf_counter()
                    return
                if status in (429, 503):
                    time.sleep(0.2)
                    continue
                raise RuntimeError(f"relayer refused a tip: {status} {res}")

        done_posting = threading.Event()

        def poll():
            while True:
                with lock:
                    waiting = [i for i in accepted_at if i not in landed_at]
                if not waiting and done_posting.is_set():
                    return
                for tip_id in waiting:
                    status, view = request_json("GET", f"{serve.url}/api/tips/{tip_id}")
                    if status == 200 and view["status"] in ("landed", "skipped"):
                        with lock:
                            landed_at[tip_id] = time.perf_counter()
                            outcome[tip_id] = view
                time.sleep(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(post, bodies))
        posted = time.perf_counter()
        done_posting.set()
        poller.join(600)
        finished = max(landed_at.values()) if landed_at else time.perf_counter()
    finally:
        serve.stop()
    landed = [i for i, v in outcome.items() if v["status"] == "landed"]
    latencies = [landed_at[i] - accepted_at[i] for i in landed]
    txs = {outcome[i]["tx"] for i in landed}
    gas = sum(int(sb.web3.eth.get_transaction_receipt(tx)["gasUsed"]) for tx in txs)
    relayed = {
        "tips": tips,
        "clients": clients,
        "landed": len(landed),
        "skipped": len(outcome) - len(landed),
        "accepted_per_s": round(tips / (posted - started), 1),
        "landed_per_s": round(len(landed) / (finished - started), 1),
        "latency_p50_s": round(percentile(latencies, 0.5), 3),
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies, default=0.0), 3),
        "transactions": len(txs),
        "gas_per_tip": round(gas / len(landed)) if landed else None,
    }

    log.info(f"direct: the same {tips:,} tips as `tip` transactions from the fans, {clients} clients")
    sent_at: dict[int, float] = {}
    mined_at: dict[int, float] = {}
    receipts_gas: list[int] = []

    def direct(t):
        fan = fans[t % len(fans)]
        data = calldata(sb.fg.jar.tip, creators[t % len(creators)], sb.token, 1_000_000, f"direct #{t}")
        tx = sb.raw.send("0x" + bytes(fan.key).hex(), sb.jar, data, 200_000)
        sent_at[t] = time.perf_counter()
        receipt = sb.raw.wait(tx, poll=0.01)
        mined_at[t] = time.perf_counter()
        assert receipt["status"] == 1
        receipts_gas.append(int(receipt["gasUsed"]))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(direct, range(tips)))
    finished = time.perf_counter()
    d_lat = [mined_at[t] - sent_at[t] for t in range(tips)]
    direct_result = {
        "tips": tips,
        "clients": clients,
        "sent_and_landed_per_s": round(tips / (finished - started), 1),
        "latency_p50_s": round(percentile(d_lat, 0.5), 3),
        "latency_p95_s": round(percentile(d_lat, 0.95), 3),
        "latency_max_s": round(max(d_lat), 3),
        "transactions": tips,
        "gas_per_tip": round(statistics.mean(receipts_gas)),
        "fan_pays_gas": True,
    }
    return {"relayed": relayed, "direct": direct_result, "batch_size": 50, "batch_wait_s": 2.0}


# ---------------------------------------------------------------------------------- run, render


def run_services_bench(
    project,
    chain,
    accounts,
    *,
    events: int = EVENTS,
    fans: int = FANS,
    creators: int = CREATORS,
    batch: int = BATCH,
    relay_tips: int = RELAY_TIPS,
    clients: int = CLIENTS,
    out: Path | None = None,
) -> dict:
    from ape import networks

    started = time.perf_counter()
    (ROOT / "out").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-services-", dir=ROOT / "out"))
    data = {"index": None, "relayer": None}
    # Its own plain anvil: the one Ape starts records every execution step (--steps-tracing, for
    # gas traces), which makes a 500-tip batch take minutes instead of a fraction of a second.
    with plain_anvil(workdir) as uri, networks.parse_network_choice(f"ethereum:local:{uri}"):
        from ape import chain

        sb = ServicesBench(project, chain, accounts, workdir)
        sb.deploy()
        data["node"] = f"anvil ({uri}, chain id 31337, automine)"
        if events:
            data["index"] = bench_index(sb, events, fans, creators, batch)
        if relay_tips:
            data["relayer"] = bench_relayer(sb, relay_tips, clients)
    data["seconds"] = round(time.perf_counter() - started, 1)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=2) + "\n")
    # The chain, its deployment and the databases (hundreds of MB at 100,000 events) are scratch;
    # after a failure they stay for a look (the exception skips this).
    shutil.rmtree(workdir, ignore_errors=True)
    return data


def render_services(data: dict) -> str:
    lines = ["", "services: index and relayer (fairgift.bench.services)", "-" * 100]
    ix = data.get("index")
    if ix:
        lines.append(
            f"index catch-up   {ix['indexed_events']:>9,} events in {ix['catch_up_s']:>7.2f} s  "
            f"{ix['events_per_s']:>8,} events/s   "
            f"(made by {ix['transactions']} tipBatch txs of {ix['batch']}, "
            f"{ix['blocks']} blocks, {ix['gas_per_tip']:,} gas/tip)"
        )
        for label, q in ix["queries"].items():
            lines.append(
                f"{label:<16} {q['tips']:>6,} tips: tips {q['tips_index_s'] * 1000:>8.1f} ms index vs "
                f"{q['tips_scan_s']:>7.2f} s scan ({q['tips_ratio'] * 100:.3f}%); ledger "
                f"{q['ledger_index_s'] * 1000:>8.1f} ms vs {q['ledger_scan_s']:>7.2f} s "
                f"({q['ledger_ratio'] * 100:.3f}%)"
            )
        for label, q in ix["queries"].items():
            verdict = "PASS" if q["ledger_ratio"] < ix["target_ratio"] else "MISS"
            lines.append(
                f"{verdict}  {label} ({q['tips']:,} tips): ledger on the index "
                f"{q['ledger_ratio'] * 100:.2f}% of the scan's time "
                f"(target < {ix['target_ratio'] * 100:g}% at {ix['indexed_events']:,} events)"
            )
    rl = data.get("relayer")
    if rl:
        r, d = rl["relayed"], rl["direct"]
        lines.append(
            f"relayer (batch {rl['batch_size']} / {rl['batch_wait_s']:g} s)  "
            f"{r['tips']:,} tips, {r['clients']} clients: "
            f"accepted {r['accepted_per_s']:,.1f}/s, landed {r['landed_per_s']:,.1f}/s, latency p50 "
            f"{r['latency_p50_s']:.2f} s p95 {r['latency_p95_s']:.2f} s max {r['latency_max_s']:.2f} s, "
            f"{r['transactions']} txs, {r['gas_per_tip']:,} gas/tip paid by the relayer"
        )
        lines.append(
            f"direct `tip` txs           {d['tips']:,} tips, {d['clients']} clients: "
            f"sent+landed {d['sent_and_landed_per_s']:,.1f}/s, latency p50 {d['latency_p50_s']:.3f} s "
            f"p95 {d['latency_p95_s']:.3f} s max {d['latency_max_s']:.3f} s, {d['transactions']} txs, "
            f"{d['gas_per_tip']:,} gas/tip paid by each fan"
        )
    lines.append(f"(services bench: {data.get('seconds')} s)")
    return "\n".join(lines)


def services_options(fn):
    """The `ape run bench` options of this part."""
    import click

    fn = click.option(
        "--relay-tips", default=RELAY_TIPS, show_default=True, help="tips through the relayer (0: skip)"
    )(fn)
    fn = click.option(
        "--index-events", default=EVENTS, show_default=True, help="synthetic events indexed (0: skip)"
    )(fn)
    fn = click.option(
        "--services/--no-services", default=True, show_default=True, help="the index and relayer part"
    )(fn)
    return fn
