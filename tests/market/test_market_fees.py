"""Protocol and creator fee schedules on the market: caps, delays, access, events, and trades on
both sides of effectiveAt; the treasury change."""

import ape

from fairgift.fees import fee_on
from tests.constants import DELAY, MAX_UINT, TOKEN

from .conftest import CREATOR_BPS, PROTOCOL_BPS, deadline, quote_buy, quote_sell


def test_constants(market, usdc, treasury, owner):
    assert market.MAX_PROTOCOL_FEE_BPS() == 500
    assert market.MAX_CREATOR_FEE_BPS() == 1000
    assert market.FEE_CHANGE_DELAY() == DELAY
    assert market.quoteToken() == usdc
    assert market.treasury() == treasury
    assert market.owner() == owner
    assert market.protocolFeeBps() == PROTOCOL_BPS
    assert market.pendingProtocolFee() == (0, 0)


def test_protocol_fee_increase_waits_and_trades_use_the_fee_in_force(
    market, curve, token, owner, fan, creator, chain
):
    tx = market.scheduleProtocolFee(500, sender=owner)
    effective_at = tx.timestamp + DELAY
    assert tx.events == [market.FeeChangeScheduled(oldBps=PROTOCOL_BPS, newBps=500, effectiveAt=effective_at)]
    assert market.pendingProtocolFee() == (500, effective_at)

    chain.pending_timestamp = effective_at - 1
    q = curve.quote_buy(market.supplyOf(token), TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    tx = market.buy(token, TOKEN, MAX_UINT, deadline(chain), sender=fan)
    assert tx.timestamp == effective_at - 1
    assert tx.return_value == q.total
    assert tx.events[0].protocolFee == fee_on(q.value, PROTOCOL_BPS)

    chain.pending_timestamp = effective_at
    q = curve.quote_sell(market.supplyOf(token), TOKEN, 500, CREATOR_BPS)
    tx = market.sell(token, TOKEN, 0, deadline(chain), sender=fan)
    assert tx.timestamp == effective_at
    assert tx.return_value == q.total
    assert tx.events[0].protocolFee == fee_on(q.value, 500)
    assert market.protocolFeeBps() == 500
    assert market.pendingProtocolFee() == (0, 0)


def test_protocol_fee_decrease_cancel_cap_and_access(market, owner, stranger, chain):
    tx = market.scheduleProtocolFee(100, sender=owner)
    assert tx.events == [market.FeeChanged(oldBps=PROTOCOL_BPS, newBps=100)]
    assert market.protocolFeeBps() == 100
    with ape.reverts(market.FeeAboveCap, bps=501, cap=500):
        market.scheduleProtocolFee(501, sender=owner)
    market.scheduleProtocolFee(400, sender=owner)
    tx = market.cancelProtocolFee(sender=owner)
    assert tx.events == [market.FeeChangeCancelled(bps=400)]
    with ape.reverts(market.NoPendingFee):
        market.cancelProtocolFee(sender=owner)
    chain.mine(timestamp=chain.pending_timestamp + DELAY)
    assert market.protocolFeeBps() == 100
    with ape.reverts(market.OwnableUnauthorizedAccount, account=stranger):
        market.scheduleProtocolFee(0, sender=stranger)
    with ape.reverts(market.OwnableUnauthorizedAccount, account=stranger):
        market.cancelProtocolFee(sender=stranger)


def test_creator_fee_increase_waits_and_trades_use_the_fee_in_force(
    market, curve, token, creator, fan, chain
):
    tx = market.scheduleCreatorFee(token, 1000, sender=creator)
    effective_at = tx.timestamp + DELAY
    assert tx.events == [
        market.CreatorFeeChangeScheduled(
            token=token, oldBps=CREATOR_BPS, newBps=1000, effectiveAt=effective_at
        )
    ]
    assert market.pendingCreatorFee(token) == (1000, effective_at)
    assert market.creatorFeeBps(token) == CREATOR_BPS

    chain.pending_timestamp = effective_at - 1
    q = curve.quote_buy(market.supplyOf(token), 3 * TOKEN, PROTOCOL_BPS, CREATOR_BPS)
    tx = market.buy(token, 3 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    assert tx.return_value == q.total
    assert tx.events[0].creatorFee == fee_on(q.value, CREATOR_BPS)

    chain.pending_timestamp = effective_at
    q = curve.quote_buy(market.supplyOf(token), 3 * TOKEN, PROTOCOL_BPS, 1000)
    tx = market.buy(token, 3 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    assert tx.return_value == q.total
    assert tx.events[0].creatorFee == fee_on(q.value, 1000)
    assert market.creatorFeeBps(token) == 1000
    assert market.pendingCreatorFee(token) == (0, 0)
    # quotes follow the same fee
    assert market.quoteSell(token, TOKEN) == quote_sell(market, curve, token, TOKEN).as_tuple()


def test_creator_fee_decrease_at_once_and_cancel(market, curve, token, creator, fan, chain):
    tx = market.scheduleCreatorFee(token, 0, sender=creator)
    assert tx.events == [market.CreatorFeeChanged(token=token, oldBps=CREATOR_BPS, newBps=0)]
    q = quote_buy(market, curve, token, TOKEN)
    assert q.creator_fee == 0
    assert market.buy(token, TOKEN, MAX_UINT, deadline(chain), sender=fan).return_value == q.total
    tx = market.scheduleCreatorFee(token, 700, sender=creator)
    tx = market.cancelCreatorFee(token, sender=creator)
    assert tx.events == [market.CreatorFeeChangeCancelled(token=token, bps=700)]
    assert market.pendingCreatorFee(token) == (0, 0)
    with ape.reverts(market.NoPendingFee):
        market.cancelCreatorFee(token, sender=creator)


def test_creator_fee_cap_and_access(market, token, owner, creator, creator2, stranger, usdc, traders):
    with ape.reverts(market.FeeAboveCap, bps=1001, cap=1000):
        market.scheduleCreatorFee(token, 1001, sender=creator)
    with ape.reverts(market.NotCreator, caller=stranger, token=token):
        market.scheduleCreatorFee(token, 0, sender=stranger)
    with ape.reverts(market.NotCreator, caller=stranger, token=token):
        market.cancelCreatorFee(token, sender=stranger)
    # Another creator cannot touch this token's fee either.
    market.launch("Other", "OTH", 0, 0, 0, sender=creator2)
    with ape.reverts(market.NotCreator, caller=creator2, token=token):
        market.scheduleCreatorFee(token, 0, sender=creator2)
    # Nor can the market's owner.
    assert market.owner() == owner
    with ape.reverts(market.NotCreator, caller=owner, token=token):
        market.scheduleCreatorFee(token, 0, sender=owner)
    for unknown in (usdc.address, market.predictToken(stranger)):
        with ape.reverts(market.UnknownToken, token=unknown):
            market.scheduleCreatorFee(unknown, 0, sender=creator)
        with ape.reverts(market.UnknownToken, token=unknown):
            market.cancelCreatorFee(unknown, sender=creator)


def test_set_treasury_affects_future_fees_only(market, curve, token, owner, treasury, stranger, fan, chain):
    before = market.balanceOf(treasury)
    q1 = quote_buy(market, curve, token, TOKEN)
    market.buy(token, TOKEN, MAX_UINT, deadline(chain), sender=fan)
    tx = market.setTreasury(stranger, sender=owner)
    assert tx.events == [market.TreasurySet(treasury=stranger)]
    assert market.treasury() == stranger
    q2 = quote_buy(market, curve, token, TOKEN)
    market.buy(token, TOKEN, MAX_UINT, deadline(chain), sender=fan)
    assert market.balanceOf(treasury) == before + q1.protocol_fee  # the old treasury keeps its share
    assert market.balanceOf(stranger) == q2.protocol_fee
    # Back again: both keep what they earned.
    market.setTreasury(treasury, sender=owner)
    assert market.balanceOf(stranger) == q2.protocol_fee
    assert market.balanceOf(treasury) == before + q1.protocol_fee


def test_set_treasury_checks(market, owner, stranger):
    with ape.reverts(market.InvalidTreasury, treasury=ape.utils.ZERO_ADDRESS):  # as in the jar
        market.setTreasury(ape.utils.ZERO_ADDRESS, sender=owner)
    with ape.reverts(market.InvalidTreasury, treasury=market.address):
        market.setTreasury(market, sender=owner)
    with ape.reverts(market.OwnableUnauthorizedAccount, account=stranger):
        market.setTreasury(stranger, sender=stranger)


def test_ownership_moves_in_two_steps(market, owner, stranger, creator):
    """Ownable2Step, as in the jar: the named owner must accept; until then the owner keeps control."""
    tx = market.transferOwnership(stranger, sender=owner)
    assert tx.events == [market.OwnershipTransferStarted(previousOwner=owner, newOwner=stranger)]
    assert (market.owner(), market.pendingOwner()) == (owner, stranger)
    market.scheduleProtocolFee(50, sender=owner)
    with ape.reverts(market.OwnableUnauthorizedAccount, account=creator):
        market.acceptOwnership(sender=creator)
    tx = market.acceptOwnership(sender=stranger)
    assert tx.events == [market.OwnershipTransferred(previousOwner=owner, newOwner=stranger)]
    assert (market.owner(), market.pendingOwner()) == (stranger, ape.utils.ZERO_ADDRESS)
    with ape.reverts(market.OwnableUnauthorizedAccount, account=owner):
        market.scheduleProtocolFee(40, sender=owner)
    market.scheduleProtocolFee(40, sender=stranger)
