"""Deploy FairGift on the connected chain, or reuse what the chain's record says is there.

MockUSDC is deployed only on local networks (and only when no stablecoin is given); on a public
network the stablecoin and the treasury must be given. The record is written to
`deployments/<chain_id>.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from eth_utils import is_address, to_checksum_address

from fairgift import deployments
from fairgift.amounts import format_bps, parse_amount, parse_bps
from fairgift.catalogue import (
    DEFAULT_BASE_PRICE,
    DEFAULT_GIFTS,
    DEFAULT_JAR_FEE_BPS,
    DEFAULT_PROTOCOL_FEE_BPS,
    DEFAULT_SLOPE,
    Gift,
)
from fairgift.errors import FairGiftError, translated

JAR_FEE_CAP_BPS = 1000  # TipJar.MAX_FEE_BPS
PROTOCOL_FEE_CAP_BPS = 500  # CreatorMarket.MAX_PROTOCOL_FEE_BPS


def is_local_network(network) -> bool:
    """Local networks (anvil, the in-process test chain, a local node): MockUSDC is fine there.
    A node given by URI (an ad-hoc "custom" network) counts when it reports a development chain
    id (31337 anvil/hardhat, 1337 geth --dev / ganache)."""
    if network.name == "local" or getattr(network, "is_local", False):
        return True
    from ape import chain

    try:
        return network.name == "custom" and int(chain.chain_id) in deployments.LOCAL_CHAIN_IDS
    except Exception:  # noqa: BLE001 - not connected: not provably local
        return False


@dataclass
class Plan:
    """What `deploy` will do; `describe()` is what the deploy script shows before confirming."""

    network: str
    chain_id: int
    deployer: str
    stablecoin: str | None  # None: deploy MockUSDC
    treasury: str
    jar_fee_bps: int = DEFAULT_JAR_FEE_BPS
    protocol_fee_bps: int = DEFAULT_PROTOCOL_FEE_BPS
    base_price: int = 10_000
    slope: int = 1_000
    gifts: tuple[Gift, ...] = DEFAULT_GIFTS
    fresh: bool = False
    reuse: deployments.Deployment | None = None

    def describe(self) -> str:
        if self.reuse is not None:
            return (
                f"FairGift is already deployed on {self.network} (chain {self.chain_id}, block "
                f"{self.reuse.block}); reusing it (--fresh to deploy anew)"
            )
        stable = self.stablecoin or "a new MockUSDC (local networks only)"
        gifts = ", ".join(f"{g.name} ${g.price_usd6 / 1e6:,.2f}" for g in self.gifts)
        return "\n".join(
            [
                f"Deploy FairGift on {self.network} (chain {self.chain_id}) from {self.deployer}:",
                f"  stablecoin      {stable}",
                f"  treasury        {self.treasury}",
                f"  TipJar          fee {format_bps(self.jar_fee_bps)} (cap 10%), gifts: {gifts}",
                f"  CreatorMarket   protocol fee {format_bps(self.protocol_fee_bps)} (cap 5%), "
                f"curve {self.base_price / 1e6:g} + {self.slope / 1e6:g} USD per token sold",
                "  SplitFactory    revenue splits for collaborators",
            ]
        )


@dataclass
class Deployed:
    record: deployments.Deployment
    reused: bool
    path: object = None
    created: list[str] = field(default_factory=list)


def plan(
    deployer,
    *,
    stablecoin: str | None = None,
    treasury: str | None = None,
    jar_fee=DEFAULT_JAR_FEE_BPS,
    protocol_fee=DEFAULT_PROTOCOL_FEE_BPS,
    base_price=DEFAULT_BASE_PRICE,
    slope=DEFAULT_SLOPE,
    gifts: tuple[Gift, ...] = DEFAULT_GIFTS,
    fresh: bool = False,
    folder=None,
) -> Plan:
    """Check the options against the connected network and decide deploy vs reuse."""
    from ape import chain

    with translated("connecting"):
        network = chain.provider.network
        chain_id = int(chain.chain_id)
    local = is_local_network(network)
    deployer_addr = to_checksum_address(str(deployer.address))
    if stablecoin is not None and not is_address(stablecoin):
        raise FairGiftError(f"--stablecoin {stablecoin!r} is not an address")
    if treasury is not None and not is_address(str(getattr(treasury, "address", treasury))):
        raise FairGiftError(f"--treasury {treasury!r} is not an address")
    if not local:
        if stablecoin is None:
            raise FairGiftError(
                f"{network.ecosystem.name}:{network.name} is a public network: --stablecoin "
                "(the USD stablecoin's address) is required; MockUSDC is for local networks only"
            )
        if treasury is None:
            raise FairGiftError(
                f"{network.ecosystem.name}:{network.name} is a public network: --treasury is required"
            )
    if stablecoin is not None and not chain.provider.get_code(stablecoin):
        raise FairGiftError(f"no contract at --stablecoin {stablecoin} on chain {chain_id}")
    jar_bps, protocol_bps = parse_bps(jar_fee), parse_bps(protocol_fee)
    if jar_bps > JAR_FEE_CAP_BPS:
        raise FairGiftError(
            f"a tip jar fee of {format_bps(jar_bps)} is above the cap of {format_bps(JAR_FEE_CAP_BPS)}"
        )
    if protocol_bps > PROTOCOL_FEE_CAP_BPS:
        raise FairGiftError(
            f"a protocol fee of {format_bps(protocol_bps)} is above the cap of "
            f"{format_bps(PROTOCOL_FEE_CAP_BPS)}"
        )
    result = Plan(
        network=f"{network.ecosystem.name}:{network.name}:{chain.provider.name}",
        chain_id=chain_id,
        deployer=deployer_addr,
        stablecoin=to_checksum_address(stablecoin) if stablecoin else None,
        treasury=to_checksum_address(str(getattr(treasury, "address", treasury)))
        if treasury
        else deployer_addr,
        jar_fee_bps=jar_bps,
        protocol_fee_bps=protocol_bps,
        base_price=parse_amount(base_price, 6, "USDC"),
        slope=parse_amount(slope, 6, "USDC", allow_zero=True),
        gifts=tuple(gifts),
        fresh=fresh,
    )
    if not fresh:
        result.reuse = reusable(chain_id, folder)
    return result


def reusable(chain_id: int, folder=None) -> deployments.Deployment | None:
    """The chain's record if every contract it names still has code on the chain."""
    from ape import chain

    record = deployments.load(chain_id, folder)
    if record is None or not {"TipJar", "CreatorMarket", "SplitFactory"} <= set(record.contracts):
        return None
    if record.block > chain.blocks.head.number:
        return None
    if all(chain.provider.get_code(address) for address in record.contracts.values()):
        return record
    return None


