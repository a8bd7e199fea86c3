"""Hostile environment around RevenueSplit: 32 payees (and 33), dust amounts, a blacklisted payee,
a payee contract that rejects calls, strangers. Exact outcomes only."""

import ape
import pytest
from eth_utils import to_checksum_address

pytestmark = pytest.mark.hostile


def _payees(n):
    return [to_checksum_address(f"0x{0xB0B000 + i:040x}") for i in range(n)]


def _split(project, factory, owner, payees, shares):
    tx = factory.createSplit(payees, shares, sender=owner)
    (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
    return project.RevenueSplit.at(event.split)


@pytest.fixture
def factory(project, owner):
    return owner.deploy(project.SplitFactory)


SHARES_32 = [313] * 16 + [312] * 16  # sums to 10,000


def test_thirty_two_payees_exact_with_dust(project, factory, owner, usdc, stranger):
    payees = _payees(32)
    assert sum(SHARES_32) == 10_000
    split = _split(project, factory, owner, payees, SHARES_32)
    usdc.mint(split, 1, sender=owner)  # one base unit: nobody is entitled to a whole unit yet
    for payee in payees:
        assert split.releasable(usdc, payee) == 0
    with ape.reverts(split.NothingToRelease, token=usdc, payee=payees[0]):
        split.release(usdc, payees[0], sender=stranger)
    usdc.mint(split, 999_999, sender=owner)  # 1,000,000 received in all
    for payee, share in zip(payees, SHARES_32, strict=True):
        split.release(usdc, payee, sender=stranger)
        assert usdc.balanceOf(payee) == 1_000_000 * share // 10_000
    dust = 1_000_000 - sum(1_000_000 * s // 10_000 for s in SHARES_32)
    assert usdc.balanceOf(split) == dust < 32


def test_thirty_three_payees_rejected(factory, owner):
    with ape.reverts(factory.InvalidPayeeCount, count=33):
        factory.createSplit(_payees(33), [300] * 33, sender=owner)


def test_blacklisted_payee_blocks_nobody(project, factory, owner, usdc, stranger):
    payees = _payees(3)
    split = _split(project, factory, owner, payees, [5_000, 3_000, 2_000])
    usdc.mint(split, 10_000_001, sender=owner)
    usdc.blacklist(payees[0], sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=payees[0]):
        split.release(usdc, payees[0], sender=stranger)
    split.release(usdc, payees[1], sender=stranger)
    split.release(usdc, payees[2], sender=stranger)
    assert (usdc.balanceOf(payees[1]), usdc.balanceOf(payees[2])) == (3_000_000, 2_000_000)
    assert split.releasable(usdc, payees[0]) == 5_000_000  # kept for it, intact
    usdc.unBlacklist(payees[0], sender=owner)
    split.release(usdc, payees[0], sender=stranger)
    assert usdc.balanceOf(payees[0]) == 5_000_000 and usdc.balanceOf(split) == 1


def test_rejecting_contract_payee_is_paid(project, factory, owner, usdc, rejecting, stranger):
    payees = [rejecting.address, *_payees(1)]
    split = _split(project, factory, owner, payees, [9_999, 1])
    usdc.mint(split, 10_000, sender=owner)
    split.release(usdc, rejecting, sender=stranger)
    assert usdc.balanceOf(rejecting) == 9_999


def test_stranger_is_not_a_payee(project, factory, owner, usdc, stranger):
    split = _split(project, factory, owner, _payees(2), [5_000, 5_000])
    usdc.mint(split, 100, sender=owner)
    with ape.reverts(split.NotPayee, account=stranger):
        split.release(usdc, stranger, sender=stranger)
    assert split.releasable(usdc, stranger) == 0 and split.shareOf(stranger) == 0


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
def test_reentrant_token_during_release_rejected(project, factory, owner, reentrant_token, stranger, before):
    payees = _payees(2)
    split = _split(project, factory, owner, payees, [6_000, 4_000])
    reentrant_token.mint(split, 1_000, sender=owner)
    data = split.release.encode_input(reentrant_token, payees[1])
    reentrant_token.arm(split, data, before, sender=owner)
    with ape.reverts(split.ReentrancyGuardReentrantCall):
        split.release(reentrant_token, payees[0], sender=stranger)
    assert split.releasable(reentrant_token, payees[0]) == 600
    assert reentrant_token.balanceOf(split) == 1_000
