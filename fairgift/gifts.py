"""The gift catalogue: the default gifts a deployment seeds into `TipJar.setGift`, and the price
of a gift in a token (mirrors the contract).

Prices are US dollars with 6 decimals (`priceUsd6`), rounded from what the same TikTok LIVE gifts
cost in coins at about $0.0105 per coin (see the platform figures in the README and
docs/using.md): a Rose is 1 coin, a Lion 29,999 coins, a Universe 44,999 coins. Ids start at 1;
a price of 0 retires a gift.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairgift.errors import FairGiftError

USD6 = 10**6


@dataclass(frozen=True)
class Gift:
    gift_id: int
    name: str
    price_usd6: int  # US dollars with 6 decimals, as `TipJar.setGift` takes it

    def amount_in(self, decimals: int, quantity: int = 1) -> int:
        """What `quantity` of this gift costs in a token with `decimals`."""
        return amount_in(self.price_usd6, quantity, decimals)


DEFAULT_GIFTS: tuple[Gift, ...] = (
    Gift(1, "Rose", USD6 // 100),  # $0.01
    Gift(2, "Heart", 1 * USD6),  # $1
    Gift(3, "Lion", 300 * USD6),  # $300
    Gift(4, "Universe", 450 * USD6),  # $450
)


def amount_in(price_usd6: int, quantity: int, decimals: int) -> int:
    """What `quantity` of a gift priced `price_usd6` costs in a token with `decimals`
    (`TipJar.giftAmount`: the USD price scaled to the token's decimals)."""
    if decimals < 6:
        raise ValueError("tokens with fewer than 6 decimals are not accepted")
    return price_usd6 * quantity * 10 ** (decimals - 6)


def parse_quantity(value, maximum: int | None = None) -> int:
    """How many of a gift: a whole number from 1 (to `maximum`), from an int or its text."""
    text = str(value).strip()
    try:
        quantity = int(text)
    except ValueError:
        raise FairGiftError(f"quantity {text[:20]!r} is not a whole number") from None
    if quantity < 1:
        raise FairGiftError(f"quantity must be at least 1, not {quantity}")
    if maximum is not None and quantity > maximum:
        raise FairGiftError(f"send between 1 and {maximum:,} of a gift at a time")
    return quantity


def seed_catalogue(jar, sender, gifts: tuple[Gift, ...] = DEFAULT_GIFTS) -> list:
    """Set every gift of `gifts` on `jar` (the owner signs); returns the receipts."""
    return [jar.setGift(g.gift_id, g.name, g.price_usd6, sender=sender) for g in gifts]


def price_text(price_usd6: int) -> str:
    """1_000_000 -> "$1.00"; 10_000 -> "$0.01"."""
    dollars, micro = divmod(int(price_usd6), USD6)
    cents = f"{micro:06d}".rstrip("0").ljust(2, "0")
    return f"${dollars:,}.{cents}"
