"""The services' benchmark (part of `make bench`): the index and the relayer, on a fresh anvil.

Index. `events` tips (default 100,000) are signed by `fans` fresh keys to `creators` creators
(creator #0, the "top creator", gets 10% of them; the rest share the remainder) and land through
`tipBatch` transactions of `batch` items sent straight to the node. Then, on that chain: the time
for `Index.sync()` to catch up from nothing (events per second), and the time to answer one
creator's tips (`events(["Tipped"], creator=…)`) and one creator's ledger
(`fairgift.ledger.creator_ledger`), on the index and on the event scan
(`fairgift.events.ScanSource`), checked equal. Target: the index answers a creator's
ledger in under 1% of the scan's time at 100,000 events.

Relayer (`fairgift.bench.capacity`): `ape run fairgift serve` in its own process (default batching
and relay policy), `clients` threads posting `relay_tips` signed tips while a poller follows them:
accepted and landed per second, latency, gas per tip, against the same tips sent as direct `tip`
transactions by the same threads; PASS/MISS against issue #18's targets.

Numbers depend on the machine and its load; gas does not.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from pathlib import Path

from eth_account import Account

from fairgift.batch import batch_args, by_creator
from fairgift.bench.capacity import bench_relayer, render_capacity
from fairgift.bench.harness import ROOT, plain_anvil
from fairgift.bench.rawchain import RawChain, calldata, sign_tip

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
# fairgift/bench/capacity.py: accepted and landed per second through `serve`, against direct tips


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
        lines += render_capacity(rl)
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
