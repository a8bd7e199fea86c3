"""Pull payments: withdraw, withdrawFor (anyone), payouts, the treasury, treasury changes, delisting."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from tests.constants import USDC, ZERO_ADDRESS


def test_withdraw_whole_credit(jar, usdc, approved_fan, creator):
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    net = split(10 * USDC, FEE_BPS)[1]
    tx = jar.withdraw(usdc, sender=creator)
    assert tx.return_value == net
    assert tx.events == [
        jar.Withdrawn(account=creator, token=usdc, to=creator, amount=net),
        usdc.Transfer(**{"from": jar, "to": creator, "value": net}),
    ]
    assert usdc.balanceOf(creator) == net
    assert jar.balanceOf(creator, usdc) == 0
    with ape.reverts(jar.NothingToWithdraw, account=creator, token=usdc):
        jar.withdraw(usdc, sender=creator)


def test_withdraw_for_goes_to_payout(jar, usdc, approved_fan, creator, creator2, stranger):
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    net = split(10 * USDC, FEE_BPS)[1]
    assert jar.payoutOf(creator) == creator
    tx = jar.setPayout(creator2, sender=creator)
    assert tx.events == [jar.PayoutSet(account=creator, payout=creator2)]
    assert jar.payoutOf(creator) == creator2
    tx = jar.withdrawFor(creator, usdc, sender=stranger)  # anyone may push, only to the payout
    assert tx.return_value == net
    assert jar.Withdrawn(account=creator, token=usdc, to=creator2, amount=net) in tx.events
    assert usdc.balanceOf(creator2) == net
    assert usdc.balanceOf(stranger) == 0
    with ape.reverts(jar.NothingToWithdraw, account=creator, token=usdc):
        jar.withdrawFor(creator, usdc, sender=stranger)


def test_payout_reset_and_invalid(jar, creator, creator2):
    jar.setPayout(creator2, sender=creator)
    tx = jar.setPayout(ZERO_ADDRESS, sender=creator)
    assert tx.events == [jar.PayoutSet(account=creator, payout=creator)]
    assert jar.payoutOf(creator) == creator
    with ape.reverts(jar.InvalidPayout, payout=jar):
        jar.setPayout(jar, sender=creator)


def test_treasury_withdraws_fees(jar, usdc, approved_fan, creator, treasury, stranger):
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    fee = split(10 * USDC, FEE_BPS)[0]
    assert jar.balanceOf(treasury, usdc) == fee
    tx = jar.withdrawFor(treasury, usdc, sender=stranger)
    assert tx.return_value == fee
    assert usdc.balanceOf(treasury) == fee
    assert jar.balanceOf(treasury, usdc) == 0
    assert usdc.balanceOf(jar) == split(10 * USDC, FEE_BPS)[1]


def test_set_treasury_changes_future_fees_only(jar, usdc, owner, approved_fan, creator, treasury, stranger):
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    old_fee = split(10 * USDC, FEE_BPS)[0]
    tx = jar.setTreasury(stranger, sender=owner)
    assert tx.events == [jar.TreasurySet(treasury=stranger)]
    assert jar.treasury() == stranger
    assert jar.balanceOf(treasury, usdc) == old_fee
    assert jar.balanceOf(stranger, usdc) == 0
    jar.tip(creator, usdc, 20 * USDC, "", sender=approved_fan)
    new_fee = split(20 * USDC, FEE_BPS)[0]
    assert jar.balanceOf(stranger, usdc) == new_fee
    assert jar.balanceOf(treasury, usdc) == old_fee
    assert jar.withdraw(usdc, sender=treasury).return_value == old_fee
    assert jar.withdraw(usdc, sender=stranger).return_value == new_fee
    with ape.reverts(jar.InvalidTreasury, treasury=ZERO_ADDRESS):
        jar.setTreasury(ZERO_ADDRESS, sender=owner)
    with ape.reverts(jar.InvalidTreasury, treasury=jar):
        jar.setTreasury(jar, sender=owner)


def test_delisted_token_still_withdrawable(jar, usdc, owner, approved_fan, creator, treasury):
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    tx = jar.setTokenAllowed(usdc, False, sender=owner)
    assert tx.events == [jar.TokenAllowed(token=usdc, allowed=False)]
    with ape.reverts(jar.TokenNotAllowed, token=usdc):
        jar.tip(creator, usdc, 1, "", sender=approved_fan)
    fee, net = split(10 * USDC, FEE_BPS)
    assert jar.withdraw(usdc, sender=creator).return_value == net
    assert jar.withdraw(usdc, sender=treasury).return_value == fee
    assert usdc.balanceOf(jar) == 0
