"""`fairgift.events` on a chain: the scan source reads every FairGift contract (clones included)
in chain order with block timestamps, filters by name and argument, and `source()` prefers an
index only when the index says it is current."""

import pytest

from fairgift import events
from fairgift.errors import FairGiftError
from tests.constants import USDC


@pytest.fixture(scope="module")
def fg_story(fg, fg_fans, creator, owner, stranger):
    """A tip, a gift, a launch with trades, a split with a release, in that order."""
    fg.tip(fg_fans[0], creator, "2", "0xABCDEF0123456789abcdef0123456789ABCDEF01")  # looks like an address
    fg.gift(fg_fans[1], creator, "Rose", 3, "roses")
    fg.mint(owner, creator, "100")
    launch = fg.launch(creator, "Ev Token", "EVT", "5%", "2")
    fg.buy(fg_fans[0], "EVT", "3")
    fg.sell(fg_fans[0], "EVT", "1")
    split = fg.split(creator, {fg_fans[2]: "50%", stranger: "50%"}).values["split"]
    fg.mint(owner, split, "10")
    fg.project.RevenueSplit.at(split, detect_proxy=False).release(fg.usdc, stranger, sender=stranger)
    return {"token": launch.values["token"], "split": split}


def test_scan_reads_every_contract_in_chain_order(fg, fg_story, fg_fans, creator, stranger, chain):
    source = events.source(fg, index=False)
    assert source.kind == "scan"
    found = source.events()
    assert [e.order for e in found] == sorted(e.order for e in found)
    assert {e.contract for e in found} == {
        "TipJar",
        "CreatorMarket",
        "SplitFactory",
        "RevenueSplit",
        "CreatorToken",
    }
    for ev in found:
        assert ev.timestamp == chain.blocks[ev.block].timestamp
        assert ev.address in (*fg.record.contracts.values(), fg_story["token"], fg_story["split"])
        assert ev.tx.startswith("0x") and len(ev.tx) == 66
    tipped = [e for e in found if e.name == "Tipped"]
    assert [(e.args["amount"], e.args["giftId"]) for e in tipped] == [(2 * USDC, 0), (30_000, 1)]
    # a fan's words come back exactly as written, even when they look like an address
    assert tipped[0].args["message"] == "0xABCDEF0123456789abcdef0123456789ABCDEF01"
    assert tipped[0].args["fan"] == fg_fans[0].address and isinstance(tipped[0].args["fan"], str)
    created = next(e for e in found if e.name == "SplitCreated")
    assert created.args["payees"] == [fg_fans[2].address, stranger.address] and created.args["sharesBps"] == [
        5000,
        5000,
    ]
    released = next(e for e in found if e.name == "Released")
    assert (released.contract, released.address, released.args["amount"]) == (
        "RevenueSplit",
        fg_story["split"],
        5 * USDC,
    )
    mints = [e for e in found if e.contract == "CreatorToken" and e.name == "Transfer"]
    assert [e.args["value"] for e in mints] == [
        2 * 10**18,
        3 * 10**18,
        10**18,
    ]  # launch buy, buy, sell (burn)


def test_scan_filters(fg, fg_story, fg_fans, creator):
    source = events.source(fg, index=False)
    buys = source.events("Trade", isBuy=True)
    assert [e.args["amount"] for e in buys] == [2 * 10**18, 3 * 10**18]
    assert source.events(["CreatorMarket.Trade"], trader=fg_fans[0], isBuy=False)[0].args["amount"] == 10**18
    jar_withdrawals = source.events("TipJar.Withdrawn")
    assert all(e.contract == "TipJar" for e in jar_withdrawals)
    from_fg_fans = source.events("Tipped", fan=[fg_fans[0].address.lower(), fg_fans[1]])
    assert len(from_fg_fans) == 2
    last = from_fg_fans[-1].block
    assert [e.block for e in source.events("Tipped", from_block=last)] == [last]
    assert source.events("Tipped", to_block=from_fg_fans[0].block - 1) == []
    with pytest.raises(FairGiftError, match="no FairGift event 'Tip'; known events: .*Tipped"):
        source.events("Tip")


def test_source_prefers_a_current_index(fg, fg_story):
    class FakeIndex:
        kind = "index"

        def events(self, names=None, *, from_block=None, to_block=None, **arg_filters):
            return []

    asked = []
    previous = events.set_index_finder(lambda target: asked.append(target) or None)  # not current: scan
    try:
        assert events.source(fg).kind == "scan" and asked == [fg]
        events.set_index_finder(lambda target: FakeIndex())
        assert events.source(fg).kind == "index"
        assert events.source(fg, index=False).kind == "scan"
        events.set_index_finder(None)  # no index registered: always scan
        assert events.source(fg).kind == "scan"
    finally:
        events.set_index_finder(previous)


def test_a_message_that_is_not_utf8_is_read_not_fatal(fg, fg_story, fg_fans, creator, chain):
    """A fan's message is any bytes the contract accepts (`string` is not checked on chain): a tip
    whose message is not UTF-8 must not stop the scan (nor the index, the ledger, the page built on
    it); its invalid bytes read as U+FFFD."""
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector

    fan, amount = fg_fans[1], 1 * USDC
    fg.usdc.approve(fg.jar, amount, sender=fan)
    raw_message = b"caf\xc3\xa9 \xff\xfe!"  # valid UTF-8, then two bytes no UTF-8 text holds
    calldata = function_signature_to_4byte_selector("tip(address,address,uint256,string)") + encode(
        ["address", "address", "uint256", "bytes"], [creator.address, fg.usdc.address, amount, raw_message]
    )
    web3 = chain.provider.web3
    tx = web3.eth.send_transaction({"from": fan.address, "to": fg.jar.address, "data": "0x" + calldata.hex()})
    assert web3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    tipped = events.source(fg, index=False).events("Tipped", fan=fan)
    assert tipped[-1].args["message"] == "café \ufffd\ufffd!" and tipped[-1].args["amount"] == amount
