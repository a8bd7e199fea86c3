"""Hostile environment around the creator market: hostile quote tokens, sandwiches, fee front-runs,
blacklisted or reverting recipients, intruders on every restricted function, extreme supplies.
Each case asserts the exact safe outcome: a specific custom error, or success with exact balances."""

import ape
import pytest

from fairgift.curve import MAX_SUPPLY, Curve
from tests.constants import BASE_PRICE, DELAY, MAX_UINT, SLOPE, TOKEN

pytestmark = pytest.mark.hostile

PROTOCOL_BPS, CREATOR_BPS = 250, 500
CURVE = Curve(BASE_PRICE, SLOPE)


def _market(project, owner, quote, treasury):
    return owner.deploy(project.CreatorMarket, owner, quote, treasury, PROTOCOL_BPS, BASE_PRICE, SLOPE)


def _fund(quote, hmarket, owner, *who, amount=10**50):
    for account in who:
        if quote.contract_type.name == "MockUSDC":
            quote.mint(account, amount, sender=owner)
        else:
            quote.mint(account, amount, sender=account)
        quote.approve(hmarket, MAX_UINT, sender=account)


@pytest.fixture
def hmarket(project, owner, usdc, treasury, creator, fan, attacker):
    hmarket = _market(project, owner, usdc, treasury)
    _fund(usdc, hmarket, owner, creator, fan, attacker)
    return hmarket


@pytest.fixture
def coin(project, hmarket, creator):
    tx = hmarket.launch("Creator Coin", "CRC", CREATOR_BPS, 100 * TOKEN, MAX_UINT, sender=creator)
    return project.CreatorToken.at(tx.return_value)


def _deadline(chain):
    return chain.pending_timestamp + 3600


# ---------------------------------------------------------------------- sandwiches and front-runs


