"""The fee through the jar: cap, delay, a tip just before and just after `effectiveAt`, the mirror."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from tests.constants import DELAY, USDC


def test_constants_and_initial_fee(jar, usdc):
    assert jar.MAX_FEE_BPS() == 1000
    assert jar.FEE_CHANGE_DELAY() == DELAY
    assert jar.feeBps() == FEE_BPS
    assert jar.feeBpsOf(usdc) == FEE_BPS
    assert jar.pendingFee() == (0, 0)


def test_constructor_fee_above_cap(project, owner, treasury):
    with ape.reverts(project.TipJar.FeeAboveCap, bps=1001, cap=1000):
        owner.deploy(project.TipJar, owner, treasury, 1001)


def test_tip_just_before_and_after_effective_at(jar, usdc, owner, approved_fan, creator, treasury, chain):
    tx = jar.scheduleFee(800, sender=owner)
    effective_at = tx.timestamp + DELAY
    assert tx.events == [jar.FeeChangeScheduled(oldBps=FEE_BPS, newBps=800, effectiveAt=effective_at)]
    assert jar.pendingFee() == (800, effective_at)

    chain.pending_timestamp = effective_at - 1
    before = jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    assert before.timestamp == effective_at - 1
    assert before.return_value == split(10 * USDC, FEE_BPS)[0]

    chain.pending_timestamp = effective_at
    after = jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    assert after.timestamp == effective_at
    assert after.return_value == split(10 * USDC, 800)[0]
    assert jar.feeBps() == 800
    assert jar.feeBpsOf(usdc) == 800
    assert jar.pendingFee() == (0, 0)
    assert jar.balanceOf(treasury, usdc) == split(10 * USDC, FEE_BPS)[0] + split(10 * USDC, 800)[0]


def test_decrease_applies_at_once(jar, usdc, owner, approved_fan, creator):
    tx = jar.scheduleFee(100, sender=owner)
    assert tx.events == [jar.FeeChanged(oldBps=FEE_BPS, newBps=100)]
    assert jar.feeBps() == 100
    assert jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan).return_value == split(10 * USDC, 100)[0]


def test_cancel_keeps_old_fee(jar, usdc, owner, approved_fan, creator, chain):
    tx = jar.scheduleFee(900, sender=owner)
    cancel = jar.cancelFee(sender=owner)
    assert cancel.events == [jar.FeeChangeCancelled(bps=900)]
    assert jar.pendingFee() == (0, 0)
    chain.pending_timestamp = tx.timestamp + DELAY + 1
    assert (
        jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan).return_value
        == split(10 * USDC, FEE_BPS)[0]
    )
    with ape.reverts(jar.NoPendingFee):
        jar.cancelFee(sender=owner)


def test_above_cap_rejected(jar, owner):
    with ape.reverts(jar.FeeAboveCap, bps=1001, cap=1000):
        jar.scheduleFee(1001, sender=owner)


def test_token_listed_later_gets_the_schedule(jar, dai, owner, chain):
    """The per-token fee mirror of a token listed after a change matches the schedule."""
    tx = jar.scheduleFee(700, sender=owner)
    jar.setTokenAllowed(dai, True, sender=owner)
    assert jar.feeBpsOf(dai) == FEE_BPS
    chain.mine(timestamp=tx.timestamp + DELAY)
    assert jar.feeBps() == 700
    assert jar.feeBpsOf(dai) == 700
    jar.scheduleFee(200, sender=owner)
    assert jar.feeBpsOf(dai) == 200


def test_every_listed_tokens_mirror_follows_every_fee_change(jar, usdc, dai, owner, chain):
    """The per-token fee copy is refreshed by the fee's change hook: schedule, decrease, cancel."""
    jar.setTokenAllowed(dai, True, sender=owner)
    jar.setTokenAllowed(dai, False, sender=owner)  # listed, then disallowed: still mirrored
    tx = jar.scheduleFee(900, sender=owner)
    for token in (usdc, dai):
        assert jar.feeBpsOf(token) == jar.feeBps() == FEE_BPS
    chain.mine(timestamp=tx.timestamp + DELAY)
    for token in (usdc, dai):
        assert jar.feeBpsOf(token) == jar.feeBps() == 900
    jar.scheduleFee(1000, sender=owner)
    jar.cancelFee(sender=owner)
    jar.scheduleFee(100, sender=owner)
    for token in (usdc, dai):
        assert jar.feeBpsOf(token) == jar.feeBps() == 100
