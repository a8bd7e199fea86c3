"""Sandwich-safe trade limits for the creator market, over the exact curve model (fairgift/curve.py).

A sandwich: an attacker trades `x` tokens just before a fan's trade and trades them back just
after, in the same direction as the fan first (buys before a fan's buy, sells before a fan's sell),
so the fan trades at a worse price and the attacker's round trip collects the difference. The
fan's limit (`maxCost` of a buy, `minProceeds` of a sell) bounds how much worse the price may get.
This module computes, for one trade, the widest limit at which **no** front-run size `x` pays any
of three attackers, and what a wider limit exposes:

- `Attacker.OUTSIDER` pays the protocol and the creator fee on both of its legs;
- `Attacker.CREATOR` (the token's creator) pays only the protocol fee: its creator fee comes back
  to it;
- `Attacker.TREASURY` (the protocol's treasury) pays only the creator fee: its protocol fee comes
  back to it.

Everything is exact integer arithmetic with the contract's rounding: reserve `R(s) = ceil(A(s))`,
trade value `R(s1) - R(s0)`, each fee `value * bps // 10_000` (on top of a buy, out of a sell).

**Conservative by construction.** The creator and the treasury also earn their fee on the fan's
trade; a sandwich changes that fee (a buy made at a worse price pays more fee, a sell made at a
worse price pays less), and that change is counted in their profit, exactly. The attacker is
assumed to have unlimited funds (and, before a fan's sell, to hold any amount of the other
holders' tokens), to order the three transactions at will, and to pay no gas. A profit of a single
quote unit counts: on small legs the fees round down to zero, so rounding alone often lets a
sandwich gain a unit or two, and the safe limit is then the exact quote (the trade fails if anyone
moves the price, rather than being sandwiched). Not modelled: an attacker that splits one leg into
many trades (each trade's fees round down separately, which saves less than one unit per fee per
extra trade, a trade costing far more than that in gas), and back-runs of a different size than
the front-run (a different bet on the curve, not a sandwich of this fan).

**The search is complete.** Write `v` for the value of the attacker's cheaper leg and `d` for the
other leg's value minus `v`: `d` is the attacker's gross gain and exactly what the fan's trade moved
on the curve (`V2 = V0 + d` for a buy, `V0 - d` for a sell), so profits depend on `x` only through
`(v, d)`, and for a fixed `d` they only fall as `v` grows. With `g(x) = slope * amount * x / 1e36`
(the exact gross gain) and `tau` the fan's own rounding (`D0 - V0` on a buy, `V0 - D0` on a sell,
`D0` the exact area of the fan's trade), every front-run `x` has `floor(g + tau) <= d <= ceil(g +
tau)` (ceil(y + c) lies between ceil(y) + floor(c) and ceil(y) + ceil(c)). So `d` can take a value
only in a window of `x`, and the cheapest `v` for that `d` is the first `x` in the window where the
two legs' values are exactly `(v, v + d)`, found leg by leg with the exact inverse of `R`. Sizes
where even an upper bound of the profit (a quadratic in `x`: gain at most `g + 2`, each fee at
least its exact share less one unit) is below one unit are skipped, which bounds the search. The
search stops after `SEARCH_BUDGET` legs; the answer is then still safe (every smaller `d` was
proved unprofitable), only possibly narrower than the widest safe limit, and says so (`exact`).

**Defaults.** `safe_limit(trade).limit` is the limit to use: the widest safe limit, but never
wider than `DEFAULT_CAP_BPS` (1%, the tooling's former default tolerance) around the quote. When no
front-run size pays at any limit, it is that cap. A buy's safe limit is never below its quote (a
sandwich needs the fan to pay at least one unit more). A sell's may be: when the fees round in the
fan's favour, the fan's net proceeds can stay at the quote while its trade's curve value drops by a
unit, and an attacker gains that unit from the creator's and the treasury's fees, not from the fan;
the limit is then the exact quote, the tightest that lets the trade through.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from math import isqrt

from fairgift.curve import MAX_SUPPLY, WAD, Curve, Quote
from fairgift.fees import BPS_DENOMINATOR, fee_on

DEFAULT_CAP_BPS = 100  # 1%: the default limit is never wider than this around the quote
SEARCH_BUDGET = 200_000  # legs examined per search before settling for a proven-safe narrower limit

_TWO_W2 = 2 * WAD * WAD  # 2e36: the area's denominator


class Attacker(StrEnum):
    """Who runs the sandwich, which decides the fees its round trip pays."""

    OUTSIDER = "outsider"  # pays both fees on both legs
    CREATOR = "creator"  # the token's creator: pays the protocol fee, earns the creator fee
    TREASURY = "treasury"  # the protocol's treasury: pays the creator fee, earns the protocol fee

    def fees_paid(self, protocol_bps: int, creator_bps: int) -> tuple[int, ...]:
        """The fee rates (bps) this attacker loses on its own legs."""
        return {
            Attacker.OUTSIDER: (protocol_bps, creator_bps),
            Attacker.CREATOR: (protocol_bps,),
            Attacker.TREASURY: (creator_bps,),
        }[self]

    def fee_earned(self, protocol_bps: int, creator_bps: int) -> int:
        """The fee rate (bps) this attacker earns on the fan's trade (0 for an outsider)."""
        return {Attacker.OUTSIDER: 0, Attacker.CREATOR: creator_bps, Attacker.TREASURY: protocol_bps}[self]


