"""Simulate before paying: what the jar would do with a batch, asked of the node for free.

Before a batch is signed, `simulate` sends one JSON-RPC batch of `eth_call`s at the pending block:
`tipBatch` with each single item, then the whole batch's calldata. An item whose single call
tips nothing (`tipped == 0`) would be skipped: the batcher drops it, marked skipped with the
jar's reason, without paying for it. A fan holds at most `fan_per_batch` items of a batch, so each
item's outcome is (nearly) independent of the others; the whole batch's call (`tipped == len`)
confirms it. What the simulation cannot see is what lands in front of the batch after it (a fan
revoking its allowance with a higher priority fee): the gas limit covers every item being skipped
(`gas_limit`), and a fan whose items skip on chain is refused for a while (the intake).
"""

from __future__ import annotations

# Measured (tests/services/test_services_simulate.py, every item of a 20-item batch skipped at
# execution time because the fan revoked its allowance in front of it): one fan's 20 items need
# +12,312 gas each while they run than landing (each nonce bit set then restored, the refund only
# at the end; 20 fans' items need 14,953 *less*). With a margin: `estimate + items * 16,000` never
# runs out of gas whichever items skip.
SKIP_EXTRA_GAS = 16_000


def gas_limit(estimate: int, items: int, margin: float) -> int:
    """The gas limit of a batch of `items` whose every-item-lands estimate is `estimate`: enough
    when any number of them is skipped at execution time."""
    return int(estimate * margin) + items * SKIP_EXTRA_GAS + 1


def eth_calls(web3, sender: str, to: str, datas: list[str]) -> list[int | None]:
    """`eth_call` of each calldata from `sender` at the pending block, in one JSON-RPC batch where
    the node takes batches; each answer's first word (`tipped`), None for a revert or no answer."""
    requests = [("eth_call", [{"from": sender, "to": to, "data": data}, "pending"]) for data in datas]
    replies = None
    make_batch = getattr(web3.provider, "make_batch_request", None)
    if make_batch is not None:
        try:
            replies = make_batch(requests)
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            replies = None
    if not isinstance(replies, list) or len(replies) != len(datas):
        replies = [_one(web3, sender, to, data) for data in datas]
    return [_first_word(reply) for reply in replies]


def _one(web3, sender: str, to: str, data: str) -> dict:
    try:
        answer = web3.eth.call({"from": sender, "to": to, "data": data}, "pending")
        return {"result": "0x" + bytes(answer).hex()}
    except Exception as err:  # noqa: BLE001 - a revert, as a batch's error reply
        return {"error": {"message": str(err)}}


def _first_word(reply) -> int | None:
    if not isinstance(reply, dict) or not isinstance(reply.get("result"), str):
        return None
    body = reply["result"].removeprefix("0x")
    if len(body) < 64:
        return None
    return int(body[:64], 16)


def skip_reason_of(*, now: int | None, deadline: int, nonce_used) -> str:
    """The jar's reason for skipping an item, from the same conditions the jar checks, read at the
    pending block (`eth_call` returns `tipped`, not the `BatchTipSkipped` log)."""
    if now is not None and deadline <= now:
        return "Expired"
    if nonce_used:
        return "NonceUsed"
    return "TransferFailed"  # the token refused the pull: balance or allowance gone
