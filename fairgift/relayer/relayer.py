"""The gasless tip relayer: validation, durable queue, batcher, exactly-once reconciliation.

`Relayer.accept(body)` checks everything it can before queuing (the EIP-712 signature, chain and
jar, deadline, nonce unused on chain and in the queue, token allowed, creator valid, balance and
allowance or permit, message length, the fan's rate and the queue's size) and stores the tip, or
raises `Rejected(status, reason)`.

`Relayer.run(stop)` is the batcher: when `batch_size` tips wait or the oldest has waited
`batch_wait` seconds, it re-checks them (a tip that would obviously be skipped is skipped here,
without paying gas), submits a permit first where one is needed, then one `tipBatch`, and reads
each item's outcome from the receipt's events.

Exactly once. Every transaction is signed and *recorded* (raw bytes, hash, account nonce, the tips
it carries) in one database transaction before it is broadcast. After a crash at any point,
`reconcile()` looks each open transaction up by hash: mined -> the outcomes are read from its
receipt; not mined and the account nonce still free -> the very same bytes are broadcast again (one
nonce, one possible inclusion: the relayer can never pay twice for a tip); not mined and the nonce
taken by another transaction -> provably dropped, its tips are queued again. The jar's nonce
bitmap is the last line: a tip can never land twice.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from eth_utils import to_checksum_address

from fairgift.batch import batch_args, skip_reason
from fairgift.db import Database
from fairgift.relayer import faults, store
from fairgift.relayer.chain import ChainReader
from fairgift.relayer.store import (
    LANDED,
    QUEUED,
    SKIPPED,
    SUBMITTED,
    TX_DROPPED,
    TX_MINED,
    TX_OPEN,
    TX_RECORDED,
    TX_REVERTED,
    TX_SENT,
    relay_leases,
    relay_tips,
    relay_txs,
)
from fairgift.relayer.tips import (
    Permit,
    Rejected,
    SignedTip,
    eip712_digest,
    parse_tip_request,
    permit_struct_hash,
)

log = logging.getLogger("fairgift.relayer")

ZERO = "0x0000000000000000000000000000000000000000"
EXPIRES_CAP = 2**62


@dataclass
class RelayerConfig:
    """Batching and abuse limits (every field has a `serve` option)."""

    batch_size: int = 50  # a batch goes out when this many tips wait...
    batch_wait: float = 2.0  # ...or when the oldest has waited this long (seconds)
    max_queue: int = 10_000  # queued tips beyond which new ones get 503 "relayer busy"
    max_message_bytes: int = 280  # the relayer pays the calldata of every message
    fan_rate: int = 30  # tips a fan may submit per `rate_window` seconds
    rate_window: float = 60.0
    min_validity: int = 60  # seconds a tip's deadline must still have when it is accepted
    submit_margin: int = 15  # ...and when it is submitted (else skipped without paying gas)
    receipt_timeout: float = 120.0  # wait this long for a receipt before reconciling later
    rebroadcast_after: float = 30.0  # resend an open transaction's bytes after this long
    max_attempts: int = 3  # reverted batches before a tip is skipped
    gas_margin: float = 1.25  # gas limit = estimate * margin
    poll_interval: float = 0.05  # receipt polling (seconds)


def _now() -> float:
    return time.time()


class Relayer:
    """Relays fans' signed tips to one deployment's jar from one account."""

    def __init__(self, db: Database, deployment: str, jar, account, config: RelayerConfig | None = None):
        from ape import chain

        db.create(store.metadata)
        self.db = db
        self.deployment = deployment
        self.jar = jar  # an Ape contract instance: builds the transactions
        self.account = account  # an Ape account (test account, or a keystore account set to autosign)
        self.sender = to_checksum_address(str(account.address))
        self.config = config or RelayerConfig()
        self.web3 = chain.provider.web3
        self.reader = ChainReader(self.web3, str(jar.address))
        self.chain_id = self.reader.chain_id
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.wake = threading.Event()
        self._tipped_abi = jar.Tipped.abi
        self._skipped_abi = jar.BatchTipSkipped.abi

    # ================================================================== HTTP side

    def accept(self, body) -> dict:
        """Validate and queue one signed tip; `{"id", "status"}` or `Rejected`."""
        cfg = self.config
        tip = parse_tip_request(body, cfg.max_message_bytes)
        if tip.chain_id != self.chain_id:
            raise Rejected(
                400,
                f"wrong chain id: the tip is for chain {tip.chain_id}, this relayer serves {self.chain_id}",
            )
        if tip.jar != self.reader.jar:
            raise Rejected(
                400, f"wrong jar: the tip is for {tip.jar}, this relayer submits to {self.reader.jar}"
            )
        if tip.amount == 0:
            raise Rejected(400, "tip.amount must be above zero")
        if tip.creator in (ZERO, self.reader.jar):
            raise Rejected(400, f"invalid creator {tip.creator}")
        digest = tip.digest(self.reader.jar_separator())
        signer = tip.signature.recover(digest)
        if signer != tip.fan:
            raise Rejected(400, f"bad signature: it was made by {signer}, not by the fan {tip.fan}")
        tip_id = "0x" + digest.hex()

        existing = self.status(tip_id)
        if existing is not None:  # the same signed tip again (a client retrying): idempotent
            return {"id": tip_id, "status": existing["status"], "duplicate": True}

        r = self.reader
        now_chain, allowed, used, balance, allowance = r.batch(
            r.timestamp_read(),
            r.allowed_read(tip.token),
            r.nonce_used_read(tip.fan, tip.nonce),
            r.balance_read(tip.token, tip.fan),
            r.allowance_read(tip.token, tip.fan),
        )
        if now_chain is None or used is None:
            raise Rejected(503, "the node did not answer; try again shortly", retry_after=5)
        if tip.deadline < now_chain + cfg.min_validity:
            what = "expired" if tip.deadline <= now_chain else "too close"
            raise Rejected(
                400,
                f"deadline {what}: {tip.deadline} (chain time {now_chain}); sign a tip valid for at least "
                f"{cfg.min_validity} s more",
            )
        if not allowed:
            raise Rejected(400, f"token {tip.token} is not allowed in the jar")
        if used:
            raise Rejected(409, f"nonce {tip.nonce} of {tip.fan} is already used on chain (a replay?)")
        if balance is None or allowance is None:
            raise Rejected(
                503, f"could not read {tip.fan}'s balance of {tip.token}; try again shortly", retry_after=5
            )
        permit_nonce = None
        if tip.permit is not None:
            permit_nonce = self._check_permit(tip, now_chain)

        with self.db.write() as conn:
            t = relay_tips.c
            clash = conn.execute(
                sa.select(t.id).where(
                    t.deployment == self.deployment, t.fan == tip.fan, t.nonce == str(tip.nonce)
                )
            ).first()
            if clash is not None:
                raise Rejected(409, f"nonce {tip.nonce} of {tip.fan} is already queued (tip {clash.id})")
            now = _now()
            recent = conn.execute(
                sa.select(sa.func.count()).where(
                    t.deployment == self.deployment, t.fan == tip.fan, t.accepted_at > now - cfg.rate_window
                )
            ).scalar_one()
            if recent >= cfg.fan_rate:
                raise Rejected(
                    429,
                    f"rate limit: {tip.fan} sent {recent} tips in the last {cfg.rate_window:g} s "
                    f"(at most {cfg.fan_rate})",
                    retry_after=int(cfg.rate_window),
                )
            waiting = conn.execute(
                sa.select(sa.func.count()).where(t.deployment == self.deployment, t.status == QUEUED)
            ).scalar_one()
            if waiting >= cfg.max_queue:
                raise Rejected(
                    503, f"relayer busy: {waiting} tips are waiting; try again shortly", retry_after=5
                )
            pending = sum(
                int(a)
                for (a,) in conn.execute(
                    sa.select(t.amount).where(
                        t.deployment == self.deployment,
                        t.fan == tip.fan,
                        t.token == tip.token,
                        t.status.in_((QUEUED, SUBMITTED)),
                    )
                )
            )
            need = pending + tip.amount
            queued_note = f" (with {pending} already queued)" if pending else ""
            if balance < need:
                raise Rejected(422, f"balance too low: {tip.fan} holds {balance}, needs {need}{queued_note}")
            if allowance < need:
                if tip.permit is None:
                    raise Rejected(
                        422,
                        f"allowance too low: the jar may spend {allowance} of {tip.fan}'s tokens, needs "
                        f"{need}{queued_note}; approve the jar or include an EIP-2612 permit",
                    )
                if tip.permit.value < need:
                    raise Rejected(
                        422, f"permit value {tip.permit.value} is below what the queued tips need ({need})"
                    )
            conn.execute(
                relay_tips.insert().values(
                    id=tip_id,
                    deployment=self.deployment,
                    fan=tip.fan,
                    creator=tip.creator,
                    token=tip.token,
                    amount=str(tip.amount),
                    nonce=str(tip.nonce),
                    deadline=str(tip.deadline),
                    expires_at=min(tip.deadline, EXPIRES_CAP),
                    message=tip.message,
                    r="0x" + tip.signature.rs_bytes[0].hex(),
                    vs="0x" + tip.signature.compact()[1].hex(),
                    permit=json.dumps({**tip.permit.to_json(), "nonce": str(permit_nonce)})
                    if tip.permit
                    else None,
                    status=QUEUED,
                    accepted_at=now,
                    updated_at=now,
                    attempts=0,
                )
            )
        self.wake.set()
        return {"id": tip_id, "status": QUEUED}

    def _check_permit(self, tip: SignedTip, now_chain: int) -> int:
        permit = tip.permit
        assert permit is not None
        if permit.deadline < now_chain + self.config.min_validity:
            raise Rejected(
                400, f"permit deadline {permit.deadline} is past or too close (chain time {now_chain})"
            )
        try:
            nonce = self.reader.permit_nonce(tip.token, tip.fan)
            separator = self.reader.token_separator(tip.token)
        except Exception:  # noqa: BLE001 - any failure of the token's view functions
            raise Rejected(400, f"token {tip.token} does not support EIP-2612 permits") from None
        digest = eip712_digest(
            separator, permit_struct_hash(tip.fan, self.reader.jar, permit.value, nonce, permit.deadline)
        )
        signer = permit.signature.recover(digest)
        if signer != tip.fan:
            raise Rejected(
                400,
                f"bad permit signature: it does not sign Permit(owner={tip.fan}, spender={self.reader.jar}, "
                f"value={permit.value}, nonce={nonce}, deadline={permit.deadline})",
            )
        return nonce

    def status(self, tip_id: str) -> dict | None:
        """What became of a tip: queued, submitted (tx), landed (tx, block) or skipped (reason)."""
        if not isinstance(tip_id, str) or len(tip_id) != 66:
            return None
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(relay_tips).where(
                    relay_tips.c.id == tip_id.lower(), relay_tips.c.deployment == self.deployment
                )
            ).first()
        return None if row is None else tip_view(row)

    def next_nonce(self, fan: str) -> int:
        """The lowest tip nonce of `fan` neither used on chain nor held by a tip in the queue."""
        from fairgift.relayer.prepare import free_nonce

        return free_nonce(self, to_checksum_address(fan))

    def stats(self) -> dict:
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(relay_tips.c.status, sa.func.count())
                .where(relay_tips.c.deployment == self.deployment)
                .group_by(relay_tips.c.status)
            ).all()
        counts = {status: 0 for status in (QUEUED, SUBMITTED, LANDED, SKIPPED)}
        counts.update({status: int(n) for status, n in rows})
        return counts

    # ================================================================== batcher

    def run(self, stop: threading.Event) -> None:
        """The batcher loop, until `stop` is set. Errors are logged and retried, never fatal."""
        log.info("relayer %s batching for %s (%s)", self.sender, self.reader.jar, self.holder)
        while not stop.is_set():
            try:
                if not self.acquire_lease():
                    stop.wait(2.0)
                    continue
                self.reconcile()
                if self.step():
                    continue  # there may be more waiting
            except Exception:  # noqa: BLE001 - the batcher must outlive a node hiccup
                log.exception("relayer step failed; retrying")
                stop.wait(1.0)
            self.wake.wait(self._sleep_time())
            self.wake.clear()

    def _sleep_time(self) -> float:
        with self.db.read() as conn:
            oldest = conn.execute(
                sa.select(sa.func.min(relay_tips.c.accepted_at)).where(
                    relay_tips.c.deployment == self.deployment, relay_tips.c.status == QUEUED
                )
            ).scalar()
        if oldest is None:
            return 1.0
        return max(0.01, min(1.0, oldest + self.config.batch_wait - _now()))

    def acquire_lease(self, ttl: float = 30.0) -> bool:
        """One batcher per relayer account and chain: take (or renew) the lease. A lease held by
        a process of this host that no longer exists is taken at once (a crash and restart)."""
        now = _now()
        lease = relay_leases.c
        where = sa.and_(lease.sender == self.sender, lease.chain_id == self.chain_id)
        with self.db.write() as conn:
            row = conn.execute(sa.select(relay_leases).where(where)).first()
            if row is None:
                conn.execute(
                    relay_leases.insert().values(
                        sender=self.sender, chain_id=self.chain_id, holder=self.holder, expires_at=now + ttl
                    )
                )
                return True
            if row.holder == self.holder or row.expires_at < now or _holder_is_dead(row.holder):
                conn.execute(
                    relay_leases.update().where(where).values(holder=self.holder, expires_at=now + ttl)
                )
                return True
        return False

    def release_lease(self) -> None:
        lease = relay_leases.c
        with self.db.write() as conn:
            conn.execute(
                relay_leases.delete().where(
                    lease.sender == self.sender, lease.chain_id == self.chain_id, lease.holder == self.holder
                )
            )

    # ------------------------------------------------------------------ reconciliation

    def open_txs(self) -> list:
        with self.db.read() as conn:
            return conn.execute(
                sa.select(relay_txs)
                .where(
                    relay_txs.c.deployment == self.deployment,
                    relay_txs.c.sender == self.sender,
                    relay_txs.c.status.in_(TX_OPEN),
                )
                .order_by(relay_txs.c.account_nonce)
            ).all()

    def reconcile(self) -> int:
        """Settle every recorded-but-unsettled transaction; returns how many are still open."""
        still_open = 0
        for tx in self.open_txs():
            receipt = self._receipt(tx.tx_hash)
            if receipt is not None:
                self._settle(tx, receipt)
                continue
            mined_nonce = self.web3.eth.get_transaction_count(self.sender, "latest")
            if mined_nonce > tx.account_nonce:
                # Look once more (it may have been mined between the two reads) before calling it dropped.
                receipt = self._receipt(tx.tx_hash)
                if receipt is not None:
                    self._settle(tx, receipt)
                else:
                    self._drop(tx)
                continue
            if tx.status == TX_RECORDED or _now() - tx.updated_at > self.config.rebroadcast_after:
                self._broadcast(tx)
            receipt = self._wait_receipt(tx.tx_hash, self.config.receipt_timeout)
            if receipt is not None:
                self._settle(tx, receipt)
            else:
                still_open += 1
        return still_open

    def _receipt(self, tx_hash: str):
        from web3.exceptions import TransactionNotFound

        try:
            return self.web3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None

    def _wait_receipt(self, tx_hash: str, timeout: float):
        deadline = _now() + timeout
        while True:
            receipt = self._receipt(tx_hash)
            if receipt is not None or _now() >= deadline:
                return receipt
            time.sleep(self.config.poll_interval)

    def _broadcast(self, tx) -> None:
        from web3.exceptions import Web3RPCError

        try:
            self.web3.eth.send_raw_transaction(tx.raw)
        except Web3RPCError as err:
            text = str(err).lower()
            if "already known" not in text and "nonce too low" not in text:
                raise
            # "already known": it is in the pool; "nonce too low": mined or replaced (reconcile decides)
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update()
                .where(relay_txs.c.id == tx.id, relay_txs.c.status.in_(TX_OPEN))
                .values(status=TX_SENT, updated_at=_now())
            )

    def _drop(self, tx) -> None:
        """The account nonce of `tx` went to another transaction: `tx` can never be mined."""
        log.warning(
            "transaction %s (nonce %s) was never mined; its tips go back to the queue",
            tx.tx_hash,
            tx.account_nonce,
        )
        now = _now()
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update().where(relay_txs.c.id == tx.id).values(status=TX_DROPPED, updated_at=now)
            )
            if tx.kind == "batch":
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.batch_id == tx.id, relay_tips.c.status == SUBMITTED)
                    .values(status=QUEUED, batch_id=None, position=None, tx=None, updated_at=now)
                )

    def _settle(self, tx, receipt) -> None:
        """Write the outcome of a mined transaction (idempotent: settling twice writes the same)."""
        now = _now()
        block, gas_used = int(receipt["blockNumber"]), int(receipt["gasUsed"])
        if int(receipt["status"]) != 1:
            with self.db.write() as conn:
                conn.execute(
                    relay_txs.update()
                    .where(relay_txs.c.id == tx.id)
                    .values(status=TX_REVERTED, block=block, gas_used=gas_used, updated_at=now)
                )
                if tx.kind == "batch":
                    self._requeue_after_revert(conn, tx, now)
            log.warning("%s transaction %s reverted in block %s", tx.kind, tx.tx_hash, block)
            return
        outcomes = self._outcomes(tx, receipt) if tx.kind == "batch" else {}
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update()
                .where(relay_txs.c.id == tx.id)
                .values(status=TX_MINED, block=block, gas_used=gas_used, updated_at=now)
            )
            for tip_id, values in outcomes.items():
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.id == tip_id, relay_tips.c.status == SUBMITTED)
                    .values(**values, block=block, updated_at=now)
                )
        faults.point("batch-settled")

    def _outcomes(self, tx, receipt) -> dict[str, dict]:
        """Each item's outcome from the receipt: `BatchTipSkipped(index, …, reason)` for a skip, the
        matching `Tipped` (fan, creator, amount, message) for a landing."""
        from ape import chain

        with self.db.read() as conn:
            items = conn.execute(
                sa.select(relay_tips).where(relay_tips.c.batch_id == tx.id).order_by(relay_tips.c.position)
            ).all()
        jar_logs = [lg for lg in receipt["logs"] if to_checksum_address(lg["address"]) == self.reader.jar]
        decoded = list(
            chain.provider.network.ecosystem.decode_logs(jar_logs, self._tipped_abi, self._skipped_abi)
        )
        skipped = {
            int(ev.index): skip_reason(int(ev.reason)) for ev in decoded if ev.event_name == "BatchTipSkipped"
        }
        landed: dict[tuple, list[int]] = {}
        for ev in decoded:
            if ev.event_name == "Tipped":
                key = (
                    to_checksum_address(ev.fan),
                    to_checksum_address(ev.creator),
                    int(ev.amount),
                    str(ev.message),
                )
                landed.setdefault(key, []).append(int(ev.log_index))
        out = {}
        for item in items:
            if item.position in skipped:
                out[item.id] = {"status": SKIPPED, "reason": f"skipped on chain: {skipped[item.position]}"}
                continue
            key = (item.fan, item.creator, int(item.amount), item.message)
            if landed.get(key):
                out[item.id] = {"status": LANDED, "log_index": landed[key].pop(0), "reason": None}
            else:  # neither landed nor skipped: cannot happen with this jar; never guess "landed"
                out[item.id] = {"status": SKIPPED, "reason": "no outcome in the batch receipt"}
        return out

    def _requeue_after_revert(self, conn, tx, now: float) -> None:
        t = relay_tips.c
        rows = conn.execute(
            sa.select(t.id, t.attempts).where(t.batch_id == tx.id, t.status == SUBMITTED)
        ).all()
        for row in rows:
            attempts = int(row.attempts) + 1
            if attempts >= self.config.max_attempts:
                values = {"status": SKIPPED, "reason": f"batch reverted {attempts} times"}
            else:
                values = {"status": QUEUED, "batch_id": None, "position": None, "tx": None}
            conn.execute(
                relay_tips.update().where(t.id == row.id).values(attempts=attempts, updated_at=now, **values)
            )

    # ------------------------------------------------------------------ building batches

    def step(self) -> bool:
        """Send at most one batch (and the permits it needs); True when it sent one."""
        if self.open_txs():
            return False  # one transaction in flight at a time: nonces stay simple and gap-free
        cfg = self.config
        t = relay_tips.c
        with self.db.read() as conn:
            head = conn.execute(
                sa.select(relay_tips)
                .where(t.deployment == self.deployment, t.status == QUEUED)
                .order_by(t.accepted_at)
                .limit(1)
            ).first()
            if head is None:
                return False
            rows = conn.execute(
                sa.select(relay_tips)
                .where(t.deployment == self.deployment, t.status == QUEUED, t.token == head.token)
                .order_by(t.accepted_at)
                .limit(cfg.batch_size)
            ).all()
        if len(rows) < cfg.batch_size and _now() - head.accepted_at < cfg.batch_wait:
            return False
        ready = self._precheck(rows)
        if not ready:
            return True
        permit_row = self._permit_needed(ready)
        if permit_row is not None:
            self._send_permit(permit_row)
            return True
        self._send_batch(head.token, ready)
        return True

    def _precheck(self, rows) -> list:
        """Skip (without paying gas) what would obviously be skipped on chain; the rest, in order.
        Every read for the batch goes to the node in one JSON-RPC batch."""
        token = rows[0].token
        r = self.reader
        fans = list(dict.fromkeys(row.fan for row in rows))
        values = r.batch(
            r.timestamp_read(),
            r.allowed_read(token),
            *[r.nonce_used_read(row.fan, int(row.nonce)) for row in rows],
            *[r.balance_read(token, fan) for fan in fans],
            *[r.allowance_read(token, fan) for fan in fans],
        )
        now_chain, allowed = values[0], values[1]
        used = dict(zip((row.id for row in rows), values[2 : 2 + len(rows)], strict=True))
        balances = dict(zip(fans, values[2 + len(rows) : 2 + len(rows) + len(fans)], strict=True))
        allowances = dict(zip(fans, values[2 + len(rows) + len(fans) :], strict=True))
        if now_chain is None or None in used.values():
            raise RuntimeError("the node did not answer the pre-check reads")
        skips: dict[str, str] = {}
        ready = []
        if not allowed:
            skips = {row.id: f"token {token} is no longer allowed in the jar" for row in rows}
        else:
            need: dict[str, int] = {}
            for row in rows:
                if int(row.deadline) < now_chain + self.config.submit_margin:
                    skips[row.id] = "expired before it could be submitted"
                    continue
                if used[row.id]:
                    skips[row.id] = "nonce already used on chain (the fan used or cancelled it)"
                    continue
                balance, allowance = balances[row.fan] or 0, allowances[row.fan] or 0
                total = need.get(row.fan, 0) + int(row.amount)
                if balance < total:
                    skips[row.id] = f"balance too low at submission ({balance} < {total})"
                    continue
                if allowance < total and not self._usable_permit(row, total):
                    skips[row.id] = f"allowance too low at submission ({allowance} < {total})"
                    continue
                need[row.fan] = total
                ready.append(row)
        if skips:
            now = _now()
            with self.db.write() as conn:
                for tip_id, reason in skips.items():
                    conn.execute(
                        relay_tips.update()
                        .where(relay_tips.c.id == tip_id, relay_tips.c.status == QUEUED)
                        .values(status=SKIPPED, reason=reason, updated_at=now)
                    )
            log.info("skipped %d tips before submission", len(skips))
        return ready

    def _usable_permit(self, row, total: int) -> bool:
        if not row.permit:
            return False
        permit = json.loads(row.permit)
        if (
            int(permit["value"]) < total
            or int(permit["deadline"]) < self.reader.timestamp() + self.config.submit_margin
        ):
            return False
        return int(permit["nonce"]) == self.reader.permit_nonce(row.token, row.fan)

    def _permit_needed(self, ready) -> object | None:
        """The first tip whose fan's allowance does not cover the fan's tips in this batch."""
        need: dict[str, int] = {}
        for row in ready:
            need[row.fan] = need.get(row.fan, 0) + int(row.amount)
        for row in ready:
            if row.permit and self.reader.allowance(row.token, row.fan) < need[row.fan]:
                return row
        return None

    def _send_permit(self, row) -> None:
        from ape import Contract

        p = Permit.from_json(json.loads(row.permit))
        r, s = p.signature.rs_bytes
        token = Contract(row.token, abi=[PERMIT_ABI])
        args = (row.fan, self.reader.jar, p.value, p.deadline, p.signature.v, r, s)
        try:
            self._record_and_send("permit", row.token, token.permit, args, items=[], tip_id=row.id)
        except WouldRevert as err:  # the permit is stale or was front-run: rely on the allowance
            log.info("permit for tip %s would revert (%s); relying on the allowance", row.id, err)
            with self.db.write() as conn:
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.id == row.id)
                    .values(permit=None, updated_at=_now())
                )

    def _send_batch(self, token: str, rows) -> None:
        # Adjacent items to the same creator: lets the jar write a creator's credit once per run.
        rows = sorted(rows, key=lambda r: (r.creator, r.accepted_at))
        tips, messages = batch_args(
            [_signed_from_row(row, self.chain_id, self.reader.jar).batch_item() for row in rows]
        )
        try:
            self._record_and_send("batch", token, self.jar.tipBatch, (token, tips, messages), items=rows)
        except WouldRevert as err:  # the whole batch would revert: do not pay for it
            log.error("tipBatch of %d tips would revert: %s", len(rows), err)
            now = _now()
            with self.db.write() as conn:
                for row in rows:
                    attempts = int(row.attempts) + 1
                    values = (
                        {"status": SKIPPED, "reason": f"the batch would revert: {str(err)[:200]}"}
                        if attempts >= self.config.max_attempts
                        else {}
                    )
                    conn.execute(
                        relay_tips.update()
                        .where(relay_tips.c.id == row.id)
                        .values(attempts=attempts, updated_at=now, **values)
                    )

    def _record_and_send(self, kind: str, token: str, method, args, items, tip_id: str | None = None) -> None:
        data = method.encode_input(*args)
        try:
            estimate = self.web3.eth.estimate_gas(
                {"from": self.sender, "to": str(method.contract.address), "data": _hex(data)}
            )
        except Exception as err:  # noqa: BLE001 - web3 raises several kinds for a revert
            raise WouldRevert(str(err)[:300]) from err
        nonce = self.web3.eth.get_transaction_count(self.sender, "pending")
        txn = method.as_transaction(
            *args, sender=self.account, nonce=nonce, gas_limit=int(estimate * self.config.gas_margin) + 1
        )
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise RuntimeError(f"relayer account {self.sender} declined to sign")
        raw = "0x" + bytes(signed.serialize_transaction()).hex()
        tx_hash = "0x" + bytes(signed.txn_hash).hex()
        now = _now()
        with self.db.write() as conn:
            tx_id = conn.execute(
                relay_txs.insert().values(
                    deployment=self.deployment,
                    kind=kind,
                    token=token,
                    sender=self.sender,
                    account_nonce=nonce,
                    tx_hash=tx_hash,
                    raw=raw,
                    status=TX_RECORDED,
                    items=len(items),
                    tip_id=tip_id,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            for position, row in enumerate(items):
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.id == row.id, relay_tips.c.status == QUEUED)
                    .values(status=SUBMITTED, batch_id=tx_id, position=position, tx=tx_hash, updated_at=now)
                )
        faults.point(f"{kind}-recorded")
        with self.db.read() as conn:
            tx = conn.execute(sa.select(relay_txs).where(relay_txs.c.id == tx_id)).one()
        self._broadcast(tx)
        faults.point(f"{kind}-sent")
        receipt = self._wait_receipt(tx_hash, self.config.receipt_timeout)
        faults.point(f"{kind}-mined")
        if receipt is not None:
            self._settle(tx, receipt)
        log.info("%s %s: %d items, nonce %d", kind, tx_hash, len(items), nonce)


class WouldRevert(Exception):
    """`eth_estimateGas` says the transaction would revert: it is not sent."""


PERMIT_ABI = {
    "type": "function",
    "name": "permit",
    "stateMutability": "nonpayable",
    "inputs": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
        {"name": "v", "type": "uint8"},
        {"name": "r", "type": "bytes32"},
        {"name": "s", "type": "bytes32"},
    ],
    "outputs": [],
}


def _signed_from_row(row, chain_id: int, jar: str) -> SignedTip:
    from fairgift.relayer.tips import Signature

    r = int(row.r, 16)
    vs = int(row.vs, 16)
    return SignedTip(
        chain_id=chain_id,
        jar=jar,
        fan=row.fan,
        creator=row.creator,
        token=row.token,
        amount=int(row.amount),
        message=row.message,
        nonce=int(row.nonce),
        deadline=int(row.deadline),
        signature=Signature(27 + (vs >> 255), r, vs & ((1 << 255) - 1)),
    )


def _hex(data) -> str:
    return data if isinstance(data, str) else "0x" + bytes(data).hex()


def _holder_is_dead(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def tip_view(row) -> dict:
    """The public JSON view of a queued tip (`GET /api/tips/{id}`)."""
    view = {
        "id": row.id,
        "status": row.status,
        "fan": row.fan,
        "creator": row.creator,
        "token": row.token,
        "amount": row.amount,
        "nonce": row.nonce,
        "message": row.message,
        "acceptedAt": row.accepted_at,
    }
    if row.status in (SUBMITTED, LANDED):
        view["tx"] = row.tx
    if row.status == LANDED:
        view["block"] = row.block
        view["logIndex"] = row.log_index
    if row.status == SKIPPED:
        view["reason"] = row.reason
        if row.tx:
            view["tx"] = row.tx
    return view
