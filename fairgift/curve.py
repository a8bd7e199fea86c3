"""The exact off-chain model of the creator market's curve and fees (mirrors contracts/CreatorMarket.sol).

Python integers only, so every result is exact and must equal the contract's to the unit.

The marginal price at supply `s` (base units of an 18-decimal token) is
`price_at(s) = base_price + slope * s // 10**18` quote units per whole token. The area under the
curve from 0 to `s` is the exact fraction `s * (2e18 * base_price + slope * s) / 2e36`; the reserve
at supply `s` is that area rounded up, `area(s)`, and a trade between supplies s0 < s1 is worth
`area(s1) - area(s0)` (paid by a buyer, received by a seller). Fees: `value * bps // 10_000` each,
on top of a buy, out of a sell.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from fairgift.fees import fee_on

WAD = 10**18
MAX_SUPPLY = 2**128 - 1  # the market keeps every supply below 2^128

# The curve `ape run deploy` starts a market with, in US dollars per whole token: the first token
# costs a cent and each whole token sold adds a tenth of a cent, so the 1,000th costs about $1.01.
DEFAULT_BASE_PRICE = "0.01"
DEFAULT_SLOPE = "0.001"


def exact_area(supply: int, base_price: int, slope: int) -> Fraction:
    """The exact area under the curve from 0 to `supply`, in quote units (a Fraction)."""
    return Fraction(base_price * supply, WAD) + Fraction(slope * supply * supply, 2 * WAD * WAD)


def area(supply: int, base_price: int, slope: int) -> int:
    """`ceil(exact_area(supply))`: the reserve held at `supply` (`areaAt` on chain)."""
    numerator = supply * (2 * WAD * base_price + slope * supply)
    return -(-numerator // (2 * WAD * WAD))


def price_at(supply: int, base_price: int, slope: int) -> int:
    """The marginal price at `supply`, quote units per whole token, rounded down (`priceAt`)."""
    return base_price + slope * supply // WAD


@dataclass(frozen=True)
class Quote:
    """A trade's breakdown. `total` is what a buyer pays or a seller receives."""

    total: int
    protocol_fee: int
    creator_fee: int
    value: int  # the curve value, before fees
    supply_after: int

    def as_tuple(self) -> tuple[int, int, int]:
        """As the contract's quoteBuy / quoteSell return it: (total, protocolFee, creatorFee)."""
        return (self.total, self.protocol_fee, self.creator_fee)


@dataclass(frozen=True)
class Curve:
    """A market's curve parameters (the constructor's `basePrice` and `slope`)."""

    base_price: int
    slope: int

    def price_at(self, supply: int) -> int:
        return price_at(supply, self.base_price, self.slope)

    def area(self, supply: int) -> int:
        return area(supply, self.base_price, self.slope)

    def exact_area(self, supply: int) -> Fraction:
        return exact_area(supply, self.base_price, self.slope)

    def buy_value(self, supply: int, amount: int) -> int:
        """The curve value of buying `amount` at `supply`, before fees."""
        return self.area(supply + amount) - self.area(supply)

    def sell_value(self, supply: int, amount: int) -> int:
        """The curve value of selling `amount` at `supply`, before fees."""
        if amount > supply:
            raise ValueError(f"cannot sell {amount} of a supply of {supply}")
        return self.area(supply) - self.area(supply - amount)

    def quote_buy(self, supply: int, amount: int, protocol_bps: int, creator_bps: int) -> Quote:
        if supply + amount > MAX_SUPPLY:
            raise ValueError("supply would reach 2^128")
        value = self.buy_value(supply, amount)
        pf, cf = fee_on(value, protocol_bps), fee_on(value, creator_bps)
        return Quote(value + pf + cf, pf, cf, value, supply + amount)

    def quote_sell(self, supply: int, amount: int, protocol_bps: int, creator_bps: int) -> Quote:
        value = self.sell_value(supply, amount)
        pf, cf = fee_on(value, protocol_bps), fee_on(value, creator_bps)
        return Quote(value - pf - cf, pf, cf, value, supply - amount)

    def amount_for_budget(self, supply: int, budget: int, protocol_bps: int, creator_bps: int) -> int:
        """The largest amount whose total buy cost at `supply` is at most `budget` (binary search)."""
        lo, hi = 0, 1
        while self.quote_buy(supply, hi, protocol_bps, creator_bps).total <= budget:
            lo, hi = hi, hi * 2
            if supply + hi > MAX_SUPPLY:
                hi = MAX_SUPPLY - supply
                break
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.quote_buy(supply, mid, protocol_bps, creator_bps).total <= budget:
                lo = mid
            else:
                hi = mid - 1
        return lo
