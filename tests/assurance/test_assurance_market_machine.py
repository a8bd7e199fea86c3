"""Stateful property test of the creator market: launches (with and without an initial buy, and a
rejected second launch), buys and sells by several traders with exact, too-tight and loose slippage
bounds and deadlines, sells to zero, token transfers, solo round trips, sandwiches, withdrawals (own
and pushed), payouts, treasury changes, protocol and creator fee schedules, time travel and
intruders, against the exact model of fairgift/curve.py.

Several curves take part: every example runs on one of four markets, chosen by hypothesis: the
default curve, `basePrice = 0`, a very large slope (2^96, the constructor's bound: almost every
supply takes the area through its 512-bit `mulDiv` branch) and a flat, very expensive curve
(`basePrice = 2^96`, `slope = 0`: every supply takes that branch). Trade sizes are fitted to each
curve so that the traders' funds cover them.

A sandwiching actor (an outsider, the token's creator or the treasury in office) front-runs a fan
who uses the tooling's default limit (`fairgift.sandwich.safe_limit`), with the front-run size that
pays best against a naive 1% tolerance (or a random one), then trades back: the attacker never
gains (a sale may lose a fee unit or two to rounding, never the fan: the fan still gets its quote).

After every step, for every launched token: `reserveOf == curve.area(supply)` (the exact model) and
covers selling the whole supply; `totalSupply == supplyOf == Σ holders' balances`; the marginal
price is non-decreasing in the supply; and `quote.balanceOf(market) == Σ reserves + Σ credited
fees`. A solo sequence of trades by one actor (nobody trading in between) that ends where it began
never returns more quote than it paid; buying then selling the same amount returns at most what was
paid.
"""

from collections import Counter

import ape
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from machinery import (
    ANVIL_ONLY,
    ChainMachine,
    FeeScheduleModel,
    FeeWatch,
    LogTail,
    Reader,
    assert_rejected,
    covered,
    machine_accounts,
    run_machine,
)

from fairgift.curve import MAX_SUPPLY, Curve
from fairgift.sandwich import Attacker, Trade, exposure, safe_limit
from tests.constants import (
    BASE_PRICE,
    DELAY,
    MAX_CREATOR_FEE_BPS,
    MAX_PROTOCOL_FEE_BPS,
    MAX_UINT,
    SLOPE,
    TOKEN,
    ZERO_ADDRESS,
)

PROTOCOL_BPS = 250
FUNDS = 10**36  # quote units per trader: enough for the expensive curves' largest trades
# (basePrice, slope, the largest trade in base units): each curve's trades stay within FUNDS.
CURVES = [
    (BASE_PRICE, SLOPE, 10**24),  # the default curve
    (0, SLOPE, 10**24),  # free at supply 0
    (BASE_PRICE, 2**96, 10**19),  # a very large slope: the 512-bit branch from ~4e9 base units on
    (2**96, 0, 10**22),  # flat and very expensive: the 512-bit branch at every supply
]

token_amounts = st.one_of(
    st.integers(1, 1000 * TOKEN),
    st.integers(1, 10**6),
    st.sampled_from([1, TOKEN, 10 * TOKEN, 12_345 * TOKEN]),
)
gaps = st.one_of(st.integers(1, 3 * 24 * 3600), st.sampled_from([DELAY - 1, DELAY, DELAY + 1]))


