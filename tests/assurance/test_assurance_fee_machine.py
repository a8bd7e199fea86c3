"""Stateful property test of the transparent-fee primitive (contracts/test/FeeHarness.sol).

Random sequences of schedule (including above the cap), cancel, time travel (including to the
exact second before and at `effectiveAt`) and intruder calls, against an exact Python model.
After every step: the fee in force and the pending change equal the model; the fee never exceeds
the cap; the split of any amount equals `fairgift.fees.split`; and, independently of the model,
from the public record alone (`machinery.FeeWatch`): the fee only ever rises to the value of the
live `FeeChangeScheduled` announcement, once its date has come, at least `FEE_CHANGE_DELAY` after
the block that announced it.

`FAIRGIFT_PLANTED_FAILURE=fee-never-rises` (a test-only switch) adds a deliberately false property,
"the fee never rises above its initial value", for the replay test (test_assurance_replay.py): it
fails once an increase has been scheduled and its date has come, i.e. it depends on chain time.
"""

import os

import ape
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from machinery import (
    ANVIL_ONLY,
    ChainMachine,
    FeeWatch,
    LogTail,
    Reader,
    assert_rejected,
    run_machine,
    view,
)

from fairgift.fees import FeeSchedule, split
from tests.constants import DELAY, MAX_FEE_BPS

INITIAL_BPS = 300

bps_values = st.one_of(
    st.integers(0, MAX_FEE_BPS),
    st.sampled_from([0, 1, MAX_FEE_BPS - 1, MAX_FEE_BPS, MAX_FEE_BPS + 1, 10_000, 2**16 - 1]),
)
amounts = st.one_of(
    st.integers(0, 10**12),
    st.sampled_from([0, 1, 9_999, 10_000, 2**255, 2**256 - 1]),
    st.integers(0, 2**256 - 1),
)
gaps = st.one_of(
    st.integers(1, 3 * 24 * 3600),
    st.sampled_from([1, DELAY - 1, DELAY, DELAY + 1, 30 * 24 * 3600]),
)
PLANTED_FAILURE = os.environ.get("FAIRGIFT_PLANTED_FAILURE", "") == "fee-never-rises"


class FeeMachine(ChainMachine):
    harness = None
    controller = None
    intruder = None

    def __init__(self):
        super().__init__()
        self.model = FeeSchedule(INITIAL_BPS, MAX_FEE_BPS, DELAY)  # the one fee model, fairgift.fees
        start = Reader()
        pending = start.call(self.harness, "pendingFee")
        start.run()
        assert pending.value == (0, 0)  # every example starts with nothing announced
        self.watch = FeeWatch("fee", INITIAL_BPS, start.timestamp, DELAY)
        self.events = LogTail(self.harness, start.number + 1)

    @rule(bps=bps_values)
    def schedule(self, bps):
        if bps > MAX_FEE_BPS:
            assert_rejected(
                self.harness,
                "scheduleFee",
                bps,
                sender=self.controller,
                error="FeeAboveCap",
                error_args=(bps, MAX_FEE_BPS),
            )
            return
        at = self.pin_next_block()
        tx = self.harness.scheduleFee(bps, sender=self.controller)
        assert tx.timestamp == at
        old = self.model.current(at)
        if self.model.schedule(bps, at):
            assert tx.events == [self.harness.FeeChanged(oldBps=old, newBps=bps)]
        else:
            assert tx.events == [
                self.harness.FeeChangeScheduled(oldBps=old, newBps=bps, effectiveAt=at + DELAY)
            ]

    @rule()
    def cancel(self):
        if self.model.pending(self.now()) == (0, 0):
            assert_rejected(self.harness, "cancelFee", sender=self.controller, error="NoPendingFee")
            return
        at = self.pin_next_block()
        pending_bps, _ = self.model.pending(at)
        if pending_bps == 0:  # matures exactly at the next block: the transaction itself reverts
            with ape.reverts(self.harness.NoPendingFee):
                self.harness.cancelFee(sender=self.controller)
            return
        tx = self.harness.cancelFee(sender=self.controller)
        assert tx.timestamp == at
        assert tx.events == [self.harness.FeeChangeCancelled(bps=pending_bps)]
        self.model.cancel()

    @rule(seconds=gaps)
    def time_passes(self, seconds):
        self.warp(seconds)

    @precondition(lambda self: self.model.effective_at > self.now())
    @rule(offset=st.sampled_from([-1, 0]))
    def warp_to_boundary(self, offset):
        """Land exactly one second before, or exactly at, the pending increase's date."""
        target = self.model.effective_at + offset
        if target > self.now():
            self.mine_at(target)

    @rule(bps=bps_values, cancel=st.booleans())
    def intruder_is_rejected(self, bps, cancel):
        args = () if cancel else (bps,)
        method = "cancelFee" if cancel else "scheduleFee"
        assert_rejected(
            self.harness,
            method,
            *args,
            sender=self.intruder,
            error="NotController",
            error_args=(self.intruder,),
        )

    @rule(amount=amounts)
    def split_is_exact(self, amount):
        assert view(self.harness, "split", amount) == split(amount, self.model.current(self.now()))

    @invariant()
    def fee_matches_model_and_never_rises_early(self):
        reads = Reader()
        fee_read, pending_read = reads.call(self.harness, "feeBps"), reads.call(self.harness, "pendingFee")
        self.events.request(reads)
        now = reads.run().timestamp
        fee = fee_read.value
        assert fee == self.model.current(now)
        assert fee <= MAX_FEE_BPS
        assert pending_read.value == self.model.pending(now)
        # Independently of the model, from the public record alone: every event since the last
        # step, then the fee now (machinery.FeeWatch).
        self.watch.feed(self.events.events())
        self.watch.observe(now, fee)
        if PLANTED_FAILURE:
            assert fee <= INITIAL_BPS, (
                f"planted failure (FAIRGIFT_PLANTED_FAILURE=fee-never-rises): {fee} at {now}"
            )


@pytest.mark.fuzz
@pytest.mark.anvil_only(ANVIL_ONLY)
def test_fee_primitive_state_machine(project, owner, stranger):
    harness = owner.deploy(project.FeeHarness, owner, INITIAL_BPS)
    FeeMachine.harness, FeeMachine.controller, FeeMachine.intruder = harness, owner, stranger
    run_machine(FeeMachine)
