"""Exactly once: every transaction the relayer signs is recorded before it is broadcast, and every
recorded transaction is settled from the chain.

`send` signs a transaction and *records* it (raw bytes, hash, account nonce, the tips it carries)
in one database transaction before broadcasting it, then waits for its receipt and writes each
tip's outcome. After a crash at any point, `reconcile()` looks each open transaction up by hash:
mined -> the outcomes are read from its receipt; not mined and the account nonce still free ->
the very same bytes are broadcast again (one nonce, one possible inclusion: the relayer can never
pay twice for a tip); not mined and the nonce taken by another transaction -> provably dropped,
its tips are queued again. The jar's nonce bitmap is the last line: a tip can never land twice.
"""

from __future__ import annotations

import json
import logging
import time

from eth_utils import to_checksum_address

import fairgift.relayer.faults as faults
from fairgift.batch import skip_reason
from fairgift.chain import calldata
from fairgift.relayer.receipt_logs import EventDecoder
from fairgift.relayer.replace import fields_of, sign_replacement
from fairgift.relayer.simulate import gas_limit
from fairgift.relayer.store import LANDED, ONCHAIN_SKIP, SKIPPED, TX_RECORDED, now

log = logging.getLogger("fairgift.relayer")


class WouldRevert(Exception):
    """`eth_estimateGas` says the transaction would revert: it is not sent."""


class GasAboveCeiling(Exception):
    """The base fee is above the gas policy's ceiling: nothing is sent until blocks are cheaper."""


