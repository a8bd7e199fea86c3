"""The creators' ledger, rebuilt from events alone.

`collect(fg)` reads the events it needs through `fairgift.events` (TipJar: GiftSet, TreasurySet,
Tipped, Withdrawn; CreatorMarket: Launched, Trade, Withdrawn, TreasurySet); `build(events, ...)`
folds them, in chain order, into one `CreatorLedger` per creator and token, plus the treasuries'
fee income. The fold is pure Python, so it is tested on hand-made events as well as on a chain.
`table()` prints it; `write_csv()` writes it under out/.

`creator_ledger(fg, creator)` is one creator's row alone, folded from that creator's events only. A
source that can sum (the index: `tip_groups`) hands the fold `TipGroup`s, each standing for many
`Tipped` events, instead of the events themselves: the same fold, the same figures, without
materialising thousands of tips.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import to_checksum_address

from fairgift import events as fg_events
from fairgift.amounts import format_amount
from fairgift.events import Event


@dataclass
class GiftLine:
    name: str
    sends: int = 0
    quantity: int = 0
    gross: int = 0


@dataclass
class CreatorLedger:
    creator: str
    token: str  # the tip jar token these figures are in (the stablecoin)
    tips: int = 0
    tips_gross: int = 0
    gifts: dict[int, GiftLine] = field(default_factory=dict)
    gross: int = 0
    fees: int = 0
    net: int = 0
    supporters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    jar_withdrawn: int = 0
    # the creator's social token (market); fee income is in the market's quote token
    social_token: str | None = None
    symbol: str | None = None
    buys: int = 0
    sells: int = 0
    tokens_bought: int = 0
    tokens_sold: int = 0
    trade_volume: int = 0
    creator_fee_income: int = 0
    market_withdrawn: int = 0

    @property
    def jar_credit(self) -> int:
        """What the ledger says the creator can still withdraw from the jar."""
        return self.net - self.jar_withdrawn

    @property
    def market_credit(self) -> int:
        return self.creator_fee_income - self.market_withdrawn

    def top_supporters(self, n: int = 3) -> list[tuple[str, int]]:
        return sorted(self.supporters.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


@dataclass
class Ledger:
    creators: dict[tuple[str, str], CreatorLedger]
    treasury_fees: dict[tuple[str, str], int]  # (treasury, token) -> jar fees credited
    protocol_fees: dict[str, int]  # treasury -> market protocol fees credited
    withdrawn: dict[tuple[str, str], int]  # (account, token) -> jar withdrawals (anyone)
    market_withdrawn: dict[str, int]  # account -> market withdrawals (anyone)
    gift_names: dict[int, str]

    def rows(self) -> list[CreatorLedger]:
        return sorted(self.creators.values(), key=lambda c: (-c.gross, -c.creator_fee_income, c.creator))

    def total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.creators.values())

    def jar_credit(self, account: str, token: str) -> int:
        """Everything credited to `account` in the jar (as creator and as treasury) less withdrawals."""
        account, token = _addr(account), _addr(token)
        credited = self.treasury_fees.get((account, token), 0)
        if (account, token) in self.creators:
            credited += self.creators[(account, token)].net
        return credited - self.withdrawn.get((account, token), 0)

    def market_credit(self, account: str) -> int:
        account = _addr(account)
        credited = self.protocol_fees.get(account, 0)
        credited += sum(c.creator_fee_income for c in self.creators.values() if c.creator == account)
        return credited - self.market_withdrawn.get(account, 0)


@dataclass(frozen=True)
class TipGroup:
    """`count` `Tipped` events folded into one: to `creator` in `token` from `fan`, of gift
    `gift_id` (0: plain tips), with no gift price or jar treasury change between them (no
    `GiftSet` or `TipJar.TreasurySet` in between) and, for gifts, of one amount each. `amount`
    and `fee` are their sums, `order` is the first one's (block, log_index). Folded at `order`, a
    group changes the ledger exactly as its events would (`group_tips` is the rule; the index
    applies it in SQL)."""

    creator: str
    token: str
    fan: str
    gift_id: int
    count: int
    amount: int
    fee: int
    order: tuple[int, int]


def group_tips(events: list[Event]) -> list[Event | TipGroup]:
    """`events` with their `Tipped` events replaced by `TipGroup`s, grouped by (creator, token,
    fan, gift id, the amount of a gift send) between two changes of the jar's treasury (plain
    tips) or between two changes of the treasury or of any gift (gifts). The reference for the
    index's SQL; `build` gives the same ledger from either list."""
    out: list[Event | TipGroup] = []
    groups: dict[tuple, list] = {}
    treasury_epoch = gift_epoch = 0
    for ev in sorted(events, key=lambda e: e.order):
        if ev.contract == "TipJar" and ev.name == "TreasurySet":
            treasury_epoch += 1
        if ev.contract == "TipJar" and ev.name in ("TreasurySet", "GiftSet"):
            gift_epoch += 1
        if not (ev.contract == "TipJar" and ev.name == "Tipped"):
            out.append(ev)
            continue
        a = ev.args
        gift_id, amount, fee = int(a["giftId"]), int(a["amount"]), int(a["fee"])
        key = (
            _addr(a["creator"]),
            _addr(a["token"]),
            _addr(a["fan"]),
            gift_id,
            None if gift_id == 0 else amount,
            treasury_epoch if gift_id == 0 else gift_epoch,
        )
        if key in groups:
            groups[key][0] += 1
            groups[key][1] += amount
            groups[key][2] += fee
        else:
            groups[key] = [1, amount, fee, ev.order]
    for (creator, token, fan, gift_id, _, _), (count, amount, fee, order) in groups.items():
        out.append(TipGroup(creator, token, fan, gift_id, count, amount, fee, order))
    return out


