"""MockUSDC: 6 decimals, EIP-2612 permit and EIP-3009 with real signatures, ERC-5267 domain, blacklist."""

import ape
import pytest

from fairgift import eip712, signing
from fairgift.signing import authorization_message, permit_message, sign
from tests.constants import USDC


@pytest.fixture
def holder(fan2, usdc, owner):
    """A fan holding 1,000 USDC."""
    usdc.mint(fan2, 1_000 * USDC, sender=owner)
    return fan2


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


def test_authorization_typehashes_are_the_tokens(usdc):
    assert bytes(usdc.TRANSFER_WITH_AUTHORIZATION_TYPEHASH()) == eip712.TRANSFER_WITH_AUTHORIZATION.typehash
    assert bytes(usdc.RECEIVE_WITH_AUTHORIZATION_TYPEHASH()) == eip712.RECEIVE_WITH_AUTHORIZATION.typehash
    assert bytes(usdc.CANCEL_AUTHORIZATION_TYPEHASH()) == eip712.CANCEL_AUTHORIZATION.typehash
    assert bytes(usdc.DOMAIN_SEPARATOR()) == eip712.domain_separator(signing.domain_of(usdc))


def test_mint_only_owner(usdc, owner, stranger):
    usdc.mint(stranger, 5, sender=owner)
    assert usdc.balanceOf(stranger) == 5
    with ape.reverts(usdc.OwnableUnauthorizedAccount, account=stranger):
        usdc.mint(stranger, 5, sender=stranger)


# ---------------------------------------------------------------- EIP-2612


