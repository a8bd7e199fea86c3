"""The first gasless tip with Circle's real USDC (issue 19: it was impossible, the service offered no
permit for a token without ERC-5267): `/api/tips/prepare` offers a permit built from `name()` and
`version()`, the fan (no ether, no allowance) signs both as a wallet would, and the relayer lands
the permit and then `tipBatch`. And a paused token: the tip is skipped, and the relayer sends nothing
(it pays for nothing that cannot land)."""

import warnings

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from fairgift.api import FairGift
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from tests.constants import USDC

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette 1.x suggests httpx2 for its TestClient
    from starlette.testclient import TestClient


def sign_typed(key: str, typed: dict) -> str:
    """`eth_signTypedData_v4` as a wallet answers it: 0x + r + s + v."""
    return "0x" + bytes(Account.sign_message(encode_typed_data(full_message=typed), key).signature).hex()


@pytest.fixture(scope="module")
def usdc_svc_fg(owner, treasury, real_usdc, tmp_path_factory):
    store = DeploymentStore(tmp_path_factory.mktemp("usdc-svc"))
    deployed = deploy(owner, stablecoin=real_usdc.address, treasury=treasury.address, store=store, fresh=True)
    return FairGift(deployed.record)


@pytest.fixture
def usdc_svc(usdc_svc_fg, relayer, tmp_path):
    """A service on a fresh SQLite database; its relayer batches when the test calls `step()`."""
    from fairgift.db import Database
    from fairgift.relayer import Relayer, RelayerConfig
    from fairgift.service import Service, ServiceConfig
    from fairgift.web.app import create_app

    config = ServiceConfig(relayer=RelayerConfig(batch_wait=0.0, poll_interval=0.01))
    db = Database(f"sqlite:///{tmp_path / 'services.sqlite3'}")
    service = Service(usdc_svc_fg, db, config=config)
    service.relayer = Relayer(db, service.deployment, usdc_svc_fg.jar, relayer, config.relayer)
    with TestClient(create_app(service), raise_server_exceptions=False) as client:
        yield service, client
    db.dispose()


def drain(relayer, limit=10):
    for _ in range(limit):
        relayer.reconcile()
        if not relayer.step():
            return
    raise AssertionError("the relayer kept finding work")


def gasless_fan(real_usdc, circle, amount):
    fan = Account.create()
    real_usdc.mint(fan.address, amount, sender=circle)
    return fan


def prepared_tip(client, fan, creator, amount, message="gm"):
    res = client.post(
        "/api/tips/prepare",
        json={"fan": fan.address, "creator": creator.address, "amount": str(amount), "message": message},
    )
    assert res.status_code == 200, res.text
    prepared = res.json()
    body = prepared["request"]
    body["signature"] = sign_typed(fan.key.hex(), prepared["tip"])
    if prepared["permit"] is not None:
        body["permit"]["signature"] = sign_typed(fan.key.hex(), prepared["permit"])
    return prepared, body


def test_the_first_gasless_tip_with_real_usdc(usdc_svc, usdc_svc_fg, real_usdc, circle, creator, chain):
    service, client = usdc_svc
    fan = gasless_fan(real_usdc, circle, 10 * USDC)
    prepared, body = prepared_tip(client, fan, creator, 3 * USDC, "first!")
    permit = prepared["permit"]
    assert permit is not None  # the gap of issue 19: no permit was offered for real USDC
    assert permit["domain"]["name"] == "USD Coin" and permit["domain"]["version"] == "2"
    assert permit["domain"]["verifyingContract"] == real_usdc.address
    res = client.post("/api/tips", json=body)
    assert res.status_code == 202, res.text
    drain(service.relayer)
    assert client.get(f"/api/tips/{res.json()['id']}").json()["status"] == "landed"
    assert chain.provider.get_balance(fan.address) == 0  # the fan never paid gas
    fee = 3 * USDC * int(usdc_svc_fg.jar.feeBps()) // 10_000
    assert usdc_svc_fg.jar.balanceOf(creator, real_usdc) == 3 * USDC - fee
    assert real_usdc.balanceOf(fan.address) == 7 * USDC
    assert real_usdc.nonces(fan.address) == 1  # the permit landed on USDC itself


def test_a_tip_accepted_before_a_pause_is_not_credited_and_nothing_is_lost(
    usdc_svc, usdc_svc_fg, real_usdc, circle, creator, relayer, chain
):
    service, client = usdc_svc
    fan = gasless_fan(real_usdc, circle, 10 * USDC)
    _, body = prepared_tip(client, fan, creator, 2 * USDC)
    res = client.post("/api/tips", json=body)
    assert res.status_code == 202, res.text
    real_usdc.pause(sender=circle)
    sent_before = chain.provider.get_nonce(relayer.address)
    drain(service.relayer)
    view = client.get(f"/api/tips/{res.json()['id']}").json()
    # the permit cannot land on a paused token, so the allowance is missing at submission
    assert view["status"] == "skipped" and "allowance too low at submission" in view["reason"], view
    assert chain.provider.get_nonce(relayer.address) == sent_before  # the relayer sent nothing, paid nothing
    assert usdc_svc_fg.jar.balanceOf(creator, real_usdc) == 0
    assert real_usdc.balanceOf(fan.address) == 10 * USDC


def test_prepare_says_why_usdc_would_not_move_before_anything_is_signed(
    usdc_svc, usdc_svc_fg, real_usdc, circle, creator, fan, owner, relayer, chain
):
    """`/api/prepare/*` asks the token (an `eth_call` of the transfer, `fairgift.token_gate`) before
    offering anything to sign or send: a blacklisted fan, a blacklisted jar and a paused token each
    get a 4xx naming the cause, for a gasless or a direct tip and a gift alike."""
    _, client = usdc_svc
    real_usdc.mint(fan, 100 * USDC, sender=circle)
    tip = {"creator": creator.address, "amount": "3", "from": fan.address}
    gift = {
        "creator": creator.address,
        "gift": 2,
        "quantity": 1,
        "max_amount": str(USDC),
        "from": fan.address,
    }
    assert client.post("/api/prepare/tip", json=tip).status_code == 200  # USDC moves: a plan to sign
    sent_before = chain.provider.get_nonce(relayer.address)

    real_usdc.blacklist(fan, sender=circle)
    for path, body in (
        ("/api/prepare/tip", tip),
        ("/api/prepare/tip", {**tip, "mode": "direct"}),
        ("/api/prepare/gift", gift),
    ):
        res = client.post(path, json=body)
        assert (res.status_code, res.json()["code"]) == (403, "address_blocked"), res.text
        assert "USDC's issuer has blocked this wallet's address" in res.json()["error"]
        assert "pay from another wallet" in res.json()["error"]
    real_usdc.unBlacklist(fan, sender=circle)

    real_usdc.blacklist(usdc_svc_fg.jar, sender=circle)
    res = client.post("/api/prepare/tip", json=tip)
    assert (res.status_code, res.json()["code"]) == (409, "spender_blocked"), res.text
    assert usdc_svc_fg.jar.address in res.json()["error"]
    real_usdc.unBlacklist(usdc_svc_fg.jar, sender=circle)

    real_usdc.pause(sender=circle)
    for path, body in (("/api/prepare/tip", tip), ("/api/prepare/gift", gift)):
        res = client.post(path, json=body)
        assert (res.status_code, res.json()["code"]) == (409, "token_paused"), res.text
        assert res.json()["error"].startswith("USDC is paused by its issuer")
    assert chain.provider.get_nonce(relayer.address) == sent_before  # nothing reached the chain
