"""Launching: one token per creator at its predicted address, the creator's first buy in the same
transaction (no sniping), the capped creator fee, token metadata and the token's access control."""

import ape
import pytest

from tests.constants import MAX_UINT, TOKEN, ZERO_ADDRESS

from .conftest import CREATOR_BPS, deadline, quote_buy, transfer


def test_launch_with_initial_buy_in_the_same_transaction(project, market, curve, usdc, creator, traders):
    predicted = market.predictToken(creator)
    assert market.tokenOf(creator) == ZERO_ADDRESS
    assert market.creatorOf(predicted) == ZERO_ADDRESS
    q = curve.quote_buy(0, 100 * TOKEN, market.protocolFeeBps(), CREATOR_BPS)
    before = usdc.balanceOf(creator)

    tx = market.launch("Creator Coin", "CRC", CREATOR_BPS, 100 * TOKEN, q.total, sender=creator)

    assert tx.return_value == predicted
    token = project.CreatorToken.at(predicted)
    assert market.tokenOf(creator) == predicted
    assert market.creatorOf(predicted) == creator
    assert token.creator() == creator
    assert token.market() == market
    assert market.creatorFeeBps(token) == CREATOR_BPS
    assert market.pendingCreatorFee(token) == (0, 0)
    # The creator is the first and only buyer in the launch block: the supply is theirs alone.
    assert token.balanceOf(creator) == token.totalSupply() == market.supplyOf(token) == 100 * TOKEN
    assert usdc.balanceOf(creator) == before - q.total
    assert market.balanceOf(creator) == q.creator_fee  # the creator fee on their own buy, back to them
    assert tx.events == [
        market.Launched(
            creator=creator, token=predicted, name="Creator Coin", symbol="CRC", creatorFeeBps=500
        ),
        market.Trade(
            trader=creator,
            token=predicted,
            isBuy=True,
            amount=100 * TOKEN,
            value=q.value,
            protocolFee=q.protocol_fee,
            creatorFee=q.creator_fee,
            supplyAfter=100 * TOKEN,
        ),
        transfer(usdc, creator, market, q.total),
        transfer(token, ZERO_ADDRESS, creator, 100 * TOKEN),
    ]


def test_nobody_can_trade_before_launch(market, creator, fan, traders, chain):
    predicted = market.predictToken(creator)
    with ape.reverts(market.UnknownToken, token=predicted):
        market.buy(predicted, TOKEN, MAX_UINT, deadline(chain), sender=fan)
    with ape.reverts(market.UnknownToken, token=predicted):
        market.quoteBuy(predicted, TOKEN)


def test_initial_buy_bounded_by_max_cost(market, curve, creator, traders):
    q = curve.quote_buy(0, 100 * TOKEN, market.protocolFeeBps(), CREATOR_BPS)
    with ape.reverts(market.CostAboveMax, totalCost=q.total, maxCost=q.total - 1):
        market.launch("Creator Coin", "CRC", CREATOR_BPS, 100 * TOKEN, q.total - 1, sender=creator)
    assert market.tokenOf(creator) == ZERO_ADDRESS  # the whole launch reverted


def test_launch_without_initial_buy(project, market, curve, creator, fan, traders, chain):
    tx = market.launch("Creator Coin", "CRC", 0, 0, 0, sender=creator)
    token = project.CreatorToken.at(tx.return_value)
    assert tx.events == [
        market.Launched(creator=creator, token=token, name="Creator Coin", symbol="CRC", creatorFeeBps=0)
    ]
    assert token.totalSupply() == 0
    assert market.reserveOf(token) == 0
    assert market.creatorFeeBps(token) == 0
    q = quote_buy(market, curve, token, TOKEN)
    assert q.creator_fee == 0
    market.buy(token, TOKEN, q.total, deadline(chain), sender=fan)
    assert token.balanceOf(fan) == TOKEN


def test_second_launch_rejected(market, token, creator):
    with ape.reverts(market.AlreadyLaunched, creator=creator, token=token):
        market.launch("Again", "AGN", 0, 0, 0, sender=creator)


def test_creator_fee_capped_at_launch(market, creator, traders):
    with ape.reverts(market.FeeAboveCap, bps=1001, cap=1000):
        market.launch("Greedy", "GRD", 1001, 0, 0, sender=creator)
    tx = market.launch("Max", "MAX", 1000, 0, 0, sender=creator)  # the cap itself is allowed
    assert market.creatorFeeBps(tx.return_value) == 1000


def test_tokens_of_different_creators(project, market, token, creator, creator2, traders):
    tx = market.launch("Other Coin", "OTH", 100, 0, 0, sender=creator2)
    token2 = project.CreatorToken.at(tx.return_value)
    assert token2.address == market.predictToken(creator2) != token.address
    assert market.creatorOf(token2) == creator2
    assert market.creatorFeeBps(token2) == 100
    assert (token.name(), token.symbol()) == ("Creator Coin", "CRC")
    assert (token2.name(), token2.symbol()) == ("Other Coin", "OTH")


