"""Relaying has a price, and the relayer simulates before it pays: the relay policy (a minimum
relayed amount, sponsored permits limited, fair batches, a penalty for a fan whose tips skip on
chain), the simulation that drops what would be skipped, the gas limit that covers every item
skipping, and a fan front-running the batch (its revocation mined first, with a higher priority
fee) measured from outside: the batch does not run out of gas, honest tips land, and the gas the
relayer wasted on the attacker stays within 1.5 times the attacker's own."""

import threading
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from svc_helpers import approve_jar, permit_body, send_as, tip_body

from fairgift.relayer.policy import RelayerConfig, check_minimum, fair_pick, policy_view, units
from fairgift.relayer.signed_tip import Rejected
from fairgift.relayer.simulate import SKIP_EXTRA_GAS, gas_limit
from fairgift.relayer.store import relay_tips, relay_txs
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("txpool, automine and priority fees are anvil's")


def _rows(service, table):
    with service.db.read() as conn:
        return conn.execute(sa.select(table)).all()


def _post(client, body, status=202):
    res = client.post("/api/tips", json=body)
    assert res.status_code == status, res.text
    return res.json()


def _rpc(web3, method, params=()):
    reply = web3.provider.make_request(method, list(params))
    assert "error" not in reply, reply
    return reply.get("result")


def test_fair_pick_and_the_minimum():
    row = SimpleNamespace
    flood = [row(fan=f"f{i}", creator="mine", accepted_at=i) for i in range(10)]
    honest = [row(fan="h1", creator="c1", accepted_at=20), row(fan="h2", creator="c2", accepted_at=21)]
    greedy = [row(fan="g", creator=f"c{i}", accepted_at=30 + i) for i in range(5)]
    picked = fair_pick(flood + honest + greedy, limit=6, per_fan=1)
    # round-robin by creator: the flood to one creator gets one place per round; the greedy fan one
    assert [r.fan for r in picked].count("g") == 1
    assert {"h1", "h2"} <= {r.fan for r in picked}
    assert [r.accepted_at for r in picked] == sorted(r.accepted_at for r in picked)
    assert len(fair_pick(flood, limit=50, per_fan=1)) == 10
    assert len(fair_pick([row(fan="a", creator="c", accepted_at=i) for i in range(9)], 50, 2)) == 2

    cfg = RelayerConfig()
    assert units("0.25", 6) == 250_000 and units("0.0000001", 6) == 1
    check_minimum(cfg, 250_000, 6)
    with pytest.raises(Rejected) as refused:
        check_minimum(cfg, 249_999, 6, prefix="tip.")
    assert refused.value.status == 400 and "249999 < 250000 (0.25 of the token" in refused.value.reason
    view = policy_view(cfg, 500, 6)
    # the jar's 5% of 0.25 USDC (0.0125) covers 70,000 gas at 0.04 gwei and ETH at $4,000 (0.0112)
    assert view["feeAtMinimumUsd"] == "0.012500" and view["gasCostPerTipUsd"] == "0.011200"
    assert view["feeCoversGas"] is True
    assert policy_view(cfg, 100, 6)["feeCoversGas"] is False  # at 1% the minimum must rise


def test_dust_refused_and_the_policy_shown(
    svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain
):
    fan = svc_new_fan()
    body = tip_body(fan, svc_domain, creators[0].address, svc_fg.usdc.address, 1, nonce=0)
    reason = _post(svc_client, body, 400)["error"]
    assert "amount too small to relay: 1 < 250000 (0.25 of the token" in reason
    answer = svc_client.post(
        "/api/tips/prepare", json={"fan": fan.address, "creator": creators[0].address, "amount": "1"}
    )
    # the page's prepare says it in the fan's units, before anything is signed
    assert answer.status_code == 400 and answer.json()["code"] == "below_relay_minimum"
    assert "Gasless tips start at 0.25 USDC" in answer.json()["error"]
    policy = svc_client.get("/api/relayer").json()["policy"]
    assert policy["minRelayedUnits"] == "250000" and policy["fanPerBatch"] == 1
    assert policy["feeBps"] == int(svc_fg.jar.feeBps()) and policy["feeCoversGas"] is True
    assert _rows(svc_service, relay_tips) == []


