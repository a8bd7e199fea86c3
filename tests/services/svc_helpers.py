"""Signing helpers for the services tests: fans sign tips and permits like a wallet would."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data

from fairgift.batch import TIP_TYPES
from fairgift.relayer.prepare import DOMAIN_FIELDS, PERMIT_FIELDS


def key_of(account) -> str:
    """The private key of an Ape test account or an eth_account LocalAccount."""
    key = getattr(account, "private_key", None) or account.key
    return key if isinstance(key, str) else "0x" + bytes(key).hex()


def sign_typed(account, typed: dict) -> str:
    """`eth_signTypedData_v4` as a wallet answers it: 0x + r + s + v (65 bytes)."""
    signed = Account.sign_message(encode_typed_data(full_message=typed), key_of(account))
    return "0x" + bytes(signed.signature).hex()


def tip_typed(domain: dict, fan, creator, token, amount, message, nonce, deadline) -> dict:
    return {
        "types": {"EIP712Domain": DOMAIN_FIELDS, **TIP_TYPES},
        "primaryType": "Tip",
        "domain": domain,
        "message": {
            "fan": str(fan),
            "creator": str(creator),
            "token": str(token),
            "amount": int(amount),
            "message": message,
            "nonce": int(nonce),
            "deadline": int(deadline),
        },
    }


def tip_body(
    account, domain, creator, token, amount, message="", nonce=0, deadline=2**40, chain_id=None, permit=None
):
    """The JSON body of `POST /api/tips` for a tip signed by `account`."""
    fan = account.address
    typed = tip_typed(domain, fan, creator, token, amount, message, nonce, deadline)
    return {
        "chainId": chain_id if chain_id is not None else domain["chainId"],
        "jar": domain["verifyingContract"],
        "tip": {
            "fan": str(fan),
            "creator": str(creator),
            "token": str(token),
            "amount": str(amount),
            "message": message,
            "nonce": str(nonce),
            "deadline": str(deadline),
        },
        "signature": sign_typed(account, typed),
        **({"permit": permit} if permit else {}),
    }


def permit_body(account, token_domain, spender, value, nonce, deadline) -> dict:
    typed = {
        "types": {"EIP712Domain": DOMAIN_FIELDS, "Permit": PERMIT_FIELDS},
        "primaryType": "Permit",
        "domain": token_domain,
        "message": {
            "owner": str(account.address),
            "spender": str(spender),
            "value": int(value),
            "nonce": int(nonce),
            "deadline": int(deadline),
        },
    }
    return {"value": str(value), "deadline": str(deadline), "signature": sign_typed(account, typed)}
