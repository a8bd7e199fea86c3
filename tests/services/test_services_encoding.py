"""The relayer's own encoding and decoding, checked against Ape's on real batches: `tipBatch`'s
calldata encoded once with eth_abi (`fairgift.chain.calldata`) and a batch receipt's events read
with eth_abi (`fairgift.relayer.receipt_logs`) give what Ape's `encode_input` and `decode_logs`
give, for landed and skipped items alike."""

from dataclasses import replace

from svc_helpers import send_as, tip_body

from fairgift.chain import calldata
from fairgift.relayer.receipt_logs import EventDecoder
from tests.constants import USDC


def _hex(data) -> str:
    return data if isinstance(data, str) else "0x" + bytes(data).hex()


def test_calldata_and_receipt_events_match_apes(
    svc_fg, creators, monkeypatch, svc_client, svc_service, svc_new_fan, svc_domain
):
    from ape import chain

    relayer = svc_service.relayer
    relayer.config = replace(relayer.config, fan_per_batch=10)  # one fan's three tips in one batch
    fan = svc_new_fan()
    for i in range(3):
        body = tip_body(
            fan,
            svc_domain,
            creators[i % len(creators)].address,
            svc_fg.usdc.address,
            (i + 1) * USDC,
            f"é {i}",
            i,
        )
        assert svc_client.post("/api/tips", json=body).status_code == 202
    batcher = relayer.batcher
    sent = {}
    original_simulate = batcher.simulate

    def simulate_then_cancel(token, rows):
        ready = original_simulate(token, rows)
        args = batcher.call_args(token, ready)
        sent["ours"], sent["apes"] = (
            calldata(svc_fg.jar.tipBatch, args),
            svc_fg.jar.tipBatch.encode_input(*args),
        )
        # in front of the batch, the fan cancels nonce 1: the jar skips that item (BatchTipSkipped)
        send_as(fan, svc_fg.jar.address, svc_fg.jar.invalidateNonces.encode_input(0, 0b10))
        return ready

    monkeypatch.setattr(batcher, "simulate", simulate_then_cancel)
    assert relayer.step()
    assert _hex(sent["ours"]) == _hex(sent["apes"])

    views = [svc_client.get(f"/api/tips/{row}").json() for row in _ids(svc_service)]
    receipt = chain.provider.web3.eth.get_transaction_receipt(views[0]["tx"])
    jar_logs = [lg for lg in receipt["logs"] if lg["address"] == svc_fg.jar.address]
    ours = [EventDecoder(svc_fg.jar.Tipped.abi, svc_fg.jar.BatchTipSkipped.abi).decode(lg) for lg in jar_logs]
    apes = chain.provider.network.ecosystem.decode_logs(
        jar_logs, svc_fg.jar.Tipped.abi, svc_fg.jar.BatchTipSkipped.abi
    )
    expected = [(ev.event_name, {**dict(ev.event_arguments), "log_index": ev.log_index}) for ev in apes]
    assert sorted(name for name, _ in ours) == ["BatchTipSkipped", "Tipped", "Tipped"]
    assert ours == expected


def _ids(service):
    import sqlalchemy as sa

    from fairgift.relayer.store import relay_tips

    with service.db.read() as conn:
        return [r.id for r in conn.execute(sa.select(relay_tips.c.id).order_by(relay_tips.c.nonce))]
