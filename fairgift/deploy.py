"""Deploy FairGift on the connected chain, or reuse what the chain's record says is there.

MockUSDC is deployed only on local networks (and only when no stablecoin is given); on a public
network the treasury must be given, and the stablecoin is the network profile's USDC
(`fairgift.networks`) unless given. A stablecoin, given or from the profile, must answer as USDC
(`fairgift.usdc_check`) before anything is sent. The record goes to the store of the
connected chain (`fairgift.deployments.DeploymentStore.for_provider`): `deployments/` for a chain
that persists, `out/deployments/` for a throw-away one. Progress is logged on `fairgift.deploy`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import is_address, to_checksum_address

from fairgift.amounts import format_bps, parse_amount, parse_bps
from fairgift.creators import catalogue_path
from fairgift.curve import DEFAULT_BASE_PRICE, DEFAULT_SLOPE
from fairgift.deployments import (
    PERSISTENT_HINT,
    REQUIRED_CONTRACTS,
    Deployment,
    DeploymentStore,
    genesis_hash,
    is_local_network,
)
from fairgift.errors import FairGiftError, translated
from fairgift.fees import DEFAULT_JAR_FEE_BPS, DEFAULT_PROTOCOL_FEE_BPS, JAR_FEE_CAP_BPS, PROTOCOL_FEE_CAP_BPS
from fairgift.gifts import DEFAULT_GIFTS, Gift, price_text
from fairgift.networks import NetworkProfile, profile_of
from fairgift.usdc_check import UsdcFacts, check_usdc

log = logging.getLogger("fairgift.deploy")

MOCK_USDC_DECIMALS = 6


@dataclass
class Plan:
    """What `deploy` will do; `describe()` is what the deploy script shows before confirming."""

    network: str
    chain_id: int
    genesis: str
    deployer: str
    stablecoin: str | None  # None: deploy MockUSDC
    treasury: str
    store: DeploymentStore
    jar_fee_bps: int = DEFAULT_JAR_FEE_BPS
    protocol_fee_bps: int = DEFAULT_PROTOCOL_FEE_BPS
    base_price: int = 10_000
    slope: int = 1_000
    stable_decimals: int = MOCK_USDC_DECIMALS
    gifts: tuple[Gift, ...] = DEFAULT_GIFTS
    fresh: bool = False
    reuse: Deployment | None = None
    replaces: Deployment | None = None  # a record of another chain with the same id (--fresh)
    usdc: UsdcFacts | None = None  # what the stablecoin answered (None: MockUSDC, deployed here)
    stablecoin_from: str = "--stablecoin"  # or the network profile it came from

    def describe(self) -> str:
        if self.reuse is not None:
            return (
                f"FairGift is already deployed on {self.network} ({self.reuse.describe()}); "
                "reusing it (--fresh to deploy anew)"
            )
        stable = self.stablecoin or "a new MockUSDC (local networks only)"
        if self.usdc is not None:
            stable = f"{self.stablecoin} {self.usdc.describe()}, from {self.stablecoin_from}"
        gifts = ", ".join(f"{g.name} {price_text(g.price_usd6)}" for g in self.gifts)
        unit = 10**self.stable_decimals
        lines = [
            f"Deploy FairGift on {self.network} (chain {self.chain_id}) from {self.deployer}:",
            f"  stablecoin      {stable}",
            f"  treasury        {self.treasury}",
            f"  TipJar          fee {format_bps(self.jar_fee_bps)} (cap {format_bps(JAR_FEE_CAP_BPS)}), "
            f"gifts: {gifts}",
            f"  CreatorMarket   protocol fee {format_bps(self.protocol_fee_bps)} "
            f"(cap {format_bps(PROTOCOL_FEE_CAP_BPS)}), "
            f"curve {self.base_price / unit:g} + {self.slope / unit:g} USD per token sold",
            "  SplitFactory    revenue splits for collaborators",
        ]
        if self.replaces is not None:
            lines.append(f"  replaces the record of another {self.replaces.describe()}")
        if self.store.throwaway:
            lines.append(THROWAWAY_NOTE)
        return "\n".join(lines)


THROWAWAY_NOTE = (
    "This chain is throw-away: it was started for this command and ends with it, and so does this "
    f"deployment (its record goes to out/deployments/, never deployments/). {PERSISTENT_HINT}."
)


@dataclass
class Deployed:
    record: Deployment
    reused: bool
    path: Path | None = None
    created: list[str] = field(default_factory=list)


def plan(
    deployer,
    *,
    store: DeploymentStore | None = None,
    stablecoin: str | None = None,
    treasury: str | None = None,
    jar_fee=DEFAULT_JAR_FEE_BPS,
    protocol_fee=DEFAULT_PROTOCOL_FEE_BPS,
    base_price=DEFAULT_BASE_PRICE,
    slope=DEFAULT_SLOPE,
    gifts: tuple[Gift, ...] = DEFAULT_GIFTS,
    fresh: bool = False,
) -> Plan:
    """Check the options against the connected network and decide deploy vs reuse."""
    from ape import chain

    with translated("connecting"):
        network = chain.provider.network
        chain_id = int(chain.chain_id)
        genesis = genesis_hash()
    store = store or DeploymentStore.for_provider()
    local = is_local_network(network)
    profile = None if local else profile_of(network.ecosystem.name, network.name)
    stablecoin, stablecoin_from = choose_stablecoin(stablecoin, profile)
    deployer_addr = to_checksum_address(str(deployer.address))
    treasury_addr = str(getattr(treasury, "address", treasury)) if treasury is not None else None
    if stablecoin is not None and not is_address(stablecoin):
        raise FairGiftError(f"--stablecoin {stablecoin!r} is not an address")
    if treasury_addr is not None and not is_address(treasury_addr):
        raise FairGiftError(f"--treasury {treasury!r} is not an address")
    if not local:
        where = f"{network.ecosystem.name}:{network.name} is a public network"
        if stablecoin is None:
            known = f"the {profile.label} profile names no USDC; " if profile is not None else ""
            raise FairGiftError(
                f"{where}: --stablecoin (the USD stablecoin's address) is required; {known}"
                "MockUSDC is for local networks only"
            )
        if treasury_addr is None:
            raise FairGiftError(f"{where}: --treasury is required")
    decimals, symbol, usdc = MOCK_USDC_DECIMALS, "USDC", None
    if stablecoin is not None:
        with translated(f"reading --stablecoin {stablecoin}"):
            usdc = check_usdc(stablecoin)
        decimals, symbol = usdc.decimals, usdc.symbol
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
        genesis=genesis,
        deployer=deployer_addr,
        stablecoin=to_checksum_address(stablecoin) if stablecoin else None,
        treasury=to_checksum_address(treasury_addr) if treasury_addr else deployer_addr,
        store=store,
        jar_fee_bps=jar_bps,
        protocol_fee_bps=protocol_bps,
        base_price=parse_amount(base_price, decimals, symbol),
        slope=parse_amount(slope, decimals, symbol, allow_zero=True),
        stable_decimals=decimals,
        gifts=tuple(gifts),
        fresh=fresh,
        usdc=usdc,
        stablecoin_from=stablecoin_from,
    )
    if fresh:
        existing = store.load(chain_id)
        if existing is not None and existing.genesis.lower() != genesis.lower() and not store.throwaway:
            result.replaces = existing
    else:
        result.reuse = reusable(store, chain_id, genesis)
    return result


def choose_stablecoin(given: str | None, profile: NetworkProfile | None) -> tuple[str | None, str]:
    """The stablecoin to deploy with and where it came from: `given` (--stablecoin) first, else the
    network profile's USDC, else None (MockUSDC on a local chain; an error on a public one)."""
    if given is None and profile is not None and profile.usdc is not None:
        return profile.usdc, f"the {profile.label} profile (Circle's native USDC)"
    return given, "--stablecoin"


