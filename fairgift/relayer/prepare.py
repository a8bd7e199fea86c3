"""What a wallet signs for a relayed tip, prepared by the service (`POST /api/tips/prepare`).

A page with no Ethereum library asks the service for the EIP-712 typed data (for
`eth_signTypedData_v4`): a free nonce (unused on chain and not in the relayer's queue), a deadline
on the chain's clock, the jar's domain; and, when the jar's allowance does not cover the tip, the
EIP-2612 `Permit` to sign as well (`permit_value`: `permit_allowance`, capped at the fan's balance,
and never below the fan's queued tips). It
then posts both signatures to `POST /api/tips` in the `request` template returned here.
"""

from __future__ import annotations

from fairgift import eip712
from fairgift.relayer.policy import check_minimum, units
from fairgift.relayer.signed_tip import Rejected, check_tip


def free_nonce(relayer, fan: str) -> int:
    """The lowest tip nonce of `fan` neither used on chain nor held by a tip in the queue."""
    taken = relayer.store.taken_nonces(fan)
    word = 0
    while True:
        bits = relayer.reader.nonce_bitmap(fan, word)
        for bit in range(256):
            nonce = word * 256 + bit
            if not bits >> bit & 1 and nonce not in taken:
                return nonce
        word += 1


def permit_value(budget: int, need: int, balance: int) -> int:
    """What a prepared permit allows the jar: the standing budget (`permit_allowance`) so that the
    fan's next tips need no new permit (one is sponsored a day), but never more than the fan holds
    now (no allowance standing beyond its money), and never less than its queued tips need."""
    return max(need, min(budget, balance))


def prepare_tip(relayer, *, fan, creator, token, amount: int, message, validity: int) -> dict:
    cfg = relayer.config
    check_tip(
        creator=creator,
        amount=amount,
        message=message,
        jar=relayer.reader.jar,
        max_message_bytes=cfg.max_message_bytes,
    )
    if not relayer.reader.is_token_allowed(token):
        raise Rejected(400, f"token {token} is not allowed in the jar")
    check_minimum(cfg, amount, relayer.reader.decimals(token))
    validity = max(int(validity), cfg.min_validity + 60)
    if validity > 30 * 86400:
        raise Rejected(400, "validitySeconds is at most 30 days")
    now = relayer.reader.timestamp()
    deadline = now + validity
    nonce = free_nonce(relayer, fan)
    domain = relayer.reader.jar_domain()
    tip_message = {
        "fan": fan,
        "creator": creator,
        "token": token,
        "amount": str(amount),
        "message": message,
        "nonce": str(nonce),
        "deadline": str(deadline),
    }
    typed = eip712.typed_data(domain, eip712.TIP, tip_message)
    pending = relayer.store.pending_amount(fan, token)
    need = pending + amount
    balance = relayer.reader.balance_of(token, fan)
    allowance = relayer.reader.allowance(token, fan)
    permit = None
    value = permit_value(units(cfg.permit_allowance, relayer.reader.decimals(token)), need, balance)
    if allowance < need:
        token_domain = relayer.reader.token_domain(token)
        if token_domain is not None:
            permit = eip712.typed_data(
                token_domain,
                eip712.PERMIT,
                {
                    "owner": fan,
                    "spender": relayer.reader.jar,
                    "value": str(value),
                    "nonce": str(relayer.reader.permit_nonce(token, fan)),
                    "deadline": str(deadline),
                },
            )
    return {
        "tip": typed,
        "permit": permit,
        "request": {
            "chainId": relayer.chain_id,
            "jar": relayer.reader.jar,
            "tip": tip_message,
            "signature": None,
            "permit": None
            if permit is None
            else {"value": str(value), "deadline": str(deadline), "signature": None},
        },
        "balance": str(balance),
        "allowance": str(allowance),
        "queued": str(pending),
        "enoughBalance": balance >= need,
    }
