"""Access control: every owner function rejects anyone else; no owner path moves a credit."""

import ape
import pytest

from tests.constants import USDC, ZERO_ADDRESS


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


def test_ownership_moves_in_two_steps(jar, owner, stranger, creator):
    """Ownable2Step: a transfer only names a pending owner, who must accept; until then the owner
    keeps every power, and a mistyped address can be replaced or cleared."""
    assert jar.owner() == owner
    tx = jar.transferOwnership(creator, sender=owner)  # the wrong address ...
    assert tx.events == [jar.OwnershipTransferStarted(previousOwner=owner, newOwner=creator)]
    tx = jar.transferOwnership(stranger, sender=owner)  # ... replaced before it accepts
    assert tx.events == [jar.OwnershipTransferStarted(previousOwner=owner, newOwner=stranger)]
    assert (jar.owner(), jar.pendingOwner()) == (owner, stranger)
    jar.scheduleFee(100, sender=owner)  # still the owner
    with ape.reverts(jar.OwnableUnauthorizedAccount, account=creator):
        jar.acceptOwnership(sender=creator)
    tx = jar.acceptOwnership(sender=stranger)
    assert tx.events == [jar.OwnershipTransferred(previousOwner=owner, newOwner=stranger)]
    assert (jar.owner(), jar.pendingOwner()) == (stranger, ZERO_ADDRESS)
    jar.scheduleFee(200, sender=stranger)
    with ape.reverts(jar.OwnableUnauthorizedAccount, account=owner):
        jar.scheduleFee(100, sender=owner)
    jar.transferOwnership(owner, sender=stranger)
    jar.transferOwnership(ZERO_ADDRESS, sender=stranger)  # a pending transfer can be cleared
    with ape.reverts(jar.OwnableUnauthorizedAccount, account=owner):
        jar.acceptOwnership(sender=owner)


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
