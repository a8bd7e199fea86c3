"""The allow-list: stablecoins with 6..36 decimals read at listing; fee-on-transfer tokens rejected."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from tests.constants import MAX_UINT, USDC


def test_allow_reads_decimals(jar, dai, owner):
    assert not jar.isTokenAllowed(dai)
    tx = jar.setTokenAllowed(dai, True, sender=owner)
    assert tx.events == [jar.TokenAllowed(token=dai, allowed=True)]
    assert jar.isTokenAllowed(dai)
    assert jar.tokenDecimals(dai) == 18
    assert dai in jar.listedTokens()


def test_decimals_out_of_range(jar, project, owner):
    two = owner.deploy(project.TestToken, "TWO", 2)
    with ape.reverts(jar.UnsupportedDecimals, token=two, decimals=2):
        jar.setTokenAllowed(two, True, sender=owner)
    many = owner.deploy(project.TestToken, "MANY", 37)
    with ape.reverts(jar.UnsupportedDecimals, token=many, decimals=37):
        jar.setTokenAllowed(many, True, sender=owner)


def test_decimals_unreadable(jar, owner, stranger):
    with ape.reverts(jar.DecimalsUnreadable, token=stranger):
        jar.setTokenAllowed(stranger, True, sender=owner)  # not a contract
    with ape.reverts(jar.DecimalsUnreadable, token=jar):
        jar.setTokenAllowed(jar, True, sender=owner)  # a contract without decimals()


def test_token_not_allowed(jar, dai, approved_fan, creator):
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.tip(creator, dai, 1, "", sender=approved_fan)


def test_fee_on_transfer_rejected(jar, fot_token, owner, accounts, creator):
    jar.setTokenAllowed(fot_token, True, sender=owner)
    payer = accounts[8]
    fot_token.mint(payer, 1_000 * USDC, sender=payer)
    fot_token.approve(jar, MAX_UINT, sender=payer)
    with ape.reverts(jar.TransferShortfall, token=fot_token, expected=100 * USDC, received=99 * USDC):
        jar.tip(creator, fot_token, 100 * USDC, "", sender=payer)
    assert jar.balanceOf(creator, fot_token) == 0
    assert fot_token.balanceOf(jar) == 0


def test_too_many_tokens(jar, project, owner, usdc):
    # usdc is listed; list 63 more, then one too many. Delisting does not free a place.
    for i in range(63):
        jar.setTokenAllowed(owner.deploy(project.TestToken, f"T{i}", 6), True, sender=owner)
    assert len(jar.listedTokens()) == 64
    extra = owner.deploy(project.TestToken, "EXTRA", 6)
    with ape.reverts(jar.TooManyTokens, max=64):
        jar.setTokenAllowed(extra, True, sender=owner)
    jar.setTokenAllowed(usdc, False, sender=owner)
    jar.setTokenAllowed(usdc, True, sender=owner)  # relisting a known token is fine


def test_treasury_change_with_many_tokens(
    jar, usdc, dai, owner, approved_fan, accounts, creator, treasury, stranger
):
    jar.setTokenAllowed(dai, True, sender=owner)
    payer = accounts[8]
    dai.mint(payer, 10**21, sender=payer)
    dai.approve(jar, MAX_UINT, sender=payer)
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    jar.tip(creator, dai, 10**19, "", sender=payer)
    jar.setTreasury(stranger, sender=owner)
    assert jar.balanceOf(treasury, usdc) == split(10 * USDC, FEE_BPS)[0]
    assert jar.balanceOf(treasury, dai) == split(10**19, FEE_BPS)[0]
    assert jar.balanceOf(stranger, usdc) == 0
    assert jar.balanceOf(stranger, dai) == 0
