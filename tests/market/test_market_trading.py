"""Buying and selling: exact costs and proceeds against the model, fees, slippage, deadline,
selling to zero, errors and events."""

import ape
import pytest

from fairgift.fees import fee_on
from tests.constants import MAX_UINT, TOKEN
from tests.helpers.errors import custom_error

from .conftest import (
    CREATOR_BPS,
    PROTOCOL_BPS,
    deadline,
    market_balance_matches,
    quote_buy,
    quote_sell,
    transfer,
)


def test_buy_pulls_exactly_the_quote_and_mints(market, curve, usdc, token, fan, chain):
    amount = 7 * TOKEN + 123
    q = quote_buy(market, curve, token, amount)
    assert market.quoteBuy(token, amount) == q.as_tuple()
    assert q.protocol_fee == fee_on(q.value, PROTOCOL_BPS)
    assert q.creator_fee == fee_on(q.value, CREATOR_BPS)
    usdc_before = usdc.balanceOf(fan)
    supply_before = market.supplyOf(token)
    reserve_before = market.reserveOf(token)

    tx = market.buy(token, amount, q.total, deadline(chain), sender=fan)  # maxCost == cost is fine

    assert tx.return_value == q.total
    assert usdc.balanceOf(fan) == usdc_before - q.total
    assert token.balanceOf(fan) == amount
    assert market.supplyOf(token) == token.totalSupply() == supply_before + amount
    assert market.reserveOf(token) == reserve_before + q.value == curve.area(supply_before + amount)
    assert tx.events == [
        market.Trade(
            trader=fan,
            token=token,
            isBuy=True,
            amount=amount,
            value=q.value,
            protocolFee=q.protocol_fee,
            creatorFee=q.creator_fee,
            supplyAfter=supply_before + amount,
        ),
        transfer(usdc, fan, market, q.total),
        transfer(token, ape.utils.ZERO_ADDRESS, fan, amount),
    ]


