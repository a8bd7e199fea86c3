"""The relayer in process: a signed tip accepted over HTTP, batched, landed, and followed by id."""

import sqlalchemy as sa
from svc_helpers import tip_body

from fairgift.eip712 import digest, tip_struct_hash
from fairgift.relayer.store import relay_tips, relay_txs
from tests.constants import USDC


def test_digest_is_the_jars(svc_fg, creators, svc_service, svc_new_fan):
    fan = svc_new_fan(approve=False)
    args = (fan.address, creators[0].address, svc_fg.usdc.address, 1234, "gm ✨", 7, 2**40)
    ours = digest(svc_service.relayer.reader.jar_separator(), tip_struct_hash(*args))
    assert ours == bytes(svc_fg.jar.batchTipDigest(*args[:4], args[4], args[5], args[6]))


def test_tip_lands_and_is_followed(svc_fg, creators, svc_client, svc_service, svc_new_fan, svc_domain):
    fan = svc_new_fan()
    creator = creators[0]
    before = svc_fg.jar.balanceOf(creator, svc_fg.usdc)
    body = tip_body(fan, svc_domain, creator.address, svc_fg.usdc.address, 2 * USDC, "gg <b>wp</b>", nonce=0)
    res = svc_client.post("/api/tips", json=body)
    assert res.status_code == 202, res.text
    tip_id = res.json()["id"]
    assert res.json()["status"] == "queued"
    assert svc_client.get(f"/api/tips/{tip_id}").json()["status"] == "queued"

    assert svc_service.relayer.step()
    view = svc_client.get(f"/api/tips/{tip_id}").json()
    assert view["status"] == "landed", view
    assert view["message"] == "gg <b>wp</b>"
    fee = 2 * USDC * svc_fg.jar.feeBps() // 10_000
    assert svc_fg.jar.balanceOf(creator, svc_fg.usdc) - before == 2 * USDC - fee
    assert svc_fg.jar.isNonceUsed(fan.address, 0)
    receipt = svc_service.relayer.web3.eth.get_transaction_receipt(view["tx"])
    assert receipt["blockNumber"] == view["block"]

    # the same signed tip again (a client retrying): the same id, nothing queued twice
    again = svc_client.post("/api/tips", json=body)
    assert again.status_code == 202 and again.json()["id"] == tip_id and again.json()["status"] == "landed"
    with svc_service.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(relay_tips)).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(relay_txs)).scalar_one() == 1


def test_check_tip_is_the_one_rule_for_every_path():
    """`check_tip` holds the tip's rules; the intake (`tip.` fields) and prepare name the fields
    as their requests do."""
    import pytest

    from fairgift.relayer.signed_tip import ZERO_ADDRESS, Rejected, check_tip

    jar, creator = "0x" + "11" * 20, "0x" + "22" * 20
    good = {"creator": creator, "amount": 1, "message": "gg", "jar": jar, "max_message_bytes": 4}
    check_tip(**good)  # no refusal
    check_tip(**good | {"message": "éé"})  # 4 bytes: at the limit
    for change, status, reason in [
        ({"amount": 0}, 400, "tip.amount must be above zero"),
        ({"creator": ZERO_ADDRESS}, 400, f"invalid creator {ZERO_ADDRESS}"),
        ({"creator": jar}, 400, f"invalid creator {jar}"),
        ({"message": "ééé"}, 413, "tip.message is 6 bytes; this relayer takes at most 4"),
        ({"message": 5}, 400, "tip.message must be a string"),
        ({"message": "\ud800"}, 400, "tip.message is not valid Unicode text"),
    ]:
        with pytest.raises(Rejected) as refused:
            check_tip(**good | change, prefix="tip.")
        assert (refused.value.status, refused.value.reason) == (status, reason)


def test_the_relayers_sql_is_in_its_store():
    """Every query of the relayer's tables is in `fairgift/relayer/store.py` (the tables themselves
    in `tables.py`): no other module of the relayer imports SQLAlchemy."""
    import ast
    from pathlib import Path

    import fairgift.relayer

    folder = Path(fairgift.relayer.__file__).parent
    importers = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name.split(".")[0] == "sqlalchemy" for name in names):
                importers.add(path.name)
    assert importers == {"store.py", "tables.py"}
