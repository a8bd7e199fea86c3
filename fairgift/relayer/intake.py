"""The intake: one signed tip checked and queued, or refused with a reason.

`Intake.accept(body)` checks everything it can before queuing: the tip's rules (`check_tip`), the
chain and the jar it was signed for, the EIP-712 signature, the deadline, the nonce (unused on
chain and in the queue), the token (allowed in the jar), the fan's balance and allowance (or
permit) against this tip and the fan's tips already queued, the fan's rate and the queue's size.
It stores the tip, or raises `Rejected(status, reason)`. The queue checks and the insert are one
write transaction, so two requests racing for one nonce or one balance cannot both pass.
"""

from __future__ import annotations

import json
import threading

from fairgift import eip712
from fairgift.relayer.policy import check_minimum, units
from fairgift.relayer.signed_tip import Rejected, SignedTip, check_tip, parse_tip_request, signer_of
from fairgift.relayer.store import QUEUED, NonceTaken, now, tip_view


class Intake:
    """Accepts fans' signed tips for one deployment's jar into the queue (`store`)."""

    def __init__(self, store, reader, config, wake: threading.Event):
        self.store = store
        self.reader = reader  # relayer.reads.ChainReader
        self.config = config
        self.wake = wake  # set when a tip is queued: the batcher looks at once

    def status(self, tip_id: str) -> dict | None:
        """What became of a tip: queued, submitted (tx), landed (tx, block) or skipped (reason)."""
        if not isinstance(tip_id, str) or len(tip_id) != 66:
            return None
        row = self.store.tip(tip_id)
        return None if row is None else tip_view(row)

    def accept(self, body) -> dict:
        """Validate and queue one signed tip; `{"id", "status"}` or `Rejected`."""
        cfg = self.config
        r = self.reader
        tip = parse_tip_request(body)
        check_tip(
            creator=tip.creator,
            amount=tip.amount,
            message=tip.message,
            jar=r.jar,
            max_message_bytes=cfg.max_message_bytes,
            prefix="tip.",
        )
        if tip.chain_id != r.chain_id:
            raise Rejected(
                400,
                f"wrong chain id: the tip is for chain {tip.chain_id}, this relayer serves {r.chain_id}",
            )
        if tip.jar != r.jar:
            raise Rejected(400, f"wrong jar: the tip is for {tip.jar}, this relayer submits to {r.jar}")
        digest = tip.digest(r.jar_separator())
        signer = signer_of(tip.signature, digest)
        if signer != tip.fan:
            raise Rejected(400, f"bad signature: it was made by {signer}, not by the fan {tip.fan}")
        tip_id = "0x" + digest.hex()

        existing = self.status(tip_id)
        if existing is not None:  # the same signed tip again (a client retrying): idempotent
            return {"id": tip_id, "status": existing["status"], "duplicate": True}

        now_chain, allowed, used, balance, allowance = r.batch_together(
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
        check_minimum(cfg, tip.amount, r.decimals(tip.token), prefix="tip.")
        if used:
            raise Rejected(409, f"nonce {tip.nonce} of {tip.fan} is already used on chain (a replay?)")
        if balance is None or allowance is None:
            raise Rejected(
                503, f"could not read {tip.fan}'s balance of {tip.token}; try again shortly", retry_after=5
            )
        permit_nonce = None
        if tip.permit is not None:
            permit_nonce = self._check_permit(tip, now_chain)

        permit = json.dumps({**tip.permit.to_json(), "nonce": str(permit_nonce)}) if tip.permit else None

        def check(conn, holder):
            self._check_queue(conn, tip, holder, balance, allowance)

        try:
            twin = self.store.queue_tip(tip_id, tip, permit, check)
        except NonceTaken as err:
            raise Rejected(409, str(err)) from None
        if twin is not None:  # the same tip posted twice at once: answered as the retry it is
            return {"id": tip_id, "status": twin, "duplicate": True}
        self.wake.set()
        return {"id": tip_id, "status": QUEUED}

    def _check_queue(self, conn, tip: SignedTip, holder, balance: int, allowance: int) -> None:
        """The checks against the queue, in the write transaction that queues the tip: the nonce
        not held by another tip (`holder`), the fan's rate, the queue's size, and the balance and
        allowance (or permit) covering this tip with the fan's tips queued before it."""
        cfg, store = self.config, self.store
        if holder is not None:
            raise Rejected(409, f"nonce {tip.nonce} of {tip.fan} is already queued (tip {holder.id})")
        recent = store.accepted_since(conn, tip.fan, now() - cfg.rate_window)
        if recent >= cfg.fan_rate:
            raise Rejected(
                429,
                f"rate limit: {tip.fan} sent {recent} tips in the last {cfg.rate_window:g} s "
                f"(at most {cfg.fan_rate})",
                retry_after=int(cfg.rate_window),
            )
        at = now()
        skipped_at = store.last_onchain_skip(conn, tip.fan, at - cfg.penalty_seconds)
        if skipped_at is not None:
            wait = int(skipped_at + cfg.penalty_seconds - at) + 1
            raise Rejected(
                429,
                f"{tip.fan} is refused for {cfg.penalty_seconds:g} s after a tip of it was skipped on "
                f"chain (its balance, allowance or nonce changed after acceptance); retry in {wait} s",
                retry_after=wait,
            )
        waiting = store.queued_count(conn)
        if waiting >= cfg.max_queue:
            raise Rejected(503, f"relayer busy: {waiting} tips are waiting; try again shortly", retry_after=5)
        pending = store.pending_amount(tip.fan, tip.token, conn)
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
            self._check_sponsorship(conn, tip, need)

    def _check_sponsorship(self, conn, tip: SignedTip, need: int) -> None:
        """A permit costs the relayer a transaction: sponsored only for a fan whose queued tips
        reach `permit_min`, once per `permit_every` seconds."""
        cfg = self.config
        minimum = units(cfg.permit_min, self.reader.decimals(tip.token))
        if need < minimum:
            raise Rejected(
                422,
                f"a permit is sponsored for queued tips of at least {minimum} ({cfg.permit_min} of the "
                f"token; the relayer pays about {cfg.gas_per_permit:,} gas for it): {tip.fan} queues "
                f"{need}; approve the jar, or tip more",
            )
        at = now()
        last = self.store.last_sponsored_permit(conn, tip.fan, at - cfg.permit_every)
        if last is not None:
            wait = int(last + cfg.permit_every - at) + 1
            raise Rejected(
                429,
                f"one sponsored permit per fan per {cfg.permit_every:g} s: {tip.fan} had one; "
                f"approve the jar, or retry in {wait} s",
                retry_after=wait,
            )

    def _check_permit(self, tip: SignedTip, now_chain: int) -> int:
        """The tip's EIP-2612 permit: its deadline, and its signature by the fan over the token's
        current permit nonce; that nonce (stored with the tip, to see later whether it is spent)."""
        permit = tip.permit
        assert permit is not None
        r = self.reader
        if permit.deadline < now_chain + self.config.min_validity:
            raise Rejected(
                400, f"permit deadline {permit.deadline} is past or too close (chain time {now_chain})"
            )
        try:
            nonce = r.permit_nonce(tip.token, tip.fan)
            separator = r.token_separator(tip.token)
        except Exception:  # noqa: BLE001 - any failure of the token's view functions
            raise Rejected(400, f"token {tip.token} does not support EIP-2612 permits") from None
        digest = eip712.digest(
            separator, eip712.permit_struct_hash(tip.fan, r.jar, permit.value, nonce, permit.deadline)
        )
        signer = signer_of(permit.signature, digest)
        if signer != tip.fan:
            raise Rejected(
                400,
                f"bad permit signature: it does not sign Permit(owner={tip.fan}, spender={r.jar}, "
                f"value={permit.value}, nonce={nonce}, deadline={permit.deadline})",
            )
        return nonce
