"""The relayer's durable queue, in the services' database.

`relay_tips`: one row per accepted tip, keyed by its EIP-712 digest (what the fan signed), unique
per (deployment, fan, nonce). Its life: `queued` -> `submitted` (in a recorded batch transaction)
-> `landed` (block, log index) or `skipped` (reason). A tip goes back from `submitted` to `queued`
only when its transaction provably never made it into the chain (see `fairgift.relayer.batcher`).

`relay_txs`: every transaction the relayer signs, recorded with its raw bytes and hash *before* it
is broadcast, so that after a crash the relayer finds it again (on chain, or to rebroadcast the
very same bytes) instead of paying a second time.

`relay_leases`: one batcher per relayer account at a time (several `serve` processes may share a
database; only the lease holder signs).

`RelayStore` holds every query and write of these tables (the intake, the batcher, the
reconciliation and the lease ask it; none of them writes SQL of its own).
"""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from fairgift.relayer.group_commit import GroupCommit
from fairgift.relayer.policy import fair_pick
from fairgift.relayer.tables import (  # noqa: F401 - the tables and statuses, as the store's callers know them
    EXPIRES_CAP,
    LANDED,
    ONCHAIN_SKIP,
    QUEUED,
    SCHEMA,
    SKIPPED,
    SUBMITTED,
    TIP_STATUSES,
    TX_DROPPED,
    TX_MINED,
    TX_OPEN,
    TX_RECORDED,
    TX_REVERTED,
    TX_SENT,
    metadata,
    relay_leases,
    relay_tips,
    relay_txs,
)


def now() -> float:
    """The relayer's clock for its rows (accepted, updated, leases): wall-clock seconds."""
    return time.time()


class LeaseLost(Exception):
    """This process no longer holds the relayer account's lease: it must not record (or send)."""


class NonceTaken(Exception):
    """Another tip of the fan took this nonce in the queue while this one was being queued."""

    def __init__(self, fan: str, nonce: int):
        super().__init__(f"nonce {nonce} of {fan} is already queued")
        self.fan, self.nonce = fan, nonce


