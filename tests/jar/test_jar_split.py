"""The tip jar paying a creator's credit into a RevenueSplit (the split itself: tests/split)."""

import pytest
from jar_helpers import split_of

from tests.constants import USDC


@pytest.fixture
def band(accounts):
    return [accounts[5], accounts[6], accounts[7]]


@pytest.fixture
def split(project, split_factory, band, owner):
    tx = split_factory.createSplit(band, [5000, 3333, 1667], sender=owner)
    return split_of(project, split_factory, tx)


def test_tip_jar_payout_to_split(project, jar, split, usdc, approved_fan, creator, band, stranger):
    """A creator points its payout at a split; the band then pulls its shares."""
    jar.setPayout(split, sender=creator)
    jar.tip(creator, usdc, 100 * USDC, "", sender=approved_fan)
    credited = jar.balanceOf(creator, usdc)
    jar.withdrawFor(creator, usdc, sender=stranger)
    assert usdc.balanceOf(split) == credited
    total = sum(split.release(usdc, p, sender=stranger).return_value for p in band)
    assert total == credited  # 95 USDC splits exactly at these shares
