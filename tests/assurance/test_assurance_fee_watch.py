"""The independent fee check (`machinery.FeeWatch`) and the driven clock, on their own (issue 14).

- The sequence that made `make fuzz` fail under load: a fee at 300, an increase to 800 maturing at
  T, the last read at T - 1, then a cut to 500 mined at T (it applies against the matured 800:
  `FeeChanged(800, 500)`). No rule was broken, and the check accepts it (the check of the last
  round compared 500 with the 300 it had last read and failed).
- A mutant primitive that announces an increase correctly but applies it one second early
  (contracts/test/EarlyRiseFeeHarness.sol) is rejected, both on that sequence and when hypothesis
  searches for it with only the independent check, so the fix did not weaken the property.
- The driven clock: blocks are one second apart whatever the wall clock does.
"""

import time

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test
from machinery import (
    ANVIL_ONLY,
    START_TIMESTAMP,
    ChainMachine,
    FeeWatch,
    LogTail,
    Reader,
    driven_clock,
    latest_timestamp,
)

pytestmark = pytest.mark.anvil_only(ANVIL_ONLY)

INITIAL_BPS = 300
DELAY = 7 * 24 * 3600
CAP = 1000


class Watched:
    """A fee primitive under the independent check, observed when `check()` is called."""

    def __init__(self, harness):
        self.harness = harness
        start = Reader().run()
        self.watch = FeeWatch("fee", INITIAL_BPS, start.timestamp, DELAY)
        self.events = LogTail(harness, start.number + 1)

    def check(self) -> int:
        reads = Reader()
        fee = reads.call(self.harness, "feeBps")
        self.events.request(reads)
        now = reads.run().timestamp
        self.watch.feed(self.events.events())
        self.watch.observe(now, fee.value)
        return fee.value


@pytest.fixture(params=["FeeHarness", "EarlyRiseFeeHarness"])
def primitive(request, project, owner):
    args = (owner, INITIAL_BPS) if request.param == "FeeHarness" else (INITIAL_BPS,)
    return request.param, owner.deploy(getattr(project, request.param), *args)


def test_a_rise_overtaken_by_a_cut_in_the_same_second_is_accepted_and_an_early_rise_is_not(
    chain, owner, primitive
):
    name, harness = primitive
    with driven_clock():
        watched = Watched(harness)
        scheduled = harness.scheduleFee(800, sender=owner)
        effective_at = scheduled.timestamp + DELAY
        assert scheduled.events == [
            harness.FeeChangeScheduled(oldBps=INITIAL_BPS, newBps=800, effectiveAt=effective_at)
        ]
        assert watched.check() == INITIAL_BPS
        chain.mine(timestamp=effective_at - 1)
        if name == "EarlyRiseFeeHarness":
            with pytest.raises(AssertionError, match=r"fee: rose 300 -> 800 .* effective at \d+"):
                watched.check()
            return
        assert watched.check() == INITIAL_BPS
        cut = harness.scheduleFee(500, sender=owner)  # mined one second later: at effectiveAt
        assert cut.timestamp == effective_at
        assert cut.events == [harness.FeeChanged(oldBps=800, newBps=500)]
        assert watched.check() == 500
        assert watched.watch.rises == 1  # the rise to 800 was seen, from the event, as legitimate


def test_a_rise_to_an_unannounced_value_is_rejected():
    watch = FeeWatch("fee", 300, 1_000, DELAY)
    watch.observe(1_001, 300)
    with pytest.raises(AssertionError, match="nothing announced"):
        watch.observe(1_002, 301)


class EarlyRiseHunt(ChainMachine):
    """Only what the independent check needs: increases, decreases, time, and the announced date."""

    harness = controller = None

    def __init__(self):
        super().__init__()
        self.watched = Watched(self.harness)

    @rule(bps=st.integers(0, CAP))
    def schedule(self, bps):
        self.harness.scheduleFee(bps, sender=self.controller)

    @rule(seconds=st.one_of(st.integers(1, 3 * 24 * 3600), st.sampled_from([DELAY - 1, DELAY])))
    def time_passes(self, seconds):
        self.warp(seconds)

    @rule(offset=st.sampled_from([-1, 0]))
    def to_the_announced_date(self, offset):
        _, effective_at = self.harness.pendingFee()
        if effective_at and effective_at + offset > self.now():
            self.mine_at(effective_at + offset)

    @invariant()
    def never_rises_early(self):
        self.watched.check()


def test_hypothesis_finds_the_early_rise_with_the_independent_check_alone(project, owner):
    EarlyRiseHunt.harness = owner.deploy(project.EarlyRiseFeeHarness, INITIAL_BPS)
    EarlyRiseHunt.controller = owner
    hunt = settings(
        max_examples=200,
        stateful_step_count=10,
        deadline=None,
        database=None,
        derandomize=True,
        report_multiple_bugs=False,
        phases=(Phase.generate,),  # the first failure is the proof: no shrinking
        suppress_health_check=list(HealthCheck),
    )
    with driven_clock(), pytest.raises(AssertionError, match=r"fee: rose \d+ -> \d+ .*effective at"):
        run_state_machine_as_test(EarlyRiseHunt, settings=hunt)


def test_the_driven_clock_ignores_the_wall_clock(chain, owner, accounts):
    with driven_clock():
        assert latest_timestamp() == START_TIMESTAMP
        first = owner.transfer(accounts[1], 1)
        time.sleep(2.2)  # the wall clock moves on; the chain's clock must not follow it
        second = owner.transfer(accounts[1], 1)
        chain.mine(timestamp=START_TIMESTAMP + 100)
        third = owner.transfer(accounts[1], 1)
    assert [first.timestamp, second.timestamp, third.timestamp] == [
        START_TIMESTAMP + 1,
        START_TIMESTAMP + 2,
        START_TIMESTAMP + 101,
    ]
