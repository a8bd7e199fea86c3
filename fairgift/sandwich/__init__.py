"""Sandwich-safe trade limits for the creator market, over the exact curve model (fairgift/curve.py).

A sandwich: an attacker trades `x` tokens just before a fan's trade and trades them back just
after, in the same direction as the fan first (buys before a fan's buy, sells before a fan's sell),
so the fan trades at a worse price and the attacker's round trip collects the difference. The
fan's limit (`maxCost` of a buy, `minProceeds` of a sell) bounds how much worse the price may get.
This module computes, for one trade, the widest limit at which **no** front-run size `x` pays any
of three attackers, and what a wider limit exposes. By idea: `trades` (the trade, the attackers,
a sandwich and the answers), `search` (the exact search over front-run sizes, and why it is
complete), this module (the limits and the exposure):

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

**Defaults.** `safe_limit(trade).limit` is the limit to use: the widest safe limit, but never
wider than `DEFAULT_CAP_BPS` (1%, the tooling's former default tolerance) around the quote. When no
front-run size pays at any limit, it is that cap. A buy's safe limit is never below its quote (a
sandwich needs the fan to pay at least one unit more). A sell's may be: when the fees round in the
fan's favour, the fan's net proceeds can stay at the quote while its trade's curve value drops by a
unit, and an attacker gains that unit from the creator's and the treasury's fees, not from the fan;
the limit is then the exact quote, the tightest that lets the trade through.
"""

from __future__ import annotations

from fairgift.fees import BPS_DENOMINATOR
from fairgift.sandwich.search import (
    SEARCH_BUDGET,
    TWO_W2,
    BudgetExhausted,
    Search,
    merge_ranges,
    positive_ranges,
)
from fairgift.sandwich.trades import ATTACKERS, DEFAULT_CAP_BPS, Attacker, Exposure, Limit, Sandwich, Trade

__all__ = [
    "ATTACKERS",
    "DEFAULT_CAP_BPS",
    "SEARCH_BUDGET",
    "Attacker",
    "Exposure",
    "Limit",
    "Sandwich",
    "Trade",
    "default_limit",
    "exposure",
    "safe_limit",
    "simulate",
]


def _cap(quote: int, is_buy: bool, cap_bps: int) -> int:
    if is_buy:
        return quote + -(-quote * cap_bps // BPS_DENOMINATOR)
    return quote - -(-quote * cap_bps // BPS_DENOMINATOR)


def safe_limit(trade: Trade, *, cap_bps: int = DEFAULT_CAP_BPS, attackers=ATTACKERS) -> Limit:
    """The widest sandwich-safe limit of `trade` and the default limit to use (see the module doc).

    For a buy, `safe` is the largest `maxCost` at which no front-run size pays any attacker; for a
    sell, the smallest `minProceeds`. `limit` keeps it within `cap_bps` of the quote."""
    search = Search(trade, attackers)
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
        except BudgetExhausted:  # unknown: count it as paying
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
    search = Search(trade, attackers)
    if not trade.admits(limit, trade.quote):
        raise ValueError(f"a limit of {limit} does not admit the quote itself ({trade.quote})")
    d_max = _largest_admitted_gain(search, limit)
    if d_max < 1 or search.x_first(1) > search.x_max:
        return Exposure(limit, None, 0, True)
    x_hi = search.x_last(d_max)
    unit = BPS_DENOMINATOR * TWO_W2  # profit < 1 + q(x) / unit (see Search)

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
        except BudgetExhausted:
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
        for x_lo, x_up in positive_ranges(a2, a1, a0 - unit * floor_profit, 1, x_hi):
            spans.append((search.d_reaching(x_lo), min(d_max, search.d_reaching(x_up) + 1)))
    spans = merge_ranges(spans)
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


def _largest_admitted_gain(search: Search, limit: int) -> int:
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
