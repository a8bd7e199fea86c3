"""The default gift catalogue for `TipJar.setGift` (for the deploy script and the demo).

Prices are USD with 6 decimals (`priceUsd6`), rounded from what the same gifts cost in TikTok
coins (about $0.0105 per coin when bought in bulk): a Rose is 1 coin, the big animated gifts
tens of thousands. Ids start at 1; a price of 0 retires a gift.
"""

from __future__ import annotations

USD6 = 10**6

DEFAULT_CATALOGUE: dict[int, tuple[str, int]] = {
    1: ("Rose", USD6 // 100),  # $0.01
    2: ("Heart", 1 * USD6),  # $1
    3: ("Lion", 300 * USD6),  # $300
    4: ("Universe", 450 * USD6),  # $450
}


def seed_catalogue(jar, sender, catalogue: dict[int, tuple[str, int]] | None = None) -> list:
    """Set every gift of `catalogue` (default: `DEFAULT_CATALOGUE`) on `jar`; returns the receipts."""
    receipts = []
    for gift_id, (name, price_usd6) in (catalogue or DEFAULT_CATALOGUE).items():
        receipts.append(jar.setGift(gift_id, name, price_usd6, sender=sender))
    return receipts


def amount_in(price_usd6: int, quantity: int, decimals: int) -> int:
    """What `quantity` of a gift costs in a token with `decimals` (mirrors the contract)."""
    if decimals < 6:
        raise ValueError("tokens with fewer than 6 decimals are not accepted")
    return price_usd6 * quantity * 10 ** (decimals - 6)
