"""The batcher's lease: a fence checked in the very database transaction that records a signed
transaction (a holder paused past its lease cannot record, hence cannot send, once another took
it), and renewal while a receipt is awaited (a receipt may take minutes; the lease must not lapse
meanwhile). The race of two batchers for one lease on PostgreSQL: test_services_scaleout.py."""

import time
from dataclasses import replace

import pytest
import sqlalchemy as sa
from svc_helpers import tip_body

from fairgift.relayer import Relayer
from fairgift.relayer.store import LeaseLost, relay_leases, relay_txs
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("automine is switched off through anvil's RPC")


def _post(client, fan, domain, fg, creator, nonce=0):
    res = client.post(
        "/api/tips", json=tip_body(fan, domain, creator, fg.usdc.address, USDC, "fenced", nonce=nonce)
    )
    assert res.status_code == 202, res.text
    return res.json()["id"]


def _lease(service):
    with service.db.read() as conn:
        return conn.execute(sa.select(relay_leases)).one()


def test_a_paused_holder_cannot_record_after_losing_the_lease(
    svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain
):
    a = svc_service.relayer
    b = Relayer(svc_service.db, svc_service.deployment, a.jar, a.account, a.config)
    assert a.acquire_lease(30.0) and a.lease.fence == 1
    assert not b.acquire_lease(30.0)
    tip_id = _post(svc_client, svc_new_fan(), svc_domain, svc_fg, creators[0].address)
    # `a` stalls past its lease (a long pause, a stopped VM): the lease expires and `b` takes it
    with svc_service.db.write() as conn:
        conn.execute(relay_leases.update().values(expires_at=0.0))
    assert b.acquire_lease(30.0) and b.lease.fence == 2 and _lease(svc_service).holder == b.holder
    nonce = a.web3.eth.get_transaction_count(a.sender)
    with pytest.raises(LeaseLost):
        a.step()  # `a` wakes up and signs: the record is refused, so nothing is broadcast
    with svc_service.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(relay_txs)).scalar_one() == 0
    assert a.web3.eth.get_transaction_count(a.sender, "pending") == nonce
    assert svc_client.get(f"/api/tips/{tip_id}").json()["status"] == "queued"
    assert b.step()  # the holder relays it
    assert svc_client.get(f"/api/tips/{tip_id}").json()["status"] == "landed"


def test_the_lease_is_renewed_while_a_receipt_is_awaited(
    svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain
):
    relayer = svc_service.relayer
    relayer.config = replace(relayer.config, receipt_timeout=2.5)
    assert relayer.acquire_lease(0.6)
    tip_id = _post(svc_client, svc_new_fan(), svc_domain, svc_fg, creators[0].address)
    web3 = relayer.web3
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        started = time.time()
        assert relayer.step()  # waits 2.5 s for a receipt that does not come
        assert time.time() - started >= 2.5
        lease = _lease(svc_service)
        assert lease.holder == relayer.holder and lease.expires_at > time.time()  # renewed meanwhile
        assert lease.fence == 1  # renewed, not retaken
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    web3.provider.make_request("evm_mine", [])
    assert relayer.reconcile() == 0
    assert svc_client.get(f"/api/tips/{tip_id}").json()["status"] == "landed"