ATTACKERS = tuple(Attacker)


@dataclass(frozen=True)
class Trade:
    """A fan's trade: buy (or sell) `amount` base units of a token whose supply is `supply`."""

    curve: Curve
    supply: int
    amount: int
    protocol_bps: int
    creator_bps: int
    is_buy: bool = True

    def __post_init__(self):
        if self.amount <= 0:
            raise ValueError("a trade of zero tokens")
        if self.supply < 0 or (not self.is_buy and self.amount > self.supply):
            raise ValueError(f"cannot sell {self.amount} of a supply of {self.supply}")
        if self.is_buy and self.supply + self.amount > MAX_SUPPLY:
            raise ValueError("supply would reach 2^128")
        if (
            min(self.protocol_bps, self.creator_bps) < 0
            or self.protocol_bps + self.creator_bps >= BPS_DENOMINATOR
        ):
            raise ValueError(f"fees of {self.protocol_bps} + {self.creator_bps} bps are out of range")
        if (
            self.curve.base_price < 0
            or self.curve.slope < 0
            or self.curve.base_price == self.curve.slope == 0
        ):
            raise ValueError("a curve needs a non-negative base price and slope, not both zero")

    def quote_at(self, supply: int) -> Quote:
        """The fan's trade as quoted at `supply`."""
        if self.is_buy:
            return self.curve.quote_buy(supply, self.amount, self.protocol_bps, self.creator_bps)
        return self.curve.quote_sell(supply, self.amount, self.protocol_bps, self.creator_bps)

    @property
    def quote(self) -> int:
        """What the fan pays (a buy) or receives (a sell) when nobody trades first."""
        return self.quote_at(self.supply).total

    @property
    def max_front_run(self) -> int:
        """The largest front-run: the supply's room below 2^128 (a buy), the others' tokens (a sell)."""
        return MAX_SUPPLY - self.supply - self.amount if self.is_buy else self.supply - self.amount

    def admits(self, limit: int, fan_total: int) -> bool:
        """Whether the fan's limit lets its trade through at `fan_total`."""
        return fan_total <= limit if self.is_buy else fan_total >= limit


@dataclass(frozen=True)
class Sandwich:
    """One sandwich of a fan's trade and what it does, by the exact model."""

    attacker: Attacker
    front_run: int  # base units the attacker buys before a buy (sells before a sell) and undoes after
    profit: int  # the attacker's gain in quote units (fees it earns counted, see the module doc)
    fan_total: int  # what the fan then pays (a buy) or receives (a sell)
    fan_loss: int  # how much worse than the quote that is, in quote units


