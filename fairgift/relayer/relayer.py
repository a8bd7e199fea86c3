"""The gasless tip relayer of one deployment's jar, from one account: its parts put together.

- the intake (`fairgift.relayer.intake`): `accept(body)` checks and queues a signed tip, or
  raises `Rejected(status, reason)`; `status(id)` says what became of it;
- the batcher (`fairgift.relayer.batcher`): `run(stop)` / `step()` send queued tips in batches;
- exactly-once transactions (`fairgift.relayer.reconcile`): recorded before broadcast, settled
  from the chain after any crash by `reconcile()`;
- the lease (`fairgift.relayer.lease`): one batcher per account and chain;
- the queue's tables and every query of them (`fairgift.relayer.store`).
"""

from __future__ import annotations

import threading

from eth_utils import to_checksum_address

from fairgift.db import Database
from fairgift.relayer.batcher import Batcher
from fairgift.relayer.intake import Intake
from fairgift.relayer.lease import Lease
from fairgift.relayer.policy import RelayerConfig
from fairgift.relayer.prepare import free_nonce
from fairgift.relayer.reads import ChainReader
from fairgift.relayer.reconcile import Reconciler
from fairgift.relayer.store import RelayStore


class Relayer:
    """Relays fans' signed tips to one deployment's jar from one account."""

    def __init__(self, db: Database, deployment: str, jar, account, config: RelayerConfig | None = None):
        from ape import chain

        self.db = db
        self.deployment = deployment
        self.jar = jar  # an Ape contract instance: builds the transactions
        self.account = account  # an Ape account (test account, or a keystore account set to autosign)
        self.sender = to_checksum_address(str(account.address))
        self._config = config or RelayerConfig()
        self.web3 = chain.provider.web3
        self.store = RelayStore(db, deployment)
        self.reader = ChainReader(self.web3, str(jar.address))
        self.chain_id = self.reader.chain_id
        self.wake = threading.Event()  # a tip was queued: the batcher looks at once
        self.lease = Lease(self.store, self.sender, self.chain_id)
        self.holder = self.lease.holder
        self.intake = Intake(self.store, self.reader, self._config, self.wake)
        self.reconciler = Reconciler(self.store, self.web3, account, self.sender, jar, self._config)
        self.reconciler.lease = self.lease
        self.batcher = Batcher(
            self.store, self.reader, self.reconciler, self.lease, jar, self._config, self.wake
        )

    @property
    def config(self) -> RelayerConfig:
        return self._config

    @config.setter
    def config(self, config: RelayerConfig) -> None:
        """New limits for every part at once (the intake, the batcher, the reconciliation)."""
        self._config = config
        for part in (self.intake, self.batcher, self.reconciler):
            part.config = config

    # ------------------------------------------------------------------ the HTTP side

    def accept(self, body) -> dict:
        """Validate and queue one signed tip; `{"id", "status"}` or `Rejected`."""
        return self.intake.accept(body)

    def status(self, tip_id: str) -> dict | None:
        """What became of a tip: queued, submitted (tx), landed (tx, block) or skipped (reason)."""
        return self.intake.status(tip_id)

    def next_nonce(self, fan: str) -> int:
        """The lowest tip nonce of `fan` neither used on chain nor held by a tip in the queue."""
        return free_nonce(self, to_checksum_address(fan))

    def stats(self) -> dict:
        """How many tips are queued, submitted, landed and skipped."""
        return self.store.counts()

    def grouping(self) -> str:
        """How the intake's work was grouped so far (`fairgift.relayer.together`): requests per
        commit and per round of chain reads."""
        commits, reads = self.store.group.together, self.reader.together
        return (
            f"intake: {commits.items} requests written in {commits.groups} commits, "
            f"{reads.items} requests' chain reads in {reads.groups} batches"
        )

    # ------------------------------------------------------------------ the batcher's side

    def run(self, stop: threading.Event) -> None:
        """The batcher loop, until `stop` is set (`Service.start` runs it in a thread)."""
        self.batcher.run(stop)

    def step(self) -> bool:
        """Send at most one batch (and the permits it needs); True when it sent one."""
        return self.batcher.step()

    def reconcile(self) -> int:
        """Settle every recorded-but-unsettled transaction; returns how many are still open."""
        return self.reconciler.reconcile()

    def open_txs(self) -> list:
        return self.reconciler.open_txs()

    def acquire_lease(self, ttl: float | None = None) -> bool:
        return self.lease.acquire(ttl)

    def release_lease(self) -> None:
        self.lease.release()
