"""The index against the scan, on the same chain: the same events (all, and filtered), kept apart
per deployment, idempotent and safe under concurrent syncs, reorganised chains re-indexed, and
`fairgift.events.source` choosing it only when it is current."""

import threading

import pytest
import sqlalchemy as sa
from svc_helpers import activity, check_u256_sum

from fairgift import events
from fairgift.api import FairGift
from fairgift.db import Database
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from fairgift.events import ScanSource
from fairgift.index import Index, current_source, open_index
from fairgift.index.schema import index_events, index_features, index_tips
from fairgift.ledger import TipGroup
from tests.constants import USDC


@pytest.fixture(scope="module")
def idx_fg(owner, treasury, svc_fg, tmp_path_factory):
    """A deployment of its own (each creator launches once per market). `svc_fg`, the other
    deployment some tests compare with, is set up first: Ape's isolation wants wider scopes first."""
    store = DeploymentStore(tmp_path_factory.mktemp("idx-deployments"))
    return FairGift(deploy(owner, treasury=treasury.address, store=store, fresh=True).record)


@pytest.fixture(scope="module")
def idx_activity(project, owner, fans, creators, idx_fg):
    return activity(idx_fg, project, owner, list(fans), list(creators))


@pytest.fixture
def idx_db(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    yield db
    db.dispose()


def same(index, fg, names=None, **filters):
    got = index.source().events(names, **filters)
    want = ScanSource(fg.record, fg.project).events(names, **filters)
    assert got == want
    return got


def test_index_equals_scan(fans, creators, idx_fg, idx_activity, idx_db):
    index = Index(idx_db, idx_fg.record)
    result = index.sync()
    assert result.events > 30 and index.state().events == result.events
    everything = same(index, idx_fg)
    kinds = {(e.contract, e.name) for e in everything}
    for expected in [
        ("TipJar", "Tipped"),
        ("TipJar", "FeeChangeScheduled"),
        ("TipJar", "FeeChangeCancelled"),
        ("TipJar", "PayoutSet"),
        ("TipJar", "Withdrawn"),
        ("CreatorMarket", "Launched"),
        ("CreatorMarket", "Trade"),
        ("CreatorMarket", "CreatorFeeChanged"),
        ("SplitFactory", "SplitCreated"),
        ("RevenueSplit", "Released"),
    ]:
        assert expected in kinds
    creator = creators[0].address
    tips = same(index, idx_fg, ["Tipped"], creator=creator)
    assert tips and all(e.args["creator"] == creator for e in tips)
    assert same(index, idx_fg, ["Tipped"], creator=creator.lower()) == tips  # any address case
    same(index, idx_fg, ["Tipped"], fan=[fans[0].address, fans[1].address], creator=creator)
    same(index, idx_fg, ["Tipped"], giftId=1)  # a filter on a non-indexed argument
    same(index, idx_fg, ["Trade"], isBuy=True)
    same(index, idx_fg, ["TipJar.Withdrawn", "CreatorMarket.Withdrawn"])
    head = index.head()
    same(index, idx_fg, None, from_block=head - 5, to_block=head - 2)


def test_sync_is_idempotent_and_tail_is_live(fans, creators, idx_fg, idx_activity, idx_db):
    index = Index(idx_db, idx_fg.record)
    first = index.sync()
    assert index.sync().events == 0
    fan, creator = fans[0], creators[0]
    idx_fg.jar.tip(creator, idx_fg.usdc, USDC, "after the sync", sender=fan)
    # not indexed yet: the source scans the tail, so the answer is current anyway
    tips = same(index, idx_fg, ["Tipped"], creator=creator.address)
    assert tips[-1].args["message"] == "after the sync" and index.state().block < tips[-1].block
    assert index.recent_tips(creator.address, 1)[0] == tips[-1]
    assert index.sync().events == 1
    with idx_db.read() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(index_events)).scalar_one()
    assert rows == first.events + 1 == index.state().events
    newest = index.recent_tips(creator.address, 3)
    assert newest == list(reversed(tips))[:3]
    assert (
        index.recent_tips(creator.address, 2, before=(newest[1].block, newest[1].log_index))
        == list(reversed(tips))[2:4]
    )


