"""The pure-Python parts of the tooling: amounts, records, the ledger fold, the report, charts."""

import csv
import json
from fractions import Fraction

import pytest

from fairgift import deployments, ledger, report
from fairgift.amounts import format_amount, format_bps, parse_amount, parse_bps, parse_percent
from fairgift.errors import FairGiftError, describe_revert

A = "0x" + "a1" * 20
B = "0x" + "b2" * 20
FAN1 = "0x" + "f1" * 20
FAN2 = "0x" + "f2" * 20
USDC_ADDR = "0x" + "cc" * 20
TOKEN = "0x" + "70" * 20
TREASURY = "0x" + "7e" * 20
TREASURY2 = "0x" + "7f" * 20


def cs(a):
    from eth_utils import to_checksum_address

    return to_checksum_address(a)


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    "text,decimals,units",
    [
        ("5", 6, 5_000_000),
        ("2.50", 6, 2_500_000),
        ("2.50 USDC", 6, 2_500_000),
        ("2.5 usdc", 6, 2_500_000),
        ("$2.50", 6, 2_500_000),
        (" 0.000001 ", 6, 1),
        (".5", 6, 500_000),
        ("1,000.25", 6, 1_000_250_000),
        ("12.5 USDC", 18, 12_500_000_000_000_000_000),
        (7, 6, 7_000_000),
    ],
)
def test_parse_amount(text, decimals, units):
    assert parse_amount(text, decimals, "USDC") == units


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "amount is empty"),
        ("abc", "'abc' is not a number"),
        ("-1", "'-1' is negative"),
        ("1.0000001", "more decimals than USDC has (6)"),
        ("2.50 DAI", "is in DAI, expected USDC"),
        ("0", "'0' is zero"),
        ("1 2 3", "is not a number"),
        ("1e6", "is not a number"),
        ("1,00", "is not a number"),
        (True, "is not a number"),
    ],
)
def test_parse_amount_rejects(text, message):
    with pytest.raises(FairGiftError) as err:
        parse_amount(text, 6, "USDC")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_parse_amount_zero_allowed_and_dollar_on_non_usd():
    assert parse_amount("0", 6, "USDC", allow_zero=True) == 0
    with pytest.raises(FairGiftError, match="ALICE is not a USD token"):
        parse_amount("$1", 18, "ALICE")


@pytest.mark.parametrize(
    "units,decimals,symbol,text",
    [
        (2_500_000, 6, "USDC", "2.50 USDC"),
        (1, 6, "USDC", "0.000001 USDC"),
        (1_234_567_890_000, 6, None, "1,234,567.89"),
        (0, 6, "USDC", "0.00 USDC"),
        (10**18, 18, "ALICE", "1.00 ALICE"),
        (-1_500_000, 6, None, "-1.50"),
    ],
)
def test_format_amount(units, decimals, symbol, text):
    assert format_amount(units, decimals, symbol) == text


def test_format_parse_round_trip():
    for units in (1, 10, 999_999, 1_000_000, 123_456_789, 10**30 + 7):
        assert parse_amount(format_amount(units, 6, "USDC"), 6, "USDC") == units


def test_bps_and_percent():
    assert parse_bps("250") == 250
    assert parse_bps("2.5%") == 250
    assert parse_bps("300bps") == 300
    assert format_bps(250) == "2.5% (250 bps)"
    assert format_bps(1000) == "10% (1000 bps)"
    for bad, msg in (
        ("2.555%", "whole"),
        ("x", "basis points"),
        ("-5", "non-negative"),
        ("200%", "above 100%"),
    ):
        with pytest.raises(FairGiftError, match=msg):
            parse_bps(bad)
    assert parse_percent("1%") == Fraction(1, 100)
    assert parse_percent("0.5") == Fraction(1, 2)
    with pytest.raises(FairGiftError, match="below 100%"):
        parse_percent("100%")


def test_describe_revert():
    assert describe_revert("FeeAboveCap", {"bps": 1500, "cap": 1000}) == (
        "a fee of 1500 bps is above the cap of 1000 bps written in the contract"
    )
    assert describe_revert("UnknownGift", {"giftId": 9}) == "there is no gift #9 in the catalogue"
    # an error without a text of its own is spelled out from its name and inputs
    assert (
        describe_revert("SlippageTooHigh", {"cost": 5, "maxCost": 4})
        == "slippage too high (cost=5, maxCost=4)"
    )
    assert describe_revert("Paused") == "paused"


# ---------------------------------------------------------------- deployment records


