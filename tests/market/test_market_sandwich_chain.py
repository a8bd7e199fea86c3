"""Sandwiches on chain (anvil): at a naive 1% tolerance the best sandwich pays each of the three
attackers exactly what fairgift/sandwich/ says; at the tooling's default (the sandwich-safe
limit) the same front-run makes the fan's trade revert and the attacker only pays fees. Every
figure is checked against the model to the unit."""

import ape
import pytest

from fairgift.sandwich import Attacker, Trade, exposure, safe_limit
from tests.constants import MAX_UINT, TOKEN

from .conftest import CREATOR_BPS, FUNDS, PROTOCOL_BPS, deadline

FAN_AMOUNT = 100 * TOKEN  # issue #10's example: at supply 100, a fan trades 100 tokens


@pytest.fixture
def attacker_account(request, creator, treasury, attacker, usdc, owner, market, traders):
    """The account playing `request.param` (an Attacker), funded and approved (the creator is a
    funded trader already)."""
    account = {Attacker.OUTSIDER: attacker, Attacker.CREATOR: creator, Attacker.TREASURY: treasury}[
        request.param
    ]
    if request.param is not Attacker.CREATOR:
        usdc.mint(account, FUNDS, sender=owner)
        usdc.approve(market, MAX_UINT, sender=account)
    return account


def wealth(usdc, market, account) -> int:
    """What an account can spend: its stablecoin plus the fees credited to it in the market."""
    return usdc.balanceOf(account) + market.balanceOf(account)


def fan_trade(market, curve, token, is_buy) -> Trade:
    return Trade(
        curve,
        market.supplyOf(token),
        FAN_AMOUNT,
        market.protocolFeeBps(),
        market.creatorFeeBps(token),
        is_buy,
    )


def setup_side(market, token, fan, account, is_buy, chain):
    """A buy happens at supply 100; before a sale, the fan buys its 100 tokens and the attacker
    holds tokens to front-run with (the creator holds its launch buy)."""
    if not is_buy:
        market.buy(token, FAN_AMOUNT, MAX_UINT, deadline(chain), sender=fan)
        if token.balanceOf(account) < 10 * TOKEN:
            market.buy(token, 10 * TOKEN, MAX_UINT, deadline(chain), sender=account)


def fee_earned_alone(trade: Trade, role: Attacker) -> int:
    """The fee the attacker earns on the fan's trade when nobody front-runs (its baseline)."""
    alone = trade.quote_at(trade.supply)
    return {Attacker.OUTSIDER: 0, Attacker.CREATOR: alone.creator_fee, Attacker.TREASURY: alone.protocol_fee}[
        role
    ]


def run_sandwich(market, token, fan, account, trade, x, limit, chain):
    """Front-run, the fan's trade with `limit`, back-run. Returns the fan's receipt."""
    if trade.is_buy:
        market.buy(token, x, MAX_UINT, deadline(chain), sender=account)
        receipt = market.buy(token, FAN_AMOUNT, limit, deadline(chain), sender=fan)
        market.sell(token, x, 0, deadline(chain), sender=account)
    else:
        market.sell(token, x, 0, deadline(chain), sender=account)
        receipt = market.sell(token, FAN_AMOUNT, limit, deadline(chain), sender=fan)
        market.buy(token, x, MAX_UINT, deadline(chain), sender=account)
    return receipt


ATTACKERS = pytest.mark.parametrize("attacker_account", list(Attacker), indirect=True, ids=str)
SIDES = pytest.mark.parametrize("is_buy", [True, False], ids=["buy", "sell"])


@ATTACKERS
@SIDES
def test_at_a_naive_one_percent_the_best_sandwich_pays_exactly_as_modelled(
    market, curve, usdc, token, fan, attacker_account, is_buy, request, chain
):
    role = request.node.callspec.params["attacker_account"]
    setup_side(market, token, fan, attacker_account, is_buy, chain)
    trade = fan_trade(market, curve, token, is_buy)
    quoted = market.quoteBuy(token, FAN_AMOUNT) if is_buy else market.quoteSell(token, FAN_AMOUNT)
    assert quoted == trade.quote_at(trade.supply).as_tuple()  # the model is the contract, to the unit
    naive = safe_limit(trade).cap  # quote +/- 1%, the tooling's former default
    attack = exposure(trade, naive, attackers=[role]).best
    assert attack is not None and attack.profit > 0 and attack.attacker is role
    fan_before, attacker_before = usdc.balanceOf(fan), wealth(usdc, market, attacker_account)
    held = token.balanceOf(attacker_account)

    receipt = run_sandwich(market, token, fan, attacker_account, trade, attack.front_run, naive, chain)

    assert receipt.return_value == attack.fan_total  # what the fan paid or received, to the unit
    fan_moved = fan_before - usdc.balanceOf(fan) if is_buy else usdc.balanceOf(fan) - fan_before
    assert fan_moved == attack.fan_total and attack.fan_loss == abs(attack.fan_total - trade.quote) > 0
    assert token.balanceOf(attacker_account) == held  # a round trip: the same tokens, more money
    gained = wealth(usdc, market, attacker_account) - attacker_before
    assert gained == attack.profit + fee_earned_alone(trade, role)