@dataclass(frozen=True)
class Limit:
    """The sandwich-safe limit of a trade (`maxCost` of a buy, `minProceeds` of a sell)."""

    quote: int  # the fan's exact quote
    limit: int  # the default: `safe` kept within `cap` (and, for a sell, never above the quote)
    safe: int | None  # the widest limit no sandwich pays against; None: none pays at any limit
    cap: int  # the quote plus (a buy) or minus (a sell) DEFAULT_CAP_BPS, rounded outwards
    first_attack: Sandwich | None  # a sandwich that pays once the limit is one unit past `safe`
    exact: bool  # False: the search budget ran out and `safe` is proven safe but maybe narrower

    @property
    def tolerance(self) -> int:
        """How far the default limit is from the quote, in quote units."""
        return abs(self.limit - self.quote)


@dataclass(frozen=True)
class Exposure:
    """What a given limit exposes a trade to."""

    limit: int
    best: Sandwich | None  # the most profitable sandwich found (None: no sandwich pays)
    profit_bound: int  # no sandwich gains more than this at that limit (proven)
    exact: bool  # True when `best.profit` is the maximum (else within `profit_bound`)


class _BudgetExhausted(Exception):
    pass


def _num(curve: Curve, s: int) -> int:
    """2e36 times the exact area A(s) (an integer)."""
    return s * (2 * WAD * curve.base_price + curve.slope * s)


