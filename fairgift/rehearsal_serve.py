"""The rehearsal's second half (`make rehearse`): the service on the rehearsed network.

On the rehearsal's anvil (the target's chain id, Circle's USDC at its canonical address, FairGift
deployed through the profile), `ape run fairgift serve --network {ecosystem}:{network}:<anvil>`
runs as its own process, exactly as an operator starts it there, so it takes its confirmations,
batch size and gas policy from the network's profile (fairgift.chain_profile). Then a fan holding
USDC and no ether tips gaslessly through its HTTP API as a wallet would: `POST /api/tips/prepare`,
the permit and the tip signed with the fan's key (USDC's domain: "USD Coin", version "2"), `POST
/api/tips`; the relayer lands it (permit, then `tipBatch`, after the profile's confirmations); the
creator's credit is checked on chain, and the fans' page is fetched over HTTP and opened in the
headless Chromium. The service is stopped (SIGTERM) and must exit cleanly.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fairgift.errors import FairGiftError
from fairgift.networks import NetworkProfile

log = logging.getLogger("fairgift.rehearsal")

SERVE_START_SECONDS = 120
LAND_SECONDS = 120
RELAYER = "TEST::9"  # the node's last test account: the story's relayer, idle once the story ends
TIP = 2_500_000  # 2.50 USDC
MESSAGE = "gasless, no ether"


@dataclass
class Served:
    """What the service part of the rehearsal saw."""

    settings: str = ""  # the line `serve` printed: which profile, which values
    relayer_view: dict = field(default_factory=dict)  # `GET /api/relayer`'s "network"
    page_url: str = ""
    tx: str = ""
    block: int = 0
    landed_seconds: float = 0.0
    relayer_gas: int = 0  # what the relayer paid for (the permit and the batch)
    priority_fee: int = 0  # wei per gas the relayer offered in the batch
    browser: str = ""  # what the headless Chromium showed, or why it was not opened


def request(method: str, url: str, body: dict | None = None, timeout: float = 30.0):
    """(status, decoded JSON) of a request, 4xx and 5xx included."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data, {"Content-Type": "application/json"}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def fetch_text(url: str, timeout: float = 30.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as res:
        return res.read().decode("utf8")


@contextmanager
def serve_process(network: str, node_url: str, deployments: Path, workdir: Path, port: int):
    """`ape run fairgift serve` on `network` at `node_url` (its output in `workdir/serve.log`), up
    when `/api/health` answers; yields (base URL, the process, the log's path). SIGTERM after."""
    ape = shutil.which("ape")
    if ape is None:
        raise FairGiftError("ape is not on PATH: run through make (`make rehearse`)")
    db = workdir / "services.sqlite3"
    for stale in workdir.glob("services.sqlite3*"):
        stale.unlink()
    cmd = [ape, "run", "fairgift", "serve", "--network", f"{network}:{node_url}", "--port", str(port)]
    cmd += ["--db", f"sqlite:///{db}", "--relayer-account", RELAYER]
    env = dict(os.environ, FAIRGIFT_DEPLOYMENTS=str(deployments))
    env.pop("FAIRGIFT_FAULTS", None)
    log_path = workdir / "serve.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVE_START_SECONDS
            while True:
                if process.poll() is not None:
                    raise FairGiftError(f"serve exited with {process.returncode}: see {log_path}")
                try:
                    if request("GET", url + "/api/health", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise FairGiftError(
                        f"serve did not answer within {SERVE_START_SECONDS} s: see {log_path}"
                    )
                time.sleep(0.25)
            yield url, process, log_path
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)


