"""RevenueSplit and SplitFactory: immutable shares in clone bytecode, exact pull accounting."""

import ape
from split_helpers import addresses, split_of

from tests.constants import USDC


def test_create(project, split_maker, split_payees, owner):
    tx = split_maker.createSplit(split_payees, [5000, 3333, 1667], sender=owner)
    s = split_of(project, tx)
    assert tx.events == [
        split_maker.SplitCreated(split=s, creator=owner, payees=split_payees, sharesBps=[5000, 3333, 1667])
    ]
    assert s.payees() == split_payees
    assert s.shares() == [5000, 3333, 1667]
    assert [s.shareOf(p) for p in split_payees] == [5000, 3333, 1667]
    assert s.shareOf(owner) == 0
    print(f"\nSplitFactory.createSplit (3 payees): {tx.gas_used} gas")


def test_deterministic(project, split_maker, split_payees, owner):
    salt = b"\x01" * 32
    predicted = split_maker.predictSplit(split_payees, [5000, 3000, 2000], salt)
    tx = split_maker.createSplitDeterministic(split_payees, [5000, 3000, 2000], salt, sender=owner)
    assert split_of(project, tx).address == predicted


def test_invalid_splits(split_maker, split_payees, owner):
    with ape.reverts(split_maker.InvalidPayeeCount, count=0):
        split_maker.createSplit([], [], sender=owner)
    many = addresses(33)
    with ape.reverts(split_maker.InvalidPayeeCount, count=33):
        split_maker.createSplit(many, [1] * 33, sender=owner)
    with ape.reverts(split_maker.LengthMismatch, payees=3, shares=2):
        split_maker.createSplit(split_payees, [5000, 5000], sender=owner)
    with ape.reverts(split_maker.ZeroPayee, index=1):
        split_maker.createSplit([split_payees[0], "0x" + "00" * 20], [5000, 5000], sender=owner)
    with ape.reverts(split_maker.ZeroShare, payee=split_payees[1]):
        split_maker.createSplit(split_payees[:2], [10_000, 0], sender=owner)
    with ape.reverts(split_maker.DuplicatePayee, payee=split_payees[0]):
        split_maker.createSplit([split_payees[0], split_payees[0]], [5000, 5000], sender=owner)
    with ape.reverts(split_maker.SharesSumMismatch, sum=9999):
        split_maker.createSplit(split_payees, [5000, 3333, 1666], sender=owner)


def test_thirty_two_payees(project, split_maker, owner, usdc):
    payees = addresses(32)
    shares = [312] * 31 + [10_000 - 312 * 31]
    tx = split_maker.createSplit(payees, shares, sender=owner)
    s = split_of(project, tx)
    print(f"\nSplitFactory.createSplit (32 payees): {tx.gas_used} gas")
    assert s.payees() == payees
    usdc.mint(s, 1_000_000, sender=owner)
    assert s.releasable(usdc, payees[-1]) == 1_000_000 * shares[-1] // 10_000


def test_release_exact(band_split, usdc, owner, split_payees, stranger):
    usdc.mint(band_split, 1_000 * USDC, sender=owner)
    assert [band_split.releasable(usdc, p) for p in split_payees] == [500 * USDC, 333_300_000, 166_700_000]
    tx = band_split.release(usdc, split_payees[1], sender=stranger)  # anyone may trigger; it pays the payee
    assert tx.return_value == 333_300_000
    assert tx.events == [
        band_split.Released(token=usdc, payee=split_payees[1], amount=333_300_000),
        usdc.Transfer(**{"from": band_split, "to": split_payees[1], "value": 333_300_000}),
    ]
    assert usdc.balanceOf(split_payees[1]) == 333_300_000
    assert band_split.releasable(usdc, split_payees[1]) == 0
    with ape.reverts(band_split.NothingToRelease, token=usdc, payee=split_payees[1]):
        band_split.release(usdc, split_payees[1], sender=stranger)
    # More arrives: earlier releases are accounted for.
    usdc.mint(band_split, 3 * USDC, sender=owner)
    assert band_split.releasable(usdc, split_payees[1]) == (1_003 * USDC * 3333) // 10_000 - 333_300_000
    assert band_split.releasable(usdc, split_payees[0]) == 501_500_000
    assert band_split.totalReleased(usdc) == 333_300_000
    assert band_split.released(usdc, split_payees[1]) == 333_300_000


