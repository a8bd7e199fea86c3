"""Stateful property test of the tip jar: random tips, gifts, withdrawals (own and pushed), payout
changes, treasury changes, allow-list toggles, blacklisting, fee schedules, time travel and intruder
calls by several fans, creators and treasuries, in three tokens (MockUSDC with its blacklist, an
18-decimals token and a USDT-like token without return values), against an exact Python model.

After every step, per token: `token.balanceOf(jar) == Σ jar.balanceOf(account, token)`; every
credit equals the model; Σ withdrawn + Σ credited == Σ tipped; the fee equals the model and never
exceeds the cap, and (from the public record alone, `machinery.FeeWatch`) only ever rises to its live
announcement once the full delay has passed; no credit ever decreases except by its owner's
withdrawal. Every tip checks `fee + net == amount` from its event and the credit deltas.
"""

from collections import Counter

import ape
import pytest
from eth_utils import to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from machinery import ChainMachine, FeeScheduleModel, FeeWatch, LogTail, Reader, assert_rejected, run_machine

from fairgift.fees import split
from tests.constants import DELAY, MAX_FEE_BPS

INITIAL_BPS = 300
FUNDS = 10**30  # base units per fan and token
GIFTS = {1: ("Rose", 10_000), 2: ("Heart", 990_000), 3: ("Universe", 499_990_000)}
UNKNOWN_GIFT, RETIRED_GIFT = 4, 5

amounts = st.one_of(
    st.integers(1, 10**7),
    st.integers(1, 10**24),
    st.sampled_from([1, 2, 9_999, 10_000, 10_001, 33_333]),
)
gaps = st.one_of(st.integers(1, 3 * 24 * 3600), st.sampled_from([DELAY - 1, DELAY, DELAY + 1]))
bps_values = st.one_of(st.integers(0, MAX_FEE_BPS), st.sampled_from([0, MAX_FEE_BPS, MAX_FEE_BPS + 1]))


