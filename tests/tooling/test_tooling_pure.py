"""The pure-Python parts of the tooling: amounts, records, the fee and gift models, event
filtering, the ledger fold, the platforms, the report, charts."""

import csv
import json
from fractions import Fraction

import pytest

from fairgift import events, ledger, platforms, report
from fairgift.amounts import format_amount, format_bps, parse_amount, parse_bps, parse_percent
from fairgift.curve import Curve
from fairgift.deployments import Deployment, DeploymentStore
from fairgift.errors import FairGiftError, describe_revert
from fairgift.fees import FEE_CHANGE_DELAY, FeeSchedule, fee_on, split
from fairgift.gifts import DEFAULT_GIFTS, amount_in, price_text

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

GENESIS = "0x" + "ab" * 32
OTHER_GENESIS = "0x" + "cd" * 32


def test_deployment_record_round_trip(tmp_path):
    store = DeploymentStore(tmp_path)
    rec = Deployment(31337, GENESIS, 5, {"TipJar": A, "CreatorMarket": B}, "ethereum:local:node")
    path = store.save(rec)
    assert path == tmp_path / "31337.json"
    assert json.loads(path.read_text()) == {
        "chain_id": 31337,
        "genesis": GENESIS,
        "block": 5,
        "network": "ethereum:local:node",
        "contracts": {"TipJar": A, "CreatorMarket": B},
    }
    assert store.load(31337) == rec
    assert store.find(31337, GENESIS.upper().replace("0X", "0x")) == rec
    assert store.load(1) is None and store.find(1, GENESIS) is None
    with pytest.raises(FairGiftError, match=r"no FairGift deployment on chain 1 .*run `ape run deploy`"):
        store.require(1, GENESIS)


def test_deployment_key_names_chain_genesis_and_addresses():
    rec = Deployment(31337, GENESIS, 5, {"TipJar": A, "CreatorMarket": B})
    assert rec.key.startswith("31337-") and len(rec.key) == len("31337-") + 12
    # stable: the same chain and addresses (in any order, any case) give the same key
    assert (
        Deployment(31337, GENESIS, 9, {"CreatorMarket": B.upper().replace("0X", "0x"), "TipJar": A}).key
        == rec.key
    )
    assert Deployment(31337, OTHER_GENESIS, 5, rec.contracts).key != rec.key
    assert Deployment(1337, GENESIS, 5, rec.contracts).key != rec.key
    assert Deployment(31337, GENESIS, 5, {"TipJar": A, "CreatorMarket": TOKEN}).key != rec.key


def test_record_of_another_chain_with_the_same_id_is_refused(tmp_path):
    store = DeploymentStore(tmp_path)
    store.save(Deployment(31337, GENESIS, 5, {"TipJar": A}, "ethereum:local:node"))
    before = (tmp_path / "31337.json").read_bytes()
    with pytest.raises(FairGiftError) as err:
        store.find(31337, OTHER_GENESIS)
    message = str(err.value)
    assert f"{tmp_path}/31337.json is the record of another chain 31337 (genesis 0xabababab…" in message
    assert "deployed at block 5 via ethereum:local:node" in message
    assert "the connected chain has the same id but genesis 0xcdcdcdcd…" in message
    assert "`ape run deploy --fresh`" in message
    assert (tmp_path / "31337.json").read_bytes() == before
    # a throw-away store's records are scratch: another chain's record is simply not this chain's
    assert DeploymentStore(tmp_path, throwaway=True).find(31337, OTHER_GENESIS) is None
    with pytest.raises(FairGiftError, match="no FairGift deployment on this throw-away chain"):
        DeploymentStore(tmp_path, throwaway=True).require(31337, OTHER_GENESIS)


def test_deployment_record_broken(tmp_path):
    store = DeploymentStore(tmp_path)
    (tmp_path / "5.json").write_text("{nope")
    with pytest.raises(FairGiftError, match="is not valid JSON"):
        store.load(5)
    (tmp_path / "6.json").write_text(json.dumps({"chain_id": 6, "genesis": GENESIS}))
    with pytest.raises(FairGiftError, match="is not a FairGift deployment record"):
        store.load(6)
    (tmp_path / "7.json").write_text(
        json.dumps({"chain_id": 8, "genesis": GENESIS, "block": 1, "contracts": {}})
    )
    with pytest.raises(FairGiftError, match="records chain 8, not 7"):
        store.load(7)
    (tmp_path / "8.json").write_text(json.dumps({"chain_id": 8, "block": 1, "contracts": {}}))
    with pytest.raises(FairGiftError, match="does not say which chain it is for .*--fresh"):
        store.load(8)


