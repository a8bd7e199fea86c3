"""Small pieces of text and JSON the views share: one-line reasons, short labels, a transaction."""

from __future__ import annotations

from fairgift.display import safe_text

MESSAGE_CHARS = 280  # a fan's message as a page or a list shows it; the whole on demand
MAX_FULL_CHARS = 100_000  # the most one "whole message" answer holds (a chain allows ~1 MB)

TOKEN_DECIMALS = 18  # creator tokens (CreatorToken)
# What the trade's bound means, in words a fan knows (the bound is `FairGift.trade_bound`'s default,
# the same as the CLI's: the widest that no trade slipped in before the fan's can profit from).
TOLERANCE_TEXT = (
    "a safety limit: if other trades move the price past it before yours goes through, "
    "yours is called off and only the network fee is spent"
)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def amount_code(message: str) -> str:
    """The error code of an amount the API refused: too many decimals, or otherwise malformed."""
    return "decimals" if "decimals" in message else "amount"


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def days(seconds: int) -> str:
    whole, rest = divmod(int(seconds), 86400)
    if rest == 0:
        return f"{whole} day" + ("s" if whole != 1 else "")
    return f"{seconds / 3600:g} hours"


def transaction(sender: str, to: str, data, label: str) -> dict:
    """A transaction for the wallet's `eth_sendTransaction`, with what the page shows for it."""
    return {"from": sender, "to": to, "data": "0x" + bytes(data).hex(), "value": "0x0", "label": label}


def shown(text, limit: int) -> str:
    """Untrusted text (a fan's message, a token's name) safe to show: the CLI's rule
    (`display.safe_text`: control and bidirectional characters become U+FFFD, line breaks a space)
    on at most `limit` characters, cut with "…" when longer. The rule maps each character to one,
    so it is applied after the cut: a megabyte is never scanned to show 280 characters."""
    text = str(text)
    return safe_text(text) if len(text) <= limit else safe_text(text[:limit]) + "…"


def message_fields(message, limit: int = MESSAGE_CHARS) -> dict:
    """A fan's message as a list shows it (`shown`), and whether it was cut."""
    text = str(message)
    return {"message": shown(text, limit), "truncated": len(text) > limit}


def clip(message, limit: int = MESSAGE_CHARS) -> str:
    """`message` cut to one character past `limit` (still known to be longer than `limit`): what a
    cache of rows keeps, so a page of 40 KB messages does not sit in memory whole."""
    text = str(message)
    return text if len(text) <= limit + 1 else text[: limit + 1]
