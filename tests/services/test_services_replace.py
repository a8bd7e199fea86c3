"""Replace-by-fee: a relayer transaction that blocks will not take (its max fee fell below the
base fee) is re-signed on the same account nonce with fees 12.5%+ higher instead of being re-sent
byte for byte forever; whichever version is mined is settled, once. Reproduced on anvil with
automine off and the next block's base fee raised above the transaction's max fee."""

from dataclasses import replace

import pytest
import sqlalchemy as sa
from svc_helpers import tip_body

from fairgift.relayer.replace import bump, fields_of, replacement_fees
from fairgift.relayer.store import relay_txs
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("automine and the base fee are set through anvil's RPC")


def _rpc(web3, method, params=()):
    reply = web3.provider.make_request(method, list(params))
    assert "error" not in reply, reply
    return reply.get("result")


def _txs(service):
    with service.db.read() as conn:
        return conn.execute(sa.select(relay_txs)).all()


def test_fee_bump_arithmetic():
    assert bump(1000) == 1125 and bump(1) == 2 and bump(8) == 9  # +12.5%, rounded up, at least 1
    old = {"max_fee": 2_000, "max_priority_fee": 100}
    assert replacement_fees(old, base_fee=10) == (2_250, 113)  # the bump is the larger
    assert replacement_fees(old, base_fee=5_000) == (10_113, 113)  # twice the base fee + tip


def test_underpriced_transaction_is_replaced_and_settled(
    svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain
):
    relayer = svc_service.relayer
    relayer.config = replace(relayer.config, receipt_timeout=0.3, replace_after=3_600)
    web3 = relayer.web3
    fan = svc_new_fan()
    body = tip_body(fan, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, "rbf", nonce=0)
    res = svc_client.post("/api/tips", json=body)
    assert res.status_code == 202, res.text
    tip_id = res.json()["id"]
    _rpc(web3, "evm_setAutomine", [False])
    try:
        assert relayer.step()  # signed, recorded, broadcast; no block yet
        (first,) = _txs(svc_service)
        signed = fields_of(first.raw)
        # blocks now ask ten times the transaction's max fee: it cannot be mined as signed
        _rpc(web3, "anvil_setNextBlockBaseFeePerGas", [hex(signed["max_fee"] * 10)])
        _rpc(web3, "evm_mine")
        assert relayer.reconcile() == 1  # not yet due for replacement: the same bytes again
        _rpc(web3, "evm_mine")
        assert web3.eth.get_transaction_count(relayer.sender, "latest") == first.account_nonce  # stuck
        relayer.config = replace(relayer.config, replace_after=0.0)
        relayer.reconcile()  # re-signed with higher fees, recorded, broadcast
        _rpc(web3, "evm_mine")
        assert relayer.reconcile() == 0
    finally:
        _rpc(web3, "evm_setAutomine", [True])
    (tx,) = _txs(svc_service)  # one row per account nonce: the versions are one transaction
    assert tx.status == "mined" and tx.account_nonce == first.account_nonce
    assert tx.tx_hash != first.tx_hash and first.tx_hash in tx.replaced
    new = fields_of(tx.raw)
    assert new["max_fee"] >= bump(signed["max_fee"]) and new["max_priority_fee"] >= bump(
        signed["max_priority_fee"]
    )
    assert (new["data"], new["gas"], new["nonce"]) == (signed["data"], signed["gas"], signed["nonce"])
    view = svc_client.get(f"/api/tips/{tip_id}").json()
    assert view["status"] == "landed" and view["tx"] == tx.tx_hash
    assert web3.eth.get_transaction_receipt(tx.tx_hash)["status"] == 1
    assert svc_fg.jar.isNonceUsed(fan.address, 0)