def _reserve(curve: Curve, s: int) -> int:
    return -(-_num(curve, s) // _TWO_W2)


def _inverse(curve: Curve, n: int) -> int:
    """The largest supply s >= 0 with R(s) <= n (-1 when n < 0)."""
    if n < 0:
        return -1
    target = _TWO_W2 * n
    b, m = curve.base_price, curve.slope
    if m == 0:
        return target // (2 * WAD * b)
    wb = WAD * b
    s = (isqrt(wb * wb + m * target) - wb) // m  # the root of m s^2 + 2 W b s = target, floored
    while _num(curve, s + 1) <= target:
        s += 1
    while s > 0 and _num(curve, s) > target:
        s -= 1
    return s


@dataclass(frozen=True)
class _Leg:
    """One leg of the attacker's round trip as a function of the front-run size x: the curve value
    between `anchor` and `anchor + x` (up) or `anchor - x` (down)."""

    curve: Curve
    anchor: int
    up: bool
    x_max: int

    @cached_property
    def r_anchor(self) -> int:
        return _reserve(self.curve, self.anchor)

    def value(self, x: int) -> int:
        if self.up:
            return _reserve(self.curve, self.anchor + x) - self.r_anchor
        return self.r_anchor - _reserve(self.curve, self.anchor - x)

    def last(self, w: int) -> int:
        """The largest x in [0, x_max] whose value is at most w (-1 if none)."""
        if w < 0:
            return -1
        if self.up:
            return min(self.x_max, _inverse(self.curve, self.r_anchor + w) - self.anchor)
        # r_anchor - R(anchor - x) <= w  <=>  A(anchor - x) > r_anchor - w - 1
        return min(self.x_max, self.anchor - 1 - _inverse(self.curve, self.r_anchor - w - 1))


class _Search:
    """The exact sandwich search for one trade (see the module docstring)."""

    def __init__(self, trade: Trade, attackers=ATTACKERS, budget: int = SEARCH_BUDGET):
        self.trade = t = trade
        self.attackers = tuple(attackers)
        self.budget = budget
        c, s, a = t.curve, t.supply, t.amount
        self.x_max = t.max_front_run
        self.v0 = t.quote_at(s).value
        if t.is_buy:
            self.small = _Leg(c, s, True, self.x_max)  # the attacker's front-run buy
            self.big = _Leg(c, s + a, True, self.x_max)  # its back-run sell
            exact_v0 = _num(c, s + a) - _num(c, s)
            self.tau = exact_v0 - _TWO_W2 * self.v0  # 2e36 * (D0 - V0), in (-2e36, 0]
            anchor, sign = s, 1
        else:
            self.small = _Leg(c, s - a, False, self.x_max)  # the attacker's buy-back
            self.big = _Leg(c, s, False, self.x_max)  # its front-run sell
            exact_v0 = _num(c, s) - _num(c, s - a)
            self.tau = _TWO_W2 * self.v0 - exact_v0  # 2e36 * (V0 - D0), in [0, 2e36)
            anchor, sign = s - a, -1
        self.gain_rate = 2 * c.slope * a  # 2e36 * g(x) = gain_rate * x
        # Per attacker, the sizes where its profit could reach one unit (profit < 1 + q(x) / 1e4 / 2e36):
        # q(x) = 2e36 [2 K + 1e4 (e + 2 n - 1) + 2 f] + 2 K slope a x - 2 f x (2 W b + slope (2 anchor +- x)),
        # K = 1e4 + earned - f (earned only on a buy), f = bps paid, n = fees paid, e = 1 if earned.
        self.ranges: dict[Attacker, list[tuple[int, int]]] = {}
        self.fee_free = {k: not any(k.fees_paid(t.protocol_bps, t.creator_bps)) for k in self.attackers}
        self.q: dict[Attacker, tuple[int, int, int]] = {}
        for k in self.attackers:
            paid = [bps for bps in k.fees_paid(t.protocol_bps, t.creator_bps) if bps]
            f = sum(paid)
            earned = k.fee_earned(t.protocol_bps, t.creator_bps) if t.is_buy else 0
            kk = BPS_DENOMINATOR + earned - f
            q0 = _TWO_W2 * (2 * kk + BPS_DENOMINATOR * ((1 if earned else 0) + 2 * len(paid) - 1) + 2 * f)
            q1 = 2 * kk * c.slope * a - 2 * f * (2 * WAD * c.base_price + 2 * c.slope * anchor)
            q2 = -2 * f * c.slope * sign
            self.q[k] = (q2, q1, q0)
            self.ranges[k] = _positive_ranges(q2, q1, q0, 1, self.x_max)
        self.any_ranges = _merge([r for k in self.attackers for r in self.ranges[k]])

    # ---------------------------------------------------------------- the fan and the attackers

    def fan_value(self, d: int) -> int:
        return self.v0 + d if self.trade.is_buy else self.v0 - d

    def fan_total(self, d: int) -> int:
        v, p, c = self.fan_value(d), self.trade.protocol_bps, self.trade.creator_bps
        fees = fee_on(v, p) + fee_on(v, c)
        return v + fees if self.trade.is_buy else v - fees

    def profit(self, k: Attacker, v: int, d: int) -> int:
        """Attacker k's exact profit when its legs are worth v and v + d."""
        t = self.trade
        paid = k.fees_paid(t.protocol_bps, t.creator_bps)
        earned = k.fee_earned(t.protocol_bps, t.creator_bps)
        lost = sum(fee_on(v, bps) + fee_on(v + d, bps) for bps in paid)
        return d - lost + fee_on(self.fan_value(d), earned) - fee_on(self.v0, earned)

    # ---------------------------------------------------------------- windows of x per gain d

    def x_first(self, d: int) -> int:
        """The smallest x >= 1 at which the gain can be d or more (ceil(g + tau) >= d)."""
        need = _TWO_W2 * (d - 1) - self.tau  # gain_rate * x must exceed this
        if self.gain_rate == 0:
            return 1 if need < 0 else self.x_max + 1
        return max(1, need // self.gain_rate + 1)

    def x_last(self, d: int) -> int:
        """The largest x at which the gain can still be d or less (floor(g + tau) <= d)."""
        if self.gain_rate == 0:
            return self.x_max
        return min(self.x_max, (_TWO_W2 * (d + 1) - self.tau - 1) // self.gain_rate)

    def d_reaching(self, x: int) -> int:
        """The smallest d whose window reaches x."""
        return max(1, (self.gain_rate * x + self.tau) // _TWO_W2)

    def in_ranges(self, x: int, ranges) -> int | None:
        """The smallest x' >= x inside `ranges`, or None."""
        for lo, hi in ranges:
            if x <= hi:
                return max(x, lo)
        return None

    # ---------------------------------------------------------------- one gain d

    def cheapest(self, d: int, ranges, attackers):
        """The first leg pair (v, v + d) with x in `ranges`, for the attackers that could still
        profit: returns (x, v) or None. Leg pairs are scanned in order of x, so v only grows; once
        only attackers that pay no fee remain (their profit does not depend on v), any pair will do."""
        x, x_end = self.x_first(d), self.x_last(d)
        active = list(attackers)
        probed = False
        while active:
            if not probed and all(self.fee_free[k] for k in active):
                probed = True
                found = self.probe(d)
                if found is not None:
                    return found
            x = self.in_ranges(x, ranges)
            if x is None or x > x_end:
                return None
            self.budget -= 1
            if self.budget < 0:
                raise _BudgetExhausted
            v = self.small.value(x)
            tooth_end = min(self.small.last(v), x_end)
            xc = max(x, self.big.last(v + d - 1) + 1)
            if xc <= tooth_end and xc <= self.big.last(v + d):
                return xc, v
            active = [k for k in active if self.profit(k, v, d) > 0]  # an upper bound for larger v
            x = tooth_end + 1
        return None

    def probe(self, d: int):
        """(x, v) at the first x where g + tau reaches d, or just before, if the gain is exactly d
        there (it is, except in rare roundings); else None."""
        if self.gain_rate == 0:
            return None
        x_c = max(1, -(-(_TWO_W2 * d - self.tau) // self.gain_rate))
        for x in (x_c - 1, x_c):
            if 1 <= x <= self.x_max:
                v = self.small.value(x)
                if self.big.value(x) - v == d:
                    return x, v
        return None

    def best_at(self, d: int, ranges=None) -> Sandwich | None:
        """The most profitable sandwich with gain exactly d (None when none pays)."""
        found = self.cheapest(d, self.any_ranges if ranges is None else ranges, self.attackers)
        if found is None:
            return None
        x, v = found
        profit, k = max((self.profit(k, v, d), k) for k in self.attackers)
        if profit <= 0:
            return None
        return self.sandwich(k, x, v, d)

    def sandwich(self, k: Attacker, x: int, v: int, d: int) -> Sandwich:
        fan_total = self.fan_total(d)
        return Sandwich(k, x, self.profit(k, v, d), fan_total, abs(fan_total - self.trade.quote))

    # ---------------------------------------------------------------- the smallest profitable gain

    def first_profitable(self) -> tuple[int | None, Sandwich | None, bool]:
        """(d*, a sandwich with gain d*, exact): the smallest gain some attacker profits from; None
        when no gain is profitable. On an exhausted budget: (d, None, False) with every gain below
        d proved unprofitable."""
        d = 1
        while True:
            x = self.x_first(d)
            if x > self.x_max:
                return None, None, True
            x = self.in_ranges(x, self.any_ranges)
            if x is None:
                return None, None, True
            if x > self.x_last(d):
                d = max(d + 1, self.d_reaching(x))
                continue
            try:
                found = self.best_at(d)
            except _BudgetExhausted:
                return d, None, False
            if found is not None:
                return d, found, True
            d += 1


def _merge(ranges):
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _positive_ranges(a2: int, a1: int, a0: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The integer x in [lo, hi] where a2 x^2 + a1 x + a0 > 0, as disjoint intervals."""
    if lo > hi:
        return []

    def q(x):
        return (a2 * x + a1) * x + a0

    # Split [lo, hi] at the vertex into pieces where q is monotone, and bisect each piece.
    cuts = [lo, hi]
    if a2 != 0:
        vertex = -a1 // (2 * a2)
        cuts += [min(max(vertex + i, lo), hi) for i in (0, 1)]
    cuts = sorted(set(cuts))
    pieces = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)] or [(lo, hi)]
    out = []
    for p_lo, p_hi in pieces:
        a_pos, b_pos = q(p_lo) > 0, q(p_hi) > 0
        if a_pos and b_pos:
            out.append((p_lo, p_hi))
        elif a_pos or b_pos:
            # q is monotone on [p_lo, p_hi]: find the last point with the sign of p_lo
            lo_, hi_ = p_lo, p_hi
            while hi_ - lo_ > 1:
                mid = (lo_ + hi_) // 2
                if (q(mid) > 0) == a_pos:
                    lo_ = mid
                else:
                    hi_ = mid
            out.append((p_lo, lo_) if a_pos else (hi_, p_hi))
    return _merge(out)


# -------------------------------------------------------------------------------- public API


def _cap(quote: int, is_buy: bool, cap_bps: int) -> int:
    if is_buy:
        return quote + -(-quote * cap_bps // BPS_DENOMINATOR)
    return quote - -(-quote * cap_bps // BPS_DENOMINATOR)


def _net(trade: Trade, value: int) -> int:
    return value - fee_on(value, trade.protocol_bps) - fee_on(value, trade.creator_bps)


def safe_limit(trade: Trade, *, cap_bps: int = DEFAULT_CAP_BPS, attackers=ATTACKERS) -> Limit:
    """The widest sandwich-safe limit of `trade` and the default limit to use (see the module doc).

    For a buy, `safe` is the largest `maxCost` at which no front-run size pays any attacker; for a
    sell, the smallest `minProceeds`. `limit` keeps it within `cap_bps` of the quote."""
    search = _Search(trade, attackers)
    quote, cap = trade.quote, _cap(trade.quote, trade.is_buy, cap_bps)
    d_star, attack, exact = search.first_profitable()
    if d_star is None:
        return Limit(quote, cap, None, cap, None, True)
    if trade.is_buy:
        safe = search.fan_total(d_star) - 1  # the fan's cost rises strictly with the gain
        return Limit(quote, max(quote, min(safe, cap)), safe, cap, attack, exact)
    # A sell's net proceeds fall with the gain d only up to the fees' rounding: N(V0 - d - j) <=
    # N(V0 - d) for every j >= window, so only gains in [d*, d* + window) can set the floor.
    window = _sell_window(trade.protocol_bps, trade.creator_bps)
    worst = search.fan_total(d_star)  # the most the fan nets while some sandwich pays
    for d in range(d_star + 1, min(d_star + window, search.v0 + 1)):
        if search.fan_total(d) <= worst:
            continue
        try:
            found = search.best_at(d)
        except _BudgetExhausted:  # unknown: count it as paying
            found, exact = None, False
        else:
            if found is None:
                continue
        worst, attack = search.fan_total(d), found
    safe = worst + 1
    return Limit(quote, min(quote, max(safe, cap)), safe, cap, attack, exact)


def _sell_window(protocol_bps: int, creator_bps: int) -> int:
    """The smallest J such that a sale worth j >= J units less never nets more (any value)."""
    f = protocol_bps + creator_bps
    # j - ceil(j p) - ceil(j c) >= j (1 - f) - 2 >= 0 once j >= 2 / (1 - f); check the j below.
    bound = -(-2 * BPS_DENOMINATOR // (BPS_DENOMINATOR - f))
    window = 1
    for j in range(1, bound + 1):
        if j - -(-j * protocol_bps // BPS_DENOMINATOR) - -(-j * creator_bps // BPS_DENOMINATOR) < 0:
            window = j + 1
    return window


def default_limit(trade: Trade) -> int:
    """The default `maxCost` (a buy) or `minProceeds` (a sell) for `trade`."""
    return safe_limit(trade).limit


def simulate(trade: Trade, attacker: Attacker, front_run: int) -> Sandwich:
    """Run one sandwich through the curve model, trade by trade (the fan's limit not applied)."""
    c, s, a, p, cf = trade.curve, trade.supply, trade.amount, trade.protocol_bps, trade.creator_bps
    if not 1 <= front_run <= trade.max_front_run:
        raise ValueError(f"front-run of {front_run} is outside 1..{trade.max_front_run}")
    base = trade.quote_at(s)
    if trade.is_buy:
        front = c.quote_buy(s, front_run, p, cf)
        fan = trade.quote_at(s + front_run)
        back = c.quote_sell(s + front_run + a, front_run, p, cf)
        cash = back.total - front.total
    else:
        front = c.quote_sell(s, front_run, p, cf)
        fan = trade.quote_at(s - front_run)
        back = c.quote_buy(s - front_run - a, front_run, p, cf)
        cash = front.total - back.total
    if attacker is Attacker.CREATOR:
        cash += front.creator_fee + back.creator_fee + fan.creator_fee - base.creator_fee
    elif attacker is Attacker.TREASURY:
        cash += front.protocol_fee + back.protocol_fee + fan.protocol_fee - base.protocol_fee
    return Sandwich(attacker, front_run, cash, fan.total, abs(fan.total - base.total))


def exposure(trade: Trade, limit: int, *, attackers=ATTACKERS, budget: int = 2_000) -> Exposure:
    """The most profitable sandwich of `trade` when the fan's limit is `limit`.

    Exact when the gains whose upper bound beats the best sandwich found number at most `budget`;
    otherwise the best among the `budget` most promising, and `profit_bound` bounds the rest."""
    search = _Search(trade, attackers)
    if not trade.admits(limit, trade.quote):
        raise ValueError(f"a limit of {limit} does not admit the quote itself ({trade.quote})")
    d_max = _largest_admitted_gain(search, limit)
    if d_max < 1 or search.x_first(1) > search.x_max:
        return Exposure(limit, None, 0, True)
    x_hi = search.x_last(d_max)
    unit = BPS_DENOMINATOR * _TWO_W2  # profit < 1 + q(x) / unit (see _Search)

    def q_max(k: Attacker) -> tuple[int, int]:
        """(the largest q_k over [1, x_hi], where)."""
        a2, a1, a0 = search.q[k]
        xs = {1, x_hi}
        if a2 < 0:
            xs |= {min(max(-a1 // (2 * a2) + i, 1), x_hi) for i in (0, 1)}
        return max(((a2 * x + a1) * x + a0, x) for x in xs)

    peaks = {k: q_max(k) for k in search.attackers}
    profit_bound = max(0, max(-(-q // unit) for q, _ in peaks.values()))
    best: Sandwich | None = None
    complete = True

    def consider(d: int) -> None:
        nonlocal best, complete
        if not 1 <= d <= d_max:
            return
        try:
            found = search.best_at(d)
        except _BudgetExhausted:
            complete = False
            return
        if found is not None and trade.admits(limit, found.fan_total):
            if best is None or found.profit > best.profit:
                best = found

    centre = search.d_reaching(max(peaks.values())[1])
    seeds = {d_max - i for i in range(3)} | {
        search.d_reaching(x) + i for _, x in peaks.values() for i in range(-2, 3)
    }
    for d in sorted(seeds):
        consider(d)
    # Only gains whose window holds an x where some attacker's bound beats the best found remain.
    floor_profit = best.profit if best else 0
    spans = []
    for k in search.attackers:
        a2, a1, a0 = search.q[k]
        for x_lo, x_up in _positive_ranges(a2, a1, a0 - unit * floor_profit, 1, x_hi):
            spans.append((search.d_reaching(x_lo), min(d_max, search.d_reaching(x_up) + 1)))
    spans = _merge(spans)
    if sum(hi - lo + 1 for lo, hi in spans) <= budget:
        rest = [d for lo, hi in spans for d in range(lo, hi + 1)]
    else:
        complete = False
        near = [(max(lo, centre - budget), min(hi, centre + budget)) for lo, hi in spans]
        rest = sorted((d for lo, hi in near for d in range(lo, hi + 1)), key=lambda d: abs(d - centre))
        rest = rest[:budget]
    for d in sorted(set(rest) - seeds):
        consider(d)
    if complete:
        profit_bound = best.profit if best else 0
    elif best is not None:
        profit_bound = max(profit_bound, best.profit)
    return Exposure(limit, best, profit_bound, complete)


def _largest_admitted_gain(search: _Search, limit: int) -> int:
    """An upper bound of the gains d the fan's limit admits (exact for a buy)."""
    trade = search.trade
    if trade.is_buy:  # the fan's cost rises strictly with d: bisect
        lo, hi = 0, 1
        while search.fan_total(hi) <= limit:
            lo, hi = hi, hi * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if search.fan_total(mid) <= limit else (lo, mid)
        return lo
    # A sale worth v nets at most v (1 - f) + 2 (two fees rounded down), so N(v) >= limit needs
    # v > (limit - 2) / (1 - f).
    f = trade.protocol_bps + trade.creator_bps
    v_min = max(0, (limit - 2) * BPS_DENOMINATOR // (BPS_DENOMINATOR - f))
    return search.v0 - v_min