@ATTACKERS
@SIDES
def test_at_the_default_limit_the_same_sandwich_fails_and_the_attacker_pays_its_fees(
    market, curve, usdc, token, fan, attacker_account, is_buy, request, chain
):
    role = request.node.callspec.params["attacker_account"]
    setup_side(market, token, fan, attacker_account, is_buy, chain)
    trade = fan_trade(market, curve, token, is_buy)
    limit = safe_limit(trade)
    exposed = exposure(trade, limit.limit).best  # the model: nothing pays at the default, except...
    if is_buy:
        assert limit.exact and exposed is None
    else:  # ... a unit or two out of the fees' rounding on a sale at its exact quote: the fan still
        # gets at least its quote, the creator's and the treasury's fees pay for it
        assert limit.limit == limit.quote and (exposed is None or exposed.fan_total >= limit.quote)
    attack = exposure(trade, limit.cap, attackers=[role]).best
    x, s = attack.front_run, trade.supply
    front = (curve.quote_buy if is_buy else curve.quote_sell)(s, x, PROTOCOL_BPS, CREATOR_BPS)
    moved = trade.quote_at(s + x if is_buy else s - x)
    fan_before, attacker_before = usdc.balanceOf(fan), wealth(usdc, market, attacker_account)

    if is_buy:
        market.buy(token, x, MAX_UINT, deadline(chain), sender=attacker_account)
        with ape.reverts(market.CostAboveMax, totalCost=moved.total, maxCost=limit.limit):
            market.buy(token, FAN_AMOUNT, limit.limit, deadline(chain), sender=fan)
        market.sell(token, x, 0, deadline(chain), sender=attacker_account)
    else:
        market.sell(token, x, 0, deadline(chain), sender=attacker_account)
        with ape.reverts(market.ProceedsBelowMin, netProceeds=moved.total, minProceeds=limit.limit):
            market.sell(token, FAN_AMOUNT, limit.limit, deadline(chain), sender=fan)
        market.buy(token, x, MAX_UINT, deadline(chain), sender=attacker_account)

    assert usdc.balanceOf(fan) == fan_before
    # Without the fan's trade the round trip is path independent: the attacker loses exactly the
    # fees it does not get back.
    kept = {
        Attacker.OUTSIDER: 0,
        Attacker.CREATOR: 2 * front.creator_fee,
        Attacker.TREASURY: 2 * front.protocol_fee,
    }
    lost = 2 * (front.protocol_fee + front.creator_fee) - kept[role]
    assert attacker_before - wealth(usdc, market, attacker_account) == lost > 0


@pytest.mark.parametrize("attacker_account", [Attacker.TREASURY], indirect=True, ids=str)
def test_one_unit_past_the_safe_limit_the_model_s_first_sandwich_pays_on_chain(
    market, curve, usdc, token, fan, attacker_account, chain
):
    """The safe limit is tight to the unit: one unit more and the sandwich the model names (the
    treasury gaining a unit through the fees' rounding on tiny legs) really pays."""
    trade = fan_trade(market, curve, token, True)
    limit = safe_limit(trade)
    attack = limit.first_attack
    assert attack.attacker is Attacker.TREASURY and attack.fan_total == limit.safe + 1
    before = wealth(usdc, market, attacker_account)

    receipt = run_sandwich(
        market, token, fan, attacker_account, trade, attack.front_run, limit.safe + 1, chain
    )

    assert receipt.return_value == attack.fan_total
    gained = wealth(usdc, market, attacker_account) - before
    assert gained == attack.profit + fee_earned_alone(trade, Attacker.TREASURY) and attack.profit > 0
