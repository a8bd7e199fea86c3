"""A rehearsal of a real network on this machine (`make rehearse NETWORK=base`).

A local anvil with the target's chain id; Circle's USDC at the target's canonical USDC address (its
proxy placed there by `fairgift.circle_usdc.deploy(at=...)`, then initialised by the same calls as
on any chain); FairGift deployed through `fairgift.deploy` connected as the real network
(`base:mainnet` at the anvil's URL), so the deployment takes its stablecoin from the network profile
and checks that it answers as USDC exactly as it would there; then a story of tips, a gift, a permit
tip, a relayed EIP-3009 tip, a launch, trades and withdrawals, checked to the unit; then the service
on it (fairgift.rehearsal_serve: `ape run fairgift serve` as its own process, with the network
profile's settings, a gasless tip from a fan with USDC and no ether through its HTTP API, landed by
the relayer, and the fans' page over HTTP and in the headless Chromium); and what would differ on
the real network. Nothing persists: the anvil ends with the rehearsal; the record, the service's
database and its log go to `<out>/rehearsal/`.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fairgift import circle_usdc, rehearsal_serve
from fairgift import deploy as fg_deploy
from fairgift.deployments import DeploymentStore
from fairgift.errors import FairGiftError
from fairgift.networks import GWEI, NetworkProfile, profile

log = logging.getLogger("fairgift.rehearsal")

USDC = 10**6
ANVIL_START_SECONDS = 30


@dataclass
class Rehearsal:
    profile: NetworkProfile
    record: object = None
    usdc: str = ""
    gas_used: int = 0
    base_fee: int = 0  # wei, anvil's at the end
    confirmations: int = 0  # what Ape waited for after each transaction (the network's setting)
    checks: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (expected, on chain)
    differences: list[str] = field(default_factory=list)
    served: rehearsal_serve.Served | None = None  # the service's part (None: not run)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def anvil(chain_id: int, port: int):
    """An anvil with `chain_id` on `port`, ended when the block ends."""
    binary = shutil.which("anvil")
    if binary is None:
        raise FairGiftError("anvil is not on PATH: run through make (`make rehearse`)")
    process = subprocess.Popen(
        # Mixed mining: each transaction mined at once, and a block every second besides, so the
        # confirmations Ape waits for on a public network (2 on Base) come as they would there.
        [
            binary,
            "--chain-id",
            str(chain_id),
            "--port",
            str(port),
            "--silent",
            "--mixed-mining",
            "--block-time",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + ANVIL_START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise FairGiftError(f"anvil did not start on port {port}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def run(name: str, out_dir: Path | str = "out", port: int | None = None, serve: bool = True) -> Rehearsal:
    """Rehearse the network profile `name` ("base", "base-sepolia", ...); see the module's text.
    `serve=False` leaves the service's part out."""
    from ape import networks

    target = profile(name)
    if target.usdc is None:
        raise FairGiftError(
            f"the {target.label} profile names no USDC address (not verified against Circle's list): "
            "nothing to rehearse against"
        )
    result = Rehearsal(target)
    store = DeploymentStore(Path(out_dir) / "rehearsal" / "deployments", throwaway=True)
    with anvil(target.chain_id, port or free_port()) as url:
        with networks.parse_network_choice(f"{target.ape_network}:{url}"):
            usdc, minter, creator = _story(result, store)
            if serve:
                result.served = rehearsal_serve.run(result, store, url, usdc, minter, creator, free_port())
    bad = {k: v for k, v in result.checks.items() if v[0] != v[1]}
    if bad:
        raise FairGiftError(f"the rehearsal disagrees with the chain: {bad}")
    result.differences = differences(target, result)
    return result


