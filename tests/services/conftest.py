"""Services fixtures: a FairGift deployment on the test chain, a service on a temporary database,
fans with fresh keys (gasless: they never hold ether), and a synchronous relayer (the tests call
`relayer.step()` themselves instead of running the batcher thread)."""

import warnings

import pytest
from eth_account import Account

with warnings.catch_warnings():
    # starlette 1.x suggests `httpx2` for its TestClient; the pinned httpx works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from fairgift.api import FairGift
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from fairgift.relayer import RelayerConfig
from fairgift.web.app import create_app
from fairgift.web.service import Service, ServiceConfig
from tests.constants import MAX_UINT, USDC


@pytest.fixture(scope="session")
def svc_fg(owner, treasury, tmp_path_factory):
    folder = tmp_path_factory.mktemp("svc-deployments")
    deployed = deploy(owner, treasury=treasury.address, store=DeploymentStore(folder), fresh=True)
    return FairGift(deployed.record)


def _config(**overrides) -> ServiceConfig:
    relayer = RelayerConfig(batch_wait=0.0, poll_interval=0.01, **overrides)
    return ServiceConfig(relayer=relayer)


@pytest.fixture
def svc_service(svc_fg, relayer, tmp_path):
    """A service on a fresh SQLite database in tmp_path; `svc_service.relayer` batches on `step()`."""
    from fairgift.index.db import Database
    from fairgift.relayer import Relayer

    config = _config()
    db = Database(f"sqlite:///{tmp_path / 'services.sqlite3'}")
    service = Service(svc_fg, db, config=config)
    service.relayer = Relayer(db, service.deployment, svc_fg.jar, relayer, config.relayer)
    yield service
    db.dispose()


@pytest.fixture
def svc_client(svc_service):
    with TestClient(create_app(svc_service), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def svc_domain(svc_service):
    return svc_service.relayer.reader.jar_domain()


@pytest.fixture(scope="session")
def svc_mock_usdc(svc_fg, project):
    """The deployment's stablecoin as the mock it is on the test chain (it can mint)."""
    return project.MockUSDC.at(svc_fg.usdc.address)


@pytest.fixture
def svc_new_fan(svc_fg, svc_mock_usdc, owner):
    """A factory of fans with fresh keys, `usdc` whole USDC each, approving the jar when `approve`."""
    from ape import chain

    def make(usdc: int = 1_000, approve: bool = True):
        fan = Account.create()
        svc_mock_usdc.mint(fan.address, usdc * USDC, sender=owner)
        if approve:
            # the fan needs gas once, for its approval (a permit needs none: see the permit tests)
            chain.provider.set_balance(fan.address, 10**18)
            _approve(svc_fg, fan, MAX_UINT)
        return fan

    return make


def _approve(fg, fan, amount):
    """`fan` (an eth_account key) approves the jar, signing the transaction itself."""
    from ape import chain

    web3 = chain.provider.web3
    data = fg.usdc.approve.encode_input(fg.jar.address, amount)
    tx = {
        "to": str(fg.usdc.address),
        "data": "0x" + bytes(data).hex(),
        "nonce": web3.eth.get_transaction_count(fan.address),
        "gas": 100_000,
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 10**9,
        "chainId": web3.eth.chain_id,
    }
    signed = fan.sign_transaction(tx)
    receipt = web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
