"""The sandwich-safe limit (fairgift/sandwich/), checked against a brute force over the curve model.

Pure Python: no chain. The brute force below is independent of the module's search: it runs the
three trades of each sandwich through `Curve.quote_buy` / `quote_sell` for every state the
attacker's front-run size `x` can produce, inside a range of `x` that provably holds every
sandwich the fan's limit lets through.
"""

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from fairgift.curve import MAX_SUPPLY, WAD, Curve
from fairgift.fees import fee_on
from fairgift.sandwich import (
    ATTACKERS,
    DEFAULT_CAP_BPS,
    Attacker,
    Trade,
    exposure,
    safe_limit,
    simulate,
)
from fairgift.sandwich.search import Search, positive_ranges, supply_for_reserve
from tests.constants import BASE_PRICE, MAX_CREATOR_FEE_BPS, MAX_PROTOCOL_FEE_BPS, SLOPE, TOKEN

DEFAULT_CURVE = Curve(BASE_PRICE, SLOPE)  # $0.01 + $0.001 per token of supply (the deploy default)
PROTOCOL_BPS, CREATOR_BPS = 250, 500
BRUTE_STATES = 1_500  # the most front-run states one example may brute-force


# ---------------------------------------------------------------------- the independent brute force


def run_sandwich(trade: Trade, x: int) -> tuple[int, dict[Attacker, int]]:
    """(what the fan pays or receives, each attacker's profit) for a front-run of x, by the quotes."""
    c, s, a, p, cf = trade.curve, trade.supply, trade.amount, trade.protocol_bps, trade.creator_bps
    alone = trade.quote_at(s)
    if trade.is_buy:
        front, fan, back = c.quote_buy(s, x, p, cf), trade.quote_at(s + x), c.quote_sell(s + x + a, x, p, cf)
        cash = back.total - front.total
    else:
        front, fan, back = c.quote_sell(s, x, p, cf), trade.quote_at(s - x), c.quote_buy(s - x - a, x, p, cf)
        cash = front.total - back.total
    return fan.total, {
        Attacker.OUTSIDER: cash,
        Attacker.CREATOR: cash + front.creator_fee + back.creator_fee + fan.creator_fee - alone.creator_fee,
        Attacker.TREASURY: cash
        + front.protocol_fee
        + back.protocol_fee
        + fan.protocol_fee
        - alone.protocol_fee,
    }


def leg_reserves(trade: Trade):
    """The reserves that change with x: at the end of the attacker's first leg and of its last."""
    c, s, a = trade.curve, trade.supply, trade.amount
    if trade.is_buy:
        return (lambda x: c.area(s + x)), (lambda x: c.area(s + a + x))
    return (lambda x: -c.area(s - x)), (lambda x: -c.area(s - a - x))


def next_change(f, x: int, hi: int) -> int:
    """The smallest x' in (x, hi] where the non-decreasing f differs from f(x); hi + 1 if none."""
    fx, lo, step = f(x), x, 1
    while True:
        probe = min(x + step, hi)
        if f(probe) != fx:
            break
        if probe == hi:
            return hi + 1
        lo, step = probe, step * 2
    while probe - lo > 1:
        mid = (lo + probe) // 2
        lo, probe = (mid, probe) if f(mid) == fx else (lo, mid)
    return probe


