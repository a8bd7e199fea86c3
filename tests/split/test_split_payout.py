"""A payee redirects its own future releases (`setPayout`): finding M-2, a blacklisted payee's
share was locked in the split for good. Only the payee itself can set it, an event records it,
the shares never change, and anyone can still `release`."""

import ape
from split_helpers import USDC, split_of

ZERO = "0x0000000000000000000000000000000000000000"


def test_blacklisted_payee_reaches_its_money_through_its_payout(
    band_split, usdc, owner, band, other, accounts
):
    usdc.mint(band_split, 100 * USDC, sender=owner)
    usdc.blacklist(band[0], sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=band[0]):
        band_split.release(usdc, band[0], sender=other)
    fresh = accounts[9]
    tx = band_split.setPayout(fresh, sender=band[0])
    assert tx.events == [band_split.PayoutSet(account=band[0], payout=fresh)]
    assert band_split.payoutOf(band[0]) == fresh
    # Anyone may push it; it goes to the payout, and counts as the payee's release.
    tx = band_split.release(usdc, band[0], sender=other)
    assert tx.return_value == 50 * USDC
    assert tx.events == [
        band_split.Released(token=usdc, payee=band[0], amount=50 * USDC),
        usdc.Transfer(**{"from": band_split, "to": fresh, "value": 50 * USDC}),
    ]
    assert usdc.balanceOf(fresh) == 50 * USDC
    assert band_split.released(usdc, band[0]) == 50 * USDC
    assert band_split.releasable(usdc, band[0]) == 0
    # The other payees are untouched, and the shares did not move.
    assert band_split.releasable(usdc, band[1]) == 33_330_000
    assert band_split.payees() == band
    assert band_split.shares() == [5000, 3333, 1667]
    assert band_split.shareOf(fresh) == 0


def test_only_the_payee_redirects_its_own_releases(band_split, usdc, owner, band, other):
    with ape.reverts(band_split.NotPayee, account=other):
        band_split.setPayout(other, sender=other)
    with ape.reverts(band_split.NotPayee, account=owner):  # not even the split's creator
        band_split.setPayout(owner, sender=owner)
    band_split.setPayout(other, sender=band[1])
    assert [band_split.payoutOf(p) for p in band] == [band[0], other, band[2]]
    # The payout is not a payee: it can neither release "as" the payee nor redirect it further.
    with ape.reverts(band_split.NotPayee, account=other):
        band_split.release(usdc, other, sender=other)
    with ape.reverts(band_split.NotPayee, account=other):
        band_split.setPayout(band[2], sender=other)


def test_the_split_itself_is_no_payout(band_split, band):
    with ape.reverts(band_split.InvalidPayout, payout=band_split):
        band_split.setPayout(band_split, sender=band[2])
    assert band_split.payoutOf(band[2]) == band[2]


def test_reset_emits_the_payee_itself(band_split, usdc, owner, band, other):
    band_split.setPayout(other, sender=band[2])
    tx = band_split.setPayout(ZERO, sender=band[2])
    assert tx.events == [band_split.PayoutSet(account=band[2], payout=band[2])]
    assert band_split.payoutOf(band[2]) == band[2]
    tx = band_split.setPayout(band[2], sender=band[2])  # naming itself is a reset too
    assert tx.events == [band_split.PayoutSet(account=band[2], payout=band[2])]
    usdc.mint(band_split, 10 * USDC, sender=owner)
    tx = band_split.release(usdc, band[2], sender=other)
    assert band_split.Released(token=usdc, payee=band[2], amount=1_667_000) in tx.events
    assert usdc.balanceOf(band[2]) == 1_667_000


def test_payout_into_another_split(project, split_maker, band_split, usdc, owner, band, accounts, other):
    """A payee routes its share into a split of its own: money already due follows the payout."""
    crew = [accounts[8], accounts[9]]
    inner = split_of(project, split_maker.createSplit(crew, [6000, 4000], sender=owner))
    usdc.mint(band_split, 10 * USDC, sender=owner)  # due before the redirect
    band_split.setPayout(inner, sender=band[0])
    band_split.release(usdc, band[0], sender=other)
    assert usdc.balanceOf(inner) == 5 * USDC
    assert [inner.release(usdc, p, sender=other).return_value for p in crew] == [3 * USDC, 2 * USDC]
    assert usdc.balanceOf(band_split) == 5 * USDC  # the other payees' dues, still theirs


def test_implementation_has_no_payees(project, split_maker, owner):
    impl = project.RevenueSplit.at(split_maker.implementation())
    with ape.reverts(impl.NotAClone):
        impl.setPayout(owner, sender=owner)
    assert impl.payoutOf(owner) == owner


def test_split_constants(band_split):
    assert band_split.TOTAL_BPS() == 10_000
    assert band_split.MAX_PAYEES() == 32
