"""What `serve`, `index` and the index bot run with on a chain (fairgift.chain_profile): the network
profile's confirmations, batch size and gas policy by chain id, options winning, a local chain on
the development defaults; and the relayer using the two it owns (its fees and its confirmations).
No chain needed: the relayer's reads are answered by a stand-in node."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from fairgift.chain_profile import resolve
from fairgift.errors import FairGiftError
from fairgift.networks import GWEI, GasPolicy
from fairgift.relayer import RelayerConfig
from fairgift.relayer.reconcile import GasAboveCeiling, Reconciler


def test_a_chain_with_a_profile_takes_its_values():
    base = resolve(8453)
    assert (base.index_confirmations, base.relayer_confirmations, base.batch_size) == (15, 3, 50)
    assert base.gas == GasPolicy(priority_gwei=Decimal("0.001"), ceiling_gwei=Decimal("1"))
    assert base.given == () and base.profile.name == "base"
    assert base.describe() == (
        "settings from the Base profile (chain 8453): index confirmations 15, relayer confirmations 3, "
        "batch size 50, gas: priority fee 0.001 gwei, at most 1 gwei"
    )
    arbitrum = resolve(42161)
    assert (arbitrum.index_confirmations, arbitrum.relayer_confirmations) == (120, 24)
    assert arbitrum.gas.priority_fee() == 0


def test_a_local_chain_keeps_the_development_defaults():
    local = resolve(31337)
    assert (local.index_confirmations, local.relayer_confirmations, local.batch_size, local.gas) == (
        0,
        0,
        50,
        None,
    )
    assert local.profile is None and local.local
    assert local.batch_size == RelayerConfig().batch_size  # what the relayer always defaulted to
    assert "a local chain (chain 31337)" in local.describe() and "the node's fees" in local.describe()
    other = resolve(1)  # a public chain without a profile: what serve always did there
    assert (other.index_confirmations, other.relayer_confirmations, other.gas) == (12, 0, None)
    assert not other.local and "no network profile for chain 1" in other.source


def test_options_win_over_the_profile_and_say_so():
    chosen = resolve(
        8453,
        confirmations=2,
        relayer_confirmations=0,
        batch_size=7,
        priority_fee_gwei="0.01",
        gas_ceiling_gwei=None,
    )
    assert (chosen.index_confirmations, chosen.relayer_confirmations, chosen.batch_size) == (2, 0, 7)
    assert chosen.gas == GasPolicy(priority_gwei=Decimal("0.01"), ceiling_gwei=Decimal("1"))
    assert chosen.given == ("index confirmations", "relayer confirmations", "batch size", "gas policy")
    assert chosen.as_json()["given"] == list(chosen.given)
    assert chosen.as_json()["gasPolicy"] == {"priorityFeeGwei": "0.01", "ceilingGwei": "1", "headroom": 2}
    local = resolve(31337, confirmations=3, priority_fee_gwei="1", gas_ceiling_gwei="5")
    assert local.index_confirmations == 3 and local.gas.max_fee(GWEI) == 3 * GWEI


def test_a_gas_policy_that_cannot_be_completed_or_makes_no_sense_is_refused():
    with pytest.raises(FairGiftError, match="chain 31337 has no network profile .* give both"):
        resolve(31337, gas_ceiling_gwei="5")
    with pytest.raises(FairGiftError, match="above the ceiling"):
        resolve(8453, priority_fee_gwei="2")
    with pytest.raises(FairGiftError, match="'cheap' is not a number of gwei"):
        resolve(8453, gas_ceiling_gwei="cheap")


class Node:
    """Answers the two reads the relayer's fees and confirmations need."""

    def __init__(self, base_fee: int, head: int):
        self.eth = SimpleNamespace(block_number=head, get_block=lambda _tag: {"baseFeePerGas": base_fee})


def reconciler(node, **config):
    from ape import project  # the jar's event ABIs: the reconciler decodes batch receipts with them

    events = project.TipJar.contract_type.events
    jar = SimpleNamespace(
        address="0x" + "11" * 20,
        Tipped=SimpleNamespace(abi=events["Tipped"]),
        BatchTipSkipped=SimpleNamespace(abi=events["BatchTipSkipped"]),
    )
    return Reconciler(None, node, None, "0x" + "22" * 20, jar, RelayerConfig(**config))


def test_the_relayer_offers_the_policys_fees_and_waits_above_its_ceiling():
    assert reconciler(Node(10**8, 0)).fees() == {}  # no policy: Ape's fees from the node, as before
    base = resolve(8453).gas
    fees = reconciler(Node(10**8, 0), gas=base).fees()  # 0.1 gwei base fee
    assert fees == {"max_fee": 2 * 10**8 + 10**6, "max_priority_fee": 10**6}
    with pytest.raises(GasAboveCeiling, match="above the ceiling of 1 gwei"):
        reconciler(Node(2 * GWEI, 0), gas=base).fees()


def test_the_relayer_settles_a_receipt_only_with_its_confirmations():
    receipt = {"blockNumber": 100}
    assert reconciler(Node(0, 100)).is_confirmed(receipt)  # 0 confirmations: at once, as before
    assert not reconciler(Node(0, 102), confirmations=3).is_confirmed(receipt)
    assert reconciler(Node(0, 103), confirmations=3).is_confirmed(receipt)