# ---------------------------------------------------------------- fee, curve and gift models


def test_fee_arithmetic():
    assert fee_on(10_000, 500) == 500 and fee_on(19, 500) == 0 and fee_on(20, 500) == 1
    assert split(1_003, 250) == (25, 978)
    with pytest.raises(ValueError):
        fee_on(1, 10_001)


def test_fee_schedule_model():
    fee = FeeSchedule(500, cap=1_000)
    assert fee.delay == FEE_CHANGE_DELAY
    assert fee.schedule(300, now=100) is True  # a decrease: at once
    assert (fee.current(100), fee.pending(100)) == (300, (0, 0))
    assert fee.schedule(800, now=200) is False  # an increase: after the delay
    at = 200 + FEE_CHANGE_DELAY
    assert fee.pending(at - 1) == (800, at) and fee.current(at - 1) == 300
    assert fee.highest_until(at - 1) == 300 and fee.highest_until(at) == 800
    assert fee.current(at) == 800 and fee.pending(at) == (0, 0)  # in force without a transaction
    with pytest.raises(ValueError, match="no pending fee change"):
        fee.cancel(now=at)
    assert fee.schedule(900, now=at + 5) is False
    assert fee.bps == 800  # the matured increase was folded in
    assert fee.cancel(now=at + 6) == 900 and fee.current(at + FEE_CHANGE_DELAY * 2) == 800
    with pytest.raises(ValueError, match="above the cap"):
        fee.schedule(1_001, now=at)
    assert FeeSchedule.from_reads(500, (700, 1234), 1000).pending(1000) == (700, 1234)


def test_curve_model_quotes():
    curve = Curve(10_000, 1_000)
    q = curve.quote_buy(0, 20 * 10**18, 100, 500)
    # 20 tokens: 20 x $0.01 + $0.001 x 20^2 / 2 = $0.40, plus 1% + 5% (the demo's 0.424 USDC)
    assert q.value == curve.area(20 * 10**18) == 200_000 + 200_000
    assert (q.protocol_fee, q.creator_fee, q.total) == (4_000, 20_000, 424_000)
    s = curve.quote_sell(20 * 10**18, 5 * 10**18, 100, 500)
    assert s.value == curve.area(20 * 10**18) - curve.area(15 * 10**18)
    assert s.total == s.value - s.protocol_fee - s.creator_fee


def test_gift_catalogue():
    assert [g.gift_id for g in DEFAULT_GIFTS] == [1, 2, 3, 4]
    rose = DEFAULT_GIFTS[0]
    assert rose.amount_in(6, quantity=25) == 250_000 == amount_in(10_000, 25, 6)
    assert rose.amount_in(18) == 10**16
    assert [price_text(g.price_usd6) for g in DEFAULT_GIFTS] == ["$0.01", "$1.00", "$300.00", "$450.00"]
    assert price_text(1_234_567) == "$1.234567"
    with pytest.raises(ValueError):
        amount_in(1, 1, 2)


# ---------------------------------------------------------------- event names and filters


