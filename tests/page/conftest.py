"""Page fixtures: a FairGift deployment, the service serving the page on a random port (uvicorn in a
thread of the test process, sharing its Ape connection), and a real headless Chromium (npm
@sparticuz/chromium unpacked by `make setup` into .local/chromium, driven by pip playwright) with
an injected EIP-1193 wallet that forwards to the test chain's anvil."""

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from page_env import CHROMIUM, ROOT, TabOpener, running_service
from playwright.sync_api import expect

from fairgift.api import FairGift
from fairgift.bench.harness import chromium, serving
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from tests.constants import USDC

# Assertions on the page wait for the service's answers: generous on a loaded 2-core machine (a
# passing check returns as soon as it holds).
expect.set_options(timeout=20_000)


# ---------------------------------------------------------------------------- the chain side


@pytest.fixture(scope="module")
def page_deployment(owner, treasury, tmp_path_factory):
    folder = tmp_path_factory.mktemp("page-deployments")
    store = DeploymentStore(folder)
    deployed = deploy(owner, treasury=treasury.address, store=store, fresh=True)
    return SimpleNamespace(fg=FairGift(deployed.record, store=store), record_file=Path(deployed.path))


@pytest.fixture(scope="module")
def page_fg(page_deployment):
    return page_deployment.fg


@pytest.fixture(scope="module")
def page_creator(page_fg, creator, owner):
    """A creator with a launched token and a name in the catalogue ("ava")."""
    page_fg.launch(creator, "Ava Token", "AVA", creator_fee_bps="5%")
    return creator


@pytest.fixture(scope="module")
def page_usdc(page_fg, project):
    """The deployment's stablecoin as the mock it is on the test chain (it can mint)."""
    return project.MockUSDC.at(page_fg.usdc.address)


@pytest.fixture(scope="module")
def page_fan(page_usdc, fan, owner):
    """A fan with 1,000 USDC and no allowance."""
    page_usdc.mint(fan, 1_000 * USDC, sender=owner)
    return fan


@pytest.fixture(scope="module")
def page_fan2(page_usdc, fan2, owner):
    """Another fan with 1,000 USDC (trades beside the first, moving prices)."""
    page_usdc.mint(fan2, 1_000 * USDC, sender=owner)
    return fan2


# ---------------------------------------------------------------------------- the service


@pytest.fixture(scope="module")
def page_service(page_deployment, page_creator, page_fan, page_fan2, stranger, relayer, tmp_path_factory):
    """The service (`page_env.running_service`: relayer with its batcher thread running, and the
    index, on a fresh SQLite database) with "ava" in the catalogue of creators. It takes every
    account fixture the page tests use, so that all exist before the module's first test (Ape's
    isolation then snapshots them once)."""
    folder = tmp_path_factory.mktemp("page-db")
    with running_service(page_deployment.fg, page_creator, relayer, folder) as service:
        yield service


@pytest.fixture(scope="module")
def page_server(page_service):
    """The service's app (API + page) served by uvicorn on a free port; yields the base URL."""
    from fairgift.web.app import create_app

    with serving(create_app(page_service), timeout=20) as url:
        yield url


# ---------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    """The headless Chromium of `make setup` (`fairgift.bench.harness.chromium`: its profile and
    HOME inside the project, so nothing reaches the home folder or the system temp)."""
    if not (CHROMIUM / "chromium").is_file():
        pytest.fail(f"{CHROMIUM}/chromium is missing: run `make setup` (tools/install-chromium)")
    with chromium(ROOT) as launched:
        yield launched


@pytest.fixture
def open_tab(browser, page_server, page_service, page_fg):
    """`open_tab(account=..., viewport=..., wallet=True, chain_override=None, bypass_csp=False)` -> Tab
    (`page_env.TabOpener`). `bypass_csp` turns the page's Content-Security-Policy off, to test what
    the script itself does."""
    opener = TabOpener(browser, page_server, page_service, page_fg)
    yield opener.open
    opener.close()


@pytest.fixture(scope="session")
def shots_dir():
    out = ROOT / "out" / "page"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def follower(page_service):
    """What the index bot does inside `serve`: index each new block as it comes (here by asking
    every 20 ms; the bot is told by the node's websocket)."""
    stop = threading.Event()

    def run():
        while not stop.is_set():
            try:
                page_service.index.sync()
            except Exception:  # noqa: BLE001 - a node hiccup: the next round retries, as the bot does
                pass
            stop.wait(0.02)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(10)