class JarMachine(ChainMachine):
    # Set by the test before running: contracts and actors.
    jar = usdc = owner = intruder = None
    tokens: list = []
    fans: list = []
    creators: list = []  # the last one is a RevertingReceiver contract (acts through withdrawFor)
    treasuries: list = []
    payees: list = []  # possible payout targets (EOAs)
    decimals: dict = {}

    def __init__(self):
        super().__init__()
        self.fee = FeeScheduleModel(INITIAL_BPS, MAX_FEE_BPS, DELAY)
        self.treasury = self.treasuries[0]
        self.accounts = [*self.creators, *self.treasuries]
        self.credit = Counter()  # (account address, token address) -> credited
        self.tipped = Counter()  # token address -> Σ tipped
        self.withdrawn = Counter()  # token address -> Σ withdrawn
        self.payout = {}  # account address -> payout address (absent: itself)
        self.allowed = {str(t.address): True for t in self.tokens}
        self.blacklisted = set()
        start = Reader().run()
        self.fee_watch = FeeWatch("jar fee", INITIAL_BPS, start.timestamp, DELAY)
        self.events = LogTail(self.jar, start.number + 1)
        self.last_credit = Counter()
        self.own_withdrawals = set()  # (account, token) withdrawn in the current step

    # ------------------------------------------------------------------ helpers

    def payout_of(self, account) -> str:
        return self.payout.get(str(account.address), str(account.address))

    def balance_of(self, token, who: str) -> int:
        return int(token.balanceOf(who))

    # ------------------------------------------------------------------ tipping

    @rule(
        fan=st.integers(0, 2),
        creator=st.integers(0, 3),
        token=st.integers(0, 2),
        amount=amounts,
    )
    def tip(self, fan, creator, token, amount):
        fan, creator, token = self.fans[fan], self.creators[creator], self.tokens[token]
        if not self.allowed[str(token.address)]:
            assert_rejected(
                self.jar,
                "tip",
                creator,
                token,
                amount,
                "hi",
                sender=fan,
                error="TokenNotAllowed",
                error_args=(token,),
            )
            return
        self._book_tip(fan, creator, token, amount, gift_id=0, quantity=0)

    def _book_tip(self, fan, creator, token, amount, gift_id, quantity):
        at = self.pin_next_block()
        fee, net = split(amount, self.fee.current(at))
        treasury = self.treasury
        before = Reader()
        c_before = before.call(self.jar, "balanceOf", creator, token)
        t_before = before.call(self.jar, "balanceOf", treasury, token)
        before.run()
        if gift_id:
            tx = self.jar.sendGift(creator, token, gift_id, quantity, amount, "a gift", sender=fan)
            message = "a gift"
        else:
            tx = self.jar.tip(creator, token, amount, "hi", sender=fan)
            message = "hi"
        assert tx.timestamp == at
        tipped = [e for e in tx.events if e.event_name == "Tipped"]
        assert tipped == [
            self.jar.Tipped(
                fan=fan,
                creator=creator,
                token=token,
                amount=amount,
                fee=fee,
                giftId=gift_id,
                message=message,
            )
        ]
        after = Reader()
        c_after = after.call(self.jar, "balanceOf", creator, token)
        t_after = after.call(self.jar, "balanceOf", treasury, token)
        after.run()
        # fee + net == amount, and exactly that reached the creator's and the treasury's credits.
        if str(creator.address) != str(treasury.address):
            assert c_after.value - c_before.value == net
            assert t_after.value - t_before.value == fee
        assert fee + net == amount
        key = str(token.address)
        self.credit[(str(creator.address), key)] += net
        self.credit[(str(treasury.address), key)] += fee
        self.tipped[key] += amount

    @rule(
        fan=st.integers(0, 2),
        creator=st.integers(0, 3),
        token=st.integers(0, 2),
        gift_id=st.integers(1, 5),
        quantity=st.integers(0, 4),
    )
    def send_gift(self, fan, creator, token, gift_id, quantity):
        fan, creator, token = self.fans[fan], self.creators[creator], self.tokens[token]
        args = (creator, token, gift_id, quantity, 2**256 - 1, "a gift")  # no bound: the error under test
        if not self.allowed[str(token.address)]:
            error, error_args = "TokenNotAllowed", (token,)
        elif quantity == 0:
            error, error_args = "ZeroQuantity", ()
        elif gift_id == UNKNOWN_GIFT:
            error, error_args = "UnknownGift", (gift_id,)
        elif gift_id == RETIRED_GIFT:
            error, error_args = "GiftRetired", (gift_id,)
        else:
            price = GIFTS[gift_id][1]
            amount = price * quantity * 10 ** (self.decimals[str(token.address)] - 6)
            self._book_tip(fan, creator, token, amount, gift_id, quantity)
            return
        assert_rejected(self.jar, "sendGift", *args, sender=fan, error=error, error_args=error_args)

    @rule(fan=st.integers(0, 2), token=st.integers(0, 2), creator_is_jar=st.booleans())
    def invalid_tips_rejected(self, fan, token, creator_is_jar):
        fan, token = self.fans[fan], self.tokens[token]
        assert_rejected(self.jar, "tip", self.creators[0], token, 0, "", sender=fan, error="ZeroAmount")
        bad = self.jar if creator_is_jar else "0x" + "00" * 20
        if self.allowed[str(token.address)]:
            assert_rejected(
                self.jar,
                "tip",
                bad,
                token,
                1,
                "",
                sender=fan,
                error="InvalidCreator",
                error_args=(str(bad.address) if creator_is_jar else bad,),
            )

    # ------------------------------------------------------------------ withdrawals

    @rule(account=st.integers(0, 5), token=st.integers(0, 2), pushed=st.booleans(), pusher=st.integers(0, 2))
    def withdraw(self, account, token, pushed, pusher):
        account, token = self.accounts[account], self.tokens[token]
        if account is self.creators[-1]:
            pushed = True  # the rejecting contract's credit is pushed by anyone
        caller = self.fans[pusher] if pushed else account
        method, args = ("withdrawFor", (account, token)) if pushed else ("withdraw", (token,))
        key = (str(account.address), str(token.address))
        expected = self.credit[key]
        to = self.payout_of(account)
        if expected == 0:
            assert_rejected(
                self.jar,
                method,
                *args,
                sender=caller,
                error="NothingToWithdraw",
                error_args=(account, token),
            )
            return
        if token is self.usdc and to in self.blacklisted:
            assert_rejected(
                self.jar,
                method,
                *args,
                sender=caller,
                error="AccountBlacklisted",
                error_args=(to,),
                error_from=self.usdc,
            )
            return
        wallet_before = self.balance_of(token, to)
        tx = getattr(self.jar, method)(*args, sender=caller)
        assert self.jar.Withdrawn(account=account, token=token, to=to, amount=expected) in tx.events
        assert self.balance_of(token, to) - wallet_before == expected
        self.credit[key] = 0
        self.withdrawn[str(token.address)] += expected
        self.own_withdrawals.add(key)

    @rule(account=st.integers(0, 4), to=st.integers(0, 3))
    def set_payout(self, account, to):
        account = self.accounts[account]  # EOAs only (index 3 is the contract)
        if account is self.creators[-1]:
            return
        if to == 3:
            assert_rejected(
                self.jar,
                "setPayout",
                self.jar,
                sender=account,
                error="InvalidPayout",
                error_args=(self.jar,),
            )
            return
        payout = self.payees[to]
        tx = self.jar.setPayout(payout, sender=account)
        effective = str(account.address) if int(payout, 16) == 0 else payout
        assert tx.events == [self.jar.PayoutSet(account=account, payout=effective)]
        self.payout[str(account.address)] = effective

    # ------------------------------------------------------------------ owner powers

    @rule(index=st.integers(0, 2))
    def set_treasury(self, index):
        if index == 2:
            assert_rejected(
                self.jar,
                "setTreasury",
                "0x" + "00" * 20,
                sender=self.owner,
                error="InvalidTreasury",
                error_args=("0x" + "00" * 20,),
            )
            return
        new = self.treasuries[index]
        tx = self.jar.setTreasury(new, sender=self.owner)
        assert self.jar.TreasurySet(treasury=new) in tx.events
        self.treasury = new  # past credits stay where they are (checked by the invariants)

    @rule(token=st.integers(0, 2), allowed=st.booleans())
    def set_token_allowed(self, token, allowed):
        token = self.tokens[token]
        tx = self.jar.setTokenAllowed(token, allowed, sender=self.owner)
        assert tx.events == [self.jar.TokenAllowed(token=token, allowed=allowed)]
        self.allowed[str(token.address)] = allowed

    @rule(account=st.integers(0, 5), on=st.booleans())
    def blacklist(self, account, on):
        who = str(self.accounts[account].address)
        if on:
            self.usdc.blacklist(who, sender=self.owner)
            self.blacklisted.add(who)
        else:
            self.usdc.unBlacklist(who, sender=self.owner)
            self.blacklisted.discard(who)

    @rule(bps=bps_values)
    def schedule_fee(self, bps):
        if bps > MAX_FEE_BPS:
            assert_rejected(
                self.jar,
                "scheduleFee",
                bps,
                sender=self.owner,
                error="FeeAboveCap",
                error_args=(bps, MAX_FEE_BPS),
            )
            return
        at = self.pin_next_block()
        tx = self.jar.scheduleFee(bps, sender=self.owner)
        assert tx.timestamp == at
        self.fee.schedule(bps, at)

    @rule()
    def cancel_fee(self):
        if self.fee.pending(self.now()) == (0, 0):
            assert_rejected(self.jar, "cancelFee", sender=self.owner, error="NoPendingFee")
            return
        at = self.pin_next_block()
        if self.fee.pending(at) == (0, 0):
            with ape.reverts(self.jar.NoPendingFee):
                self.jar.cancelFee(sender=self.owner)
            return
        self.jar.cancelFee(sender=self.owner)
        self.fee.cancel()

    @rule(seconds=gaps)
    def time_passes(self, seconds):
        self.warp(seconds)

    @precondition(lambda self: self.fee.effective_at > self.now() + 1)
    @rule(offset=st.sampled_from([-1, 0]))
    def to_fee_boundary(self, offset):
        self.mine_at(self.fee.effective_at + offset)

    @rule(which=st.integers(0, 5))
    def intruder_rejected(self, which):
        calls = [
            ("scheduleFee", (1,)),
            ("cancelFee", ()),
            ("setTreasury", (self.intruder,)),
            ("setTokenAllowed", (self.tokens[0], False)),
            ("setGift", (1, "Rose", 1)),
            ("transferOwnership", (self.intruder,)),
        ]
        method, args = calls[which]
        assert_rejected(
            self.jar,
            method,
            *args,
            sender=self.intruder,
            error="OwnableUnauthorizedAccount",
            error_args=(self.intruder,),
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def books_balance(self):
        reads = Reader()
        held = {str(t.address): reads.call(t, "balanceOf", self.jar) for t in self.tokens}
        credits = {
            (str(a.address), str(t.address)): reads.call(self.jar, "balanceOf", a, t)
            for a in self.accounts
            for t in self.tokens
        }
        fee_read, pending_read = reads.call(self.jar, "feeBps"), reads.call(self.jar, "pendingFee")
        self.events.request(reads)
        now = reads.run().timestamp
        for token in self.tokens:
            key = str(token.address)
            on_chain = sum(c.value for (a, t), c in credits.items() if t == key)
            assert held[key].value == on_chain, f"{token}: jar holds {held[key].value}, owes {on_chain}"
            assert self.withdrawn[key] + on_chain == self.tipped[key]
        for key, read in credits.items():
            assert read.value == self.credit[key], f"credit of {key}"
            # A credit only ever decreases by its owner's withdrawal (to zero).
            if read.value < self.last_credit[key]:
                assert key in self.own_withdrawals and read.value == 0, f"credit of {key} decreased"
            self.last_credit[key] = read.value
        self.own_withdrawals.clear()
        fee = fee_read.value
        assert fee == self.fee.current(now) and fee <= MAX_FEE_BPS
        assert pending_read.value == self.fee.pending(now)
        # Independently of the model, from the public record alone (machinery.FeeWatch).
        self.fee_watch.feed(self.events.events())
        self.fee_watch.observe(now, fee)


@pytest.mark.fuzz
def test_jar_state_machine(project, accounts, owner, treasury, usdc):
    jar = owner.deploy(project.TipJar, owner, treasury, INITIAL_BPS)
    dai = owner.deploy(project.TestToken, "DAI", 18)
    usdt = owner.deploy(project.NoReturnToken)
    rejecting = owner.deploy(project.RevertingReceiver, owner)
    fans = [accounts[3], accounts[8], accounts[9]]
    for token in (usdc, dai, usdt):
        jar.setTokenAllowed(token, True, sender=owner)
        for fan in fans:
            if token is usdc:
                token.mint(fan, FUNDS, sender=owner)
            else:
                token.mint(fan, FUNDS, sender=fan)
            token.approve(jar, 2**256 - 1, sender=fan)
    for gift_id, (name, price) in GIFTS.items():
        jar.setGift(gift_id, name, price, sender=owner)
    jar.setGift(RETIRED_GIFT, "Lion", 0, sender=owner)

    JarMachine.jar, JarMachine.usdc, JarMachine.owner = jar, usdc, owner
    JarMachine.intruder = accounts[4]
    JarMachine.tokens = [usdc, dai, usdt]
    JarMachine.decimals = {str(t.address): int(t.decimals()) for t in (usdc, dai, usdt)}
    JarMachine.fans = fans
    JarMachine.creators = [accounts[2], accounts[6], accounts[7], rejecting]
    JarMachine.treasuries = [treasury, accounts[5]]
    JarMachine.payees = [
        "0x" + "00" * 20,
        str(accounts[7].address),
        to_checksum_address("0x" + "00" * 18 + "beef"),
    ]
    run_machine(JarMachine)
