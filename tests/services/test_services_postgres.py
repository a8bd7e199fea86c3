"""The same schema and queries on a real PostgreSQL 16 (the `pgserver` wheel, started in a
temporary folder): the index equals the scan, concurrent syncs write once, and the relayer's
queue takes, lands and reports a tip."""

import threading

import pytest
import sqlalchemy as sa
from svc_helpers import activity, check_u256_sum, tip_body

from fairgift import ledger
from fairgift.db import Database
from fairgift.events import ScanSource
from fairgift.index import Index
from fairgift.index.schema import index_events
from fairgift.relayer import Relayer, RelayerConfig
from tests.constants import USDC


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("pg")
    (root / "run").mkdir(mode=0o700)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_RUNTIME_DIR", str(root / "run"))  # pgserver's lock folder, not /tmp/runtime-0
        import pgserver

        server = pgserver.get_server(root / "data", cleanup_mode="stop")
        server.psql("CREATE DATABASE fairgift;")
        url = server.get_uri("fairgift")
        assert url.startswith("postgresql://")
        yield url
        server.cleanup()


@pytest.fixture(scope="module")
def pg_db(pg_url):
    db = Database(pg_url)
    assert db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg"
    yield db
    db.dispose()


def test_index_on_postgres(project, owner, fans, creators, svc_fg, pg_db):
    activity(svc_fg, project, owner, list(fans[:2]), list(creators), rounds=1)
    workers = [Index(pg_db, svc_fg.record, chunk_blocks=7) for _ in range(3)]
    threads = [threading.Thread(target=w.sync) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    index = workers[0]
    scan = ScanSource(svc_fg.record, svc_fg.project)
    head = index.state().block
    assert index.source().events(to_block=head) == scan.events(to_block=head)
    creator = creators[0].address
    assert index.source().events(["Tipped"], creator=creator) == scan.events(["Tipped"], creator=creator)
    with pg_db.read() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(index_events).where(index_events.c.deployment == index.key)
        ).scalar_one()
    assert rows == index.state().events == len(scan.events(to_block=head))
    for c in creators:  # tips summed in SQL on PostgreSQL, as on SQLite
        on_index = ledger.creator_ledger(svc_fg, c.address, source=index.source())
        assert on_index == ledger.creator_ledger(svc_fg, c.address, source=scan)
    assert ledger.creator_ledger(svc_fg, creator, source=index.source()).tips > 0


def test_u256_sums_are_exact_on_postgres(pg_db):
    check_u256_sum(pg_db)


def test_relayer_on_postgres(svc_fg, relayer, creators, pg_db, svc_new_fan):
    relayer = Relayer(
        pg_db,
        "pg-" + svc_fg.record.contracts["TipJar"],
        svc_fg.jar,
        relayer,
        RelayerConfig(batch_wait=0),
    )
    fan = svc_new_fan()
    domain = relayer.reader.jar_domain()
    body = tip_body(fan, domain, creators[0].address, svc_fg.usdc.address, 2 * USDC, "über pg ✓", nonce=0)
    accepted = relayer.accept(body)
    assert relayer.accept(body) == {**accepted, "status": "queued", "duplicate": True}
    assert relayer.acquire_lease() and relayer.step()
    view = relayer.status(accepted["id"])
    assert view["status"] == "landed" and view["message"] == "über pg ✓"
    assert svc_fg.jar.isNonceUsed(fan.address, 0)


def test_identical_tips_at_once_on_postgres(svc_fg, relayer, creators, pg_db, svc_new_fan):
    """Over real HTTP, eight identical tips at the same moment on PostgreSQL (where both may pass
    the checks and the second insert hits the unique key): all 202, one accepted."""
    from svc_http import post_at_once

    from fairgift.bench.harness import serving
    from fairgift.service import Service, ServiceConfig
    from fairgift.web.app import create_app
    from fairgift.web.guard import UNLIMITED

    config = ServiceConfig(relayer=RelayerConfig(batch_wait=0), limits=UNLIMITED)
    service = Service(svc_fg, pg_db, config=config)
    service.relayer = Relayer(pg_db, "pg-at-once", svc_fg.jar, relayer, config.relayer)
    fan = svc_new_fan()
    domain = service.relayer.reader.jar_domain()
    rounds = []
    with serving(create_app(service)) as url:
        for nonce in range(3):
            body = tip_body(
                fan, domain, creators[0].address, svc_fg.usdc.address, USDC, "at once", nonce=nonce
            )
            answers = post_at_once(url + "/api/tips", body, 8)
            assert [status for status, _ in answers] == [202] * 8, answers
            assert len({answer["id"] for _, answer in answers}) == 1, answers
            rounds.append(sum(1 for _, answer in answers if not answer.get("duplicate")))
    assert rounds == [1, 1, 1], rounds
