"""What a creator's page shows: who the creator is, the fee in force, the gifts, the token, the
newest tips; and the list of named creators.

Every figure comes from the `fairgift` API and the models, read through the `Reader` (batched at one
block, cached until the next); the page computes nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from eth_utils import is_address, to_checksum_address
from web3.exceptions import TransactionNotFound

from fairgift import events
from fairgift.amounts import format_amount, format_bps
from fairgift.api import ZERO_ADDRESS, FairGift
from fairgift.creators import Catalogue
from fairgift.history import TipRow, tip_rows
from fairgift.platforms import PLATFORMS
from fairgift.web.http import HttpError
from fairgift.web.views.icons import gift_icon
from fairgift.web.views.reader import Reader
from fairgift.web.views.relay_terms import RelayTerms
from fairgift.web.views.text import (
    MAX_FULL_CHARS,
    TOKEN_DECIMALS,
    TOLERANCE_TEXT,
    clip,
    days,
    message_fields,
    short,
)

RECENT_LIMIT = 20  # tips and gifts on a page, newest first; older ones page in
MAX_RECENT = 100  # the most one request for older tips returns
MAX_MESSAGE_CHARS = 280  # what the page lets a fan write (the relayer may bound it further)


@dataclass(frozen=True)
class Resolved:
    address: str
    name: str | None  # the catalogue's name, if registered
    label: str


class Creators:
    """A creator's page state, and the catalogue of named creators."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.service = reader.service
        self.fg = reader.fg
        self.catalogue = reader.catalogue
        self.relay = RelayTerms(self)  # the relay policy in the fan's words (None: no relayer)

    def resolve(self, who: str) -> Resolved:
        text = str(who).strip()
        if is_address(text):
            address = to_checksum_address(text)
            if address == ZERO_ADDRESS or address in (self.fg.jar.address, self.fg.market.address):
                raise HttpError(404, f"{address} cannot receive tips", "unknown_creator")
            entry = self.catalogue.named(address) if self.catalogue else None
            return Resolved(address, entry.name if entry else None, entry.label if entry else short(address))
        entry = self.catalogue.get(text) if self.catalogue else None
        if entry is None:
            raise HttpError(
                404,
                f"no creator named {text[:40]!r} here; check the link, or use the creator's address",
                "unknown_creator",
            )
        return Resolved(entry.address, entry.name, entry.label)

    def listing(self) -> list[dict]:
        listed = []
        seen = set()
        for entry in self.catalogue.all() if self.catalogue else []:
            seen.add(entry.address)
            listed.append(
                {
                    "name": entry.name,
                    "label": entry.label,
                    "address": entry.address,
                    "url": f"/c/{entry.name}",
                }
            )
        return listed

    def stable(self) -> dict:
        info = self.fg.stable
        return {"address": info.address, "symbol": info.symbol, "decimals": info.decimals}

    def fee(self) -> dict:
        """The tip jar's fee for the next transaction (at the chain's clock now), its cap and any
        scheduled rise: the jar's stored schedule read once per block, evaluated by the fee model."""
        schedule = self.reader.schedule("jar")
        now = self.reader.now()
        bps = schedule.current(now)
        pending_bps, effective_at = schedule.pending(now)
        pending = None
        if effective_at:
            pending = {
                "bps": pending_bps,
                "text": format_bps(pending_bps),
                "effective_at": effective_at,
                "date": FairGift.date(effective_at),
            }
        return {
            "bps": bps,
            "text": format_bps(bps),
            "cap_bps": schedule.cap,
            "cap_text": format_bps(schedule.cap),
            "delay_s": schedule.delay,
            "delay_text": days(schedule.delay),
            "pending": pending,
        }

    def gifts(self) -> list[dict]:
        decimals = self.fg.stable.decimals
        return [
            {
                "id": gift.gift_id,
                "name": gift.name,
                "price": str(gift.amount_in(decimals)),
                "price_text": self.fg.usd(gift.amount_in(decimals)),
                "icon": gift_icon(gift.name),
            }
            for gift in self.reader.gift_catalogue().values()
        ]

    def token(self, creator: str) -> dict | None:
        token = self.reader.token_of(creator)
        if token is None:
            return None
        market = self.fg.market
        meta = self.reader.once(f"meta:{token}", lambda: self.reader.token_meta(token))

        def read():
            reads = self.reader.reads()
            reads.add(market, "supplyOf", token)
            reads.add(market, "reserveOf", token)
            supply, reserve = reads.run()
            return int(supply), int(reserve)

        supply, reserve = self.reader.per_block(("token", token), read)
        curve = self.reader.once("curve", self.fg.curve)
        price = curve.price_at(supply)
        now = self.reader.now()
        protocol_bps = self.reader.schedule("protocol").current(now)
        creator_schedule = self.reader.schedule("creator", token)
        creator_bps = creator_schedule.current(now)
        # A scheduled rise of the creator's fee is shown to fans as soon as it is scheduled.
        rise_bps, rise_at = creator_schedule.pending(now)
        rise = None
        if rise_at:
            rise = {
                "bps": rise_bps,
                "text": format_bps(rise_bps),
                "effective_at": rise_at,
                "date": FairGift.date(rise_at),
            }
        symbol = meta["symbol"]
        return {
            "address": token,
            "name": meta["name"],
            "symbol": symbol,
            "decimals": TOKEN_DECIMALS,
            "supply": str(supply),
            "supply_text": format_amount(supply, TOKEN_DECIMALS, symbol),
            "reserve": str(reserve),
            "reserve_text": self.fg.usd(reserve),
            "price": str(price),
            "price_text": self.fg.usd(price) + f" per {symbol}",
            "protocol_fee_bps": protocol_bps,
            "protocol_fee_text": format_bps(protocol_bps),
            "creator_fee_bps": creator_bps,
            "creator_fee_text": format_bps(creator_bps)
            + (f", rising to {rise['text']} on {rise['date']}" if rise else ""),
            "creator_fee_pending": rise,
            "tolerance_text": TOLERANCE_TEXT,
        }

    def recent(self, creator: str, limit: int = RECENT_LIMIT, before: str | None = None) -> dict:
        """The newest tips and gifts to `creator` with their messages, newest first; `before` is
        the cursor of the previous page ("block:log_index")."""
        limit = max(1, min(int(limit), MAX_RECENT))
        cursor = parse_cursor(before)
        rows = self.reader.per_block(
            ("recent", creator, limit, cursor), lambda: self._recent_rows(creator, limit + 1, cursor)
        )
        more = len(rows) > limit
        items = []
        for row in rows[:limit]:
            info = self.fg.token_info(row.token)
            items.append(
                {
                    "fan": row.fan,
                    "amount": str(row.amount),
                    "amount_text": info.fmt(row.amount),
                    "fee_text": info.fmt(row.fee),
                    "gift_id": row.gift_id or None,
                    "gift": row.gift if row.gift_id else None,  # its name when it was sent
                    # how many: exact (amount / the gift's price at that log, see `_recent_rows`)
                    "quantity": (row.quantity or None) if row.gift_id else None,
                    "icon": gift_icon(row.gift) if row.gift_id else None,
                    **message_fields(row.message),
                    "time": row.timestamp,
                    "date": FairGift.date(row.timestamp) if row.timestamp else "",
                    "tx": row.tx,
                    "cursor": f"{row.block}:{row.log_index}",
                }
            )
            if items[-1]["truncated"]:  # where the whole message is
                items[-1]["full"] = f"/api/creators/{creator}/tips/{row.tx}/{row.log_index}"
        return {"items": items, "more": more}

    def one_tip(self, creator: str, tx_hash: str, log_index: int) -> dict:
        """The tip (or gift) to `creator` logged at `log_index` of `tx_hash`, with its whole
        message (neutralised; at most MAX_FULL_CHARS characters), or 404."""
        web3 = self.fg.chain.provider.web3
        try:
            web3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            raise HttpError(404, f"no mined transaction {tx_hash[:12]}…", "not_found") from None
        receipt = self.fg.chain.provider.get_receipt(tx_hash)
        for log in receipt.decode_logs(self.fg.jar.Tipped):
            if (
                int(log.log_index) == log_index
                and to_checksum_address(str(log.contract_address)) == self.fg.jar.address
                and to_checksum_address(str(log.creator)) == creator
            ):
                info = self.fg.token_info(str(log.token))
                return {
                    "fan": to_checksum_address(str(log.fan)),
                    "amount": str(int(log.amount)),
                    "amount_text": info.fmt(int(log.amount)),
                    **message_fields(log.message, MAX_FULL_CHARS),
                    "tx": tx_hash,
                    "cursor": f"{int(log.block_number)}:{log_index}",
                }
        raise HttpError(404, "no tip to this creator there", "not_found")

    def _recent_rows(self, creator: str, limit: int, cursor: tuple[int, int] | None) -> list[TipRow]:
        """The newest `limit` Tipped events to `creator` before `cursor`, as `fairgift.history`
        rows: from the index when the service has one or `fairgift.events` finds a current one, else
        from a scan of the chain.

        A gift's quantity is not in the event (`Tipped` has `giftId` and `amount`), but it is exact
        to recover: `sendGift` charges `priceUsd6 * quantity` scaled to the token's decimals, and
        the price in force is the last `GiftSet` of that gift before the log (by block and log
        index), so `tip_rows` replays the jar's `GiftSet` events up to the newest row and divides."""
        index = getattr(self.service, "index", None)
        source = None
        if index is None:
            source = events.source(self.fg)
            index = getattr(source, "index", None)
        if index is not None and hasattr(index, "recent_tips"):
            # The index answers newest-first with a LIMIT (plus a scan of blocks after its cursor).
            found = index.recent_tips(creator, limit, before=cursor)
            source = index.source() if hasattr(index, "source") else source
        else:
            source = source or events.source(self.fg)
            found = walk_back(source, self.fg, limit, cursor, creator)
        if not found:
            return []
        catalogue = []
        if any(int(e.args["giftId"]) for e in found):
            newest = max(e.block for e in found)
            catalogue = self.reader.per_block(
                ("gift-sets", newest),
                lambda: (source or events.source(self.fg)).events("TipJar.GiftSet", to_block=newest),
            )
        rows = tip_rows([*catalogue, *found], lambda token: self.fg.token_info(token).decimals)
        return [replace(row, message=clip(row.message)) for row in rows]  # cached: no 40 KB kept

    def state(self, who: str) -> dict:
        """Everything the creator page shows at first render, in one document."""
        creator = self.resolve(who)
        return {
            "chain": {"id": self.reader.chain_id, "id_hex": hex(self.reader.chain_id)},
            "now": self.reader.now(),
            "creator": {"address": creator.address, "name": creator.name, "label": creator.label},
            "contracts": {"jar": self.fg.jar.address, "market": self.fg.market.address},
            "stablecoin": self.stable(),
            "fee": self.fee(),
            "gifts": self.gifts(),
            "platforms": [{"name": m.name, "source": m.source, "note": m.note} for m in PLATFORMS],
            "token": self.token(creator.address),
            "recent": self.recent(creator.address),
            "max_message": self.max_message(),
            "gasless": getattr(self.service, "relayer", None) is not None,
            "relay": self.relay.terms(),
        }

    def max_message(self) -> int:
        """The longest message the page lets a fan write: the relayer's bound when it relays
        (it counts UTF-8 bytes; the page counts characters, the stricter measure for ASCII)."""
        relayer = getattr(self.service, "relayer", None)
        bound = getattr(getattr(relayer, "config", None), "max_message_bytes", None)
        return min(MAX_MESSAGE_CHARS, int(bound)) if bound else MAX_MESSAGE_CHARS


