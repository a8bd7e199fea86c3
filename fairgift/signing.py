"""EIP-712 messages FairGift users sign: EIP-2612 permits and EIP-3009 authorizations.

The types are `fairgift.eip712`'s; the signing domain is read from the token itself
(`fairgift.chain.token_domain`), so the same code works for MockUSDC, for real USDC (whose domain
name differs by network and which has no ERC-5267 `eip712Domain()`) and for creator tokens.
Signing goes through the Ape account (`account.sign_message`), so test accounts and keystore
accounts work alike.
"""

from __future__ import annotations

import secrets

from eth_abi import encode
from eth_account.messages import SignableMessage
from eth_utils import keccak

from fairgift.chain import token_domain
from fairgift.eip712 import (
    CANCEL_AUTHORIZATION,
    PERMIT,
    RECEIVE_WITH_AUTHORIZATION,
    TRANSFER_WITH_AUTHORIZATION,
    Signature,
    typed_message,
)


def domain_of(token) -> dict:
    """The EIP-712 domain `token` signs with (`fairgift.chain.token_domain`: ERC-5267 where the
    token has it, else `name()` and `version()`, always checked against `DOMAIN_SEPARATOR()`)."""
    return token_domain(token)


def sign(account, message: SignableMessage) -> Signature:
    """Sign an EIP-712 message with an Ape account (test or keystore)."""
    sig = account.sign_message(message)
    if sig is None:
        raise RuntimeError(f"account {account} declined to sign")
    # r and s may come back without their leading zero bytes: `Signature` left-pads them to bytes32.
    return Signature(v=int(sig.v), r=bytes(sig.r), s=bytes(sig.s))


def permit_message(token, owner, spender, value: int, deadline: int, nonce: int | None = None):
    """The EIP-2612 permit `owner` signs to let `spender` move `value` of `token` until `deadline`."""
    if nonce is None:
        nonce = int(token.nonces(owner))
    return typed_message(
        domain_of(token),
        PERMIT,
        {
            "owner": str(owner),
            "spender": str(spender),
            "value": int(value),
            "nonce": nonce,
            "deadline": int(deadline),
        },
    )


def authorization_message(
    token,
    from_,
    to,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes,
    receive: bool = True,
) -> SignableMessage:
    """An EIP-3009 authorization (`ReceiveWithAuthorization` by default)."""
    struct = RECEIVE_WITH_AUTHORIZATION if receive else TRANSFER_WITH_AUTHORIZATION
    return typed_message(
        domain_of(token),
        struct,
        {
            "from": str(from_),
            "to": str(to),
            "value": int(value),
            "validAfter": int(valid_after),
            "validBefore": int(valid_before),
            "nonce": bytes(nonce),
        },
    )


def cancel_authorization_message(token, authorizer, nonce: bytes) -> SignableMessage:
    return typed_message(
        domain_of(token),
        CANCEL_AUTHORIZATION,
        {"authorizer": str(authorizer), "nonce": bytes(nonce)},
    )


def random_salt() -> bytes:
    """EIP-3009 nonces are random 32-byte values."""
    return secrets.token_bytes(32)


def tip_authorization_nonce(creator, message: str, salt: bytes) -> bytes:
    """The EIP-3009 nonce that binds a relayed tip to its creator and message:
    `keccak256(abi.encode(creator, keccak256(bytes(message)), salt))`."""
    return keccak(
        encode(
            ["address", "bytes32", "bytes32"],
            [str(creator), keccak(text=message), bytes(salt)],
        )
    )
