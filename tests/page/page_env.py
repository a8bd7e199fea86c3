"""What the page tests share besides fixtures (imported as `page_env`: a unique module name, since
`conftest` means another area's conftest once that one is imported first)."""

import json
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = ROOT / ".local/chromium"
WALLET_JS = Path(__file__).with_name("wallet.js").read_text(encoding="utf8")
PHONE = {"width": 390, "height": 844}
# All the page may ask a wallet (issue #13's design constraint): anything else is a bug.
WALLET_METHODS = {
    "eth_requestAccounts",
    "eth_chainId",
    "wallet_switchEthereumChain",
    "eth_signTypedData_v4",
    "eth_sendTransaction",
}
DESKTOP = {"width": 1280, "height": 900}


def node_url(fg) -> str:
    """The test chain's JSON-RPC URL (the wallet in the page forwards to it)."""
    return str(fg.chain.provider.uri)


@contextmanager
def running_service(fg, creator, relayer, folder: Path, **relayer_options):
    """The service of `serve` in this process: the relayer (its batcher thread running, batching at
    once) signing with `relayer`, and the index, on a fresh SQLite database in `folder`, with
    `creator` in the catalogue as "ava"; `relayer_options` set `RelayerConfig` fields. The page
    tests' request-level limit is off (it has its own tests; these are about the page)."""
    from fairgift.creators import Catalogue
    from fairgift.db import Database
    from fairgift.index import Index
    from fairgift.relayer import Relayer, RelayerConfig
    from fairgift.service import Service, ServiceConfig
    from fairgift.web.guard import UNLIMITED

    catalogue = Catalogue.for_record(fg.record, fg.store)
    catalogue.add("ava", creator.address, "Ava")
    relaying = RelayerConfig(batch_wait=0.0, poll_interval=0.01, **relayer_options)
    config = ServiceConfig(relayer=relaying, limits=UNLIMITED)
    db = Database(f"sqlite:///{folder / 'services.sqlite3'}")
    service = Service(fg, db, config=config)
    service.relayer = Relayer(db, service.deployment, fg.jar, relayer, config.relayer)
    service.index = Index(db, fg.record, project=fg.project)  # synced by each new tab, as the bot would
    service.creators = catalogue  # (the page finds the same file itself; set here to be explicit)
    service.start()
    try:
        yield service
    finally:
        service.stop()
        db.dispose()


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


class TabOpener:
    """Opens tabs on the page served at `base_url` (each in a browser context of its own, closed by
    `close`), with the test wallet sharing an account of the chain `fg` is on."""

    def __init__(self, browser, base_url: str, service, fg):
        self.browser, self.base_url, self.service, self.fg = browser, base_url, service, fg
        self.contexts = []

    def open(self, account=None, viewport=DESKTOP, wallet=True, chain_override=None, bypass_csp=False) -> Tab:
        # What the index bot does in `serve`: catch up with the chain (Ape's isolation reverts the
        # chain between tests; the index finds that out as a reorg and re-indexes).
        self.service.index.sync()
        context = self.browser.new_context(viewport=viewport, device_scale_factor=1, bypass_csp=bypass_csp)
        context.set_default_timeout(60_000)
        self.contexts.append(context)
        if wallet:
            config = {
                "rpc": node_url(self.fg),
                "account": str(account.address) if account is not None else None,
                "chainOverride": chain_override,
            }
            context.add_init_script(f"window.__FAIRGIFT_TEST_WALLET__ = {json.dumps(config)};\n{WALLET_JS}")
        return Tab(context, context.new_page(), self.base_url)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