def test_sandwich_with_tight_max_cost_fan_protected_attacker_pays_fees(
    hmarket, coin, usdc, fan, attacker, chain
):
    supply = 100 * TOKEN
    planned = CURVE.quote_buy(supply, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    fan_before, attacker_before = usdc.balanceOf(fan), usdc.balanceOf(attacker)

    front = CURVE.quote_buy(supply, 50 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.buy(coin, 50 * TOKEN, MAX_UINT, _deadline(chain), sender=attacker)
    moved = CURVE.quote_buy(supply + 50 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    with ape.reverts(hmarket.CostAboveMax, totalCost=moved.total, maxCost=planned.total):
        hmarket.buy(coin, 10 * TOKEN, planned.total, _deadline(chain), sender=fan)
    back = CURVE.quote_sell(supply + 50 * TOKEN, 50 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.sell(coin, 50 * TOKEN, 0, _deadline(chain), sender=attacker)

    assert usdc.balanceOf(fan) == fan_before  # the fan paid nothing
    assert front.value == back.value  # the curve is path independent: same value both ways
    fees = front.protocol_fee + front.creator_fee + back.protocol_fee + back.creator_fee
    assert attacker_before - usdc.balanceOf(attacker) == fees > 0


def test_sandwich_within_fan_tolerance_fan_pays_at_most_max_cost_attacker_loses(
    hmarket, coin, usdc, fan, attacker, chain
):
    supply = 100 * TOKEN
    planned = CURVE.quote_buy(supply, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    max_cost = planned.total * 101 // 100  # the fan accepts 1% slippage
    # The attacker front-runs with the largest buy that still lets the fan's trade through.
    lo, hi = 0, 10_000 * TOKEN
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if CURVE.quote_buy(supply + mid, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS).total <= max_cost:
            lo = mid
        else:
            hi = mid - 1
    front_amount = lo
    assert front_amount > 0
    front = CURVE.quote_buy(supply, front_amount, PROTOCOL_BPS, CREATOR_BPS)
    victim = CURVE.quote_buy(supply + front_amount, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    back = CURVE.quote_sell(supply + front_amount + 10 * TOKEN, front_amount, PROTOCOL_BPS, CREATOR_BPS)
    fan_before, attacker_before = usdc.balanceOf(fan), usdc.balanceOf(attacker)

    hmarket.buy(coin, front_amount, MAX_UINT, _deadline(chain), sender=attacker)
    hmarket.buy(coin, 10 * TOKEN, max_cost, _deadline(chain), sender=fan)
    hmarket.sell(coin, front_amount, 0, _deadline(chain), sender=attacker)

    assert fan_before - usdc.balanceOf(fan) == victim.total <= max_cost
    loss = attacker_before - usdc.balanceOf(attacker)
    assert loss == front.total - back.total
    attacker_fees = front.protocol_fee + front.creator_fee + back.protocol_fee + back.creator_fee
    # The attacker's curve gain is what the fan overpaid on the curve, at most its slippage allowance:
    # the round trip loses at least its fees minus that allowance, and here (1% < 15% of fees) it loses.
    assert loss >= attacker_fees - (max_cost - planned.total) - 2
    assert loss > 0


def test_protocol_fee_increase_front_running_a_buy_pays_the_old_fee(hmarket, coin, usdc, owner, fan, chain):
    planned = CURVE.quote_buy(100 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    tx = hmarket.scheduleProtocolFee(500, sender=owner)  # the owner front-runs with the cap
    before = usdc.balanceOf(fan)
    hmarket.buy(coin, 10 * TOKEN, planned.total, _deadline(chain), sender=fan)
    assert before - usdc.balanceOf(fan) == planned.total
    # After the public delay, the same order with the same bound fails on its bound, exactly.
    chain.mine(timestamp=tx.timestamp + DELAY)
    again = CURVE.quote_buy(110 * TOKEN, 10 * TOKEN, 500, CREATOR_BPS)
    with ape.reverts(hmarket.CostAboveMax, totalCost=again.total, maxCost=planned.total):
        hmarket.buy(coin, 10 * TOKEN, planned.total, _deadline(chain), sender=fan)


def test_creator_fee_increase_front_running_a_sell_pays_the_old_fee(hmarket, coin, usdc, creator, fan, chain):
    hmarket.buy(coin, 10 * TOKEN, MAX_UINT, _deadline(chain), sender=fan)
    planned = CURVE.quote_sell(110 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.scheduleCreatorFee(coin, 1000, sender=creator)
    before = usdc.balanceOf(fan)
    hmarket.sell(coin, 10 * TOKEN, planned.total, _deadline(chain), sender=fan)
    assert usdc.balanceOf(fan) - before == planned.total


# ---------------------------------------------------------------------- hostile quote tokens


def test_usdt_like_quote_token(project, owner, usdt, treasury, creator, fan, chain):
    hmarket = _market(project, owner, usdt, treasury)
    _fund(usdt, hmarket, owner, creator, fan, amount=10**12)
    launch = CURVE.quote_buy(0, 100 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    coin = hmarket.launch("C", "C", CREATOR_BPS, 100 * TOKEN, MAX_UINT, sender=creator).return_value
    buy = CURVE.quote_buy(100 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.buy(coin, 10 * TOKEN, MAX_UINT, _deadline(chain), sender=fan)
    sell = CURVE.quote_sell(110 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.sell(coin, 10 * TOKEN, 0, _deadline(chain), sender=fan)
    assert usdt.balanceOf(fan) == 10**12 - buy.total + sell.total
    creator_fees = launch.creator_fee + buy.creator_fee + sell.creator_fee
    hmarket.withdraw(sender=creator)
    assert usdt.balanceOf(creator) == 10**12 - launch.total + creator_fees
    assert (
        usdt.balanceOf(hmarket)
        == CURVE.area(100 * TOKEN) + launch.protocol_fee + buy.protocol_fee + sell.protocol_fee
    )


def test_false_returning_quote_token_buy_rejected(project, owner, false_token, treasury, creator, chain):
    hmarket = _market(project, owner, false_token, treasury)
    false_token.mint(creator, 10**12, sender=creator)  # no allowance: transferFrom returns false
    with ape.reverts(hmarket.SafeERC20FailedOperation, coin=false_token):
        hmarket.launch("C", "C", 0, 1 * TOKEN, MAX_UINT, sender=creator)
    assert false_token.balanceOf(hmarket) == 0


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
def test_reentrant_quote_token_during_buy_rejected(
    project, owner, reentrant_token, treasury, creator, fan, before, chain
):
    quote = reentrant_token
    hmarket = _market(project, owner, quote, treasury)
    _fund(quote, hmarket, owner, creator, fan, amount=10**15)
    coin = hmarket.launch("C", "C", CREATOR_BPS, 100 * TOKEN, MAX_UINT, sender=creator).return_value
    quote.arm(hmarket, hmarket.sell.encode_input(coin, 1 * TOKEN, 0, MAX_UINT), before, sender=owner)
    with ape.reverts(hmarket.ReentrancyGuardReentrantCall):
        hmarket.buy(coin, 1 * TOKEN, MAX_UINT, MAX_UINT, sender=fan)
    assert hmarket.supplyOf(coin) == 100 * TOKEN
    assert quote.reentered() == 0


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
def test_reentrant_quote_token_during_withdraw_rejected(
    project, owner, reentrant_token, treasury, creator, before
):
    quote = reentrant_token
    hmarket = _market(project, owner, quote, treasury)
    _fund(quote, hmarket, owner, creator, amount=10**15)
    launch = CURVE.quote_buy(0, 100 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.launch("C", "C", CREATOR_BPS, 100 * TOKEN, MAX_UINT, sender=creator)
    quote.arm(hmarket, hmarket.withdraw.encode_input(), before, sender=owner)
    with ape.reverts(hmarket.ReentrancyGuardReentrantCall):
        hmarket.withdraw(sender=creator)
    assert hmarket.balanceOf(creator) == launch.creator_fee


def test_fee_on_transfer_quote_token_leaves_market_short(project, owner, treasury, creator):
    """Unsupported by design (see SECURITY.md): the outcome, asserted exactly, is 1% missing per pull."""
    quote = owner.deploy(project.FeeOnTransferToken, 6, 100)
    hmarket = _market(project, owner, quote, treasury)
    _fund(quote, hmarket, owner, creator, amount=10**15)
    launch = CURVE.quote_buy(0, 100 * TOKEN, PROTOCOL_BPS, 0)
    hmarket.launch("C", "C", 0, 100 * TOKEN, MAX_UINT, sender=creator)
    owed = CURVE.area(100 * TOKEN) + launch.protocol_fee
    assert quote.balanceOf(hmarket) == launch.total - launch.total * 100 // 10_000 < owed


# ---------------------------------------------------------------------- hostile or unlucky recipients


def test_blacklisted_creator_blocks_no_trade_and_can_redirect(
    hmarket, coin, usdc, owner, creator, fan, chain
):
    usdc.blacklist(creator, sender=owner)
    buy = CURVE.quote_buy(100 * TOKEN, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.buy(coin, 10 * TOKEN, buy.total, _deadline(chain), sender=fan)
    launch = CURVE.quote_buy(0, 100 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    owed = launch.creator_fee + buy.creator_fee
    assert hmarket.balanceOf(creator) == owed
    with ape.reverts(usdc.AccountBlacklisted, account=creator):
        hmarket.withdraw(sender=creator)
    payout = "0x000000000000000000000000000000000000dEaD"
    hmarket.setPayout(payout, sender=creator)
    hmarket.withdraw(sender=creator)
    assert usdc.balanceOf(payout) == owed


def test_blacklisted_treasury_blocks_no_trade(hmarket, coin, usdc, owner, treasury, fan, chain):
    usdc.blacklist(treasury, sender=owner)
    hmarket.buy(coin, 10 * TOKEN, MAX_UINT, _deadline(chain), sender=fan)
    hmarket.sell(coin, 10 * TOKEN, 0, _deadline(chain), sender=fan)
    assert hmarket.supplyOf(coin) == 100 * TOKEN
    with ape.reverts(usdc.AccountBlacklisted, account=treasury):
        hmarket.withdraw(sender=treasury)


def test_reverting_contract_creator(project, hmarket, usdc, owner, rejecting, fan, stranger, chain):
    data = hmarket.launch.encode_input("Wall", "WALL", CREATOR_BPS, 0, 0)
    rejecting.execute(hmarket, data, sender=owner)  # the contract launches, through its operator
    coin = hmarket.tokenOf(rejecting)
    assert hmarket.creatorOf(coin) == rejecting.address
    buy = CURVE.quote_buy(0, 10 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    hmarket.buy(coin, 10 * TOKEN, buy.total, _deadline(chain), sender=fan)
    hmarket.withdrawFor(rejecting, sender=stranger)
    assert usdc.balanceOf(rejecting) == buy.creator_fee


# ---------------------------------------------------------------------- intruders

OWNER_CALLS = [
    ("scheduleProtocolFee", lambda c: (1,)),
    ("cancelProtocolFee", lambda c: ()),
    ("setTreasury", lambda c: (c["attacker"],)),
    ("transferOwnership", lambda c: (c["attacker"],)),
    ("renounceOwnership", lambda c: ()),
]


@pytest.mark.parametrize("method,args", OWNER_CALLS, ids=[m for m, _ in OWNER_CALLS])
@pytest.mark.parametrize("who", ["attacker", "creator", "treasury"])
def test_non_owner_rejected_on_every_owner_function(hmarket, attacker, creator, treasury, method, args, who):
    caller = {"attacker": attacker, "creator": creator, "treasury": treasury}[who]
    with ape.reverts(hmarket.OwnableUnauthorizedAccount, account=caller):
        getattr(hmarket, method)(*args({"attacker": attacker}), sender=caller)


@pytest.mark.parametrize("who", ["attacker", "owner", "fan"])
def test_non_creator_rejected_on_creator_fee(hmarket, coin, attacker, owner, fan, who):
    caller = {"attacker": attacker, "owner": owner, "fan": fan}[who]
    with ape.reverts(hmarket.NotCreator, caller=caller, coin=coin):
        hmarket.scheduleCreatorFee(coin, 0, sender=caller)
    with ape.reverts(hmarket.NotCreator, caller=caller, coin=coin):
        hmarket.cancelCreatorFee(coin, sender=caller)


@pytest.mark.parametrize("method,args", [("mint", (1,)), ("burn", (1,)), ("initialize", None)])
@pytest.mark.parametrize("who", ["attacker", "creator", "owner"])
def test_only_the_market_mints_burns_initializes(coin, attacker, creator, owner, method, args, who):
    caller = {"attacker": attacker, "creator": creator, "owner": owner}[who]
    call_args = ("X", "X") if args is None else (caller, *args)
    with ape.reverts(coin.NotMarket, caller=caller):
        getattr(coin, method)(*call_args, sender=caller)


# ---------------------------------------------------------------------- extremes


def test_one_base_unit_trades_at_supply_zero(project, hmarket, usdc, creator, fan, chain):
    coin = hmarket.launch("C", "C", CREATOR_BPS, 0, 0, sender=creator).return_value
    before = usdc.balanceOf(fan)
    hmarket.buy(coin, 1, 1, _deadline(chain), sender=fan)  # area(1) rounds up to 1 quote unit
    assert before - usdc.balanceOf(fan) == CURVE.area(1) == 1
    assert hmarket.reserveOf(coin) == 1
    hmarket.sell(coin, 1, 0, _deadline(chain), sender=fan)  # the whole reserve comes back
    assert usdc.balanceOf(fan) == before
    assert hmarket.reserveOf(coin) == 0 and hmarket.supplyOf(coin) == 0


def test_supply_up_to_the_bound_then_overflow(hmarket, usdc, attacker, fan, chain):
    coin = hmarket.launch("Zero", "Z", 0, 0, 0, sender=attacker).return_value  # no creator fee
    q = CURVE.quote_buy(0, MAX_SUPPLY, PROTOCOL_BPS, 0)
    before = usdc.balanceOf(fan)
    hmarket.buy(coin, MAX_SUPPLY, q.total, _deadline(chain), sender=fan)
    assert before - usdc.balanceOf(fan) == q.total
    assert hmarket.supplyOf(coin) == MAX_SUPPLY and hmarket.reserveOf(coin) == CURVE.area(MAX_SUPPLY)
    with ape.reverts(hmarket.SupplyOverflow, supply=MAX_SUPPLY + 1):
        hmarket.buy(coin, 1, MAX_UINT, _deadline(chain), sender=fan)
    sell = CURVE.quote_sell(MAX_SUPPLY, MAX_SUPPLY - 1, PROTOCOL_BPS, 0)
    hmarket.sell(coin, MAX_SUPPLY - 1, sell.total, _deadline(chain), sender=fan)
    assert hmarket.supplyOf(coin) == 1 and hmarket.reserveOf(coin) == CURVE.area(1)


def test_creator_credit_bound_rejects_an_astronomical_buy(hmarket, coin, creator, fan, chain):
    """A creator's uncollected fees are kept below 2^128: a single buy whose creator fee alone
    would exceed that (over 10^32 USDC) is rejected with the exact credit."""
    amount = MAX_SUPPLY - 100 * TOKEN
    q = CURVE.quote_buy(100 * TOKEN, amount, PROTOCOL_BPS, CREATOR_BPS)
    launch = CURVE.quote_buy(0, 100 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    credit = launch.creator_fee + q.creator_fee
    assert credit > MAX_SUPPLY
    with ape.reverts(hmarket.CreditOverflow, credit=credit):
        hmarket.buy(coin, amount, MAX_UINT, _deadline(chain), sender=fan)


@pytest.mark.parametrize("amount", [2**255, 2**256 - 1 - 100 * TOKEN])
def test_amounts_near_two_to_the_255(hmarket, coin, fan, amount, chain):
    with ape.reverts(hmarket.SupplyOverflow, supply=100 * TOKEN + amount):
        hmarket.buy(coin, amount, MAX_UINT, _deadline(chain), sender=fan)
    with ape.reverts(hmarket.InsufficientSupply, amount=amount, supply=100 * TOKEN):
        hmarket.sell(coin, amount, 0, _deadline(chain), sender=fan)


def test_payout_or_treasury_at_the_market_itself_rejected(hmarket, owner, creator):
    """Neither a payout nor the treasury can be the market: a withdrawal there would strand funds."""
    treasury = hmarket.treasury()
    with ape.reverts(hmarket.InvalidPayout, payout=hmarket.address):
        hmarket.setPayout(hmarket, sender=creator)
    with ape.reverts(hmarket.InvalidTreasury, treasury=hmarket.address):
        hmarket.setTreasury(hmarket, sender=owner)
    assert hmarket.payoutOf(creator) == creator
    assert hmarket.treasury() == treasury
