"""The exact sandwich search for one trade: the largest gain no attacker can take, leg by leg.

The search is complete. Write `v` for the value of the attacker's cheaper leg and `d` for the
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
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import isqrt

from fairgift.curve import WAD, Curve
from fairgift.fees import BPS_DENOMINATOR, fee_on
from fairgift.sandwich.trades import ATTACKERS, Attacker, Sandwich, Trade

SEARCH_BUDGET = 200_000  # legs examined per search before settling for a proven-safe narrower limit

TWO_W2 = 2 * WAD * WAD  # 2e36: the area's denominator


class BudgetExhausted(Exception):
    pass


def area_numerator(curve: Curve, s: int) -> int:
    """2e36 times the exact area A(s) (an integer)."""
    return s * (2 * WAD * curve.base_price + curve.slope * s)


def reserve(curve: Curve, s: int) -> int:
    return -(-area_numerator(curve, s) // TWO_W2)


def supply_for_reserve(curve: Curve, n: int) -> int:
    """The largest supply s >= 0 with R(s) <= n (-1 when n < 0)."""
    if n < 0:
        return -1
    target = TWO_W2 * n
    b, m = curve.base_price, curve.slope
    if m == 0:
        return target // (2 * WAD * b)
    wb = WAD * b
    s = (isqrt(wb * wb + m * target) - wb) // m  # the root of m s^2 + 2 W b s = target, floored
    while area_numerator(curve, s + 1) <= target:
        s += 1
    while s > 0 and area_numerator(curve, s) > target:
        s -= 1
    return s


@dataclass(frozen=True)
class Leg:
    """One leg of the attacker's round trip as a function of the front-run size x: the curve value
    between `anchor` and `anchor + x` (up) or `anchor - x` (down)."""

    curve: Curve
    anchor: int
    up: bool
    x_max: int

    @cached_property
    def r_anchor(self) -> int:
        return reserve(self.curve, self.anchor)

    def value(self, x: int) -> int:
        if self.up:
            return reserve(self.curve, self.anchor + x) - self.r_anchor
        return self.r_anchor - reserve(self.curve, self.anchor - x)

    def last(self, w: int) -> int:
        """The largest x in [0, x_max] whose value is at most w (-1 if none)."""
        if w < 0:
            return -1
        if self.up:
            return min(self.x_max, supply_for_reserve(self.curve, self.r_anchor + w) - self.anchor)
        # r_anchor - R(anchor - x) <= w  <=>  A(anchor - x) > r_anchor - w - 1
        return min(self.x_max, self.anchor - 1 - supply_for_reserve(self.curve, self.r_anchor - w - 1))


class Search:
    """The exact sandwich search for one trade (see the module docstring)."""

    def __init__(self, trade: Trade, attackers=ATTACKERS, budget: int = SEARCH_BUDGET):
        self.trade = t = trade
        self.attackers = tuple(attackers)
        self.budget = budget
        c, s, a = t.curve, t.supply, t.amount
        self.x_max = t.max_front_run
        self.v0 = t.quote_at(s).value
        if t.is_buy:
            self.small = Leg(c, s, True, self.x_max)  # the attacker's front-run buy
            self.big = Leg(c, s + a, True, self.x_max)  # its back-run sell
            exact_v0 = area_numerator(c, s + a) - area_numerator(c, s)
            self.tau = exact_v0 - TWO_W2 * self.v0  # 2e36 * (D0 - V0), in (-2e36, 0]
            anchor, sign = s, 1
        else:
            self.small = Leg(c, s - a, False, self.x_max)  # the attacker's buy-back
            self.big = Leg(c, s, False, self.x_max)  # its front-run sell
            exact_v0 = area_numerator(c, s) - area_numerator(c, s - a)
            self.tau = TWO_W2 * self.v0 - exact_v0  # 2e36 * (V0 - D0), in [0, 2e36)
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
            q0 = TWO_W2 * (2 * kk + BPS_DENOMINATOR * ((1 if earned else 0) + 2 * len(paid) - 1) + 2 * f)
            q1 = 2 * kk * c.slope * a - 2 * f * (2 * WAD * c.base_price + 2 * c.slope * anchor)
            q2 = -2 * f * c.slope * sign
            self.q[k] = (q2, q1, q0)
            self.ranges[k] = positive_ranges(q2, q1, q0, 1, self.x_max)
        self.any_ranges = merge_ranges([r for k in self.attackers for r in self.ranges[k]])

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
        need = TWO_W2 * (d - 1) - self.tau  # gain_rate * x must exceed this
        if self.gain_rate == 0:
            return 1 if need < 0 else self.x_max + 1
        return max(1, need // self.gain_rate + 1)

    def x_last(self, d: int) -> int:
        """The largest x at which the gain can still be d or less (floor(g + tau) <= d)."""
        if self.gain_rate == 0:
            return self.x_max
        return min(self.x_max, (TWO_W2 * (d + 1) - self.tau - 1) // self.gain_rate)

    def d_reaching(self, x: int) -> int:
        """The smallest d whose window reaches x."""
        return max(1, (self.gain_rate * x + self.tau) // TWO_W2)

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
                raise BudgetExhausted
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
        x_c = max(1, -(-(TWO_W2 * d - self.tau) // self.gain_rate))
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
            except BudgetExhausted:
                return d, None, False
            if found is not None:
                return d, found, True
            d += 1


def merge_ranges(ranges):
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def positive_ranges(a2: int, a1: int, a0: int, lo: int, hi: int) -> list[tuple[int, int]]:
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
    return merge_ranges(out)
