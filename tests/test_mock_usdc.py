"""MockUSDC: 6 decimals, EIP-2612 permit and EIP-3009 with real signatures, ERC-5267 domain, blacklist."""

import ape
import pytest

from fairgift import signing
from fairgift.signing import authorization_message, permit_message, sign

USDC = 10**6


@pytest.fixture
def alice(accounts, usdc, owner):
    a = accounts[5]
    usdc.mint(a, 1_000 * USDC, sender=owner)
    return a


@pytest.fixture
def bob(accounts):
    return accounts[6]


def test_metadata_and_domain(usdc, owner, chain):
    assert usdc.decimals() == 6
    assert usdc.symbol() == "USDC"
    assert usdc.name() == "USD Coin"
    assert usdc.owner() == owner
    domain = signing.domain_of(usdc)
    assert domain == {
        "name": "USD Coin",
        "version": "2",
        "chainId": chain.chain_id,
        "verifyingContract": usdc.address,
    }


def test_mint_only_owner(usdc, owner, other):
    usdc.mint(other, 5, sender=owner)
    assert usdc.balanceOf(other) == 5
    with ape.reverts(usdc.OwnableUnauthorizedAccount, account=other):
        usdc.mint(other, 5, sender=other)


# ---------------------------------------------------------------- EIP-2612