def execute(p: Plan, deployer, project=None, folder=None, log: Callable[[str], None] = print) -> Deployed:
    """Carry out a plan: deploy (or reuse) and write the record."""
    from ape import chain
    from ape import project as default_project

    project = project or default_project
    if p.reuse is not None:
        log(p.describe())
        return Deployed(p.reuse, True, deployments.record_path(p.chain_id, folder))
    created = []
    with translated("deploy"):
        start = chain.blocks.head.number + 1
        stable = p.stablecoin
        if stable is None:
            usdc = deployer.deploy(project.MockUSDC, deployer)
            stable = usdc.address
            created.append("MockUSDC")
            log(f"MockUSDC       {usdc.address}")
        jar = deployer.deploy(project.TipJar, deployer, p.treasury, p.jar_fee_bps)
        created.append("TipJar")
        log(f"TipJar         {jar.address} (fee {format_bps(p.jar_fee_bps)})")
        jar.setTokenAllowed(stable, True, sender=deployer)
        for gift_id, g in enumerate(p.gifts, start=1):
            jar.setGift(gift_id, g.name, g.price_usd6, sender=deployer)
        log(f"  allowed {stable}; seeded {len(p.gifts)} gifts")
        market = deployer.deploy(
            project.CreatorMarket, deployer, stable, p.treasury, p.protocol_fee_bps, p.base_price, p.slope
        )
        created.append("CreatorMarket")
        log(f"CreatorMarket  {market.address} (protocol fee {format_bps(p.protocol_fee_bps)})")
        factory = deployer.deploy(project.SplitFactory)
        created.append("SplitFactory")
        log(f"SplitFactory   {factory.address}")
    contracts = {"TipJar": jar.address, "CreatorMarket": market.address, "SplitFactory": factory.address}
    if p.stablecoin is None:
        contracts = {"MockUSDC": stable, **contracts}
    record = deployments.Deployment(chain_id=p.chain_id, block=start, contracts=contracts)
    path = deployments.save(record, folder)
    log(f"recorded in {path}")
    return Deployed(record, False, path, created)


def deploy(deployer, *, folder=None, project=None, log: Callable[[str], None] = print, **options) -> Deployed:
    """Plan and execute in one call (no confirmation): the API for tests and the demo."""
    return execute(
        plan(deployer, folder=folder, **options), deployer, project=project, folder=folder, log=log
    )
