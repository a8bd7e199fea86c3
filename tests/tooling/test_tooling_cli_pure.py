"""The CLI's pure parts, without a chain: fans' words shown safely (control characters, bidi
tricks, wide characters, CSV formulas), tips rebuilt from events (gift names and quantities as they
were at the time), and every fee's history replayed through fairgift.fees.FeeSchedule."""

import csv

import pytest

from fairgift.display import ELLIPSIS, REPLACEMENT, cell, csv_text, cut, safe_text, table, width
from fairgift.errors import FairGiftError
from fairgift.events import Event
from fairgift.history import FeeTimeline, group_fee_events, initial_bps, tip_rows, write_tips_csv
from tests.constants import DELAY, USDC

JAR = "0x" + "11" * 20
MARKET = "0x" + "22" * 20
FAN = "0x" + "aa" * 20
CREATOR = "0x" + "cc" * 20
USDC_TOKEN = "0x" + "dd" * 20
AVA = "0x" + "ee" * 20


def test_safe_text_replaces_terminal_and_bidi_controls():
    evil = "ok\x1b[2J\x1b]0;title\x07 \u202egnp.exe\u2066 \x9b31m\x7f end"
    shown = safe_text(evil)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\x7f" not in shown
    assert "\u202e" not in shown and "\u2066" not in shown
    assert shown == (
        f"ok{REPLACEMENT}[2J{REPLACEMENT}]0;title{REPLACEMENT} {REPLACEMENT}gnp.exe{REPLACEMENT} "
        f"{REPLACEMENT}31m{REPLACEMENT} end"
    )
    assert safe_text("two\nlines\r\tand tab") == "two lines  and tab"
    assert safe_text("two\nlines\r\n", keep_lines=True) == "two\nlines\n\n"
    assert safe_text("héllo 日本 🎁") == "héllo 日本 🎁"  # words stay words


def test_widths_and_cuts_count_terminal_columns():
    assert width("abc") == 3
    assert width("日本") == 4  # East Asian wide characters take two columns
    assert width("e\u0301") == 1  # a combining accent takes none
    assert cut("short", 10) == "short"
    assert cut("a" * 50, 10) == "a" * 9 + ELLIPSIS and width(cut("a" * 50, 10)) == 10
    assert cut("日本語のメッセージ", 7) == "日本語" + ELLIPSIS  # never splits a wide character's columns
    assert cell("x\x1b[31m" + "y" * 60, 20) == "x" + REPLACEMENT + "[31m" + "y" * 13 + ELLIPSIS


def test_table_aligns_wide_text():
    text = table(["who", "amount"], [["日本", "1.00"], ["ab", "10.00"]], right={1})
    lines = text.splitlines()
    assert lines[0] == "who   amount"
    assert lines[2] == "日本    1.00"
    assert lines[3] == "ab     10.00"
    assert len({width(line) for line in lines}) == 1


@pytest.mark.parametrize(
    "text, shown",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("thanks! =)", "thanks! =)"),
        ("line one\nline two", "line one\nline two"),
        ("bell\x07", "bell" + REPLACEMENT),
    ],
)
def test_csv_text_keeps_words_whole_and_neutralises_formulas(text, shown):
    assert csv_text(text) == shown


def _event(contract, name, args, block, log_index=0, timestamp=None, address=JAR):
    return Event(
        contract, address, name, args, block, log_index, f"0x{block:064x}", timestamp or 1_000 + block
    )


def _tip(block, amount, fee, gift_id=0, message="", log_index=1):
    args = dict(
        fan=FAN, creator=CREATOR, token=USDC_TOKEN, amount=amount, fee=fee, giftId=gift_id, message=message
    )
    return _event("TipJar", "Tipped", args, block, log_index)


def _gift_set(block, gift_id, name, price):
    return _event("TipJar", "GiftSet", {"giftId": gift_id, "name": name, "priceUsd6": price}, block)


def test_tip_rows_newest_first_with_the_gift_as_it_was():
    evs = [
        _gift_set(1, 1, "Rose", 10_000),
        _tip(2, 50_000, 2_500, gift_id=1, message="five roses"),
        _tip(3, 2 * USDC, 100_000, message="gg"),
        _gift_set(4, 1, "Red Rose", 20_000),  # renamed and repriced later
        _tip(5, 60_000, 3_000, gift_id=1, message="three red roses"),
        _tip(6, 30_000, 1_500, gift_id=1, message="odd amount"),  # not a whole number of gifts
        _tip(7, USDC, 50_000, gift_id=9),  # a gift the catalogue never named
    ]
    rows = tip_rows(list(reversed(evs)), lambda token: 6)  # any input order: rows come out newest first
    assert [r.block for r in rows] == [7, 6, 5, 3, 2]
    by_block = {r.block: r for r in rows}
    assert (by_block[2].gift, by_block[2].quantity) == ("Rose", 5)
    assert (by_block[3].gift, by_block[3].quantity, by_block[3].gift_id) == ("", 0, 0)
    assert (by_block[5].gift, by_block[5].quantity) == ("Red Rose", 3)
    assert (by_block[6].gift, by_block[6].quantity) == ("Red Rose", 0)
    assert (by_block[7].gift, by_block[7].quantity) == ("gift #9", 0)
    assert by_block[3].net == 2 * USDC - 100_000
    assert by_block[2].timestamp == 1_002 and by_block[2].tx == f"0x{2:064x}"