def test_deployment_record_round_trip(tmp_path):
    rec = deployments.Deployment(31337, 5, {"TipJar": A, "CreatorMarket": B})
    path = deployments.save(rec, tmp_path)
    assert path == tmp_path / "31337.json"
    assert json.loads(path.read_text()) == {
        "chain_id": 31337,
        "block": 5,
        "contracts": {"TipJar": A, "CreatorMarket": B},
    }
    assert deployments.load(31337, tmp_path) == rec
    assert deployments.load(1, tmp_path) is None
    with pytest.raises(FairGiftError, match=r"no FairGift deployment on chain 1 .*run `ape run deploy`"):
        deployments.require(1, tmp_path)


def test_deployment_record_broken(tmp_path):
    (tmp_path / "5.json").write_text("{nope")
    with pytest.raises(FairGiftError, match="is not valid JSON"):
        deployments.load(5, tmp_path)
    (tmp_path / "6.json").write_text(json.dumps({"chain_id": 6}))
    with pytest.raises(FairGiftError, match="is not a FairGift deployment record"):
        deployments.load(6, tmp_path)
    (tmp_path / "7.json").write_text(json.dumps({"chain_id": 8, "block": 1, "contracts": {}}))
    with pytest.raises(FairGiftError, match="records chain 8, not 7"):
        deployments.load(7, tmp_path)


def test_deployments_folder_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRGIFT_DEPLOYMENTS", str(tmp_path))
    assert deployments.record_path(31337) == tmp_path / "31337.json"


# ---------------------------------------------------------------- ledger fold


def _events():
    E = ledger.Event
    return [
        E("jar", "GiftSet", {"giftId": 1, "name": "Rose", "priceUsd6": 10_000}, 1, 0),
        E("jar", "GiftSet", {"giftId": 3, "name": "Lion", "priceUsd6": 29_990_000}, 1, 1),
        # plain tips: 10 USDC and 2.50 USDC to A at 5%; 1 USDC to B
        E("jar", "Tipped", _tip(FAN1, A, 10_000_000, 500_000, 0), 2, 0),
        E("jar", "Tipped", _tip(FAN2, A, 2_500_000, 125_000, 0), 3, 0),
        E("jar", "Tipped", _tip(FAN2, B, 1_000_000, 50_000, 0), 3, 1),
        # gifts: 10 roses and one lion to A
        E("jar", "Tipped", _tip(FAN2, A, 100_000, 5_000, 1), 4, 0),
        E("jar", "Tipped", _tip(FAN1, A, 29_990_000, 1_499_500, 3), 4, 1),
        # treasury changes: later fees go to TREASURY2
        E("jar", "TreasurySet", {"treasury": TREASURY2}, 5, 0),
        E("jar", "Tipped", _tip(FAN1, B, 4_000_000, 200_000, 0), 6, 0),
        E("jar", "Withdrawn", {"account": A, "token": USDC_ADDR, "to": A, "amount": 5_000_000}, 7, 0),
        E(
            "jar",
            "Withdrawn",
            {"account": TREASURY, "token": USDC_ADDR, "to": TREASURY, "amount": 100_000},
            7,
            1,
        ),
        # market: A launches, fans trade
        E(
            "market",
            "Launched",
            {"creator": A, "token": TOKEN, "name": "A", "symbol": "AAA", "creatorFeeBps": 500},
            8,
            0,
        ),
        E("market", "Trade", _trade(A, True, 10**18, 10_500, 105, 525, 10**18), 8, 1),
        E("market", "Trade", _trade(FAN1, True, 4 * 10**18, 58_000, 580, 2_900, 5 * 10**18), 9, 0),
        E("market", "Trade", _trade(FAN1, False, 2 * 10**18, 37_000, 370, 1_850, 3 * 10**18), 10, 0),
        E("market", "Withdrawn", {"account": A, "to": A, "amount": 1_000}, 11, 0),
    ]


def _tip(fan, creator, amount, fee, gift_id):
    return dict(
        fan=fan, creator=creator, token=USDC_ADDR, amount=amount, fee=fee, giftId=gift_id, message="hi"
    )


def _trade(trader, is_buy, amount, value, pf, cf, supply_after):
    return dict(
        trader=trader, token=TOKEN, isBuy=is_buy, amount=amount, value=value, protocolFee=pf, creatorFee=cf,
        supplyAfter=supply_after,
    )  # fmt: skip