def _story(result: Rehearsal, store: DeploymentStore):
    """The story on chain, checked; returns (USDC, its minter, a creator) for the service's part."""
    from ape import accounts, chain

    from fairgift.api import FairGift

    target = result.profile
    test = accounts.test_accounts
    owner, treasury, relayer, circle, admin = test[0], test[1], test[9], test[7], test[8]
    creators, fans = (test[2], test[6]), (test[3], test[4], test[5])
    network = chain.provider.network
    log.info(
        f"anvil as {network.ecosystem.name}:{network.name} (chain {chain.chain_id}) at {chain.provider.uri}"
    )

    placed = circle_usdc.deploy(circle, admin=admin, at=target.usdc)
    usdc = placed.token
    result.usdc = usdc.address
    for account in (*fans, *creators):
        usdc.mint(account, 500 * USDC, sender=circle)
    start_block = chain.blocks.head.number

    # exactly what `ape run deploy --network {target.ape_network}:node` does: no --stablecoin
    plan = fg_deploy.plan(owner, treasury=treasury.address, store=store, fresh=True)
    if plan.stablecoin != usdc.address:
        raise FairGiftError(f"the deployment chose {plan.stablecoin}, not the profile's USDC {usdc.address}")
    # the rehearsal's chain ends with it, as the note says, but `make node` is no advice here
    log.info(plan.describe().replace("\n" + fg_deploy.THROWAWAY_NOTE, ""))
    deployed = fg_deploy.execute(plan, owner)
    result.record = deployed.record
    fg = FairGift(deployed.record, store=store)

    fan1, fan2, fan3 = fans
    ava, ben = creators
    authorization = fg.sign_tip_authorization(fan2, ben, "6", "relayed")
    for action in (
        lambda: fg.tip(fan1, ava, "5", "first stream on Base"),
        lambda: fg.gift(fan2, ben, "Heart", 3, "hearts"),
        lambda: fg.permit_tip(fan3, ava, "4", "one signature, no approval"),  # domain: name()/version()
        lambda: fg.relay_tip(relayer, authorization),
        lambda: fg.launch(ava, "Ava Social", "AVA", "5%", "10"),
        lambda: fg.buy(fan1, "AVA", "20"),
        lambda: fg.sell(fan1, "AVA", "5"),
    ):
        log.info(f"  {action().summary}")
    log.info("tips, a gift, a permit tip, a relayed EIP-3009 tip, a launch and two trades: done")

    fee_bps = int(fg.jar.feeBps())
    tipped = {ava.address: [5 * USDC, 4 * USDC], ben.address: [3 * USDC, 6 * USDC]}
    for creator, amounts in tipped.items():
        net = sum(a - a * fee_bps // 10_000 for a in amounts)
        result.checks[f"{creator[:10]} jar credit"] = (net, int(fg.jar.balanceOf(creator, usdc.address)))
    held = sum(int(fg.jar.balanceOf(a, usdc.address)) for a in (ava, ben, treasury))
    result.checks["jar holds its credits"] = (held, int(usdc.balanceOf(fg.jar.address)))
    market_owed = sum(int(fg.market.balanceOf(a)) for a in (ava, treasury))
    reserve = int(fg.market.reserveOf(fg.market.tokenOf(ava)))
    result.checks["market holds reserve + fees"] = (
        reserve + market_owed,
        int(usdc.balanceOf(fg.market.address)),
    )
    for creator in creators:
        fg.withdraw(creator)
    fg.withdraw(relayer, account=treasury)
    result.checks["jar empty after withdrawals"] = (0, int(usdc.balanceOf(fg.jar.address)))
    result.checks["market holds its reserve"] = (reserve, int(usdc.balanceOf(fg.market.address)))
    for block in chain.blocks.range(start_block + 1, chain.blocks.head.number + 1):
        result.gas_used += int(block.gas_used)
    result.base_fee = int(chain.blocks.head.base_fee)
    result.confirmations = int(network.required_confirmations)
    bad = {k: v for k, v in result.checks.items() if v[0] != v[1]}
    if bad:
        raise FairGiftError(f"the rehearsal's balances disagree with the chain: {bad}")
    return usdc, circle, ava


def differences(target: NetworkProfile, result: Rehearsal) -> list[str]:
    """What would differ on the real network (printed at the end of a rehearsal)."""
    gas = target.gas
    faucet = (
        "get test ETH for the deployer and the relayer from a faucet, and test USDC for fans from "
        "Circle's faucet"
        if target.testnet
        else "fund the deployer and the relayer with ETH on the network; fans bring their own USDC"
    )
    served, seconds = result.served, target.block_seconds
    relayer = (
        f"the relayer paid {served.relayer_gas:,} gas here for the first gasless tip (its permit and "
        f"its batch; {served.priority_fee / GWEI:g} gwei priority fee, the profile's policy): at most "
        f"{served.relayer_gas * gas.ceiling_gwei / 10**9:.6f} ETH at the {gas.ceiling_gwei} gwei ceiling"
        if served is not None
        else "the service was not run here"
    )
    return [
        f"gas price: anvil's base fee here ({result.base_fee / GWEI:g} gwei at the end); "
        f"on {target.label} the network's, with a priority fee of {gas.priority_fee() / GWEI:g} gwei "
        f"and at most {gas.ceiling_gwei} gwei in all from the relayer (fairgift.networks), for the "
        f"{result.gas_used:,} gas this story used (FairGift's deployment included)",
        f"confirmations: Ape waited {result.confirmations} after each transaction on 1 s blocks here; "
        f"there a block comes every {seconds:g} s: the index waits {target.index_confirmations} blocks "
        f"(about {target.index_confirmations * seconds:g} s) and the relayer {target.relayer_confirmations} "
        f"(about {target.relayer_confirmations * seconds:g} s) before taking a block as final"
        + (
            f" (serve took both from the profile here too: the gasless tip was reported landed "
            f"{served.landed_seconds:.1f} s after it was posted)"
            if served is not None
            else ""
        ),
        f"USDC: here Circle's code placed at {target.usdc} with local roles (minter, pauser, blacklister); "
        "there Circle holds them, and name() is whatever the token answers (FairGift reads it)",
        f"the faucet step: {faucet}",
        f"the relayer's funding: TEST::9 here, with anvil's 10,000 test ETH; there a keystore account "
        f"(`serve --relayer-account`) funded with ETH on {target.label} and topped up as it spends: "
        f"{relayer}",
        f"the deployer: TEST::0 here; there `--account` (a keystore) and `--treasury` (a multisig), and "
        f"the record goes to deployments/{target.chain_id}.json, not out/",
        f"for real: ape run deploy --network {target.ape_network}:node --account me --treasury 0x…",
        f"then: ape run fairgift serve --network {target.ape_network}:node --relayer-account relayer",
    ]