def test_permit_sets_allowance(usdc, alice, bob, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(alice, permit_message(usdc, alice, bob, 123 * USDC, deadline))
    tx = usdc.permit(alice, bob, 123 * USDC, deadline, v, r, s, sender=bob)
    assert usdc.allowance(alice, bob) == 123 * USDC
    assert usdc.nonces(alice) == 1
    assert tx.events == [usdc.Approval(owner=alice, spender=bob, value=123 * USDC)]


def test_permit_expired(usdc, alice, bob, chain):
    deadline = chain.pending_timestamp - 1
    v, r, s = sign(alice, permit_message(usdc, alice, bob, 1, deadline))
    with ape.reverts(usdc.ERC2612ExpiredSignature, deadline=deadline):
        usdc.permit(alice, bob, 1, deadline, v, r, s, sender=bob)


def test_permit_reused(usdc, alice, bob, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(alice, permit_message(usdc, alice, bob, 1, deadline))
    usdc.permit(alice, bob, 1, deadline, v, r, s, sender=bob)
    with ape.reverts(usdc.ERC2612InvalidSigner):
        usdc.permit(alice, bob, 1, deadline, v, r, s, sender=bob)


def test_permit_wrong_signer(usdc, alice, bob, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(bob, permit_message(usdc, alice, bob, 1, deadline))
    with ape.reverts(usdc.ERC2612InvalidSigner):
        usdc.permit(alice, bob, 1, deadline, v, r, s, sender=bob)
    assert usdc.allowance(alice, bob) == 0


# ---------------------------------------------------------------- EIP-3009


def _auth(usdc, signer, from_, to, value, chain, receive=True, valid_after=0, valid_before=None, nonce=None):
    nonce = nonce or signing.random_salt()
    valid_before = valid_before if valid_before is not None else chain.pending_timestamp + 3600
    v, r, s = sign(
        signer, authorization_message(usdc, from_, to, value, valid_after, valid_before, nonce, receive)
    )
    return (from_, to, value, valid_after, valid_before, nonce, v, r, s)


def test_transfer_with_authorization(usdc, alice, bob, other, chain):
    args = _auth(usdc, alice, alice, bob, 10 * USDC, chain, receive=False)
    tx = usdc.transferWithAuthorization(*args, sender=other)  # any submitter
    assert usdc.balanceOf(bob) == 10 * USDC
    assert usdc.authorizationState(alice, args[5])
    assert usdc.AuthorizationUsed(authorizer=alice, nonce=args[5]) in tx.events
    assert usdc.Transfer(**{"from": alice, "to": bob, "value": 10 * USDC}) in tx.events


def test_receive_with_authorization_only_payee(usdc, alice, bob, other, chain):
    args = _auth(usdc, alice, alice, bob, 7 * USDC, chain)
    with ape.reverts(usdc.CallerMustBePayee, caller=other, payee=bob):
        usdc.receiveWithAuthorization(*args, sender=other)
    usdc.receiveWithAuthorization(*args, sender=bob)
    assert usdc.balanceOf(bob) == 7 * USDC


def test_authorization_replay_rejected(usdc, alice, bob, chain):
    args = _auth(usdc, alice, alice, bob, 1, chain)
    usdc.receiveWithAuthorization(*args, sender=bob)
    with ape.reverts(usdc.AuthorizationAlreadyUsed, authorizer=alice, nonce=args[5]):
        usdc.receiveWithAuthorization(*args, sender=bob)


def test_authorization_expired_and_not_yet_valid(usdc, alice, bob, chain):
    now = chain.pending_timestamp
    expired = _auth(usdc, alice, alice, bob, 1, chain, valid_before=now - 10)
    with ape.reverts(usdc.AuthorizationExpired):
        usdc.receiveWithAuthorization(*expired, sender=bob)
    early = _auth(usdc, alice, alice, bob, 1, chain, valid_after=now + 3600, valid_before=now + 7200)
    with ape.reverts(usdc.AuthorizationNotYetValid):
        usdc.receiveWithAuthorization(*early, sender=bob)


def test_authorization_wrong_signer_or_altered(usdc, alice, bob, other, chain):
    forged = _auth(usdc, other, alice, bob, 1, chain)
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        usdc.receiveWithAuthorization(*forged, sender=bob)
    good = list(_auth(usdc, alice, alice, bob, 1, chain))
    good[2] = 2  # a relayer raising the amount breaks the signature
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        usdc.receiveWithAuthorization(*good, sender=bob)
    # A receive authorization cannot be used as a transfer authorization.
    receive_only = _auth(usdc, alice, alice, bob, 1, chain)
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        usdc.transferWithAuthorization(*receive_only, sender=bob)


def test_cancel_authorization(usdc, alice, bob, chain):
    args = _auth(usdc, alice, alice, bob, 1, chain)
    nonce = args[5]
    v, r, s = sign(alice, signing.cancel_authorization_message(usdc, alice, nonce))
    tx = usdc.cancelAuthorization(alice, nonce, v, r, s, sender=bob)
    assert tx.events == [usdc.AuthorizationCanceled(authorizer=alice, nonce=nonce)]
    with ape.reverts(usdc.AuthorizationAlreadyUsed):
        usdc.receiveWithAuthorization(*args, sender=bob)
    with ape.reverts(usdc.AuthorizationAlreadyUsed):
        usdc.cancelAuthorization(alice, nonce, v, r, s, sender=bob)


# ---------------------------------------------------------------- blacklist


def test_blacklisted_cannot_send_or_receive(usdc, owner, alice, bob):
    tx = usdc.blacklist(bob, sender=owner)
    assert tx.events == [usdc.Blacklisted(account=bob)]
    assert usdc.isBlacklisted(bob)
    with ape.reverts(usdc.AccountBlacklisted, account=bob):
        usdc.transfer(bob, 1, sender=alice)
    with ape.reverts(usdc.AccountBlacklisted, account=bob):
        usdc.approve(bob, 1, sender=alice)
    usdc.blacklist(alice, sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=alice):
        usdc.transfer(owner, 1, sender=alice)
    tx = usdc.unBlacklist(alice, sender=owner)
    assert tx.events == [usdc.UnBlacklisted(account=alice)]
    usdc.transfer(owner, 1, sender=alice)
    assert not usdc.isBlacklisted(alice)


def test_blacklist_only_owner(usdc, other, bob):
    with ape.reverts(usdc.OwnableUnauthorizedAccount, account=other):
        usdc.blacklist(bob, sender=other)
    with ape.reverts(usdc.OwnableUnauthorizedAccount, account=other):
        usdc.unBlacklist(bob, sender=other)


def test_signature_components_are_left_padded():
    from fairgift.signing import _word

    assert _word(b"\x01" * 31) == b"\x00" + b"\x01" * 31
    assert _word(b"\xff" * 32) == b"\xff" * 32
