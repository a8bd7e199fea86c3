"""Creator tokens: launch, buy, sell on the market's bonding curve, quoted first."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from eth_utils import is_address, to_checksum_address

from fairgift import events
from fairgift.amounts import format_amount, format_bps, parse_amount, parse_bps, parse_percent
from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.api.base import DEADLINE_SECONDS, Base, Result
from fairgift.curve import Curve
from fairgift.errors import FairGiftError, translated
from fairgift.fees import DEFAULT_CREATOR_FEE_BPS, FeeSchedule

DEFAULT_SLIPPAGE = "1%"
TOKEN_DECIMALS = 18


def with_slippage(value: int, slippage, up: bool) -> int:
    """`value` raised (`up`) or lowered by the fraction `slippage` ("1%", "0.5%"), rounded away
    from the trader's favour."""
    frac = parse_percent(slippage)
    factor = (1 + frac) if up else (1 - frac)
    rounding = ROUND_CEILING if up else ROUND_FLOOR
    return int((Decimal(value) * factor).to_integral_value(rounding=rounding))


class Market(Base):
    def curve(self) -> Curve:
        """The market's curve: `basePrice()` and `slope()` as the contract holds them."""
        return Curve(int(self.market.basePrice()), int(self.market.slope()))

    def protocol_fee(self) -> FeeSchedule:
        m = self.market
        return FeeSchedule.from_reads(
            m.protocolFeeBps(), m.pendingProtocolFee(), m.MAX_PROTOCOL_FEE_BPS(), m.FEE_CHANGE_DELAY()
        )

    def creator_token(self, who) -> str:
        """The token of a creator (address, alias, TEST::N) or a token address, or a token symbol."""
        if isinstance(who, str) and not is_address(who) and not who.upper().startswith("TEST::"):
            from ape import accounts

            if who not in accounts.aliases:
                for launch in events.source(self).events("Launched"):
                    if str(launch.args["symbol"]).lower() == who.lower():
                        return to_checksum_address(launch.args["token"])
                raise FairGiftError(f"no creator token with symbol {who!r}")
        address = address_of(who)
        creator_of = to_checksum_address(str(self.market.creatorOf(address)))
        if creator_of != ZERO_ADDRESS:
            return address
        token = to_checksum_address(str(self.market.tokenOf(address)))
        if token == ZERO_ADDRESS:
            raise FairGiftError(f"{address} has not launched a creator token")
        return token

    def launch(
        self,
        sender,
        name: str,
        symbol: str,
        creator_fee_bps=None,
        initial_buy="0",
        slippage=DEFAULT_SLIPPAGE,
        approve: bool = True,
    ) -> Result:
        """Launch the sender's creator token, buying `initial_buy` tokens first in the same tx."""
        if not name.strip() or not symbol.strip():
            raise FairGiftError("a token needs a name and a symbol")
        fee_bps = parse_bps(DEFAULT_CREATOR_FEE_BPS if creator_fee_bps is None else creator_fee_bps)
        cap = int(self.market.MAX_CREATOR_FEE_BPS())
        if fee_bps > cap:
            raise FairGiftError(
                f"a creator fee of {format_bps(fee_bps)} is above the cap of {format_bps(cap)}"
            )
        existing = to_checksum_address(str(self.market.tokenOf(sender)))
        if existing != ZERO_ADDRESS:
            raise FairGiftError(
                f"{address_of(sender)} already launched a token ({existing}); one per creator"
            )
        amount = parse_amount(initial_buy, TOKEN_DECIMALS, symbol, allow_zero=True)
        result = Result("")
        max_cost = 0
        if amount:
            # No token yet, so no on-chain quote: the model prices the first buy, with the highest
            # protocol fee that can be in force before the transaction's deadline.
            protocol_bps = self.protocol_fee().highest_until(self.now() + DEADLINE_SECONDS)
            quote = self.curve().quote_buy(0, amount, protocol_bps, fee_bps)
            max_cost = with_slippage(quote.total, slippage, up=True)
            self.check_balance(sender, self.stable, max_cost, "the initial buy")
            self.ensure_allowance(sender, self.stable, self.market, max_cost, approve, result)
        with self.translated_usd("launch"):
            receipt = self.market.launch(name, symbol, fee_bps, amount, max_cost, sender=sender)
        result.receipts.append(receipt)
        token = to_checksum_address(str(self.market.tokenOf(sender)))
        cost = sum(
            int(t.value) + int(t.protocolFee) + int(t.creatorFee)
            for t in receipt.decode_logs(self.market.Trade)
        )
        result.values.update(token=token, amount=amount, cost=cost)
        result.summary = f"launched {name} ({symbol}) at {token}, creator fee {format_bps(fee_bps)}"
        if amount:
            result.summary += f"; bought the first {format_amount(amount, 18, symbol)} for {self.usd(cost)}"
        return result

    def buy(
        self, sender, who, amount, slippage=DEFAULT_SLIPPAGE, max_cost=None, approve: bool = True
    ) -> Result:
        """Buy `amount` whole tokens of a creator's token, quoting first; the limit is the quote plus
        `slippage` (default 1%) or `max_cost` ("12.50 USDC") when given."""
        token = self.creator_token(who)
        info = self.token_info(token)
        units = info.parse(amount)
        with translated("quote"):
            total, protocol_fee, creator_fee = (int(x) for x in self.market.quoteBuy(token, units))
        if max_cost is not None:
            limit = self.parse_usd(max_cost)
            if total > limit:
                raise FairGiftError(
                    f"slippage exceeded: buying {info.fmt(units)} costs {self.usd(total)}, "
                    f"above your limit of {self.usd(limit)}"
                )
        else:
            limit = with_slippage(total, slippage, up=True)
        result = Result("")
        self.check_balance(sender, self.stable, total, f"buying {info.fmt(units)}")
        self.ensure_allowance(sender, self.stable, self.market, limit, approve, result)
        deadline = self.now() + DEADLINE_SECONDS
        with self.translated_usd("buy"):
            receipt = self.market.buy(token, units, limit, deadline, sender=sender)
        result.receipts.append(receipt)
        trade = next(iter(receipt.decode_logs(self.market.Trade)), None)
        paid = int(trade.value) + int(trade.protocolFee) + int(trade.creatorFee) if trade else total
        result.values.update(token=token, amount=units, cost=paid, quote=total, limit=limit)
        result.summary = (
            f"bought {info.fmt(units)} for {self.usd(paid)} "
            f"(quoted {self.usd(total)}, limit {self.usd(limit)}; "
            f"fees {self.usd(protocol_fee)} protocol + {self.usd(creator_fee)} creator)"
        )
        return result

    def sell(self, sender, who, amount, slippage=DEFAULT_SLIPPAGE, min_proceeds=None) -> Result:
        """Sell `amount` whole tokens back to the curve, quoting first; the floor is the quote less
        `slippage` (default 1%) or `min_proceeds` when given."""
        token = self.creator_token(who)
        info = self.token_info(token)
        units = info.parse(amount)
        held = int(self.erc20(token).balanceOf(sender))
        if held < units:
            raise FairGiftError(
                f"not enough {info.symbol} to sell: {address_of(sender)} has {info.fmt(held)}, "
                f"wants to sell {info.fmt(units)}"
            )
        with translated("quote"):
            net, protocol_fee, creator_fee = (int(x) for x in self.market.quoteSell(token, units))
        if min_proceeds is not None:
            floor = self.parse_usd(min_proceeds, allow_zero=True)
            if net < floor:
                raise FairGiftError(
                    f"slippage exceeded: selling {info.fmt(units)} returns {self.usd(net)}, "
                    f"below your floor of {self.usd(floor)}"
                )
        else:
            floor = with_slippage(net, slippage, up=False)
        deadline = self.now() + DEADLINE_SECONDS
        with self.translated_usd("sell"):
            receipt = self.market.sell(token, units, floor, deadline, sender=sender)
        trade = next(iter(receipt.decode_logs(self.market.Trade)), None)
        got = int(trade.value) - int(trade.protocolFee) - int(trade.creatorFee) if trade else net
        return Result(
            f"sold {info.fmt(units)} for {self.usd(got)} (quoted {self.usd(net)}, floor {self.usd(floor)}; "
            f"fees {self.usd(protocol_fee)} protocol + {self.usd(creator_fee)} creator)",
            [receipt],
            {"token": token, "amount": units, "proceeds": got, "quote": net, "floor": floor},
        )