def test_concurrent_syncs_write_once(idx_fg, idx_activity, idx_db):
    indexes = [Index(idx_db, idx_fg.record, chunk_blocks=3) for _ in range(3)]  # three "workers"
    threads = [threading.Thread(target=ix.sync) for ix in indexes for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    same(indexes[0], idx_fg)
    with idx_db.read() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(index_events)).scalar_one()
    assert rows == indexes[0].state().events == len(ScanSource(idx_fg.record, idx_fg.project).events())


def test_deployments_never_mix(svc_fg, idx_fg, idx_activity, idx_db):
    """Two deployments on one chain, one database: each index holds its own contracts' events."""
    ours, theirs = Index(idx_db, idx_fg.record), Index(idx_db, svc_fg.record)
    assert ours.key != theirs.key
    ours.sync()
    theirs.sync()
    mine, other = same(ours, idx_fg), same(theirs, svc_fg)
    assert mine and other
    assert {e.address for e in mine}.isdisjoint({e.address for e in other})
    with idx_db.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(index_events)).scalar_one()
    assert total == len(mine) + len(other) == ours.state().events + theirs.state().events


def test_reorg_is_detected_and_reindexed(fans, creators, idx_fg, idx_activity, idx_db):
    from ape import chain

    index = Index(idx_db, idx_fg.record)
    index.sync()
    fan, creator = fans[2], creators[1]
    snapshot = chain.provider.snapshot()
    for i in range(3):
        idx_fg.jar.tip(creator, idx_fg.usdc, USDC, f"branch A {i}", sender=fan)
    index.sync()
    cursor_a = index.state().block
    assert [e.args["message"] for e in index.source().events(["Tipped"])[-3:]] == [
        f"branch A {i}" for i in range(3)
    ]
    chain.provider.restore(snapshot)  # the chain forgets branch A...
    idx_fg.jar.tip(creator, idx_fg.usdc, 2 * USDC, "branch B", sender=fan)  # ...and mines B, shorter
    assert chain.blocks.head.number < cursor_a
    assert not index.is_current()
    assert current_source(idx_fg, idx_db.url) is None  # a reader scans instead of trusting stale rows
    result = index.sync()
    assert result.reorg is not None and result.reorg <= cursor_a - 2
    tips = same(index, idx_fg, ["Tipped"], creator=creator.address)
    assert "branch B" in [e.args["message"] for e in tips]
    assert not [e for e in tips if e.args["message"].startswith("branch A")]
    (reorg,) = index.reorgs()
    assert reorg["old_block"] == cursor_a and reorg["removed_events"] >= 3
    # a longer new branch past the old cursor is found as well
    snapshot = chain.provider.snapshot()
    idx_fg.jar.tip(creator, idx_fg.usdc, USDC, "branch C", sender=fan)
    index.sync()
    chain.provider.restore(snapshot)
    for i in range(4):
        idx_fg.jar.tip(creator, idx_fg.usdc, USDC, f"branch D {i}", sender=fan)
    assert index.sync().reorg is not None
    messages = [e.args["message"] for e in same(index, idx_fg, ["Tipped"], creator=creator.address)]
    assert "branch C" not in messages and messages[-4:] == [f"branch D {i}" for i in range(4)]
    same_creator_ledger(index, idx_fg, creator.address)  # the summed tips were unwound too


def test_events_source_uses_the_index_only_when_current(idx_fg, idx_activity, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'chosen.sqlite3'}"
    monkeypatch.setenv("FAIRGIFT_DB_URL", url)
    assert events.source(idx_fg).kind == "scan"  # no index database yet
    assert not (tmp_path / "chosen.sqlite3").exists()  # and reading did not create one
    index = open_index(idx_fg, url)
    assert events.source(idx_fg).kind == "scan"  # created, never synced
    index.sync()
    source = events.source(idx_fg)
    assert source.kind == "index"
    assert source.events(["Tipped"]) == ScanSource(idx_fg.record, idx_fg.project).events(["Tipped"])
    assert events.source(idx_fg, index=False).kind == "scan"