def test_sell_pays_exactly_the_quote_and_burns(market, curve, usdc, token, fan, chain):
    market.buy(token, 10 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    amount = 4 * TOKEN + 1
    q = quote_sell(market, curve, token, amount)
    assert market.quoteSell(token, amount) == q.as_tuple()
    assert q.total == q.value - q.protocol_fee - q.creator_fee
    usdc_before = usdc.balanceOf(fan)
    supply_before = market.supplyOf(token)

    tx = market.sell(token, amount, q.total, deadline(chain), sender=fan)  # minProceeds == net is fine

    assert tx.return_value == q.total
    assert usdc.balanceOf(fan) == usdc_before + q.total
    assert token.balanceOf(fan) == 10 * TOKEN - amount
    assert market.supplyOf(token) == supply_before - amount
    assert market.reserveOf(token) == curve.area(supply_before - amount)
    assert tx.events == [
        market.Trade(
            trader=fan,
            token=token,
            isBuy=False,
            amount=amount,
            value=q.value,
            protocolFee=q.protocol_fee,
            creatorFee=q.creator_fee,
            supplyAfter=supply_before - amount,
        ),
        transfer(token, fan, ape.utils.ZERO_ADDRESS, amount),
        transfer(usdc, market, fan, q.total),
    ]


def test_fees_are_credited_not_pushed(market, curve, usdc, token, creator, treasury, fan, chain):
    creator_before = market.balanceOf(creator)
    treasury_before = market.balanceOf(treasury)
    treasury_usdc = usdc.balanceOf(treasury)
    q1 = quote_buy(market, curve, token, 3 * TOKEN)
    market.buy(token, 3 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    q2 = quote_sell(market, curve, token, 2 * TOKEN)
    market.sell(token, 2 * TOKEN, 0, deadline(chain), sender=fan)
    assert market.balanceOf(creator) == creator_before + q1.creator_fee + q2.creator_fee
    assert market.balanceOf(treasury) == treasury_before + q1.protocol_fee + q2.protocol_fee
    assert usdc.balanceOf(treasury) == treasury_usdc  # nothing pushed during trades


def test_round_trip_loses_only_the_fees(market, curve, usdc, token, fan, chain):
    before = usdc.balanceOf(fan)
    buy = quote_buy(market, curve, token, 5 * TOKEN)
    market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    sell = quote_sell(market, curve, token, 5 * TOKEN)
    assert sell.value == buy.value  # the curve itself takes nothing
    market.sell(token, 5 * TOKEN, 0, deadline(chain), sender=fan)
    fees = buy.protocol_fee + buy.creator_fee + sell.protocol_fee + sell.creator_fee
    assert usdc.balanceOf(fan) == before - fees


def test_split_trades_cost_the_same_as_one(market, curve, token, fan, fan2, chain):
    """Path independence: buying in pieces moves the reserve by exactly the single-trade value."""
    reserve = market.reserveOf(token)
    values = []
    for amount in (1, 2, 10**12 + 7, 3 * TOKEN, 1):
        values.append(quote_buy(market, curve, token, amount).value)
        market.buy(token, amount, MAX_UINT, deadline(chain), sender=fan)
    assert market.reserveOf(token) == reserve + sum(values)
    supply = market.supplyOf(token)
    total = 1 + 2 + 10**12 + 7 + 3 * TOKEN + 1
    assert sum(values) == curve.area(supply) - curve.area(supply - total)


def test_slippage_max_cost(market, curve, token, fan, chain):
    q = quote_buy(market, curve, token, TOKEN)
    with ape.reverts(market.CostAboveMax, totalCost=q.total, maxCost=q.total - 1):
        market.buy(token, TOKEN, q.total - 1, deadline(chain), sender=fan)


def test_slippage_front_run_protects_the_buyer(market, curve, token, fan, fan2, chain):
    """A buyer's quote becomes stale when someone buys first: the trade reverts instead."""
    q = quote_buy(market, curve, token, TOKEN)
    market.buy(token, 50 * TOKEN, MAX_UINT, deadline(chain), sender=fan2)
    new = quote_buy(market, curve, token, TOKEN)
    assert new.total > q.total
    with ape.reverts(market.CostAboveMax, totalCost=new.total, maxCost=q.total):
        market.buy(token, TOKEN, q.total, deadline(chain), sender=fan)


def test_slippage_min_proceeds(market, curve, token, creator, chain):
    q = quote_sell(market, curve, token, TOKEN)
    with ape.reverts(market.ProceedsBelowMin, netProceeds=q.total, minProceeds=q.total + 1):
        market.sell(token, TOKEN, q.total + 1, deadline(chain), sender=creator)


def test_deadline(market, token, fan, creator, chain):
    past = chain.pending_timestamp - 1
    with ape.reverts(market.DeadlinePassed, deadline=past):
        market.buy(token, TOKEN, MAX_UINT, past, sender=fan)
    with ape.reverts(market.DeadlinePassed, deadline=past):
        market.sell(token, TOKEN, 0, past, sender=creator)
    # The deadline itself is still in time.
    at = chain.pending_timestamp + 100
    chain.pending_timestamp = at  # the next block's timestamp
    tx = market.buy(token, TOKEN, MAX_UINT, at, sender=fan)
    assert tx.timestamp == at
    assert token.balanceOf(fan) == TOKEN
    # One second later it is too late.
    chain.pending_timestamp = at + 1
    with ape.reverts(market.DeadlinePassed, deadline=at):
        market.sell(token, TOKEN, 0, at, sender=fan)


def test_zero_amount(market, token, fan, creator, chain):
    with ape.reverts(market.ZeroAmount):
        market.buy(token, 0, MAX_UINT, deadline(chain), sender=fan)
    with ape.reverts(market.ZeroAmount):
        market.sell(token, 0, 0, deadline(chain), sender=creator)
    with ape.reverts(market.ZeroAmount):
        market.quoteBuy(token, 0)
    with ape.reverts(market.ZeroAmount):
        market.quoteSell(token, 0)


def test_unknown_token(market, usdc, fan, stranger, chain):
    for unknown in (usdc.address, market.predictToken(stranger), ape.utils.ZERO_ADDRESS):
        with ape.reverts(market.UnknownToken, token=unknown):
            market.buy(unknown, TOKEN, MAX_UINT, deadline(chain), sender=fan)
        with ape.reverts(market.UnknownToken, token=unknown):
            market.sell(unknown, TOKEN, 0, deadline(chain), sender=fan)
        with ape.reverts(market.UnknownToken, token=unknown):
            market.quoteBuy(unknown, TOKEN)
        with ape.reverts(market.UnknownToken, token=unknown):
            market.quoteSell(unknown, TOKEN)


def test_sell_more_than_supply(market, token, creator, chain):
    supply = market.supplyOf(token)
    with ape.reverts(market.InsufficientSupply, amount=supply + 1, supply=supply):
        market.sell(token, supply + 1, 0, deadline(chain), sender=creator)
    with ape.reverts(market.InsufficientSupply, amount=supply + 1, supply=supply):
        market.quoteSell(token, supply + 1)


def test_sell_more_than_held(market, token, creator, fan, chain):
    market.buy(token, TOKEN, MAX_UINT, deadline(chain), sender=fan)
    # The token's own error, bubbled up by the market. (Matched by name and arguments: MockUSDC's
    # OpenZeppelin error of the same signature makes Ape's class-based match ambiguous, and Ape
    # decodes it only when it blames the token, which depends on what ran before.)
    with pytest.raises(ape.exceptions.ContractLogicError) as err:
        market.sell(token, TOKEN + 1, 0, deadline(chain), sender=fan)
    assert custom_error(token, err.value) == (
        "ERC20InsufficientBalance",
        {"sender": fan.address, "balance": TOKEN, "needed": TOKEN + 1},
    )


def test_supply_overflow(market, token, fan, chain):
    supply = market.supplyOf(token)
    amount = 2**128 - supply
    with ape.reverts(market.SupplyOverflow, supply=2**128):
        market.buy(token, amount, MAX_UINT, deadline(chain), sender=fan)
    with ape.reverts(market.SupplyOverflow, supply=2**128):
        market.quoteBuy(token, amount)


def test_transferred_tokens_can_be_sold_by_the_receiver(market, curve, usdc, token, creator, stranger, chain):
    tx = token.transfer(stranger, 30 * TOKEN, sender=creator)
    assert tx.events == [transfer(token, creator, stranger, 30 * TOKEN)]
    q = quote_sell(market, curve, token, 30 * TOKEN)
    before = usdc.balanceOf(stranger)
    market.sell(token, 30 * TOKEN, q.total, deadline(chain), sender=stranger)
    assert usdc.balanceOf(stranger) == before + q.total


def test_sell_to_zero(project, market, curve, usdc, token, creator, fan, fan2, stranger, treasury, chain):
    """Everyone sells everything, in pieces and in any order: the reserve pays every unit and ends at 0."""
    token2 = project.CreatorToken.at(
        market.launch("Second", "TWO", 1000, 3 * TOKEN + 5, MAX_UINT, sender=stranger).return_value
    )
    market.buy(token, 12 * TOKEN + 3, MAX_UINT, deadline(chain), sender=fan)
    market.buy(token, 1, MAX_UINT, deadline(chain), sender=fan2)
    market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=fan2)
    market.buy(token2, 2 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    everyone = (creator, fan, fan2, stranger, treasury)
    assert market_balance_matches(usdc, market, (token, token2), everyone)

    paid_out = 0
    reserve = market.reserveOf(token)
    assert reserve == curve.area(market.supplyOf(token))
    for seller, amount in ((fan, 5 * TOKEN), (creator, 100 * TOKEN), (fan2, 1), (fan, 7 * TOKEN + 3)):
        q = quote_sell(market, curve, token, amount)
        market.sell(token, amount, q.total, deadline(chain), sender=seller)
        paid_out += q.value
        assert market_balance_matches(usdc, market, (token, token2), everyone)
    market.sell(token, 5 * TOKEN, 0, deadline(chain), sender=fan2)
    assert market.supplyOf(token) == token.totalSupply() == 0
    assert market.reserveOf(token) == 0
    for holder in (fan, fan2, stranger, creator):
        assert token.balanceOf(holder) == 0
    # Token 2 too, down to zero.
    market.sell(token2, 2 * TOKEN, 0, deadline(chain), sender=fan)
    market.sell(token2, 3 * TOKEN + 5, 0, deadline(chain), sender=stranger)
    assert market.reserveOf(token2) == 0
    # All that is left in the market is credited fees, exactly.
    assert usdc.balanceOf(market) == sum(market.balanceOf(a) for a in everyone)
    # And the token can be bought again from zero.
    q = quote_buy(market, curve, token, TOKEN)
    assert q.value == curve.area(TOKEN)
    market.buy(token, TOKEN, q.total, deadline(chain), sender=fan)
