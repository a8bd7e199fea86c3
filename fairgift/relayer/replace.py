"""Replace-by-fee: a relayer transaction not mined within `replace_after` seconds is re-signed
on the same account nonce with higher fees (one of the versions can be mined, never two).

Re-sending the very same bytes cannot help a transaction whose fee is below what blocks now ask
(its max fee under the base fee, or a tip miners pass over): the queue would stall behind it
forever. A replacement raises both the max fee and the priority fee by at least 12.5% (geth's
and most pools' rule for accepting a replacement), and the max fee to at least twice the current
base fee plus the tip. Everything else (recipient, calldata, gas limit, nonce) stays as signed.
"""

from __future__ import annotations

import rlp

BUMP_NUM, BUMP_DEN = 1125, 1000  # +12.5%: the least a pool accepts as a replacement


def bump(value: int) -> int:
    """`value` raised by at least 12.5% (and by at least 1 wei)."""
    return max(-(-value * BUMP_NUM // BUMP_DEN), value + 1)


def fields_of(raw: str) -> dict | None:
    """The fields of a signed EIP-1559 (type 2) transaction's raw bytes, None for another type."""
    data = bytes.fromhex(raw.removeprefix("0x"))
    if not data or data[0] != 2:
        return None
    items = rlp.decode(data[1:])
    (chain_id, nonce, tip, max_fee, gas, to, value, calldata) = items[:8]

    def num(b: bytes) -> int:
        return int.from_bytes(b, "big")

    return {
        "chain_id": num(chain_id),
        "nonce": num(nonce),
        "max_priority_fee": num(tip),
        "max_fee": num(max_fee),
        "gas": num(gas),
        "to": "0x" + bytes(to).hex(),
        "value": num(value),
        "data": bytes(calldata),
    }


def replacement_fees(old: dict, base_fee: int) -> tuple[int, int]:
    """(max fee, priority fee) for the replacement of a transaction with fields `old` when blocks
    ask `base_fee`: both at least 12.5% above the old ones, the max fee at least 2 x base + tip."""
    tip = bump(old["max_priority_fee"])
    return max(bump(old["max_fee"]), 2 * base_fee + tip), tip


def sign_replacement(account, ecosystem, old: dict, base_fee: int) -> tuple[str, str, int, int]:
    """Re-sign `old` (`fields_of`) with `account` and bumped fees: (raw, hash, max fee, tip)."""
    max_fee, tip = replacement_fees(old, base_fee)
    txn = ecosystem.create_transaction(
        chain_id=old["chain_id"],
        nonce=old["nonce"],
        receiver=old["to"],
        sender=str(account.address),
        data=old["data"],
        value=old["value"],
        gas=old["gas"],
        max_fee=max_fee,
        max_priority_fee=tip,
        type=2,
    )
    signed = account.sign_transaction(txn)
    if signed is None:
        raise RuntimeError(f"relayer account {account.address} declined to sign a replacement")
    raw = "0x" + bytes(signed.serialize_transaction()).hex()
    return raw, "0x" + bytes(signed.txn_hash).hex(), max_fee, tip
