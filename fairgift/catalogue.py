"""Defaults of a FairGift deployment: the seeded gift catalogue and the fee and curve parameters.

Gift prices follow TikTok LIVE gifts at about a cent per coin (coins sell for $0.0105-0.0155
each, see ../shared/references.md): a Rose is 1 coin, a Heart 5 coins; the big gifts are priced
at round dollar figures of the same order as their coin prices.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gift:
    name: str
    price_usd6: int  # US dollars with 6 decimals, as `TipJar.setGift` takes it


DEFAULT_GIFTS: tuple[Gift, ...] = (
    Gift("Rose", 10_000),  # $0.01
    Gift("Heart", 50_000),  # $0.05
    Gift("Lion", 29_990_000),  # $29.99
    Gift("Universe", 449_990_000),  # $449.99
)

# TipJar: 5% at launch, the contract caps it at 10% (MAX_FEE_BPS) and delays increases 7 days.
DEFAULT_JAR_FEE_BPS = 500
# CreatorMarket: protocol fee 1% (cap 5%); the creator chooses their own fee at launch (cap 10%).
DEFAULT_PROTOCOL_FEE_BPS = 100
DEFAULT_CREATOR_FEE_BPS = 500
# The curve: the first token costs $0.01 and each whole token sold adds $0.001 to the price,
# so the 1,000th token costs about $1.01 (priceAt(s) = basePrice + slope * s / 1e18).
DEFAULT_BASE_PRICE = "0.01"
DEFAULT_SLOPE = "0.001"
