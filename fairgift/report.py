"""What the creator keeps: FairGift's fee in force against the platforms' published figures
(`fairgift.platforms`), and PNG charts (take-home by platform; a creator token's bonding curve
with its trades) in out/<chain id>-<hash>/, one folder per deployment (`deployment_folder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fairgift import ledger
from fairgift.amounts import format_amount
from fairgift.curve import Curve
from fairgift.platforms import CHART_SOURCES, compare


def money(units: int, decimals: int = 6) -> str:
    """A comparison figure, to the cent and rounded down (as every fee here): 830.736 -> "830.73".
    The one rule for the printed table and the chart's labels, so they never differ."""
    cents = 10 ** max(decimals - 2, 0)
    return format_amount(int(units) // cents * cents, decimals)


def figure_text(row, decimals: int = 6) -> str:
    """A `compare` row's take-home as shown: "830.73", or a range "279.14-412.07"."""
    text = money(row.take_home, decimals)
    if row.take_home_high is not None:
        text += f"-{money(row.take_home_high, decimals)}"
    return text


def table(
    gross: int, fee_bps: int, decimals: int = 6, symbol: str = "USDC", actual_net: int | None = None
) -> str:
    lines = [f"For {money(gross, decimals)} {symbol} spent by fans, the creator keeps:"]
    for row in compare(gross, fee_bps):
        platform = row.platform
        share = f"{float(platform.keep) * 100:5.1f}%"
        figure = figure_text(row, decimals)
        if row.take_home_high is not None:
            share += f"-{float(platform.keep_high) * 100:.1f}%"
        note = f" ({platform.note})" if platform.note else ""
        lines.append(f"  {platform.name:<26}{figure:>22} {symbol}  {share:<13} {platform.source}{note}")
    if actual_net is not None:
        lines.append(
            f"  on chain, creators were actually credited {money(actual_net, decimals)} {symbol} (ledger)"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------- charts


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# The take-home chart's artists carry these gids, so a test can find each kind of mark and label.
GID_BAR, GID_RANGE, GID_VALUE, GID_SPEND, GID_SPEND_LABEL = "bar", "range", "value", "spend", "spend-label"


def take_home_figure(gross: int, fee_bps: int, decimals: int = 6, symbol: str = "USDC"):
    """The take-home chart as a matplotlib figure (`chart_take_home` saves it). Each bar's figure
    is `figure_text`, the table's own, written inside the bar's end; a published range (TikTok's
    coins) is a lighter hatched bar from its low to its high end, with nothing written over it;
    the dotted line is all that fans spent, labelled along it on its right, where no bar reaches."""
    plt = _pyplot()
    rows = compare(gross, fee_bps)[::-1]  # barh draws bottom-up: FairGift on top
    scale = 10**decimals
    names = [r.platform.name for r in rows]
    values = [r.take_home / scale for r in rows]
    fig, ax = plt.subplots(figsize=(9, 4.8))
    colors = ["#999999"] * (len(rows) - 1) + ["#1b9e77"]
    bars = ax.barh(names, values, color=colors)
    for bar in bars:
        bar.set_gid(GID_BAR)
    for i, row in enumerate(rows):
        if row.take_home_high is not None:
            low, high = row.take_home / scale, row.take_home_high / scale
            ax.barh(
                i, high - low, left=low, color="#e8e8e8", edgecolor="#999999", hatch="///", linewidth=0.8
            ).patches[0].set_gid(GID_RANGE)
    pad = 4  # points between a figure and its bar's end (or a range's start)
    labels = [
        ax.annotate(
            figure_text(row, decimals),
            xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(-pad, 0),
            textcoords="offset points",
            va="center",
            ha="right",
            fontsize=9,
            color="white",
            gid=GID_VALUE,
        )
        for bar, row in zip(bars, rows, strict=True)
    ]
    spend = gross / scale
    ax.axvline(spend, color="#333333", linestyle=":", linewidth=1, gid=GID_SPEND)
    ax.annotate(  # offset in points, right of the line: a rotated text's spaces would run along it
        f"fans spent {money(gross, decimals)} {symbol}",
        xy=(spend, 0.5),
        xycoords=ax.get_xaxis_transform(),
        xytext=(4, 0),
        textcoords="offset points",
        rotation=90,
        va="center",
        ha="left",
        fontsize=8,
        color="#333333",
        gid=GID_SPEND_LABEL,
    )
    ax.set_xlim(0, spend * 1.15)
    ax.set_xlabel(f"creator take-home ({symbol}) from {money(gross, decimals)} {symbol} of fan spend")
    ax.set_title("What the creator keeps, by payout model")
    fig.text(0.01, 0.01, CHART_SOURCES, fontsize=6.5, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    # A figure wider than its bar (a tiny bar) goes after the bar's end instead, in dark text.
    renderer = fig.canvas.get_renderer()
    for bar, label, row in zip(bars, labels, rows, strict=True):
        if label.get_window_extent(renderer).width + 2 * pad > bar.get_window_extent(renderer).width:
            end = max(bar.get_width(), (row.take_home_high or 0) / scale)
            label.set(ha="left", color="#222222")
            label.xy = (end, label.xy[1])
            label.xyann = (pad, 0)
    return fig


def chart_take_home(
    gross: int, fee_bps: int, out_dir: Path | str, decimals: int = 6, symbol: str = "USDC"
) -> Path:
    """<out>/take_home.png: creator take-home from the same fan spend, by model."""
    plt = _pyplot()
    fig = take_home_figure(gross, fee_bps, decimals, symbol)
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
    """<out>/curve_<symbol>.png: the marginal price `curve.price_at(s)` over the supply, and each
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


def deployment_folder(out_root: Path | str, record) -> Path:
    """`out_root`/<chain id>-<hash>/ (`Deployment.key`): one deployment's ledger, CSV and charts,
    so the ledger of a node's deployment never overwrites the demo's (nor a redeploy's)."""
    return Path(out_root) / record.key


def ledger_and_report(
    fg, out_root: Path | str, with_report: bool = True, labels: dict | None = None
) -> Output:
    """The ledger of `fg`'s deployment from its events (table + CSV), and with `with_report` the
    platform comparison for the same gross fan spend and the PNG charts, all in the deployment's
    folder under `out_root` (`deployment_folder`)."""
    out = deployment_folder(out_root, fg.record)
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
