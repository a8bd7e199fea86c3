"""A payee redirects its own future releases (`setPayout`): finding M-2, a blacklisted payee's
share was locked in the split for good. Only the payee itself can set it, an event records it,
the shares never change, and anyone can still `release`."""

import ape
from split_helpers import addresses, split_of

from tests.constants import USDC, ZERO_ADDRESS


def test_blacklisted_payee_reaches_its_money_through_its_payout(
    band_split, usdc, owner, split_payees, stranger
):
    usdc.mint(band_split, 100 * USDC, sender=owner)
    usdc.blacklist(split_payees[0], sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=split_payees[0]):
        band_split.release(usdc, split_payees[0], sender=stranger)
    (fresh,) = addresses(1)  # a clean address of the payee's
    tx = band_split.setPayout(fresh, sender=split_payees[0])
    assert tx.events == [band_split.PayoutSet(account=split_payees[0], payout=fresh)]
    assert band_split.payoutOf(split_payees[0]) == fresh
    # Anyone may push it; it goes to the payout, and counts as the payee's release.
    tx = band_split.release(usdc, split_payees[0], sender=stranger)
    assert tx.return_value == 50 * USDC
    assert tx.events == [
        band_split.Released(token=usdc, payee=split_payees[0], amount=50 * USDC),
        usdc.Transfer(**{"from": band_split, "to": fresh, "value": 50 * USDC}),
    ]
    assert usdc.balanceOf(fresh) == 50 * USDC
    assert band_split.released(usdc, split_payees[0]) == 50 * USDC
    assert band_split.releasable(usdc, split_payees[0]) == 0
    # The stranger payees are untouched, and the shares did not move.
    assert band_split.releasable(usdc, split_payees[1]) == 33_330_000
    assert band_split.payees() == split_payees
    assert band_split.shares() == [5000, 3333, 1667]
    assert band_split.shareOf(fresh) == 0


def test_only_the_payee_redirects_its_own_releases(band_split, usdc, owner, split_payees, stranger):
    with ape.reverts(band_split.NotPayee, account=stranger):
        band_split.setPayout(stranger, sender=stranger)
    with ape.reverts(band_split.NotPayee, account=owner):  # not even the split's creator
        band_split.setPayout(owner, sender=owner)
    band_split.setPayout(stranger, sender=split_payees[1])
    assert [band_split.payoutOf(p) for p in split_payees] == [split_payees[0], stranger, split_payees[2]]
    # The payout is not a payee: it can neither release "as" the payee nor redirect it further.
    with ape.reverts(band_split.NotPayee, account=stranger):
        band_split.release(usdc, stranger, sender=stranger)
    with ape.reverts(band_split.NotPayee, account=stranger):
        band_split.setPayout(split_payees[2], sender=stranger)


def test_the_split_itself_is_no_payout(band_split, split_payees):
    with ape.reverts(band_split.InvalidPayout, payout=band_split):
        band_split.setPayout(band_split, sender=split_payees[2])
    assert band_split.payoutOf(split_payees[2]) == split_payees[2]


def test_reset_emits_the_payee_itself(band_split, usdc, owner, split_payees, stranger):
    band_split.setPayout(stranger, sender=split_payees[2])
    tx = band_split.setPayout(ZERO_ADDRESS, sender=split_payees[2])
    assert tx.events == [band_split.PayoutSet(account=split_payees[2], payout=split_payees[2])]
    assert band_split.payoutOf(split_payees[2]) == split_payees[2]
    tx = band_split.setPayout(split_payees[2], sender=split_payees[2])  # naming itself is a reset too
    assert tx.events == [band_split.PayoutSet(account=split_payees[2], payout=split_payees[2])]
    usdc.mint(band_split, 10 * USDC, sender=owner)
    tx = band_split.release(usdc, split_payees[2], sender=stranger)
    assert band_split.Released(token=usdc, payee=split_payees[2], amount=1_667_000) in tx.events
    assert usdc.balanceOf(split_payees[2]) == 1_667_000


def test_payout_into_another_split(project, split_maker, band_split, usdc, owner, split_payees, stranger):
    """A payee routes its share into a split of its own: money already due follows the payout."""
    crew = addresses(2)
    inner = split_of(project, split_maker.createSplit(crew, [6000, 4000], sender=owner))
    usdc.mint(band_split, 10 * USDC, sender=owner)  # due before the redirect
    band_split.setPayout(inner, sender=split_payees[0])
    band_split.release(usdc, split_payees[0], sender=stranger)
    assert usdc.balanceOf(inner) == 5 * USDC
    assert [inner.release(usdc, p, sender=stranger).return_value for p in crew] == [3 * USDC, 2 * USDC]
    assert usdc.balanceOf(band_split) == 5 * USDC  # the stranger payees' dues, still theirs


def test_implementation_has_no_payees(project, split_maker, owner):
    impl = project.RevenueSplit.at(split_maker.implementation())
    with ape.reverts(impl.NotAClone):
        impl.setPayout(owner, sender=owner)
    assert impl.payoutOf(owner) == owner


def test_split_constants(band_split):
    assert band_split.TOTAL_BPS() == 10_000
    assert band_split.MAX_PAYEES() == 32
