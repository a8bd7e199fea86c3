"""The whole FairGift story on a fresh local chain (`ape run demo`, `make demo`).

Deploy; three creators and a dozen fans with minted MockUSDC; plain tips, gifts, a permit tip, a
relayed EIP-3009 tip; creators launch tokens, fans buy and sell; the tip-jar fee falls at once
and a rise is scheduled (the chain's clock moved past the delay); a band's collaborator split;
withdrawals; then the ledger (checked against the on-chain balances), the platform comparison
and the charts, in `<out>/<deployment key>/` (`fairgift.report.deployment_folder`).

The story is told on the `fairgift.demo` logger (the script prints it). Its deployment record goes
to `<out>/deployments/`, whatever the chain: a demo never touches a record under deployments/.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from fairgift import deploy as fg_deploy
from fairgift import report
from fairgift.api import FairGift
from fairgift.creators import Catalogue
from fairgift.deployments import DeploymentStore, is_local_network, is_throwaway
from fairgift.errors import FairGiftError

log = logging.getLogger("fairgift.demo")

USDC = 10**6
CREATORS = ("ava", "ben", "the_band")
CREATOR_LABELS = {"ava": "Ava", "ben": "Ben", "the_band": "The Band"}  # shown on their fans' pages
FANS = (
    "fan01",
    "fan02",
    "fan03",
    "fan04",
    "fan05",
    "fan06",
    "fan07",
    "fan08",
    "fan09",
    "fan10",
    "fan11",
    "fan12",
)
BAND_MEMBERS = ("cleo", "dev")


@dataclass
class DemoResult:
    fg: FairGift
    seconds: float
    steps: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    checks: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (ledger, chain)
    labels: dict[str, str] = field(default_factory=dict)
    ledger: object = None


def _accounts(n: int):
    """`n` funded signing accounts: Ape's test accounts, then generated ones given ETH for gas."""
    from ape import accounts, chain

    test = accounts.test_accounts
    result = [test[i] for i in range(min(n, len(test)))]
    while len(result) < n:
        acct = test.generate_test_account()
        try:
            chain.set_balance(acct.address, 10**20)
        except Exception:  # noqa: BLE001 - a provider without set_balance: send ETH instead
            result[0].transfer(acct, 10**19)
        result.append(acct)
    return result


