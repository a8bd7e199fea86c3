"""The fans' page in the benchmark: how fast a creator page renders, and what it costs to load.

On the connected (throw-away) chain: deploy, give one creator `tips` tips with messages (fans
sign EIP-712 `Tip`s, a relayer account lands them with `tipBatch`), index them, serve the page
(the service's app, uvicorn on a free port) and open it in the headless Chromium that `make setup`
unpacked. Each load is a fresh browser context (cold cache). Measured per page:

- first render: from the start of navigation to the page's `fairgift-ready` mark (the creator,
  the fee, the gifts, the token and the newest tips shown), median of `loads`;
- the service's own time to build the page's state (embedded in the HTML);
- requests and bytes transferred (Resource Timing `transferSize`), and every host contacted.

Rows, all from the same run: the busy creator read through the index (the target: under 300 ms,
under 100 KB, no host but the service), the same again without a new block (the service reuses
what it read at that block), the same page with the index turned off (the events scanned from the
chain), and a creator with no tips (the baseline the ratios use). A block is mined before every
load of the other rows, so the service reads everything afresh each time: the cold case.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit

from fairgift.bench.harness import chromium, serving

log = logging.getLogger("fairgift.bench")

PAGE_TIPS = 10_000
PAGE_LOADS = 9
SCAN_LOADS = 3  # the no-index row takes seconds a load at 10,000 tips: fewer of them
BATCH = 200  # tips per tipBatch transaction while filling the chain
TARGET_RENDER_MS = 300
TARGET_BYTES = 100 * 1024


def fill_tips(fg, project, owner, fans, creator, relayer, tips: int, batch: int = BATCH) -> int:
    """`tips` signed tips from `fans` to `creator`, landed `batch` at a time by `relayer`; returns
    how many landed."""
    from eth_keys import keys

    from fairgift import eip712
    from fairgift.batch import BatchTip
    from fairgift.signing import domain_of

    usdc = project.MockUSDC.at(fg.usdc.address)
    for fan in fans:
        usdc.mint(fan, 10**6 * 10**6, sender=owner)
        fg.usdc.approve(fg.jar, 2**256 - 1, sender=fan)
    domain = domain_of(fg.jar)
    separator = eip712.domain_separator(domain)
    token, deadline = fg.usdc.address, fg.now() + 86_400
    signers = {
        fan.address: keys.PrivateKey(bytes.fromhex(fan.private_key.removeprefix("0x"))) for fan in fans
    }
    nonces = dict.fromkeys(signers, 0)
    landed, items = 0, []
    started = time.perf_counter()
    for i in range(tips):
        fan = fans[i % len(fans)].address
        amount = 1_000_000 + i  # 1 USDC and a little, so every row differs
        message = f"tip #{i + 1}: thanks for the stream!"
        nonce = nonces[fan]
        nonces[fan] += 1
        digest = eip712.digest(
            separator, eip712.tip_struct_hash(fan, creator, token, amount, message, nonce, deadline)
        )
        sig = signers[fan].sign_msg_hash(digest)
        r, vs = eip712.compact(sig.v + 27, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"))
        items.append(BatchTip(fan, creator, amount, nonce, deadline, r, vs, message))
        if len(items) == batch or i == tips - 1:
            landed += _send_batch(fg, relayer, token, items)
            items = []
            log.info("page bench: %s of %s tips landed (%.0f s)", landed, tips, time.perf_counter() - started)
    return landed


def _send_batch(fg, relayer, token, items) -> int:
    """`tipBatch` of `items` (arguments from `fairgift.batch`, the one encoder of the batch) sent
    straight to the node from the (unlocked, local) relayer account, the calldata encoded once with
    eth_abi: Ape's per-call checks would take longer than the chain does. Returns how many tips
    it landed."""
    from eth_abi import encode
    from eth_utils import keccak

    from fairgift.batch import batch_args, by_creator

    abi = next(m for m in fg.jar.contract_type.mutable_methods if m.name == "tipBatch")
    types = [i.canonical_type for i in abi.inputs]
    data = keccak(text=f"tipBatch({','.join(types)})")[:4] + encode(
        types, [token, *batch_args(by_creator(items))]
    )
    web3 = fg.chain.provider.web3
    tx = web3.eth.send_transaction(
        {"from": relayer.address, "to": fg.jar.address, "data": data, "gas": 29_000_000}
    )
    receipt = web3.eth.wait_for_transaction_receipt(tx)
    if receipt["status"] != 1:
        raise RuntimeError(f"tipBatch reverted ({tx.hex()})")
    topic = keccak(text="Tipped(address,address,address,uint256,uint256,uint256,string)")
    return sum(1 for entry in receipt["logs"] if bytes(entry["topics"][0]) == topic)


def measure_loads(browser, url: str, loads: int, before_each=None) -> dict:
    """Open `url` `loads` times, each in a fresh browser context (nothing cached in the browser);
    `before_each()` runs before every load (e.g. mine a block, so the service reads everything
    afresh). Medians and maxima of the loads; requests and bytes up to the first render."""
    runs = []
    for _ in range(loads):
        if before_each is not None:
            before_each()
        context = browser.new_context(viewport={"width": 390, "height": 844})
        try:
            page = context.new_page()
            hosts: set[str] = set()
            page.on("request", lambda request, hosts=hosts: hosts.add(urlsplit(request.url).netloc))
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            figures = page.evaluate(
                """() => {
                    const nav = performance.getEntriesByType("navigation")[0];
                    const ready = performance.getEntriesByName("fairgift-ready")[0];
                    const before = performance.getEntriesByType("resource")
                        .filter((r) => r.startTime <= ready.startTime);
                    const state = JSON.parse(document.getElementById("state").textContent);
                    return {
                        render_ms: ready.startTime,
                        requests: 1 + before.length,
                        bytes: nav.transferSize + before.reduce((n, r) => n + r.transferSize, 0),
                        tips_shown: document.querySelectorAll("#recent-list li").length,
                        server_ms: state.served_in_ms,
                    };
                }"""
            )
            page.wait_for_timeout(300)  # let the page's follow-up requests (a gift quote) go out
            figures["hosts"] = sorted(hosts)
            runs.append(figures)
        finally:
            context.close()
    return {
        "render_ms": round(statistics.median(r["render_ms"] for r in runs), 1),
        "render_ms_max": round(max(r["render_ms"] for r in runs), 1),
        "server_ms": round(statistics.median(r["server_ms"] for r in runs), 1),
        "requests": max(r["requests"] for r in runs),
        "bytes": max(r["bytes"] for r in runs),
        "tips_shown": runs[0]["tips_shown"],
        "hosts": sorted({h for r in runs for h in r["hosts"]}),
        "loads": len(runs),
    }


def run_page_bench(
    project, chain, accounts, *, tips: int = PAGE_TIPS, loads: int = PAGE_LOADS, workdir=None
) -> dict:
    """Run the page benchmark on the connected chain; returns the figures (JSON-ready)."""
    from fairgift import events
    from fairgift.api import FairGift
    from fairgift.creators import Catalogue
    from fairgift.db import Database
    from fairgift.deploy import deploy
    from fairgift.deployments import DeploymentStore, project_root
    from fairgift.index import Index
    from fairgift.service import Service, ServiceConfig
    from fairgift.web.app import create_app
    from fairgift.web.guard import UNLIMITED

    root = project_root()
    workdir = Path(workdir or root / "out" / "bench-page")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    test = accounts.test_accounts
    owner, busy, quiet, relayer = test[0], test[2], test[6], test[9]
    fans = [test[i] for i in (3, 4, 5, 7, 8)]
    store = DeploymentStore(workdir / "deployments", throwaway=True)
    deployed = deploy(owner, treasury=test[1].address, store=store, fresh=True)
    fg = FairGift(deployed.record, project=project, store=store)
    catalogue = Catalogue.for_record(fg.record, store)
    catalogue.add("busy", busy.address, "Busy creator")
    catalogue.add("quiet", quiet.address, "Quiet creator")
    fg.launch(busy, "Busy Token", "BUSY")
    started = time.perf_counter()
    landed = fill_tips(fg, project, owner, fans, busy.address, relayer, tips)
    fill_s = time.perf_counter() - started
    db = Database(f"sqlite:///{workdir / 'services.sqlite3'}")
    index = Index(db, fg.record, project=project)
    started = time.perf_counter()
    synced = index.sync()
    index_s = time.perf_counter() - started
    service = Service(fg, db, config=ServiceConfig(relay=False, limits=UNLIMITED))
    service.index, service.creators = index, catalogue
    rows = {}

    def new_block():
        chain.mine()  # the service's per-block reads start afresh: every measured load is cold

    try:
        with serving(create_app(service)) as base, chromium(root) as browser:
            service_host = urlsplit(base).netloc
            measure_loads(browser, f"{base}/c/busy", 1)  # warm-up (imports, first context), not counted
            rows["busy_index"] = measure_loads(browser, f"{base}/c/busy", loads, new_block)
            rows["busy_index_warm"] = measure_loads(browser, f"{base}/c/busy", loads)
            rows["quiet"] = measure_loads(browser, f"{base}/c/quiet", loads, new_block)
            service.index = None
            previous = events.set_index_finder(None)  # no index anywhere: the page scans the chain
            try:
                rows["busy_scan"] = measure_loads(
                    browser, f"{base}/c/busy", min(loads, SCAN_LOADS), new_block
                )
            finally:
                events.set_index_finder(previous)
                service.index = index
    finally:
        db.dispose()
    busy_row = rows["busy_index"]
    return {
        "tips": landed,
        "fill_s": round(fill_s, 1),
        "index_events": getattr(synced, "events", None),
        "index_s": round(index_s, 2),
        "rows": rows,
        "service_host": service_host,
        "ratios": {
            "busy_index_vs_quiet": round(busy_row["render_ms"] / rows["quiet"]["render_ms"], 2),
            "busy_scan_vs_index": round(rows["busy_scan"]["render_ms"] / busy_row["render_ms"], 2),
        },
        "targets": {
            "render_ms": {"target": TARGET_RENDER_MS, "ok": busy_row["render_ms"] < TARGET_RENDER_MS},
            "bytes": {"target": TARGET_BYTES, "ok": busy_row["bytes"] < TARGET_BYTES},
            "hosts": {"target": [service_host], "ok": busy_row["hosts"] == [service_host]},
        },
    }


def render_page(data: dict) -> str:
    """The page benchmark as a small table."""
    names = {
        "busy_index": f"creator with {data['tips']:,} tips (index)",
        "busy_index_warm": "  the same, no new block (its reads reused)",
        "busy_scan": f"creator with {data['tips']:,} tips (no index: scan)",
        "quiet": "creator with no tips (baseline)",
    }
    lines = [
        "Fans' page: first render (median and max of the loads, phone width), each load in a fresh "
        "browser and, but for one row, after a new block",
        f"  {'page':<50} {'loads':>5} {'render ms':>10} {'max':>8} {'server ms':>10} "
        f"{'requests':>9} {'bytes':>9}",
    ]
    for key in ("busy_index", "busy_index_warm", "busy_scan", "quiet"):
        row = data["rows"][key]
        lines.append(
            f"  {names[key]:<50} {row['loads']:>5} {row['render_ms']:>10.1f} {row['render_ms_max']:>8.1f} "
            f"{row['server_ms']:>10.1f} {row['requests']:>9} {row['bytes']:>9,}"
        )
    t, r = data["targets"], data["ratios"]
    verdict = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    lines += [
        f"  ratios: {r['busy_index_vs_quiet']}x the empty page with the index; "
        f"the scan takes {r['busy_scan_vs_index']}x the index",
        f"  targets: render < {t['render_ms']['target']} ms {verdict(t['render_ms']['ok'])}; "
        f"< {t['bytes']['target'] // 1024} KB {verdict(t['bytes']['ok'])}; "
        f"hosts {', '.join(data['rows']['busy_index']['hosts'])} only {verdict(t['hosts']['ok'])}",
        f"  setup: {data['tips']:,} tips landed in {data['fill_s']} s; "
        f"indexed {data['index_events']} events in {data['index_s']} s",
    ]
    return "\n".join(lines)
