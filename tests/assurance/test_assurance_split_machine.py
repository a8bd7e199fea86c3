"""Stateful property test of RevenueSplit, nested and fed by the tip jar, against an exact model.

Each example creates, through SplitFactory, an inner split (1 to 6 payees) and an outer split (1 to
32 payees) that has the inner split among its payees (a split paying a split), and sets the outer
split as a creator's payout in the TipJar (jar -> split -> split). Then, in four tokens (MockUSDC
with its blacklist, an 18-decimals token, a USDT-like token without return values, and a
stablecoin whose admin can wipe balances): random receipts paid straight into either split, tips
to the creator pushed from the jar into the outer split, releases by anyone (from the outer split
to the inner one too), releases to non-payees, payees redirecting their releases (`setPayout`, to
another address, to the other split, back to themselves, or to the split itself: rejected),
blacklisting of payees, payouts and splits, and the admin wiping part of a split's balance.

After every step, per split and token, with `received` what came in and `wiped` what the admin
took: `token.balanceOf(split) == received - wiped - totalReleased`; every payee's `released`
equals the model and `releasable == max(0, floor((received - wiped) * share / 10_000) - released)`;
no payee ever got more than its share of what came in; while nothing was wiped,
`Σ released + Σ releasable + dust == received` with the unallocated dust below the number of
payees. Every release pays exactly that due to `payoutOf(payee)` (or reverts with the token's own
error when the payout or the split is blacklisted, or when a wipe left the split short).
"""

from collections import Counter

import pytest
from eth_utils import to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule
from machinery import (
    ANVIL_ONLY,
    ChainMachine,
    Reader,
    assert_rejected,
    covered,
    machine_accounts,
    run_machine,
)

from fairgift.fees import split as fee_split
from tests.constants import MAX_UINT, ZERO_ADDRESS

JAR_BPS = 300
KEYED = 4  # payees with keys (they can redirect their releases); the others are plain addresses

amounts = st.one_of(st.integers(1, 10**6), st.integers(1, 10**24), st.sampled_from([1, 2, 31, 9_999, 10_001]))


def shares_for(n: int, cuts: list[int]) -> list[int]:
    """n positive shares summing to 10,000 from n - 1 distinct cut points in 1..9,999."""
    points = [0, *sorted(cuts), 10_000]
    return [b - a for a, b in zip(points, points[1:], strict=False)]


def synthetic(i: int) -> str:
    return to_checksum_address(f"0x{0xA11CE000 + i:040x}")


class Split:
    """One split and its model."""

    def __init__(self, contract, payees: list[str], shares: list[int]):
        self.contract, self.address = contract, str(contract.address)
        self.payees, self.shares = payees, shares
        self.received = Counter()  # token -> what came in
        self.wiped = Counter()  # token -> what the admin took
        self.released = Counter()  # (token, payee) -> released
        self.payout = {}  # payee -> where its releases go (absent: itself)

    def total_released(self, token: str) -> int:
        return sum(self.released[(token, p)] for p in self.payees)

    def balance(self, token: str) -> int:
        return self.received[token] - self.wiped[token] - self.total_released(token)

    def entitled(self, token: str, index: int) -> int:
        return (self.received[token] - self.wiped[token]) * self.shares[index] // 10_000

    def due(self, token: str, index: int) -> int:
        return max(0, self.entitled(token, index) - self.released[(token, self.payees[index])])