def test_event_names_and_filters():
    known = {"TipJar": {"Tipped", "Withdrawn"}, "CreatorMarket": {"Trade", "Withdrawn"}}
    assert events.parse_names(None, known) == {
        ("TipJar", "Tipped"),
        ("TipJar", "Withdrawn"),
        ("CreatorMarket", "Trade"),
        ("CreatorMarket", "Withdrawn"),
    }
    assert events.parse_names("Withdrawn", known) == {("TipJar", "Withdrawn"), ("CreatorMarket", "Withdrawn")}
    assert events.parse_names(["TipJar.Withdrawn"], known) == {("TipJar", "Withdrawn")}
    with pytest.raises(
        FairGiftError, match="no FairGift event 'Tiped'; known events: Tipped, Trade, Withdrawn"
    ):
        events.parse_names(["Tiped"], known)
    ev = events.Event("TipJar", A, "Tipped", _tip(FAN1, A, 5, 0, 0), 3, 1, "0x01", 1_700_000_000)
    assert events.matches(ev, {"creator": A.upper().replace("0X", "0x"), "giftId": 0})
    assert events.matches(ev, {"fan": [FAN2, FAN1]})
    assert not events.matches(ev, {"fan": FAN2})
    assert not events.matches(ev, {"nope": 1})
    assert events.json_safe({"b": b"\x01\xff", "l": (1, True), "s": "0xABC message"}) == {
        "b": "0x01ff",
        "l": [1, True],
        "s": "0xABC message",
    }
    assert ev.to_json()["args"]["amount"] == 5 and ev.qualified_name == "TipJar.Tipped"


# ---------------------------------------------------------------- ledger fold


def _events():
    def E(contract, name, args, block, log_index):
        contract = {"jar": "TipJar", "market": "CreatorMarket"}[contract]
        return events.Event(
            contract, A, name, args, block, log_index, f"0x{block:064x}", 1_700_000_000 + block
        )

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


def test_tip_groups_fold_like_their_tips():
    """`group_tips` (the rule the index applies in SQL) hands `build` a few summed `TipGroup`s
    instead of the `Tipped` events: the same ledger, including gift quantities across a gift price
    change (equal sends at two prices are two groups) and fees across a treasury change."""

    def E(name, args, block, log_index=0):
        return events.Event("TipJar", A, name, args, block, log_index, f"0x{block:064x}", block)

    evs = _events() + [
        E("Tipped", _tip(FAN2, A, 100_000, 5_000, 1), 12),  # 10 roses at 0.01
        E("GiftSet", {"giftId": 1, "name": "Rose", "priceUsd6": 20_000}, 13),
        E("Tipped", _tip(FAN2, A, 100_000, 5_000, 1), 14),  # the same amount: 5 roses now
        E("Tipped", _tip(FAN2, A, 100_000, 5_000, 1), 14, 1),
        E("Tipped", _tip(FAN2, A, 200_000, 10_000, 1), 15),
        *[E("Tipped", _tip(FAN1, A, 1_000_000 + i, 50_000, 0), 16 + i) for i in range(5)],
        E("TreasurySet", {"treasury": TREASURY}, 21),
        *[E("Tipped", _tip(FAN1, A, 3_000_000, 150_000 + i, 0), 22 + i) for i in range(3)],
        E("Withdrawn", {"account": A, "token": USDC_ADDR, "to": A, "amount": 1}, 25),
        E("Tipped", _tip(FAN2, B, 7, 0, 0), 26),
    ]
    grouped = ledger.group_tips(evs[::-1])
    tipped = [e for e in evs if e.name == "Tipped"]
    groups = [g for g in grouped if isinstance(g, ledger.TipGroup)]
    assert not [e for e in grouped if getattr(e, "name", None) == "Tipped"]
    assert sum(g.count for g in groups) == len(tipped) and len(groups) < len(tipped) - 5
    assert sum(g.amount for g in groups) == sum(e.args["amount"] for e in tipped)
    args = ({USDC_ADDR: 6}, TREASURY, TREASURY, USDC_ADDR)
    whole, folded = ledger.build(evs, *args), ledger.build(grouped, *args)
    assert folded.creators == whole.creators
    assert (folded.treasury_fees, folded.withdrawn) == (whole.treasury_fees, whole.withdrawn)
    a = whole.creators[(cs(A), cs(USDC_ADDR))]
    assert a.gifts[1].quantity == 10 + 10 + 5 + 5 + 10  # the first 10 roses, then the new price
    assert a.tips == 2 + 5 + 3
    assert whole.treasury_fees[(cs(TREASURY2), cs(USDC_ADDR))] == 200_000 + 3 * 5_000 + 10_000 + 5 * 50_000


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
    rows = {r.platform.name: r for r in platforms.compare(100_000_000, 500)}
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
    curve = report.chart_curve(Curve(10_000, 1_000), trades, tmp_path, "AAA")
    assert curve == tmp_path / "curve_AAA.png"
    assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
