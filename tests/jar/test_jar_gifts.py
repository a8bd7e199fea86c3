"""The gift catalogue: ids from 1, price in USD (6 decimals) * quantity scaled to the token."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from tests.constants import MAX_UINT, USDC

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
    tx = jar.sendGift(creator, usdc, LION, 2, 2 * 299_990_000, "roar", sender=approved_fan)
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
    tx = jar.sendGift(creator, dai, ROSE, 3, 3 * 10**16, "", sender=payer)
    assert tx.return_value == 3 * 10**16  # 3 x $0.01 in 18 decimals
    assert dai.balanceOf(jar) == 3 * 10**16
    assert jar.balanceOf(creator, dai) == split(3 * 10**16, FEE_BPS)[1]


def test_unknown_retired_zero_quantity(jar, usdc, owner, approved_fan, creator):
    _catalogue(jar, owner)
    with ape.reverts(jar.UnknownGift, giftId=2):
        jar.sendGift(creator, usdc, 2, 1, MAX_UINT, "", sender=approved_fan)
    with ape.reverts(jar.UnknownGift, giftId=0):
        jar.sendGift(creator, usdc, 0, 1, MAX_UINT, "", sender=approved_fan)
    with ape.reverts(jar.ZeroQuantity):
        jar.sendGift(creator, usdc, ROSE, 0, MAX_UINT, "", sender=approved_fan)
    tx = jar.setGift(ROSE, "Rose", 0, sender=owner)
    assert tx.events == [jar.GiftSet(giftId=ROSE, name="Rose", priceUsd6=0)]
    with ape.reverts(jar.GiftRetired, giftId=ROSE):
        jar.sendGift(creator, usdc, ROSE, 1, MAX_UINT, "", sender=approved_fan)


def test_overflow_rejected(jar, dai, usdc, owner, approved_fan, creator):
    _catalogue(jar, owner)
    with ape.reverts(jar.GiftAmountOverflow, giftId=LION, quantity=2**255):
        jar.sendGift(creator, usdc, LION, 2**255, MAX_UINT, "", sender=approved_fan)
    jar.setTokenAllowed(dai, True, sender=owner)
    q = 2**256 // (299_990_000 * 10**12) + 1  # fits priceUsd6 * q, overflows the 10^12 scaling
    with ape.reverts(jar.GiftAmountOverflow, giftId=LION, quantity=q):
        jar.sendGift(creator, dai, LION, q, MAX_UINT, "", sender=approved_fan)


def test_invalid_definitions(jar, owner):
    with ape.reverts(jar.InvalidGiftId):
        jar.setGift(0, "Zero", 1, sender=owner)
    with ape.reverts(jar.EmptyGiftName, giftId=4):
        jar.setGift(4, "", 1, sender=owner)


def test_gift_token_not_allowed(jar, dai, owner, approved_fan, creator):
    _catalogue(jar, owner)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.sendGift(creator, dai, ROSE, 1, MAX_UINT, "", sender=approved_fan)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.giftAmount(dai, ROSE, 1)


def test_default_catalogue_seeds(jar, usdc, owner):
    from fairgift.gifts import DEFAULT_GIFTS, seed_catalogue

    seed_catalogue(jar, owner)
    for gift in DEFAULT_GIFTS:
        assert jar.gift(gift.gift_id) == (gift.name, gift.price_usd6)
        assert jar.giftAmount(usdc, gift.gift_id, 3) == gift.amount_in(6, quantity=3)


def test_repricing_after_the_quote_never_charges_the_fan_more(jar, usdc, owner, approved_fan, creator):
    """Finding M-1: the fan saw a $0.01 Rose; the owner reprices it to $999 before the fan's
    transaction lands. The fan approved the jar without limit, yet is not charged more than quoted."""
    _catalogue(jar, owner)
    quote = jar.giftAmount(usdc, ROSE, 1)
    assert quote == USDC // 100
    jar.setGift(ROSE, "Rose", 999 * USDC, sender=owner)  # lands between the quote and the send
    balance, credit = usdc.balanceOf(approved_fan), jar.balanceOf(creator, usdc)
    with ape.reverts(jar.GiftPriceAboveMax, amount=999 * USDC, maxAmount=quote):
        jar.sendGift(creator, usdc, ROSE, 1, quote, "", sender=approved_fan)
    assert usdc.balanceOf(approved_fan) == balance
    assert jar.balanceOf(creator, usdc) == credit


def test_max_amount_is_inclusive_and_a_cheaper_price_is_charged(jar, usdc, owner, approved_fan, creator):
    _catalogue(jar, owner)
    amount = 3 * 299_990_000
    with ape.reverts(jar.GiftPriceAboveMax, amount=amount, maxAmount=amount - 1):
        jar.sendGift(creator, usdc, LION, 3, amount - 1, "", sender=approved_fan)
    tx = jar.sendGift(creator, usdc, LION, 3, amount, "", sender=approved_fan)
    assert tx.return_value == amount
    # A price cut between quote and send: the fan pays the lower price in force, not its bound.
    jar.setGift(LION, "Lion", 199_990_000, sender=owner)
    balance = usdc.balanceOf(approved_fan)
    tx = jar.sendGift(creator, usdc, LION, 1, 299_990_000, "", sender=approved_fan)
    assert tx.return_value == 199_990_000
    assert usdc.balanceOf(approved_fan) == balance - 199_990_000
    fee = split(199_990_000, FEE_BPS)[0]
    assert tx.events == [
        jar.Tipped(
            fan=approved_fan,
            creator=creator,
            token=usdc,
            amount=199_990_000,
            fee=fee,
            giftId=LION,
            message="",
        ),
        usdc.Transfer(**{"from": approved_fan, "to": jar, "value": 199_990_000}),
    ]


def test_max_amount_in_the_tokens_own_decimals(jar, dai, owner, accounts, creator):
    """`maxAmount` is in base units of the paying token (18 decimals for DAI), like the amount."""
    _catalogue(jar, owner)
    jar.setTokenAllowed(dai, True, sender=owner)
    payer = accounts[8]
    dai.mint(payer, 10**21, sender=payer)
    dai.approve(jar, 10**21, sender=payer)
    with ape.reverts(jar.GiftPriceAboveMax, amount=10**16, maxAmount=10_000):
        jar.sendGift(creator, dai, ROSE, 1, 10_000, "", sender=payer)  # a USDC-scaled bound is too low
    assert jar.sendGift(creator, dai, ROSE, 1, 10**16, "", sender=payer).return_value == 10**16
