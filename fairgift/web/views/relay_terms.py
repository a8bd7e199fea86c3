"""The relay policy in a fan's words, in the stablecoin's units, where the fan chooses "gasless".

The rules are the relayer's (`fairgift.relayer.policy.RelayerConfig`, shown with their arithmetic by
`GET /api/relayer`); this module only says them: what the relayer pays for, the smallest tip it
relays, its limits per fan, and what to do about a tip below the minimum. The page shows these
texts as they come (it computes no rule), and the service refuses such a tip before anything is
signed: in the tip's quote (`relay.relayable`, as the fan types) and again in `POST
/api/prepare/tip` (400 `below_relay_minimum`, `permit_below_minimum`).
"""

from __future__ import annotations

from fairgift.relayer.policy import units
from fairgift.web.http import HttpError


def _seconds_text(seconds: float) -> str:
    """60 -> "a minute", 3600 -> "an hour", 86400 -> "a day", else "N seconds"."""
    named = {60: "a minute", 3_600: "an hour", 86_400: "a day"}
    return named.get(int(seconds), f"{seconds:g} seconds")


class RelayTerms:
    """The terms of the service's relayer for the deployment's stablecoin (None: no relayer)."""

    def __init__(self, creators):
        self.creators = creators
        self.fg = creators.fg
        self.service = creators.service

    def _config(self):
        relayer = getattr(self.service, "relayer", None)
        return None if relayer is None else relayer.config

    def minimum(self) -> int | None:
        """The smallest relayed tip in the stablecoin's base units (None: no relayer)."""
        cfg = self._config()
        return None if cfg is None else units(cfg.min_relayed, self.fg.stable.decimals)

    def terms(self) -> dict | None:
        """What the page shows beside the gasless option."""
        cfg = self._config()
        if cfg is None:
            return None
        usd, decimals = self.fg.usd, self.fg.stable.decimals
        minimum = units(cfg.min_relayed, decimals)
        permit = units(cfg.permit_min, decimals)
        symbol = self.fg.stable.symbol
        return {
            "minimum": str(minimum),
            "minimum_text": usd(minimum),
            "permit_minimum": str(permit),
            "permit_minimum_text": usd(permit),
            "summary": f"Gasless tips start at {usd(minimum)}.",
            "covers": [
                "The relayer pays the network fee (gas) for your tip: you need no ether. Nothing is "
                "added to your tip: the jar's fee shown above is what pays for the relayer.",
                f"The first time, you also sign a permission for the tip jar to take your {symbol} (no "
                "gas); the relayer sends it for you if this tip, with any of yours still waiting, comes "
                f"to at least {usd(permit)}, once {_seconds_text(cfg.permit_every)} at most."
                + self._allowance_text(cfg),
            ],
            "limits": [
                f"At most {cfg.fan_rate} gasless tips from you in {_seconds_text(cfg.rate_window)}; "
                f"{self._per_batch(cfg.fan_per_batch)} goes out in each batch, so several land one "
                "after another.",
                "If a tip you signed can no longer be taken when its batch is sent (the money moved or "
                "the permission was withdrawn), the relayer takes no gasless tips from you for "
                f"{_seconds_text(cfg.penalty_seconds)}.",
            ],
            "below": self.below_text(minimum),
        }

    def _allowance_text(self, cfg) -> str:
        """The permission's size when it covers more than the tip (`permit_allowance`)."""
        allowance = units(cfg.permit_allowance, self.fg.stable.decimals)
        if allowance <= 0:
            return ""
        return (
            f" It lets the jar take up to {self.fg.usd(allowance)} in all (never more than you hold), "
            "and only for tips you sign, so your next tips need no new permission."
        )

    def permit_notice(self, value: int) -> str:
        """The permit's size in plain words, shown before the wallet asks for it (`value`: base
        units, the value the wallet shows), and how to take it back."""
        symbol = self.fg.stable.symbol
        return (
            f"This lets the tip jar take up to {self.fg.usd(value)} from your wallet, only for tips you "
            f"sign; you can lower it to 0 at any time by approving 0 {symbol} for the tip jar from "
            "your wallet (a transaction: it needs a little ether)."
        )

    @staticmethod
    def _per_batch(count: int) -> str:
        return "one tip of yours" if count == 1 else f"at most {count} tips of yours"

    def below_text(self, minimum: int) -> str:
        """What a fan can do about a tip below the minimum (the page adds that nothing was signed
        when the fan presses Tip anyway; the service's refusal says it itself)."""
        usd = self.fg.usd
        return (
            f"Gasless tips start at {usd(minimum)}: the jar's fee on a smaller tip does not pay for the "
            f"relayer's gas. Tip {usd(minimum)} or more, or choose Direct (your wallet sends it and you "
            "pay the gas)."
        )

    def check(self, amount: int) -> dict | None:
        """For a tip quote: may `amount` (base units) go gasless? None when nothing relays."""
        minimum = self.minimum()
        if minimum is None:
            return None
        relayable = amount >= minimum
        return {"relayable": relayable, "message": None if relayable else self.below_text(minimum)}

    def require(self, amount: int) -> None:
        """400 `below_relay_minimum` for a gasless tip below the minimum (before anything is signed)."""
        minimum = self.minimum()
        if minimum is not None and amount < minimum:
            raise HttpError(400, f"{self.below_text(minimum)} Nothing was signed.", "below_relay_minimum")

    def require_permit(self, need: int) -> None:
        """400 `permit_below_minimum` when the tip needs a permit the relayer would not sponsor:
        `need`, the fan's queued gasless tips with this one (what the relayer's intake weighs, not
        the permit's value, which may be larger), below its minimum. Said before signing."""
        cfg = self._config()
        if cfg is None:
            return
        usd, symbol = self.fg.usd, self.fg.stable.symbol
        least = units(cfg.permit_min, self.fg.stable.decimals)
        if need < least:
            raise HttpError(
                400,
                f"The tip jar may not take your {symbol} yet, and the relayer sends that permission for "
                f"you only for tips of at least {usd(least)} in all. Tip {usd(least)} or more, or "
                "choose Direct (your wallet approves and sends it; you pay the gas). Nothing was signed.",
                "permit_below_minimum",
            )
