"""The gift catalogue: ids from 1, price in USD (6 decimals) * quantity scaled to the token."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split

ROSE, LION = 1, 3


def _catalogue(jar, owner):
    jar.setGift(ROSE, "Rose", 10_000, sender=owner)  # $0.01
    jar.setGift(LION, "Lion", 299_990_000, sender=owner)  # $299.99


def test_set_and_read(jar, owner):
    tx = jar.setGift(ROSE, "Rose", 10_000, sender=owner)
    assert tx.events == [jar.GiftSet(giftId=ROSE, name="Rose", priceUsd6=10_000)]
    assert jar.gift(ROSE) == ("Rose", 10_000)
    assert jar.gift(99) == ("", 0)


def test_send_gift_usdc(jar, usdc, owner, approved_fan, creator, treasury):
    _catalogue(jar, owner)
    tx = jar.sendGift(creator, usdc, LION, 2, "roar", sender=approved_fan)
    amount = 2 * 299_990_000
    assert tx.return_value == amount
    fee, net = split(amount, FEE_BPS)
    assert (
        jar.Tipped(
            fan=approved_fan, creator=creator, token=usdc, amount=amount, fee=fee, giftId=LION, message="roar"
        )
        in tx.events
    )
    assert jar.balanceOf(creator, usdc) == net
    assert jar.balanceOf(treasury, usdc) == fee
    assert jar.giftAmount(usdc, ROSE, 5) == 50_000


def test_send_gift_scaled_to_18_decimals(jar, dai, owner, accounts, creator):
    _catalogue(jar, owner)
    jar.setTokenAllowed(dai, True, sender=owner)
    payer = accounts[8]
    dai.mint(payer, 10**21, sender=payer)
    dai.approve(jar, 10**21, sender=payer)
    tx = jar.sendGift(creator, dai, ROSE, 3, "", sender=payer)
    assert tx.return_value == 3 * 10**16  # 3 x $0.01 in 18 decimals
    assert dai.balanceOf(jar) == 3 * 10**16
    assert jar.balanceOf(creator, dai) == split(3 * 10**16, FEE_BPS)[1]


def test_unknown_retired_zero_quantity(jar, usdc, owner, approved_fan, creator):
    _catalogue(jar, owner)
    with ape.reverts(jar.UnknownGift, giftId=2):
        jar.sendGift(creator, usdc, 2, 1, "", sender=approved_fan)
    with ape.reverts(jar.UnknownGift, giftId=0):
        jar.sendGift(creator, usdc, 0, 1, "", sender=approved_fan)
    with ape.reverts(jar.ZeroQuantity):
        jar.sendGift(creator, usdc, ROSE, 0, "", sender=approved_fan)
    tx = jar.setGift(ROSE, "Rose", 0, sender=owner)
    assert tx.events == [jar.GiftSet(giftId=ROSE, name="Rose", priceUsd6=0)]
    with ape.reverts(jar.GiftRetired, giftId=ROSE):
        jar.sendGift(creator, usdc, ROSE, 1, "", sender=approved_fan)


def test_overflow_rejected(jar, dai, usdc, owner, approved_fan, creator):
    _catalogue(jar, owner)
    with ape.reverts(jar.GiftAmountOverflow, giftId=LION, quantity=2**255):
        jar.sendGift(creator, usdc, LION, 2**255, "", sender=approved_fan)
    jar.setTokenAllowed(dai, True, sender=owner)
    q = 2**256 // (299_990_000 * 10**12) + 1  # fits priceUsd6 * q, overflows the 10^12 scaling
    with ape.reverts(jar.GiftAmountOverflow, giftId=LION, quantity=q):
        jar.sendGift(creator, dai, LION, q, "", sender=approved_fan)


def test_invalid_definitions(jar, owner):
    with ape.reverts(jar.InvalidGiftId):
        jar.setGift(0, "Zero", 1, sender=owner)
    with ape.reverts(jar.EmptyGiftName, giftId=4):
        jar.setGift(4, "", 1, sender=owner)


def test_gift_token_not_allowed(jar, dai, owner, approved_fan, creator):
    _catalogue(jar, owner)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.sendGift(creator, dai, ROSE, 1, "", sender=approved_fan)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.giftAmount(dai, ROSE, 1)


def test_default_catalogue_seeds(jar, usdc, owner):
    from fairgift.gifts import DEFAULT_GIFTS, seed_catalogue

    seed_catalogue(jar, owner)
    for gift in DEFAULT_GIFTS:
        assert jar.gift(gift.gift_id) == (gift.name, gift.price_usd6)
        assert jar.giftAmount(usdc, gift.gift_id, 3) == gift.amount_in(6, quantity=3)
