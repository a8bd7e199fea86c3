"""Page fixtures: a FairGift deployment, the service serving the page on a random port (uvicorn in a
thread of the test process, sharing its Ape connection), and a real headless Chromium (npm
@sparticuz/chromium unpacked by `make setup` into .local/chromium, driven by pip playwright) with
an injected EIP-1193 wallet that forwards to the test chain's anvil."""

import json
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from page_env import CHROMIUM, DESKTOP, ROOT, WALLET_JS, node_url
from playwright.sync_api import expect

from fairgift.api import FairGift
from fairgift.bench.harness import chromium, serving
from fairgift.creators import Catalogue
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
    """The service (relayer with its batcher thread running, and the index, on a fresh SQLite
    database) with "ava" in the catalogue of creators. It takes every account fixture the page
    tests use, so that all exist before the module's first test (Ape's isolation then snapshots
    them once)."""
    from fairgift.db import Database
    from fairgift.index import Index
    from fairgift.relayer import Relayer, RelayerConfig
    from fairgift.service import Service, ServiceConfig
    from fairgift.web.guard import UNLIMITED

    fg = page_deployment.fg
    catalogue = Catalogue.for_record(fg.record, fg.store)
    catalogue.add("ava", page_creator.address, "Ava")
    # (the request-level limit has its own tests; the page's are about the page)
    config = ServiceConfig(relayer=RelayerConfig(batch_wait=0.0, poll_interval=0.01), limits=UNLIMITED)
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('page-db') / 'services.sqlite3'}")
    service = Service(fg, db, config=config)
    service.relayer = Relayer(db, service.deployment, fg.jar, relayer, config.relayer)
    service.index = Index(db, fg.record, project=fg.project)  # synced by open_tab, as the bot would
    service.creators = catalogue  # (the page finds the same file itself; set here to be explicit)
    service.start()
    try:
        yield service
    finally:
        service.stop()
        db.dispose()


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


class Tab:
    """One browser tab on the page, with the test wallet and a record of every request made."""

    def __init__(self, context, page, base_url: str):
        self.context, self.page, self.base_url = context, page, base_url
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        self.console_errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda err: self.console_errors.append(str(err)))

    def open(self, path: str):
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector("body[data-ready='1']")
        return self.page

    def submit(self, button: str, status: str, text: str, timeout: float = 60_000) -> str:
        """Click `button`, wait until `#status` contains `text` (or a notice appears: the test
        fails with its message); returns the status text."""
        page = self.page
        page.click(button)
        page.locator(f"#{status}:has-text({text!r}), #notice:not([hidden])").first.wait_for(timeout=timeout)
        if page.is_visible("#notice"):
            raise AssertionError(f"the page reported: {page.text_content('#notice-text')}")
        return page.text_content(f"#{status}")

    def notice(self, timeout: float = 30_000) -> str:
        """Wait for the notice (an error for the fan) and return its text."""
        self.page.locator("#notice:not([hidden])").wait_for(timeout=timeout)
        return self.page.text_content("#notice-text")

    def wallet(self, expression: str):
        """Evaluate `expression` with `w` bound to the test wallet (window.__wallet)."""
        return self.page.evaluate(f"(() => {{ const w = window.__wallet; return {expression}; }})()")

    def wallet_log(self) -> list[str]:
        return [entry["method"] for entry in self.page.evaluate("window.__wallet.log")]

    def api_calls(self, path: str) -> list[str]:
        """The page's requests to the service whose path starts with `path`."""
        return [url for url in self.requests if urlsplit(url).path.startswith(path)]


@pytest.fixture
def open_tab(browser, page_server, page_service, page_fg):
    """`open_tab(account=..., viewport=..., wallet=True, chain_override=None, bypass_csp=False)` -> Tab.
    `bypass_csp` turns the page's Content-Security-Policy off, to test what the script itself does."""
    contexts = []

    def make(account=None, viewport=DESKTOP, wallet=True, chain_override=None, bypass_csp=False) -> Tab:
        # What the index bot does in `serve`: catch up with the chain (Ape's isolation reverts the
        # chain between tests; the index finds that out as a reorg and re-indexes).
        page_service.index.sync()
        context = browser.new_context(viewport=viewport, device_scale_factor=1, bypass_csp=bypass_csp)
        context.set_default_timeout(60_000)
        contexts.append(context)
        if wallet:
            config = {
                "rpc": node_url(page_fg),
                "account": str(account.address) if account is not None else None,
                "chainOverride": chain_override,
            }
            context.add_init_script(f"window.__FAIRGIFT_TEST_WALLET__ = {json.dumps(config)};\n{WALLET_JS}")
        return Tab(context, context.new_page(), page_server)

    yield make
    for context in contexts:
        context.close()


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
