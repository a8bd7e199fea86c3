"""The public networks FairGift supports, one profile each: a pure table, no chain access.

Base first (where creators' fans already hold native USDC), then OP Mainnet and Arbitrum One, and
their testnets. Each profile names the Ape network (`ecosystem:network`, from the pinned plugins
ape-base, ape-optimism, ape-arbitrum), the chain id, Circle's canonical native USDC there (never a
bridged variant such as USDbC or USDC.e), how many blocks the index and the relayer wait before they
take something as final, the relayer's batch size and its gas-price policy.

Addresses are Circle's published ones (docs/ or /work/shared/references.md cite the source); a
testnet whose address was not checked against Circle's page has `usdc=None`, and deploying there
requires `--stablecoin`: an address is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GWEI = 10**9


@dataclass(frozen=True)
class GasPolicy:
    """EIP-1559 fees a relayer offers: `priority` gwei to the sequencer, and a max fee of
    `headroom` times the current base fee plus the priority, never above `ceiling` gwei (above it
    the relayer waits for cheaper blocks rather than spend the fans' fees on a spike)."""

    priority_gwei: Decimal
    ceiling_gwei: Decimal
    headroom: int = 2

    def max_fee(self, base_fee_wei: int) -> int | None:
        """The max fee per gas (wei) to offer at `base_fee_wei`, or None when even the base fee is
        above the ceiling (wait)."""
        ceiling = int(self.ceiling_gwei * GWEI)
        if base_fee_wei > ceiling:
            return None
        return min(self.headroom * base_fee_wei + self.priority_fee(), ceiling)

    def priority_fee(self) -> int:
        return int(self.priority_gwei * GWEI)


# The OP Stack chains (Base, OP Mainnet) make a block every 2 s and the sequencer's priority fee is
# tiny; Arbitrum ignores the priority fee and makes a block about every 0.25 s.
OP_STACK_GAS = GasPolicy(priority_gwei=Decimal("0.001"), ceiling_gwei=Decimal("1"))
ARBITRUM_GAS = GasPolicy(priority_gwei=Decimal("0"), ceiling_gwei=Decimal("1"))
# About 30 s of blocks for the index (a sequencer reorg is rare and shallow; a deeper one is
# detected and re-indexed) and about 6 s before the relayer takes a batch as landed.
OP_STACK_CONFIRMATIONS = {"index": 15, "relayer": 3, "block_seconds": Decimal(2)}
ARBITRUM_CONFIRMATIONS = {"index": 120, "relayer": 24, "block_seconds": Decimal("0.25")}
# 50 tips of about 70,000 gas each (cold) is 3.5 M gas: far below every block's limit on these
# chains, a few cents of L1 data, and a batch fills in seconds at a live stream's rate.
BATCH_SIZE = 50


@dataclass(frozen=True)
class NetworkProfile:
    name: str  # what the user types: "base", "base-sepolia", ...
    label: str
    ecosystem: str  # Ape's ecosystem and network: `--network {ecosystem}:{network}:node`
    network: str
    chain_id: int
    usdc: str | None  # Circle's canonical native USDC; None: not verified, --stablecoin required
    index_confirmations: int
    relayer_confirmations: int
    batch_size: int
    gas: GasPolicy
    testnet: bool = False
    block_seconds: Decimal = Decimal(2)  # the network's block time: what confirmations take there

    @property
    def ape_network(self) -> str:
        return f"{self.ecosystem}:{self.network}"


def _profile(name, label, ecosystem, network, chain_id, usdc, confirmations, gas, testnet=False):
    return NetworkProfile(
        name=name,
        label=label,
        ecosystem=ecosystem,
        network=network,
        chain_id=chain_id,
        usdc=usdc,
        index_confirmations=confirmations["index"],
        relayer_confirmations=confirmations["relayer"],
        batch_size=BATCH_SIZE,
        gas=gas,
        testnet=testnet,
        block_seconds=confirmations["block_seconds"],
    )


PROFILES: tuple[NetworkProfile, ...] = (
    _profile(
        "base",
        "Base",
        "base",
        "mainnet",
        8453,
        "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
        OP_STACK_CONFIRMATIONS,
        OP_STACK_GAS,
    ),
    _profile(
        "base-sepolia",
        "Base Sepolia",
        "base",
        "sepolia",
        84532,
        "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
        OP_STACK_CONFIRMATIONS,
        OP_STACK_GAS,
        testnet=True,
    ),
    _profile(
        "optimism",
        "OP Mainnet",
        "optimism",
        "mainnet",
        10,
        "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85",
        OP_STACK_CONFIRMATIONS,
        OP_STACK_GAS,
    ),
    # OP Sepolia's USDC is not in the references checked for this table: give --stablecoin.
    _profile(
        "optimism-sepolia",
        "OP Sepolia",
        "optimism",
        "sepolia",
        11155420,
        None,
        OP_STACK_CONFIRMATIONS,
        OP_STACK_GAS,
        testnet=True,
    ),
    _profile(
        "arbitrum",
        "Arbitrum One",
        "arbitrum",
        "mainnet",
        42161,
        "0xaf88d065e77c8cC2239327C5EDb3A432268e5831",
        ARBITRUM_CONFIRMATIONS,
        ARBITRUM_GAS,
    ),
    # Arbitrum Sepolia's USDC is not in the references checked for this table: give --stablecoin.
    _profile(
        "arbitrum-sepolia",
        "Arbitrum Sepolia",
        "arbitrum",
        "sepolia",
        421614,
        None,
        ARBITRUM_CONFIRMATIONS,
        ARBITRUM_GAS,
        testnet=True,
    ),
)


class UnknownNetwork(ValueError):
    pass


def profile(name: str) -> NetworkProfile:
    """The profile called `name` ("base", "base-sepolia") or `ecosystem:network` ("base:sepolia",
    with or without a provider after it)."""
    key = name.strip().lower()
    for p in PROFILES:
        if key == p.name or key.split(":")[:2] == [p.ecosystem, p.network]:
            return p
    known = ", ".join(p.name for p in PROFILES)
    raise UnknownNetwork(f"no network profile {name!r} (known: {known})")


def profile_of(ecosystem: str, network: str) -> NetworkProfile | None:
    """The profile of Ape's `ecosystem:network`, or None (a local chain, or one not supported)."""
    for p in PROFILES:
        if (p.ecosystem, p.network) == (ecosystem, network):
            return p
    return None


def profile_for_chain(chain_id: int) -> NetworkProfile | None:
    for p in PROFILES:
        if p.chain_id == int(chain_id):
            return p
    return None
