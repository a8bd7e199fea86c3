"""Raw transactions and signed tips for the benchmarks: web3 with local keys, no Ape account
machinery (the services' bench sends hundreds of thousands of tips' worth of calldata)."""

from __future__ import annotations

import threading
import time

from eth_abi import encode
from eth_account import Account
from eth_keys import keys


class RawChain:
    """Raw transactions through web3, signed with local keys (no Ape account machinery: the
    bench sends hundreds of thousands of tips' worth of calldata)."""

    def __init__(self, web3):
        self.web3 = web3
        self.chain_id = int(web3.eth.chain_id)
        self.nonces: dict[str, int] = {}
        self._lock = threading.Lock()

    def send(self, key: str, to: str, data: bytes, gas: int) -> str:
        sender = Account.from_key(key).address
        with self._lock:
            if sender not in self.nonces:
                self.nonces[sender] = int(self.web3.eth.get_transaction_count(sender, "pending"))
            nonce = self.nonces[sender]
            self.nonces[sender] = nonce + 1
        tx = {
            "to": to,
            "data": "0x" + data.hex(),
            "nonce": nonce,
            "gas": gas,
            "maxFeePerGas": 2 * 10**10,
            "maxPriorityFeePerGas": 10**9,
            "chainId": self.chain_id,
        }
        raw = Account.sign_transaction(tx, key).raw_transaction
        return "0x" + bytes(self.web3.eth.send_raw_transaction(raw)).hex()

    def wait(self, tx_hash: str, poll: float = 0.02):
        while True:
            try:
                return self.web3.eth.get_transaction_receipt(tx_hash)
            except Exception:  # noqa: BLE001 - TransactionNotFound: not mined yet
                time.sleep(poll)


def calldata(method, *args) -> bytes:
    """`method(*args)` encoded with eth_abi from the contract's ABI (fast for huge batches)."""
    abi = method.abis[0]
    return selector(abi) + encode([i.canonical_type for i in abi.inputs], list(args))


def selector(abi) -> bytes:
    from eth_utils import keccak

    return keccak(text=abi.selector)[:4]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sign_tip(key: bytes, separator: bytes, fan, creator, token, amount, message, nonce, deadline):
    from fairgift import eip712
    from fairgift.relayer.signed_tip import SignedTip

    digest = eip712.digest(
        separator, eip712.tip_struct_hash(fan, creator, token, amount, message, nonce, deadline)
    )
    sig = keys.PrivateKey(key).sign_msg_hash(digest)
    return SignedTip(
        0,
        "",
        fan,
        creator,
        token,
        amount,
        message,
        nonce,
        deadline,
        eip712.Signature(27 + sig.v, sig.r, sig.s),
    )
