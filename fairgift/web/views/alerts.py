"""What the stream overlay shows: a creator's tips and gifts after a position in the chain, as
alerts, in chain order (the overlay's server-sent events, `fairgift.web.routes.overlay`).

An alert's `id` is `"<block>:<log index>"`: it totally orders a creator's tips, it is the SSE
`id:` the browser sends back as `Last-Event-ID` when it reconnects, and the page de-duplicates by
it. Only what the index has committed is read (never the live tail past its cursor), so a replay
after a reconnection sees exactly the same events in the same order.

A fan's message is text only: control and bidi characters replaced and cut to `MESSAGE_CHARS` by
the rule every page uses (`fairgift.web.views.text.shown`); the page writes it as text, never
markup. Gift icons come from `fairgift.web.views.icons` (SVGs the service serves).
"""

from __future__ import annotations

from decimal import Decimal

from fairgift import events
from fairgift.web.views.icons import gift_icon
from fairgift.web.views.text import short, shown

MESSAGE_CHARS = 140  # an alert is read in a few seconds on stream
MAX_REPLAY = 100  # the most alerts one read returns; older ones after a long absence are skipped
END_OF_BLOCK = 2**31 - 1  # a log index after every real one: "everything in this block"


def parse_id(text: str | None) -> tuple[int, int] | None:
    """An alert id ("block:log_index") as a position, or None when absent or malformed."""
    if not text:
        return None
    block, sep, log_index = str(text).strip().partition(":")
    if not sep or not (block.isdigit() and log_index.isdigit()) or len(block) > 12 or len(log_index) > 10:
        return None
    return int(block), int(log_index)


def format_id(position: tuple[int, int]) -> str:
    return f"{position[0]}:{position[1]}"


class Alerts:
    def __init__(self, views):
        self.views = views
        self.reader = views.reader
        self.fg = views.reader.fg
        self.service = views.service

    def index(self):
        index = getattr(self.service, "index", None)
        if index is None:
            source = events.source(self.fg)
            index = getattr(source, "index", None)
        return index

    def available(self) -> bool:
        return self.index() is not None

    def position(self) -> tuple[int, int]:
        """Where the index is now: the position after everything it has committed."""
        return (self.index().state().block, END_OF_BLOCK)

    def after(self, creator: str, position: tuple[int, int]) -> tuple[list[dict], int]:
        """The alerts to `creator` committed after `position`, oldest first, at most `MAX_REPLAY`
        (the newest ones), and how many older ones were skipped to keep to that."""
        index = self.index()
        indexed = index.state().block
        if indexed < position[0]:
            return [], 0
        found = index.source().events(
            ["TipJar.Tipped"], from_block=position[0], to_block=indexed, creator=creator
        )
        found = sorted((e for e in found if e.order > tuple(position)), key=lambda e: e.order)
        skipped = max(0, len(found) - MAX_REPLAY)
        found = found[skipped:]
        if not found:
            return [], skipped
        catalogue = self.views.run(self.reader.gift_catalogue)
        return [self.alert(e, catalogue) for e in found], skipped

    def raised(self, creator: str, since: int, upto: tuple[int, int]) -> dict:
        """What fans sent `creator` in the stablecoin from the unix time `since` up to the index
        position `upto` (the goal bar's figure; the alerts after `upto` add to it on the page)."""
        index = self.index()
        stable = self.fg.usdc.address
        found = index.source().events(["TipJar.Tipped"], to_block=upto[0], creator=creator, token=stable)
        total = sum(int(e.args["amount"]) for e in found if int(e.timestamp) >= since and e.order <= upto)
        info = self.fg.token_info(stable)
        return {
            "upto": format_id(upto),
            "since": since,
            "raised_value": str(Decimal(total).scaleb(-info.decimals)),
            "symbol": info.symbol,
        }

    def alert(self, event, catalogue: dict) -> dict:
        args = event.args
        info = self.fg.token_info(args["token"])
        amount = int(args["amount"])
        gift_id = int(args["giftId"])
        gift = catalogue.get(gift_id)
        name = gift.name if gift is not None else (f"gift #{gift_id}" if gift_id else None)
        quantity = None
        if gift is not None and gift.price_usd6 > 0:
            each = gift.amount_in(info.decimals)
            quantity = amount // each if amount % each == 0 and amount >= each else None
        fan = str(args["fan"])
        return {
            "id": format_id(event.order),
            "kind": "gift" if gift_id else "tip",
            "fan": fan,
            "fan_short": short(fan),
            "gift": shown(name, 40) if name else None,
            "gift_id": gift_id,
            "quantity": quantity,
            "icon": gift_icon(name) if gift_id else None,
            "amount": str(amount),
            "amount_value": str(Decimal(amount).scaleb(-info.decimals)),  # plain, for ?min=
            "amount_text": info.fmt(amount),
            "symbol": info.symbol,
            "message": shown(args.get("message", ""), MESSAGE_CHARS),
            "block": event.block,
            "time": int(event.timestamp),
        }
