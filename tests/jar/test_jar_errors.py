"""Custom errors of the tip path and the constructor not covered by the behaviour modules.

Elsewhere: FeeAboveCap, NoPendingFee (fee schedule); UnknownGift, GiftRetired, ZeroQuantity,
GiftAmountOverflow, InvalidGiftId, EmptyGiftName (gifts); PermitFailed (permit); TokenNotAllowed,
UnsupportedDecimals, DecimalsUnreadable, TooManyTokens, TransferShortfall (tokens);
NothingToWithdraw, InvalidPayout, InvalidTreasury (withdraw); EmptyBatch (batch);
OwnableUnauthorizedAccount (access).
"""

import ape

from tests.constants import MAX_UINT, USDC, ZERO_ADDRESS


def test_zero_amount(jar, usdc, approved_fan, creator):
    with ape.reverts(jar.ZeroAmount):
        jar.tip(creator, usdc, 0, "", sender=approved_fan)


def test_invalid_creator(jar, usdc, approved_fan, owner):
    with ape.reverts(jar.InvalidCreator, creator=ZERO_ADDRESS):
        jar.tip(ZERO_ADDRESS, usdc, 1, "", sender=approved_fan)
    with ape.reverts(jar.InvalidCreator, creator=jar):
        jar.tip(jar, usdc, 1, "", sender=approved_fan)
    jar.setGift(1, "Rose", 10_000, sender=owner)
    with ape.reverts(jar.InvalidCreator, creator=jar):
        jar.sendGift(jar, usdc, 1, 1, MAX_UINT, "", sender=approved_fan)


def test_insufficient_allowance_bubbles_token_error(jar, usdc, fresh_fan, creator):
    with ape.reverts(usdc.ERC20InsufficientAllowance, spender=jar, allowance=0, needed=1 * USDC):
        jar.tip(creator, usdc, 1 * USDC, "", sender=fresh_fan)


def test_constructor_errors(project, owner, treasury):
    with ape.reverts(project.TipJar.InvalidTreasury, treasury=ZERO_ADDRESS):
        owner.deploy(project.TipJar, owner, ZERO_ADDRESS, 100)
    with ape.reverts(project.TipJar.OwnableInvalidOwner, owner=ZERO_ADDRESS):
        owner.deploy(project.TipJar, ZERO_ADDRESS, treasury, 100)