class SplitMachine(ChainMachine):
    factory = project = owner = jar = None
    usdc = wusd = usdt = None
    tokens: list = []
    keyed: list = []  # KEYED funded accounts that can act as payees
    callers: list = []
    fan = creator = None

    def __init__(self):
        super().__init__()
        self.splits: list[Split] = []
        self.blacklisted = {str(self.usdc.address): set(), str(self.wusd.address): set()}
        self.jar_credit = Counter()  # token -> the creator's credit in the jar

    @initialize(data=st.data())
    def create_splits(self, data):
        n_inner = data.draw(st.integers(1, 6), label="inner payees")
        inner_keyed = data.draw(st.integers(0, min(2, n_inner)), label="inner keyed payees")
        inner_payees = [str(a.address) for a in self.keyed[2 : 2 + inner_keyed]]
        inner_payees += [synthetic(100 + i) for i in range(n_inner - inner_keyed)]
        inner = self.create(data, inner_payees)
        n_outer = data.draw(st.integers(1, 32), label="outer payees")
        outer_keyed = data.draw(st.integers(0, min(2, n_outer - 1)), label="outer keyed payees")
        outer_payees = [inner.address, *(str(a.address) for a in self.keyed[:outer_keyed])]
        outer_payees += [synthetic(i) for i in range(n_outer - len(outer_payees))]
        outer_payees = data.draw(st.permutations(outer_payees), label="outer order")
        outer = self.create(data, outer_payees)
        self.splits = [outer, inner]
        tx = self.jar.setPayout(outer.address, sender=self.creator)
        assert tx.events == [self.jar.PayoutSet(account=self.creator, payout=outer.address)]

    def create(self, data, payees: list[str]) -> Split:
        n = len(payees)
        cuts = data.draw(st.lists(st.integers(1, 9_999), min_size=n - 1, max_size=n - 1, unique=True))
        shares = shares_for(n, cuts)
        tx = self.factory.createSplit(payees, shares, sender=self.owner)
        (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
        assert list(event.payees) == payees and list(event.sharesBps) == shares
        return Split(self.project.RevenueSplit.at(event.split), payees, shares)

    # ------------------------------------------------------------------ money in

    @rule(split=st.integers(0, 1), token=st.integers(0, 3), amount=amounts)
    def receive(self, split, token, amount):
        """Someone pays a split directly."""
        split, token = self.splits[split], self.tokens[token]
        minter = self.owner if token in (self.usdc, self.wusd) else self.callers[0]
        if token is self.usdc and split.address in self.blacklisted[str(token.address)]:
            # MockUSDC, like USDC, refuses even a mint to a blacklisted account (the wipeable
            # stablecoin's admin mints to anyone).
            assert_rejected(
                token,
                "mint",
                split.address,
                amount,
                sender=minter,
                error="AccountBlacklisted",
                error_args=(split.address,),
            )
            return
        token.mint(split.address, amount, sender=minter)
        split.received[str(token.address)] += amount

    @rule(token=st.integers(0, 3), amount=amounts, push=st.booleans())
    def tip_creator(self, token, amount, push):
        """A fan tips the creator in the jar; optionally anyone then pushes the credit to the split."""
        token = self.tokens[token]
        key = str(token.address)
        if token in (self.usdc, self.wusd) and str(self.fan.address) in self.blacklisted[key]:
            return
        self.jar.tip(self.creator, token, amount, "for the band", sender=self.fan)
        self.jar_credit[key] += fee_split(amount, JAR_BPS)[1]
        if push:
            self.push_to_split(self.tokens.index(token))

    @rule(token=st.integers(0, 3))
    def push_to_split(self, token):
        """Anyone pushes the creator's jar credit to its payout, the outer split."""
        token = self.tokens[token]
        key, outer = str(token.address), self.splits[0]
        credit = self.jar_credit[key]
        if credit == 0:
            assert_rejected(
                self.jar,
                "withdrawFor",
                self.creator,
                token,
                sender=self.callers[1],
                error="NothingToWithdraw",
                error_args=(self.creator, token),
            )
            return
        if key in self.blacklisted and outer.address in self.blacklisted[key]:
            assert_rejected(
                self.jar,
                "withdrawFor",
                self.creator,
                token,
                sender=self.callers[1],
                error="AccountBlacklisted",
                error_args=(outer.address,),
                error_from=token,
            )
            return
        tx = self.jar.withdrawFor(self.creator, token, sender=self.callers[1])
        assert (
            self.jar.Withdrawn(account=self.creator, token=token, to=outer.address, amount=credit)
            in tx.events
        )
        self.jar_credit[key] = 0
        outer.received[key] += credit
        covered("split: jar credit pushed into the outer split")

    # ------------------------------------------------------------------ releases

    @rule(
        split=st.integers(0, 1), token=st.integers(0, 3), payee=st.integers(0, 31), caller=st.integers(0, 2)
    )
    def release(self, split, token, payee, caller):
        split, token, caller = self.splits[split], self.tokens[token], self.callers[caller]
        index = payee % len(split.payees)
        payee, key = split.payees[index], str(token.address)
        due, to = split.due(key, index), split.payout.get(payee, payee)
        balance = split.balance(key)
        args = (token, payee)
        if due == 0:
            failure = "NothingToRelease", (token, payee), split.contract
        elif key in self.blacklisted and split.address in self.blacklisted[key]:
            failure = "AccountBlacklisted", (split.address,), token
        elif key in self.blacklisted and to in self.blacklisted[key]:
            failure = "AccountBlacklisted", (to,), token
        elif due > balance:  # a wipe left the split short of this payee's due
            error = "InsufficientBalance" if token is self.usdt else "ERC20InsufficientBalance"
            failure = error, (split.address, balance, due), token
        else:
            failure = None
        if failure:
            error, error_args, source = failure
            if due > balance and error.endswith("InsufficientBalance"):
                covered("split: a release the wiped balance cannot cover")
            assert_rejected(
                split.contract,
                "release",
                *args,
                sender=caller,
                error=error,
                error_args=error_args,
                error_from=source,
            )
            return
        before = int(token.balanceOf(to))
        tx = split.contract.release(*args, sender=caller)
        assert split.contract.Released(token=token, payee=payee, amount=due) in tx.events
        assert int(token.balanceOf(to)) - before == due
        split.released[(key, payee)] += due
        for other in self.splits:  # the payout may be a split: the other one, or this one's payee
            if other.address == to:
                other.received[key] += due
                covered("split: a split released into a split")
        if to != payee:
            covered("split: a release sent to a redirected payout")

    @rule(split=st.integers(0, 1), token=st.integers(0, 3), caller=st.integers(0, 2))
    def release_to_stranger_rejected(self, split, token, caller):
        stranger = self.callers[caller]
        assert_rejected(
            self.splits[split].contract,
            "release",
            self.tokens[token],
            stranger,
            sender=stranger,
            error="NotPayee",
            error_args=(stranger,),
        )

    # ------------------------------------------------------------------ payouts

    @rule(
        split=st.integers(0, 1),
        who=st.integers(0, KEYED - 1),
        to=st.sampled_from(["another account", "plain address", "the other split", "itself", "reset"]),
    )
    def set_payout(self, split, who, to):
        """A payee (only a payee) redirects its own future releases."""
        split, account = self.splits[split], self.keyed[who]
        me = str(account.address)
        if me not in split.payees:
            assert_rejected(
                split.contract, "setPayout", me, sender=account, error="NotPayee", error_args=(me,)
            )
            return
        if to == "itself":
            assert_rejected(
                split.contract,
                "setPayout",
                split.address,
                sender=account,
                error="InvalidPayout",
                error_args=(split.address,),
            )
            return
        address = {
            "another account": str(self.keyed[(who + 1) % KEYED].address),
            "plain address": synthetic(999),
            "the other split": self.splits[1 - self.splits.index(split)].address,
            "reset": ZERO_ADDRESS,
        }[to]
        tx = split.contract.setPayout(address, sender=account)
        effective = me if address == ZERO_ADDRESS else address
        assert tx.events == [split.contract.PayoutSet(account=me, payout=effective)]
        split.payout[me] = effective

    # ------------------------------------------------------------------ the stablecoins' admins

    @rule(token=st.sampled_from([0, 3]), who=st.integers(0, 2**16), on=st.booleans())
    def blacklist(self, token, who, on):
        """The admin blacklists (or clears) a payee, a payout or a split itself."""
        token = self.tokens[token]
        candidates = sorted(
            {s.address for s in self.splits}
            | {p for s in self.splits for p in s.payees}
            | {t for s in self.splits for t in s.payout.values()}
        )
        address = candidates[who % len(candidates)]
        listed = self.blacklisted[str(token.address)]
        if on:
            token.blacklist(address, sender=self.owner)
            listed.add(address)
        else:
            token.unBlacklist(address, sender=self.owner)
            listed.discard(address)

    @rule(split=st.integers(0, 1), part=st.sampled_from([1, 2, 3, 10, 1000]))
    def wipe(self, split, part):
        """The stablecoin's admin takes part (1/part) of a split's balance away."""
        split, key = self.splits[split], str(self.wusd.address)
        amount = split.balance(key) // part
        if amount == 0:
            return
        self.wusd.wipe(split.address, amount, sender=self.owner)
        split.wiped[key] += amount
        covered("split: the admin wiped part of a split's balance")

    # ------------------------------------------------------------------ invariants

    @invariant()
    def exact_accounting(self):
        if not self.splits:
            return
        reads = Reader()
        per_split = []
        for s in self.splits:
            per_split.append(
                (
                    {str(t.address): reads.call(t, "balanceOf", s.address) for t in self.tokens},
                    {str(t.address): reads.call(s.contract, "totalReleased", t) for t in self.tokens},
                    {
                        (str(t.address), p): reads.call(s.contract, "releasable", t, p)
                        for t in self.tokens
                        for p in s.payees
                    },
                    {
                        (str(t.address), p): reads.call(s.contract, "released", t, p)
                        for t in self.tokens
                        for p in s.payees
                    },
                )
            )
        jar_credit = {str(t.address): reads.call(self.jar, "balanceOf", self.creator, t) for t in self.tokens}
        reads.run()
        for key, read in jar_credit.items():
            assert read.value == self.jar_credit[key], f"the creator's jar credit in {key}"
        for s, (held, total, releasable, released) in zip(self.splits, per_split, strict=True):
            n = len(s.payees)
            for token in self.tokens:
                key = str(token.address)
                assert held[key].value == s.balance(key), f"{s.address} holds {held[key].value} of {key}"
                assert total[key].value == s.total_released(key)
                for i, payee in enumerate(s.payees):
                    assert released[(key, payee)].value == s.released[(key, payee)]
                    assert releasable[(key, payee)].value == s.due(key, i), f"releasable({key}, {payee})"
                    # Never more than its share of what came in (a wipe only lowers what is due).
                    assert s.released[(key, payee)] <= s.received[key] * s.shares[i] // 10_000
                if s.wiped[key] == 0:
                    received = s.received[key]
                    dust = received - sum(received * share // 10_000 for share in s.shares)
                    assert 0 <= dust < n
                    due = sum(releasable[(key, p)].value for p in s.payees)
                    assert s.total_released(key) + due + dust == received


@pytest.mark.fuzz
@pytest.mark.anvil_only(ANVIL_ONLY)
def test_split_state_machine(project, accounts, owner, creator, fan, stranger, attacker, relayer, usdc):
    factory = owner.deploy(project.SplitFactory)
    jar = owner.deploy(project.TipJar, owner, owner, JAR_BPS)
    dai = owner.deploy(project.TestToken, "DAI", 18)
    usdt = owner.deploy(project.NoReturnToken)
    wusd = owner.deploy(project.WipeableToken, owner)
    tokens = [usdc, dai, usdt, wusd]
    for token in tokens:
        jar.setTokenAllowed(token, True, sender=owner)
        token.mint(fan, 10**30, sender=owner if token in (usdc, wusd) else fan)
        if int(token.allowance(fan, jar)) != MAX_UINT:
            if int(token.allowance(fan, jar)):
                token.approve(jar, 0, sender=fan)
            token.approve(jar, MAX_UINT, sender=fan)
    keyed = machine_accounts(accounts, "split", KEYED)
    for account in keyed:
        owner.transfer(account, 10**18)
    SplitMachine.factory, SplitMachine.project, SplitMachine.owner, SplitMachine.jar = (
        factory,
        project,
        owner,
        jar,
    )
    SplitMachine.usdc, SplitMachine.usdt, SplitMachine.wusd = usdc, usdt, wusd
    SplitMachine.tokens = tokens
    SplitMachine.keyed = keyed
    SplitMachine.callers = [stranger, attacker, relayer]
    SplitMachine.fan, SplitMachine.creator = fan, creator
    run_machine(SplitMachine)