def parse_cursor(before) -> tuple[int, int] | None:
    if before in (None, ""):
        return None
    try:
        block, index = (int(part) for part in str(before).split(":"))
    except ValueError as err:
        raise HttpError(400, "bad cursor", "bad_request") from err
    if not (0 <= block < 2**63 and 0 <= index < 2**31):  # what the index's integer columns hold
        raise HttpError(400, "bad cursor", "bad_request")
    return block, index


def walk_back(source, fg, limit: int, cursor: tuple[int, int] | None, creator: str) -> list:
    """Newest-first events from a source that only reads forward: widening block windows back from
    the head (or the cursor) until `limit` are found or the deployment's first block is reached."""
    first = int(fg.record.block)
    stop = cursor[0] if cursor else int(fg.chain.blocks.head.number)
    window, found = 256, []
    while stop >= first and len(found) < limit:
        start = max(first, stop - window + 1)
        chunk = source.events("TipJar.Tipped", from_block=start, to_block=stop, creator=creator)
        if cursor:
            chunk = [e for e in chunk if (e.block, e.log_index) < cursor]
        found.extend(sorted(chunk, key=lambda e: (e.block, e.log_index), reverse=True))
        stop, window = start - 1, window * 4
    return found[:limit]


def page_urls(service, base_url: str) -> list[str]:
    """Lines for `serve` to print: where the fans' pages are."""
    base = base_url.rstrip("/")
    catalogue = getattr(service, "creators", None) or Catalogue.for_record(
        service.fg.record, getattr(service.fg, "store", None)
    )
    named = catalogue.all()
    lines = [f"fans' pages: {base}/ lists the creators"]
    if named:
        lines += [f"  {entry.label}: {base}/c/{entry.name}" for entry in named[:5]]
        if len(named) > 5:
            lines.append(f"  … and {len(named) - 5} more")
    else:
        lines.append(
            f"  any creator's page: {base}/c/<address>; name one with "
            "`ape run fairgift creators add NAME ADDRESS`"
        )
    return lines
