"""Creator-market fixtures: a market on MockUSDC, funded and approved traders, a launched token."""

import ape
import pytest

from fairgift.curve import Curve
from tests.constants import BASE_PRICE, MAX_UINT, SLOPE, TOKEN, USDC

PROTOCOL_BPS = 250
CREATOR_BPS = 500
FUNDS = 10**12 * USDC  # enough for a supply of 10^6 whole tokens and more


@ape.fixture(scope="session", chain_isolation=False)
def curve():
    return Curve(BASE_PRICE, SLOPE)


@pytest.fixture(scope="module")
def market(project, owner, usdc, treasury):
    return owner.deploy(project.CreatorMarket, owner, usdc, treasury, PROTOCOL_BPS, BASE_PRICE, SLOPE)


@pytest.fixture(scope="module")
def traders(usdc, owner, market, creator, fan, fan2, stranger, creator2):
    """Everyone who trades: funded with USDC and with an unlimited approval of the market.
    Module-scoped, so the funding is rolled back before other areas' tests (which expect these
    accounts to start without USDC)."""
    for account in (creator, fan, fan2, stranger, creator2):
        usdc.mint(account, FUNDS, sender=owner)
        usdc.approve(market, MAX_UINT, sender=account)
    return (creator, fan, fan2, stranger, creator2)


@pytest.fixture
def token(project, market, creator, traders):
    """`creator`'s token, launched with a 5% creator fee and an initial buy of 100 tokens."""
    tx = market.launch("Creator Coin", "CRC", CREATOR_BPS, 100 * TOKEN, MAX_UINT, sender=creator)
    return project.CreatorToken.at(tx.return_value)


def deadline(chain, seconds=3600):
    return chain.pending_timestamp + seconds


def market_balance_matches(usdc, market, tokens, accounts):
    """The market holds exactly the reserves plus every credited fee."""
    reserves = sum(market.reserveOf(t) for t in tokens)
    credits = sum(market.balanceOf(a) for a in accounts)
    return usdc.balanceOf(market) == reserves + credits


def quote_buy(market, curve, token, amount):
    """The model's quote for buying `amount` of `token` now (fees read from the market)."""
    return curve.quote_buy(
        market.supplyOf(token), amount, market.protocolFeeBps(), market.creatorFeeBps(token)
    )


def quote_sell(market, curve, token, amount):
    """The model's quote for selling `amount` of `token` now."""
    return curve.quote_sell(
        market.supplyOf(token), amount, market.protocolFeeBps(), market.creatorFeeBps(token)
    )


def transfer(token, from_, to, value):
    """An expected ERC-20 Transfer event (`from` is a Python keyword)."""
    return token.Transfer(**{"from": from_, "to": to, "value": value})
