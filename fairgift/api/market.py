"""Creator tokens: launch, buy, sell on the market's bonding curve, quoted first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from eth_utils import is_address, to_checksum_address

from fairgift import events
from fairgift.amounts import format_amount, format_bps, parse_amount, parse_bps, parse_percent
from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.api.base import DEADLINE_SECONDS, Base, Result
from fairgift.curve import Curve
from fairgift.display import cell
from fairgift.errors import FairGiftError, translated
from fairgift.fees import DEFAULT_CREATOR_FEE_BPS, FeeSchedule
from fairgift.sandwich import DEFAULT_CAP_BPS, Attacker, Trade, exposure, safe_limit

# The default tolerance of buy/sell: the widest limit at which no sandwich pays (fairgift.sandwich),
# never wider than DEFAULT_CAP_BPS (1%). An explicit tolerance ("0.5%") is sent as asked.
DEFAULT_SLIPPAGE = "safe"
TOKEN_DECIMALS = 18
_WHO = {
    Attacker.OUTSIDER: "anyone",
    Attacker.CREATOR: "the token's creator",
    Attacker.TREASURY: "the protocol's treasury",
}


def is_safe_default(slippage) -> bool:
    """Whether `slippage` asks for the sandwich-safe default rather than a tolerance."""
    return slippage is None or str(slippage).strip().lower() in ("", DEFAULT_SLIPPAGE)


@dataclass(frozen=True)
class TradeBound:
    """The limit a trade is sent with (`maxCost` of a buy, `minProceeds` of a sell), and one line
    saying what it protects against or exposes."""

    limit: int
    note: str


def with_slippage(value: int, slippage, up: bool) -> int:
    """`value` raised (`up`) or lowered by the fraction `slippage` ("1%", "0.5%"), rounded away
    from the trader's favour."""
    frac = parse_percent(slippage)
    factor = (1 + frac) if up else (1 - frac)
    rounding = ROUND_CEILING if up else ROUND_FLOOR
    return int((Decimal(value) * factor).to_integral_value(rounding=rounding))


@dataclass(frozen=True)
class LaunchPlan:
    """A checked launch: `market.launch(name, symbol, fee_bps, amount, max_cost)`."""

    name: str
    symbol: str
    fee_bps: int
    amount: int  # the first buy, in token base units (0: none)
    max_cost: int  # its limit in the stablecoin's base units (0 without a first buy)


