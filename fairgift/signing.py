"""EIP-712 messages FairGift users sign: EIP-2612 permits and EIP-3009 authorizations.

The signing domain is read from the token itself (ERC-5267 `eip712Domain()`), so the same code
works for MockUSDC, for real USDC (whose domain name differs by network) and for creator tokens.
Signing goes through the Ape account (`account.sign_message`), so test accounts and keystore
accounts work alike.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eth_abi import encode
from eth_account.messages import SignableMessage, encode_typed_data
from eth_utils import keccak, to_checksum_address

PERMIT_TYPES = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}

_AUTHORIZATION_FIELDS = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
TRANSFER_AUTHORIZATION_TYPES = {"TransferWithAuthorization": _AUTHORIZATION_FIELDS}
RECEIVE_AUTHORIZATION_TYPES = {"ReceiveWithAuthorization": _AUTHORIZATION_FIELDS}
CANCEL_AUTHORIZATION_TYPES = {
    "CancelAuthorization": [
        {"name": "authorizer", "type": "address"},
        {"name": "nonce", "type": "bytes32"},
    ]
}


@dataclass(frozen=True)
class Signature:
    v: int
    r: bytes
    s: bytes

    def __iter__(self):
        return iter((self.v, self.r, self.s))


def domain_of(token) -> dict:
    """The EIP-712 domain a token signs with, read through ERC-5267 `eip712Domain()`."""
    fields = token.eip712Domain()
    _, name, version, chain_id, verifying_contract, *_ = fields
    return {
        "name": name,
        "version": version,
        "chainId": int(chain_id),
        "verifyingContract": to_checksum_address(str(verifying_contract)),
    }


def typed_message(domain: dict, types: dict, message: dict) -> SignableMessage:
    primary = next(iter(types))
    return encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                **types,
            },
            "primaryType": primary,
            "domain": domain,
            "message": message,
        }
    )


def sign(account, message: SignableMessage) -> Signature:
    """Sign an EIP-712 message with an Ape account (test or keystore)."""
    sig = account.sign_message(message)
    if sig is None:
        raise RuntimeError(f"account {account} declined to sign")
    # r and s may come back without their leading zero bytes; as bytes32 they must be left-padded
    # (a short value would be right-padded by the ABI encoder and break the signature).
    return Signature(v=int(sig.v), r=_word(sig.r), s=_word(sig.s))


def _word(value) -> bytes:
    raw = bytes(value)
    if len(raw) > 32:
        raise ValueError(f"signature component of {len(raw)} bytes")
    return raw.rjust(32, b"\x00")


def permit_message(token, owner, spender, value: int, deadline: int, nonce: int | None = None):
    """The EIP-2612 permit `owner` signs to let `spender` move `value` of `token` until `deadline`."""
    if nonce is None:
        nonce = int(token.nonces(owner))
    return typed_message(
        domain_of(token),
        PERMIT_TYPES,
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
    types = RECEIVE_AUTHORIZATION_TYPES if receive else TRANSFER_AUTHORIZATION_TYPES
    return typed_message(
        domain_of(token),
        types,
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
        CANCEL_AUTHORIZATION_TYPES,
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
