"""`Service`: what the web app, the relayer's batcher and the index bot share in one process.

    from fairgift.service import Service
    service = Service.connect()                 # the connected chain's deployment, default DB
    app = create_app(service)                   # fairgift.web.app
    service.start()                             # the batcher thread (the index bot runs apart)

`service.fg` is the FairGift API bound to the deployment (`fg.jar`, `fg.usdc`, `fg.record`),
`service.db` the services' database, `service.relayer` the relayer (None when relaying is off),
`service.index` the index (None when indexing is off), `service.deployment` the record's key.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from fairgift.chain_profile import InForce
from fairgift.db import Database, deployment_key
from fairgift.relayer import Relayer, RelayerConfig
from fairgift.web.guard import Limits

log = logging.getLogger("fairgift.service")

# Locally, the relayer signs with the last of the node's ten test accounts, which no script or
# test uses for anything else (so its account nonces never race another sender).
DEFAULT_LOCAL_RELAYER = "TEST::9"


@dataclass
class ServiceConfig:
    db_url: str | None = None  # None: $FAIRGIFT_DB_URL, else .local/fairgift.sqlite3
    relay: bool = True
    index: bool = True
    relayer_account: str | None = None  # an Ape alias or TEST::N; locally TEST::9 by default
    relayer: RelayerConfig = field(default_factory=RelayerConfig)
    confirmations: int = 0  # blocks before the index takes an event as final (0: local chains)
    limits: Limits = field(default_factory=Limits)  # the request-level limit (fairgift.web.guard)
    settings: InForce | None = None  # what the chain's network profile set (fairgift.chain_profile)

    @property
    def max_body_bytes(self) -> int:
        return self.limits.max_body_bytes


class Service:
    def __init__(self, fg, db: Database, *, relayer: Relayer | None = None, index=None, config=None):
        self.fg = fg
        self.db = db
        self.config = config or ServiceConfig()
        self.deployment = deployment_key(fg.record)
        self.chain_id = int(fg.record.chain_id)
        self.relayer = relayer
        self.index = index
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @classmethod
    def connect(cls, fg=None, config: ServiceConfig | None = None) -> Service:
        """The service for the connected chain's deployment."""
        from fairgift.api import FairGift

        config = config or ServiceConfig()
        fg = fg or FairGift.connect()
        db = Database(config.db_url)
        service = cls(fg, db, config=config)
        if config.relay:
            account = relayer_account(config.relayer_account)
            service.relayer = Relayer(db, service.deployment, fg.jar, account, config.relayer)
        if config.index:
            from fairgift.index import open_index

            service.index = open_index(fg, db.url, confirmations=config.confirmations)
        return service

    def start(self) -> None:
        """Start the relayer's batcher in a background thread."""
        if self.relayer is not None:
            thread = threading.Thread(
                target=self.relayer.run, args=(self._stop,), name="fairgift-batcher", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self.relayer is not None:
            self.relayer.wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        if self.relayer is not None:
            self.relayer.release_lease()
            log.info(self.relayer.grouping())


def relayer_account(name: str | None):
    """The relayer's signing account: an Ape keystore alias (unlocked without a prompt when
    APE_ACCOUNTS_<alias>_PASSPHRASE is set) or TEST::N; on a local chain TEST::9 by default."""
    from ape import chain

    from fairgift.api import resolve_account, unlock
    from fairgift.deployments import LOCAL_CHAIN_IDS
    from fairgift.errors import FairGiftError

    if name is None:
        if int(chain.chain_id) not in LOCAL_CHAIN_IDS:
            raise FairGiftError("--relayer-account is required on a public network (an Ape keystore alias)")
        name = DEFAULT_LOCAL_RELAYER
    account = resolve_account(name)
    if isinstance(account, str):
        raise FairGiftError(f"{name!r} is an address, not an account that can sign")
    return unlock(account)
