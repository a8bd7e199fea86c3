"""The benchmark's scale sections, on a `Bench` whose gas sections ran: operations late in a
deployment's life against early ones (after 1,000 tips, at supply 10^6), tips per second through
the Python API (unbatched, bare contract calls, batched) and the ledger rebuilt from events."""

from __future__ import annotations

import logging
import time

from fairgift import batch, ledger
from fairgift.amounts import parse_amount
from fairgift.bench.measure import BATCH, MESSAGE, TRADE, Bench
from fairgift.bench.results import WARM, key

log = logging.getLogger("fairgift.bench")

HISTORY = 1_000
THROUGHPUT_TIPS, FANS, CREATORS = 1_000, 50, 10
TIP_AMOUNTS = ("1", "2.50", "5", "0.99", "20")


def measure_history(bench: Bench, earlier: int = HISTORY):
    """Late operations (after `earlier` tips / credits, at supply 10^6) against early ones."""
    history = bench.results.scale.setdefault("history", [])
    if hasattr(bench, "jar") and hasattr(bench, "history_tip"):
        log.info(f"history: {earlier:,} tips")
        jar, usdc = bench.jar, bench.usdc
        fan, creator, amount = bench.history_tip
        early_tip = bench.results.gas(key("tip", WARM))
        # an early withdrawal: a stablecoin holder withdrawing after a single credit
        early_one = bench.fresh()
        bench.mint(early_one, 1)
        jar.tip(early_one, usdc, amount, MESSAGE, sender=fan)
        early_withdraw = jar.withdraw(usdc, sender=early_one).gas_used
        bench.mint(creator, 1)
        mode = tip_many(bench, creator, earlier)
        late_tip = jar.tip(creator, usdc, amount, MESSAGE, sender=fan).gas_used
        history.append(
            {
                "name": f"tip after {earlier:,} earlier tips",
                "early": early_tip,
                "late": late_tip,
                "what": f"same fan and creator, warm; history via {mode}",
            }
        )
        late_withdraw = jar.withdraw(usdc, sender=creator).gas_used
        history.append(
            {
                "name": f"withdraw after {earlier:,} credits",
                "early": early_withdraw,
                "late": late_withdraw,
                "what": "after 1 credit vs after the tips above",
            }
        )
    if hasattr(bench, "market") and hasattr(bench, "history_buy"):
        log.info("history: buy at supply 10^6")
        token, holder = bench.history_buy
        early_buy = bench.results.gas(key("buy", WARM))
        early_supply = int(token.totalSupply())
        whale = bench.payer(bench.market, whole=10**9)
        bench.buy(token, 10**6 * 10**18 - early_supply, whale)
        supply = int(token.totalSupply())
        late_buy = bench.buy(token, TRADE, holder).gas_used
        history.append(
            {
                "name": "buy at supply 10^6 tokens",
                "early": early_buy,
                "late": late_buy,
                "what": f"same holder and amount at supply {early_supply / 10**18:,.0f} vs "
                f"{supply / 10**18:,.0f} tokens",
            }
        )


def tip_many(bench: Bench, creator, n: int) -> str:
    """`n` tips to `creator` from BATCH fans, through tipBatch."""
    amount = bench.usdc_unit
    fans = [bench.payer(bench.jar, whole=1_000) for _ in range(min(BATCH, n))]
    relayer = bench.fresh()
    sent, nonce = 0, 100
    while sent < n:
        size = min(len(fans), n - sent)
        bench.tip_batch(bench.batch_items([(f, creator) for f in fans[:size]], amount, nonce), relayer)
        sent += size
        nonce += 1
    return f"{(n + BATCH - 1) // BATCH} tipBatch transactions"


def deployment_api(bench: Bench):
    """`fairgift.api.FairGift` over the bench's own deployment."""
    from fairgift.api import FairGift
    from fairgift.deployments import Deployment

    if not hasattr(bench, "jar"):
        bench.setup_jar()
    if not hasattr(bench, "market"):
        bench.setup_market()
    contracts = {
        "MockUSDC": bench.usdc.address,
        "TipJar": bench.jar.address,
        "CreatorMarket": bench.market.address,
    }
    return FairGift(Deployment.here(contracts, bench.jar_start_block), project=bench.project)


def measure_throughput(bench: Bench, tips: int = THROUGHPUT_TIPS, fans: int = FANS, creators: int = CREATORS):
    fg = deployment_api(bench)
    log.info(f"throughput: {tips:,} tips from {fans} fans to {creators} creators")
    jar, usdc = bench.jar, bench.usdc
    fan_accounts = [bench.payer(jar, whole=10_000) for _ in range(fans)]
    creator_accounts = [bench.fresh() for _ in range(creators)]
    plan = [
        (fan_accounts[i % fans], creator_accounts[i % creators], TIP_AMOUNTS[i % len(TIP_AMOUNTS)])
        for i in range(tips)
    ]
    start_block = bench.chain.blocks.head.number + 1
    tp = {
        "provider": bench.chain.provider.name,
        "tips": tips,
        "fans": fans,
        "creators": creators,
        "api": "fairgift.api.FairGift.tip",
    }

    def timed(mode: str, send, transactions: int):
        started = time.perf_counter()
        for fan, creator, text in plan:
            send(fan, creator, text)
        seconds = time.perf_counter() - started
        tp[mode] = {
            "seconds": round(seconds, 3),
            "tips_per_second": round(tips / seconds, 2),
            "transactions": transactions,
        }

    # Account objects, not address strings: the API resolves a string by looking it up.
    timed("unbatched", lambda fan, creator, text: fg.tip(fan, creator, text, MESSAGE, token=usdc), tips)
    # The same tips as bare contract calls: the API's own overhead is the difference.
    timed(
        "unbatched (bare contract calls)",
        lambda fan, creator, text: jar.tip(creator, usdc, parse_amount(text, 6), MESSAGE, sender=fan),
        tips,
    )

    relayer = bench.fresh()
    started = time.perf_counter()
    items, used = [], {}
    for fan, creator, text in plan:
        nonce = used.get(fan.address, 0)  # a fresh fan counts up from 0 (one bitmap word)
        used[fan.address] = nonce + 1
        tip = batch.sign_tip(
            fan, jar, creator, usdc.address, parse_amount(text, 6), MESSAGE, nonce, bench.deadline()
        )
        items.append(tip)
    signed = time.perf_counter()
    txs = 0
    for i in range(0, len(items), BATCH):
        jar.tipBatch(usdc, *batch.batch_args(batch.by_creator(items[i : i + BATCH])), sender=relayer)
        txs += 1
    done = time.perf_counter()
    tp["batched"] = {
        "seconds": round(done - started, 3),
        "tips_per_second": round(tips / (done - started), 2),
        "sign_seconds": round(signed - started, 3),
        "send_seconds": round(done - signed, 3),
        "transactions": txs,
    }
    bench.results.scale["throughput"] = tp

    log.info("ledger")
    started = time.perf_counter()
    events = ledger.collect(fg, start_block)
    book = ledger.from_events(fg, events)
    seconds = time.perf_counter() - started
    matches = all(
        book.jar_credit(c.address, usdc.address) == int(jar.balanceOf(c, usdc)) for c in creator_accounts
    )
    bench.results.scale["ledger"] = {
        "api": "fairgift.ledger.collect + from_events",
        "events": len(events),
        "seconds": round(seconds, 3),
        "matches_chain": matches,
    }
