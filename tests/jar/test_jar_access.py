"""Access control: every owner function rejects anyone else; no owner path moves a credit."""

import ape
import pytest

from tests.constants import USDC


@pytest.mark.parametrize(
    "call",
    [
        lambda jar, usdc, a: jar.scheduleFee(100, sender=a),
        lambda jar, usdc, a: jar.cancelFee(sender=a),
        lambda jar, usdc, a: jar.setTreasury(a, sender=a),
        lambda jar, usdc, a: jar.setTokenAllowed(usdc, False, sender=a),
        lambda jar, usdc, a: jar.setGift(1, "Rose", 10_000, sender=a),
        lambda jar, usdc, a: jar.transferOwnership(a, sender=a),
        lambda jar, usdc, a: jar.renounceOwnership(sender=a),
    ],
    ids=[
        "scheduleFee",
        "cancelFee",
        "setTreasury",
        "setTokenAllowed",
        "setGift",
        "transferOwnership",
        "renounce",
    ],
)
def test_only_owner(jar, usdc, stranger, creator, call):
    for intruder in (stranger, creator):
        with ape.reverts(jar.OwnableUnauthorizedAccount, account=intruder):
            call(jar, usdc, intruder)


def test_ownership_transfer(jar, owner, stranger):
    assert jar.owner() == owner
    tx = jar.transferOwnership(stranger, sender=owner)
    assert tx.events == [jar.OwnershipTransferred(previousOwner=owner, newOwner=stranger)]
    jar.scheduleFee(100, sender=stranger)
    with ape.reverts(jar.OwnableUnauthorizedAccount, account=owner):
        jar.scheduleFee(100, sender=owner)


def test_owner_cannot_take_credits(jar, usdc, owner, approved_fan, creator):
    """The owner's whole toolbox leaves a creator's credit untouched and unwithdrawable by others."""
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    credit = jar.balanceOf(creator, usdc)
    jar.setTreasury(owner, sender=owner)
    jar.setTokenAllowed(usdc, False, sender=owner)
    jar.scheduleFee(1000, sender=owner)
    assert jar.balanceOf(creator, usdc) == credit
    with ape.reverts(jar.NothingToWithdraw, account=owner, token=usdc):
        jar.withdraw(usdc, sender=owner)
    jar.withdrawFor(creator, usdc, sender=owner)  # pushing only ever pays the creator's payout
    assert usdc.balanceOf(creator) == credit
