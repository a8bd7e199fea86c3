"""The creator market priced in Circle's real USDC: launch, buy, sell and withdrawals to the unit
against the Python model of the curve; a blacklisted trader, a blacklisted creator's fees reached
through `setPayout`, and a paused token."""

import ape
import pytest
from usdc_helpers import BLACKLISTED, CREATOR_BPS, PAUSED, PROTOCOL_BPS

from fairgift.curve import Curve
from tests.constants import BASE_PRICE, MAX_UINT, SLOPE, TOKEN, USDC

FUNDS = 100_000 * USDC
CURVE = Curve(BASE_PRICE, SLOPE)


def transfer(token, from_, to, value):
    return token.Transfer(**{"from": from_, "to": to, "value": value})


@pytest.fixture(scope="module")
def usdc_traders(real_usdc, circle, usdc_market, creator, fan, fan2):
    for account in (creator, fan, fan2):
        real_usdc.mint(account, FUNDS, sender=circle)
        real_usdc.approve(usdc_market, MAX_UINT, sender=account)
    return creator, fan, fan2


@pytest.fixture
def usdc_coin(project, usdc_market, usdc_traders, creator):
    tx = usdc_market.launch("Real Coin", "RLC", CREATOR_BPS, 100 * TOKEN, MAX_UINT, sender=creator)
    return project.CreatorToken.at(tx.return_value)


def books_balance(market, token, usdc, accounts):
    credits = sum(market.balanceOf(a) for a in accounts)
    return usdc.balanceOf(market) == market.reserveOf(token) + credits


def test_launch_buy_sell_and_withdraw_to_the_unit(
    usdc_market, usdc_coin, real_usdc, usdc_traders, creator, fan, treasury, chain
):
    launch = CURVE.quote_buy(0, 100 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    assert real_usdc.balanceOf(creator) == FUNDS - launch.total
    assert usdc_market.reserveOf(usdc_coin) == launch.value

    buy = CURVE.quote_buy(100 * TOKEN, 250 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    deadline = chain.pending_timestamp + 600
    tx = usdc_market.buy(usdc_coin, 250 * TOKEN, buy.total, deadline, sender=fan)
    assert tx.return_value == buy.total
    assert tx.events == [
        usdc_market.Trade(
            trader=fan,
            token=usdc_coin,
            isBuy=True,
            amount=250 * TOKEN,
            value=buy.value,
            protocolFee=buy.protocol_fee,
            creatorFee=buy.creator_fee,
            supplyAfter=350 * TOKEN,
        ),
        transfer(real_usdc, fan, usdc_market, buy.total),
        transfer(usdc_coin, "0x" + "00" * 20, fan, 250 * TOKEN),
    ]
    assert real_usdc.balanceOf(fan) == FUNDS - buy.total

    sell = CURVE.quote_sell(350 * TOKEN, 50 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    tx = usdc_market.sell(usdc_coin, 50 * TOKEN, sell.total, deadline, sender=fan)
    assert tx.return_value == sell.total
    assert transfer(real_usdc, usdc_market, fan, sell.total) in tx.events
    assert real_usdc.balanceOf(fan) == FUNDS - buy.total + sell.total
    assert usdc_coin.balanceOf(fan) == 200 * TOKEN
    assert books_balance(usdc_market, usdc_coin, real_usdc, (creator, treasury))

    creator_fees = launch.creator_fee + buy.creator_fee + sell.creator_fee
    protocol_fees = launch.protocol_fee + buy.protocol_fee + sell.protocol_fee
    assert usdc_market.balanceOf(creator) == creator_fees
    assert usdc_market.balanceOf(treasury) == protocol_fees
    before = real_usdc.balanceOf(creator)
    tx = usdc_market.withdraw(sender=creator)
    assert tx.events == [
        usdc_market.Withdrawn(account=creator, to=creator, amount=creator_fees),
        transfer(real_usdc, usdc_market, creator, creator_fees),
    ]
    assert real_usdc.balanceOf(creator) == before + creator_fees
    usdc_market.withdraw(sender=treasury)
    assert real_usdc.balanceOf(treasury) == protocol_fees
    assert real_usdc.balanceOf(usdc_market) == usdc_market.reserveOf(usdc_coin)


def test_a_blacklisted_trader_can_neither_buy_nor_sell(usdc_market, usdc_coin, real_usdc, fan, circle, chain):
    deadline = chain.pending_timestamp + 600
    usdc_market.buy(usdc_coin, 10 * TOKEN, MAX_UINT, deadline, sender=fan)
    real_usdc.blacklist(fan, sender=circle)
    with ape.reverts(BLACKLISTED):
        usdc_market.buy(usdc_coin, TOKEN, MAX_UINT, deadline, sender=fan)
    with ape.reverts(BLACKLISTED):
        usdc_market.sell(usdc_coin, TOKEN, 0, deadline, sender=fan)
    assert usdc_coin.balanceOf(fan) == 10 * TOKEN  # the tokens stay the trader's
    assert usdc_market.supplyOf(usdc_coin) == 110 * TOKEN


def test_a_blacklisted_creator_reaches_its_fees_through_set_payout(
    usdc_market, usdc_coin, real_usdc, creator, fan, stranger, circle, chain, accounts
):
    usdc_market.buy(usdc_coin, 50 * TOKEN, MAX_UINT, chain.pending_timestamp + 600, sender=fan)
    owed = usdc_market.balanceOf(creator)
    assert owed > 0
    real_usdc.blacklist(creator, sender=circle)
    with ape.reverts(BLACKLISTED):
        usdc_market.withdraw(sender=creator)
    fresh = accounts.containers["test"].generate_account(index=1_102)
    usdc_market.setPayout(fresh, sender=creator)
    tx = usdc_market.withdrawFor(creator, sender=stranger)
    assert usdc_market.Withdrawn(account=creator, to=fresh, amount=owed) in tx.events
    assert real_usdc.balanceOf(fresh) == owed
    assert usdc_market.balanceOf(creator) == 0


def test_a_paused_token_stops_trading(usdc_market, usdc_coin, real_usdc, fan, circle, chain):
    deadline = chain.pending_timestamp + 600
    usdc_market.buy(usdc_coin, 10 * TOKEN, MAX_UINT, deadline, sender=fan)
    real_usdc.pause(sender=circle)
    with ape.reverts(PAUSED):
        usdc_market.buy(usdc_coin, TOKEN, MAX_UINT, deadline, sender=fan)
    with ape.reverts(PAUSED):
        usdc_market.sell(usdc_coin, TOKEN, 0, deadline, sender=fan)
    real_usdc.unpause(sender=circle)
    proceeds = usdc_market.sell(usdc_coin, 10 * TOKEN, 0, deadline, sender=fan).return_value
    assert proceeds == CURVE.quote_sell(110 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS).total
