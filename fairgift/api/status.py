"""Everything a user should know before trusting the deployment: addresses, fees in force,
pending changes, caps, treasuries, the curve and the gift catalogue."""

from __future__ import annotations

from fairgift.amounts import format_amount, format_bps
from fairgift.api.fees import Fees, pending_change
from fairgift.api.market import Market
from fairgift.api.tips import Tips
from fairgift.display import cell, table
from fairgift.gifts import amount_in


class Status(Market, Tips, Fees):
    def status(self) -> dict:
        jar, market = self.jar, self.market
        curve = self.curve()
        jar_fee, protocol_fee = self.fee_schedules([("jar", None), ("protocol", None)])
        return {
            "chain_id": self.record.chain_id,
            "genesis": self.record.genesis,
            "block": self.record.block,
            "key": self.record.key,
            "contracts": dict(self.record.contracts),
            "stablecoin": {"address": self.stable.address, "symbol": self.stable.symbol},
            "jar": {
                "owner": str(jar.owner()),
                "treasury": str(jar.treasury()),
                "fee_bps": jar_fee.bps,
                "cap_bps": jar_fee.cap,
                "delay_s": jar_fee.delay,
                "pending": pending_change(jar_fee),
                "stablecoin_allowed": bool(jar.isTokenAllowed(self.stable.address)),
            },
            "market": {
                "owner": str(market.owner()),
                "treasury": str(market.treasury()),
                "protocol_fee_bps": protocol_fee.bps,
                "protocol_cap_bps": protocol_fee.cap,
                "creator_cap_bps": int(market.MAX_CREATOR_FEE_BPS()),
                "delay_s": protocol_fee.delay,
                "pending": pending_change(protocol_fee),
                "base_price": curve.base_price,
                "slope": curve.slope,
            },
            "gifts": {i: {"name": g.name, "price_usd6": g.price_usd6} for i, g in self.gifts().items()},
            "tokens": self.tokens(),
        }

    def tokens(self) -> list[dict]:
        """Every launched creator token: its price now (the next token's marginal price), supply,
        reserve and creator fee. Name and symbol are the creator's words (show them with
        fairgift.display)."""
        market = self.market
        rows = []
        for launch in self.launches():
            token = launch.args["token"]
            supply = int(market.supplyOf(token))
            fee = self.fee_schedule("creator", token)
            rows.append(
                {
                    "token": token,
                    "creator": launch.args["creator"],
                    "name": str(launch.args["name"]),
                    "symbol": str(launch.args["symbol"]),
                    "supply": supply,
                    "price": int(market.priceAt(supply)),
                    "reserve": int(market.reserveOf(token)),
                    "creator_fee_bps": fee.bps,
                    "pending": pending_change(fee),
                }
            )
        return rows

    def status_text(self) -> str:
        s = self.status()
        j, m = s["jar"], s["market"]
        gifts = ", ".join(
            f"#{i} {g['name']} {self.usd(amount_in(g['price_usd6'], 1, self.stable.decimals))}"
            for i, g in s["gifts"].items()
        )
        lines = [
            f"FairGift on {self.record.describe()}",
            *(f"  {name:<14} {addr}" for name, addr in s["contracts"].items()),
            f"stablecoin      {s['stablecoin']['symbol']} {s['stablecoin']['address']} "
            f"(allowed in the jar: {'yes' if j['stablecoin_allowed'] else 'no'})",
            f"tip jar fee     {format_bps(j['fee_bps'])}, cap {format_bps(j['cap_bps'])}, "
            f"rises only after {j['delay_s'] // 86400} days; " + self._pending_text(j["pending"]),
            f"  owner {j['owner']}, treasury {j['treasury']}",
            f"market fee      protocol {format_bps(m['protocol_fee_bps'])} "
            f"(cap {format_bps(m['protocol_cap_bps'])}), "
            f"creator fees capped at {format_bps(m['creator_cap_bps'])}; " + self._pending_text(m["pending"]),
            f"  owner {m['owner']}, treasury {m['treasury']}",
            f"bonding curve   price = {self.usd(m['base_price'])} + {self.usd(m['slope'])} "
            "per token already sold",
            "gift catalogue  " + (gifts or "empty"),
        ]
        tokens = s["tokens"]
        lines.append(f"creator tokens  {len(tokens) or 'none yet'}")
        if tokens:
            body = [
                [
                    cell(t["symbol"], 12),
                    cell(t["name"], 24),
                    self.usd(t["price"]),
                    format_amount(t["supply"], 18),
                    self.usd(t["reserve"]),
                    format_bps(t["creator_fee_bps"]).split(" ")[0]
                    + (f" -> {format_bps(t['pending']['bps']).split(' ')[0]}" if t["pending"] else ""),
                    t["token"],
                ]
                for t in tokens
            ]
            headers = ["symbol", "name", "price", "supply", "reserve", "fee", "token"]
            lines.extend("  " + line for line in table(headers, body, right={2, 3, 4}).splitlines())
        return "\n".join(lines)

    def _pending_text(self, pending) -> str:
        if pending is None:
            return "no pending change"
        return f"pending: {format_bps(pending['bps'])} from {self.date(pending['effective_at'])}"
