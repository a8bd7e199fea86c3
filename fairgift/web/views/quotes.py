"""What a tip, a gift or a trade would cost and pay, as the fan types: the fee in force, what the
creator receives, the platforms' figures for comparison, a trade's quote and its bound (the CLI's
default: the widest limit a trade slipped in before the fan's cannot profit from).
"""

from __future__ import annotations

from fairgift import fees
from fairgift.amounts import format_amount, parse_amount
from fairgift.errors import FairGiftError
from fairgift.gifts import parse_quantity
from fairgift.platforms import PLATFORMS
from fairgift.web.http import HttpError
from fairgift.web.views.creators import Creators
from fairgift.web.views.text import TOKEN_DECIMALS, TOLERANCE_TEXT, amount_code, one_line

MAX_GIFT_QUANTITY = 10_000


class Quotes:
    """Quotes for the page (each one resolves the creator and parses the fan's text)."""

    def __init__(self, creators: Creators):
        self.creators = creators
        self.reader = creators.reader
        self.fg = creators.fg

    def amount(self, text) -> int:
        try:
            return self.fg.stable.parse(str(text or ""))
        except FairGiftError as err:
            raise HttpError(400, one_line(str(err)), amount_code(str(err))) from err

    def quote_tip(self, who: str, amount) -> dict:
        creator = self.creators.resolve(who)
        units = self.amount(amount)
        # `relay`: whether the relayer takes this amount gasless (and what to do if not)
        return {
            "creator": creator.address,
            **self.breakdown(units),
            "relay": self.creators.relay.check(units),
        }

    def breakdown(self, units: int) -> dict:
        fee = self.creators.fee()
        cut, net = fees.split(units, fee["bps"])
        usd = self.fg.usd
        platforms = []
        for model in PLATFORMS:
            low, high = model.take_home(units), model.take_home_high(units)
            text = self._cents(low) if high is None else f"{self._cents(low)} to {self._cents(high)}"
            platforms.append({"name": model.name, "receives": str(low), "receives_text": text})
        return {
            "amount": str(units),
            "amount_text": usd(units),
            "fee": str(cut),
            "fee_text": usd(cut),
            "net": str(net),
            "net_text": usd(net),
            "fee_state": fee,
            "now": self.reader.now(),
            "platforms": platforms,
        }

    def _cents(self, units: int) -> str:
        """A platform's share for comparison, shown to the cent (rounded down, like every share)."""
        step = 10 ** max(self.fg.stable.decimals - 2, 0)
        return self.fg.usd(units - units % step)

    def gift(self, gift, quantity) -> tuple[int, str, int, int]:
        """(id, name, quantity, price in base units) of a gift of the live catalogue, by id or name."""
        text = str(gift).strip()
        if len(text) > 64:  # no id or name is this long (and int() of 5,000 digits would raise)
            raise HttpError(400, f"unknown gift {text[:20]!r}…", "unknown_gift")
        catalogue = self.reader.gift_catalogue()
        try:  # by id or name, or the API's one-line error listing the catalogue
            found = self.fg.find_gift(text, catalogue)
        except FairGiftError as err:
            raise HttpError(400, one_line(str(err)), "unknown_gift") from err
        except ValueError as err:  # a digit int() does not take ("²")
            raise HttpError(400, f"unknown gift {text!r}", "unknown_gift") from err
        try:
            quantity = parse_quantity(quantity, MAX_GIFT_QUANTITY)
        except FairGiftError as err:
            raise HttpError(400, str(err), "quantity") from err
        return found.gift_id, found.name, quantity, found.amount_in(self.fg.stable.decimals, quantity)

    def quote_gift(self, who: str, gift, quantity) -> dict:
        creator = self.creators.resolve(who)
        gift_id, name, quantity, units = self.gift(gift, quantity)
        return {
            "creator": creator.address,
            "gift": {"id": gift_id, "name": name, "quantity": quantity},
            **self.breakdown(units),
        }

    def trade_units(self, token: str, amount) -> int:
        symbol = self.reader.once(f"meta:{token}", lambda: self.reader.token_meta(token))["symbol"]
        try:
            return parse_amount(str(amount or ""), TOKEN_DECIMALS, symbol)
        except FairGiftError as err:
            raise HttpError(400, one_line(str(err)), amount_code(str(err))) from err

    def quote_trade(self, side: str, who: str, amount) -> dict:
        creator = self.creators.resolve(who)
        token = self.reader.token_of(creator.address)
        if token is None:
            raise HttpError(404, f"{creator.label} has not launched a token", "no_token")
        units = self.trade_units(token, amount)
        symbol = self.reader.once(f"meta:{token}", lambda: self.reader.token_meta(token))["symbol"]
        market, usd = self.fg.market, self.fg.usd
        if side == "buy":
            total, protocol_fee, creator_fee = (int(x) for x in market.quoteBuy(token, units))
        else:
            supply = int(market.supplyOf(token))
            if units > supply:
                raise HttpError(
                    400,
                    f"only {format_amount(supply, TOKEN_DECIMALS, symbol)} exist; sell at most that",
                    "balance",
                )
            total, protocol_fee, creator_fee = (int(x) for x in market.quoteSell(token, units))
        bound = self.fg.trade_bound(token, units, total, is_buy=side == "buy")  # the CLI's default
        limit = bound.limit
        return {
            "side": side,
            "token": token,
            "amount": str(units),
            "amount_text": format_amount(units, TOKEN_DECIMALS, symbol),
            "total": str(total),
            "total_text": usd(total),
            "protocol_fee_text": usd(protocol_fee),
            "creator_fee_text": usd(creator_fee),
            "limit": str(limit),
            "limit_text": usd(limit),
            "tolerance_text": TOLERANCE_TEXT,
        }
