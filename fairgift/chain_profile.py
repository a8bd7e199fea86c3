"""What the services run with on a chain: the network profile's settings (fairgift.networks), chosen
by the chain's id, unless an option says otherwise.

`resolve(chain_id, ...)` gives the index's and the relayer's confirmations, the relayer's batch
size and its gas-price policy, and says where each came from:

- a chain with a profile (Base, OP Mainnet, Arbitrum One and their testnets, or an anvil started
  with one of their chain ids, as `make rehearse` does) takes the profile's values;
- a local development chain (31337, 1337) keeps the development defaults: nothing to wait for (it
  never reorganises by itself) and the node's own fees;
- any other chain: 12 blocks for the index, none for the relayer, the node's fees (what `serve`
  always did there);
- an option given on the command line wins over all of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fairgift.deployments import LOCAL_CHAIN_IDS
from fairgift.errors import FairGiftError
from fairgift.networks import BATCH_SIZE, GasPolicy, NetworkProfile, profile_for_chain

UNPROFILED_INDEX_CONFIRMATIONS = 12  # a reorg deeper than this on a public chain is re-indexed
DEFAULT_BATCH_SIZE = BATCH_SIZE  # the relayer's default (RelayerConfig.batch_size) on any chain


@dataclass(frozen=True)
class InForce:
    """The settings in force on one chain, and where they came from."""

    chain_id: int
    profile: NetworkProfile | None
    local: bool
    index_confirmations: int
    relayer_confirmations: int
    batch_size: int
    gas: GasPolicy | None  # None: the node's fees (Ape's defaults), no ceiling
    given: tuple[str, ...] = ()  # the settings an option set

    @property
    def source(self) -> str:
        if self.profile is not None:
            return f"the {self.profile.label} profile (chain {self.chain_id})"
        if self.local:
            return f"a local chain (chain {self.chain_id}): development defaults"
        return f"no network profile for chain {self.chain_id}: generic defaults"

    def describe(self) -> str:
        """One line for the log: which profile, which values, which of them an option set."""
        gas = (
            "the node's fees"
            if self.gas is None
            else f"priority fee {self.gas.priority_gwei} gwei, at most {self.gas.ceiling_gwei} gwei"
        )
        line = (
            f"settings from {self.source}: index confirmations {self.index_confirmations}, relayer "
            f"confirmations {self.relayer_confirmations}, batch size {self.batch_size}, gas: {gas}"
        )
        return line + (f" (given: {', '.join(self.given)})" if self.given else "")

    def as_json(self) -> dict:
        """For `GET /api/relayer`."""
        return {
            "profile": None if self.profile is None else self.profile.name,
            "source": self.source,
            "indexConfirmations": self.index_confirmations,
            "relayerConfirmations": self.relayer_confirmations,
            "batchSize": self.batch_size,
            "gasPolicy": None
            if self.gas is None
            else {
                "priorityFeeGwei": str(self.gas.priority_gwei),
                "ceilingGwei": str(self.gas.ceiling_gwei),
                "headroom": self.gas.headroom,
            },
            "given": list(self.given),
        }


def resolve(
    chain_id: int,
    *,
    confirmations: int | None = None,
    relayer_confirmations: int | None = None,
    batch_size: int | None = None,
    priority_fee_gwei: Decimal | str | None = None,
    gas_ceiling_gwei: Decimal | str | None = None,
) -> InForce:
    """The settings in force on chain `chain_id`; every argument not None is an option that wins."""
    chain_id = int(chain_id)
    found = profile_for_chain(chain_id)
    local = chain_id in LOCAL_CHAIN_IDS
    if found is not None:
        index, relayer, batch, gas = (
            found.index_confirmations,
            found.relayer_confirmations,
            found.batch_size,
            found.gas,
        )
    elif local:
        index, relayer, batch, gas = 0, 0, DEFAULT_BATCH_SIZE, None
    else:
        index, relayer, batch, gas = UNPROFILED_INDEX_CONFIRMATIONS, 0, DEFAULT_BATCH_SIZE, None
    given = []
    if confirmations is not None:
        index = int(confirmations)
        given.append("index confirmations")
    if relayer_confirmations is not None:
        relayer = int(relayer_confirmations)
        given.append("relayer confirmations")
    if batch_size is not None:
        batch = int(batch_size)
        given.append("batch size")
    if priority_fee_gwei is not None or gas_ceiling_gwei is not None:
        if gas is None and (priority_fee_gwei is None or gas_ceiling_gwei is None):
            raise FairGiftError(
                f"chain {chain_id} has no network profile to take the rest of the gas policy from: give "
                "both --priority-fee-gwei and --gas-ceiling-gwei (or neither: the node's fees)"
            )
        priority = gas.priority_gwei if priority_fee_gwei is None else gwei(priority_fee_gwei)
        ceiling = gas.ceiling_gwei if gas_ceiling_gwei is None else gwei(gas_ceiling_gwei)
        if priority > ceiling:
            raise FairGiftError(f"a priority fee of {priority} gwei is above the ceiling of {ceiling} gwei")
        gas = GasPolicy(
            priority_gwei=priority,
            ceiling_gwei=ceiling,
            **({} if gas is None else {"headroom": gas.headroom}),
        )
        given.append("gas policy")
    return InForce(
        chain_id=chain_id,
        profile=found,
        local=local and found is None,
        index_confirmations=index,
        relayer_confirmations=relayer,
        batch_size=batch,
        gas=gas,
        given=tuple(given),
    )


def gwei(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise FairGiftError(f"{value!r} is not a number of gwei")
    return amount