def test_tips_csv_is_whole_and_safe(tmp_path):
    long = "x" * 500
    rows = tip_rows(
        [_tip(1, 2_500_000, 125_000, message=long), _tip(2, 1, 0, message="=cmd|' /C calc'!A0")], lambda t: 6
    )
    path = write_tips_csv(
        rows,
        tmp_path / "out" / "tips.csv",
        lambda t, v: f"{v / 1e6:.6f}",
        lambda t: "USDC",
        lambda ts: str(ts),
    )
    read = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["block"] for r in read] == ["2", "1"]
    assert read[1]["message"] == long  # whole, never cut
    assert read[0]["message"] == "'=cmd|' /C calc'!A0"
    assert read[1]["amount"] == "2.500000" and read[1]["fee"] == "0.125000" and read[1]["net"] == "2.375000"
    assert read[1]["tx"] == f"0x{1:064x}" and read[1]["fan"] == FAN


def _fee(kind, block, timestamp, contract="TipJar", log_index=0, **args):
    name = {"changed": "FeeChanged", "scheduled": "FeeChangeScheduled", "cancelled": "FeeChangeCancelled"}[
        kind
    ]
    if "token" in args:
        name = name.replace("Fee", "CreatorFee", 1)
    return _event(contract, name, args, block, log_index, timestamp, JAR if contract == "TipJar" else MARKET)


T0 = 1_700_000_000


def _jar_story():
    return [
        _fee("changed", 3, T0 + 100, oldBps=500, newBps=300),
        _fee("scheduled", 4, T0 + 200, oldBps=300, newBps=400, effectiveAt=T0 + 200 + DELAY),
        # the rise matures at T0 + 200 + DELAY with no transaction
        _fee("scheduled", 9, T0 + 300 + DELAY, oldBps=400, newBps=600, effectiveAt=T0 + 300 + 2 * DELAY),
        _fee("cancelled", 10, T0 + 400 + DELAY, bps=600),
    ]


def test_fee_timeline_replays_every_change_through_the_model():
    story = _jar_story()
    assert initial_bps(story, current_bps=400) == 500
    assert initial_bps([], current_bps=250) == 250  # never changed: the fee in force now
    timeline = FeeTimeline("jar", "tip jar", 1_000, DELAY, 500, 2, T0, events=story)
    assert timeline.fee_at(1, T0 - 12) is None  # before the deployment
    assert timeline.fee_at(2, T0) == 500
    assert timeline.fee_at(3, T0 + 100) == 300
    assert timeline.fee_at(4, T0 + 200) == 300  # scheduled, not in force
    assert timeline.fee_at(6, T0 + 199 + DELAY) == 300
    assert timeline.fee_at(7, T0 + 200 + DELAY) == 400  # matured without a transaction
    assert timeline.fee_at(9, T0 + 300 + DELAY) == 400  # the next rise is only scheduled
    assert timeline.fee_at(10, T0 + 400 + DELAY) == 400  # and cancelled
    assert timeline.fee_at(11, T0 + 300 + 3 * DELAY) == 400  # the cancelled rise never applies
    entries = timeline.entries(now=T0 + 500 + DELAY)
    assert [(e.kind, e.old_bps, e.new_bps) for e in entries] == [
        ("initial", 500, 500),
        ("changed", 500, 300),
        ("scheduled", 300, 400),
        ("matured", 300, 400),
        ("scheduled", 400, 600),
        ("cancelled", 600, 400),
    ]
    matured = entries[3]
    assert (matured.timestamp, matured.block, matured.tx) == (T0 + 200 + DELAY, None, None)
    assert entries[2].effective_at == T0 + 200 + DELAY
    # a rise still pending now is not shown as matured; one due before now is
    pending = FeeTimeline("jar", "tip jar", 1_000, DELAY, 500, 2, T0, events=story[:2])
    assert [e.kind for e in pending.entries(now=T0 + 300)][-1] == "scheduled"
    assert [e.kind for e in pending.entries(now=T0 + 200 + DELAY)][-1] == "matured"


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            _fee("changed", 3, T0 + 100, oldBps=450, newBps=300),
            "says the fee was 450 bps but the model has 500",
        ),
        (_fee("changed", 3, T0 + 100, oldBps=500, newBps=700), "the model scheduled 700 bps"),
        (
            _fee("scheduled", 3, T0 + 100, oldBps=500, newBps=700, effectiveAt=T0 + 100 + DELAY - 1),
            "takes effect at",
        ),
        (_fee("cancelled", 3, T0 + 100, bps=700), "cancels 700 bps but the model has 0 bps pending"),
    ],
)
def test_fee_events_that_do_not_replay_are_refused(bad, message):
    timeline = FeeTimeline("jar", "tip jar", 1_000, DELAY, 500, 2, T0, events=[bad])
    with pytest.raises(FairGiftError, match=message):
        timeline.fee_at(5, T0 + 200)


def test_fee_events_grouped_by_fee():
    launched = _event(
        "CreatorMarket",
        "Launched",
        {"creator": CREATOR, "token": AVA, "name": "Ava", "symbol": "AVA", "creatorFeeBps": 500},
        5,
        address=MARKET,
    )
    evs = [
        *_jar_story(),
        _fee("changed", 6, T0 + 600, contract="CreatorMarket", oldBps=100, newBps=50),
        _fee("changed", 7, T0 + 700, contract="CreatorMarket", token=AVA, oldBps=500, newBps=200),
        launched,
        _tip(8, 1, 0),
    ]
    grouped, launches = group_fee_events(evs)
    assert sorted(grouped) == ["creator:" + AVA, "jar", "protocol"]
    assert [e.block for e in grouped["jar"]] == [3, 4, 9, 10]
    assert [e.name for e in grouped["protocol"]] == ["FeeChanged"]
    assert [e.name for e in grouped["creator:" + AVA]] == ["CreatorFeeChanged"]
    assert launches == [launched]