def test_sponsored_permits_are_limited(svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain):
    from fairgift.chain import token_domain

    fan = svc_new_fan(usdc=10, approve=False)
    domain = token_domain(svc_fg.usdc)
    jar, usdc, creator = svc_fg.jar.address, svc_fg.usdc.address, creators[0].address
    small = permit_body(fan, domain, jar, USDC // 2, 0, 2**40)
    body = tip_body(fan, svc_domain, creator, usdc, USDC // 2, nonce=0, permit=small)
    assert (
        "a permit is sponsored for queued tips of at least 1000000" in _post(svc_client, body, 422)["error"]
    )
    permit = permit_body(fan, domain, jar, 2 * USDC, 0, 2**40)
    _post(svc_client, tip_body(fan, svc_domain, creator, usdc, 2 * USDC, nonce=0, permit=permit))
    while svc_service.relayer.step():
        pass
    assert [tx.kind for tx in _rows(svc_service, relay_txs)] == ["permit", "batch"]
    again = permit_body(fan, domain, jar, 2 * USDC, 1, 2**40)  # allowance spent: another permit
    res = svc_client.post(
        "/api/tips", json=tip_body(fan, svc_domain, creator, usdc, 2 * USDC, nonce=1, permit=again)
    )
    assert res.status_code == 429 and "one sponsored permit per fan per 86400 s" in res.json()["error"]
    assert int(res.headers["retry-after"]) > 86_000


def test_simulation_drops_what_would_skip(
    svc_fg, creators, monkeypatch, svc_client, svc_service, svc_new_fan, svc_domain
):
    """A fan cancels its nonce after the pre-check: the simulation sees it and the tip is skipped
    with the jar's reason without being paid for; the other fan's tip lands."""
    fans = [svc_new_fan(), svc_new_fan()]
    usdc, creator = svc_fg.usdc.address, creators[0].address
    ids = [_post(svc_client, tip_body(f, svc_domain, creator, usdc, USDC, nonce=0))["id"] for f in fans]
    batcher = svc_service.relayer.batcher
    original = batcher.precheck

    def precheck_then_cancel(batch_rows):
        ready = original(batch_rows)
        send_as(fans[0], svc_fg.jar.address, svc_fg.jar.invalidateNonces.encode_input(0, 1))
        return ready

    monkeypatch.setattr(batcher, "precheck", precheck_then_cancel)
    assert svc_service.relayer.step()
    views = [svc_client.get(f"/api/tips/{i}").json() for i in ids]
    assert views[0]["status"] == "skipped" and "tx" not in views[0]
    assert views[0]["reason"] == "would be skipped (simulated before paying): NonceUsed"
    assert views[1]["status"] == "landed"
    (tx,) = _rows(svc_service, relay_txs)
    assert tx.items == 1  # the batch carried only the tip that lands


@pytest.mark.parametrize("layout", ["20 fans", "1 fan"])
def test_gas_limit_covers_every_item_skipping(
    layout, svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain
):
    """The measurement behind SKIP_EXTRA_GAS: a batch of 20 items (20 fans, or one fan's 20: the
    worst case, each landing item warm and cheap, each skipped item setting then restoring its nonce
    bit) estimated landing, then with the allowance revoked (every item skipped at execution)."""
    web3 = svc_service.relayer.web3
    fans = [svc_new_fan() for _ in range(20 if layout == "20 fans" else 1)]
    usdc = svc_fg.usdc.address
    for i in range(20):
        fan, nonce = (fans[i], 0) if len(fans) > 1 else (fans[0], i)
        _post(svc_client, tip_body(fan, svc_domain, creators[i % 2].address, usdc, USDC, "gm", nonce=nonce))
    rows = svc_service.relayer.store.next_batch(50, 20)
    rows = sorted(rows, key=lambda r: (r.creator, r.accepted_at))
    assert len(rows) == 20
    data = svc_fg.jar.tipBatch.encode_input(*svc_service.relayer.batcher.call_args(usdc, rows))
    call = {"from": svc_service.relayer.sender, "to": svc_fg.jar.address, "data": "0x" + bytes(data).hex()}
    landing = web3.eth.estimate_gas(call)
    for fan in fans:
        approve_jar(svc_fg, fan, 0)
    skipping = web3.eth.estimate_gas(call)
    extra = (skipping - landing) / 20
    print(
        f"\ntipBatch x20 ({layout}): estimate {landing:,} landing, {skipping:,} all skipped: "
        f"{extra:+,.0f} per item"
    )
    assert extra <= SKIP_EXTRA_GAS
    assert gas_limit(landing, 20, 1.0) >= skipping  # the skip allowance alone covers it


def test_front_running_fan_costs_at_most_its_own_gas(
    svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain
):
    """Outside view, on anvil with automine off: an attacker fan (approve, 20 queued tips to its own
    creator) revokes its allowance with a higher priority fee once the relayer's batch is in the
    pool; the block mines the revocation first. The batch must not run out of gas, the honest tips
    land, and the relayer's gas wasted on the attacker is at most 1.5x the attacker's gas."""
    relayer = svc_service.relayer
    relayer.config = replace(relayer.config, batch_size=50)
    web3 = relayer.web3
    usdc, jar = svc_fg.usdc.address, svc_fg.jar.address
    honest = [svc_new_fan() for _ in range(5)]
    # the attacker: ether and tokens from the factory; its approval measured from zero
    attacker = svc_new_fan()
    approve_jar(svc_fg, attacker, 0)
    attacker_gas = int(send_as(attacker, usdc, svc_fg.usdc.approve.encode_input(jar, 2**256 - 1))["gasUsed"])
    attack_ids = [
        _post(svc_client, tip_body(attacker, svc_domain, creators[1].address, usdc, USDC, "x", nonce=n))["id"]
        for n in range(20)
    ]
    honest_ids = [
        _post(svc_client, tip_body(f, svc_domain, creators[0].address, usdc, USDC, "gg", nonce=0))["id"]
        for f in honest
    ]
    snapshot = _rpc(web3, "evm_snapshot")
    _rpc(web3, "evm_setAutomine", [False])
    try:
        errors = []

        def step():
            try:
                relayer.step()
            except Exception as err:  # noqa: BLE001 - reported by the assertion below
                errors.append(err)

        worker = threading.Thread(target=step)
        worker.start()
        batch_hash = None
        for _ in range(600):
            pool = _rpc(web3, "txpool_content")["pending"]
            sent = pool.get(relayer.sender) or pool.get(relayer.sender.lower()) or {}
            if sent:
                (batch_tx,) = sent.values()
                batch_hash = batch_tx["hash"]
                break
            time.sleep(0.05)
        assert batch_hash is not None, "the relayer's batch never reached the pool"
        tip = int(batch_tx["maxPriorityFeePerGas"], 16) * 4 + 10**9  # outbids the relayer
        revoke = {
            "to": usdc,
            "data": "0x" + bytes(svc_fg.usdc.approve.encode_input(jar, 0)).hex(),
            "nonce": web3.eth.get_transaction_count(attacker.address, "pending"),
            "gas": 100_000,
            "maxFeePerGas": int(batch_tx["maxFeePerGas"], 16) + tip,
            "maxPriorityFeePerGas": tip,
            "chainId": web3.eth.chain_id,
        }
        revoke_hash = web3.eth.send_raw_transaction(attacker.sign_transaction(revoke).raw_transaction)
        _rpc(web3, "evm_mine")
        worker.join(timeout=60)
        assert not errors and not worker.is_alive(), errors
    finally:
        _rpc(web3, "evm_setAutomine", [True])
    revoked = web3.eth.get_transaction_receipt(revoke_hash)
    batch = web3.eth.get_transaction_receipt(batch_hash)
    assert (
        revoked["blockNumber"] == batch["blockNumber"]
        and revoked["transactionIndex"] < batch["transactionIndex"]
    )
    assert batch["status"] == 1, "the batch ran out of gas"
    attacker_gas += int(revoked["gasUsed"])
    views = {i: svc_client.get(f"/api/tips/{i}").json() for i in attack_ids + honest_ids}
    assert all(views[i]["status"] == "landed" for i in honest_ids), views
    skipped_on_chain = [i for i in attack_ids if views[i]["status"] == "skipped" and "tx" in views[i]]
    assert len(skipped_on_chain) == relayer.config.fan_per_batch

    # the relayer's gas on the attacker: this batch's gas, less the same honest items alone in the
    # same state (replayed from the snapshot)
    limit = int(web3.eth.get_transaction(batch_hash)["gas"])
    _rpc(web3, "evm_revert", [snapshot])
    honest_rows = [
        r
        for r in sorted(_rows(svc_service, relay_tips), key=lambda r: (r.creator, r.accepted_at))
        if r.id in honest_ids
    ]
    args = relayer.batcher.call_args(usdc, honest_rows)
    alone = svc_fg.jar.tipBatch(*args, sender=relayer.account)
    wasted = int(batch["gasUsed"]) - int(alone.gas_used)
    ratio = wasted / attacker_gas
    print(
        f"\nfront-run batch: {int(batch['gasUsed']):,} gas (limit {limit:,}), "
        f"honest alone {int(alone.gas_used):,}; wasted on the attacker {wasted:,}; attacker's gas "
        f"{attacker_gas:,} (approve + revoke); ratio {ratio:.2f}"
    )
    assert ratio <= 1.5

    # the attacker is refused for a while; its other queued tips are skipped without paying
    res = svc_client.post(
        "/api/tips", json=tip_body(attacker, svc_domain, creators[1].address, usdc, USDC, "x", nonce=99)
    )
    assert res.status_code == 429 and "skipped on chain" in res.json()["error"], res.text
    assert int(res.headers["retry-after"]) > 3_000
