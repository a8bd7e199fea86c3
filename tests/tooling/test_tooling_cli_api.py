"""The operator's reads and the CLI's new operations through the Python API, on the test chain:
tips newest first (and the newest N), every fee at every block equal to the contract's own answer
at that block, quotes equal to what the operation then does, balances, releases, fee
cancellations, token lists, and the one-line refusals (shared symbols, non-tokens, duplicate
payees, an allowance left behind by a buy)."""

import csv

import pytest

from fairgift import events
from fairgift.display import ELLIPSIS
from fairgift.errors import FairGiftError
from fairgift.fees import fee_on
from tests.constants import DELAY, MAX_UINT, USDC

LONG = "so good " * 20


@pytest.fixture(scope="module")
def cli_story(fg, fg_fans, creator, creator2, owner, stranger, chain):
    """Tips and gifts to two creators, every kind of fee change (the jar's rise matures by the
    clock), two tokens that share a symbol, and trades."""
    fan, fan2, _ = fg_fans
    fg.tip(fan, creator, "2.50", "first")
    fg.gift(fan, creator, "Rose", 3, "roses")
    fg.tip(fan2, creator2, "1", "for the other creator")
    fg.schedule_fee(owner, "3%")  # lowered at once
    fg.tip(fan2, creator, "4", "hi \x1b[31mred\x1b[0m \u202eevil " + LONG)
    fg.schedule_fee(owner, "4%")  # a rise: matures after the delay
    chain.mine(timestamp=chain.pending_timestamp + DELAY + 60)
    fg.tip(fan, creator, "10", "after the rise")
    fg.schedule_fee(owner, "6%")
    fg.cancel_fee(owner, "jar")
    fg.schedule_fee(owner, "2%", "protocol")  # a protocol rise, still pending
    for who in (creator, creator2):
        fg.mint(owner, who, "100")
    ava = fg.launch(creator, "Ava Social", "AVA", "5%", "10").values["token"]
    ava2 = fg.launch(creator2, "Avalanche", "ava", "4%").values["token"]
    fg.schedule_fee(creator, "3%", "creator")
    fg.buy(fan, ava, "5")
    return {"ava": ava, "ava2": ava2, "head": chain.blocks.head.number}


def story_tips(fg, cli_story, creator=None):
    """The story's tips only (other tests here may tip later, in any order)."""
    return [r for r in fg.tips(creator) if r.block <= cli_story["head"]]


def test_tips_newest_first_with_the_newest_n(fg, cli_story, fg_fans, creator, creator2):
    rows = story_tips(fg, cli_story, creator)
    assert [(r.amount, r.message[:5]) for r in rows] == [
        (10 * USDC, "after"),
        (4 * USDC, "hi \x1b["),
        (30_000, "roses"),
        (2_500_000, "first"),
    ]
    assert [r.fee for r in rows] == [400_000, 120_000, 1_500, 125_000]  # 4%, 3%, 5%, 5%
    assert rows[2].gift == "Rose" and rows[2].quantity == 3 and rows[2].gift_id == 1
    assert all(r.creator == creator.address for r in rows)
    assert sorted(rows, key=lambda r: (r.block, r.log_index), reverse=True) == rows
    assert fg.tips(creator, limit=2) == fg.tips(creator)[:2]
    everyone = story_tips(fg, cli_story)
    assert len(everyone) == 5 and any(r.creator == creator2.address for r in everyone)
    with pytest.raises(FairGiftError, match="--limit must be at least 1"):
        fg.tips(creator, limit=0)
    # the scan's newest-first query equals the forward read, before any (block, log_index) cursor
    source = events.source(fg, index=False)
    forward = source.events("TipJar.Tipped", creator=creator, to_block=cli_story["head"])
    end = (cli_story["head"] + 1, 0)
    newest = events.latest(source, "TipJar.Tipped", 3, before=end, creator=creator)
    assert newest == list(reversed(forward))[:3]
    older = events.latest(source, "TipJar.Tipped", 10, before=newest[1].order, creator=creator)
    assert older == list(reversed(forward))[2:]
    walked = events.walk_back(
        source, "TipJar.Tipped", 4, fg.record.block, before=end, window=1, creator=creator
    )
    assert walked == list(reversed(forward))