def test_ledger_from_the_index_equals_the_scan(idx_fg, idx_activity, tmp_path, monkeypatch):
    """`fairgift.ledger` reads through `fairgift.events.source`: with a current index it reads the
    index, without one it scans, and the ledgers are the same."""
    from fairgift import ledger

    scanned = ledger.from_events(
        idx_fg, ScanSource(idx_fg.record, idx_fg.project).events(ledger.LEDGER_EVENTS)
    )
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    monkeypatch.setenv("FAIRGIFT_DB_URL", url)
    open_index(idx_fg, url).sync()
    assert events.source(idx_fg).kind == "index"
    indexed = ledger.from_chain(idx_fg)
    assert indexed.rows() == scanned.rows() and indexed.rows()
    assert (indexed.treasury_fees, indexed.protocol_fees, indexed.withdrawn) == (
        scanned.treasury_fees,
        scanned.protocol_fees,
        scanned.withdrawn,
    )


def same_creator_ledger(index, fg, creator):
    from fairgift import ledger

    scan = ScanSource(fg.record, fg.project)
    got = ledger.creator_ledger(fg, creator, source=index.source())
    assert got == ledger.creator_ledger(fg, creator, source=scan)
    return got


def test_creator_ledger_sums_tips_in_sql(owner, fans, creators, idx_fg, idx_activity, idx_db):
    """`ledger.creator_ledger` on the index folds SQL sums (`tip_groups`) instead of the tips: each
    creator's row equals the scan's and the whole ledger's, across a gift price change and a
    treasury change; blocks after the cursor come from a live scan; an index made before
    `index_tips` existed answers from the events until its next sync fills the table in."""
    from fairgift import ledger

    jar, usdc = idx_fg.jar, idx_fg.usdc
    creator = creators[0].address
    for i in range(4):
        jar.tip(creator, usdc, USDC + i, f"more {i}", sender=fans[1])
    # 6 roses at the deployed 0.01, then 3 at 0.02: sends of one amount, two quantities
    for price, quantity in ((None, 6), (20_000, 3)):
        if price is not None:
            jar.setGift(1, "Rose", price, sender=owner)
        for _ in range(2):
            amount = jar.giftAmount(usdc, 1, quantity)
            assert amount == 60_000
            jar.sendGift(creator, usdc, 1, quantity, amount, "roses", sender=fans[0])
    jar.setTreasury(owner, sender=owner)
    jar.tip(creator, usdc, 3 * USDC, "after the treasury moved", sender=fans[1])
    index = Index(idx_db, idx_fg.record)
    index.sync()
    scan = ScanSource(idx_fg.record, idx_fg.project)
    whole = ledger.from_events(idx_fg, scan.events(ledger.LEDGER_EVENTS))
    for c in creators:
        row = same_creator_ledger(index, idx_fg, c.address)
        assert row == whole.creators.get((c.address, usdc.address))
    row = whole.creators[(creator, usdc.address)]
    assert row.gifts[1].sends >= 4 and row.tips >= 5
    tips = scan.events("Tipped", creator=creator)
    groups = index.source().tip_groups(creator)
    assert all(isinstance(g, TipGroup) for g in groups)
    assert sum(g.count for g in groups) == len(tips) and len(groups) < len(tips)
    assert sum(g.amount for g in groups) == sum(e.args["amount"] for e in tips)

    jar.tip(creator, usdc, USDC, "after the cursor", sender=fans[2])
    assert same_creator_ledger(index, idx_fg, creator).tips == row.tips + 1
    with idx_db.write() as conn:  # as an index made before index_tips
        conn.execute(index_tips.delete().where(index_tips.c.deployment == index.key))
        conn.execute(index_features.delete().where(index_features.c.deployment == index.key))
    older = Index(idx_db, idx_fg.record)
    assert not older.has_tips_table()
    assert older.source().tip_groups(creator) == scan.events("Tipped", creator=creator)
    same_creator_ledger(older, idx_fg, creator)
    older.sync()
    assert older.has_tips_table()
    assert all(isinstance(g, TipGroup) for g in older.source().tip_groups(creator))
    same_creator_ledger(older, idx_fg, creator)