class RelayStore:
    """Every read and write of the relayer's tables, for one deployment. A method taking `conn`
    runs inside the caller's transaction (`db.write()`: the intake's checks and its insert are one
    transaction); the others open their own."""

    def __init__(self, db, deployment: str):
        self.db = db
        self.deployment = deployment
        self.group = GroupCommit(db)  # the intake's writes: concurrent requests share a commit
        db.create(SCHEMA)
        # The intake's statements, built once: building a statement and its cache key costs more
        # Python than running it, and every accepted tip runs six of them.
        t, arg = relay_tips.c, sa.bindparam
        mine, fans = t.deployment == deployment, sa.and_(t.deployment == deployment, t.fan == arg("fan"))
        self._tip = sa.select(relay_tips).where(t.id == arg("id"), mine)
        self._nonce_holder = sa.select(t.id, t.status).where(fans, t.nonce == arg("nonce"))
        self._accepted_since = sa.select(sa.func.count()).where(fans, t.accepted_at > arg("since"))
        self._last_onchain_skip = sa.select(sa.func.max(t.updated_at)).where(
            fans, t.status == SKIPPED, t.reason.like(ONCHAIN_SKIP + "%"), t.updated_at > arg("since")
        )
        self._queued_count = sa.select(sa.func.count()).where(mine, t.status == QUEUED)
        self._pending = sa.select(t.amount).where(
            fans, t.token == arg("token"), t.status.in_((QUEUED, SUBMITTED))
        )
        self._insert = relay_tips.insert()

    # ------------------------------------------------------------------ tips: the intake

    def tip(self, tip_id: str):
        """The row of tip `tip_id` (its EIP-712 digest, any case) in this deployment, or None."""
        with self.db.read() as conn:
            return conn.execute(self._tip, {"id": tip_id.lower()}).first()

    def nonce_holder(self, conn, fan: str, nonce: int):
        """The tip (`id`, `status`) holding `fan`'s `nonce` in the queue (any status), or None."""
        return conn.execute(self._nonce_holder, {"fan": fan, "nonce": str(nonce)}).first()

    def queue_tip(self, tip_id: str, tip, permit: str | None, check) -> str | None:
        """Queue `tip` (a `SignedTip`) as `tip_id` in one write transaction (shared with the
        requests arriving at the same time: `GroupCommit`, each in its own savepoint), after
        `check(conn, holder)` (the checks that need the queue; `holder`: the tip holding its
        nonce, or None) has passed; returns once it is committed. None when queued; the status of
        the very same tip when it is there already (posted twice at once: its twin committed
        first), which the caller answers as a retry. `NonceTaken` when another tip took the nonce
        in the meantime."""

        def write(conn):
            holder = self.nonce_holder(conn, tip.fan, tip.nonce)
            if holder is not None and holder.id == tip_id:  # its twin, queued since the caller looked
                return holder.status
            check(conn, holder)
            self.insert_tip(conn, tip_id, tip, permit, now())
            return None

        try:
            # committed (with the tips of the requests arriving with it) before this returns
            return self.group.run(write)
        except sa.exc.IntegrityError:
            # the unique keys caught a twin committed between the read above and the insert
            twin = self.tip(tip_id)
            if twin is None:
                raise NonceTaken(tip.fan, tip.nonce) from None
            return twin.status

    def taken_nonces(self, fan: str) -> set[int]:
        """Every tip nonce of `fan` held by a tip in the queue (any status)."""
        t = relay_tips.c
        with self.db.read() as conn:
            return {
                int(n)
                for (n,) in conn.execute(
                    sa.select(t.nonce).where(t.deployment == self.deployment, t.fan == fan)
                )
            }

    def accepted_since(self, conn, fan: str, since: float) -> int:
        """How many tips of `fan` were accepted after `since` (the fan's rate)."""
        return conn.execute(self._accepted_since, {"fan": fan, "since": since}).scalar_one()

    def last_onchain_skip(self, conn, fan: str, since: float) -> float | None:
        """When `fan`'s latest tip skipped *on chain* (after `since`) was settled, or None: such a
        skip cost the relayer gas (the fan moved, revoked or cancelled in front of the batch)."""
        return conn.execute(self._last_onchain_skip, {"fan": fan, "since": since}).scalar()

    def last_sponsored_permit(self, conn, fan: str, since: float) -> float | None:
        """When the relayer last sent a permit transaction for `fan` (after `since`), or None."""
        t, x = relay_tips.c, relay_txs.c
        return conn.execute(
            sa.select(sa.func.max(x.created_at))
            .select_from(relay_txs.join(relay_tips, relay_tips.c.id == relay_txs.c.tip_id))
            .where(
                x.deployment == self.deployment,
                x.kind == "permit",
                t.fan == fan,
                x.created_at > since,
                x.status.in_((TX_RECORDED, TX_SENT, TX_MINED, TX_REVERTED)),
            )
        ).scalar()

    def queued_count(self, conn) -> int:
        return conn.execute(self._queued_count).scalar_one()

    def pending_amount(self, fan: str, token: str, conn=None) -> int:
        """What `fan`'s tips in `token` that are queued or submitted will take: what the fan's
        balance and the jar's allowance must cover on top of a new tip."""
        args = {"fan": fan, "token": token}
        if conn is not None:
            return sum(int(a) for (a,) in conn.execute(self._pending, args))
        with self.db.read() as own:
            return sum(int(a) for (a,) in own.execute(self._pending, args))

    def insert_tip(self, conn, tip_id: str, tip, permit: str | None, at: float) -> None:
        """Queue `tip` (a `SignedTip`) as `tip_id`; `permit`: its permit as stored (JSON) or None."""
        conn.execute(
            self._insert,
            dict(
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
                permit=permit,
                status=QUEUED,
                accepted_at=at,
                updated_at=at,
                attempts=0,
            ),
        )

    def counts(self) -> dict:
        """How many of this deployment's tips are in each status."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(relay_tips.c.status, sa.func.count())
                .where(relay_tips.c.deployment == self.deployment)
                .group_by(relay_tips.c.status)
            ).all()
        counts = {status: 0 for status in TIP_STATUSES}
        counts.update({status: int(n) for status, n in rows})
        return counts

    # ------------------------------------------------------------------ tips: the batcher

    def oldest_queued(self) -> float | None:
        """When the longest-waiting queued tip was accepted (None: nothing waits)."""
        with self.db.read() as conn:
            return conn.execute(
                sa.select(sa.func.min(relay_tips.c.accepted_at)).where(
                    relay_tips.c.deployment == self.deployment, relay_tips.c.status == QUEUED
                )
            ).scalar()

    def next_batch(self, limit: int, per_fan: int = 1) -> list:
        """The next batch: queued tips in the oldest queued tip's token (a batch is in one token),
        picked fairly (`policy.fair_pick`: round-robin by creator, at most `per_fan` of one fan)
        among the oldest `limit * 20`, oldest first."""
        t = relay_tips.c
        with self.db.read() as conn:
            head = conn.execute(
                sa.select(relay_tips)
                .where(t.deployment == self.deployment, t.status == QUEUED)
                .order_by(t.accepted_at)
                .limit(1)
            ).first()
            if head is None:
                return []
            window = conn.execute(
                sa.select(relay_tips)
                .where(t.deployment == self.deployment, t.status == QUEUED, t.token == head.token)
                .order_by(t.accepted_at)
                .limit(limit * 20)
            ).all()
        return fair_pick(window, limit, per_fan)

    def queued_permits(self, token: str, fans) -> list:
        """The queued tips in `token` of `fans` that carry a permit (the batcher submits the one
        covering all of a fan's queued tips, whichever batch that tip is in)."""
        t = relay_tips.c
        with self.db.read() as conn:
            return conn.execute(
                sa.select(relay_tips).where(
                    t.deployment == self.deployment,
                    t.status == QUEUED,
                    t.token == token,
                    t.fan.in_(list(fans)),
                    t.permit.is_not(None),
                )
            ).all()

    def skip_queued(self, reasons: dict[str, str]) -> None:
        """Skip the queued tips `reasons` names (tip id -> reason), in one transaction."""
        at = now()
        with self.db.write() as conn:
            for tip_id, reason in reasons.items():
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.id == tip_id, relay_tips.c.status == QUEUED)
                    .values(status=SKIPPED, reason=reason, updated_at=at)
                )

    def drop_permit(self, tip_id: str) -> None:
        """Forget a tip's permit (stale or front-run: the tip relies on the allowance)."""
        with self.db.write() as conn:
            conn.execute(
                relay_tips.update().where(relay_tips.c.id == tip_id).values(permit=None, updated_at=now())
            )

    def count_failed_attempt(self, rows, max_attempts: int, reason: str) -> None:
        """One more failed attempt for each tip of `rows`; those at `max_attempts` are skipped
        with `reason`."""
        at = now()
        with self.db.write() as conn:
            for row in rows:
                attempts = int(row.attempts) + 1
                values = {"status": SKIPPED, "reason": reason} if attempts >= max_attempts else {}
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.id == row.id)
                    .values(attempts=attempts, updated_at=at, **values)
                )

    # ------------------------------------------------------------------ transactions

    def open_txs(self, sender: str) -> list:
        """`sender`'s recorded or sent transactions, in account-nonce order."""
        with self.db.read() as conn:
            return conn.execute(
                sa.select(relay_txs)
                .where(
                    relay_txs.c.deployment == self.deployment,
                    relay_txs.c.sender == sender,
                    relay_txs.c.status.in_(TX_OPEN),
                )
                .order_by(relay_txs.c.account_nonce)
            ).all()

    def record_tx(self, *, kind, token, sender, account_nonce, tx_hash, raw, items, tip_id=None, fence=None):
        """Record a signed transaction (before it is broadcast) and mark the queued tips it
        carries (`items`, in batch order) submitted in it, in one transaction; its row.
        `fence`: the lease it is signed under, checked in that same transaction (`LeaseLost`)."""
        at = now()
        with self.db.write() as conn:
            self._check_fence(conn, fence)
            tx_id = conn.execute(
                relay_txs.insert().values(
                    deployment=self.deployment,
                    kind=kind,
                    token=token,
                    sender=sender,
                    account_nonce=account_nonce,
                    tx_hash=tx_hash,
                    raw=raw,
                    status=TX_RECORDED,
                    items=len(items),
                    tip_id=tip_id,
                    created_at=at,
                    updated_at=at,
                )
            ).inserted_primary_key[0]
            if items:  # one statement for the batch's items (executemany)
                t, arg = relay_tips.c, sa.bindparam
                conn.execute(
                    relay_tips.update()
                    .where(t.id == arg("tip_id"), t.status == QUEUED)
                    .values(
                        status=SUBMITTED,
                        batch_id=tx_id,
                        position=arg("at_position"),
                        tx=tx_hash,
                        updated_at=at,
                    ),
                    [{"tip_id": row.id, "at_position": position} for position, row in enumerate(items)],
                )
        return tx_id

    def tx(self, tx_id: int):
        with self.db.read() as conn:
            return conn.execute(sa.select(relay_txs).where(relay_txs.c.id == tx_id)).one()

    def mark_sent(self, tx_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update()
                .where(relay_txs.c.id == tx_id, relay_txs.c.status.in_(TX_OPEN))
                .values(status=TX_SENT, updated_at=now())
            )

    def mark_dropped(self, tx) -> None:
        """`tx` can never be mined: dropped, and the tips it carried queued again."""
        at = now()
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update().where(relay_txs.c.id == tx.id).values(status=TX_DROPPED, updated_at=at)
            )
            if tx.kind == "batch":
                conn.execute(
                    relay_tips.update()
                    .where(relay_tips.c.batch_id == tx.id, relay_tips.c.status == SUBMITTED)
                    .values(status=QUEUED, batch_id=None, position=None, tx=None, updated_at=at)
                )

    def mark_reverted(self, tx, block: int, gas_used: int, max_attempts: int) -> None:
        """`tx` reverted: its tips queued again, or skipped after `max_attempts` reverted batches."""
        at = now()
        t = relay_tips.c
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update()
                .where(relay_txs.c.id == tx.id)
                .values(status=TX_REVERTED, block=block, gas_used=gas_used, updated_at=at)
            )
            if tx.kind != "batch":
                return
            rows = conn.execute(
                sa.select(t.id, t.attempts).where(t.batch_id == tx.id, t.status == SUBMITTED)
            ).all()
            for row in rows:
                attempts = int(row.attempts) + 1
                if attempts >= max_attempts:
                    values = {"status": SKIPPED, "reason": f"batch reverted {attempts} times"}
                else:
                    values = {"status": QUEUED, "batch_id": None, "position": None, "tx": None}
                conn.execute(
                    relay_tips.update()
                    .where(t.id == row.id)
                    .values(attempts=attempts, updated_at=at, **values)
                )

    def batch_items(self, tx_id: int) -> list:
        """The tips a batch transaction carries, in batch order."""
        with self.db.read() as conn:
            return conn.execute(
                sa.select(relay_tips).where(relay_tips.c.batch_id == tx_id).order_by(relay_tips.c.position)
            ).all()

    def mark_mined(self, tx, block: int, gas_used: int, outcomes: dict[str, dict], mined_hash=None) -> None:
        """`tx` was mined (as `mined_hash`: its current version or an earlier one it replaced):
        each submitted tip's outcome (tip id -> status, reason, log index)."""
        at = now()
        mined_hash = mined_hash or tx.tx_hash
        with self.db.write() as conn:
            conn.execute(
                relay_txs.update()
                .where(relay_txs.c.id == tx.id)
                .values(status=TX_MINED, block=block, gas_used=gas_used, tx_hash=mined_hash, updated_at=at)
            )
            if outcomes:  # one statement for every item's outcome (executemany)
                t, arg = relay_tips.c, sa.bindparam
                conn.execute(
                    relay_tips.update()
                    .where(t.id == arg("tip_id"), t.status == SUBMITTED)
                    .values(
                        status=arg("new_status"),
                        reason=arg("new_reason"),
                        log_index=arg("new_log_index"),
                        block=block,
                        tx=mined_hash,
                        updated_at=at,
                    ),
                    [
                        {
                            "tip_id": tip_id,
                            "new_status": values["status"],
                            "new_reason": values.get("reason"),
                            "new_log_index": values.get("log_index"),
                        }
                        for tip_id, values in outcomes.items()
                    ],
                )

    def record_replacement(self, tx, raw: str, tx_hash: str, earlier: list[str], fence=None) -> None:
        """Record `tx`'s replacement (same account nonce, higher fees) before it is broadcast: its
        bytes and hash become the row's, the hashes before it go to `replaced` (any version may
        still be mined: the reconciliation looks for each), its tips point at the new hash."""
        at = now()
        with self.db.write() as conn:
            self._check_fence(conn, fence)
            conn.execute(
                relay_txs.update()
                .where(relay_txs.c.id == tx.id, relay_txs.c.status.in_(TX_OPEN))
                .values(
                    raw=raw,
                    tx_hash=tx_hash,
                    replaced=json.dumps(earlier),
                    status=TX_RECORDED,
                    created_at=at,
                    updated_at=at,
                )
            )
            conn.execute(
                relay_tips.update()
                .where(relay_tips.c.batch_id == tx.id, relay_tips.c.status == SUBMITTED)
                .values(tx=tx_hash, updated_at=at)
            )

    # ------------------------------------------------------------------ leases

    def take_lease(self, sender: str, chain_id: int, holder: str, ttl: float, may_take) -> int | None:
        """Take or renew the lease of (`sender`, `chain_id`) for `holder`, by compare-and-set: when
        it is `holder`'s or expired (an UPDATE whose WHERE says so: on PostgreSQL a second writer
        waits for the row and re-checks the WHERE, so two can never both take it), when there is
        none (an INSERT meeting the primary key), or when `may_take(current holder)` says so (an
        UPDATE of that very holder and fence). Its fence (raised at each change of holder), or
        None when another holds it."""
        at = now()
        lease = relay_leases.c
        where = sa.and_(lease.sender == sender, lease.chain_id == chain_id)
        with self.db.write() as conn:
            taken = conn.execute(
                relay_leases.update()
                .where(where, sa.or_(lease.holder == holder, lease.expires_at < at))
                .values(
                    holder=holder,
                    expires_at=at + ttl,
                    fence=sa.case((lease.holder == holder, lease.fence), else_=lease.fence + 1),
                )
            )
            if taken.rowcount == 1:
                return conn.execute(sa.select(lease.fence).where(where)).scalar_one()
            row = conn.execute(sa.select(relay_leases).where(where)).first()
            if row is None:
                try:
                    with conn.begin_nested():  # two first takers: the second insert fails
                        conn.execute(
                            relay_leases.insert().values(
                                sender=sender, chain_id=chain_id, holder=holder, expires_at=at + ttl, fence=1
                            )
                        )
                except sa.exc.IntegrityError:
                    return None
                return 1
            if may_take(row.holder):
                taken = conn.execute(
                    relay_leases.update()
                    .where(where, lease.holder == row.holder, lease.fence == row.fence)
                    .values(holder=holder, expires_at=at + ttl, fence=row.fence + 1)
                )
                if taken.rowcount == 1:
                    return row.fence + 1
        return None

    def _check_fence(self, conn, fence) -> None:
        """In the caller's transaction: `fence` (sender, chain id, holder, fence number) still
        holds the lease, unexpired; else `LeaseLost` (the transaction is rolled back)."""
        if fence is None:
            return
        sender, chain_id, holder, number = fence
        lease = relay_leases.c
        held = conn.execute(
            sa.select(sa.func.count()).where(
                lease.sender == sender,
                lease.chain_id == chain_id,
                lease.holder == holder,
                lease.fence == number,
                lease.expires_at >= now(),
            )
        ).scalar_one()
        if not held:
            raise LeaseLost(f"the lease of {sender} is no longer {holder}'s (fence {number})")

    def release_lease(self, sender: str, chain_id: int, holder: str) -> None:
        lease = relay_leases.c
        with self.db.write() as conn:
            conn.execute(
                relay_leases.delete().where(
                    lease.sender == sender, lease.chain_id == chain_id, lease.holder == holder
                )
            )


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
