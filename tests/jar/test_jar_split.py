"""RevenueSplit and SplitFactory: immutable shares in clone bytecode, exact pull accounting."""

import ape
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


def test_create(project, split_factory, band, owner):
    tx = split_factory.createSplit(band, [5000, 3333, 1667], sender=owner)
    s = split_of(project, split_factory, tx)
    assert tx.events == [
        split_factory.SplitCreated(split=s, creator=owner, payees=band, sharesBps=[5000, 3333, 1667])
    ]
    assert s.payees() == band
    assert s.shares() == [5000, 3333, 1667]
    assert [s.shareOf(p) for p in band] == [5000, 3333, 1667]
    assert s.shareOf(owner) == 0
    print(f"\nSplitFactory.createSplit (3 payees): {tx.gas_used} gas")


def test_deterministic(project, split_factory, band, owner):
    salt = b"\x01" * 32
    predicted = split_factory.predictSplit(band, [5000, 3000, 2000], salt)
    tx = split_factory.createSplitDeterministic(band, [5000, 3000, 2000], salt, sender=owner)
    assert split_of(project, split_factory, tx).address == predicted


def test_invalid_splits(split_factory, band, owner, accounts):
    with ape.reverts(split_factory.InvalidPayeeCount, count=0):
        split_factory.createSplit([], [], sender=owner)
    many = [accounts.generate_test_account() for _ in range(33)]
    with ape.reverts(split_factory.InvalidPayeeCount, count=33):
        split_factory.createSplit(many, [1] * 33, sender=owner)
    with ape.reverts(split_factory.LengthMismatch, payees=3, shares=2):
        split_factory.createSplit(band, [5000, 5000], sender=owner)
    with ape.reverts(split_factory.ZeroPayee, index=1):
        split_factory.createSplit([band[0], "0x" + "00" * 20], [5000, 5000], sender=owner)
    with ape.reverts(split_factory.ZeroShare, payee=band[1]):
        split_factory.createSplit(band[:2], [10_000, 0], sender=owner)
    with ape.reverts(split_factory.DuplicatePayee, payee=band[0]):
        split_factory.createSplit([band[0], band[0]], [5000, 5000], sender=owner)
    with ape.reverts(split_factory.SharesSumMismatch, sum=9999):
        split_factory.createSplit(band, [5000, 3333, 1666], sender=owner)


def test_thirty_two_payees(project, split_factory, owner, accounts, usdc):
    payees = [accounts.generate_test_account() for _ in range(32)]
    shares = [312] * 31 + [10_000 - 312 * 31]
    tx = split_factory.createSplit(payees, shares, sender=owner)
    s = split_of(project, split_factory, tx)
    print(f"\nSplitFactory.createSplit (32 payees): {tx.gas_used} gas")
    assert s.payees() == payees
    usdc.mint(s, 1_000_000, sender=owner)
    assert s.releasable(usdc, payees[-1]) == 1_000_000 * shares[-1] // 10_000


def test_release_exact(split, usdc, owner, band, stranger):
    usdc.mint(split, 1_000 * USDC, sender=owner)
    assert [split.releasable(usdc, p) for p in band] == [500 * USDC, 333_300_000, 166_700_000]
    tx = split.release(usdc, band[1], sender=stranger)  # anyone may trigger; it pays the payee
    assert tx.return_value == 333_300_000
    assert tx.events == [
        split.Released(token=usdc, payee=band[1], amount=333_300_000),
        usdc.Transfer(**{"from": split, "to": band[1], "value": 333_300_000}),
    ]
    assert usdc.balanceOf(band[1]) == 333_300_000
    assert split.releasable(usdc, band[1]) == 0
    with ape.reverts(split.NothingToRelease, token=usdc, payee=band[1]):
        split.release(usdc, band[1], sender=stranger)
    # More arrives: earlier releases are accounted for.
    usdc.mint(split, 3 * USDC, sender=owner)
    assert split.releasable(usdc, band[1]) == (1_003 * USDC * 3333) // 10_000 - 333_300_000
    assert split.releasable(usdc, band[0]) == 501_500_000
    assert split.totalReleased(usdc) == 333_300_000
    assert split.released(usdc, band[1]) == 333_300_000


def test_rounding_bound(split, usdc, owner, band):
    """Unit by unit: no payee is ever more than 1 base unit below its exact pro-rata share."""
    shares = [5000, 3333, 1667]
    got = [0, 0, 0]
    received = 0
    for step in [1, 1, 2, 7, 1, 13, 10_001, 3]:
        usdc.mint(split, step, sender=owner)
        received += step
        for i, p in enumerate(band):
            due = split.releasable(usdc, p)
            if due:
                got[i] += split.release(usdc, p, sender=owner).return_value
            exact = received * shares[i] / 10_000
            assert exact - 1 < got[i] <= exact
    assert usdc.balanceOf(split) == received - sum(got)
    assert received - sum(got) <= len(band) - 1


def test_blacklisted_payee_blocks_no_one(split, usdc, owner, band):
    usdc.mint(split, 100 * USDC, sender=owner)
    usdc.blacklist(band[0], sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=band[0]):
        split.release(usdc, band[0], sender=owner)
    assert split.release(usdc, band[1], sender=owner).return_value == 33_330_000
    assert split.release(usdc, band[2], sender=owner).return_value == 16_670_000
    usdc.unBlacklist(band[0], sender=owner)
    assert split.release(usdc, band[0], sender=owner).return_value == 50 * USDC
    assert usdc.balanceOf(split) == 0


def test_not_payee_and_not_clone(project, split, split_factory, usdc, owner, stranger):
    with ape.reverts(split.NotPayee, account=stranger):
        split.release(usdc, stranger, sender=stranger)
    assert split.releasable(usdc, stranger) == 0
    impl = project.RevenueSplit.at(split_factory.implementation())
    with ape.reverts(impl.NotAClone):
        impl.payees()
    with ape.reverts(impl.NotAClone):
        impl.release(usdc, owner, sender=owner)


def test_tip_jar_payout_to_split(project, jar, split, usdc, approved_fan, creator, band, stranger):
    """A creator points its payout at a split; the band then pulls its shares."""
    jar.setPayout(split, sender=creator)
    jar.tip(creator, usdc, 100 * USDC, "", sender=approved_fan)
    credited = jar.balanceOf(creator, usdc)
    jar.withdrawFor(creator, usdc, sender=stranger)
    assert usdc.balanceOf(split) == credited
    total = sum(split.release(usdc, p, sender=stranger).return_value for p in band)
    assert total == credited  # 95 USDC splits exactly at these shares
