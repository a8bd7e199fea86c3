"""Would the token move a fan's money now? Asked of the node, free, before the fan signs anything.

Circle's USDC can be stopped by its issuer: paused (no USDC moves at all) or an address blacklisted
(no USDC moves from or to it). A tip, gift or buy from such a fan cannot land: sent directly it
reverts in the fan's wallet after an approval the fan paid gas for; gasless, the fan signs a permit
and a tip that the relayer can only skip. `refusal` asks the node whether `transfer(spender,
amount)` from the fan would go through: it passes the same checks as the `transferFrom` the jar or
the market makes (not paused, neither the fan nor the spender blacklisted, the balance), with no
allowance needed and no gas (an `eth_call`). When it would not, the token's own view functions say
why where it has them (`paused()`, `isBlacklisted(address)`: Circle's FiatToken names), else the
token's revert reason stands alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import decode, encode
from eth_utils import to_checksum_address

from fairgift.chain import Read, batch, selector

PAUSED = "paused"  # the token moves nothing (its issuer paused it)
BLOCKED = "blocked"  # the fan's address is blacklisted by the token's issuer
SPENDER_BLOCKED = "spender_blocked"  # the contract to be paid is blacklisted
REFUSED = "refused"  # another reason of the token's own

_ERROR_STRING = selector("Error(string)")


@dataclass(frozen=True)
class Refusal:
    why: str  # PAUSED, BLOCKED, SPENDER_BLOCKED or REFUSED
    reason: str  # the token's revert reason, as it says it ("" when it gives none)


def refusal(web3, token: str, owner: str, spender: str, amount: int) -> Refusal | None:
    """Why `token` would not move `amount` from `owner` to `spender` now; None when it would (or
    when the node did not answer: the wallet's estimate and the relayer's simulation still stand
    between the fan and a failing transaction)."""
    token, owner, spender = (to_checksum_address(a) for a in (token, owner, spender))
    call = selector("transfer(address,uint256)") + encode(["address", "uint256"], [spender, amount])
    try:
        web3.eth.call({"from": owner, "to": token, "data": "0x" + call.hex()})
        return None
    except Exception as err:  # noqa: BLE001 - a revert (the answer sought) or a node failure
        reason = _reason(err)
        if reason is None:
            return None
    paused, owner_blocked, spender_blocked = batch(
        web3,
        Read.call(token, "paused()", out=("bool",)),
        Read.call(token, "isBlacklisted(address)", [owner], ("bool",)),
        Read.call(token, "isBlacklisted(address)", [spender], ("bool",)),
    )
    if paused:
        return Refusal(PAUSED, reason)
    if owner_blocked:
        return Refusal(BLOCKED, reason)
    if spender_blocked:
        return Refusal(SPENDER_BLOCKED, reason)
    return Refusal(REFUSED, reason)


def _reason(err: Exception) -> str | None:
    """The revert reason of a failed `eth_call` ("" for a revert without one), None when the call
    did not revert (a node or connection failure)."""
    data = getattr(err, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        raw = bytes.fromhex(data[2:]) if len(data) % 2 == 0 else b""
        if raw[:4] == _ERROR_STRING:
            try:
                return str(decode(["string"], raw[4:])[0])
            except Exception:  # noqa: BLE001 - malformed reason data: the message below
                pass
    message = str(getattr(err, "message", None) or err)
    if "revert" not in message.lower():
        return None
    return message.split("execution reverted", 1)[-1].lstrip(": ").strip()