def test_tips_table_and_csv_show_fans_words_safely(fg, cli_story, creator, tmp_path):
    rows = story_tips(fg, cli_story, creator)
    text = fg.tips_text(rows, creator, message_width=30)
    assert "\x1b" not in text and "\u202e" not in text
    assert "4 tip(s) and gift(s), newest first; 16.53 USDC in all" in text
    line = next(t for t in text.splitlines() if "red" in t)
    assert "hi \ufffd[31mred\ufffd[0m \ufffdevil so good" in line and ELLIPSIS in line
    assert rows[1].tx in line and "4.00 USDC" in line and "0.12 USDC" in line
    assert "Rose x3" in text
    path = fg.write_tips_csv(rows, tmp_path / "tips.csv")
    read = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(read) == 4
    assert read[1]["message"].endswith(LONG) and "\x1b" not in read[1]["message"]  # whole, safe
    assert (read[1]["amount"], read[1]["fee"], read[1]["net"]) == ("4.00", "0.12", "3.88")
    assert read[2]["gift"] == "Rose" and read[2]["quantity"] == "3"
    assert fg.tips_text([], creator) == f"no tips or gifts for {creator.address} yet"


def test_every_fee_at_every_block_is_the_contracts(fg, cli_story, chain):
    """The replay through fairgift.fees.FeeSchedule answers, for every block since the deployment,
    exactly what the contracts answered at that block (historical eth_call)."""
    timelines = {t.key: t for t in fg.fee_timelines()}
    assert sorted(timelines) == sorted(
        ["jar", "protocol", f"creator:{cli_story['ava']}", f"creator:{cli_story['ava2']}"]
    )
    seen = {"jar": set(), "protocol": set()}
    for block in range(fg.record.block, chain.blocks.head.number + 1):
        timestamp = chain.blocks[block].timestamp
        jar_bps = timelines["jar"].fee_at(block, timestamp)
        protocol_bps = timelines["protocol"].fee_at(block, timestamp)
        # None exactly while the contract did not exist yet
        assert (jar_bps is None) == (not chain.provider.get_code(fg.jar.address, block_id=block)), block
        assert (protocol_bps is None) == (not chain.provider.get_code(fg.market.address, block_id=block))
        if jar_bps is not None:
            assert jar_bps == fg.jar.feeBps(block_id=block), block
        if protocol_bps is not None:
            assert protocol_bps == fg.market.protocolFeeBps(block_id=block), block
        seen["jar"].add(jar_bps)
        seen["protocol"].add(protocol_bps)
        for token in (cli_story["ava"], cli_story["ava2"]):
            bps = timelines[f"creator:{token}"].fee_at(block, timestamp)
            if bps is not None:
                assert bps == fg.market.creatorFeeBps(token, block_id=block), (block, token)
    assert seen["jar"] == {None, 500, 300, 400}  # initial, lowered, and the rise matured by the clock
    assert seen["protocol"] == {None, 100}  # the rise to 2% is still pending
    assert fg.fees_at(chain.blocks.head.number)["tip jar"] == 400
    text = fg.fee_history_text()
    for expected in (
        "tip jar fee (cap 10% (1000 bps); a rise waits 7 days), now 4% (400 bps)",
        "lowered 5% (500 bps) -> 3% (300 bps), in force at once",
        "rise 3% (300 bps) -> 4% (400 bps) scheduled",
        "the scheduled rise to 4% (400 bps) takes effect (no transaction needed)",
        "pending rise to 6% (600 bps) cancelled; 4% (400 bps) stays",
        "rise 1% (100 bps) -> 2% (200 bps) scheduled",
        "lowered 5% (500 bps) -> 3% (300 bps)",
    ):
        assert expected in text, expected
    at = fg.fee_history_text(at=fg.record.block)  # the stablecoin's block: before the jar
    assert f"tip jar                not yet (from block {timelines['jar'].since_block})" in at
    at = fg.fee_history_text(at=timelines["jar"].since_block)
    assert "tip jar                5% (500 bps)" in at
    with pytest.raises(FairGiftError, match="is not on the chain yet"):
        fg.fees_at(chain.blocks.head.number + 100)


