"""The transparent-fee primitive, through FeeHarness: cap, delay, decrease at once, cancel, events,
errors and the rounding of the fee arithmetic."""

import ape
import pytest

from fairgift.fees import split
from tests.constants import DELAY


@pytest.fixture
def harness(project, owner):
    return owner.deploy(project.FeeHarness, owner, 300)


def test_constants_and_initial_state(harness, owner):
    assert harness.MAX_FEE_BPS() == 1000
    assert harness.FEE_CHANGE_DELAY() == DELAY
    assert harness.controller() == owner
    assert harness.feeBps() == 300
    assert harness.pendingFee() == (0, 0)


def test_initial_fee_above_cap_rejected(project, owner):
    with ape.reverts(project.FeeHarness.FeeAboveCap, bps=1001, cap=1000):
        owner.deploy(project.FeeHarness, owner, 1001)


def test_decrease_applies_at_once(harness, owner):
    tx = harness.scheduleFee(100, sender=owner)
    assert harness.feeBps() == 100
    assert harness.pendingFee() == (0, 0)
    assert tx.events == [harness.FeeChanged(oldBps=300, newBps=100)]


def test_same_value_applies_at_once(harness, owner):
    tx = harness.scheduleFee(300, sender=owner)
    assert harness.feeBps() == 300
    assert tx.events == [harness.FeeChanged(oldBps=300, newBps=300)]


def test_increase_waits_for_the_delay(harness, owner, chain):
    tx = harness.scheduleFee(500, sender=owner)
    effective_at = tx.timestamp + DELAY
    assert tx.events == [harness.FeeChangeScheduled(oldBps=300, newBps=500, effectiveAt=effective_at)]
    assert harness.feeBps() == 300
    assert harness.pendingFee() == (500, effective_at)

    # One second before: the old fee still holds, for reads and for operations.
    chain.mine(timestamp=effective_at - 1)
    assert harness.feeBps() == 300
    assert harness.split(10_000) == (300, 9_700)

    # From effectiveAt on, in force with no transaction; nothing is pending any more.
    chain.mine(timestamp=effective_at)
    assert harness.feeBps() == 500
    assert harness.pendingFee() == (0, 0)
    assert harness.split(10_000) == (500, 9_500)


def test_increase_replaces_pending_and_restarts_delay(harness, owner, chain):
    first = harness.scheduleFee(500, sender=owner)
    chain.mine(timestamp=first.timestamp + DELAY // 2)
    second = harness.scheduleFee(400, sender=owner)
    assert second.events == [
        harness.FeeChangeScheduled(oldBps=300, newBps=400, effectiveAt=second.timestamp + DELAY)
    ]
    assert harness.pendingFee() == (400, second.timestamp + DELAY)
    chain.mine(timestamp=first.timestamp + DELAY)
    assert harness.feeBps() == 300  # the first increase's date no longer counts


def test_decrease_drops_pending_increase(harness, owner):
    harness.scheduleFee(900, sender=owner)
    harness.scheduleFee(200, sender=owner)
    assert harness.feeBps() == 200
    assert harness.pendingFee() == (0, 0)


def test_matured_increase_is_folded_before_next_change(harness, owner, chain):
    tx = harness.scheduleFee(800, sender=owner)
    chain.mine(timestamp=tx.timestamp + DELAY)
    assert harness.feeBps() == 800
    # A further increase starts from the matured 800, not from the stored 300.
    tx2 = harness.scheduleFee(900, sender=owner)
    assert tx2.events == [
        harness.FeeChangeScheduled(oldBps=800, newBps=900, effectiveAt=tx2.timestamp + DELAY)
    ]
    assert harness.feeBps() == 800
    # Lowering to 500 compares against 800 in force.
    tx3 = harness.scheduleFee(500, sender=owner)
    assert tx3.events == [harness.FeeChanged(oldBps=800, newBps=500)]


def test_cancel_pending_increase(harness, owner, chain):
    tx = harness.scheduleFee(700, sender=owner)
    cancel = harness.cancelFee(sender=owner)
    assert cancel.events == [harness.FeeChangeCancelled(bps=700)]
    assert harness.pendingFee() == (0, 0)
    chain.mine(timestamp=tx.timestamp + DELAY)
    assert harness.feeBps() == 300


def test_cancel_without_pending_rejected(harness, owner, chain):
    with ape.reverts(harness.NoPendingFee):
        harness.cancelFee(sender=owner)
    tx = harness.scheduleFee(700, sender=owner)
    chain.mine(timestamp=tx.timestamp + DELAY)
    # Once in force it is no longer pending, so it cannot be cancelled.
    with ape.reverts(harness.NoPendingFee):
        harness.cancelFee(sender=owner)
    assert harness.feeBps() == 700


def test_above_cap_rejected(harness, owner):
    with ape.reverts(harness.FeeAboveCap, bps=1001, cap=1000):
        harness.scheduleFee(1001, sender=owner)
    with ape.reverts(harness.FeeAboveCap, bps=65535, cap=1000):
        harness.scheduleFee(65535, sender=owner)
    harness.scheduleFee(1000, sender=owner)  # the cap itself is allowed
    assert harness.pendingFee()[0] == 1000


def test_only_controller(harness, stranger):
    with ape.reverts(harness.NotController, caller=stranger):
        harness.scheduleFee(100, sender=stranger)
    with ape.reverts(harness.NotController, caller=stranger):
        harness.cancelFee(sender=stranger)


@pytest.mark.parametrize(
    "amount,bps",
    [
        (0, 300),
        (1, 300),
        (1, 10_000),
        (33, 300),
        (9_999, 1),
        (10_000, 1),
        (10**6, 250),
        (2**128, 1000),
        (2**128 + 12_345, 999),
        (2**256 - 1, 1000),
        (2**256 - 1, 10_000),
        (2**256 - 1, 1),
    ],
)
def test_split_is_exact_and_rounds_down(harness, amount, bps):
    fee, net = harness.splitAt(amount, bps)
    assert (fee, net) == split(amount, bps)
    assert fee + net == amount


def test_packed_layout_and_current_of_agree_with_the_views(harness, owner, chain):
    """`FeeSchedule.packed` is the slot's low 96 bits (bps | pendingBps << 16 | effectiveAt << 32),
    and `currentOf` of that copy gives the fee in force on both sides of `effectiveAt`."""
    assert harness.packedFee() == 300
    tx = harness.scheduleFee(800, sender=owner)
    at = tx.timestamp + DELAY
    packed = harness.packedFee()
    assert packed == 300 | 800 << 16 | at << 32
    assert harness.currentOf(packed) == harness.feeBps() == 300
    chain.mine(timestamp=at - 1)
    assert harness.currentOf(packed) == harness.feeBps() == 300
    chain.mine(timestamp=at)
    assert harness.currentOf(packed) == harness.feeBps() == 800
    assert harness.currentOf(700) == 700  # nothing pending: the low 16 bits
    assert harness.currentOf(1 | 2 << 16 | 1 << 32) == 2  # pending since timestamp 1


def test_every_fee_change_runs_the_hook(harness, owner):
    """`_afterFeeChange` runs after a decrease, an increase and a cancellation (and not on a revert)."""
    before = harness.feeChanges()
    harness.scheduleFee(100, sender=owner)
    harness.scheduleFee(900, sender=owner)
    harness.cancelFee(sender=owner)
    assert harness.feeChanges() == before + 3
    with ape.reverts(harness.NoPendingFee):
        harness.cancelFee(sender=owner)
    assert harness.feeChanges() == before + 3