def run(out_dir: Path | str = "out") -> DemoResult:
    """Tell the story; the API's and the deployment's own progress lines stay quiet meanwhile
    (the story says what they did)."""
    quiet = [logging.getLogger(name) for name in ("fairgift.api", "fairgift.deploy")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        return _story(Path(out_dir))
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _story(out_dir: Path) -> DemoResult:
    from ape import chain

    started = time.monotonic()
    network = chain.provider.network
    if not is_local_network(network):
        raise FairGiftError("the demo mints test dollars and moves the clock: local networks only")

    def step(text: str):
        log.info(f"[{time.monotonic() - started:5.1f}s] {text}")

    signers = _accounts(4 + len(CREATORS) + len(FANS) + len(BAND_MEMBERS))
    owner, treasury, relayer = signers[:3]
    creators = dict(zip(CREATORS, signers[4:7], strict=True))
    fans = dict(zip(FANS, signers[7:19], strict=True))
    band = dict(zip(BAND_MEMBERS, signers[19:21], strict=True))
    labels = {a.address: n for n, a in {**creators, **fans, **band}.items()}
    labels.update({owner.address: "owner", treasury.address: "treasury", relayer.address: "relayer"})

    from ape import project

    compile_first(project, step)
    step(f"deploying FairGift on {network.ecosystem.name}:{network.name} (chain {chain.chain_id})")
    store = DeploymentStore(out_dir / "deployments", throwaway=True)
    deployed = fg_deploy.deploy(owner, treasury=treasury.address, fresh=True, store=store)
    fg = FairGift(deployed.record, store=store)
    result = DemoResult(fg, 0.0, labels=labels)
    for name, address in deployed.record.contracts.items():
        step(f"  {name:<14}{address}")
    # Names for the fans' pages (/c/ava), in the catalogue beside the demo's record.
    catalogue = Catalogue.for_record(deployed.record, store)
    for name, acct in creators.items():
        catalogue.add(name, acct.address, CREATOR_LABELS[name])
    usd = fg.usd

    step(f"minting MockUSDC for {len(fans)} fans and {len(creators)} creators")
    mock = fg.project.MockUSDC.at(fg.usdc.address, detect_proxy=False)  # minting is the mock's
    for i, fan in enumerate(fans.values()):
        mock.mint(fan, (200 + 100 * i) * USDC, sender=owner)
    for creator in creators.values():
        mock.mint(creator, 50 * USDC, sender=owner)

    step(f"plain tips at the launch fee of {int(fg.jar.feeBps()) / 100:g}%")
    plan = [
        ("fan01", "ava", "5", "first stream, welcome!"),
        ("fan02", "ava", "2.50", "great set"),
        ("fan03", "ben", "10 USDC", "for the tutorial"),
        ("fan04", "ben", "1", ""),
        ("fan05", "the_band", "20", "encore!"),
        ("fan06", "ava", "0.99", ":)"),
        ("fan07", "the_band", "7.77", "lucky sevens"),
        ("fan08", "ben", "3", "thanks"),
    ]
    for fan, creator, amount, message in plan:
        r = fg.tip(fans[fan], creators[creator], amount, message)
        step(f"  {fan} -> {creator}: {usd(r.values['amount'])}, creator credited {usd(r.values['net'])}")

    step("gifts from the catalogue")
    gifts = [
        ("fan09", "ava", "Rose", 25),
        ("fan10", "ava", "Heart", 10),
        ("fan11", "the_band", "Lion", 1),
        ("fan12", "ben", "Universe", 1),
        ("fan01", "ben", "Rose", 100),
    ]
    for fan, creator, gift, qty in gifts:
        r = fg.gift(fans[fan], creators[creator], gift, qty, "gift!")
        step(f"  {fan} -> {creator}: {qty} x {gift} = {usd(r.values['amount'])}")

    step("a permit tip (one signature, no approval transaction)")
    r = fg.permit_tip(fans["fan02"], creators["ben"], "4", "signed, not approved")
    step(f"  fan02 -> ben: {usd(r.values['amount'])} with an EIP-2612 permit")
    step("a relayed tip (EIP-3009: the fan signs, a relayer pays the gas)")
    auth = fg.sign_tip_authorization(fans["fan03"], creators["ava"], "6", "relayed with love")
    r = fg.relay_tip(relayer, auth)
    step(f"  fan03 -> ava: {usd(r.values['amount'])}, submitted by the relayer; fan03 sent no transaction")

    step("creators launch their tokens (the first buy is theirs, in the launch transaction)")
    launches = [("ava", "Ava Social", "AVA", "5%", "20"), ("ben", "Ben Coin", "BEN", "3%", "10")]
    for creator, name, symbol, fee, first in launches:
        r = fg.launch(creators[creator], name, symbol, fee, first)
        step(
            f"  {creator}: {name} ({symbol}), creator fee {fee}, "
            f"first {first} tokens for {usd(r.values['cost'])}"
        )

    step("fans buy and sell (quoted first, sandwich-safe limits)")
    trades = [
        ("buy", "fan04", "AVA", "30"),
        ("buy", "fan05", "AVA", "50"),
        ("buy", "fan06", "BEN", "25"),
        ("sell", "fan04", "AVA", "10"),
        ("buy", "fan07", "AVA", "15"),
        ("buy", "fan08", "BEN", "40"),
        ("sell", "fan05", "AVA", "50"),
        ("sell", "fan06", "BEN", "5"),
    ]
    for side, fan, symbol, amount in trades:
        if side == "buy":
            r = fg.buy(fans[fan], symbol, amount)
            step(f"  {fan} bought {amount} {symbol} for {usd(r.values['cost'])}")
        else:
            r = fg.sell(fans[fan], symbol, amount)
            step(f"  {fan} sold {amount} {symbol} for {usd(r.values['proceeds'])}")
    try:
        fg.buy(fans["fan09"], "AVA", "10", max_cost="0.01")
    except FairGiftError as err:
        step(f"  fan09's buy with a 0.01 USDC limit is refused before sending: {err}")

    step("the tip-jar fee falls at once")
    r = fg.schedule_fee(owner, "3%")
    step(f"  {r.summary}")
    r = fg.tip(fans["fan09"], creators["ava"], "10", "cheaper now")
    step(f"  fan09 -> ava: {usd(r.values['amount'])}, fee {usd(r.values['fee'])}")

    step("a fee rise is only scheduled: every tip before the date pays the old fee")
    r = fg.schedule_fee(owner, "4%")
    effective = r.values["effective_at"]
    step(f"  {r.summary}")
    r = fg.tip(fans["fan10"], creators["ben"], "10", "before the rise")
    step(f"  fan10 -> ben: {usd(r.values['amount'])}, fee {usd(r.values['fee'])} (still 3%)")
    _mine_at(chain, effective)
    step(f"  ... the chain's clock moves 7 days on, to {fg.date(effective)}")
    r = fg.tip(fans["fan11"], creators["ben"], "10", "after the rise")
    step(f"  fan11 -> ben: {usd(r.values['amount'])}, fee {usd(r.values['fee'])} (now 4%)")

    step("the band splits its income: cleo 60%, dev 40%")
    r = fg.split(
        creators["the_band"], {band["cleo"].address: "60%", band["dev"].address: "40%"}, set_payout=True
    )
    split_address = r.values["split"]
    labels[split_address] = "band split"
    step(f"  split {split_address}; the band's payouts now go there")
    r = fg.tip(fans["fan12"], creators["the_band"], "12.34", "for all of you")
    step(
        f"  fan12 -> the_band: {usd(r.values['amount'])}, band credited {usd(r.values['net'])} "
        "(paid out to the split at the withdrawal)"
    )

    step("withdrawals (pull payments: each to its payout address)")
    for name, creator in creators.items():
        r = fg.withdraw(creator)
        step(f"  {name}: {r.summary.split(' for ')[0]}")
    r = fg.withdraw(relayer, account=treasury)
    step(f"  treasury (pushed by the relayer): {r.summary.split(' for ')[0]}")
    split = fg.project.RevenueSplit.at(split_address, detect_proxy=False)  # a clone
    for member, acct in band.items():
        due = int(split.releasable(fg.usdc.address, acct))
        split.release(fg.usdc.address, acct, sender=acct)
        step(f"  {member} released {usd(due)} from the band's split")
    step("  a creator who earned after withdrawing keeps a credit: one more tip for ava")
    fg.tip(fans["fan01"], creators["ava"], "1.50", "left in the jar")

    step("ledger from events, platform comparison and charts")
    out = report.ledger_and_report(fg, out_dir, labels=labels)
    log.info(out.text)
    result.files, result.ledger = out.files, out.ledger

    step("checking the ledger against on-chain balances")
    book = out.ledger
    for who, acct in {**creators, "treasury": treasury}.items():
        result.checks[f"{who} jar"] = (
            book.jar_credit(acct.address, fg.usdc.address),
            int(fg.jar.balanceOf(acct, fg.usdc.address)),
        )
        result.checks[f"{who} market"] = (book.market_credit(acct.address), int(fg.market.balanceOf(acct)))
    bad = {k: v for k, v in result.checks.items() if v[0] != v[1]}
    if bad:
        raise FairGiftError(f"the ledger disagrees with the chain: {bad}")
    step(f"  {len(result.checks)} balances: ledger == chain")
    result.seconds = time.monotonic() - started
    step(f"done in {result.seconds:.1f} s; outputs in {report.deployment_folder(out_dir, fg.record)}/")
    for line in page_hint(chain.provider, out_dir, CREATORS):
        log.info(line)
    return result


COMPILE_NOTE = (
    "compiling the contracts first: a first run only (about a minute; later runs reuse the build in .build/)"
)


def compile_first(project, step) -> None:
    """Compile before the story, under a line that says so: on a first run solc takes a minute
    or so, and the demo would otherwise sit silent on its first step. A project compiled before
    only has its changed sources (if any) compiled, quickly, and says nothing."""
    if not project.is_compiled:
        step(COMPILE_NOTE)
    project.load_contracts()


def _mine_at(chain, timestamp: int):
    """Mine one block at `timestamp`. Ape's providers for anvil and the in-process chain do it
    themselves; its generic node provider (`ethereum:local:node`, e.g. `make node`'s anvil) does not,
    so ask the node directly with the development RPC that anvil and hardhat answer."""
    from ape.exceptions import APINotImplementedError

    try:
        chain.mine(timestamp=timestamp)
    except APINotImplementedError:
        chain.provider.make_request("evm_mine", [int(timestamp)])


def page_hint(provider, out_dir: Path, names) -> list[str]:
    """The last lines of the demo: how a person opens a creator's page. A throw-away chain ends
    with the demo (and its pages with it), so there the lines say how to run the demo on a chain
    that stays; on such a chain, the URLs to open once `make serve-demo` runs."""
    custom_out = Path(out_dir) != Path("out")
    url = f"http://127.0.0.1:8000/c/{names[0]}"
    serve = "make serve-demo" + (f" DEMO_OUT={out_dir}" if custom_out else "")
    if is_throwaway(provider):
        demo_args = "--network ethereum:local:node" + (f" --out {out_dir}" if custom_out else "")
        return [
            "fans' pages: this chain ended with the demo. For pages you can open in a browser:",
            "  make node     (in another shell: a local chain that stays)",
            f"  make demo DEMO_ARGS='{demo_args}'",
            f"  {serve}     (then open {url})",
        ]
    port = urlparse(str(getattr(provider, "uri", "") or "")).port
    if port and port != 8545:
        serve += f" NODE_PORT={port}"
    others = ", ".join(f"/c/{n}" for n in names[1:])
    return [f"fans' pages: run `{serve}`, then open {url} (also {others}; / lists them)"]