def test_ledger_fold():
    events = _events()[::-1]  # order of arrival must not matter: the fold sorts by (block, log index)
    book = ledger.build(
        events, {USDC_ADDR: 6}, treasury=TREASURY, market_treasury=TREASURY, stablecoin=USDC_ADDR
    )
    a = book.creators[(cs(A), cs(USDC_ADDR))]
    b = book.creators[(cs(B), cs(USDC_ADDR))]
    assert (a.tips, a.tips_gross) == (2, 12_500_000)
    assert a.gross == 12_500_000 + 100_000 + 29_990_000
    assert a.fees == 500_000 + 125_000 + 5_000 + 1_499_500
    assert a.net == a.gross - a.fees
    assert {g.name: (g.sends, g.quantity, g.gross) for g in a.gifts.values()} == {
        "Rose": (1, 10, 100_000),
        "Lion": (1, 1, 29_990_000),
    }
    assert a.top_supporters() == [(cs(FAN1), 39_990_000), (cs(FAN2), 2_600_000)]
    assert a.jar_withdrawn == 5_000_000
    assert a.jar_credit == a.net - 5_000_000
    assert (a.symbol, a.buys, a.sells) == ("AAA", 2, 1)
    assert (a.tokens_bought, a.tokens_sold) == (5 * 10**18, 2 * 10**18)
    assert a.trade_volume == 10_500 + 58_000 + 37_000
    assert a.creator_fee_income == 525 + 2_900 + 1_850
    assert a.market_withdrawn == 1_000
    assert book.market_credit(A) == 525 + 2_900 + 1_850 - 1_000
    assert (b.gross, b.fees, b.tips) == (5_000_000, 250_000, 2)
    # fees follow the treasury in force at each tip
    assert book.treasury_fees == {
        (cs(TREASURY), cs(USDC_ADDR)): 500_000 + 125_000 + 50_000 + 5_000 + 1_499_500,
        (cs(TREASURY2), cs(USDC_ADDR)): 200_000,
    }
    assert book.jar_credit(TREASURY, USDC_ADDR) == 500_000 + 125_000 + 50_000 + 5_000 + 1_499_500 - 100_000
    assert book.protocol_fees == {cs(TREASURY): 105 + 580 + 370}
    assert [c.creator for c in book.rows()] == [cs(A), cs(B)]


def test_ledger_table_and_csv(tmp_path):
    book = ledger.build(_events(), {USDC_ADDR: 6}, TREASURY, TREASURY, USDC_ADDR)
    text = ledger.table(book, labels={cs(A): "alice"})
    lines = text.splitlines()
    assert lines[0] == "amounts in USDC"
    row = next(line for line in lines if line.startswith("alice "))
    assert "42.59" in row and "2.12" in row and "AAA" in row  # gross 42.59, fees 2.1295 -> "2.12"
    assert "alice: gifts: Lion x1 (29.99), Rose x10 (0.10)" in text
    paths = ledger.write_csv(book, tmp_path, labels={cs(A): "alice"})
    assert [p.name for p in paths] == ["ledger.csv", "supporters.csv"]
    rows = list(csv.DictReader((tmp_path / "ledger.csv").open()))
    assert rows[0]["label"] == "alice"
    assert rows[0]["gross"] == "42.590000"
    assert rows[0]["fees"] == "2.129500"
    assert rows[0]["net"] == "40.460500"
    assert rows[0]["gifts"] == "Rose x10; Lion x1"
    assert rows[0]["creator_fee_income"] == "0.005275"
    supporters = list(csv.DictReader((tmp_path / "supporters.csv").open()))
    assert supporters[0] == {"creator": cs(A), "fan": cs(FAN1), "amount": "39.990000"}


# ---------------------------------------------------------------- report


def test_compare_take_home():
    rows = {r.model.name: r for r in report.compare(100_000_000, 500)}
    assert rows["FairGift (5% fee)"].take_home == 95_000_000
    assert rows["TikTok LIVE (BBC test)"].take_home == 100_000_000 * 3303 // 10600  # 31.16 USD
    assert rows["YouTube Super Chat"].take_home == 70_000_000
    assert rows["Twitch Bits"].take_home == 71_428_571
    assert rows["Patreon"].take_home == 90_000_000
    tiktok = rows["TikTok coins->diamonds"]
    assert (tiktok.take_home, tiktok.take_home_high) == (32_258_064, 47_619_047)
    text = report.table(100_000_000, 500)
    assert (
        "FairGift (5% fee)" in text
        and "95.00" in text
        and "support.google.com/youtube/answer/7288782" in text
    )
    assert "31.16" in text and "BBC" in text


def test_charts(tmp_path):
    path = report.chart_take_home(123_450_000, 300, tmp_path)
    assert path == tmp_path / "take_home.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    trades = report.trades_of(ledger.build(_events(), {}, TREASURY, TREASURY, USDC_ADDR) and _events(), TOKEN)
    assert [(t.is_buy, t.amount) for t in trades] == [(True, 10**18), (True, 4 * 10**18), (False, 2 * 10**18)]
    curve = report.chart_curve(10_000, 1_000, trades, tmp_path, "AAA")
    assert curve == tmp_path / "curve_AAA.png"
    assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
