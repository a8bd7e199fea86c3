"""Fan-signed tips for `TipJar.tipBatch`: EIP-712 `Tip` messages, compact signatures, nonces.

A fan signs, with the jar's own EIP-712 domain (read through ERC-5267 `eip712Domain()`), the type

    Tip(address fan,address creator,address token,uint256 amount,string message,uint256 nonce,
        uint256 deadline)

(one line, no spaces after the commas, in the type string).
`message` is hashed as `keccak256(bytes(message))`, per EIP-712. A relayer collects signed tips
for one token, puts each creator's tips together (`by_creator`: the jar then credits each creator
once per run of consecutive items instead of once per tip) and submits them with

    items = by_creator(items)              # BatchTipSkipped.index counts in this list
    jar.tipBatch(token, *batch_args(items))

`batch_args` is the one encoder of the call: `tipBatch(token, tips, messages)` takes the items as
static structs (`BatchTip.as_tuple()`: fan, creator, amount, nonce, deadline, r, vs) and every
item's message in one `messages` argument, end to end, each as a 2-byte big-endian length then its
UTF-8 bytes (at most 65,535), which saves three calldata words per item; the jar hashes and logs
the very bytes it reads there, so a relayer cannot alter a message (the signature would no longer
match).

Nonces are unordered, Permit2 style: bit `nonce & 255` of word `nonce >> 8` of the fan's bitmap.
Consecutive nonces share a storage word, so the cheapest habit is to count up from the fan's
first unused nonce (`next_nonce`); scattered random nonces each open a new word (about 17,000 gas
more for that tip).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fairgift.eip712 import TIP, compact, typed_message
from fairgift.signing import domain_of, sign

SKIP_REASONS = (
    "None",
    "Expired",
    "ZeroAmount",
    "InvalidCreator",
    "NonceUsed",
    "BadSignature",
    "TransferFailed",
)  # TipJar.SkipReason, in order


@dataclass(frozen=True)
class BatchTip:
    """One signed item of a batch: the fields of the EIP-712 `Tip` the fan signed (but the token,
    which the whole batch shares) and its EIP-2098 compact signature `(r, vs)`."""

    fan: str
    creator: str
    amount: int
    nonce: int
    deadline: int
    r: bytes
    vs: bytes
    message: str

    @property
    def message_bytes(self) -> bytes:
        return self.message.encode("utf-8")

    def as_tuple(self) -> tuple:
        """The contract's `BatchTip` struct (the message goes into `messages`: `batch_args`)."""
        return (self.fan, self.creator, self.amount, self.nonce, self.deadline, self.r, self.vs)


MAX_MESSAGE_BYTES = 0xFFFF  # a batch item's message length is 2 bytes in `messages`


def batch_args(items: Sequence[BatchTip]) -> tuple[list[tuple], bytes]:
    """The arguments of `jar.tipBatch(token, tips, messages)` after `token`, for `items` in order."""
    messages = bytearray()
    for item in items:
        data = item.message_bytes
        if len(data) > MAX_MESSAGE_BYTES:
            raise ValueError(f"a batch message is at most {MAX_MESSAGE_BYTES} bytes, not {len(data)}")
        messages += len(data).to_bytes(2, "big") + data
    return [item.as_tuple() for item in items], bytes(messages)


def by_creator(items: Iterable[BatchTip]) -> list[BatchTip]:
    """`items` with each creator's tips next to each other (creators in order of first appearance,
    each creator's tips in their own order): the order in which `tipBatch` writes each creator's
    credit once per batch. Submit the returned list: `BatchTipSkipped.index` counts in it."""
    runs: dict[str, list[BatchTip]] = {}
    for item in items:
        runs.setdefault(str(item.creator).lower(), []).append(item)
    return [item for run in runs.values() for item in run]


def tip_message(jar, fan, creator, token, amount: int, message: str, nonce: int, deadline: int):
    """The EIP-712 `Tip` a fan signs, in the jar's domain."""
    return typed_message(
        domain_of(jar),
        TIP,
        {
            "fan": str(fan),
            "creator": str(creator),
            "token": str(token),
            "amount": int(amount),
            "message": message,
            "nonce": int(nonce),
            "deadline": int(deadline),
        },
    )


def sign_tip(account, jar, creator, token, amount: int, message: str, nonce: int, deadline: int) -> BatchTip:
    """`account` (the fan) signs a tip of `amount` of `token` to `creator` for `tipBatch`."""
    v, r, s = sign(account, tip_message(jar, account, creator, token, amount, message, nonce, deadline))
    r, vs = compact(v, r, s)
    return BatchTip(str(account), str(creator), int(amount), int(nonce), int(deadline), r, vs, message)


def is_nonce_used(bitmap_word: int, nonce: int) -> bool:
    return bool(bitmap_word >> (nonce & 0xFF) & 1)


def next_nonce(jar, fan, start: int = 0) -> int:
    """The first nonce >= `start` that `fan` has not used (nor cancelled), reading the jar's bitmap."""
    nonce = start
    while True:
        word = int(jar.nonceBitmap(fan, nonce >> 8))
        if word != (1 << 256) - 1:
            for bit in range(nonce & 0xFF, 256):
                if not is_nonce_used(word, bit):
                    return (nonce >> 8 << 8) | bit
        nonce = ((nonce >> 8) + 1) << 8


def skip_reason(code: int) -> str:
    """The name of a `BatchTipSkipped.reason` code."""
    return SKIP_REASONS[int(code)]