def test_stored_arguments_read_back_as_written():
    """The index reads its rows' arguments with msgspec (fast), falling back to `json` for what
    msgspec refuses (a lone surrogate): the values are those `json.dumps` wrote, big ints too."""
    import json

    from fairgift.index.stored import decode_arguments, decode_many

    rows = [
        {"amount": 2**256 - 1, "fee": 0, "isBuy": True, "message": '🎉 ünï "q" \u0000'},
        {"message": "\udc80 lone", "list": [1, "0xab", None]},
    ]
    texts = [json.dumps(args, separators=(",", ":")) for args in rows]
    for args, text in zip(rows, texts, strict=True):
        assert decode_arguments(text) == args
    assert decode_many(texts) == rows  # one row msgspec refuses: all of them read back all the same


def test_reorg_search_finds_the_last_agreeing_block():
    """`reorgs.last_agreeing`: the binary search over the kept block hashes (agreement is a prefix)."""
    from fairgift.index.reorgs import last_agreeing

    kept = [(10, "a"), (20, "b"), (30, "c"), (40, "d")]
    for chain_hashes, want in [
        ({10: "a", 20: "b", 30: "c", 40: "d"}, 3),  # no reorg
        ({10: "a", 20: "b", 30: "x", 40: "y"}, 1),
        ({10: "a", 20: "x"}, 0),  # the chain is shorter now
        ({10: "x", 20: "y", 30: "z", 40: "w"}, -1),  # nothing kept agrees
    ]:
        asked = []

        def block_hash(number, chain_hashes=chain_hashes, asked=asked):
            asked.append(number)
            return chain_hashes.get(number)

        assert last_agreeing(kept, block_hash) == want
        assert len(asked) <= 3  # a binary search: at most ceil(log2(5)) lookups for 4 kept blocks
    assert last_agreeing([], lambda number: None) == -1


def test_u256_sums_are_exact(idx_db):
    """`u256_sum` adds uint256 values exactly (SQLite's own SUM stops at 2**63)."""
    check_u256_sum(idx_db)


def test_latest_equals_the_scans_walk_back(fans, creators, idx_fg, idx_activity, idx_db):
    """`events.latest` on the index (one query) and on the scan (block windows back from the head)
    give the same newest-first pages, with indexed and non-indexed filters, across the cursor."""
    index = Index(idx_db, idx_fg.record)
    index.sync()
    idx_fg.jar.tip(creators[0], idx_fg.usdc, USDC, "newer than the cursor", sender=fans[0])
    scan = ScanSource(idx_fg.record, idx_fg.project)
    first = idx_fg.record.block
    for names, limit, filters in [
        (["Tipped"], 5, {"creator": creators[0].address}),
        (["Tipped"], 3, {"giftId": 1}),
        (None, 7, {}),
        (["Tipped", "Trade"], 50, {}),
    ]:
        got = events.latest(index.source(), names, limit, **filters)
        assert got == events.walk_back(scan, names, limit, first, **filters)
        assert got and got == sorted(got, key=lambda e: e.order, reverse=True)
        if len(got) > 1:
            before = got[1].order
            assert events.latest(index.source(), names, limit, before=before, **filters) == events.walk_back(
                scan, names, limit, first, before=before, **filters
            )
    assert index.recent_tips(creators[0].address, 1)[0].args["message"] == "newer than the cursor"