def reusable(store: DeploymentStore, chain_id: int, genesis: str) -> Deployment | None:
    """The chain's record if every contract it names still has code on the chain (an error if the
    record belongs to another chain with the same id)."""
    from ape import chain

    record = store.find(chain_id, genesis)
    if record is None or not set(REQUIRED_CONTRACTS) <= set(record.contracts):
        return None
    if record.block > chain.blocks.head.number:
        return None
    if all(chain.provider.get_code(address) for address in record.contracts.values()):
        return record
    return None


def execute(p: Plan, deployer, project=None) -> Deployed:
    """Carry out a plan: deploy (or reuse) and write the record."""
    from ape import chain
    from ape import project as default_project

    project = project or default_project
    if p.reuse is not None:
        log.info(p.describe())
        return Deployed(p.reuse, True, p.store.path(p.chain_id))
    created = []
    with translated("deploy"):
        start = chain.blocks.head.number + 1
        stable = p.stablecoin
        if stable is None:
            usdc = deployer.deploy(project.MockUSDC, deployer)
            stable = usdc.address
            created.append("MockUSDC")
            log.info(f"MockUSDC       {usdc.address}")
        jar = deployer.deploy(project.TipJar, deployer, p.treasury, p.jar_fee_bps)
        created.append("TipJar")
        log.info(f"TipJar         {jar.address} (fee {format_bps(p.jar_fee_bps)})")
        jar.setTokenAllowed(stable, True, sender=deployer)
        for g in p.gifts:
            jar.setGift(g.gift_id, g.name, g.price_usd6, sender=deployer)
        log.info(f"  allowed {stable}; seeded {len(p.gifts)} gifts")
        market = deployer.deploy(
            project.CreatorMarket, deployer, stable, p.treasury, p.protocol_fee_bps, p.base_price, p.slope
        )
        created.append("CreatorMarket")
        log.info(f"CreatorMarket  {market.address} (protocol fee {format_bps(p.protocol_fee_bps)})")
        factory = deployer.deploy(project.SplitFactory)
        created.append("SplitFactory")
        log.info(f"SplitFactory   {factory.address}")
    contracts = {"TipJar": jar.address, "CreatorMarket": market.address, "SplitFactory": factory.address}
    if p.stablecoin is None:
        contracts = {"MockUSDC": stable, **contracts}
    record = Deployment(p.chain_id, p.genesis, start, contracts, p.network)
    path = p.store.save(record)
    log.info(f"recorded in {path}")
    # The names beside the record were another deployment's creators (`fairgift.creators`).
    names = catalogue_path(path)
    if names.exists():
        names.unlink()
        log.info(f"removed {names}: its names were the replaced deployment's creators")
    return Deployed(record, False, path, created)


def deploy(deployer, *, project=None, **options) -> Deployed:
    """Plan and execute in one call (no confirmation): the API for tests, the demo, the console."""
    return execute(plan(deployer, **options), deployer, project=project)