class Reconciler:
    """Sends, records and settles the transactions of one relayer account (`account`) to one jar."""

    def __init__(self, store, web3, account, sender: str, jar, config):
        self.store = store
        self.web3 = web3
        self.account = account  # an Ape account (test account, or a keystore account set to autosign)
        self.sender = sender
        self.jar_address = to_checksum_address(str(jar.address))
        self.config = config
        self.lease = None  # relayer.lease.Lease: fences what is recorded, renewed while waiting
        self._events = EventDecoder(jar.Tipped.abi, jar.BatchTipSkipped.abi)

    # ------------------------------------------------------------------ sending

    def send(self, kind: str, token: str, method, args, items, tip_id: str | None = None) -> None:
        """Sign `method(*args)` (an Ape contract method), record it with the tips it carries
        (`items`, in batch order; `tip_id`: the tip a permit is for), broadcast it and settle it
        from its receipt. `WouldRevert` (nothing recorded or sent) when the node says it reverts."""
        data = calldata(method, args)  # encoded once (Ape would convert and encode it twice more)
        to = str(method.contract.address)
        try:
            estimate = self.web3.eth.estimate_gas({"from": self.sender, "to": to, "data": _hex(data)})
        except Exception as err:  # noqa: BLE001 - web3 raises several kinds for a revert
            raise WouldRevert(str(err)[:300]) from err
        nonce = self.web3.eth.get_transaction_count(self.sender, "pending")
        limit = gas_limit(estimate, len(items), self.config.gas_margin)
        txn = self._transaction(method, to, data, nonce, limit, self.fees())
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise RuntimeError(f"relayer account {self.sender} declined to sign")
        raw = "0x" + bytes(signed.serialize_transaction()).hex()
        tx_hash = "0x" + bytes(signed.txn_hash).hex()
        tx_id = self.store.record_tx(
            kind=kind,
            token=token,
            sender=self.sender,
            account_nonce=nonce,
            tx_hash=tx_hash,
            raw=raw,
            items=items,
            tip_id=tip_id,
            fence=self._fence(),
        )
        faults.point(f"{kind}-recorded")
        tx = self.store.tx(tx_id)
        self.broadcast(tx)
        faults.point(f"{kind}-sent")
        receipt = self.wait_receipt(tx_hash, self.config.receipt_timeout)
        faults.point(f"{kind}-mined")
        if receipt is not None:
            self.settle(tx, receipt)
        log.info("%s %s: %d items, nonce %d", kind, tx_hash, len(items), nonce)

    def _transaction(self, method, to: str, data: bytes, nonce: int, limit: int, fees: dict):
        """The transaction `method.as_transaction(...)` makes (the policy's `fees`, else the
        provider's; chain id set by the provider, checked by the account), from calldata already
        encoded."""
        from ape import chain

        abis = getattr(method, "abis", None) or []
        extra = {"abi": abis[0]} if len(abis) == 1 else {}
        txn = chain.provider.network.ecosystem.create_transaction(
            receiver=to, data=data, sender=self.sender, nonce=nonce, gas_limit=limit, **fees, **extra
        )
        txn = chain.provider.prepare_transaction(txn)
        return self.account.prepare_transaction(txn)

    def fees(self) -> dict:
        """The fees to offer under the gas policy (none: Ape's, from the node), or
        `GasAboveCeiling` when the pending block's base fee is above the policy's ceiling."""
        policy = self.config.gas
        if policy is None:
            return {}
        base_fee = int(self.web3.eth.get_block("pending").get("baseFeePerGas") or 0)
        max_fee = policy.max_fee(base_fee)
        if max_fee is None:
            raise GasAboveCeiling(
                f"base fee {base_fee} wei is above the ceiling of {policy.ceiling_gwei} gwei"
            )
        return {"max_fee": max_fee, "max_priority_fee": policy.priority_fee()}

    def broadcast(self, tx) -> None:
        """Send a recorded transaction's bytes (again: the node knowing them already is fine)."""
        from web3.exceptions import Web3RPCError

        try:
            self.web3.eth.send_raw_transaction(tx.raw)
        except Web3RPCError as err:
            text = str(err).lower()
            if "already known" not in text and "nonce too low" not in text:
                raise
            # "already known": it is in the pool; "nonce too low": mined or replaced (reconcile decides)
        self.store.mark_sent(tx.id)

    def receipt(self, tx_hash: str):
        from web3.exceptions import TransactionNotFound

        try:
            return self.web3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None

    def wait_receipt(self, tx_hash: str, timeout: float, earlier=(), confirmed: bool = True):
        """The receipt of `tx_hash` (or of an `earlier` version it replaced), polled for up to
        `timeout` seconds; None when none was mined by then. `confirmed`: only once
        `config.confirmations` blocks are on top of it (read again each time: a reorg may move it)."""
        deadline = now() + timeout
        renew_at = now() + self._renew_every()
        while True:
            for version in (tx_hash, *earlier):
                receipt = self.receipt(version)
                if receipt is not None and (not confirmed or self.is_confirmed(receipt)):
                    return receipt
            if now() >= deadline:
                return None
            if now() >= renew_at:  # a receipt may take minutes: the lease must not lapse meanwhile
                renew_at = now() + self._renew_every()
                if not self.lease.acquire():
                    log.warning("lost the lease while waiting for %s; its new holder settles it", tx_hash)
                    return None
            time.sleep(self.config.poll_interval)

    def is_confirmed(self, receipt) -> bool:
        wanted = self.config.confirmations
        return wanted <= 0 or self.web3.eth.block_number - int(receipt["blockNumber"]) >= wanted

    def _renew_every(self) -> float:
        return float("inf") if self.lease is None else self.lease.ttl / 3

    def _fence(self):
        return None if self.lease is None else self.lease.token()

    # ------------------------------------------------------------------ settling

    def open_txs(self) -> list:
        return self.store.open_txs(self.sender)

    def reconcile(self) -> int:
        """Settle every recorded-but-unsettled transaction; returns how many are still open. A
        transaction waiting longer than `replace_after` is replaced with higher fees (replace.py)."""
        still_open = 0
        for tx in self.open_txs():
            earlier = json.loads(tx.replaced) if tx.replaced else []
            if self.wait_receipt(tx.tx_hash, 0, earlier, confirmed=False) is not None:
                still_open += self.settle_confirmed(tx, earlier)
                continue
            mined_nonce = self.web3.eth.get_transaction_count(self.sender, "latest")
            if mined_nonce > tx.account_nonce:
                # Look once more (it may have been mined between the two reads) before calling it dropped.
                if self.wait_receipt(tx.tx_hash, 0, earlier, confirmed=False) is not None:
                    still_open += self.settle_confirmed(tx, earlier)
                else:
                    self.drop(tx)
                continue
            if now() - tx.created_at > self.config.replace_after and self.replace(tx, earlier):
                tx = self.store.tx(tx.id)
                earlier = json.loads(tx.replaced)
            elif tx.status == TX_RECORDED or now() - tx.updated_at > self.config.rebroadcast_after:
                self.broadcast(tx)
            receipt = self.wait_receipt(tx.tx_hash, self.config.receipt_timeout, earlier)
            if receipt is not None:
                self.settle(tx, receipt)
            else:
                still_open += 1
        return still_open

    def settle_confirmed(self, tx, earlier) -> int:
        """Settle mined `tx` once its receipt has its confirmations; 1 when it is still open."""
        receipt = self.wait_receipt(tx.tx_hash, self.config.receipt_timeout, earlier)
        if receipt is None:
            return 1
        self.settle(tx, receipt)
        return 0

    def replace(self, tx, earlier: list[str]) -> bool:
        """Re-sign `tx` on its account nonce with fees 12.5%+ higher (and above what blocks now
        ask), record it, then broadcast it; False for a transaction type it cannot re-sign."""
        from ape import chain

        old = fields_of(tx.raw)
        if old is None:
            return False
        block = self.web3.eth.get_block("pending")
        base_fee = int(block.get("baseFeePerGas") or 0)
        raw, tx_hash, max_fee, tip = sign_replacement(
            self.account, chain.provider.network.ecosystem, old, base_fee
        )
        self.store.record_replacement(tx, raw, tx_hash, [*earlier, tx.tx_hash], fence=self._fence())
        faults.point(f"{tx.kind}-replaced")
        log.warning(
            "%s %s (nonce %s) not mined after %.0f s: replaced by %s (max fee %s, tip %s; base fee %s)",
            tx.kind,
            tx.tx_hash,
            tx.account_nonce,
            now() - tx.created_at,
            tx_hash,
            max_fee,
            tip,
            base_fee,
        )
        self.broadcast(self.store.tx(tx.id))
        return True

    def drop(self, tx) -> None:
        """The account nonce of `tx` went to another transaction: `tx` can never be mined."""
        log.warning(
            "transaction %s (nonce %s) was never mined; its tips go back to the queue",
            tx.tx_hash,
            tx.account_nonce,
        )
        self.store.mark_dropped(tx)

    def settle(self, tx, receipt) -> None:
        """Write the outcome of a mined transaction (idempotent: settling twice writes the same)."""
        block, gas_used = int(receipt["blockNumber"]), int(receipt["gasUsed"])
        if int(receipt["status"]) != 1:
            self.store.mark_reverted(tx, block, gas_used, self.config.max_attempts)
            log.warning("%s transaction %s reverted in block %s", tx.kind, tx.tx_hash, block)
            return
        outcomes = self.outcomes(tx, receipt) if tx.kind == "batch" else {}
        mined_hash = _hex(receipt["transactionHash"]).lower()
        self.store.mark_mined(tx, block, gas_used, outcomes, mined_hash)
        faults.point("batch-settled")

    def outcomes(self, tx, receipt) -> dict[str, dict]:
        """Each item's outcome from the receipt: `BatchTipSkipped(index, …, reason)` for a skip, the
        matching `Tipped` (fan, creator, amount, message) for a landing."""
        items = self.store.batch_items(tx.id)
        jar = self.jar_address.lower()
        jar_logs = [lg for lg in receipt["logs"] if str(lg["address"]).lower() == jar]
        decoded = [ev for ev in map(self._events.decode, jar_logs) if ev is not None]
        skipped = {
            int(ev["index"]): skip_reason(int(ev["reason"]))
            for name, ev in decoded
            if name == "BatchTipSkipped"
        }
        landed: dict[tuple, list[int]] = {}
        for name, ev in decoded:
            if name == "Tipped":
                key = (ev["fan"], ev["creator"], int(ev["amount"]), str(ev["message"]))
                landed.setdefault(key, []).append(ev["log_index"])
        out = {}
        for item in items:
            if item.position in skipped:
                out[item.id] = {"status": SKIPPED, "reason": f"{ONCHAIN_SKIP}: {skipped[item.position]}"}
                continue
            key = (item.fan, item.creator, int(item.amount), item.message)
            if landed.get(key):
                out[item.id] = {"status": LANDED, "log_index": landed[key].pop(0), "reason": None}
            else:  # neither landed nor skipped: cannot happen with this jar; never guess "landed"
                out[item.id] = {"status": SKIPPED, "reason": "no outcome in the batch receipt"}
        return out


def _hex(data) -> str:
    return data if isinstance(data, str) else "0x" + bytes(data).hex()
