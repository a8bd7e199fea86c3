"""The index follower: a Silverback bot that keeps the index current.

Silverback facts this design rests on (0.7.38):
- it does not replay blocks missed while the bot was down: the bot's startup task catches up from
  the index's own cursor (the database, not Silverback's state file) to the head;
- blocks mined between that catch-up and the moment the runner's subscription starts would
  otherwise wait for the *next* block, which on a chain that mines only on transactions may never
  come: `FollowRunner` runs one more catch-up right after subscribing (gap-free hand-over), and a
  cron task catches up every minute in any runner;
- every block task runs the same idempotent `Index.sync()` from the database cursor to the head,
  so a missed, doubled or reordered notification can neither skip nor double an event;
- the HTTP polling runner gives up after 10 s without a new block on such a chain: `FollowRunner`
  uses the node's websocket (anvil serves it on its HTTP port; other nodes: the provider's
  `ws_uri`);
- a handler that raises counts towards the runner's `max_exceptions`, after which it halts: the
  handlers here log and swallow errors (a node hiccup is retried on the next block);
- `bot.state` is created only in the one worker that runs the runner's load-snapshot task, and
  every block task writes to it: with several workers (distributed mode) the others failed every
  block task (AttributeError), and once that worker died so did all of them, until the runner
  halted. `build_bot` gives each process an empty state up front (the index keeps none in it).

`bots/index.py` is the bot for `silverback run` / `silverback worker`; `ape run fairgift serve`
builds the same bot in process with `build_bot(service)`.
"""

from __future__ import annotations

import logging

from silverback import SilverbackBot
from silverback.main import SharedState
from silverback.runner import BaseRunner, PollingRunner, WebsocketRunner
from silverback.settings import Settings
from silverback.state import Datastore
from silverback.utils import clean_hexbytes_dict

from fairgift.db import ROOT

log = logging.getLogger("fairgift.index")


class InProcessSettings(Settings):
    """Silverback settings that reuse the provider this process is already connected to (the
    default would connect anew, and for an Ape-managed anvil start another node)."""

    def get_provider_context(self):
        from ape.api.networks import ProviderContextManager

        return ProviderContextManager(provider=self.provider)


class LocalDatastore(Datastore):
    """Silverback's state file under the project's .local/ instead of ./.silverback-sessions."""

    async def init(self, bot_id):
        folder = ROOT / ".local" / "silverback" / bot_id.name / bot_id.ecosystem / bot_id.network
        folder.mkdir(parents=True, exist_ok=True)
        self.state_backup_file = folder / "state.json"
        return None  # the index's cursor, in its database, is the only state that matters


def websocket_uri(provider) -> str | None:
    """The node's websocket URL: the provider's, else (anvil serves both on one port) its HTTP
    URL with ws:// when the node is anvil."""
    if uri := getattr(provider, "ws_uri", None):
        return uri
    http = getattr(provider, "http_uri", None) or getattr(provider, "uri", None)
    if not http or not http.startswith(("http://", "https://")):
        return None
    try:
        client = str(provider.web3.client_version).lower()
    except Exception:  # noqa: BLE001
        return None
    return "ws" + http[4:] if client.startswith("anvil") else None


class FollowRunner(WebsocketRunner):
    """Silverback's websocket runner with the hand-over catch-up and a project-local state file.
    Usable from the CLI: `silverback run --runner fairgift.index.follow:FollowRunner index`."""

    def __init__(self, bot: SilverbackBot, *args, **kwargs):
        BaseRunner.__init__(self, bot, *args, **kwargs)
        uri = websocket_uri(self.chain_manager.provider)
        if uri is None:
            from silverback.exceptions import NoWebsocketAvailableError

            raise NoWebsocketAvailableError()
        self.ws_uri = uri
        self.datastore = LocalDatastore()

    async def _block_task(self, task_data):
        await super()._block_task(task_data)
        # Gap-free hand-over: index what was mined between the startup catch-up and now.
        latest = await self._web3.eth.get_block("latest")
        self._runtime_task_group.create_task(self.run_task(task_data, clean_hexbytes_dict(dict(latest))))


def runner_for(bot: SilverbackBot, **kwargs) -> BaseRunner:
    """FollowRunner when the node has a websocket, else Silverback's polling runner (which stops
    after 10 s without a block: fine on a public chain, not on a chain that mines on demand)."""
    from ape import chain

    if websocket_uri(chain.provider) is not None:
        return FollowRunner(bot, **kwargs)
    log.warning("no websocket for this node: polling (it gives up after 10 s without a new block)")
    runner = PollingRunner(bot, **kwargs)
    runner.datastore = LocalDatastore()
    return runner


def build_bot(index, *, name: str = "fairgift-index", settings: Settings | None = None) -> SilverbackBot:
    """A bot whose every task is `index.sync()`: at startup (catch-up, with progress), on every
    new block, and every minute."""
    from ape import chain

    settings = settings or InProcessSettings(BOT_NAME=name)
    bot = SilverbackBot(settings=settings)
    bot.state = SharedState()  # in every worker, not only the one that loads the snapshot (above)

    def sync(why: str, progress=None):
        try:
            result = index.sync(progress=progress)
        except Exception:  # noqa: BLE001 - never halt the runner: the next block retries
            log.exception("index sync failed (%s); retrying on the next block", why)
            return
        if result.reorg is not None:
            log.warning("reorg from block %d handled", result.reorg)
        if result.events:
            log.info("indexed %d events up to block %d (%s)", result.events, result.stop, why)

    @bot.on_startup()
    def catch_up(startup_state):
        state = index.state()
        log.info("index of %s: catching up from block %d", index.key, state.block + 1)
        sync("startup", progress=log.info)

    @bot.on_(chain.blocks)
    def new_block(block):
        sync(f"block {block.number}")

    @bot.cron("* * * * *")
    def every_minute(time):
        sync("every minute")

    return bot


def standalone_bot(db_url: str | None = None) -> SilverbackBot:
    """The bot `bots/index.py` exposes: Silverback's own settings (network, broker from the
    SILVERBACK_* environment), the connected chain's deployment, $FAIRGIFT_DB_URL (or the
    embedded SQLite), confirmations from $FAIRGIFT_CONFIRMATIONS (default: the chain's network
    profile, 0 on a local chain: fairgift.chain_profile)."""
    import os

    from fairgift.api import FairGift
    from fairgift.chain_profile import resolve
    from fairgift.index import open_index
    from fairgift.logs import configure_logging

    configure_logging()
    settings = Settings()
    bot_name = settings.BOT_NAME if settings.BOT_NAME != "bot" else "fairgift-index"
    # Connect first (Silverback's settings pick the network), then read the deployment.
    settings.get_provider_context().__enter__()
    fg = FairGift.connect()
    given = os.environ.get("FAIRGIFT_CONFIRMATIONS")
    settings = resolve(int(fg.record.chain_id), confirmations=None if given is None else int(given))
    log.info("index confirmations %d, from %s", settings.index_confirmations, settings.source)
    index = open_index(fg, db_url, confirmations=settings.index_confirmations)
    return build_bot(index, name=bot_name, settings=InProcessSettings(BOT_NAME=bot_name))


__all__ = ["FollowRunner", "build_bot", "runner_for", "standalone_bot", "websocket_uri"]
