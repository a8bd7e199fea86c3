"""What the wallet signs or sends for a tip, a gift or a trade, prepared by the service.

A gasless tip is prepared by the relayer (a nonce free on chain and in its queue, a deadline on the
chain's clock, a permit when the jar's allowance does not cover this tip plus the fan's queued
ones); a direct tip, a gift or a trade is the calldata of `tip`, `sendGift`, `buy` or `sell`, after
an `approve` when the allowance falls short. Every figure shown with it comes from `Quotes`.
"""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address

from fairgift import token_gate
from fairgift.amounts import format_amount
from fairgift.api import DEADLINE_SECONDS
from fairgift.relayer import Rejected
from fairgift.relayer.prepare import prepare_tip
from fairgift.relayer.signed_tip import address, uint
from fairgift.web.http import HttpError, from_rejected
from fairgift.web.views.quotes import Quotes
from fairgift.web.views.text import TOKEN_DECIMALS, transaction

TIP_VALID_SECONDS = 30 * 60  # a gasless tip's deadline: time for the relayer to batch and land it


class Prepare:
    """The transactions and typed data for what a fan does on the page."""

    def __init__(self, quotes: Quotes):
        self.quotes = quotes
        self.creators = quotes.creators
        self.reader = quotes.reader
        self.service = quotes.reader.service
        self.fg = quotes.fg

    def _fan(self, body: dict) -> str:
        text = str(body.get("from") or "")
        if not is_address(text):
            raise HttpError(400, "connect a wallet first", "no_wallet")
        return to_checksum_address(text)

    def _message(self, body: dict) -> str:
        message = body.get("message") or ""
        if not isinstance(message, str):
            raise HttpError(400, "the message must be text", "message")
        limit = self.creators.max_message()
        if len(message) > limit:
            raise HttpError(400, f"the message is {len(message)} characters; keep it to {limit}", "message")
        return message

    def _require_balance(self, fan: str, units: int, what: str, spender) -> None:
        """The fan holds `units` of the stablecoin, and the token would move them to `spender`
        now (`fairgift.token_gate`): else a 4xx saying why, before anything is signed or sent."""
        symbol = self.fg.stable.symbol
        balance = int(self.fg.usdc.balanceOf(fan))
        if balance < units:
            raise HttpError(
                400,
                f"not enough {symbol}: you have {self.fg.usd(balance)}, {what} needs {self.fg.usd(units)}",
                "balance",
            )
        stop = token_gate.refusal(self.reader.web3, self.fg.usdc.address, fan, str(spender.address), units)
        if stop is None:
            return
        if stop.why == token_gate.PAUSED:
            raise HttpError(
                409,
                f"{symbol} is paused by its issuer: no {symbol} can move until it is unpaused, so {what} "
                "cannot be paid now. Nothing was sent; try again later",
                "token_paused",
            )
        if stop.why == token_gate.BLOCKED:
            raise HttpError(
                403,
                f"{symbol}'s issuer has blocked this wallet's address ({fan}): no {symbol} can move from "
                f"it, so {what} cannot be paid. Nothing was sent; pay from another wallet",
                "address_blocked",
            )
        if stop.why == token_gate.SPENDER_BLOCKED:
            raise HttpError(
                409,
                f"{symbol}'s issuer has blocked the address of the contract to be paid ({spender.address}):"
                f" no {symbol} can be paid to it now. Nothing was sent",
                "spender_blocked",
            )
        raise HttpError(
            409,
            f"{symbol} refuses to move {self.fg.usd(units)} from your wallet "
            f"({stop.reason or 'it gives no reason'}). Nothing was sent",
            "token_refused",
        )

    def _approval(self, fan: str, spender, units: int, label: str) -> list[dict]:
        allowance = int(self.fg.usdc.allowance(fan, spender))
        if allowance >= units:
            return []
        data = self.fg.usdc.approve.encode_input(spender, units)
        return [transaction(fan, self.fg.usdc.address, data, f"approve {label} to take {self.fg.usd(units)}")]

    def tip(self, body: dict) -> dict:
        """`POST /api/prepare/tip` {creator, amount (text, "2.50") or units (base units), message,
        from, mode ("gasless" by default, or "direct"), token?, validitySeconds?}. Gasless: the
        typed data to sign (`sign`, and `tip`/`permit` as the relayer prepared them) and the body
        for `POST /api/tips` (`submit`, `request`); direct: the transactions."""
        creator = self.creators.resolve(str(body.get("creator") or ""))
        fan = self._fan(body)
        units = self._units(body)
        if units == 0:  # said before the relay's minimum, which would otherwise answer for it
            raise HttpError(400, "the tip's amount must be above zero", "amount")
        message = self._message(body)
        jar, stable = self.fg.jar, self.fg.stable.address
        token = self._relayed(address, body.get("token") or stable, "token")
        if token == stable:  # (another token is checked by the relayer: allowed, balance, allowance)
            self._require_balance(fan, units, "this tip", jar)
        if body.get("mode") == "direct":
            data = jar.tip.encode_input(creator.address, stable, units, message)
            txs = self._approval(fan, jar, units, "the tip jar")
            txs.append(transaction(fan, jar.address, data, f"tip {self.fg.usd(units)} to {creator.label}"))
            return {"mode": "direct", "transactions": txs, **self.quotes.breakdown(units)}
        relayer = getattr(self.service, "relayer", None)
        if relayer is None:
            raise HttpError(
                503,
                "this service does not relay tips; choose Direct (your wallet sends it, you pay the gas)",
                "relayer_off",
            )
        if token == stable:  # said in the fan's units, before the relayer's own refusal in base units
            self.creators.relay.require(units)
        validity = self._relayed(uint, body.get("validitySeconds", TIP_VALID_SECONDS), "validitySeconds")
        try:
            prepared = prepare_tip(
                relayer,
                fan=fan,
                creator=creator.address,
                token=token,
                amount=units,
                message=message,
                validity=validity,
            )
        except Rejected as err:
            raise from_rejected(err, "relayer_busy" if err.status in (429, 503) else "rejected") from err
        if prepared["permit"] is not None and token == stable:  # a permit the relayer would not send
            self.creators.relay.require_permit(int(prepared["queued"]) + units)
        sign = []
        if prepared["permit"] is not None:
            # the value the wallet will show, said in the fan's units before the wallet is asked
            # (more than this tip: what the fan's later tips use, each signed by the fan)
            value = int(prepared["permit"]["message"]["value"])
            sign.append(
                {
                    "kind": "permit",
                    "label": f"allow the tip jar to take up to {self.fg.usd(value)}, only for tips you "
                    "sign (no gas)",
                    "value": str(value),
                    "notice": self.creators.relay.permit_notice(value),
                    "typed_data": prepared["permit"],
                }
            )
        sign.append(
            {
                "kind": "tip",
                "label": f"tip {self.fg.usd(units)} to {creator.label} (no gas)",
                "typed_data": prepared["tip"],
            }
        )
        return {
            **prepared,  # tip, permit, request, balance, allowance, queued, enoughBalance
            "mode": "gasless",
            "sign": sign,
            "submit": {"url": "/api/tips", "body": prepared["request"]},
            **self.quotes.breakdown(units),
        }

    def _units(self, body: dict) -> int:
        """The tip in base units: `units` (a decimal string of base units, as API clients send)
        or `amount` (the fan's text, "2.50")."""
        if "units" in body:
            return self._relayed(uint, body["units"], "units")
        return self.quotes.amount(body.get("amount"))

    @staticmethod
    def _relayed(parse, value, name: str):
        """A field parsed as the relayer parses it (`uint`, `address`), its refusal as a 400."""
        try:
            return parse(value, name)
        except Rejected as err:
            raise from_rejected(err) from err

    def gift(self, body: dict) -> dict:
        creator = self.creators.resolve(str(body.get("creator") or ""))
        fan = self._fan(body)
        gift_id, name, quantity, units = self.quotes.gift(body.get("gift"), body.get("quantity", 1))
        message = self._message(body)
        try:
            shown = int(str(body.get("max_amount")))
        except ValueError as err:
            raise HttpError(400, "the gift's price is missing; reload the page", "bad_request") from err
        if units > shown:
            raise HttpError(
                409,
                f"{quantity} x {name} now costs {self.fg.usd(units)}, not the {self.fg.usd(shown)} shown; "
                "check the new price and send again",
                "price_changed",
                quote=self.quotes.quote_gift(creator.address, gift_id, quantity),
            )
        jar = self.fg.jar
        self._require_balance(fan, shown, "this gift", jar)
        # maxAmount is the price the fan saw: a repricing that lands first makes the gift revert
        # (GiftPriceAboveMax) instead of charging more.
        data = jar.sendGift.encode_input(
            creator.address, self.fg.stable.address, gift_id, quantity, shown, message
        )
        txs = self._approval(fan, jar, shown, "the tip jar")
        txs.append(transaction(fan, jar.address, data, f"send {quantity} x {name} to {creator.label}"))
        return {"transactions": txs, **self.quotes.quote_gift(creator.address, gift_id, quantity)}

    def trade(self, side: str, body: dict) -> dict:
        fan = self._fan(body)
        quote = self.quotes.quote_trade(side, str(body.get("creator") or ""), body.get("amount"))
        if str(body.get("quote")) != quote["total"]:
            verb = "costs" if side == "buy" else "pays"
            raise HttpError(
                409,
                f"the quote expired: {quote['amount_text']} now {verb} {quote['total_text']}; "
                f"check the new quote and press {side.capitalize()} again",
                "quote_expired",
                quote=quote,
            )
        token, units, limit = quote["token"], int(quote["amount"]), int(quote["limit"])
        market = self.fg.market
        deadline = self.reader.now() + DEADLINE_SECONDS
        if side == "buy":
            self._require_balance(fan, int(quote["total"]), "this buy", market)
            txs = self._approval(fan, market, limit, "the market")
            data = market.buy.encode_input(token, units, limit, deadline)
            txs.append(transaction(fan, market.address, data, f"buy {quote['amount_text']}"))
        else:
            held = int(self.fg.project.CreatorToken.at(token, detect_proxy=False).balanceOf(fan))
            if held < units:
                raise HttpError(
                    400,
                    f"you hold {format_amount(held, TOKEN_DECIMALS, quote['amount_text'].split()[-1])}, "
                    f"not {quote['amount_text']}",
                    "balance",
                )
            data = market.sell.encode_input(token, units, limit, deadline)
            txs = [transaction(fan, market.address, data, f"sell {quote['amount_text']}")]
        return {"transactions": txs, "deadline": deadline, **quote}
