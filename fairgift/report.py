"""What the creator keeps: FairGift's fee in force against the platforms' published figures
(`fairgift.platforms`), and PNG charts (take-home by platform; a creator token's bonding curve
with its trades) under out/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fairgift import ledger
from fairgift.amounts import format_amount
from fairgift.curve import Curve
from fairgift.platforms import CHART_SOURCES, compare


def table(
    gross: int, fee_bps: int, decimals: int = 6, symbol: str = "USDC", actual_net: int | None = None
) -> str:
    def usd(v: int) -> str:  # to the cent: these are comparisons, not balances
        cents = 10 ** max(decimals - 2, 0)
        return format_amount(v // cents * cents, decimals)

    lines = [f"For {usd(gross)} {symbol} spent by fans, the creator keeps:"]
    for row in compare(gross, fee_bps):
        platform = row.platform
        share = f"{float(platform.keep) * 100:5.1f}%"
        figure = usd(row.take_home)
        if row.take_home_high is not None:
            figure += f"-{usd(row.take_home_high)}"
            share += f"-{float(platform.keep_high) * 100:.1f}%"
        note = f" ({platform.note})" if platform.note else ""
        lines.append(f"  {platform.name:<26}{figure:>22} {symbol}  {share:<13} {platform.source}{note}")
    if actual_net is not None:
        lines.append(f"  on chain, creators were actually credited {usd(actual_net)} {symbol} (ledger)")
    return "\n".join(lines)


# ---------------------------------------------------------------------- charts


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def chart_take_home(
    gross: int, fee_bps: int, out_dir: Path | str, decimals: int = 6, symbol: str = "USDC"
) -> Path:
    """out/take_home.png: creator take-home from the same fan spend, by model."""
    plt = _pyplot()
    rows = compare(gross, fee_bps)
    scale = 10**decimals
    names = [r.platform.name for r in rows]
    values = [r.take_home / scale for r in rows]
    errors = [((r.take_home_high or r.take_home) - r.take_home) / scale for r in rows]
    colors = ["#1b9e77"] + ["#999999"] * (len(rows) - 1)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    bars = ax.barh(
        names[::-1], values[::-1], xerr=[[0] * len(rows), errors[::-1]], color=colors[::-1], capsize=4
    )
    for bar, value in zip(bars, values[::-1], strict=True):
        ax.text(
            bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:,.2f}", va="center", fontsize=9
        )
    ax.axvline(gross / scale, color="#333333", linestyle=":", linewidth=1)
    ax.set_xlim(0, gross / scale * 1.15)
    ax.set_xlabel(f"creator take-home ({symbol}) from {gross / scale:,.2f} {symbol} of fan spend")
    ax.set_title("What the creator keeps, by payout model")
    fig.text(0.01, 0.01, CHART_SOURCES, fontsize=6.5, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path = Path(out_dir) / "take_home.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@dataclass(frozen=True)
class TradePoint:
    is_buy: bool
    amount: int  # token base units (18 decimals)
    value: int  # curve value in quote units, fees excluded
    supply_after: int


def chart_curve(
    curve: Curve,
    trades: list[TradePoint],
    out_dir: Path | str,
    symbol: str,
    decimals: int = 6,
    quote: str = "USDC",
) -> Path:
    """out/curve_<symbol>.png: the marginal price `curve.price_at(s)` over the supply, and each
    trade at its average price (curve value / tokens) in the middle of the interval it moved."""
    plt = _pyplot()
    wad = 10**18
    scale = 10**decimals
    top = max([t.supply_after + (0 if t.is_buy else t.amount) for t in trades] + [wad * 10])
    top = int(top * 1.25)
    supplies = [top * i // 200 for i in range(201)]
    xs = [s / wad for s in supplies]
    ys = [curve.price_at(s) / scale for s in supplies]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(xs, ys, color="#1f78b4", label="marginal price (bonding curve)")
    for label, is_buy, color, marker in (("buys", True, "#33a02c", "^"), ("sells", False, "#e31a1c", "v")):
        pts = [t for t in trades if t.is_buy == is_buy and t.amount]
        if not pts:
            continue
        mids = [
            ((t.supply_after - t.amount / 2) if is_buy else (t.supply_after + t.amount / 2)) / wad
            for t in pts
        ]
        avg = [t.value * wad / t.amount / scale for t in pts]
        ax.scatter(mids, avg, color=color, marker=marker, label=f"{label} (average price)", zorder=3)
    ax.set_xlabel(f"{symbol} supply (tokens)")
    ax.set_ylabel(f"price ({quote} per token)")
    ax.set_title(f"{symbol}: bonding-curve price and trades")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(out_dir) / f"curve_{symbol}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def trades_of(events, token: str) -> list[TradePoint]:
    """The trades of one creator token, from its `Trade` events (`fairgift.events.Event`)."""
    from eth_utils import to_checksum_address

    token = to_checksum_address(token)
    return [
        TradePoint(
            bool(e.args["isBuy"]), int(e.args["amount"]), int(e.args["value"]), int(e.args["supplyAfter"])
        )
        for e in sorted(events, key=lambda e: e.order)
        if e.contract == "CreatorMarket"
        and e.name == "Trade"
        and to_checksum_address(str(e.args["token"])) == token
    ]


# ---------------------------------------------------------------------- ledger + report + charts


@dataclass
class Output:
    text: str
    files: list[Path]
    ledger: object


def ledger_and_report(
    fg, out_dir: Path | str, with_report: bool = True, labels: dict | None = None
) -> Output:
    """The ledger of `fg`'s deployment from its events (table + CSV), and with `with_report` the
    platform comparison for the same gross fan spend and the PNG charts, all under `out_dir`."""
    out = Path(out_dir)
    events = ledger.collect(fg)
    book = ledger.from_events(fg, events)
    dec, sym = fg.stable.decimals, fg.stable.symbol
    parts = [ledger.table(book, sym, dec, labels)]
    files = ledger.write_csv(book, out, dec, labels)
    if with_report:
        gross = book.total("gross")
        fee_bps = int(fg.jar.feeBps())
        parts.append("")
        if gross:
            parts.append(table(gross, fee_bps, dec, sym, actual_net=book.total("net")))
            files.append(chart_take_home(gross, fee_bps, out, dec, sym))
        else:
            parts.append("no tips yet: the platform comparison needs some fan spend")
        curve = fg.curve()
        launched = sorted(
            (c for c in book.creators.values() if c.social_token), key=lambda c: -(c.buys + c.sells)
        )
        for c in launched[:3]:
            files.append(chart_curve(curve, trades_of(events, c.social_token), out, c.symbol, dec, sym))
    parts.append("wrote " + ", ".join(str(f) for f in files))
    return Output("\n".join(parts), files, book)