def test_token_metadata(token, market):
    assert token.name() == "Creator Coin"
    assert token.symbol() == "CRC"
    assert token.decimals() == 18
    assert token.totalSupply() == market.supplyOf(token)


def test_long_and_empty_names(project, market, creator, creator2, stranger, traders):
    long_name = "A Rather Long Creator Token Name That Needs Several Slots ✨"
    tx = market.launch(long_name, "LONGSYMBOL", 0, 0, 0, sender=creator)
    token = project.CreatorToken.at(tx.return_value)
    assert token.name() == long_name
    assert token.symbol() == "LONGSYMBOL"
    # Exactly 30 bytes in all: still packed in one slot.
    tx = market.launch("x" * 25, "YYYYY", 0, 0, 0, sender=creator2)
    packed = project.CreatorToken.at(tx.return_value)
    assert (packed.name(), packed.symbol()) == ("x" * 25, "YYYYY")
    tx = market.launch("", "", 0, 0, 0, sender=stranger)
    empty = project.CreatorToken.at(tx.return_value)
    assert (empty.name(), empty.symbol()) == ("", "")


def test_only_market_mints_burns_initializes(project, market, token, fan, creator):
    with ape.reverts(token.NotMarket, caller=fan):
        token.mint(fan, TOKEN, sender=fan)
    with ape.reverts(token.NotMarket, caller=creator):
        token.burn(creator, TOKEN, sender=creator)
    with ape.reverts(token.NotMarket, caller=fan):
        token.initialize("Hijack", "HJK", sender=fan)
    implementation = project.CreatorToken.at(market.implementation())
    assert implementation.market() == market
    assert implementation.creator() == ZERO_ADDRESS
    with ape.reverts(implementation.NotMarket, caller=fan):
        implementation.initialize("Hijack", "HJK", sender=fan)


@pytest.mark.anvil_only("impersonates the market to call its clone's initialize")
def test_initialize_only_once(project, market, owner, chain):
    """The market initializes each clone exactly once; a second call is rejected."""
    token = project.CreatorToken.at(market.launch("Once", "ONE", 0, 0, 0, sender=owner).return_value)
    # Impersonate the market (anvil) to call the launched clone's initialize a second time.
    market_account = ape.accounts[market.address]
    chain.provider.set_balance(market.address, 10**18)
    with ape.reverts(token.AlreadyInitialized):
        token.initialize("Twice", "TWO", sender=market_account)
    assert token.name() == "Once"


def test_token_transfers_and_allowances(token, creator, fan, stranger):
    token.transfer(fan, 10 * TOKEN, sender=creator)
    tx = token.approve(stranger, 4 * TOKEN, sender=fan)
    assert tx.events == [token.Approval(owner=fan, spender=stranger, value=4 * TOKEN)]
    tx = token.transferFrom(fan, stranger, 3 * TOKEN, sender=stranger)
    assert tx.events == [transfer(token, fan, stranger, 3 * TOKEN)]
    assert token.allowance(fan, stranger) == TOKEN
    assert token.balanceOf(stranger) == 3 * TOKEN
    with ape.reverts(token.ERC20InsufficientAllowance, spender=stranger, allowance=TOKEN, needed=2 * TOKEN):
        token.transferFrom(fan, stranger, 2 * TOKEN, sender=stranger)
    with ape.reverts(token.ERC20InsufficientBalance, sender=fan, balance=7 * TOKEN, needed=8 * TOKEN):
        token.transfer(stranger, 8 * TOKEN, sender=fan)
    with ape.reverts(token.ERC20InvalidReceiver, receiver=ZERO_ADDRESS):
        token.transfer(ZERO_ADDRESS, 1, sender=fan)
    # An unlimited allowance is never decreased.
    token.approve(stranger, MAX_UINT, sender=fan)
    token.transferFrom(fan, stranger, TOKEN, sender=stranger)
    assert token.allowance(fan, stranger) == MAX_UINT


def test_clone_arguments_are_read_in_one_place(project, market, token, usdc, creator, owner):
    """`creatorOf` (market) and `creator()` (token) read the same clone argument through CloneArgs;
    anything that is not one of this market's clones has no creator: an account without code, a
    contract of another size, the implementation, and a look-alike clone made by someone else."""
    assert market.creatorOf(token) == token.creator() == creator
    assert market.creatorOf(creator) == ZERO_ADDRESS  # no code
    assert market.creatorOf(usdc) == ZERO_ADDRESS  # another contract
    implementation = project.CreatorToken.at(market.implementation())
    assert market.creatorOf(implementation) == ZERO_ADDRESS
    assert implementation.creator() == ZERO_ADDRESS
    # The same implementation cloned with `creator` as argument by another deployer: not the market's.
    other_market = owner.deploy(project.CreatorMarket, owner, usdc, owner, 0, 1, 1)
    look_alike = other_market.launch("Fake", "FK", 0, 0, 0, sender=creator).return_value
    assert project.CreatorToken.at(look_alike).creator() == creator
    assert market.creatorOf(look_alike) == ZERO_ADDRESS