def test_rounding_bound(band_split, usdc, owner, split_payees):
    """Unit by unit: no payee is ever more than 1 base unit below its exact pro-rata share."""
    shares = [5000, 3333, 1667]
    got = [0, 0, 0]
    received = 0
    for step in [1, 1, 2, 7, 1, 13, 10_001, 3]:
        usdc.mint(band_split, step, sender=owner)
        received += step
        for i, p in enumerate(split_payees):
            due = band_split.releasable(usdc, p)
            if due:
                got[i] += band_split.release(usdc, p, sender=owner).return_value
            exact = received * shares[i] / 10_000
            assert exact - 1 < got[i] <= exact
    assert usdc.balanceOf(band_split) == received - sum(got)
    assert received - sum(got) <= len(split_payees) - 1


def test_blacklisted_payee_blocks_no_one(band_split, usdc, owner, split_payees):
    usdc.mint(band_split, 100 * USDC, sender=owner)
    usdc.blacklist(split_payees[0], sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=split_payees[0]):
        band_split.release(usdc, split_payees[0], sender=owner)
    assert band_split.release(usdc, split_payees[1], sender=owner).return_value == 33_330_000
    assert band_split.release(usdc, split_payees[2], sender=owner).return_value == 16_670_000
    usdc.unBlacklist(split_payees[0], sender=owner)
    assert band_split.release(usdc, split_payees[0], sender=owner).return_value == 50 * USDC
    assert usdc.balanceOf(band_split) == 0


def test_not_payee_and_not_clone(project, band_split, split_maker, usdc, owner, stranger):
    with ape.reverts(band_split.NotPayee, account=stranger):
        band_split.release(usdc, stranger, sender=stranger)
    assert band_split.releasable(usdc, stranger) == 0
    impl = project.RevenueSplit.at(split_maker.implementation())
    with ape.reverts(impl.NotAClone):
        impl.payees()
    with ape.reverts(impl.NotAClone):
        impl.release(usdc, owner, sender=owner)


def test_entitlements_exact_beyond_2_240(project, band_split, owner, split_payees, stranger):
    """Balances of 2^240 and more take the 512-bit path: still floor(received * bps / 10,000)."""
    huge = owner.deploy(project.TestToken, "HUGE", 36)
    received = 2**250 + 12_345
    huge.mint(band_split, received, sender=owner)
    shares = [5000, 3333, 1667]
    assert [band_split.releasable(huge, p) for p in split_payees] == [received * s // 10_000 for s in shares]
    paid = [band_split.release(huge, p, sender=stranger).return_value for p in split_payees]
    assert paid == [received * s // 10_000 for s in shares]
    assert huge.balanceOf(band_split) == received - sum(paid) < len(split_payees)


def test_a_wiped_balance_leaves_nothing_due_not_a_panic(project, band_split, owner, split_payees, stranger):
    """A stablecoin admin can shrink a split's balance without a release (a wipe). A payee already
    paid more than its share of the smaller total is owed nothing: `releasable` reads 0 (it used to
    revert with an arithmetic underflow, found by the split state machine) and `release` reverts
    with `NothingToRelease`; the others are still paid their share of what is left."""
    wusd = owner.deploy(project.WipeableToken, owner)
    wusd.mint(band_split, 1_000 * USDC, sender=owner)
    band_split.release(wusd, split_payees[0], sender=stranger)  # 500 paid of 1,000
    wusd.wipe(band_split, 300 * USDC, sender=owner)  # 200 left: the total seen is now 700
    assert band_split.releasable(wusd, split_payees[0]) == 0  # entitled 350 < 500 paid
    with ape.reverts(band_split.NothingToRelease, token=wusd, payee=split_payees[0]):
        band_split.release(wusd, split_payees[0], sender=stranger)
    assert band_split.releasable(wusd, split_payees[1]) == 700 * USDC * 3333 // 10_000
    tx = band_split.release(wusd, split_payees[2], sender=stranger)
    assert tx.events == [
        band_split.Released(token=wusd, payee=split_payees[2], amount=700 * USDC * 1667 // 10_000),
        wusd.Transfer(**{"from": band_split, "to": split_payees[2], "value": 700 * USDC * 1667 // 10_000}),
    ]