def _addr(value) -> str:
    return _checksummed(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _checksummed(text: str) -> str:
    # cached: a ledger folds the same few addresses thousands of times, and checksumming hashes
    return to_checksum_address(text)


def build(
    events: list[Event | TipGroup],
    decimals: dict[str, int] | None = None,
    treasury: str | None = None,
    market_treasury: str | None = None,
    stablecoin: str | None = None,
) -> Ledger:
    """Fold events in chain order. `decimals` maps token -> decimals (for gift quantities; 6 when
    unknown); `treasury`/`market_treasury` are the treasuries before the first TreasurySet
    in `events` (needed when `events` start after the deployment); `stablecoin` is the market's quote
    token, used to file creators who only earned market fees."""
    decimals = {_addr(k): v for k, v in (decimals or {}).items()}
    creators: dict[tuple[str, str], CreatorLedger] = {}
    treasury_fees: dict[tuple[str, str], int] = defaultdict(int)
    protocol_fees: dict[str, int] = defaultdict(int)
    withdrawn: dict[tuple[str, str], int] = defaultdict(int)
    market_withdrawn: dict[str, int] = defaultdict(int)
    gift_prices: dict[int, int] = {}
    gift_names: dict[int, str] = {}
    token_creator: dict[str, str] = {}
    token_symbol: dict[str, str] = {}
    jar_treasury = _addr(treasury) if treasury else None
    mkt_treasury = _addr(market_treasury) if market_treasury else None
    quote = _addr(stablecoin) if stablecoin else None

    def ledger_of(creator: str, token: str | None) -> CreatorLedger:
        token = token or quote or "?"
        key = (creator, token)
        if key not in creators:
            creators[key] = CreatorLedger(creator=creator, token=token)
        return creators[key]

    def credit(creator, token, fan, gift_id: int, count: int, amount: int, fee: int) -> None:
        """`count` tips or gift sends (one `Tipped`, or a `TipGroup`): `amount` and `fee` in all."""
        creator, token, fan = _addr(creator), _addr(token), _addr(fan)
        row = ledger_of(creator, token)
        row.gross += amount
        row.fees += fee
        row.net += amount - fee
        row.supporters[fan] += amount
        if gift_id == 0:
            row.tips += count
            row.tips_gross += amount
        else:
            line = row.gifts.setdefault(gift_id, GiftLine(gift_names.get(gift_id, f"gift #{gift_id}")))
            line.sends += count
            line.gross += amount
            unit = gift_prices.get(gift_id, 0) * 10 ** (decimals.get(token, 6) - 6)
            line.quantity += count * ((amount // count) // unit) if unit else 0  # the sends are equal
        if jar_treasury:
            treasury_fees[(jar_treasury, token)] += fee

    for ev in sorted(events, key=lambda e: e.order):
        if isinstance(ev, TipGroup):
            credit(ev.creator, ev.token, ev.fan, ev.gift_id, ev.count, ev.amount, ev.fee)
            continue
        a = ev.args
        if ev.contract == "TipJar" and ev.name == "GiftSet":
            gift_prices[int(a["giftId"])] = int(a["priceUsd6"])
            if a["name"]:
                gift_names[int(a["giftId"])] = str(a["name"])
        elif ev.contract == "TipJar" and ev.name == "TreasurySet":
            jar_treasury = _addr(a["treasury"])
        elif ev.contract == "CreatorMarket" and ev.name == "TreasurySet":
            mkt_treasury = _addr(a["treasury"])
        elif ev.contract == "TipJar" and ev.name == "Tipped":
            credit(a["creator"], a["token"], a["fan"], int(a["giftId"]), 1, int(a["amount"]), int(a["fee"]))
        elif ev.contract == "TipJar" and ev.name == "Withdrawn":
            account, token = _addr(a["account"]), _addr(a["token"])
            withdrawn[(account, token)] += int(a["amount"])
            if (account, token) in creators:
                creators[(account, token)].jar_withdrawn += int(a["amount"])
        elif ev.contract == "CreatorMarket" and ev.name == "Launched":
            creator, token = _addr(a["creator"]), _addr(a["token"])
            token_creator[token] = creator
            token_symbol[token] = str(a["symbol"])
            row = ledger_of(creator, None)
            row.social_token, row.symbol = token, str(a["symbol"])
        elif ev.contract == "CreatorMarket" and ev.name == "Trade":
            token = _addr(a["token"])
            creator = token_creator.get(token)
            protocol_fee, creator_fee = int(a["protocolFee"]), int(a["creatorFee"])
            if mkt_treasury:
                protocol_fees[mkt_treasury] += protocol_fee
            if creator is None:
                continue
            row = ledger_of(creator, None)
            row.social_token, row.symbol = token, token_symbol[token]
            if a["isBuy"]:
                row.buys += 1
                row.tokens_bought += int(a["amount"])
            else:
                row.sells += 1
                row.tokens_sold += int(a["amount"])
            row.trade_volume += int(a["value"])
            row.creator_fee_income += creator_fee
        elif ev.contract == "CreatorMarket" and ev.name == "Withdrawn":
            account = _addr(a["account"])
            market_withdrawn[account] += int(a["amount"])
            for row in creators.values():
                if row.creator == account and row.social_token:
                    row.market_withdrawn += int(a["amount"])
                    break
    return Ledger(
        creators,
        dict(treasury_fees),
        dict(protocol_fees),
        dict(withdrawn),
        dict(market_withdrawn),
        gift_names,
    )


# ---------------------------------------------------------------------- reading the chain

LEDGER_EVENTS = (
    "TipJar.GiftSet",
    "TipJar.TreasurySet",
    "TipJar.Tipped",
    "TipJar.Withdrawn",
    "CreatorMarket.Launched",
    "CreatorMarket.Trade",
    "CreatorMarket.Withdrawn",
    "CreatorMarket.TreasurySet",
)


def collect(fg, start_block: int | None = None, stop_block: int | None = None) -> list[Event]:
    """Every event the ledger needs, in chain order, from `fairgift.events.source(fg)`."""
    return fg_events.source(fg).events(LEDGER_EVENTS, from_block=start_block, to_block=stop_block)


def from_events(fg, events: list[Event]) -> Ledger:
    """The ledger of `fg`'s deployment from `events` (as `collect` returns them)."""
    first_jar, first_market = initial_treasuries(fg, events)
    decimals = {fg.stable.address: fg.stable.decimals}
    return build(events, decimals, first_jar, first_market, fg.stable.address)


def from_chain(fg, start_block: int | None = None) -> Ledger:
    """The ledger of a deployment."""
    return from_events(fg, collect(fg, start_block))


def creator_ledger(fg, creator, token=None, *, source=None) -> CreatorLedger | None:
    """One creator's ledger row in `token` (default: the stablecoin), None when it has none: the
    fold of that creator's events alone (its tips and gifts, its withdrawals, its launch and its
    token's trades, with the gift catalogue) from `fairgift.events.source(fg)` (or `source`).
    The same row as `from_chain(fg).creators[(creator, token)]`. A source with `tip_groups` (the
    index) sums the tips in SQL and returns `TipGroup`s; any other returns the `Tipped` events."""
    src = source if source is not None else fg_events.source(fg)
    creator = _addr(creator)
    stop = _head_number()  # one snapshot for every read below
    found: list[Event | TipGroup] = []
    found += src.events("TipJar.GiftSet", to_block=stop)
    found += src.events("TipJar.Withdrawn", account=creator, to_block=stop)
    launched = src.events("CreatorMarket.Launched", creator=creator, to_block=stop)
    found += launched
    if launched:
        tokens = sorted({str(e.args["token"]) for e in launched})
        found += src.events("CreatorMarket.Trade", token=tokens, to_block=stop)
        found += src.events("CreatorMarket.Withdrawn", account=creator, to_block=stop)
    if hasattr(src, "tip_groups"):
        found += src.tip_groups(creator, to_block=stop)
    else:
        found += src.events("TipJar.Tipped", creator=creator, to_block=stop)
    book = build(found, {fg.stable.address: fg.stable.decimals}, stablecoin=fg.stable.address)
    return book.creators.get((creator, _addr(token if token is not None else fg.stable.address)))


def _head_number() -> int:
    from ape import chain

    return int(chain.provider.web3.eth.block_number)


def initial_treasuries(fg, events: list[Event]) -> tuple[str | None, str | None]:
    """The treasuries of the jar and the market before the first `TreasurySet` in `events`, for the
    fees paid before it: read at the block before that change (or now, when there is no change).
    None when nothing before the first change pays a fee: the constructors announce their treasury
    with a `TreasurySet`, so in a scan from the deployment the first change is the constructor's,
    and a read at the block before it (before the contract existed) would answer nothing useful
    and depend on the node keeping that block's state."""

    def before_first_change(contract, name: str, paying: str):
        changes = [e for e in events if e.contract == name and e.name == "TreasurySet"]
        if not changes:
            return _addr(contract.treasury())
        first = min(changes, key=lambda e: e.order)
        if not any(e.contract == name and e.name == paying and e.order < first.order for e in events):
            return None
        return _addr(contract.treasury(block_id=first.block - 1))

    return (
        before_first_change(fg.jar, "TipJar", "Tipped"),
        before_first_change(fg.market, "CreatorMarket", "Trade"),
    )


# ---------------------------------------------------------------------- output


def _short(address: str, labels: dict[str, str] | None) -> str:
    if labels and address in labels:
        return labels[address]
    return address[:6] + "…" + address[-4:]


def table(
    ledger: Ledger, symbol: str = "USDC", decimals: int = 6, labels: dict[str, str] | None = None
) -> str:
    """A plain-text table: one line per creator, then gifts by kind and top supporters."""

    def usd(v: int) -> str:
        return format_amount(v, decimals)

    header = (
        f"{'creator':<14}{'tips':>5}{'gifts':>6}{'gross':>12}{'fees':>10}{'net':>12}{'withdrawn':>12}"
        f"{'token':>8}{'trades':>7}{'volume':>11}{'creator fees':>13}"
    )
    lines = [f"amounts in {symbol}", header, "-" * len(header)]
    for c in ledger.rows():
        gifts = sum(g.sends for g in c.gifts.values())
        lines.append(
            f"{_short(c.creator, labels):<14}{c.tips:>5}{gifts:>6}{usd(c.gross):>12}{usd(c.fees):>10}"
            f"{usd(c.net):>12}{usd(c.jar_withdrawn):>12}{(c.symbol or '-'):>8}{c.buys + c.sells:>7}"
            f"{usd(c.trade_volume):>11}{usd(c.creator_fee_income):>13}"
        )
    lines.append("-" * len(header))
    gift_sends = sum(g.sends for c in ledger.creators.values() for g in c.gifts.values())
    lines.append(
        f"{'total':<14}{ledger.total('tips'):>5}{gift_sends:>6}"
        f"{usd(ledger.total('gross')):>12}{usd(ledger.total('fees')):>10}{usd(ledger.total('net')):>12}"
        f"{usd(ledger.total('jar_withdrawn')):>12}{'':>8}{ledger.total('buys') + ledger.total('sells'):>7}"
        f"{usd(ledger.total('trade_volume')):>11}{usd(ledger.total('creator_fee_income')):>13}"
    )
    for c in ledger.rows():
        details = []
        if c.gifts:
            details.append(
                "gifts: "
                + ", ".join(
                    f"{g.name} x{g.quantity} ({usd(g.gross)})"
                    for g in sorted(c.gifts.values(), key=lambda g: -g.gross)
                )
            )
        if c.supporters:
            details.append(
                "top supporters: " + ", ".join(f"{_short(f, labels)} {usd(v)}" for f, v in c.top_supporters())
            )
        if details:
            lines.append(f"{_short(c.creator, labels)}: " + "; ".join(details))
    fees = sum(ledger.treasury_fees.values())
    lines.append(
        f"treasury: tip-jar fees {usd(fees)}, market protocol fees {usd(sum(ledger.protocol_fees.values()))}"
    )
    return "\n".join(lines)


def write_csv(
    ledger: Ledger, out_dir: Path | str, decimals: int = 6, labels: dict[str, str] | None = None
) -> list[Path]:
    """out/ledger.csv (one row per creator) and out/supporters.csv (creator, fan, amount)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def usd(v: int) -> str:
        return format_amount(v, decimals, min_decimals=decimals).replace(",", "")

    main = out / "ledger.csv"
    with main.open("w", newline="", encoding="utf8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "creator", "label", "token", "tips", "tips_gross", "gift_sends", "gifts", "gross", "fees",
                "net",
                "jar_withdrawn", "jar_credit", "social_token", "symbol", "buys", "sells", "trade_volume",
                "creator_fee_income", "market_withdrawn", "market_credit",
            ]
        )  # fmt: skip
        for c in ledger.rows():
            w.writerow(
                [
                    c.creator, (labels or {}).get(c.creator, ""), c.token, c.tips, usd(c.tips_gross),
                    sum(g.sends for g in c.gifts.values()),
                    "; ".join(f"{g.name} x{g.quantity}" for g in c.gifts.values()),
                    usd(c.gross), usd(c.fees), usd(c.net), usd(c.jar_withdrawn), usd(c.jar_credit),
                    c.social_token or "", c.symbol or "", c.buys, c.sells, usd(c.trade_volume),
                    usd(c.creator_fee_income), usd(c.market_withdrawn), usd(c.market_credit),
                ]
            )  # fmt: skip
    supporters = out / "supporters.csv"
    with supporters.open("w", newline="", encoding="utf8") as fh:
        w = csv.writer(fh)
        w.writerow(["creator", "fan", "amount"])
        for c in ledger.rows():
            for fan, amount in c.top_supporters(n=len(c.supporters)):
                w.writerow([c.creator, fan, usd(amount)])
    return [main, supporters]
