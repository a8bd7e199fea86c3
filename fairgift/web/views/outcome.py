"""What a transaction the page sent did (pending, its decoded effect, or why it reverted), and a
revert's data as one line a fan can act on, with a code the page's script acts on.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from web3.exceptions import TransactionNotFound

from fairgift.amounts import format_amount
from fairgift.errors import describe_revert
from fairgift.web.http import HASH, HttpError, node_failure
from fairgift.web.views.reader import Reader
from fairgift.web.views.text import TOKEN_DECIMALS, one_line

logger = logging.getLogger("fairgift.web")

MAX_CACHED_REASONS = 4_096  # reverts' reasons kept (a few hundred bytes each)

# Revert inputs that are amounts of the stablecoin (shown as "2.50 USDC" in messages).
USD_INPUTS = frozenset({"totalCost", "maxCost", "netProceeds", "minProceeds", "amount", "maxAmount"})
# Custom errors a fan can act on, by what the page should say/do about them.
ERROR_CODES = {
    "GiftPriceAboveMax": "price_changed",
    "CostAboveMax": "quote_expired",
    "ProceedsBelowMin": "quote_expired",
    "DeadlinePassed": "quote_expired",
    "ERC20InsufficientBalance": "balance",
    "ERC20InsufficientAllowance": "allowance",
}


class Outcomes:
    """Transactions' outcomes and reverts' reasons, decoded with the contracts' own ABIs."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.fg = reader.fg
        self._errors = self._error_table()
        self._reasons: OrderedDict[str, tuple[str, str]] = OrderedDict()  # tx hash -> (reason, code)
        self._cache_lock = threading.Lock()
        self.replays = 0  # reverts replayed on the node (the cache's hits are not)

    def outcome(self, tx_hash: str) -> dict:
        """What a transaction the page sent did: pending, or its decoded effect, or why it failed.
        Called without the reader's lock: only decoding a success takes it (a revert's replay, a
        node round trip or two, must not hold up every other page)."""
        if not (isinstance(tx_hash, str) and HASH.fullmatch(tx_hash)):
            raise HttpError(400, "not a transaction hash", "bad_request")
        tx_hash = tx_hash.lower()
        web3 = self.fg.chain.provider.web3
        try:
            raw = web3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:  # pending (or unknown); a node failure is not "pending"
            return {"status": "pending"}
        if int(raw["status"]) != 1:
            reason, code = self.revert_reason(tx_hash, raw)
            return {"status": "reverted", "block": int(raw["blockNumber"]), "reason": reason, "code": code}
        with self.reader.lock:
            self.reader.fresh()
            return self._effect(tx_hash, raw)

    def ours(self) -> frozenset[str]:
        """The deployment's contracts (lower-case): the only ones whose reverts are replayed."""
        contracts = self.fg.record.contracts
        return frozenset(str(address).lower() for address in dict(contracts).values())

    def revert_reason(self, tx_hash: str, receipt) -> tuple[str, str]:
        """Why a mined transaction reverted, replayed once per hash (a bounded cache) and only
        for a transaction to this deployment's contracts: anyone can name any reverted
        transaction, and replaying a stranger's costs the node a full execution for nothing."""
        with self._cache_lock:
            if tx_hash in self._reasons:
                self._reasons.move_to_end(tx_hash)
                return self._reasons[tx_hash]
        to = str(receipt.get("to") or "").lower()
        if to not in self.ours():
            found = ("the transaction failed (it was not sent to FairGift's contracts)", "reverted")
        else:
            self.replays += 1
            found = self._replay_reason(tx_hash, int(receipt["blockNumber"]))
        with self._cache_lock:
            self._reasons[tx_hash] = found
            while len(self._reasons) > MAX_CACHED_REASONS:
                self._reasons.popitem(last=False)
        return found

    def _effect(self, tx_hash: str, raw) -> dict:
        receipt = self.fg.chain.provider.get_receipt(tx_hash)
        result = {"status": "success", "block": int(raw["blockNumber"]), "summary": "done"}
        tipped = list(receipt.decode_logs(self.fg.jar.Tipped))
        if tipped:
            log = tipped[0]
            info = self.fg.token_info(str(log.token))
            amount, fee = int(log.amount), int(log.fee)
            result.update(
                kind="gift" if int(log.giftId) else "tip",
                summary=f"landed: {info.fmt(amount)} sent, the creator receives {info.fmt(amount - fee)}, "
                f"the fee is {info.fmt(fee)}",
            )
            return result
        trades = list(receipt.decode_logs(self.fg.market.Trade))
        if trades:
            log = trades[0]
            token, trader = to_checksum_address(str(log.token)), to_checksum_address(str(log.trader))
            symbol = self.reader.once(f"meta:{token}", lambda: self.reader.token_meta(token))["symbol"]
            value, pf, cf = int(log.value), int(log.protocolFee), int(log.creatorFee)
            held = int(self.fg.project.CreatorToken.at(token, detect_proxy=False).balanceOf(trader))
            supply_after = int(log.supplyAfter)
            amount = format_amount(int(log.amount), TOKEN_DECIMALS, symbol)
            left = ""
            if log.isBuy:
                did = f"bought {amount} for {self.fg.usd(value + pf + cf)}"
                # The approval covered the bound; say what of it is still approved.
                allowance = int(self.fg.usdc.allowance(trader, self.fg.market))
                if allowance:
                    left = f"; {self.fg.usd(allowance)} stays approved to the market"
            else:
                did = f"sold {amount} for {self.fg.usd(value - pf - cf)}"
            result.update(
                kind="trade",
                summary=f"{did} (fees {self.fg.usd(pf)} protocol + {self.fg.usd(cf)} creator); "
                f"you now hold {format_amount(held, TOKEN_DECIMALS, symbol)}; the price is now "
                f"{self.fg.usd(int(self.fg.market.priceAt(supply_after)))}{left}",
                held=str(held),
            )
            return result
        result.update(kind="other", summary="confirmed")
        return result

    def _replay_reason(self, tx_hash: str, block: int) -> tuple[str, str]:
        """Why a mined transaction reverted: replayed as a call on the state before its block."""
        web3 = self.fg.chain.provider.web3
        tx = web3.eth.get_transaction(tx_hash)
        call = {
            "from": tx["from"],
            "to": tx["to"],
            "data": tx["input"],
            "value": tx["value"],
            "gas": tx["gas"],
        }
        try:
            web3.eth.call(call, block_identifier=block - 1)
        except Exception as err:  # noqa: BLE001 - web3 raises several kinds for a revert
            if node_failure(err):
                raise  # the node, not the transaction: a 503, and nothing cached
            data = getattr(err, "data", None)
            if isinstance(data, str) and data.startswith("0x"):
                return self.explain(data)
            if isinstance(err.args and err.args[-1], str) and str(err.args[-1]).startswith("0x"):
                return self.explain(str(err.args[-1]))
            text = one_line(str(err))
            if "://" in text:  # a transport error can name the node's URL (a hosted RPC's key)
                logger.warning("replaying %s: %s", tx_hash, text)
                text = ""
            return text or "the transaction failed", "reverted"
        return "the transaction failed (it succeeds when replayed: ran out of gas?)", "reverted"

    def _error_table(self) -> dict[bytes, tuple[str, list[str], list[str]]]:
        table: dict[bytes, tuple[str, list[str], list[str]]] = {}
        project = self.fg.project
        for name in ("TipJar", "CreatorMarket", "CreatorToken", "MockUSDC", "IStablecoin"):
            try:
                contract_type = getattr(project, name).contract_type
            except (AttributeError, KeyError):
                continue
            for abi in contract_type.errors:
                types = [i.canonical_type for i in abi.inputs]
                signature = f"{abi.name}({','.join(types)})"
                table[keccak(text=signature)[:4]] = (abi.name, [i.name for i in abi.inputs], types)
        table[keccak(text="Error(string)")[:4]] = ("Error", ["reason"], ["string"])
        table[keccak(text="Panic(uint256)")[:4]] = ("Panic", ["code"], ["uint256"])
        return table

    def explain(self, data: str) -> tuple[str, str]:
        """(one line, code) for a revert's data (`0x` + selector + arguments)."""
        try:
            raw = bytes.fromhex(str(data).removeprefix("0x"))
        except ValueError:
            return "the transaction would fail (no reason given)", "reverted"
        entry = self._errors.get(raw[:4])
        if entry is None:
            return "the transaction would fail (no reason given)", "reverted"
        name, names, types = entry
        try:
            values = abi_decode(types, raw[4:])
        except Exception:  # noqa: BLE001 - malformed data from the wallet
            return f"the transaction would fail ({name})", "reverted"
        if name == "Error":
            return f"the transaction would fail: {values[0]}", "reverted"
        inputs = dict(zip(names, values, strict=True))

        def fmt(key, value):
            if key in USD_INPUTS and isinstance(value, int):
                return self.fg.usd(value)
            return str(value)

        text = describe_revert(name, inputs, fmt)
        code = ERROR_CODES.get(name, "reverted")
        if name == "GiftPriceAboveMax":
            text = (
                f"the gift's price rose to {fmt('amount', inputs.get('amount'))}, above the "
                f"{fmt('maxAmount', inputs.get('maxAmount'))} you accepted: nothing was charged; "
                "check the new price and send again"
            )
        elif code == "quote_expired":
            text = f"the quote expired ({text}): nothing was charged; check the new quote and try again"
        return text, code
