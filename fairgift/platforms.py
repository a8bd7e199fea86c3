"""What a creator keeps on each platform, with the published figure and its source, and FairGift's
own figure (100% minus the fee in force). One place for these numbers: the report, the charts and
the fans' page all read them from here.

TikTok: coins cost $0.0105-0.0155 each and a diamond is worth $0.005; TikTok does not publish how
many diamonds a coin becomes. Reading it as one diamond per coin gives the range below (an upper
bound as far as anyone can tell); the BBC's 2022 test measured 31%.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from fairgift.fees import BPS_DENOMINATOR


@dataclass(frozen=True)
class Platform:
    """A payout model: the creator keeps `keep` of what fans spend (up to `keep_high` when the
    published figures only give a range), per `source`."""

    name: str
    keep: Fraction
    source: str
    note: str = ""
    keep_high: Fraction | None = None

    def take_home(self, gross: int) -> int:
        return int(gross * self.keep)  # rounded down, like every fee here

    def take_home_high(self, gross: int) -> int | None:
        return None if self.keep_high is None else int(gross * self.keep_high)


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "TikTok LIVE (BBC test)",
        Fraction(3303, 10600),
        "BBC investigation, 2022: $106 of gifts became $33.03 for the creator",
        "TikTok says its cut is 'significantly less than 70%' but publishes no figure",
    ),
    Platform(
        "TikTok coins->diamonds",
        Fraction(50, 155),
        "coins $0.0105-0.0155 each, diamonds $0.005 (calculatecreator.com; TikTok support pages)",
        "assumes 1 diamond per coin, which TikTok does not publish",
        keep_high=Fraction(50, 105),
    ),
    Platform(
        "YouTube Super Chat",
        Fraction(70, 100),
        "support.google.com/youtube/answer/7288782",
        "70% after sales tax and app-store fees",
    ),
    Platform(
        "Twitch Bits",
        Fraction(100, 140),
        "Twitch Bits pricing: 100 bits cost $1.40, pay the streamer $1.00",
    ),
    Platform(
        "Patreon",
        Fraction(90, 100),
        "Patreon pricing page (creators joining from 5 Aug 2025)",
        "before payment processing fees",
    ),
)

CHART_SOURCES = (
    "Sources: BBC 2022; TikTok coin/diamond prices (conversion unpublished: 1 diamond per coin assumed); "
    "YouTube support 7288782; Twitch Bits; Patreon pricing."
)


def fairgift(fee_bps: int) -> Platform:
    """FairGift with the tip jar's fee in force."""
    return Platform(
        f"FairGift ({int(fee_bps) / 100:g}% fee)",
        Fraction(BPS_DENOMINATOR - int(fee_bps), BPS_DENOMINATOR),
        "TipJar.feeBps() on chain, capped by MAX_FEE_BPS, rises only after 7 days",
        "fans pay network gas on top",
    )


def with_fairgift(fee_bps: int) -> list[Platform]:
    """FairGift first, then every platform."""
    return [fairgift(fee_bps), *PLATFORMS]


@dataclass(frozen=True)
class TakeHome:
    platform: Platform
    take_home: int
    take_home_high: int | None


def compare(gross: int, fee_bps: int) -> list[TakeHome]:
    """Creator take-home from `gross` (base units) under FairGift's fee and each platform."""
    return [TakeHome(p, p.take_home(gross), p.take_home_high(gross)) for p in with_fairgift(fee_bps)]
