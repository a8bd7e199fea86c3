"""Every state change of the jar, with its exact events (and nothing else)."""

from jar_helpers import FEE_BPS, MSG32

from fairgift.fees import split
from tests.constants import USDC


def test_constructor_events(project, owner, treasury):
    jar = owner.deploy(project.TipJar, owner, treasury, 300)
    receipt = jar.creation_metadata.receipt
    assert receipt.events == [
        jar.OwnershipTransferred(previousOwner="0x0000000000000000000000000000000000000000", newOwner=owner),
        jar.TreasurySet(treasury=treasury),
    ]


def test_tip_events(jar, usdc, approved_fan, creator):
    tx = jar.tip(creator, usdc, 10 * USDC, MSG32, sender=approved_fan)
    fee = split(10 * USDC, FEE_BPS)[0]
    assert tx.events == [
        jar.Tipped(
            fan=approved_fan, creator=creator, token=usdc, amount=10 * USDC, fee=fee, giftId=0, message=MSG32
        ),
        usdc.Transfer(**{"from": approved_fan, "to": jar, "value": 10 * USDC}),
    ]


def test_gift_events(jar, usdc, owner, approved_fan, creator):
    jar.setGift(7, "Universe", 499_990_000, sender=owner)
    tx = jar.sendGift(creator, usdc, 7, 1, 499_990_000, "", sender=approved_fan)
    fee = split(499_990_000, FEE_BPS)[0]
    assert tx.events == [
        jar.Tipped(
            fan=approved_fan, creator=creator, token=usdc, amount=499_990_000, fee=fee, giftId=7, message=""
        ),
        usdc.Transfer(**{"from": approved_fan, "to": jar, "value": 499_990_000}),
    ]


def test_owner_events(jar, dai, owner, stranger):
    assert jar.setTokenAllowed(dai, True, sender=owner).events == [jar.TokenAllowed(token=dai, allowed=True)]
    assert jar.setTreasury(stranger, sender=owner).events == [jar.TreasurySet(treasury=stranger)]
    assert jar.setGift(2, "Heart", 50_000, sender=owner).events == [
        jar.GiftSet(giftId=2, name="Heart", priceUsd6=50_000)
    ]