def test_quotes_equal_what_the_operation_then_does(fg, cli_story, fg_fans, creator):
    fan = fg_fans[2]
    q = fg.quote_tip("3")
    assert (q.values["amount"], q.values["fee"]) == (3 * USDC, fee_on(3 * USDC, 400))
    assert q.values["fee"] == fg.tip(fan, creator, "3").values["fee"]
    q = fg.quote_gift("Heart", 2)
    r = fg.gift(fan, creator, "Heart", 2)
    assert (
        (q.values["amount"], q.values["fee"]) == (r.values["amount"], r.values["fee"]) == (2 * USDC, 80_000)
    )
    assert "nothing sent" in q.summary
    q = fg.quote_buy("TEST::2", "4")  # the creator's test account names its token
    r = fg.buy(fan, cli_story["ava"], "4")
    assert q.values["total"] == r.values["cost"] == r.values["quote"]
    assert (
        q.values["limit"] == r.values["limit"]
        and q.values["tolerance"] == q.values["limit"] - q.values["total"]
    )
    q = fg.quote_sell(cli_story["ava"], "2")
    r = fg.sell(fan, cli_story["ava"], "2")
    assert q.values["total"] == r.values["proceeds"] and q.values["limit"] == r.values["floor"]
    assert "sent with minProceeds" in q.summary


def test_quote_shows_a_pending_rise(fg, cli_story, owner):
    fg.schedule_fee(owner, "5%")
    try:
        q = fg.quote_tip("1")
        assert q.values["pending_bps"] == 500 and q.values["fee"] == 40_000
        assert "a rise to 5% (500 bps) takes effect" in q.summary and "the fee is 0.05 USDC" in q.summary
    finally:
        fg.cancel_fee(owner, "jar")


def test_buy_leaves_no_allowance_unless_asked(fg, cli_story, fg_fans):
    fan, ava = fg_fans[1], cli_story["ava"]
    market = fg.market.address
    assert fg.usdc.allowance(fan, market) == 0
    r = fg.buy(fan, ava, "1", slippage="1%")  # a limit above the cost (the default may be the cost)
    assert fg.usdc.allowance(fan, market) == 0
    assert r.values["allowance_left"] == 0 and f"no USDC allowance left to {market}" in r.summary
    assert len(r.receipts) == 3  # approve the limit, buy, set the allowance back
    r = fg.buy(fan, ava, "1", slippage="1%", keep_allowance=True)
    left = r.values["limit"] - r.values["cost"]
    assert left > 0 and fg.usdc.allowance(fan, market) == left
    assert f"{market} may still spend {fg.usd(left)} of your USDC (kept)" in r.summary
    fg.usdc.approve(market, MAX_UINT, sender=fan)  # an allowance the fan gave before is the fan's
    r = fg.buy(fan, ava, "1")
    assert fg.usdc.allowance(fan, market) in (MAX_UINT, MAX_UINT - r.values["cost"])
    assert "(approved before)" in r.summary and len(r.receipts) == 1
    fg.usdc.approve(market, 0, sender=fan)


def test_balance_of_a_fan_and_of_a_creator(fg, cli_story, fg_fans, creator):
    fan, ava = fg_fans[0], cli_story["ava"]
    b = fg.balance(fan)
    (stable,) = b["stablecoins"]
    assert stable["wallet"] == fg.usdc.balanceOf(fan) and stable["jar_credit"] == 0
    (held,) = b["creator_tokens"]
    assert held["token"] == ava and held["amount"] == fg.erc20(ava).balanceOf(fan) == 5 * 10**18
    assert held["sell_now"] == fg.market.quoteSell(ava, held["amount"])[0]
    assert b["own_token"] is None
    c = fg.balance(creator)
    assert c["stablecoins"][0]["jar_credit"] == fg.jar.balanceOf(creator, fg.usdc) > 0
    assert c["market_credit"] == fg.market.balanceOf(creator) > 0
    assert c["own_token"]["token"] == ava and c["own_token"]["fee_bps"] == 300
    text = fg.balance_text(creator)
    assert "tip jar credit" in text and "market credit" in text and "own token        AVA" in text


def test_a_shared_symbol_is_refused_and_a_name_or_address_accepted(fg, cli_story, fg_fans, creator, creator2):
    with pytest.raises(FairGiftError) as err:
        fg.quote_buy("AVA", "1")
    message = str(err.value)
    assert message.startswith("2 creator tokens share the symbol AVA: ")
    assert cli_story["ava"] in message and cli_story["ava2"] in message
    assert creator.address in message and creator2.address in message and "\n" not in message
    catalogue = fg.creators()
    catalogue.add("ava", creator.address)
    try:
        assert fg.creator_token("ava") == cli_story["ava"]
        assert fg.creator_token("Ava") == cli_story["ava"]  # names are not case-sensitive
        assert fg.creator_token(creator2.address) == cli_story["ava2"]
        assert fg.creator_token(cli_story["ava2"]) == cli_story["ava2"]
        assert fg.tips("ava") == fg.tips(creator)
    finally:
        catalogue.remove("ava")