def test_scan_decodes_like_ape(idx_fg, idx_activity):
    """`ScanSource` decodes raw logs itself (eth_abi): every event of every kind, values included,
    is what Ape's own log decoder gives."""
    from ape import chain
    from ape.types import LogFilter

    from fairgift.events import json_safe

    scanned = ScanSource(idx_fg.record, idx_fg.project).events()
    by_address: dict[str, list] = {}
    for ev in scanned:
        by_address.setdefault(ev.address, []).append(ev)
    kinds = set()
    for address, evs in by_address.items():
        abis = [
            getattr(idx_fg.project, evs[0].contract).contract_type.events[n] for n in {e.name for e in evs}
        ]
        ape_logs = list(
            chain.provider.get_contract_logs(
                LogFilter(
                    addresses=[address],
                    events=abis,
                    start_block=idx_fg.record.block,
                    stop_block=evs[-1].block,
                )
            )
        )
        ape_view = [
            (
                str(log.event_name),
                json_safe(dict(log.event_arguments)),
                int(log.block_number),
                int(log.log_index),
            )
            for log in ape_logs
        ]
        assert [(e.name, e.args, e.block, e.log_index) for e in evs] == ape_view
        kinds |= {(e.contract, e.name) for e in evs}
    assert {
        ("SplitFactory", "SplitCreated"),
        ("RevenueSplit", "Released"),
        ("CreatorMarket", "Launched"),
    } <= kinds


def test_tips_fees_and_ledger_same_from_index_and_scan(creators, idx_fg, idx_activity, tmp_path, monkeypatch):
    """The CLI's readers (`tips`, the fee histories, the ledger) go through `fairgift.events.source`:
    the same rows whether it picks the index or scans."""
    from fairgift import ledger

    def readers():
        return (
            idx_fg.tips(),
            idx_fg.tips(creator=creators[0].address, limit=3),
            idx_fg.fee_timelines(),
            ledger.from_chain(idx_fg).rows(),
        )

    monkeypatch.setenv("FAIRGIFT_DB_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    assert events.source(idx_fg).kind == "scan"
    scanned = readers()
    url = f"sqlite:///{tmp_path / 'readers.sqlite3'}"
    open_index(idx_fg, url).sync()
    monkeypatch.setenv("FAIRGIFT_DB_URL", url)
    assert events.source(idx_fg).kind == "index"
    indexed = readers()
    assert indexed == scanned
    assert scanned[0] and len(scanned[1]) == 3 and scanned[2] and scanned[3]


def test_confirmations_window(fans, creators, idx_fg, idx_activity, idx_db):
    """With 2 confirmations the last 2 blocks are never written (readers scan them live): a reorg
    inside that window needs no repair; a deeper one is detected and re-indexed."""
    from ape import chain

    index = Index(idx_db, idx_fg.record, confirmations=2)
    index.sync()
    assert index.state().block == chain.blocks.head.number - 2
    fan, creator = fans[1], creators[1]
    snapshot = chain.provider.snapshot()
    idx_fg.jar.tip(creator, idx_fg.usdc, USDC, "shallow A", sender=fan)
    assert index.sync().reorg is None
    chain.provider.restore(snapshot)
    idx_fg.jar.tip(creator, idx_fg.usdc, USDC, "shallow B", sender=fan)
    assert index.sync().reorg is None and index.reorgs() == []  # A was never final: nothing to repair
    messages = [e.args["message"] for e in same(index, idx_fg, ["Tipped"], creator=creator.address)]
    assert "shallow B" in messages and "shallow A" not in messages
    snapshot = chain.provider.snapshot()
    for i in range(4):
        idx_fg.jar.tip(creator, idx_fg.usdc, USDC, f"deep C {i}", sender=fan)
    index.sync()  # C 0 and C 1 are final now
    chain.provider.restore(snapshot)
    for i in range(4):
        idx_fg.jar.tip(creator, idx_fg.usdc, USDC, f"deep D {i}", sender=fan)
    assert index.sync().reorg is not None and len(index.reorgs()) == 1
    messages = [e.args["message"] for e in same(index, idx_fg, ["Tipped"], creator=creator.address)]
    assert not [m for m in messages if m.startswith("deep C")] and messages[-4:] == [
        f"deep D {i}" for i in range(4)
    ]