def admitted_x_bound(trade: Trade, limit: int) -> int:
    """Every front-run the fan's limit lets through is at most this.

    The attacker's gross gain d moves the fan's curve value from V0 to V0 + d (a buy) or V0 - d (a
    sell), and d > g - 2 with g = slope * amount * x / 1e36 (each of the four reserves involved is
    the exact area rounded up by less than one unit). A buy's cost grows strictly with its value, so
    the limit admits d <= D only; a sale worth v nets less than v (1 - f) + 2, so it needs
    v > (limit - 2) / (1 - f). Hence x < (D + 2) 1e36 / (slope * amount)."""
    v0 = trade.quote_at(trade.supply).value
    p, c = trade.protocol_bps, trade.creator_bps
    if trade.is_buy:
        lo, hi = 0, 1  # bisect the largest d whose cost fits
        while (v := v0 + hi) + fee_on(v, p) + fee_on(v, c) <= limit:
            lo, hi = hi, 2 * hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            v = v0 + mid
            lo, hi = (mid, hi) if v + fee_on(v, p) + fee_on(v, c) <= limit else (lo, mid)
        d = lo
    else:
        d = v0 - (limit - 2) * 10_000 // (10_000 - p - c)
    rate = trade.curve.slope * trade.amount
    if rate == 0:
        return trade.max_front_run
    return min(trade.max_front_run, (d + 2) * WAD * WAD // rate + 1)


def brute_force(trade: Trade, limit: int, attackers=ATTACKERS):
    """(best profit, attacker, x) over every front-run the limit lets through, or None if none does.

    Profits depend on x only through the two reserves `leg_reserves` follows (the fan's and the
    attacker's trades are differences of them and of fixed reserves), so one x per state is enough.
    """
    x_hi = admitted_x_bound(trade, limit)
    first, last = leg_reserves(trade)
    best, x = None, 1
    while x <= x_hi:
        fan_total, profits = run_sandwich(trade, x)
        if trade.admits(limit, fan_total):
            for k in attackers:
                if best is None or profits[k] > best[0]:
                    best = (profits[k], k, x)
        x = min(next_change(first, x, x_hi), next_change(last, x, x_hi))
    return best


def brute_states(trade: Trade, limit: int) -> int:
    """An upper bound of the states `brute_force` visits."""
    x_hi = admitted_x_bound(trade, limit)
    first, last = leg_reserves(trade)
    return min(x_hi, first(x_hi) - first(0) + last(x_hi) - last(0) + 1)


# ---------------------------------------------------------------------- strategies

slopes = st.one_of(
    st.integers(1, 10_000),
    st.integers(0, 96).map(lambda e: 2**e),
    st.just(2**96),  # the contract's largest slope
)
curves = st.one_of(
    st.builds(Curve, st.just(0), slopes),  # basePrice = 0
    st.builds(Curve, st.integers(1, 10**6), st.one_of(st.just(0), slopes)),
)
fees = st.tuples(
    st.one_of(st.sampled_from([0, 1, 250, MAX_PROTOCOL_FEE_BPS]), st.integers(0, MAX_PROTOCOL_FEE_BPS)),
    st.one_of(st.sampled_from([0, 1, 500, MAX_CREATOR_FEE_BPS]), st.integers(0, MAX_CREATOR_FEE_BPS)),
)
sizes = st.one_of(st.integers(1, 10**6), st.integers(1, 10**13), st.integers(1, 10**21))


@st.composite
def trades(draw):
    curve, (p, c), is_buy = draw(curves), draw(fees), draw(st.booleans())
    amount = draw(sizes)
    supply = draw(st.one_of(st.just(0), sizes))
    if not is_buy:
        supply += amount
    assume(supply + (amount if is_buy else 0) <= MAX_SUPPLY)
    return Trade(curve, supply, amount, p, c, is_buy)


PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)


# ---------------------------------------------------------------------- the property


def kind(limit) -> str:
    if limit.safe is None:
        return "no sandwich at any limit: the cap"
    if limit.limit == limit.quote:
        return "the exact quote"
    return "the cap" if limit.limit == limit.cap else "between the quote and the cap"


@PROPERTY
@given(trades())
def test_no_sandwich_pays_at_the_default_limit(trade):
    limit = safe_limit(trade)
    assume(brute_states(trade, limit.limit) <= BRUTE_STATES)
    best = brute_force(trade, limit.limit)
    event(kind(limit))
    event("some front-run admitted" if best else "no front-run admitted")
    if best is not None and best[0] > 0:
        # The one exception, a sale at its exact quote: the fees' rounding let the fan net at
        # least its quote although its sale is worth less, and the attacker's unit comes out of
        # the fees. Nothing tighter lets the sale through.
        assert not trade.is_buy and limit.limit == limit.quote, (best, limit)
        fan_total, _ = run_sandwich(trade, best[2])
        assert fan_total >= limit.quote
    # The default stays within the cap and never refuses the trade at its own quote.
    assert trade.admits(limit.limit, limit.quote) and trade.admits(limit.cap, limit.limit)


