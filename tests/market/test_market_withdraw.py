"""Withdrawals of credited fees: exact amounts, payout redirection (a blacklisted creator), errors."""

import ape

from tests.constants import MAX_UINT, TOKEN

from .conftest import deadline, quote_buy, transfer


def test_creator_and_treasury_withdraw(market, curve, usdc, token, creator, treasury, fan, chain):
    market.buy(token, 20 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    owed = market.balanceOf(creator)
    assert owed > 0
    before = usdc.balanceOf(creator)
    tx = market.withdraw(sender=creator)
    assert tx.return_value == owed
    assert tx.events == [
        market.Withdrawn(account=creator, to=creator, amount=owed),
        transfer(usdc, market, creator, owed),
    ]
    assert usdc.balanceOf(creator) == before + owed
    assert market.balanceOf(creator) == 0

    owed = market.balanceOf(treasury)
    tx = market.withdrawFor(treasury, sender=fan)  # anyone may trigger it; the money goes to the treasury
    assert tx.events == [
        market.Withdrawn(account=treasury, to=treasury, amount=owed),
        transfer(usdc, market, treasury, owed),
    ]
    assert usdc.balanceOf(treasury) == owed
    # What is left is exactly the reserve.
    assert usdc.balanceOf(market) == market.reserveOf(token)


def test_nothing_to_withdraw(market, usdc, token, creator, fan):
    """The jar's error, with the same arguments: the account and the token (the quote token)."""
    with ape.reverts(market.NothingToWithdraw, account=fan, token=usdc):
        market.withdraw(sender=fan)
    market.withdraw(sender=creator)
    with ape.reverts(market.NothingToWithdraw, account=creator, token=usdc):
        market.withdraw(sender=creator)
    with ape.reverts(market.NothingToWithdraw, account=creator, token=usdc):
        market.withdrawFor(creator, sender=fan)


def test_blacklisted_creator_redirects_payout(market, usdc, token, owner, creator, fan, stranger, chain):
    market.buy(token, 10 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    usdc.blacklist(creator, sender=owner)
    owed = market.balanceOf(creator)
    with ape.reverts(usdc.AccountBlacklisted, account=creator):
        market.withdraw(sender=creator)
    # Trading is unaffected: fees are credited, never pushed.
    market.buy(token, TOKEN, MAX_UINT, deadline(chain), sender=fan)
    owed = market.balanceOf(creator)

    assert market.payoutOf(creator) == creator
    tx = market.setPayout(stranger, sender=creator)
    assert tx.events == [market.PayoutSet(account=creator, payout=stranger)]
    assert market.payoutOf(creator) == stranger
    before = usdc.balanceOf(stranger)
    tx = market.withdraw(sender=creator)
    assert tx.events == [
        market.Withdrawn(account=creator, to=stranger, amount=owed),
        transfer(usdc, market, stranger, owed),
    ]
    assert usdc.balanceOf(stranger) == before + owed
    # Zero resets the payout to the account itself, and PayoutSet says so (as in the jar and a split).
    tx = market.setPayout(ape.utils.ZERO_ADDRESS, sender=creator)
    assert tx.events == [market.PayoutSet(account=creator, payout=creator)]
    assert market.payoutOf(creator) == creator


def test_treasury_that_is_also_a_creator(market, curve, usdc, owner, creator, fan, chain, project, traders):
    """Both credits of one account are withdrawn together."""
    market.setTreasury(creator, sender=owner)
    token = project.CreatorToken.at(market.launch("Both", "BTH", 1000, 0, 0, sender=creator).return_value)
    q = quote_buy(market, curve, token, 5 * TOKEN)
    market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    assert market.balanceOf(creator) == q.protocol_fee + q.creator_fee
    tx = market.withdraw(sender=creator)
    assert tx.return_value == q.protocol_fee + q.creator_fee
    assert market.balanceOf(creator) == 0
    assert usdc.balanceOf(market) == market.reserveOf(token)


def test_payout_to_the_market_itself_rejected(market, usdc, token, creator, fan, chain):
    """A payout at the market would zero the credit and strand the funds inside the market."""
    market.buy(token, 20 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    owed = market.balanceOf(creator)
    assert owed > 0
    with ape.reverts(market.InvalidPayout, payout=market.address):
        market.setPayout(market, sender=creator)
    assert market.payoutOf(creator) == creator
    before = usdc.balanceOf(creator)
    market.withdraw(sender=creator)
    assert usdc.balanceOf(creator) - before == owed
