"""What an operation would cost or pay, sending nothing: a tip, a gift, a buy or a sell, with the
fee in force (and a scheduled rise that could apply), and the limit a trade would be sent with."""

from __future__ import annotations

from fairgift.amounts import format_bps
from fairgift.api.base import DEADLINE_SECONDS, Result
from fairgift.api.fees import Fees
from fairgift.api.market import DEFAULT_SLIPPAGE, Market
from fairgift.api.tips import Tips
from fairgift.errors import translated
from fairgift.fees import split
from fairgift.gifts import amount_in, parse_quantity


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.2f}%" if whole else "0%"


class Quotes(Market, Tips, Fees):
    def _jar_quote(self, what: str, units: int, info, extra: dict) -> Result:
        schedule = self.fee_schedule("jar")
        now = self.now()
        bps = int(self.jar.feeBpsOf(info.address))
        fee, net = split(units, bps)
        values = {"amount": units, "fee": fee, "net": net, "fee_bps": bps, **extra}
        lines = [
            f"{what}: fee {info.fmt(fee)} ({format_bps(bps)}), creator credited {info.fmt(net)}; nothing sent"
        ]
        pending_bps, effective_at = schedule.pending(now)
        if effective_at:
            later_fee, later_net = split(units, pending_bps)
            values.update(pending_bps=pending_bps, effective_at=effective_at)
            lines.append(
                f"  a rise to {format_bps(pending_bps)} takes effect {self.date(effective_at)}: "
                f"sent after that, the fee is {info.fmt(later_fee)} "
                f"and the creator gets {info.fmt(later_net)}"
            )
        return Result("\n".join(lines), values=values)

    def quote_tip(self, amount, token=None) -> Result:
        """A tip of `amount`: the fee and what the creator is credited."""
        info = self.allowed_token(token)
        units = info.parse(amount)
        return self._jar_quote(f"a tip of {info.fmt(units)}", units, info, {})

    def quote_gift(self, gift, quantity=1, token=None) -> Result:
        """`quantity` of a catalogue gift: its price in the token (sent as the gift's `maxAmount`,
        so a dearer catalogue reverts rather than charges more), the fee, the creator's credit."""
        info = self.allowed_token(token)
        entry = self.find_gift(gift)
        quantity = parse_quantity(quantity)
        units = amount_in(entry.price_usd6, quantity, info.decimals)
        return self._jar_quote(
            f"{quantity} x {entry.name} cost {info.fmt(units)}",
            units,
            info,
            {"gift_id": entry.gift_id, "quantity": quantity},
        )

    def quote_buy(self, who, amount, slippage=DEFAULT_SLIPPAGE) -> Result:
        """Buying `amount` tokens now: the cost with its fees and the limit `buy` would send."""
        return self._trade_quote(who, amount, True, slippage)

    def quote_sell(self, who, amount, slippage=DEFAULT_SLIPPAGE) -> Result:
        """Selling `amount` tokens now: the proceeds after fees and the floor `sell` would send."""
        return self._trade_quote(who, amount, False, slippage)

    def _trade_quote(self, who, amount, is_buy: bool, slippage) -> Result:
        token = self.creator_token(who)
        info = self.token_info(token)
        units = info.parse(amount)
        with translated("quote"):
            quoted = self.market.quoteBuy(token, units) if is_buy else self.market.quoteSell(token, units)
        total, protocol_fee, creator_fee = (int(x) for x in quoted)
        value = total - protocol_fee - creator_fee if is_buy else total + protocol_fee + creator_fee
        bound = self.trade_bound(token, units, total, is_buy=is_buy, slippage=slippage)
        tolerance = abs(bound.limit - total)
        verb, limit_name = ("buying", "maxCost") if is_buy else ("selling", "minProceeds")
        pays = "costs" if is_buy else "pays"
        lines = [
            f"{verb} {info.fmt(units)} {pays} {self.usd(total)} now: curve value {self.usd(value)}, "
            f"protocol fee {self.usd(protocol_fee)}, creator fee {self.usd(creator_fee)}; nothing sent",
            f"  sent with {limit_name} {self.usd(bound.limit)}: a tolerance of {self.usd(tolerance)} "
            f"({_share(tolerance, total)} of the quote), valid {DEADLINE_SECONDS // 60} minutes",
            f"  {bound.note}",
        ]
        values = {
            "token": token,
            "amount": units,
            "total": total,
            "value": value,
            "protocol_fee": protocol_fee,
            "creator_fee": creator_fee,
            "limit": bound.limit,
            "tolerance": tolerance,
            "bound_note": bound.note,
        }
        return Result("\n".join(lines), values=values)
