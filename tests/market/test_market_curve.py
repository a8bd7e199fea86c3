"""The curve on chain against the exact Python model, for many supplies and amounts, and the model's
own rounding guarantees; the constructor's checks."""

import random
from fractions import Fraction

import ape
import pytest

from fairgift.curve import MAX_SUPPLY, Curve
from tests.constants import BASE_PRICE, MAX_UINT, SLOPE, TOKEN, USDC

from .conftest import FUNDS, PROTOCOL_BPS, deadline, quote_buy, quote_sell

RNG = random.Random(4)
SUPPLIES = sorted(
    {
        0,
        1,
        2,
        10**9,
        TOKEN - 1,
        TOKEN,
        TOKEN + 1,
        10**6 * TOKEN,
        10**9 * TOKEN + 3,
        MAX_SUPPLY - 1,
        MAX_SUPPLY,
    }
    | {RNG.randrange(0, 10**25) for _ in range(12)}
    | {RNG.randrange(0, MAX_SUPPLY) for _ in range(6)}
)
AMOUNTS = [1, 2, 3, 999, 10**12 + 1, TOKEN - 1, TOKEN, 7 * TOKEN + 5, 10**4 * TOKEN, 10**6 * TOKEN]
STEEP = 2**96  # the largest slope the market accepts: exercises the 512-bit mulDiv path


# ---------------------------------------------------------------- the model on its own


@pytest.mark.parametrize("curve", [Curve(BASE_PRICE, SLOPE), Curve(1, 0), Curve(0, 1), Curve(STEEP, STEEP)])
def test_model_rounding_guarantees(curve):
    for s in SUPPLIES:
        exact = curve.exact_area(s)
        assert curve.area(s) >= exact > curve.area(s) - 1  # ceil, one rounding
    for s in SUPPLIES[:-2]:
        for a in AMOUNTS:
            exact = curve.exact_area(s + a) - curve.exact_area(s)
            value = curve.buy_value(s, a)
            assert value >= 0 and abs(value - exact) < 1
            assert value == curve.sell_value(s + a, a)  # buy and sell the same interval: same value
    assert curve.area(0) == 0


def test_model_integral_formula():
    """integral(s0..s1) = basePrice*(s1-s0)/1e18 + slope*(s1^2 - s0^2)/2e36."""
    curve = Curve(BASE_PRICE, SLOPE)
    for s0, s1 in ((0, TOKEN), (TOKEN, 3 * TOKEN), (5, 10**24 + 7)):
        formula = Fraction(BASE_PRICE * (s1 - s0), 10**18) + Fraction(SLOPE * (s1 * s1 - s0 * s0), 2 * 10**36)
        assert curve.exact_area(s1) - curve.exact_area(s0) == formula


def test_model_sells_everything_back():
    """Whatever the sequence of trades, the reserve is ceil(area(supply)) and selling all of it
    in pieces pays out exactly the reserve."""
    curve = Curve(BASE_PRICE, SLOPE)
    reserve, supply = 0, 0
    for _ in range(200):
        if supply and RNG.random() < 0.4:
            amount = RNG.randrange(1, supply + 1)
            reserve -= curve.sell_value(supply, amount)
            supply -= amount
        else:
            amount = RNG.choice([1, RNG.randrange(1, 10**20), RNG.randrange(1, 10**24)])
            reserve += curve.buy_value(supply, amount)
            supply += amount
        assert reserve == curve.area(supply) >= curve.exact_area(supply)
    while supply:
        amount = min(supply, RNG.randrange(1, 10**22))
        reserve -= curve.sell_value(supply, amount)
        supply -= amount
        assert reserve >= 0
    assert reserve == 0


def test_model_amount_for_budget():
    curve = Curve(BASE_PRICE, SLOPE)
    budget = 1_000 * USDC
    amount = curve.amount_for_budget(10 * TOKEN, budget, 250, 500)
    assert curve.quote_buy(10 * TOKEN, amount, 250, 500).total <= budget
    assert curve.quote_buy(10 * TOKEN, amount + 1, 250, 500).total > budget


# ---------------------------------------------------------------- on chain


def test_price_and_area_match_the_model(market, curve):
    assert (market.basePrice(), market.slope()) == (BASE_PRICE, SLOPE)
    for s in SUPPLIES:
        assert market.priceAt(s) == curve.price_at(s)
        assert market.areaAt(s) == curve.area(s)


def test_steep_curve_matches_the_model(project, owner, usdc, treasury):
    steep = owner.deploy(project.CreatorMarket, owner, usdc, treasury, 0, STEEP, STEEP)
    model = Curve(STEEP, STEEP)
    for s in SUPPLIES:
        assert steep.areaAt(s) == model.area(s)
        assert steep.priceAt(s) == model.price_at(s)


