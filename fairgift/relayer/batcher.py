"""The batcher: queued tips out in `tipBatch` transactions.

When `batch_size` tips wait or the oldest has waited `batch_wait` seconds, `step()` re-checks them
against the chain (a tip that would obviously be skipped is skipped here, without paying gas),
submits a permit first where one is needed, then one `tipBatch` (through `Reconciler.send`:
recorded before it is broadcast), whose receipt gives each item's outcome. `run(stop)` loops on
it while this process holds the account's lease, reconciling open transactions first.
"""

from __future__ import annotations

import json
import logging
import threading

from fairgift import eip712
from fairgift.batch import batch_args
from fairgift.relayer.reconcile import GasAboveCeiling, WouldRevert
from fairgift.relayer.signed_tip import Permit, SignedTip
from fairgift.relayer.simulate import eth_calls, skip_reason_of
from fairgift.relayer.store import now

log = logging.getLogger("fairgift.relayer")

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


class Batcher:
    """Batches one deployment's queued tips to its jar (`jar`, an Ape contract) from one account."""

    def __init__(self, store, reader, reconciler, lease, jar, config, wake: threading.Event):
        self.store = store
        self.reader = reader  # relayer.reads.ChainReader: the jar's and the tokens' reads
        self.reconciler = reconciler
        self.lease = lease
        self.jar = jar
        self.config = config
        self.wake = wake  # set by the intake when a tip is queued

    def run(self, stop: threading.Event) -> None:
        """The batcher loop, until `stop` is set. Errors are logged and retried, never fatal."""
        log.info(
            "relayer %s batching for %s (%s)", self.reconciler.sender, self.reader.jar, self.lease.holder
        )
        while not stop.is_set():
            try:
                if not self.lease.acquire():
                    stop.wait(2.0)
                    continue
                self.reconciler.reconcile()
                if self.step():
                    continue  # there may be more waiting
            except GasAboveCeiling as err:  # the gas policy waits for cheaper blocks
                log.warning("relayer waiting: %s", err)
                stop.wait(2.0)
            except Exception:  # noqa: BLE001 - the batcher must outlive a node hiccup
                log.exception("relayer step failed; retrying")
                stop.wait(1.0)
            self.wake.wait(self._sleep_time())
            self.wake.clear()

    def _sleep_time(self) -> float:
        oldest = self.store.oldest_queued()
        if oldest is None:
            return 1.0
        return max(0.01, min(1.0, oldest + self.config.batch_wait - now()))

    def step(self) -> bool:
        """Send at most one batch (and the permits it needs); True when it sent one."""
        if self.reconciler.open_txs():
            return False  # one transaction in flight at a time: nonces stay simple and gap-free
        cfg = self.config
        rows = self.store.next_batch(cfg.batch_size, cfg.fan_per_batch)
        if not rows:
            return False
        head = rows[0]
        if len(rows) < cfg.batch_size and now() - head.accepted_at < cfg.batch_wait:
            return False
        ready = self.precheck(rows)
        if not ready:
            return True
        permit_row = self._permit_needed(ready)
        if permit_row is not None:
            self._send_permit(permit_row)
            return True
        self._send_batch(head.token, ready)
        return True

    def precheck(self, rows) -> list:
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
            permits = self._best_permits(rows, now_chain)
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
                if allowance < total and permits.get(row.fan, (0,))[0] < total:
                    skips[row.id] = f"allowance too low at submission ({allowance} < {total})"
                    continue
                need[row.fan] = total
                ready.append(row)
        if skips:
            self.store.skip_queued(skips)
            log.info("skipped %d tips before submission", len(skips))
        return ready

    def _best_permits(self, rows, now_chain: int) -> dict[str, tuple[int, object]]:
        """Per fan of `rows`, its usable permit of the greatest value (value, row) among all its
        queued tips (not only this batch's): signed over the token's current permit nonce, its
        deadline not too close. Two quick tips of one fan carry
        two permits on one nonce, the later covering both: that one is submitted, never the
        smaller (which would spend the nonce and leave the other tip uncovered)."""
        best: dict[str, tuple[int, object]] = {}
        nonces: dict[str, int] = {}
        with_permit = {row.fan for row in rows if row.permit}
        if not with_permit:
            return best
        for row in self.store.queued_permits(rows[0].token, with_permit):
            if not row.permit:
                continue
            permit = json.loads(row.permit)
            if int(permit["deadline"]) < now_chain + self.config.submit_margin:
                continue
            if row.fan not in nonces:
                nonces[row.fan] = self.reader.permit_nonce(row.token, row.fan)
            if int(permit["nonce"]) != nonces[row.fan]:
                continue
            value = int(permit["value"])
            if row.fan not in best or value > best[row.fan][0]:
                best[row.fan] = (value, row)
        return best

    def _permit_needed(self, ready) -> object | None:
        """The tip whose permit to submit first: for the first fan whose allowance does not cover
        its tips in this batch, the fan's usable permit of the greatest value."""
        need: dict[str, int] = {}
        for row in ready:
            need[row.fan] = need.get(row.fan, 0) + int(row.amount)
        best = self._best_permits(ready, self.reader.timestamp())
        for fan, total in need.items():
            if fan in best and self.reader.allowance(ready[0].token, fan) < total:
                return best[fan][1]
        return None

    def _send_permit(self, row) -> None:
        from ape import Contract

        p = Permit.from_json(json.loads(row.permit))
        r, s = p.signature.rs_bytes
        token = Contract(row.token, abi=[PERMIT_ABI])
        args = (row.fan, self.reader.jar, p.value, p.deadline, p.signature.v, r, s)
        try:
            self.reconciler.send("permit", row.token, token.permit, args, items=[], tip_id=row.id)
        except WouldRevert as err:  # the permit is stale or was front-run: rely on the allowance
            log.info("permit for tip %s would revert (%s); relying on the allowance", row.id, err)
            self.store.drop_permit(row.id)

    def _send_batch(self, token: str, rows) -> None:
        # Adjacent items to the same creator: lets the jar write a creator's credit once per run.
        rows = self.simulate(token, sorted(rows, key=lambda r: (r.creator, r.accepted_at)))
        if not rows:
            return
        try:
            self.reconciler.send("batch", token, self.jar.tipBatch, self.call_args(token, rows), items=rows)
        except WouldRevert as err:  # the whole batch would revert: do not pay for it
            log.error("tipBatch of %d tips would revert: %s", len(rows), err)
            self.store.count_failed_attempt(
                rows, self.config.max_attempts, f"the batch would revert: {str(err)[:200]}"
            )

    def call_args(self, token: str, rows) -> tuple:
        """`tipBatch`'s arguments for queued `rows`, in their order."""
        chain_id, jar = self.reader.chain_id, self.reader.jar
        tips, messages = batch_args([signed_from_row(row, chain_id, jar).batch_item() for row in rows])
        return (token, tips, messages)

    def simulate(self, token: str, rows) -> list:
        """Drop (skipped with the jar's reason, without paying) every item that `tipBatch` would
        skip at the pending block: each item alone, then the whole batch, in one JSON-RPC batch."""
        encode = self.jar.tipBatch.encode_input
        datas = [_hex(encode(*self.call_args(token, [row]))) for row in rows]
        datas.append(_hex(encode(*self.call_args(token, rows))))
        tipped = eth_calls(self.reconciler.web3, self.reconciler.sender, self.reader.jar, datas)
        fails = [row for row, n in zip(rows, tipped, strict=False) if n == 0]
        if fails:
            r = self.reader
            values = r.batch(
                r.timestamp_read(), *[r.nonce_used_read(row.fan, int(row.nonce)) for row in fails]
            )
            skips = {
                row.id: "would be skipped (simulated before paying): "
                + skip_reason_of(now=values[0], deadline=int(row.deadline), nonce_used=used)
                for row, used in zip(fails, values[1:], strict=True)
            }
            self.store.skip_queued(skips)
            log.info("simulation: %d of %d tips would be skipped; not paid for", len(skips), len(rows))
        keep = [row for row, n in zip(rows, tipped, strict=False) if n != 0]
        if keep and not fails and tipped[-1] is not None and tipped[-1] != len(keep):
            # items that land alone but not together (one fan's items sharing a balance): the gas
            # limit covers the skips; the on-chain outcome is settled from the receipt
            log.warning("simulation: the whole batch tips %s of %d items", tipped[-1], len(keep))
        return keep


def _hex(data) -> str:
    return data if isinstance(data, str) else "0x" + bytes(data).hex()


def signed_from_row(row, chain_id: int, jar: str) -> SignedTip:
    """The `SignedTip` a queued row holds (its signature stored as EIP-2098 `r`, `vs`)."""
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
        signature=eip712.from_compact(int(row.r, 16), int(row.vs, 16)),
    )
