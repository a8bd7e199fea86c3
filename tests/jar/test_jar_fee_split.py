"""A tip credits exactly `amount - fee` to the creator and `fee` to the treasury; fee rounds down."""

import pytest
from jar_helpers import FEE_BPS

from fairgift.fees import split
from tests.constants import USDC


@pytest.mark.parametrize("amount", [1, 19, 20, 21, 199, 10_000, 10_001, 123_456_789, 1_000_000 * USDC])
def test_split_exact(jar, usdc, approved_fan, creator, treasury, amount):
    fee, net = split(amount, FEE_BPS)
    before = usdc.balanceOf(approved_fan)
    tx = jar.tip(creator, usdc, amount, "", sender=approved_fan)
    assert tx.return_value == fee
    assert jar.balanceOf(creator, usdc) == net
    assert jar.balanceOf(treasury, usdc) == fee
    assert fee + net == amount
    assert usdc.balanceOf(approved_fan) == before - amount
    assert usdc.balanceOf(jar) == amount


def test_one_unit_tip_pays_no_fee(jar, usdc, approved_fan, creator, treasury):
    jar.tip(creator, usdc, 1, "", sender=approved_fan)
    assert jar.balanceOf(creator, usdc) == 1
    assert jar.balanceOf(treasury, usdc) == 0


def test_huge_tips_exact(jar, usdc, owner, approved_fan, creator, treasury):
    """Up to the whole uint256 range: no overflow, no unit lost (large fees bypass the packed pot)."""
    big = 2**256 - 1 - usdc.totalSupply()
    usdc.mint(approved_fan, big, sender=owner)
    first = 2**135  # fee fits the packed fee pot
    jar.tip(creator, usdc, first, "", sender=approved_fan)
    rest = usdc.balanceOf(approved_fan)  # fee overflows the pot: booked to the treasury's credit
    jar.tip(creator, usdc, rest, "", sender=approved_fan)
    fee1, net1 = split(first, FEE_BPS)
    fee2, net2 = split(rest, FEE_BPS)
    assert jar.balanceOf(creator, usdc) == net1 + net2
    assert jar.balanceOf(treasury, usdc) == fee1 + fee2
    assert usdc.balanceOf(jar) == first + rest
    assert jar.withdraw(usdc, sender=treasury).return_value == fee1 + fee2
    assert jar.withdraw(usdc, sender=creator).return_value == net1 + net2
    assert usdc.balanceOf(jar) == 0


def test_many_tips_accumulate(jar, usdc, approved_fan, approved_fan2, creator, creator2, treasury):
    amounts = [
        (approved_fan, creator, 7),
        (approved_fan2, creator, 333_333),
        (approved_fan, creator2, 10**9 + 1),
    ]
    for fan, to, amount in amounts:
        jar.tip(to, usdc, amount, "hi", sender=fan)
    fees = [split(a, FEE_BPS)[0] for _, _, a in amounts]
    assert jar.balanceOf(creator, usdc) == 7 + 333_333 - fees[0] - fees[1]
    assert jar.balanceOf(creator2, usdc) == 10**9 + 1 - fees[2]
    assert jar.balanceOf(treasury, usdc) == sum(fees)
    assert usdc.balanceOf(jar) == 7 + 333_333 + 10**9 + 1
