"""The fans' page: a creator's tip page that any EIP-1193 wallet can use, served by the service.

`routes(service)` gives the HTML pages (`/` lists creators, `/c/<name or address>` is a
creator's page), the static files (`/static/…`: one stylesheet, one script, no build step, no
Ethereum library) and the JSON endpoints the page uses (listed in docs/page.md). The page never
computes a rule: every figure it shows (fee in force, what the creator receives, the platforms'
share, a gift's price, a trade's quote and its sandwich-safe limit) and every message it asks the
wallet to sign or send (the jar's EIP-712 `Tip`, an EIP-2612 permit, the calldata of `tip`,
`sendGift`, `approve`, `buy`, `sell`) comes from here, built with the same `fairgift` code the CLI
uses. The wallet is only asked for `eth_requestAccounts`, `eth_chainId`,
`wallet_switchEthereumChain`, `eth_signTypedData_v4` and `eth_sendTransaction`.

Every amount crosses the wire as a decimal string of base units (JavaScript numbers lose
precision above 2^53) next to its text ("2.50 USDC"). Errors are `{"error": "<one line a fan can
act on>", "code": "<machine-readable>"}` with a 4xx status.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from eth_abi import decode as abi_decode
from eth_utils import is_address, keccak, to_checksum_address
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from fairgift import events, fees
from fairgift.amounts import format_amount, format_bps
from fairgift.api import DEADLINE_SECONDS, ZERO_ADDRESS, FairGift
from fairgift.chain import Reads
from fairgift.creators import Catalogue
from fairgift.errors import FairGiftError, describe_revert
from fairgift.gifts import parse_quantity
from fairgift.platforms import PLATFORMS

STATIC = Path(__file__).with_name("static")
RECENT_LIMIT = 20  # tips and gifts on a page, newest first; older ones page in
MAX_MESSAGE_CHARS = 280  # what the page lets a fan write (the relayer may bound it further)
TIP_VALID_SECONDS = 30 * 60  # a gasless tip's deadline: time for the relayer to batch and land it
TOKEN_DECIMALS = 18  # creator tokens (CreatorToken)
MAX_GIFT_QUANTITY = 10_000  # of one gift in one send from the page

# Revert inputs that are amounts of the stablecoin (shown as "2.50 USDC" in messages).
_USD_INPUTS = frozenset({"totalCost", "maxCost", "netProceeds", "minProceeds", "amount", "maxAmount"})
# Custom errors a fan can act on, by what the page should say/do about them.
_ERROR_CODES = {
    "GiftPriceAboveMax": "price_changed",
    "CostAboveMax": "quote_expired",
    "ProceedsBelowMin": "quote_expired",
    "DeadlinePassed": "quote_expired",
    "ERC20InsufficientBalance": "balance",
    "ERC20InsufficientAllowance": "allowance",
}


class PageError(Exception):
    """A request the page cannot serve: `message` is one line for the fan, `code` for the script."""

    def __init__(self, message: str, status: int = 400, code: str = "bad_request", **extra):
        super().__init__(" ".join(str(message).split()))
        self.status, self.code, self.extra = status, code, extra

    def response(self) -> JSONResponse:
        return JSONResponse({"error": str(self), "code": self.code, **self.extra}, status_code=self.status)


@dataclass(frozen=True)
class Resolved:
    address: str
    name: str | None  # the catalogue's name, if registered
    label: str


class Page:
    """What the page shows and prepares, read from the chain through the `fairgift` API.

    Chain access is serialized (one lock): Ape objects are shared by the service's threads."""

    def __init__(self, service):
        self.service = service
        self.fg: FairGift = service.fg
        self.catalogue = getattr(service, "creators", None) or Catalogue.for_record(
            self.fg.record, self.fg.store
        )
        self.lock = threading.RLock()
        self._static: dict[str, object] = {}
        # What was read at the chain's latest block: reused until a new block (one cheap
        # eth_blockNumber per request decides), so a busy page costs a few reads per block.
        self._block: int | None = None
        self._at_block: dict[object, object] = {}
        self._now: int | None = None
        self._tokens: dict[str, str] = {}  # creator -> launched token (immutable once launched)
        self._errors = self._error_table()

    # ------------------------------------------------------------------ reading

    def _once(self, key: str, read):
        """Values fixed for the deployment's life (caps, delays, the stablecoin), read once."""
        if key not in self._static:
            self._static[key] = read()
        return self._static[key]

    @property
    def web3(self):
        return self.fg.chain.provider.web3

    def reads(self) -> Reads:
        """A batch of view calls at the block this request reads."""
        if self._block is None:
            self.fresh()
        return Reads(self.web3, self._block)

    def fresh(self) -> None:
        """Start of a request: forget what was read at an older block."""
        self._now = None
        block = int(self.web3.eth.block_number)
        if block != self._block:
            self._block, self._at_block = block, {}

    def _per_block(self, key, read):
        if key not in self._at_block:
            self._at_block[key] = read()
        return self._at_block[key]

    @property
    def chain_id(self) -> int:
        return self._once("chain_id", lambda: int(self.fg.chain.chain_id))

    def now(self) -> int:
        """The chain's clock for the next transaction (the pending block's timestamp), read once
        per request."""
        if self._now is None:
            self._now = int(self.web3.eth.get_block("pending")["timestamp"])
        return self._now

    def resolve(self, who: str) -> Resolved:
        text = str(who).strip()
        if is_address(text):
            address = to_checksum_address(text)
            if address == ZERO_ADDRESS or address in (self.fg.jar.address, self.fg.market.address):
                raise PageError(f"{address} cannot receive tips", 404, "unknown_creator")
            entry = self.catalogue.named(address) if self.catalogue else None
            return Resolved(address, entry.name if entry else None, entry.label if entry else _short(address))
        entry = self.catalogue.get(text) if self.catalogue else None
        if entry is None:
            raise PageError(
                f"no creator named {text[:40]!r} here; check the link, or use the creator's address",
                404,
                "unknown_creator",
            )
        return Resolved(entry.address, entry.name, entry.label)

    def creators(self) -> list[dict]:
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
        schedule = self._schedule("jar")
        now = self.now()
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
            "delay_text": _days(schedule.delay),
            "pending": pending,
        }

    def _schedule(self, target: str, token: str | None = None) -> fees.FeeSchedule:
        """A fee's schedule (`FairGift.fee_schedule`) read once per block."""
        block = self.reads().block
        return self._per_block(("fee", target, token), lambda: self.fg.fee_schedule(target, token, block))

    def gifts(self) -> list[dict]:
        decimals = self.fg.stable.decimals
        return [
            {
                "id": gift.gift_id,
                "name": gift.name,
                "price": str(gift.amount_in(decimals)),
                "price_text": self.fg.usd(gift.amount_in(decimals)),
            }
            for gift in self._catalogue().values()
        ]

    def _catalogue(self) -> dict:
        """The jar's live gift catalogue ({id: Gift}, `FairGift.gifts`) read once per block."""
        block = self.reads().block
        return self._per_block("gifts", lambda: self.fg.gifts(block))

    def token_of(self, creator: str) -> str | None:
        if creator not in self._tokens:
            reads = self.reads()
            reads.add(self.fg.market, "tokenOf", creator)
            token = to_checksum_address(str(reads.run()[0]))
            if token == ZERO_ADDRESS:
                return None
            self._tokens[creator] = token
        return self._tokens[creator]

    def token(self, creator: str) -> dict | None:
        token = self.token_of(creator)
        if token is None:
            return None
        market = self.fg.market
        meta = self._once(f"meta:{token}", lambda: self._token_meta(token))

        def read():
            reads = self.reads()
            reads.add(market, "supplyOf", token)
            reads.add(market, "reserveOf", token)
            supply, reserve = reads.run()
            return int(supply), int(reserve)

        supply, reserve = self._per_block(("token", token), read)
        curve = self._once("curve", self.fg.curve)
        price = curve.price_at(supply)
        now = self.now()
        protocol_bps = self._schedule("protocol").current(now)
        creator_bps = self._schedule("creator", token).current(now)
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
            "creator_fee_text": format_bps(creator_bps),
            "tolerance_text": _tolerance_text(),
        }

    def _token_meta(self, token: str) -> dict:
        contract = self.fg.project.CreatorToken.at(token, detect_proxy=False)
        return {"name": str(contract.name()), "symbol": str(contract.symbol())}

    def recent(self, creator: str, limit: int = RECENT_LIMIT, before: str | None = None) -> dict:
        """The newest tips and gifts to `creator` with their messages, newest first; `before` is
        the cursor of the previous page ("block:log_index")."""
        limit = max(1, min(int(limit), 100))
        cursor = _parse_cursor(before)
        rows = self._per_block(
            ("recent", creator, limit, cursor), lambda: self._recent_rows(creator, limit + 1, cursor)
        )
        more = len(rows) > limit
        rows = rows[:limit]
        names = {g["id"]: g["name"] for g in self._gift_names()}
        items = []
        for row in rows:
            info = self.fg.token_info(row["token"])
            gift_id = int(row["gift_id"])
            items.append(
                {
                    "fan": row["fan"],
                    "amount": str(row["amount"]),
                    "amount_text": info.fmt(int(row["amount"])),
                    "fee_text": info.fmt(int(row["fee"])),
                    "gift": names.get(gift_id, f"gift #{gift_id}") if gift_id else None,
                    "message": row["message"],
                    "time": row["timestamp"],
                    "date": FairGift.date(row["timestamp"]) if row["timestamp"] else "",
                    "tx": row["tx"],
                    "cursor": f"{row['block']}:{row['log_index']}",
                }
            )
        return {"items": items, "more": more}

    def _gift_names(self) -> list[dict]:
        return [{"id": g.gift_id, "name": g.name} for g in self._catalogue().values()]

    def _recent_rows(self, creator: str, limit: int, cursor: tuple[int, int] | None) -> list[dict]:
        """The newest `limit` Tipped events to `creator` before `cursor`: from the index when the
        service has one or `fairgift.events` finds a current one, else from a scan of the chain."""
        index = getattr(self.service, "index", None)
        source = None
        if index is None:
            source = events.source(self.fg)
            index = getattr(source, "index", None)
        if index is not None and hasattr(index, "recent_tips"):
            # The index answers newest-first with a LIMIT (plus a scan of blocks after its cursor).
            found = index.recent_tips(creator, limit, before=cursor)
        else:
            found = _walk_back(source or events.source(self.fg), self.fg, limit, cursor, creator)
        return [
            {
                "fan": e.args["fan"],
                "token": e.args["token"],
                "amount": int(e.args["amount"]),
                "fee": int(e.args["fee"]),
                "gift_id": int(e.args["giftId"]),
                "message": str(e.args["message"]),
                "timestamp": int(e.timestamp),
                "tx": e.tx,
                "block": e.block,
                "log_index": e.log_index,
            }
            for e in found
        ]

    def state(self, who: str) -> dict:
        """Everything the creator page shows at first render, in one document."""
        creator = self.resolve(who)
        return {
            "chain": {"id": self.chain_id, "id_hex": hex(self.chain_id)},
            "now": self.now(),
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
        }

    def max_message(self) -> int:
        """The longest message the page lets a fan write: the relayer's bound when it relays
        (it counts UTF-8 bytes; the page counts characters, the stricter measure for ASCII)."""
        relayer = getattr(self.service, "relayer", None)
        bound = getattr(getattr(relayer, "config", None), "max_message_bytes", None)
        return min(MAX_MESSAGE_CHARS, int(bound)) if bound else MAX_MESSAGE_CHARS

    # ------------------------------------------------------------------ quotes

    def _amount(self, text) -> int:
        try:
            return self.fg.stable.parse(str(text or ""))
        except FairGiftError as err:
            raise PageError(_sentence(str(err)), 400, _amount_code(str(err))) from err

    def quote_tip(self, who: str, amount) -> dict:
        creator = self.resolve(who)
        units = self._amount(amount)
        return {"creator": creator.address, **self._breakdown(units)}

    def _breakdown(self, units: int) -> dict:
        fee = self.fee()
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
            "now": self.now(),
            "platforms": platforms,
        }

    def _cents(self, units: int) -> str:
        """A platform's share for comparison, shown to the cent (rounded down, like every share)."""
        step = 10 ** max(self.fg.stable.decimals - 2, 0)
        return self.fg.usd(units - units % step)

    def _gift(self, gift, quantity) -> tuple[int, str, int, int]:
        text = str(gift).strip()
        catalogue = self._catalogue()
        found = catalogue.get(int(text)) if text.isdigit() else None
        if found is None:
            try:  # by name, or the API's one-line error listing the catalogue
                found = self.fg.find_gift(gift, catalogue)
            except FairGiftError as err:
                raise PageError(_sentence(str(err)), 400, "unknown_gift") from err
        gift_id, name = found.gift_id, found.name
        try:
            quantity = parse_quantity(quantity, MAX_GIFT_QUANTITY)
        except FairGiftError as err:
            raise PageError(str(err), 400, "quantity") from err
        units = found.amount_in(self.fg.stable.decimals, quantity)
        return gift_id, name, quantity, units

    def quote_gift(self, who: str, gift, quantity) -> dict:
        creator = self.resolve(who)
        gift_id, name, quantity, units = self._gift(gift, quantity)
        return {
            "creator": creator.address,
            "gift": {"id": gift_id, "name": name, "quantity": quantity},
            **self._breakdown(units),
        }

    def _trade_units(self, token: str, amount) -> int:
        symbol = self._once(f"meta:{token}", lambda: self._token_meta(token))["symbol"]
        try:
            from fairgift.amounts import parse_amount

            return parse_amount(str(amount or ""), TOKEN_DECIMALS, symbol)
        except FairGiftError as err:
            raise PageError(_sentence(str(err)), 400, _amount_code(str(err))) from err

    def quote_trade(self, side: str, who: str, amount) -> dict:
        creator = self.resolve(who)
        token = self.token_of(creator.address)
        if token is None:
            raise PageError(f"{creator.label} has not launched a token", 404, "no_token")
        units = self._trade_units(token, amount)
        symbol = self._once(f"meta:{token}", lambda: self._token_meta(token))["symbol"]
        market, usd = self.fg.market, self.fg.usd
        if side == "buy":
            total, protocol_fee, creator_fee = (int(x) for x in market.quoteBuy(token, units))
        else:
            supply = int(market.supplyOf(token))
            if units > supply:
                raise PageError(
                    f"only {format_amount(supply, TOKEN_DECIMALS, symbol)} exist; sell at most that",
                    400,
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
            "tolerance_text": _tolerance_text(),
        }

    # ------------------------------------------------------------------ preparing what the wallet does

    def _fan(self, body: dict) -> str:
        text = str(body.get("from") or "")
        if not is_address(text):
            raise PageError("connect a wallet first", 400, "no_wallet")
        return to_checksum_address(text)

    def _message(self, body: dict) -> str:
        message = body.get("message") or ""
        if not isinstance(message, str):
            raise PageError("the message must be text", 400, "message")
        limit = self.max_message()
        if len(message) > limit:
            raise PageError(f"the message is {len(message)} characters; keep it to {limit}", 400, "message")
        return message

    def _require_balance(self, fan: str, units: int, what: str) -> None:
        balance = int(self.fg.usdc.balanceOf(fan))
        if balance < units:
            raise PageError(
                f"not enough {self.fg.stable.symbol}: you have {self.fg.usd(balance)}, {what} needs "
                f"{self.fg.usd(units)}",
                400,
                "balance",
            )

    def _approval(self, fan: str, spender, units: int, label: str) -> list[dict]:
        allowance = int(self.fg.usdc.allowance(fan, spender))
        if allowance >= units:
            return []
        data = self.fg.usdc.approve.encode_input(spender, units)
        return [_tx(fan, self.fg.usdc.address, data, f"approve {label} to take {self.fg.usd(units)}")]

    def prepare_tip(self, body: dict) -> dict:
        creator = self.resolve(str(body.get("creator") or ""))
        fan = self._fan(body)
        units = self._amount(body.get("amount"))
        message = self._message(body)
        self._require_balance(fan, units, "this tip")
        jar, token = self.fg.jar, self.fg.stable.address
        if body.get("mode") == "direct":
            data = jar.tip.encode_input(creator.address, token, units, message)
            txs = self._approval(fan, jar, units, "the tip jar")
            txs.append(_tx(fan, jar.address, data, f"tip {self.fg.usd(units)} to {creator.label}"))
            return {"mode": "direct", "transactions": txs, **self._breakdown(units)}
        relayer = getattr(self.service, "relayer", None)
        if relayer is None:
            raise PageError(
                "this service does not relay tips; choose Direct (your wallet sends it, you pay the gas)",
                503,
                "relayer_off",
            )
        # The relayer prepares what the fan signs: a nonce free on chain and in its queue, a
        # deadline on the chain's clock, and a permit when the jar's allowance does not cover this
        # tip plus the fan's tips still queued.
        from fairgift.relayer.prepare import prepare_tip
        from fairgift.relayer.signed_tip import Rejected

        try:
            prepared = prepare_tip(
                relayer,
                fan=fan,
                creator=creator.address,
                token=token,
                amount=units,
                message=message,
                validity=TIP_VALID_SECONDS,
            )
        except Rejected as err:
            code = "relayer_busy" if err.status in (429, 503) else "rejected"
            raise PageError(_sentence(err.reason), err.status, code) from err
        sign = []
        if prepared["permit"] is not None:
            value = self.fg.usd(int(prepared["permit"]["message"]["value"]))
            sign.append(
                {
                    "kind": "permit",
                    "label": f"allow the tip jar to take {value} (no gas)",
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
            "mode": "gasless",
            "sign": sign,
            "submit": {"url": "/api/tips", "body": prepared["request"]},
            **self._breakdown(units),
        }

    def prepare_gift(self, body: dict) -> dict:
        creator = self.resolve(str(body.get("creator") or ""))
        fan = self._fan(body)
        gift_id, name, quantity, units = self._gift(body.get("gift"), body.get("quantity", 1))
        message = self._message(body)
        try:
            shown = int(str(body.get("max_amount")))
        except ValueError as err:
            raise PageError("the gift's price is missing; reload the page", 400, "bad_request") from err
        if units > shown:
            raise PageError(
                f"{quantity} x {name} now costs {self.fg.usd(units)}, not the {self.fg.usd(shown)} shown; "
                "check the new price and send again",
                409,
                "price_changed",
                quote=self.quote_gift(creator.address, gift_id, quantity),
            )
        self._require_balance(fan, shown, "this gift")
        jar = self.fg.jar
        # maxAmount is the price the fan saw: a repricing that lands first makes the gift revert
        # (GiftPriceAboveMax) instead of charging more.
        data = jar.sendGift.encode_input(
            creator.address, self.fg.stable.address, gift_id, quantity, shown, message
        )
        txs = self._approval(fan, jar, shown, "the tip jar")
        txs.append(_tx(fan, jar.address, data, f"send {quantity} x {name} to {creator.label}"))
        return {"transactions": txs, **self.quote_gift(creator.address, gift_id, quantity)}

    def prepare_trade(self, side: str, body: dict) -> dict:
        fan = self._fan(body)
        quote = self.quote_trade(side, str(body.get("creator") or ""), body.get("amount"))
        if str(body.get("quote")) != quote["total"]:
            verb = "costs" if side == "buy" else "pays"
            raise PageError(
                f"the quote expired: {quote['amount_text']} now {verb} {quote['total_text']}; "
                f"check the new quote and press {side.capitalize()} again",
                409,
                "quote_expired",
                quote=quote,
            )
        token, units, limit = quote["token"], int(quote["amount"]), int(quote["limit"])
        market = self.fg.market
        deadline = self.now() + DEADLINE_SECONDS
        if side == "buy":
            self._require_balance(fan, int(quote["total"]), "this buy")
            txs = self._approval(fan, market, limit, "the market")
            data = market.buy.encode_input(token, units, limit, deadline)
            txs.append(_tx(fan, market.address, data, f"buy {quote['amount_text']}"))
        else:
            held = int(self.fg.project.CreatorToken.at(token, detect_proxy=False).balanceOf(fan))
            if held < units:
                raise PageError(
                    f"you hold {format_amount(held, TOKEN_DECIMALS, quote['amount_text'].split()[-1])}, "
                    f"not {quote['amount_text']}",
                    400,
                    "balance",
                )
            data = market.sell.encode_input(token, units, limit, deadline)
            txs = [_tx(fan, market.address, data, f"sell {quote['amount_text']}")]
        return {"transactions": txs, "deadline": deadline, **quote}

    # ------------------------------------------------------------------ outcomes

    def outcome(self, tx_hash: str) -> dict:
        """What a transaction the page sent did: pending, or its decoded effect, or why it failed."""
        if not (isinstance(tx_hash, str) and tx_hash.startswith("0x") and len(tx_hash) == 66):
            raise PageError("not a transaction hash", 400, "bad_request")
        web3 = self.fg.chain.provider.web3
        try:
            raw = web3.eth.get_transaction_receipt(tx_hash)
        except Exception:  # noqa: BLE001 - web3 raises TransactionNotFound while it is pending
            return {"status": "pending"}
        if int(raw["status"]) != 1:
            reason, code = self._replay_reason(tx_hash, int(raw["blockNumber"]))
            return {"status": "reverted", "block": int(raw["blockNumber"]), "reason": reason, "code": code}
        receipt = self.fg.chain.provider.get_receipt(tx_hash)
        result = {"status": "success", "block": int(raw["blockNumber"]), "summary": "done"}
        tipped = list(receipt.decode_logs(self.fg.jar.Tipped))
        if tipped:
            log = tipped[0]
            info = self.fg.token_info(str(log.token))
            amount, fee = int(log.amount), int(log.fee)
            result.update(
                kind="gift" if int(log.giftId) else "tip",
                summary=f"landed: {info.fmt(amount)} sent, the creator receives {info.fmt(amount - fee)}, "
                f"the fee is {info.fmt(fee)}",
            )
            return result
        trades = list(receipt.decode_logs(self.fg.market.Trade))
        if trades:
            log = trades[0]
            token, trader = to_checksum_address(str(log.token)), to_checksum_address(str(log.trader))
            symbol = self._once(f"meta:{token}", lambda: self._token_meta(token))["symbol"]
            value, pf, cf = int(log.value), int(log.protocolFee), int(log.creatorFee)
            held = int(self.fg.project.CreatorToken.at(token, detect_proxy=False).balanceOf(trader))
            supply_after = int(log.supplyAfter)
            amount = format_amount(int(log.amount), TOKEN_DECIMALS, symbol)
            left = ""
            if log.isBuy:
                did = f"bought {amount} for {self.fg.usd(value + pf + cf)}"
                # The approval covered the bound; say what of it is still approved.
                allowance = int(self.fg.usdc.allowance(trader, self.fg.market))
                if allowance:
                    left = f"; {self.fg.usd(allowance)} stays approved to the market"
            else:
                did = f"sold {amount} for {self.fg.usd(value - pf - cf)}"
            result.update(
                kind="trade",
                summary=f"{did} (fees {self.fg.usd(pf)} protocol + {self.fg.usd(cf)} creator); "
                f"you now hold {format_amount(held, TOKEN_DECIMALS, symbol)}; the price is now "
                f"{self.fg.usd(int(self.fg.market.priceAt(supply_after)))}{left}",
                held=str(held),
            )
            return result
        result.update(kind="other", summary="confirmed")
        return result

    def _replay_reason(self, tx_hash: str, block: int) -> tuple[str, str]:
        """Why a mined transaction reverted: replayed as a call on the state before its block."""
        web3 = self.fg.chain.provider.web3
        tx = web3.eth.get_transaction(tx_hash)
        call = {
            "from": tx["from"],
            "to": tx["to"],
            "data": tx["input"],
            "value": tx["value"],
            "gas": tx["gas"],
        }
        try:
            web3.eth.call(call, block_identifier=block - 1)
        except Exception as err:  # noqa: BLE001 - web3 raises several kinds for a revert
            data = getattr(err, "data", None)
            if isinstance(data, str) and data.startswith("0x"):
                return self.explain(data)
            if isinstance(err.args and err.args[-1], str) and str(err.args[-1]).startswith("0x"):
                return self.explain(str(err.args[-1]))
            return _sentence(str(err)) or "the transaction failed", "reverted"
        return "the transaction failed (it succeeds when replayed: ran out of gas?)", "reverted"

    # ------------------------------------------------------------------ revert data

    def _error_table(self) -> dict[bytes, tuple[str, list[str], list[str]]]:
        table: dict[bytes, tuple[str, list[str], list[str]]] = {}
        project = self.fg.project
        for name in ("TipJar", "CreatorMarket", "CreatorToken", "MockUSDC", "IStablecoin"):
            try:
                contract_type = getattr(project, name).contract_type
            except (AttributeError, KeyError):
                continue
            for abi in contract_type.errors:
                types = [i.canonical_type for i in abi.inputs]
                signature = f"{abi.name}({','.join(types)})"
                table[keccak(text=signature)[:4]] = (abi.name, [i.name for i in abi.inputs], types)
        table[keccak(text="Error(string)")[:4]] = ("Error", ["reason"], ["string"])
        table[keccak(text="Panic(uint256)")[:4]] = ("Panic", ["code"], ["uint256"])
        return table

    def explain(self, data: str) -> tuple[str, str]:
        """(one line, code) for a revert's data (`0x` + selector + arguments)."""
        try:
            raw = bytes.fromhex(str(data).removeprefix("0x"))
        except ValueError:
            return "the transaction would fail (no reason given)", "reverted"
        entry = self._errors.get(raw[:4])
        if entry is None:
            return "the transaction would fail (no reason given)", "reverted"
        name, names, types = entry
        try:
            values = abi_decode(types, raw[4:])
        except Exception:  # noqa: BLE001 - malformed data from the wallet
            return f"the transaction would fail ({name})", "reverted"
        if name == "Error":
            return f"the transaction would fail: {values[0]}", "reverted"
        inputs = dict(zip(names, values, strict=True))

        def fmt(key, value):
            if key in _USD_INPUTS and isinstance(value, int):
                return self.fg.usd(value)
            return str(value)

        text = describe_revert(name, inputs, fmt)
        code = _ERROR_CODES.get(name, "reverted")
        if name == "GiftPriceAboveMax":
            text = (
                f"the gift's price rose to {fmt('amount', inputs.get('amount'))}, above the "
                f"{fmt('maxAmount', inputs.get('maxAmount'))} you accepted: nothing was charged; "
                "check the new price and send again"
            )
        elif code == "quote_expired":
            text = f"the quote expired ({text}): nothing was charged; check the new quote and try again"
        return text, code


# ---------------------------------------------------------------------- helpers


def _tx(sender: str, to: str, data, label: str) -> dict:
    return {"from": sender, "to": to, "data": "0x" + bytes(data).hex(), "value": "0x0", "label": label}


def _days(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86400)
    if rest == 0:
        return f"{days} day" + ("s" if days != 1 else "")
    return f"{seconds / 3600:g} hours"


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _sentence(text: str) -> str:
    return " ".join(text.split())


def _amount_code(message: str) -> str:
    return "decimals" if "decimals" in message else "amount"


def _parse_cursor(before) -> tuple[int, int] | None:
    if before in (None, ""):
        return None
    try:
        block, index = str(before).split(":")
        return int(block), int(index)
    except ValueError as err:
        raise PageError("bad cursor", 400, "bad_request") from err


def _walk_back(source, fg, limit: int, cursor: tuple[int, int] | None, creator: str) -> list:
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


def _tolerance_text() -> str:
    return "the sandwich-safe limit, the CLI's default"


def _state_json(state: dict) -> str:
    """JSON safe to embed in a <script type="application/json"> element (no `<`, `>`, `&`)."""
    text = json.dumps(state, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


# ---------------------------------------------------------------------- HTTP


def _csp(service) -> str:
    """Only the service itself; on a local development chain also the node, so that a wallet
    running inside the page (a test wallet; an extension's requests are not the page's) reaches it.
    `service.node_origin` overrides the node's origin."""
    connect = "'self'"
    node = getattr(service, "node_origin", None) or _local_node_origin(service.fg)
    if node:
        connect += f" {node}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _local_node_origin(fg) -> str | None:
    from urllib.parse import urlsplit

    from fairgift.deployments import LOCAL_CHAIN_IDS

    if int(fg.record.chain_id) not in LOCAL_CHAIN_IDS:
        return None
    uri = getattr(fg.chain.provider, "http_uri", None) or getattr(fg.chain.provider, "uri", None)
    parts = urlsplit(str(uri or ""))
    if parts.scheme not in ("http", "https") or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    return f"{parts.scheme}://{parts.netloc}"


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


def routes(service) -> list[BaseRoute]:
    """The page's routes, mounted by the service's `create_app`."""
    page = Page(service)
    csp = _csp(service)
    template = (STATIC / "page.html").read_text(encoding="utf8")
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }

    async def call(fn, *args):
        def locked():
            with page.lock:
                page.fresh()
                return fn(*args)

        try:
            return JSONResponse(await run_in_threadpool(locked), headers={"Cache-Control": "no-store"})
        except PageError as err:
            return err.response()
        except FairGiftError as err:
            return PageError(str(err), 400, "rejected").response()

    async def body_of(request: Request) -> dict:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PageError("the request body is not JSON", 400, "bad_request") from None
        if not isinstance(body, dict):
            raise PageError("the request body is not a JSON object", 400, "bad_request")
        return body

    def html(view: str, state: dict | None, status: int = 200) -> HTMLResponse:
        text = template.replace("{{view}}", view).replace("{{state}}", _state_json(state or {}))
        return HTMLResponse(text, status_code=status, headers={**headers, "Cache-Control": "no-store"})

    async def index_page(request: Request) -> Response:
        def read():
            with page.lock:
                page.fresh()
                return {"chain": {"id": page.chain_id}, "creators": page.creators()}

        return html("index", await run_in_threadpool(read))

    async def creator_page(request: Request) -> Response:
        who = request.path_params["creator"]

        def read():
            started = time.perf_counter()
            with page.lock:
                page.fresh()
                state = page.state(who)
            state["served_in_ms"] = round((time.perf_counter() - started) * 1000, 1)
            return state

        try:
            return html("creator", await run_in_threadpool(read))
        except PageError as err:
            return html("missing", {"error": str(err)}, err.status)

    async def api_creators(request: Request) -> Response:
        return await call(lambda: {"creators": page.creators()})

    async def api_creator(request: Request) -> Response:
        return await call(page.state, request.path_params["creator"])

    async def api_tips(request: Request) -> Response:
        q = request.query_params

        def read():
            creator = page.resolve(request.path_params["creator"])
            return page.recent(creator.address, int(q.get("limit") or RECENT_LIMIT), q.get("before"))

        return await call(read)

    async def api_quote(request: Request) -> Response:
        kind, q = request.path_params["kind"], request.query_params
        creator = q.get("creator", "")
        if kind == "tip":
            return await call(page.quote_tip, creator, q.get("amount"))
        if kind == "gift":
            return await call(page.quote_gift, creator, q.get("gift"), q.get("quantity", "1"))
        if kind in ("buy", "sell"):
            return await call(page.quote_trade, kind, creator, q.get("amount"))
        return PageError(f"no quote for {kind[:20]!r}", 404, "not_found").response()

    async def api_prepare(request: Request) -> Response:
        kind = request.path_params["kind"]
        try:
            body = await body_of(request)
        except PageError as err:
            return err.response()
        if kind == "tip":
            return await call(page.prepare_tip, body)
        if kind == "gift":
            return await call(page.prepare_gift, body)
        if kind in ("buy", "sell"):
            return await call(page.prepare_trade, kind, body)
        return PageError(f"nothing to prepare for {kind[:20]!r}", 404, "not_found").response()

    async def api_tx(request: Request) -> Response:
        return await call(page.outcome, request.path_params["tx"])

    async def api_explain(request: Request) -> Response:
        try:
            body = await body_of(request)
        except PageError as err:
            return err.response()

        def explain():
            reason, code = page.explain(str(body.get("data") or ""))
            return {"reason": reason, "code": code}

        return await call(explain)

    return [
        Route("/", index_page, methods=["GET"]),
        Route("/c/{creator}", creator_page, methods=["GET"]),
        Route("/api/creators", api_creators, methods=["GET"]),
        Route("/api/creators/{creator}", api_creator, methods=["GET"]),
        Route("/api/creators/{creator}/tips", api_tips, methods=["GET"]),
        Route("/api/quote/{kind}", api_quote, methods=["GET"]),
        Route("/api/prepare/{kind}", api_prepare, methods=["POST"]),
        Route("/api/tx/{tx}", api_tx, methods=["GET"]),
        Route("/api/explain", api_explain, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
