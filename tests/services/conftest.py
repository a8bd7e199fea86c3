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

from svc_helpers import approve_jar

from fairgift.api import FairGift
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from fairgift.relayer import RelayerConfig
from fairgift.service import Service, ServiceConfig
from fairgift.web.app import create_app
from fairgift.web.guard import UNLIMITED
from tests.constants import MAX_UINT, USDC


@pytest.fixture(scope="module", autouse=True)
def _readers_use_the_index():
    """As in the `fairgift` CLI: `fairgift.events.source` uses the index when it is current."""
    from fairgift import events
    from fairgift.index import current_source

    previous = events.set_index_finder(current_source)
    yield
    events.set_index_finder(previous)


@pytest.fixture(scope="module")
def svc_deployments(tmp_path_factory):
    """The folder holding the services' deployment record (FAIRGIFT_DEPLOYMENTS for subprocesses)."""
    return tmp_path_factory.mktemp("svc-deployments")


@pytest.fixture(scope="module")
def svc_fg(owner, treasury, svc_deployments):
    deployed = deploy(owner, treasury=treasury.address, store=DeploymentStore(svc_deployments), fresh=True)
    return FairGift(deployed.record)


def _config(**overrides) -> ServiceConfig:
    relayer = RelayerConfig(batch_wait=0.0, poll_interval=0.01, **overrides)
    return ServiceConfig(relayer=relayer, limits=UNLIMITED)  # the limit has its own tests


@pytest.fixture
def svc_service(svc_fg, relayer, tmp_path):
    """A service on a fresh SQLite database in tmp_path; `svc_service.relayer` batches on `step()`."""
    from fairgift.db import Database
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


@pytest.fixture(scope="module")
def svc_mock_usdc(svc_fg, project):
    """The deployment's stablecoin as the mock it is on the test chain (it can mint)."""
    return project.MockUSDC.at(svc_fg.usdc.address)


@pytest.fixture
def svc_new_fan(svc_fg, svc_mock_usdc, owner):
    """A factory of fans with fresh keys, `usdc` whole USDC each, approving the jar when `approve`."""

    def make(usdc: int = 1_000, approve: bool = True):
        fan = Account.create()
        svc_mock_usdc.mint(fan.address, usdc * USDC, sender=owner)
        if approve:
            # the fan needs gas once, for its approval (a permit needs none: see the permit tests);
            # sent by the owner, not set_balance, which the in-process provider does not have
            owner.transfer(fan.address, 10**18)
            approve_jar(svc_fg, fan, MAX_UINT)
        return fan

    return make
