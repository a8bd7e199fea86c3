"""The vocabulary of sandwiches: the fan's trade, the three attackers and what each pays, one
sandwich, and the answers (`Limit`, `Exposure`). Exact integer model over `fairgift.curve`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fairgift.curve import MAX_SUPPLY, Curve, Quote
from fairgift.fees import BPS_DENOMINATOR

DEFAULT_CAP_BPS = 100  # 1%: the default limit is never wider than this around the quote


class Attacker(StrEnum):
    """Who runs the sandwich, which decides the fees its round trip pays."""

    OUTSIDER = "outsider"  # pays both fees on both legs
    CREATOR = "creator"  # the token's creator: pays the protocol fee, earns the creator fee
    TREASURY = "treasury"  # the protocol's treasury: pays the creator fee, earns the protocol fee

    def fees_paid(self, protocol_bps: int, creator_bps: int) -> tuple[int, ...]:
        """The fee rates (bps) this attacker loses on its own legs."""
        return {
            Attacker.OUTSIDER: (protocol_bps, creator_bps),
            Attacker.CREATOR: (protocol_bps,),
            Attacker.TREASURY: (creator_bps,),
        }[self]

    def fee_earned(self, protocol_bps: int, creator_bps: int) -> int:
        """The fee rate (bps) this attacker earns on the fan's trade (0 for an outsider)."""
        return {Attacker.OUTSIDER: 0, Attacker.CREATOR: creator_bps, Attacker.TREASURY: protocol_bps}[self]


ATTACKERS = tuple(Attacker)


@dataclass(frozen=True)
class Trade:
    """A fan's trade: buy (or sell) `amount` base units of a token whose supply is `supply`."""

    curve: Curve
    supply: int
    amount: int
    protocol_bps: int
    creator_bps: int
    is_buy: bool = True

    def __post_init__(self):
        if self.amount <= 0:
            raise ValueError("a trade of zero tokens")
        if self.supply < 0 or (not self.is_buy and self.amount > self.supply):
            raise ValueError(f"cannot sell {self.amount} of a supply of {self.supply}")
        if self.is_buy and self.supply + self.amount > MAX_SUPPLY:
            raise ValueError("supply would reach 2^128")
        if (
            min(self.protocol_bps, self.creator_bps) < 0
            or self.protocol_bps + self.creator_bps >= BPS_DENOMINATOR
        ):
            raise ValueError(f"fees of {self.protocol_bps} + {self.creator_bps} bps are out of range")
        if (
            self.curve.base_price < 0
            or self.curve.slope < 0
            or self.curve.base_price == self.curve.slope == 0
        ):
            raise ValueError("a curve needs a non-negative base price and slope, not both zero")

    def quote_at(self, supply: int) -> Quote:
        """The fan's trade as quoted at `supply`."""
        if self.is_buy:
            return self.curve.quote_buy(supply, self.amount, self.protocol_bps, self.creator_bps)
        return self.curve.quote_sell(supply, self.amount, self.protocol_bps, self.creator_bps)

    @property
    def quote(self) -> int:
        """What the fan pays (a buy) or receives (a sell) when nobody trades first."""
        return self.quote_at(self.supply).total

    @property
    def max_front_run(self) -> int:
        """The largest front-run: the supply's room below 2^128 (a buy), the others' tokens (a sell)."""
        return MAX_SUPPLY - self.supply - self.amount if self.is_buy else self.supply - self.amount

    def admits(self, limit: int, fan_total: int) -> bool:
        """Whether the fan's limit lets its trade through at `fan_total`."""
        return fan_total <= limit if self.is_buy else fan_total >= limit


@dataclass(frozen=True)
class Sandwich:
    """One sandwich of a fan's trade and what it does, by the exact model."""

    attacker: Attacker
    front_run: int  # base units the attacker buys before a buy (sells before a sell) and undoes after
    profit: int  # the attacker's gain in quote units (fees it earns counted, see the module doc)
    fan_total: int  # what the fan then pays (a buy) or receives (a sell)
    fan_loss: int  # how much worse than the quote that is, in quote units


@dataclass(frozen=True)
class Limit:
    """The sandwich-safe limit of a trade (`maxCost` of a buy, `minProceeds` of a sell)."""

    quote: int  # the fan's exact quote
    limit: int  # the default: `safe` kept within `cap` (and, for a sell, never above the quote)
    safe: int | None  # the widest limit no sandwich pays against; None: none pays at any limit
    cap: int  # the quote plus (a buy) or minus (a sell) DEFAULT_CAP_BPS, rounded outwards
    first_attack: Sandwich | None  # a sandwich that pays once the limit is one unit past `safe`
    exact: bool  # False: the search budget ran out and `safe` is proven safe but maybe narrower

    @property
    def tolerance(self) -> int:
        """How far the default limit is from the quote, in quote units."""
        return abs(self.limit - self.quote)


@dataclass(frozen=True)
class Exposure:
    """What a given limit exposes a trade to."""

    limit: int
    best: Sandwich | None  # the most profitable sandwich found (None: no sandwich pays)
    profit_bound: int  # no sandwich gains more than this at that limit (proven)
    exact: bool  # True when `best.profit` is the maximum (else within `profit_bound`)
