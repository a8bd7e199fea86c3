"""Stateful property test of RevenueSplit: each example creates a split (1 to 32 payees, random
shares summing to 10,000) through SplitFactory, then random receipts in three tokens (MockUSDC with
its blacklist, an 18-decimals token, a USDT-like token without return values), releases by anyone,
releases to non-payees, and blacklisting of payees.

After every step, per token: Σ released + Σ releasable + dust == Σ received, where the unallocated
dust `Σ received - Σ floor(received * share / 10_000)` is below the number of payees (the
documented rounding: it stays in the split and is paid out as more arrives); per payee,
`released + releasable == floor(received * share / 10_000)`, i.e. never below its exact share by a
whole unit; `token.balanceOf(split) == received - Σ released`.
"""

from collections import Counter

import pytest
from eth_utils import to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule
from machinery import ChainMachine, Reader, assert_rejected, run_machine

amounts = st.one_of(st.integers(1, 10**6), st.integers(1, 10**24), st.sampled_from([1, 2, 31, 9_999, 10_001]))


def shares_for(n: int, cuts: list[int]) -> list[int]:
    """n positive shares summing to 10,000 from n - 1 distinct cut points in 1..9,999."""
    points = [0, *sorted(cuts), 10_000]
    return [b - a for a, b in zip(points, points[1:], strict=False)]


class SplitMachine(ChainMachine):
    factory = project = usdc = owner = None
    tokens: list = []
    callers: list = []

    def __init__(self):
        super().__init__()
        self.received = Counter()  # token -> Σ received
        self.released = Counter()  # (token, payee) -> released
        self.blacklisted = set()
        self.split = None

    @initialize(data=st.data())
    def create_split(self, data):
        n = data.draw(st.integers(1, 32), label="payees")
        cuts = data.draw(st.lists(st.integers(1, 9_999), min_size=n - 1, max_size=n - 1, unique=True))
        self.shares = shares_for(n, cuts)
        self.payees = [to_checksum_address(f"0x{0xA11CE000 + i:040x}") for i in range(n)]
        tx = self.factory.createSplit(self.payees, self.shares, sender=self.owner)
        (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
        assert list(event.payees) == self.payees and list(event.sharesBps) == self.shares
        self.split = self.project.RevenueSplit.at(event.split)

    @rule(token=st.integers(0, 2), amount=amounts)
    def receive(self, token, amount):
        token = self.tokens[token]
        token.mint(self.split, amount, sender=self.owner)  # MockUSDC: owner mints; the others: anyone
        self.received[str(token.address)] += amount

    def due(self, token: str, index: int) -> int:
        entitled = self.received[token] * self.shares[index] // 10_000
        return entitled - self.released[(token, self.payees[index])]

    @rule(token=st.integers(0, 2), payee=st.integers(0, 31), caller=st.integers(0, 2))
    def release(self, token, payee, caller):
        token, caller = self.tokens[token], self.callers[caller]
        index = payee % len(self.payees)
        payee, key = self.payees[index], str(token.address)
        due = self.due(key, index)
        if due == 0:
            assert_rejected(
                self.split,
                "release",
                token,
                payee,
                sender=caller,
                error="NothingToRelease",
                error_args=(token, payee),
            )
            return
        if token is self.usdc and payee in self.blacklisted:
            assert_rejected(
                self.split,
                "release",
                token,
                payee,
                sender=caller,
                error="AccountBlacklisted",
                error_args=(payee,),
                error_from=self.usdc,
            )
            return
        before = int(token.balanceOf(payee))
        tx = self.split.release(token, payee, sender=caller)
        assert self.split.Released(token=token, payee=payee, amount=due) in tx.events
        assert int(token.balanceOf(payee)) - before == due
        self.released[(key, payee)] += due

    @rule(token=st.integers(0, 2), caller=st.integers(0, 2))
    def release_to_stranger_rejected(self, token, caller):
        stranger = self.callers[caller]
        assert_rejected(
            self.split,
            "release",
            self.tokens[token],
            stranger,
            sender=stranger,
            error="NotPayee",
            error_args=(stranger,),
        )

    @rule(payee=st.integers(0, 31), on=st.booleans())
    def blacklist(self, payee, on):
        payee = self.payees[payee % len(self.payees)]
        if on:
            self.usdc.blacklist(payee, sender=self.owner)
            self.blacklisted.add(payee)
        else:
            self.usdc.unBlacklist(payee, sender=self.owner)
            self.blacklisted.discard(payee)

    @invariant()
    def exact_accounting(self):
        if self.split is None:
            return
        reads = Reader()
        held = {str(t.address): reads.call(t, "balanceOf", self.split) for t in self.tokens}
        releasable = {
            (str(t.address), i): reads.call(self.split, "releasable", t, p)
            for t in self.tokens
            for i, p in enumerate(self.payees)
        }
        released = {str(t.address): reads.call(self.split, "totalReleased", t) for t in self.tokens}
        reads.run()
        n = len(self.payees)
        for token in self.tokens:
            key = str(token.address)
            received = self.received[key]
            total_released = sum(self.released[(key, p)] for p in self.payees)
            total_releasable = sum(releasable[(key, i)].value for i in range(n))
            dust = received - sum(received * s // 10_000 for s in self.shares)
            assert 0 <= dust < n
            assert total_released + total_releasable + dust == received
            assert released[key].value == total_released
            assert held[key].value == received - total_released
            for i, payee in enumerate(self.payees):
                got = self.released[(key, payee)] + releasable[(key, i)].value
                assert got == received * self.shares[i] // 10_000
                assert got * 10_000 > received * self.shares[i] - 10_000  # less than 1 unit short


@pytest.mark.fuzz
def test_split_state_machine(project, accounts, owner, usdc):
    factory = owner.deploy(project.SplitFactory)
    SplitMachine.factory, SplitMachine.project = factory, project
    SplitMachine.usdc, SplitMachine.owner = usdc, owner
    SplitMachine.tokens = [
        usdc,
        owner.deploy(project.TestToken, "DAI", 18),
        owner.deploy(project.NoReturnToken),
    ]
    SplitMachine.callers = [accounts[4], accounts[5], accounts[6]]
    run_machine(SplitMachine)