def test_permit_sets_allowance(usdc, holder, creator2, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(holder, permit_message(usdc, holder, creator2, 123 * USDC, deadline))
    tx = usdc.permit(holder, creator2, 123 * USDC, deadline, v, r, s, sender=creator2)
    assert usdc.allowance(holder, creator2) == 123 * USDC
    assert usdc.nonces(holder) == 1
    assert tx.events == [usdc.Approval(owner=holder, spender=creator2, value=123 * USDC)]


def test_permit_expired(usdc, holder, creator2, chain):
    deadline = chain.pending_timestamp - 1
    v, r, s = sign(holder, permit_message(usdc, holder, creator2, 1, deadline))
    with ape.reverts(usdc.ERC2612ExpiredSignature, deadline=deadline):
        usdc.permit(holder, creator2, 1, deadline, v, r, s, sender=creator2)


def test_permit_reused(usdc, holder, creator2, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(holder, permit_message(usdc, holder, creator2, 1, deadline))
    usdc.permit(holder, creator2, 1, deadline, v, r, s, sender=creator2)
    with ape.reverts(usdc.ERC2612InvalidSigner):
        usdc.permit(holder, creator2, 1, deadline, v, r, s, sender=creator2)


def test_permit_wrong_signer(usdc, holder, creator2, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(creator2, permit_message(usdc, holder, creator2, 1, deadline))
    with ape.reverts(usdc.ERC2612InvalidSigner):
        usdc.permit(holder, creator2, 1, deadline, v, r, s, sender=creator2)
    assert usdc.allowance(holder, creator2) == 0


# ---------------------------------------------------------------- EIP-3009


def _auth(usdc, signer, from_, to, value, chain, receive=True, valid_after=0, valid_before=None, nonce=None):
    nonce = nonce or signing.random_salt()
    valid_before = valid_before if valid_before is not None else chain.pending_timestamp + 3600
    v, r, s = sign(
        signer, authorization_message(usdc, from_, to, value, valid_after, valid_before, nonce, receive)
    )
    return (from_, to, value, valid_after, valid_before, nonce, v, r, s)


def test_transfer_with_authorization(usdc, holder, creator2, stranger, chain):
    args = _auth(usdc, holder, holder, creator2, 10 * USDC, chain, receive=False)
    tx = usdc.transferWithAuthorization(*args, sender=stranger)  # any submitter
    assert usdc.balanceOf(creator2) == 10 * USDC
    assert usdc.authorizationState(holder, args[5])
    assert usdc.AuthorizationUsed(authorizer=holder, nonce=args[5]) in tx.events
    assert usdc.Transfer(**{"from": holder, "to": creator2, "value": 10 * USDC}) in tx.events


def test_receive_with_authorization_only_payee(usdc, holder, creator2, stranger, chain):
    args = _auth(usdc, holder, holder, creator2, 7 * USDC, chain)
    with ape.reverts(usdc.CallerMustBePayee, caller=stranger, payee=creator2):
        usdc.receiveWithAuthorization(*args, sender=stranger)
    usdc.receiveWithAuthorization(*args, sender=creator2)
    assert usdc.balanceOf(creator2) == 7 * USDC


def test_authorization_replay_rejected(usdc, holder, creator2, chain):
    args = _auth(usdc, holder, holder, creator2, 1, chain)
    usdc.receiveWithAuthorization(*args, sender=creator2)
    with ape.reverts(usdc.AuthorizationAlreadyUsed, authorizer=holder, nonce=args[5]):
        usdc.receiveWithAuthorization(*args, sender=creator2)


def test_authorization_expired_and_not_yet_valid(usdc, holder, creator2, chain):
    now = chain.pending_timestamp
    expired = _auth(usdc, holder, holder, creator2, 1, chain, valid_before=now - 10)
    with ape.reverts(usdc.AuthorizationExpired):
        usdc.receiveWithAuthorization(*expired, sender=creator2)
    early = _auth(usdc, holder, holder, creator2, 1, chain, valid_after=now + 3600, valid_before=now + 7200)
    with ape.reverts(usdc.AuthorizationNotYetValid):
        usdc.receiveWithAuthorization(*early, sender=creator2)


def test_authorization_wrong_signer_or_altered(usdc, holder, creator2, stranger, chain):
    forged = _auth(usdc, stranger, holder, creator2, 1, chain)
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        usdc.receiveWithAuthorization(*forged, sender=creator2)
    good = list(_auth(usdc, holder, holder, creator2, 1, chain))
    good[2] = 2  # a relayer raising the amount breaks the signature
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        usdc.receiveWithAuthorization(*good, sender=creator2)
    # A receive authorization cannot be used as a transfer authorization.
    receive_only = _auth(usdc, holder, holder, creator2, 1, chain)
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        usdc.transferWithAuthorization(*receive_only, sender=creator2)


def test_cancel_authorization(usdc, holder, creator2, chain):
    args = _auth(usdc, holder, holder, creator2, 1, chain)
    nonce = args[5]
    v, r, s = sign(holder, signing.cancel_authorization_message(usdc, holder, nonce))
    tx = usdc.cancelAuthorization(holder, nonce, v, r, s, sender=creator2)
    assert tx.events == [usdc.AuthorizationCanceled(authorizer=holder, nonce=nonce)]
    with ape.reverts(usdc.AuthorizationAlreadyUsed):
        usdc.receiveWithAuthorization(*args, sender=creator2)
    with ape.reverts(usdc.AuthorizationAlreadyUsed):
        usdc.cancelAuthorization(holder, nonce, v, r, s, sender=creator2)


# ---------------------------------------------------------------- blacklist


def test_blacklisted_cannot_send_or_receive(usdc, owner, holder, creator2):
    tx = usdc.blacklist(creator2, sender=owner)
    assert tx.events == [usdc.Blacklisted(account=creator2)]
    assert usdc.isBlacklisted(creator2)
    with ape.reverts(usdc.AccountBlacklisted, account=creator2):
        usdc.transfer(creator2, 1, sender=holder)
    with ape.reverts(usdc.AccountBlacklisted, account=creator2):
        usdc.approve(creator2, 1, sender=holder)
    usdc.blacklist(holder, sender=owner)
    with ape.reverts(usdc.AccountBlacklisted, account=holder):
        usdc.transfer(owner, 1, sender=holder)
    tx = usdc.unBlacklist(holder, sender=owner)
    assert tx.events == [usdc.UnBlacklisted(account=holder)]
    usdc.transfer(owner, 1, sender=holder)
    assert not usdc.isBlacklisted(holder)


def test_blacklist_only_owner(usdc, stranger, creator2):
    with ape.reverts(usdc.OwnableUnauthorizedAccount, account=stranger):
        usdc.blacklist(creator2, sender=stranger)
    with ape.reverts(usdc.OwnableUnauthorizedAccount, account=stranger):
        usdc.unBlacklist(creator2, sender=stranger)


def test_signature_components_are_left_padded():
    from fairgift.eip712 import Signature

    short = Signature(27, b"\x01" * 31, 5)
    assert short.r == b"\x00" + b"\x01" * 31
    assert short.s == (5).to_bytes(32, "big")
    assert Signature(28, b"\xff" * 32, b"\xff" * 32).r == b"\xff" * 32
    with pytest.raises(ValueError):
        Signature(27, b"\x01" * 33, b"\x01")
