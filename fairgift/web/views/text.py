"""Small pieces of text and JSON the views share: one-line reasons, short labels, a transaction."""

from __future__ import annotations

TOKEN_DECIMALS = 18  # creator tokens (CreatorToken)
TOLERANCE_TEXT = "the sandwich-safe limit, the CLI's default"


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