def test_quotes_and_trades_match_the_model_up_to_a_million_tokens(
    market, curve, usdc, token, fan, fan2, chain
):
    """Quotes at a range of supplies up to 10^6 whole tokens, for amounts down to 1 wei; the
    trades then move exactly the quoted amounts."""
    for target in (100 * TOKEN + 1, 10**4 * TOKEN, 10**6 * TOKEN):
        need = target - market.supplyOf(token)
        market.buy(token, need, MAX_UINT, deadline(chain), sender=fan2)
        assert market.supplyOf(token) == target
        assert market.reserveOf(token) == curve.area(target)
        for amount in AMOUNTS:
            assert market.quoteBuy(token, amount) == quote_buy(market, curve, token, amount).as_tuple()
            if amount <= target:
                assert market.quoteSell(token, amount) == quote_sell(market, curve, token, amount).as_tuple()
        for amount in (1, TOKEN + 1):
            q = quote_buy(market, curve, token, amount)
            before = usdc.balanceOf(fan)
            market.buy(token, amount, q.total, deadline(chain), sender=fan)
            assert usdc.balanceOf(fan) == before - q.total
            q = quote_sell(market, curve, token, amount)
            before = usdc.balanceOf(fan)
            market.sell(token, amount, q.total, deadline(chain), sender=fan)
            assert usdc.balanceOf(fan) == before + q.total
    assert FUNDS > market.reserveOf(token)


def test_one_wei_trades(market, curve, token, fan, chain):
    """1-wei trades cost the rounded area difference (often 0, sometimes 1 unit), never more."""
    paid = 0
    supply = market.supplyOf(token)
    for _ in range(5):
        q = quote_buy(market, curve, token, 1)
        assert q.value in (0, 1)
        paid += market.buy(token, 1, MAX_UINT, deadline(chain), sender=fan).return_value
    assert paid == sum(curve.quote_buy(supply + i, 1, PROTOCOL_BPS, 500).total for i in range(5))


# ---------------------------------------------------------------- constructor


def test_constructor_checks(project, owner, usdc, treasury):
    zero = ape.utils.ZERO_ADDRESS
    with ape.reverts(project.CreatorMarket.InvalidQuoteToken, token=zero):
        owner.deploy(project.CreatorMarket, owner, zero, treasury, 0, 1, 1)
    with ape.reverts(project.CreatorMarket.InvalidQuoteToken, token=treasury):  # no code there
        owner.deploy(project.CreatorMarket, owner, treasury, treasury, 0, 1, 1)
    with ape.reverts(project.CreatorMarket.InvalidTreasury, treasury=zero):  # as in the jar
        owner.deploy(project.CreatorMarket, owner, usdc, zero, 0, 1, 1)
    with ape.reverts(project.CreatorMarket.InvalidCurve, basePrice=0, slope=0):
        owner.deploy(project.CreatorMarket, owner, usdc, treasury, 0, 0, 0)
    with ape.reverts(project.CreatorMarket.InvalidCurve, basePrice=STEEP + 1, slope=0):
        owner.deploy(project.CreatorMarket, owner, usdc, treasury, 0, STEEP + 1, 0)
    with ape.reverts(project.CreatorMarket.InvalidCurve, basePrice=1, slope=STEEP + 1):
        owner.deploy(project.CreatorMarket, owner, usdc, treasury, 0, 1, STEEP + 1)
    with ape.reverts(project.CreatorMarket.FeeAboveCap, bps=501, cap=500):
        owner.deploy(project.CreatorMarket, owner, usdc, treasury, 501, 1, 1)
    with ape.reverts(project.CreatorMarket.OwnableInvalidOwner, owner=zero):
        owner.deploy(project.CreatorMarket, zero, usdc, treasury, 0, 1, 1)
    market = owner.deploy(project.CreatorMarket, owner, usdc, treasury, 500, 1, 0)
    assert market.protocolFeeBps() == 500


def test_credit_overflow(project, owner, usdc, treasury, creator, fan):
    """A creator credit that would reach 2^128 is rejected (only reachable with absurd prices)."""
    steep = owner.deploy(project.CreatorMarket, owner, usdc, treasury, 0, STEEP, STEEP)
    token = steep.launch("Steep", "STP", 1000, 0, 0, sender=creator).return_value
    model = Curve(STEEP, STEEP)
    amount = 3 * 10**23  # its curve value is above 10 * 2^128, so the 10% creator fee is above 2^128
    q = model.quote_buy(0, amount, 0, 1000)
    assert q.creator_fee >= 2**128
    usdc.mint(fan, q.total, sender=owner)
    usdc.approve(steep, q.total, sender=fan)
    with ape.reverts(steep.CreditOverflow, credit=q.creator_fee):
        steep.buy(token, amount, q.total, 2**64, sender=fan)
