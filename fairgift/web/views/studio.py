"""What the creator's dashboard (`/studio`) shows the connected creator: the credit waiting in the
jar (by token) and on the market, where payouts go, the splits, the token and its fee, what fans
sent (totals, by day, top supporters, the tips and gifts with their messages, paged and searchable
by fan) and the fee history that applied.

Every figure comes from the `fairgift` API (`tips`, `fee_timelines`, `fee_schedule`, `splits_of`)
read through the `Reader`; the page computes nothing itself. The CSV is the CLI's own
(`ape run fairgift tips --csv`: `FairGift.tips_csv_text` over the same rows).
"""

from __future__ import annotations

import datetime as _dt

from eth_utils import is_address, to_checksum_address

from fairgift import events
from fairgift.amounts import format_bps
from fairgift.api import ZERO_ADDRESS, FairGift
from fairgift.web.http import HttpError
from fairgift.web.views.creators import Creators
from fairgift.web.views.icons import gift_icon
from fairgift.web.views.text import days, message_fields, short

TIPS_PAGE = 20  # tips and gifts per page of the dashboard
MAX_TIPS_PAGE = 100
TOP_SUPPORTERS = 5
CHART_DAYS = 30  # the chart's days: the last 30 days up to the newest tip


class Studio:
    """The connected creator's dashboard, read at one block."""

    def __init__(self, creators: Creators):
        self.creators = creators
        self.reader = creators.reader
        self.fg: FairGift = creators.fg

    # ------------------------------------------------------------------ who

    def creator(self, who: str) -> str:
        """The dashboard's creator: the connected wallet's address (a name in the catalogue too)."""
        text = str(who or "").strip()
        if not is_address(text):
            return self.creators.resolve(text).address
        address = to_checksum_address(text)
        if address == ZERO_ADDRESS:
            raise HttpError(400, "connect a wallet first", "no_wallet")
        return address

    # ------------------------------------------------------------------ the whole dashboard

    def state(self, who: str) -> dict:
        creator = self.creator(who)
        named = self.creators.catalogue.named(creator) if self.creators.catalogue else None
        rows = self.rows(creator)
        return {
            "chain": {"id": self.reader.chain_id, "id_hex": hex(self.reader.chain_id)},
            "now": self.reader.now(),
            "creator": {
                "address": creator,
                "name": named.name if named else None,
                "label": named.label if named else short(creator),
                "page": f"/c/{named.name if named else creator}",
            },
            "stablecoin": self.creators.stable(),
            "credits": self.credits(creator),
            "payout": self.payout(creator),
            "splits": self.splits(creator),
            "token": self.token(creator),
            "totals": self.totals(rows),
            "supporters": self.supporters(rows),
            "days": self.by_day(rows),
            "tips": self.tips_page(creator, "", 0, TIPS_PAGE),
            "fees": self.fee_history(creator),
        }

    # ------------------------------------------------------------------ money waiting

    def credits(self, creator: str) -> dict:
        """The creator's credit in the jar by listed token, and the market's fees owed."""
        jar, market = self.fg.jar, self.fg.market
        tokens = [to_checksum_address(str(t)) for t in jar.listedTokens()]
        reads = self.reader.reads()
        for token in tokens:
            reads.add(jar, "balanceOf", creator, token)
        reads.add(market, "balanceOf", creator)
        values = reads.run()
        jar_credits = []
        for token, amount in zip(tokens, values[:-1], strict=True):
            info = self.fg.token_info(token)
            jar_credits.append(
                {
                    "token": token,
                    "symbol": info.symbol,
                    "amount": str(int(amount)),
                    "text": info.fmt(int(amount)),
                }
            )
        owed = int(values[-1])
        return {"jar": jar_credits, "market": {"amount": str(owed), "text": self.fg.usd(owed)}}

    def payout(self, creator: str) -> dict:
        reads = self.reader.reads()
        reads.add(self.fg.jar, "payoutOf", creator)
        reads.add(self.fg.market, "payoutOf", creator)
        jar_to, market_to = (to_checksum_address(str(v)) for v in reads.run())
        return {
            "jar": jar_to,
            "market": market_to,
            "jar_is_self": jar_to == creator,
            "market_is_self": market_to == creator,
        }

    def splits(self, creator: str) -> list[dict]:
        """The splits the creator made or is paid by, each with its payees and what it owes them
        in the stablecoin now."""
        if self.fg.factory is None:
            return []
        found = events.source(self.fg).events("SplitFactory.SplitCreated")
        listed = []
        stable = self.fg.stable
        for ev in found:
            payees = [to_checksum_address(p) for p in ev.args["payees"]]
            made_by = to_checksum_address(ev.args["creator"])
            if made_by != creator and creator not in payees:
                continue
            split = to_checksum_address(ev.args["split"])
            reads = self.reader.reads()
            for payee in payees:
                reads.add(
                    self.fg.project.RevenueSplit.at(split, detect_proxy=False),
                    "releasable",
                    stable.address,
                    payee,
                )
            owed = [int(v) for v in reads.run()]
            listed.append(
                {
                    "address": split,
                    "made_by_you": made_by == creator,
                    "payees": [
                        {
                            "address": payee,
                            "bps": int(bps),
                            "share_text": format_bps(int(bps)),
                            "owed": str(amount),
                            "owed_text": stable.fmt(amount),
                        }
                        for payee, bps, amount in zip(payees, ev.args["sharesBps"], owed, strict=True)
                    ],
                    "owed": str(sum(owed)),
                    "owed_text": stable.fmt(sum(owed)),
                }
            )
        return listed

    # ------------------------------------------------------------------ the token

    def token(self, creator: str) -> dict | None:
        token = self.reader.token_of(creator)
        if token is None:
            return None
        info = self.creators.token(creator)
        schedule = self.reader.schedule("creator", token)
        now = self.reader.now()
        bps = schedule.current(now)
        pending_bps, effective_at = schedule.pending(now)
        return {
            **info,
            "fee": {
                "bps": bps,
                "text": format_bps(bps),
                "cap_bps": schedule.cap,
                "cap_text": format_bps(schedule.cap),
                "delay_text": days(schedule.delay),
                "pending": None
                if not effective_at
                else {
                    "bps": pending_bps,
                    "text": format_bps(pending_bps),
                    "effective_at": effective_at,
                    "date": FairGift.date(effective_at),
                },
            },
        }

    # ------------------------------------------------------------------ what fans sent

    def rows(self, creator: str) -> list:
        """Every tip and gift to the creator, newest first (`FairGift.tips`, the CLI's rows)."""
        return self.reader.per_block(("studio-tips", creator), lambda: self.fg.tips(creator))

    def totals(self, rows: list) -> dict:
        by_token: dict[str, list[int]] = {}
        for r in rows:
            sums = by_token.setdefault(r.token, [0, 0, 0])
            sums[0] += r.amount
            sums[1] += r.fee
            sums[2] += r.net
        return {
            "count": len(rows),
            "gifts": sum(1 for r in rows if r.gift_id),
            "fans": len({r.fan for r in rows}),
            "by_token": [
                {
                    "token": token,
                    "sent_text": self.fg.token_info(token).fmt(sent),
                    "fee_text": self.fg.token_info(token).fmt(fee),
                    "net": str(net),
                    "net_text": self.fg.token_info(token).fmt(net),
                }
                for token, (sent, fee, net) in by_token.items()
            ],
        }

    def supporters(self, rows: list, top: int = TOP_SUPPORTERS) -> list[dict]:
        """The fans who sent the most in the stablecoin, with how many tips and gifts."""
        stable = self.fg.stable
        sums: dict[str, list[int]] = {}
        for r in rows:
            if r.token != stable.address:
                continue
            entry = sums.setdefault(r.fan, [0, 0])
            entry[0] += r.amount
            entry[1] += 1
        ranked = sorted(sums.items(), key=lambda item: (-item[1][0], item[0]))[:top]
        return [
            {"fan": fan, "short": short(fan), "amount": str(total), "text": stable.fmt(total), "count": count}
            for fan, (total, count) in ranked
        ]

    def by_day(self, rows: list, span: int = CHART_DAYS) -> dict:
        """What the creator received (net, in the stablecoin) on each UTC day of the `span` days
        ending on the newest tip's day (days without tips included as zero)."""
        stable = self.fg.stable
        sums: dict[_dt.date, list[int]] = {}
        for r in rows:
            if r.token != stable.address:
                continue
            day = _dt.datetime.fromtimestamp(r.timestamp, _dt.UTC).date()
            entry = sums.setdefault(day, [0, 0])
            entry[0] += r.net
            entry[1] += 1
        if not sums:
            return {"symbol": stable.symbol, "days": []}
        last = max(sums)
        listed = []
        for back in range(span - 1, -1, -1):
            day = last - _dt.timedelta(days=back)
            net, count = sums.get(day, [0, 0])
            listed.append({"date": day.isoformat(), "net": str(net), "text": stable.fmt(net), "count": count})
        return {"symbol": stable.symbol, "days": listed}

    def tips_page(self, creator: str, fan: str, offset: int, limit: int) -> dict:
        """One page of the creator's tips and gifts, newest first; `fan` keeps the fans whose
        address contains it (a prefix or a whole address, case-insensitive)."""
        rows = self.rows(creator)
        needle = str(fan or "").strip().lower()
        if needle:
            rows = [r for r in rows if needle in r.fan.lower()]
        limit = max(1, min(int(limit), MAX_TIPS_PAGE))
        shown = rows[offset : offset + limit]
        return {
            "items": [
                {
                    "fan": r.fan,
                    "short": short(r.fan),
                    "amount_text": self.fg.token_info(r.token).fmt(r.amount),
                    "net_text": self.fg.token_info(r.token).fmt(r.net),
                    "fee_text": self.fg.token_info(r.token).fmt(r.fee),
                    "gift": r.gift or None,
                    "quantity": r.quantity,
                    "icon": gift_icon(r.gift) if r.gift else None,
                    **message_fields(r.message),
                    "date": FairGift.date(r.timestamp),
                    "time": r.timestamp,
                    "tx": r.tx,
                }
                for r in shown
            ],
            "offset": offset,
            "total": len(rows),
            "more": offset + limit < len(rows),
            "fan": needle,
        }

    def csv(self, who: str) -> str:
        """The creator's tips and gifts as the CLI's CSV (`ape run fairgift tips CREATOR --csv`)."""
        return self.fg.tips_csv_text(self.rows(self.creator(who)))

    # ------------------------------------------------------------------ fees that applied

    def fee_history(self, creator: str) -> list[dict]:
        """The tip jar's fee and the creator's token fee, each with every change in its history."""
        token = self.reader.token_of(creator)
        keep = {"jar", f"creator:{token}"} if token else {"jar"}
        timelines = self.reader.per_block("studio-fees", self.fg.fee_timelines)
        now = self.reader.now()
        listed = []
        for timeline in timelines:
            if timeline.key not in keep:
                continue
            listed.append(
                {
                    "key": "jar" if timeline.key == "jar" else "creator",
                    "label": timeline.label + " fee",
                    "now_text": format_bps(timeline.replay().current(now)),
                    "entries": [fee_entry(e) for e in timeline.entries(now)],
                }
            )
        return listed


def fee_entry(e) -> dict:
    """One step of a fee's history (`fairgift.history.FeeEntry`) in words."""
    old, new = format_bps(e.old_bps), format_bps(e.new_bps)
    text = {
        "initial": f"set at {new}",
        "changed": f"{'lowered' if e.new_bps < e.old_bps else 'restated'} {old} -> {new}, in force at once",
        "scheduled": f"rise {old} -> {new} scheduled, in force from {FairGift.date(e.effective_at)}",
        "matured": f"the scheduled rise to {new} took effect",
        "cancelled": f"pending rise to {old} cancelled; {new} stays",
    }[e.kind]
    return {"kind": e.kind, "date": FairGift.date(e.timestamp), "block": e.block, "tx": e.tx, "text": text}