class MarketMachine(ChainMachine):
    usdc = owner = intruder = outsider = None
    project = None
    markets: list = []  # one CreatorMarket per curve of CURVES
    predictions: list = []  # per market: predictToken(creator) per creator
    creators: list = []
    traders: list = []  # who trades in the rules (creators and fans)
    treasuries: list = []
    # The example's market, chosen by `first_launch`:
    market = curve = None
    predicted: list = []  # predictToken(creator) per creator
    max_trade = 0

    def __init__(self):
        super().__init__()
        self.holders = [*self.traders, self.outsider, *self.treasuries]  # who may hold tokens
        self.protocol_fee = FeeScheduleModel(PROTOCOL_BPS, MAX_PROTOCOL_FEE_BPS, DELAY)
        self.creator_fee = {}  # token -> FeeScheduleModel
        self.launched = set()  # creator indexes
        self.supply = Counter()  # token -> supply
        self.holdings = Counter()  # (holder, token) -> balance
        self.credit = Counter()  # account -> credited fees
        self.treasury = str(self.treasuries[0].address)
        self.payout = {}
        self.tokens = {}  # token address -> CreatorToken contract
        self.events = None  # set with the market, in first_launch
        self.fee_watches = []

    # ------------------------------------------------------------------ helpers

    def fees_at(self, token: str, at: int) -> tuple[int, int]:
        creator_fee = self.creator_fee.get(token)
        return self.protocol_fee.current(at), creator_fee.current(at) if creator_fee else 0

    def fit(self, amount: int) -> int:
        """A trade size within this curve's largest trade (deterministic in the drawn size)."""
        return amount if amount <= self.max_trade else 1 + amount % self.max_trade

    def creator_of(self, token: str) -> str:
        return str(self.creators[self.predicted.index(token)].address)

    def book(self, token: str, quote, trader: str, amount: int, is_buy: bool):
        self.supply[token] = quote.supply_after
        self.credit[self.treasury] += quote.protocol_fee
        self.credit[self.creator_of(token)] += quote.creator_fee
        self.holdings[(trader, token)] += amount if is_buy else -amount

    def do_buy(self, trader, token: str, amount: int, slack: int = 0, deadline_offset: int = 0):
        """Buy with maxCost = exact total + slack; returns the total paid (or None if rejected)."""
        at = self.pin_next_block()
        q = self.curve.quote_buy(self.supply[token], amount, *self.fees_at(token, at))
        if q.total == 0:  # a dust buy inside one rounding step of the reserve costs nothing
            slack = max(slack, 0)
        max_cost = q.total + slack
        if deadline_offset < 0:  # checked first
            with ape.reverts(self.market.DeadlinePassed, deadline=at + deadline_offset):
                self.market.buy(token, amount, max_cost, at + deadline_offset, sender=trader)
            return None
        if slack < 0:
            with ape.reverts(self.market.CostAboveMax, totalCost=q.total, maxCost=max_cost):
                self.market.buy(token, amount, max_cost, at + deadline_offset, sender=trader)
            return None
        before = int(self.usdc.balanceOf(trader))
        tx = self.market.buy(token, amount, max_cost, at + deadline_offset, sender=trader)
        assert tx.timestamp == at
        assert (
            self.market.Trade(
                trader=trader,
                token=token,
                isBuy=True,
                amount=amount,
                value=q.value,
                protocolFee=q.protocol_fee,
                creatorFee=q.creator_fee,
                supplyAfter=q.supply_after,
            )
            in tx.events
        )
        assert before - int(self.usdc.balanceOf(trader)) == q.total  # exactly the total, no more
        self.book(token, q, str(trader.address), amount, True)
        return q.total

    def do_sell(self, trader, token: str, amount: int, slack: int = 0):
        """Sell with minProceeds = exact net - slack; returns the net received (or None)."""
        at = self.pin_next_block()
        q = self.curve.quote_sell(self.supply[token], amount, *self.fees_at(token, at))
        min_proceeds = max(q.total - slack, 0)
        if slack < 0:
            with ape.reverts(self.market.ProceedsBelowMin, netProceeds=q.total, minProceeds=min_proceeds):
                self.market.sell(token, amount, min_proceeds, at, sender=trader)
            return None
        before = int(self.usdc.balanceOf(trader))
        tx = self.market.sell(token, amount, min_proceeds, at, sender=trader)
        assert tx.timestamp == at
        assert (
            self.market.Trade(
                trader=trader,
                token=token,
                isBuy=False,
                amount=amount,
                value=q.value,
                protocolFee=q.protocol_fee,
                creatorFee=q.creator_fee,
                supplyAfter=q.supply_after,
            )
            in tx.events
        )
        assert int(self.usdc.balanceOf(trader)) - before == q.total
        self.book(token, q, str(trader.address), amount, False)
        return q.total

    # ------------------------------------------------------------------ launch

    @rule(
        creator=st.integers(0, 2),
        fee=st.integers(0, MAX_CREATOR_FEE_BPS),
        initial=st.sampled_from([0, 1, TOKEN, 50 * TOKEN]),
    )
    def launch(self, creator, fee, initial):
        who, token, initial = self.creators[creator], self.predicted[creator], self.fit(initial)
        if creator in self.launched:
            assert_rejected(
                self.market,
                "launch",
                "X",
                "X",
                fee,
                initial,
                MAX_UINT,
                sender=who,
                error="AlreadyLaunched",
                error_args=(who, token),
            )
            return
        at = self.pin_next_block()
        self.creator_fee[token] = FeeScheduleModel(fee, MAX_CREATOR_FEE_BPS, DELAY)
        q = self.curve.quote_buy(0, initial, self.protocol_fee.current(at), fee) if initial else None
        before = int(self.usdc.balanceOf(who))
        tx = self.market.launch(
            f"Coin {creator}", f"C{creator}", fee, initial, q.total if q else 0, sender=who
        )
        assert tx.timestamp == at
        assert (
            self.market.Launched(
                creator=who, token=token, name=f"Coin {creator}", symbol=f"C{creator}", creatorFeeBps=fee
            )
            in tx.events
        )
        self.launched.add(creator)
        self.tokens[token] = self.project.CreatorToken.at(token)
        self.fee_watches.append(
            FeeWatch(
                f"creator fee of {token}",
                fee,
                at,
                DELAY,
                scheduled="CreatorFeeChangeScheduled",
                changed="CreatorFeeChanged",
                cancelled="CreatorFeeChangeCancelled",
                match={"token": token},
            )
        )
        if q:
            assert before - int(self.usdc.balanceOf(who)) == q.total
            self.book(token, q, str(who.address), initial, True)

    @initialize(
        curve=st.integers(0, len(CURVES) - 1),
        fee=st.integers(0, MAX_CREATOR_FEE_BPS),
        initial=st.sampled_from([0, 1, TOKEN, 50 * TOKEN]),
    )
    def first_launch(self, curve, fee, initial):
        """Every example picks one market (one curve) and starts with one launched token, so
        trading rules apply from step one."""
        base_price, slope, self.max_trade = CURVES[curve]
        self.market, self.curve = self.markets[curve], Curve(base_price, slope)
        self.predicted = self.predictions[curve]
        start = Reader().run()
        self.events = LogTail(self.market, start.number + 1)
        self.fee_watches = [FeeWatch("protocol fee", PROTOCOL_BPS, start.timestamp, DELAY)]
        covered(f"market: curve basePrice={base_price} slope={slope}")
        self.launch(0, fee, initial)

    @rule(creator=st.integers(0, 2), fee=st.integers(MAX_CREATOR_FEE_BPS + 1, 2**16 - 1))
    def launch_above_cap_rejected(self, creator, fee):
        if creator in self.launched:
            return
        assert_rejected(
            self.market,
            "launch",
            "X",
            "X",
            fee,
            0,
            0,
            sender=self.creators[creator],
            error="FeeAboveCap",
            error_args=(fee, MAX_CREATOR_FEE_BPS),
        )

    # ------------------------------------------------------------------ trading

    @rule(
        trader=st.integers(0, 4),
        creator=st.integers(0, 2),
        amount=token_amounts,
        slack=st.sampled_from([0, 0, 1, 10**9, -1]),
        late=st.sampled_from([0, 0, 0, 5, -1]),
    )
    def buy(self, trader, creator, amount, slack, late):
        trader, token, amount = self.traders[trader], self.predicted[creator], self.fit(amount)
        if creator not in self.launched:
            assert_rejected(
                self.market,
                "buy",
                token,
                amount,
                MAX_UINT,
                MAX_UINT,
                sender=trader,
                error="UnknownToken",
                error_args=(token,),
            )
            return
        self.do_buy(trader, token, amount, slack, late)

    @rule(
        trader=st.integers(0, 4),
        creator=st.integers(0, 2),
        fraction=st.sampled_from([1, 2, 3, 10]),
        slack=st.sampled_from([0, 0, 1, -1]),
        extra=st.sampled_from([0, 0, 0, 1]),
    )
    def sell(self, trader, creator, fraction, slack, extra):
        trader, token = self.traders[trader], self.predicted[creator]
        if creator not in self.launched:
            return
        held = self.holdings[(str(trader.address), token)]
        amount = held // fraction + extra
        supply = self.supply[token]
        if amount == 0:
            assert_rejected(self.market, "sell", token, 0, 0, MAX_UINT, sender=trader, error="ZeroAmount")
        elif amount > supply:
            assert_rejected(
                self.market,
                "sell",
                token,
                amount,
                0,
                MAX_UINT,
                sender=trader,
                error="InsufficientSupply",
                error_args=(amount, supply),
            )
        elif amount > held:
            assert_rejected(
                self.market,
                "sell",
                token,
                amount,
                0,
                MAX_UINT,
                sender=trader,
                error="ERC20InsufficientBalance",
                error_args=(trader, held, amount),
                error_from=self.tokens[token],
            )
        else:
            self.do_sell(trader, token, amount, slack)

    @rule(sender=st.integers(0, 4), receiver=st.integers(0, 4), creator=st.integers(0, 2), half=st.booleans())
    def transfer_tokens(self, sender, receiver, creator, half):
        token = self.predicted[creator]
        if creator not in self.launched:
            return
        a, b = self.traders[sender], self.traders[receiver]
        held = self.holdings[(str(a.address), token)]
        amount = held // 2 if half else held
        self.tokens[token].transfer(b, amount, sender=a)
        self.holdings[(str(a.address), token)] -= amount
        self.holdings[(str(b.address), token)] += amount

    @rule(
        trader=st.integers(0, 4),
        creator=st.integers(0, 2),
        steps=st.lists(token_amounts, min_size=1, max_size=3),
    )
    def solo_round_trip(self, trader, creator, steps):
        """Buys of `steps` then selling exactly what was bought, nobody trading in between: the
        actor ends with the same tokens and never with more quote than it started with."""
        trader, token = self.traders[trader], self.predicted[creator]
        if creator not in self.launched:
            return
        steps = [self.fit(amount) for amount in steps]
        start = int(self.usdc.balanceOf(trader))
        paid = sum(self.do_buy(trader, token, amount) for amount in steps)
        received = self.do_sell(trader, token, sum(steps))
        assert received <= paid
        assert int(self.usdc.balanceOf(trader)) == start - paid + received <= start

    @rule(trader=st.integers(0, 4), creator=st.integers(0, 2), amount=token_amounts)
    def buy_then_sell(self, trader, creator, amount):
        trader, token, amount = self.traders[trader], self.predicted[creator], self.fit(amount)
        if creator not in self.launched:
            return
        paid = self.do_buy(trader, token, amount)
        received = self.do_sell(trader, token, amount)
        assert received <= paid

    @rule(trader=st.integers(0, 4), creator=st.integers(0, 2))
    def sell_everything(self, trader, creator):
        """Every holder sells all it holds: the supply and the reserve reach exactly zero."""
        token = self.predicted[creator]
        if creator not in self.launched:
            return
        for holder in self.holders:
            held = self.holdings[(str(holder.address), token)]
            if held:
                self.do_sell(holder, token, held)
        assert self.supply[token] == 0
        assert int(self.market.reserveOf(token)) == 0

    # ------------------------------------------------------------------ sandwiches

    @rule(
        role=st.sampled_from(list(Attacker)),
        fan=st.integers(3, 4),
        creator=st.integers(0, 2),
        amount=token_amounts,
        is_buy=st.booleans(),
        size=token_amounts,
    )
    def sandwich(self, role, fan, creator, amount, is_buy, size):
        """An attacker front-runs a fan who trades at the tooling's default limit, then trades back."""
        fan, token, amount = self.traders[fan], self.predicted[creator], self.fit(amount)
        if creator not in self.launched:
            return
        attacker = {
            Attacker.OUTSIDER: self.outsider,
            Attacker.CREATOR: self.creators[creator],
            Attacker.TREASURY: next(t for t in self.treasuries if str(t.address) == self.treasury),
        }[role]
        if not is_buy:  # the fan sells tokens it holds; the attacker needs tokens to sell first
            for who in (fan, attacker):
                if self.holdings[(str(who.address), token)] < amount:
                    self.do_buy(who, token, amount)
        if is_buy and self.supply[token] + amount > MAX_SUPPLY:
            return
        fan_at = self.now() + 2  # the front-run lands at now + 1, the fan's trade right after
        trade = Trade(self.curve, self.supply[token], amount, *self.fees_at(token, fan_at), is_buy)
        limit = safe_limit(trade)
        best = exposure(trade, limit.cap, attackers=[role]).best  # what a naive 1% would pay it
        x = best.front_run if best else self.fit(size)
        if not is_buy:
            x = min(x, self.holdings[(str(attacker.address), token)])
        elif self.supply[token] + x + amount > MAX_SUPPLY:
            return
        alone = trade.quote_at(trade.supply)
        earned_alone = {
            Attacker.OUTSIDER: 0,
            Attacker.CREATOR: alone.creator_fee,
            Attacker.TREASURY: alone.protocol_fee,
        }

        def wealth():
            return int(self.usdc.balanceOf(attacker)) + self.credit[str(attacker.address)]

        before = wealth()
        if x:
            (self.do_buy if is_buy else self.do_sell)(attacker, token, x, slack=0)
        # The fan's trade at its default limit: through if the moved price is within it, else rejected.
        moved_at = self.now() + 1
        protocol_bps, creator_bps = self.fees_at(token, moved_at)
        if is_buy:
            moved = self.curve.quote_buy(self.supply[token], amount, protocol_bps, creator_bps)
            passed = self.do_buy(fan, token, amount, slack=limit.limit - moved.total) is not None
        else:
            moved = self.curve.quote_sell(self.supply[token], amount, protocol_bps, creator_bps)
            passed = self.do_sell(fan, token, amount, slack=moved.total - limit.limit) is not None
        if x:
            (self.do_sell if is_buy else self.do_buy)(attacker, token, x, slack=0)
        profit = wealth() - before - (earned_alone[role] if passed else 0)
        if not passed:
            covered("market: sandwich at the default limit, the fan's trade rejected")
            assert profit <= 0
        elif is_buy:
            covered("market: sandwich at the default limit, the fan's buy went through")
            assert profit <= 0, f"{role} gained {profit} sandwiching a buy at the default limit"
        else:
            covered("market: sandwich at the default limit, the fan's sale went through")
            # A sale at its exact quote can leave a unit or two of fee rounding to an attacker,
            # never at the fan's expense.
            assert profit <= 0 or moved.total >= alone.total, (
                f"{role} gained {profit} sandwiching a sale; the fan got {moved.total} < {alone.total}"
            )

    # ------------------------------------------------------------------ withdrawals and powers

    @rule(account=st.integers(0, 4), pushed=st.booleans())
    def withdraw(self, account, pushed):
        accounts = [*self.creators, *self.treasuries]
        account = accounts[account]
        key = str(account.address)
        caller = self.intruder if pushed else account
        method, args = ("withdrawFor", (account,)) if pushed else ("withdraw", ())
        expected = self.credit[key]
        if expected == 0:
            assert_rejected(
                self.market,
                method,
                *args,
                sender=caller,
                error="NothingToWithdraw",
                error_args=(account, self.usdc),
            )
            return
        to = self.payout.get(key, key)
        before = int(self.usdc.balanceOf(to))
        tx = getattr(self.market, method)(*args, sender=caller)
        assert self.market.Withdrawn(account=account, to=to, amount=expected) in tx.events
        assert int(self.usdc.balanceOf(to)) - before == expected
        self.credit[key] = 0

    @rule(account=st.integers(0, 2), to=st.integers(0, 2))
    def set_payout(self, account, to):
        account = self.creators[account]
        target = [ZERO_ADDRESS, str(self.treasuries[1].address), str(self.intruder.address)][to]
        self.market.setPayout(target, sender=account)
        key = str(account.address)
        self.payout[key] = key if target == ZERO_ADDRESS else target

    @rule(index=st.integers(0, 1))
    def set_treasury(self, index):
        new = self.treasuries[index]
        self.market.setTreasury(new, sender=self.owner)
        self.treasury = str(new.address)

    @rule(bps=st.one_of(st.integers(0, MAX_PROTOCOL_FEE_BPS), st.just(MAX_PROTOCOL_FEE_BPS + 1)))
    def schedule_protocol_fee(self, bps):
        if bps > MAX_PROTOCOL_FEE_BPS:
            assert_rejected(
                self.market,
                "scheduleProtocolFee",
                bps,
                sender=self.owner,
                error="FeeAboveCap",
                error_args=(bps, MAX_PROTOCOL_FEE_BPS),
            )
            return
        at = self.pin_next_block()
        tx = self.market.scheduleProtocolFee(bps, sender=self.owner)
        assert tx.timestamp == at
        self.protocol_fee.schedule(bps, at)

    @rule(
        creator=st.integers(0, 2),
        bps=st.one_of(st.integers(0, MAX_CREATOR_FEE_BPS), st.just(MAX_CREATOR_FEE_BPS + 1)),
        caller=st.integers(0, 2),
    )
    def schedule_creator_fee(self, creator, bps, caller):
        token, who = self.predicted[creator], self.creators[caller]
        if creator not in self.launched:
            assert_rejected(
                self.market,
                "scheduleCreatorFee",
                token,
                bps,
                sender=who,
                error="UnknownToken",
                error_args=(token,),
            )
        elif caller != creator:
            assert_rejected(
                self.market,
                "scheduleCreatorFee",
                token,
                bps,
                sender=who,
                error="NotCreator",
                error_args=(who, token),
            )
        elif bps > MAX_CREATOR_FEE_BPS:
            assert_rejected(
                self.market,
                "scheduleCreatorFee",
                token,
                bps,
                sender=who,
                error="FeeAboveCap",
                error_args=(bps, MAX_CREATOR_FEE_BPS),
            )
        else:
            at = self.pin_next_block()
            tx = self.market.scheduleCreatorFee(token, bps, sender=who)
            assert tx.timestamp == at
            self.creator_fee[token].schedule(bps, at)

    @rule(creator=st.integers(0, 2))
    def cancel_creator_fee(self, creator):
        token, who = self.predicted[creator], self.creators[creator]
        if creator not in self.launched:
            return
        model = self.creator_fee[token]
        if model.pending(self.now()) == (0, 0):
            assert_rejected(self.market, "cancelCreatorFee", token, sender=who, error="NoPendingFee")
            return
        at = self.pin_next_block()
        if model.pending(at) == (0, 0):
            with ape.reverts(self.market.NoPendingFee):
                self.market.cancelCreatorFee(token, sender=who)
            return
        self.market.cancelCreatorFee(token, sender=who)
        model.cancel()

    @rule(seconds=gaps)
    def time_passes(self, seconds):
        self.warp(seconds)

    @precondition(lambda self: self.protocol_fee.effective_at > self.now() + 1)
    @rule(offset=st.sampled_from([-1, 0]))
    def to_fee_boundary(self, offset):
        self.mine_at(self.protocol_fee.effective_at + offset)

    @rule(which=st.integers(0, 3))
    def intruder_rejected(self, which):
        method, args = [
            ("scheduleProtocolFee", (1,)),
            ("cancelProtocolFee", ()),
            ("setTreasury", (self.intruder,)),
            ("transferOwnership", (self.intruder,)),
        ][which]
        assert_rejected(
            self.market,
            method,
            *args,
            sender=self.intruder,
            error="OwnableUnauthorizedAccount",
            error_args=(self.intruder,),
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def solvent_and_exact(self):
        reads = Reader()
        held = reads.call(self.usdc, "balanceOf", self.market)
        protocol_fee = reads.call(self.market, "protocolFeeBps")
        creator_fees = {t: reads.call(self.market, "creatorFeeBps", t) for t in self.tokens}
        self.events.request(reads)
        credit_reads = {
            str(a.address): reads.call(self.market, "balanceOf", a)
            for a in [*self.creators, *self.treasuries]
        }
        per_token = {}
        for token, contract in self.tokens.items():
            supply = self.supply[token]
            per_token[token] = (
                reads.call(self.market, "reserveOf", token),
                reads.call(self.market, "supplyOf", token),
                reads.call(contract, "totalSupply"),
                [reads.call(contract, "balanceOf", t) for t in self.holders],
                reads.call(self.market, "priceAt", supply),
                reads.call(self.market, "priceAt", supply + 1),
                reads.call(self.market, "quoteSell", token, supply) if supply else None,
            )
        now = reads.run().timestamp
        reserves = 0
        for token, (reserve, supply_of, total, balances, price, next_price, sell_all) in per_token.items():
            supply = self.supply[token]
            assert reserve.value == self.curve.area(supply)  # the exact model
            assert reserve.value >= self.curve.exact_area(supply)  # never below the exact integral
            if sell_all:  # selling the whole supply pays its value, which the reserve covers exactly
                net, pf, cf = sell_all.value
                assert net + pf + cf == reserve.value
            assert supply_of.value == total.value == supply == sum(b.value for b in balances)
            for t, b in zip(self.holders, balances, strict=True):
                assert b.value == self.holdings[(str(t.address), token)]
            assert price.value == self.curve.price_at(supply) <= next_price.value
            reserves += reserve.value
            if 2 * TOKEN * self.curve.base_price + self.curve.slope * supply > MAX_SUPPLY:
                covered("market: area through its 512-bit branch")
        for key, read in credit_reads.items():
            assert read.value == self.credit[key], f"credit of {key}"
        assert held.value == reserves + sum(r.value for r in credit_reads.values())
        # Every fee equals its model and, from the public record alone, never rises early.
        assert protocol_fee.value == self.protocol_fee.current(now)
        for token, read in creator_fees.items():
            assert read.value == self.creator_fee[token].current(now)
        events = self.events.events()
        protocol_watch, *creator_watches = self.fee_watches
        protocol_watch.feed(events)
        protocol_watch.observe(now, protocol_fee.value)
        for watch in creator_watches:
            watch.feed(events)
            watch.observe(now, creator_fees[watch.match["token"]].value)


@pytest.mark.fuzz
@pytest.mark.anvil_only(ANVIL_ONLY)
def test_market_state_machine(project, accounts, owner, treasury, creators, fans, stranger, attacker, usdc):
    third_creator, second_treasury = machine_accounts(accounts, "market", 2)
    for extra in (third_creator, second_treasury):
        owner.transfer(extra, 10**18)
    markets = [
        owner.deploy(project.CreatorMarket, owner, usdc, treasury, PROTOCOL_BPS, base_price, slope)
        for base_price, slope, _ in CURVES
    ]
    all_creators = [*creators, third_creator]
    traders = [*all_creators, *fans[:2]]
    treasuries = [treasury, second_treasury]
    for who in [*traders, attacker, *treasuries]:
        held = int(usdc.balanceOf(who))
        if held < FUNDS:
            usdc.mint(who, FUNDS - held, sender=owner)
        for market in markets:
            usdc.approve(market, MAX_UINT, sender=who)
    MarketMachine.usdc, MarketMachine.owner = usdc, owner
    MarketMachine.project = project
    MarketMachine.intruder, MarketMachine.outsider = stranger, attacker
    MarketMachine.markets = markets
    MarketMachine.predictions = [[str(m.predictToken(c)) for c in all_creators] for m in markets]
    MarketMachine.creators = all_creators
    MarketMachine.traders = traders
    MarketMachine.treasuries = treasuries
    run_machine(MarketMachine)