@PROPERTY
@given(trades())
def test_one_unit_past_the_safe_limit_a_sandwich_pays(trade):
    """`safe` is the widest safe limit: the module's first attack pays one unit past it."""
    limit = safe_limit(trade)
    assume(limit.safe is not None and limit.exact)
    attack = limit.first_attack
    fan_total, profits = run_sandwich(trade, attack.front_run)
    past = limit.safe + 1 if trade.is_buy else limit.safe - 1
    assert profits[attack.attacker] == attack.profit > 0
    assert fan_total == attack.fan_total
    assert trade.admits(past, fan_total) and not trade.admits(limit.safe, fan_total)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(trades(), st.integers(0, 300))
def test_exposure_is_the_best_sandwich(trade, tolerance_bps):
    """At any wider limit, `exposure` names the most profitable sandwich (by brute force)."""
    quote = trade.quote
    step = -(-quote * tolerance_bps // 10_000)
    limit = quote + step if trade.is_buy else quote - step
    assume(brute_states(trade, limit) <= BRUTE_STATES)
    found = exposure(trade, limit)
    best = brute_force(trade, limit)
    best_profit = max(best[0], 0) if best else 0
    assert best_profit <= found.profit_bound
    if found.best is None:
        assert best_profit == 0
    else:
        assert simulate(trade, found.best.attacker, found.best.front_run) == found.best
        assert trade.admits(limit, found.best.fan_total)
        if found.exact:
            assert found.best.profit == best_profit


# ---------------------------------------------------------------------- not vacuous: the example


def test_at_a_naive_one_percent_an_outsider_profits_from_a_large_buy():
    """Issue #10 §2: supply 100 tokens on the default curve, a fan buys 100 tokens with maxCost =
    quote + 1%: an outsider front-running about 1.6 tokens takes about 0.12 USDC, and the fan pays
    its whole tolerance (0.172 USDC) more than quoted."""
    trade = Trade(DEFAULT_CURVE, 100 * TOKEN, 100 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    assert trade.quote == 17_200_000  # 17.20 USDC
    naive = trade.quote * 101 // 100
    found = exposure(trade, naive, attackers=[Attacker.OUTSIDER])
    attack = found.best
    assert found.exact and found.profit_bound == attack.profit
    assert 120_000 <= attack.profit <= 125_000  # about 0.12 USDC
    assert 1.55 * TOKEN <= attack.front_run <= 1.65 * TOKEN
    assert attack.fan_total <= naive and attack.fan_loss >= 171_000
    fan_total, profits = run_sandwich(trade, attack.front_run)
    assert (fan_total, profits[Attacker.OUTSIDER]) == (attack.fan_total, attack.profit)
    # The creator and the treasury pay fewer fees on their round trip: they take more.
    assert exposure(trade, naive, attackers=[Attacker.CREATOR]).best.profit > attack.profit
    assert exposure(trade, naive, attackers=[Attacker.TREASURY]).best.profit > attack.profit
    # ... and the default refuses every one of them.
    limit = safe_limit(trade)
    assert limit.limit < naive and not trade.admits(limit.limit, attack.fan_total)
    assert exposure(trade, limit.limit).best is None


def test_small_trades_often_have_no_sandwich_at_all_and_default_to_the_cap():
    """A trade of a hundredth of a token at supply 100: no front-run size pays at any limit when
    the fan's own rounding is not in its favour; the default is then the 1% cap."""
    capped = 0
    for i in range(1, 41):
        trade = Trade(DEFAULT_CURVE, 100 * TOKEN + i * 10**15, 10**16, PROTOCOL_BPS, CREATOR_BPS)
        limit = safe_limit(trade)
        if limit.safe is None:
            capped += 1
            assert limit.limit == limit.cap == trade.quote + -(-trade.quote * DEFAULT_CAP_BPS // 10_000)
            exposed = exposure(trade, limit.cap)
            assert exposed.best is None and exposed.profit_bound == 0 and exposed.exact
        else:
            assert limit.limit == limit.safe < limit.cap
    assert 0 < capped < 40


# ---------------------------------------------------------------------- the search's building blocks


@st.composite
def front_runs(draw):
    trade = draw(trades())
    assume(trade.max_front_run >= 1)
    x = draw(st.one_of(st.integers(1, 10**6), st.integers(1, trade.max_front_run)))
    return trade, min(x, trade.max_front_run)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(front_runs())
def test_the_lemmas_the_search_stands_on_hold_for_any_front_run(case):
    """(1) the gain d (how far the fan's trade moved on the curve) lies between floor(g + tau) and
    ceil(g + tau); (2) an attacker profits only where its bound q is positive, and by less than
    1 + q / (1e4 * 2e36): the sizes the search skips pay nobody."""
    trade, x = case
    search = Search(trade)
    fan_total, profits = run_sandwich(trade, x)
    alone = trade.quote_at(trade.supply).value
    moved = trade.quote_at(trade.supply + x if trade.is_buy else trade.supply - x).value
    d = moved - alone if trade.is_buy else alone - moved
    assert d == search.big.value(x) - search.small.value(x)  # the gain is the legs' difference
    scaled = search.gain_rate * x + search.tau  # 2e36 (g + tau)
    assert scaled // (2 * WAD * WAD) <= d <= -(-scaled // (2 * WAD * WAD))
    unit = 10_000 * 2 * WAD * WAD
    event("some attacker profits" if max(profits.values()) >= 1 else "nobody profits")
    for k in ATTACKERS:
        a2, a1, a0 = search.q[k]
        q = (a2 * x + a1) * x + a0
        if profits[k] >= 1:
            assert (profits[k] - 1) * unit < q, k
            assert any(lo <= x <= hi for lo, hi in search.ranges[k])


@settings(max_examples=200, deadline=None)
@given(curves, st.integers(-3, 10**30))
def test_inverse_is_the_largest_supply_with_a_reserve_at_most_n(curve, n):
    s = supply_for_reserve(curve, n)
    if n < 0:
        assert s == -1
    else:
        assert curve.area(s) <= n < curve.area(s + 1)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-(10**6), 10**6),
    st.integers(-(10**9), 10**9),
    st.integers(-(10**12), 10**12),
    st.integers(1, 50),
)
def test_positive_ranges_are_exactly_where_the_quadratic_is_positive(a2, a1, a0, hi):
    ranges = positive_ranges(a2, a1, a0, 1, hi)
    inside = {x for lo_, hi_ in ranges for x in range(lo_, hi_ + 1)}
    assert inside == {x for x in range(1, hi + 1) if a2 * x * x + a1 * x + a0 > 0}


@pytest.mark.parametrize("is_buy", [True, False])
def test_trade_rejects_what_the_market_would(is_buy):
    with pytest.raises(ValueError):
        Trade(DEFAULT_CURVE, 10, 0, 0, 0, is_buy)
    with pytest.raises(ValueError):
        Trade(DEFAULT_CURVE, 10 * TOKEN, TOKEN, 5_000, 5_000, is_buy)
    with pytest.raises(ValueError):
        Trade(Curve(0, 0), 10 * TOKEN, TOKEN, 0, 0, is_buy)
    if not is_buy:
        with pytest.raises(ValueError):
            Trade(DEFAULT_CURVE, TOKEN, 2 * TOKEN, 0, 0, is_buy)


def test_the_fee_the_creator_earns_on_the_fan_s_dearer_trade_counts():
    """A creator's sandwich can pay only through the extra creator fee the fan pays at the worse
    price; the safe limit counts it (found by a search over the default curve)."""
    trade = Trade(
        DEFAULT_CURVE, 28_143_885_200_785_133_568, 518_666_773_158_659_840, PROTOCOL_BPS, CREATOR_BPS
    )
    limit = safe_limit(trade)
    assert (limit.quote, limit.safe) == (21_411, 21_413)
    assert brute_force(trade, limit.safe) is None or brute_force(trade, limit.safe)[0] <= 0
    attack = limit.first_attack
    assert attack.attacker is Attacker.CREATOR
    fan_total, profits = run_sandwich(trade, attack.front_run)
    assert fan_total == limit.safe + 1 and profits[Attacker.CREATOR] == attack.profit == 1
    alone, moved = trade.quote_at(trade.supply), trade.quote_at(trade.supply + attack.front_run)
    assert profits[Attacker.CREATOR] - (moved.creator_fee - alone.creator_fee) <= 0  # the fee decides