class Market(Base):
    def curve(self) -> Curve:
        """The market's curve: `basePrice()` and `slope()` as the contract holds them."""
        return Curve(int(self.market.basePrice()), int(self.market.slope()))

    def protocol_fee(self) -> FeeSchedule:
        m = self.market
        return FeeSchedule.from_reads(
            m.protocolFeeBps(), m.pendingProtocolFee(), m.MAX_PROTOCOL_FEE_BPS(), m.FEE_CHANGE_DELAY()
        )

    def fan_trade(self, token: str, units: int, is_buy: bool) -> Trade:
        """A trade of `units` of `token` as the market stands now, for fairgift.sandwich."""
        m = self.market
        supply, protocol_bps = int(m.supplyOf(token)), int(m.protocolFeeBps())
        return Trade(self.curve(), supply, units, protocol_bps, int(m.creatorFeeBps(token)), is_buy)

    def trade_bound(
        self, token: str, units: int, quote: int, is_buy: bool, slippage=DEFAULT_SLIPPAGE
    ) -> TradeBound:
        """The limit a trade is sent with when the user names none: `buy`, `sell` and
        `quote_buy`/`quote_sell` all take it from here. By default the sandwich-safe limit (often the
        exact quote: the trade then fails if the price moves rather than being sandwiched); with an
        explicit `slippage`, the quote moved by it, and the note says what sandwich it lets through."""
        trade = self.fan_trade(token, units, is_buy)
        if trade.quote != quote:
            raise FairGiftError("the market moved while quoting (a trade landed in between); quote again")
        usd, more, sign = self.usd, ("pay" if is_buy else "receive"), ("+" if is_buy else "-")
        if is_safe_default(slippage):
            bound = safe_limit(trade)
            if bound.safe is None:
                cap = f"{DEFAULT_CAP_BPS / 100:g}%"
                note = f"no sandwich of this trade pays at any limit: the quote {sign} {cap}"
            elif bound.limit == quote:
                note = "the exact quote: any tolerance lets a sandwich pay (it fails if the price moves)"
            else:
                note = f"the widest limit no sandwich pays at: the quote {sign} {usd(bound.tolerance)}"
            return TradeBound(bound.limit, f"sandwich-safe limit {usd(bound.limit)}, {note}")
        limit = with_slippage(quote, slippage, up=is_buy)
        found = exposure(trade, limit).best
        if found is None:
            return TradeBound(limit, f"limit {usd(limit)} ({slippage}): no sandwich pays at this limit")
        safe = safe_limit(trade).limit
        return TradeBound(
            limit,
            f"limit {usd(limit)} ({slippage}) exposes a sandwich: {_WHO[found.attacker]} trading "
            f"{format_amount(found.front_run, TOKEN_DECIMALS, 'tokens')} just before you takes "
            f"{usd(found.profit)} and you {more} {usd(found.fan_loss)} {'more' if is_buy else 'less'} "
            f"than quoted; the sandwich-safe limit is {usd(safe)} (--slippage {DEFAULT_SLIPPAGE})",
        )

    def creator_token(self, who) -> str:
        """The creator token meant by `who`: a token address; a creator who launched one (address,
        `TEST::N`, keystore alias, or name in the catalogue of creators); or a symbol that exactly
        one token has (a symbol two creators share is refused with the candidates listed)."""
        if isinstance(who, str):
            text = who.strip()
            if text and not is_address(text) and not text.upper().startswith("TEST::"):
                from ape import accounts

                if text not in accounts.aliases and self.creators().get(text) is None:
                    return self.token_by_symbol(text)
        address = self.named_address(who)
        creator_of = to_checksum_address(str(self.market.creatorOf(address)))
        if creator_of != ZERO_ADDRESS:
            return address
        token = to_checksum_address(str(self.market.tokenOf(address)))
        if token == ZERO_ADDRESS:
            raise FairGiftError(f"{address} has not launched a creator token")
        return token

    def launches(self) -> list[events.Event]:
        """The market's `Launched` events, in chain order."""
        return events.source(self).events("CreatorMarket.Launched")

    def token_by_symbol(self, symbol: str) -> str:
        found = [ev for ev in self.launches() if str(ev.args["symbol"]).lower() == symbol.lower()]
        if not found:
            raise FairGiftError(
                f"no creator token with symbol {symbol!r} (nor is it an address, a test account "
                "TEST::N, an account alias or a creator's name)"
            )
        if len(found) > 1:
            catalogue = self.creators()
            listing = "; ".join(
                f"{ev.args['token']} ({cell(ev.args['name'], 32)}, creator {ev.args['creator']}"
                + (f" '{named.name}'" if (named := catalogue.named(ev.args["creator"])) else "")
                + ")"
                for ev in found
            )
            raise FairGiftError(
                f"{len(found)} creator tokens share the symbol {cell(symbol, 16)}: {listing}; "
                "give the creator's name or address, or the token's address"
            )
        return to_checksum_address(found[0].args["token"])

    def launch_plan(
        self, sender, name: str, symbol: str, creator_fee_bps=None, initial_buy="0", slippage=DEFAULT_SLIPPAGE
    ) -> LaunchPlan:
        """What `launch` sends, checked before anything is: a name and a symbol, the creator fee
        under its cap, one token per creator, and the first buy's limit (`max_cost`) with the
        balance to pay it."""
        if not str(name).strip() or not str(symbol).strip():
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
        max_cost = 0
        if amount:
            # No token yet, so no on-chain quote: the model prices the first buy, with the highest
            # protocol fee that can be in force before the transaction's deadline.
            protocol_bps = self.protocol_fee().highest_until(self.now() + DEADLINE_SECONDS)
            quote = self.curve().quote_buy(0, amount, protocol_bps, fee_bps)
            # Nobody can trade the token before the launch's own first buy (same transaction): the
            # sandwich-safe default is the exact quote.
            max_cost = (
                quote.total if is_safe_default(slippage) else with_slippage(quote.total, slippage, up=True)
            )
            self.check_balance(sender, self.stable, max_cost, "the initial buy")
        return LaunchPlan(str(name), str(symbol), fee_bps, amount, max_cost)

    def launch(
        self,
        sender,
        name: str,
        symbol: str,
        creator_fee_bps=None,
        initial_buy="0",
        slippage=DEFAULT_SLIPPAGE,
        approve: bool = True,
        keep_allowance: bool = False,
    ) -> Result:
        """Launch the sender's creator token, buying `initial_buy` tokens first in the same tx. An
        allowance approved for the first buy's limit is set back afterwards unless `keep_allowance`."""
        plan = self.launch_plan(sender, name, symbol, creator_fee_bps, initial_buy, slippage)
        fee_bps, amount, max_cost = plan.fee_bps, plan.amount, plan.max_cost
        result = Result("")
        found = None
        if amount:
            found = self.ensure_allowance(sender, self.stable, self.market, max_cost, approve, result)
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
            self.settle_allowance(sender, self.stable, self.market, found, keep_allowance, result)
        return result

    def buy(
        self,
        sender,
        who,
        amount,
        slippage=DEFAULT_SLIPPAGE,
        max_cost=None,
        approve: bool = True,
        keep_allowance: bool = False,
    ) -> Result:
        """Buy `amount` whole tokens of a creator's token, quoting first; the limit is the
        sandwich-safe one (`trade_bound`), the quote plus `slippage` ("0.5%") or `max_cost` ("12.50
        USDC") when given. The allowance approved for
        the limit is set back to what it was afterwards (what the limit left unspent would otherwise
        stay approved), unless `keep_allowance`; the summary says what stays approved."""
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
            note = f"limit {self.usd(limit)} (--max-cost)"
        else:
            bound = self.trade_bound(token, units, total, is_buy=True, slippage=slippage)
            limit, note = bound.limit, bound.note
        result = Result("")
        self.check_balance(sender, self.stable, total, f"buying {info.fmt(units)}")
        found = self.ensure_allowance(sender, self.stable, self.market, limit, approve, result)
        deadline = self.now() + DEADLINE_SECONDS
        with self.translated_usd("buy"):
            receipt = self.market.buy(token, units, limit, deadline, sender=sender)
        result.receipts.append(receipt)
        trade = next(iter(receipt.decode_logs(self.market.Trade)), None)
        paid = int(trade.value) + int(trade.protocolFee) + int(trade.creatorFee) if trade else total
        result.values.update(token=token, amount=units, cost=paid, quote=total, limit=limit)
        result.summary = (
            f"{note}\n"  # how the limit was chosen first: the last line stays the outcome
            f"bought {info.fmt(units)} for {self.usd(paid)} "
            f"(quoted {self.usd(total)}, limit {self.usd(limit)}; "
            f"fees {self.usd(protocol_fee)} protocol + {self.usd(creator_fee)} creator)"
        )
        result.values["bound_note"] = note
        self.settle_allowance(sender, self.stable, self.market, found, keep_allowance, result)
        return result

    def sell(self, sender, who, amount, slippage=DEFAULT_SLIPPAGE, min_proceeds=None) -> Result:
        """Sell `amount` whole tokens back to the curve, quoting first; the floor is the
        sandwich-safe one (`trade_bound`), the quote less `slippage` ("0.5%") or `min_proceeds` when
        given."""
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
            note = f"floor {self.usd(floor)} (--min-proceeds)"
        else:
            bound = self.trade_bound(token, units, net, is_buy=False, slippage=slippage)
            floor, note = bound.limit, bound.note
        deadline = self.now() + DEADLINE_SECONDS
        with self.translated_usd("sell"):
            receipt = self.market.sell(token, units, floor, deadline, sender=sender)
        trade = next(iter(receipt.decode_logs(self.market.Trade)), None)
        got = int(trade.value) - int(trade.protocolFee) - int(trade.creatorFee) if trade else net
        return Result(
            f"{note}\n"
            f"sold {info.fmt(units)} for {self.usd(got)} (quoted {self.usd(net)}, floor {self.usd(floor)}; "
            f"fees {self.usd(protocol_fee)} protocol + {self.usd(creator_fee)} creator)",
            [receipt],
            {
                "token": token,
                "amount": units,
                "proceeds": got,
                "quote": net,
                "floor": floor,
                "bound_note": note,
            },
        )
