"""The few chain reads the relayer makes on every request, as plain `eth_call`s.

Reads go straight through the node's web3 connection with precomputed selectors (a fraction of a
millisecond of Python each, against a few milliseconds through a full contract object), and are
safe to make from the web server's worker threads. Transactions are built elsewhere, with Ape.
"""

from __future__ import annotations

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from fairgift.relayer.signed_tip import domain_separator


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


_IS_TOKEN_ALLOWED = _selector("isTokenAllowed(address)")
_IS_NONCE_USED = _selector("isNonceUsed(address,uint256)")
_NONCE_BITMAP = _selector("nonceBitmap(address,uint256)")
_BALANCE_OF = _selector("balanceOf(address)")
_ALLOWANCE = _selector("allowance(address,address)")
_NONCES = _selector("nonces(address)")
_DOMAIN_SEPARATOR = _selector("DOMAIN_SEPARATOR()")
_EIP712_DOMAIN = _selector("eip712Domain()")


class Read:
    """One read for `ChainReader.batch`: an `eth_call` (decoded to a value) or the block's timestamp."""

    def __init__(self, method: str, to: str, data: str, out: list[str]):
        self.method, self.to, self.data, self.out = method, to, data, out

    def request(self, block: str) -> tuple[str, list]:
        if self.method == "eth_getBlockByNumber":
            return self.method, [block, False]
        return self.method, [{"to": self.to, "data": self.data}, block]

    def parse(self, result):
        """The value, or None when the call failed (reverted, no code, undecodable)."""
        try:
            if self.method == "eth_getBlockByNumber":
                return int(result["timestamp"], 16)
            value = decode(self.out, bytes.fromhex(result[2:] if result.startswith("0x") else result))
        except Exception:  # noqa: BLE001 - an error reply or bytes that do not decode
            return None
        return value[0] if len(value) == 1 else value


class ChainReader:
    """Reads for one jar through `web3` (Ape's `chain.provider.web3`)."""

    def __init__(self, web3, jar: str):
        self.web3 = web3
        self.jar = to_checksum_address(jar)
        self._separators: dict[str, bytes] = {}
        self.chain_id = int(web3.eth.chain_id)

    def _call(self, to: str, selector: bytes, types: list[str], args: list, out: list[str]):
        data = selector + (encode(types, args) if types else b"")
        raw = self.web3.eth.call({"to": to, "data": "0x" + data.hex()}, "latest")
        return decode(out, bytes(raw))

    def batch(self, *reads: Read) -> list:
        """Several reads in one JSON-RPC batch (one round trip to the node), pinned to one block:
        the first read fixes the block number for all of them. Falls back to one by one where
        the provider takes no batches."""
        block = int(self.web3.eth.block_number)
        make_batch = getattr(self.web3.provider, "make_batch_request", None)
        if make_batch is not None:
            try:
                replies = make_batch([read.request(hex(block)) for read in reads])
                if isinstance(replies, list) and len(replies) == len(reads):
                    return [read.parse(r.get("result")) for read, r in zip(reads, replies, strict=True)]
            except (TypeError, ValueError, NotImplementedError, AttributeError):
                pass
        return [read.parse(self._one(read, block)) for read in reads]

    def _one(self, read: Read, block: int):
        """A read sent alone, through web3's formatters (a raw request is refused by the in-process
        chain: its eth_call wants a `from`), answered as in a batch reply (None when it failed)."""
        try:
            if read.method == "eth_getBlockByNumber":
                return {"timestamp": hex(self.web3.eth.get_block(block)["timestamp"])}
            return "0x" + bytes(self.web3.eth.call({"to": read.to, "data": read.data}, block)).hex()
        except Exception:  # noqa: BLE001 - a revert or a missing contract reads as None, as in a batch
            return None

    def read(self, to: str, selector: bytes, types: list[str], args: list, out: list[str]) -> Read:
        data = selector + (encode(types, args) if types else b"")
        return Read("eth_call", to, "0x" + data.hex(), out)

    def timestamp_read(self) -> Read:
        return Read("eth_getBlockByNumber", "", "", [])

    def allowed_read(self, token: str) -> Read:
        return self.read(self.jar, _IS_TOKEN_ALLOWED, ["address"], [token], ["bool"])

    def nonce_used_read(self, fan: str, nonce: int) -> Read:
        return self.read(self.jar, _IS_NONCE_USED, ["address", "uint256"], [fan, nonce], ["bool"])

    def balance_read(self, token: str, owner: str) -> Read:
        return self.read(token, _BALANCE_OF, ["address"], [owner], ["uint256"])

    def allowance_read(self, token: str, owner: str) -> Read:
        return self.read(token, _ALLOWANCE, ["address", "address"], [owner, self.jar], ["uint256"])

    # ------------------------------------------------------------------ the jar

    def jar_domain(self) -> dict:
        """The jar's EIP-712 domain (ERC-5267)."""
        return self._domain(self.jar)

    def _domain(self, contract: str) -> dict:
        _, name, version, chain_id, verifying, _, _ = self._call(
            contract,
            _EIP712_DOMAIN,
            [],
            [],
            ["bytes1", "string", "string", "uint256", "address", "bytes32", "uint256[]"],
        )
        return {
            "name": name,
            "version": version,
            "chainId": int(chain_id),
            "verifyingContract": to_checksum_address(verifying),
        }

    def jar_separator(self) -> bytes:
        if self.jar not in self._separators:
            d = self.jar_domain()
            self._separators[self.jar] = domain_separator(
                d["name"], d["version"], d["chainId"], d["verifyingContract"]
            )
        return self._separators[self.jar]

    def is_token_allowed(self, token: str) -> bool:
        return bool(self._call(self.jar, _IS_TOKEN_ALLOWED, ["address"], [token], ["bool"])[0])

    def is_nonce_used(self, fan: str, nonce: int) -> bool:
        return bool(self._call(self.jar, _IS_NONCE_USED, ["address", "uint256"], [fan, nonce], ["bool"])[0])

    def nonce_bitmap(self, fan: str, word: int) -> int:
        return int(self._call(self.jar, _NONCE_BITMAP, ["address", "uint256"], [fan, word], ["uint256"])[0])

    # ------------------------------------------------------------------ tokens

    def balance_of(self, token: str, owner: str) -> int:
        return int(self._call(token, _BALANCE_OF, ["address"], [owner], ["uint256"])[0])

    def allowance(self, token: str, owner: str, spender: str | None = None) -> int:
        spender = spender or self.jar
        return int(self._call(token, _ALLOWANCE, ["address", "address"], [owner, spender], ["uint256"])[0])

    def permit_nonce(self, token: str, owner: str) -> int:
        return int(self._call(token, _NONCES, ["address"], [owner], ["uint256"])[0])

    def token_domain(self, token: str) -> dict | None:
        """The token's EIP-712 domain if it implements ERC-5267 `eip712Domain()`, else None."""
        try:
            return self._domain(token)
        except Exception:  # noqa: BLE001 - no such function (e.g. some USDC versions)
            return None

    def token_separator(self, token: str) -> bytes:
        """The token's EIP-2612 `DOMAIN_SEPARATOR()` (cached: it depends only on the chain)."""
        if token not in self._separators:
            self._separators[token] = bytes(self._call(token, _DOMAIN_SEPARATOR, [], [], ["bytes32"])[0])
        return self._separators[token]

    # ------------------------------------------------------------------ blocks

    def timestamp(self) -> int:
        """The latest block's timestamp: the clock `block.timestamp` deadlines are compared to."""
        return int(self.web3.eth.get_block("latest")["timestamp"])