def sign_typed(key: bytes, typed: dict) -> str:
    """`eth_signTypedData_v4` as a wallet answers it: 0x + r + s + v."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    return "0x" + bytes(Account.sign_message(encode_typed_data(full_message=typed), key).signature).hex()


def run(result, store, node_url: str, usdc, minter, creator, port: int) -> Served:
    """The service part on the connected rehearsal chain; adds its checks to `result.checks`.
    `usdc`: Circle's token (Ape contract), `minter` may mint it, `creator` receives the tip."""
    from ape import chain
    from eth_account import Account

    from fairgift.api import FairGift
    from fairgift.creators import Catalogue

    target: NetworkProfile = result.profile
    served = Served()
    fg = FairGift(result.record, store=store)
    workdir = store.folder.parent
    Catalogue.for_record(result.record, store).add("ava", creator.address, "Ava")
    fan = Account.create()
    usdc.mint(fan.address, 20 * 10**6, sender=minter)
    log.info(
        f"a fan with 20 USDC and no ether ({chain.provider.get_balance(fan.address)} wei): {fan.address}"
    )

    log.info(
        f"starting `ape run fairgift serve --network {target.ape_network}:{node_url}` (relayer {RELAYER})"
    )
    started = time.monotonic()
    with serve_process(target.ape_network, node_url, store.folder, workdir, port) as (url, process, log_path):
        served.settings = next(
            (line for line in log_path.read_text().splitlines() if line.startswith("settings from")), ""
        )
        log.info(f"  serving on {url} after {time.monotonic() - started:.1f} s; {served.settings}")
        status, info = request("GET", url + "/api/relayer")
        if status != 200:
            raise FairGiftError(f"GET /api/relayer answered {status}: {info}")
        served.relayer_view = info.get("network") or {}
        log.info(
            f"  GET /api/relayer: profile {served.relayer_view.get('profile')}, relayer confirmations "
            f"{info['confirmations']}, batch size {info['batchSize']}, gas policy {info['gasPolicy']}"
        )

        before = int(fg.jar.balanceOf(creator.address, usdc.address))
        body = {"fan": fan.address, "creator": creator.address, "amount": str(TIP), "message": MESSAGE}
        status, prepared = request("POST", url + "/api/tips/prepare", body)
        if status != 200:
            raise FairGiftError(f"POST /api/tips/prepare answered {status}: {prepared}")
        permit = prepared.get("permit")
        if permit is None:
            raise FairGiftError("the service offered no permit to a fan without an allowance")
        domain = permit["domain"]
        log.info(
            f"  POST /api/tips/prepare: a tip and a permit to sign (USDC's domain {domain['name']!r}, "
            f"version {domain['version']!r}, chain {domain['chainId']})"
        )
        signed = prepared["request"]
        signed["signature"] = sign_typed(fan.key, prepared["tip"])
        signed["permit"]["signature"] = sign_typed(fan.key, permit)
        posted_at = chain.blocks.head.number + 1
        status, queued = request("POST", url + "/api/tips", signed)
        if status != 202:
            raise FairGiftError(f"POST /api/tips answered {status}: {queued}")
        log.info(f"  POST /api/tips: {queued['status']} as {queued['id'][:18]}…")
        sent, seen = time.monotonic(), queued["status"]
        while True:
            view = request("GET", f"{url}/api/tips/{queued['id']}")[1]
            if view["status"] != seen:
                seen = view["status"]
                log.info(f"  the tip is {seen} after {time.monotonic() - sent:.1f} s")
            if seen == "landed":
                break
            if seen == "skipped" or process.poll() is not None or time.monotonic() - sent > LAND_SECONDS:
                raise FairGiftError(f"the gasless tip did not land: {view} (see {log_path})")
            time.sleep(0.2)
        served.landed_seconds = time.monotonic() - sent
        served.tx, served.block = view["tx"], int(view["block"])
        landed_at = chain.blocks.head.number
        log.info(
            f"  landed in block {served.block} (tx {served.tx[:18]}…), reported with "
            f"{landed_at - served.block} blocks on top"
        )

        fee = TIP * int(fg.jar.feeBps()) // 10_000
        credit = int(fg.jar.balanceOf(creator.address, usdc.address)) - before
        result.checks["gasless tip: creator credit"] = (TIP - fee, credit)
        result.checks["gasless tip: fan's ether"] = (0, int(chain.provider.get_balance(fan.address)))
        result.checks["gasless tip: fan's USDC"] = (20 * 10**6 - TIP, int(usdc.balanceOf(fan.address)))
        result.checks["gasless tip: permit used"] = (1, int(usdc.nonces(fan.address)))
        relayed_gas(served, chain.provider.web3, posted_at)
        if target.gas is not None and "gas policy" not in served.relayer_view.get("given", []):
            result.checks["relayer's priority fee (wei)"] = (target.gas.priority_fee(), served.priority_fee)

        served.page_url = f"{url}/c/ava"
        html = fetch_text(served.page_url)
        shown = [text for text in ("Ava", creator.address, MESSAGE) if text in html]
        result.checks["page shows creator, address, tip"] = (3, len(shown))
        log.info(f"  GET {served.page_url}: {len(html):,} bytes, shows {', '.join(repr(t) for t in shown)}")
        served.browser = open_in_browser(served.page_url)
        log.info(f"  headless Chromium: {served.browser}")
    if process.returncode != 0:
        raise FairGiftError(f"serve exited with {process.returncode} on SIGTERM: see {log_path}")
    if "Traceback" in log_path.read_text(errors="replace"):
        raise FairGiftError(f"serve logged a traceback: see {log_path}")
    log.info(f"  serve stopped cleanly (its log: {log_path})")
    return served


def relayed_gas(served: Served, web3, first_block: int) -> None:
    """The gas the relayer paid for the gasless tip (its permit and its batch, mined from
    `first_block` on) and the priority fee it offered in the batch."""
    tx = web3.eth.get_transaction(served.tx)
    served.priority_fee = int(tx.get("maxPriorityFeePerGas") or 0)
    sender = tx["from"]
    served.relayer_gas = 0
    for number in range(first_block, served.block + 1):
        block = web3.eth.get_block(number, full_transactions=True)
        for item in block["transactions"]:
            if item["from"] == sender:
                served.relayer_gas += int(web3.eth.get_transaction_receipt(item["hash"])["gasUsed"])


def open_in_browser(url: str) -> str:
    """Open `url` in the headless Chromium and read what the page shows once it is ready."""
    from fairgift.browser import chromium

    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            tips = page.locator("#recent-list li").all_inner_texts()
            heading = page.locator("#creator-label").inner_text()
    except RuntimeError as err:  # no Chromium unpacked (make setup not run): the HTTP check stands
        return f"not opened ({err})"
    if not any(MESSAGE in tip for tip in tips):
        raise FairGiftError(f"the page in Chromium shows no tip {MESSAGE!r}: {tips}")
    newest = " ".join(tips[0].split())
    return f"rendered {heading!r} with {len(tips)} tip(s), the newest: {newest[:90]!r}"