def test_token_option_refuses_what_is_not_a_token(fg, cli_story, fg_fans, creator, stranger):
    fan = fg_fans[0]
    cases = [
        ("FOO", "'FOO' is not a token: give its address or the symbol of a token the jar lists (USDC)"),
        (stranger.address, f"{stranger.address} is not a token: there is no contract at that address"),
        (fg.factory.address, f"{fg.factory.address} is not an ERC-20 token"),
    ]
    for token, message in cases:
        with pytest.raises(FairGiftError) as err:
            fg.tip(fan, creator, "1", token=token)
        assert str(err.value).startswith(message)
    assert fg.tip(fan, creator, "1", token="usdc").values["amount"] == USDC  # a listed token's symbol


def test_a_payee_named_twice_is_refused(fg, cli_story, fg_fans, creator):
    fan = fg_fans[0]
    with pytest.raises(FairGiftError) as err:
        fg.split(creator, [("TEST::3", "50%"), (fan.address, "50%")])
    assert str(err.value) == (
        f"{fan.address} appears twice in the split (as 'TEST::3' and '{fan.address}'): "
        "name each payee once, with its whole share"
    )


def test_release_pays_each_payee_once(fg, cli_story, fg_fans, creator, stranger, owner):
    payee = fg_fans[2]
    split = fg.split(creator, [(payee, "70%"), (stranger, "30%")]).values["split"]
    assert fg.splits_of(payee)[-1] == split
    fg.mint(owner, split, "10")
    before = fg.usdc.balanceOf(payee)
    r = fg.release(payee)
    assert r.values["released"] == 7 * USDC and fg.usdc.balanceOf(payee) == before + 7 * USDC
    with pytest.raises(FairGiftError, match=f"nothing to release for {payee.address} in USDC"):
        fg.release(payee)
    # anyone may release for a payee; a payee that redirected its releases is paid there, and told
    fg.project.RevenueSplit.at(split, detect_proxy=False).setPayout(owner, sender=stranger)
    before = fg.usdc.balanceOf(owner)
    r = fg.release(payee, split=split, payee=stranger)
    assert r.values["released"] == 3 * USDC and fg.usdc.balanceOf(owner) == before + 3 * USDC
    assert f"paid to {owner.address}" in r.summary
    with pytest.raises(FairGiftError, match="is not a split of this deployment that pays"):
        fg.release(payee, split=fg.jar.address)
    with pytest.raises(FairGiftError, match="no split of this deployment pays"):
        fg.release(owner)


def test_cancel_fee_refusals(fg, cli_story, owner, creator, stranger):
    with pytest.raises(FairGiftError, match=r"no pending rise of the jar fee to cancel \(in force: 4%"):
        fg.cancel_fee(owner, "jar")
    with pytest.raises(FairGiftError, match="can cancel a protocol fee rise"):
        fg.cancel_fee(stranger, "protocol")
    with pytest.raises(FairGiftError, match="has not launched a creator token"):
        fg.cancel_fee(stranger, "creator")
    fg.schedule_fee(creator, "6%", "creator")
    r = fg.cancel_fee(creator, "creator")
    assert r.values == {"cancelled": 600, "fee": 300}
    assert fg.market.pendingCreatorFee(cli_story["ava"]) == (0, 0)


def test_status_lists_launched_tokens(fg, cli_story):
    tokens = {t["token"]: t for t in fg.tokens()}
    assert list(tokens) == [cli_story["ava"], cli_story["ava2"]]
    curve = fg.curve()
    for address, t in tokens.items():
        assert t["supply"] == fg.market.supplyOf(address)
        assert t["price"] == curve.price_at(t["supply"]) == fg.market.priceAt(t["supply"])
        assert t["reserve"] == curve.area(t["supply"]) == fg.market.reserveOf(address)
    assert tokens[cli_story["ava2"]]["supply"] == 0 and tokens[cli_story["ava2"]]["creator_fee_bps"] == 400
    text = fg.status_text()
    assert "creator tokens  2" in text
    assert "Ava Social" in text and "Avalanche" in text and cli_story["ava"] in text
