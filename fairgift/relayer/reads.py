"""The few chain reads the relayer makes on every request (the jar and the tokens), as `eth_call`s.

Reads go straight through the node's web3 connection with precomputed selectors (a fraction of a
millisecond of Python each, against a few milliseconds through a full contract object), and are
safe to make from the web server's worker threads. Transactions are built elsewhere, with Ape.
"""

from __future__ import annotations

from eth_abi import decode, encode
from eth_utils import to_checksum_address

from fairgift import chain, eip712
from fairgift.chain import NoDomain, Read, selector
from fairgift.errors import FairGiftError
from fairgift.relayer.signed_tip import Rejected
from fairgift.relayer.together import Together

_IS_TOKEN_ALLOWED = selector("isTokenAllowed(address)")
_IS_NONCE_USED = selector("isNonceUsed(address,uint256)")
_NONCE_BITMAP = selector("nonceBitmap(address,uint256)")
_BALANCE_OF = selector("balanceOf(address)")
_ALLOWANCE = selector("allowance(address,address)")
_NONCES = selector("nonces(address)")
_DOMAIN_SEPARATOR = selector("DOMAIN_SEPARATOR()")
_DECIMALS = selector("decimals()")
_FEE_BPS = selector("feeBps()")


class ChainReader:
    """Reads for one jar through `web3` (Ape's `chain.provider.web3`)."""

    def __init__(self, web3, jar: str):
        self.web3 = web3
        self.jar = to_checksum_address(jar)
        self._separators: dict[str, bytes] = {}
        self._decimals: dict[str, int] = {}
        self.chain_id = int(web3.eth.chain_id)
        self.together = Together(self._batch_groups)

    def _call(self, to: str, selector: bytes, types: list[str], args: list, out: list[str]):
        data = selector + (encode(types, args) if types else b"")
        raw = self.web3.eth.call({"to": to, "data": "0x" + data.hex()}, "latest")
        return decode(out, bytes(raw))

    def batch(self, *reads: Read) -> list:
        """Several reads in one JSON-RPC batch (one round trip to the node), pinned to one block
        (`fairgift.chain.batch`); a failed read is None."""
        return chain.batch(self.web3, *reads)

    def batch_together(self, *reads: Read) -> list:
        """`batch(*reads)`, sent with the reads of the other threads asking at the same moment
        (`fairgift.relayer.together`): one head lookup and one JSON-RPC batch, all at one block,
        for a group of requests instead of two round trips each (a read asked twice in a group,
        such as the chain's time, is sent once)."""
        return self.together.run(reads)

    def _batch_groups(self, groups: list[tuple[Read, ...]]) -> list[list]:
        unique: dict[tuple, Read] = {}
        for reads in groups:
            for read in reads:
                unique.setdefault(_key(read), read)
        position = {key: i for i, key in enumerate(unique)}
        values = chain.batch(self.web3, *unique.values())
        return [[values[position[_key(read)]] for read in reads] for reads in groups]

    def read(self, to: str, selector: bytes, types: list[str], args: list, out: list[str]) -> Read:
        data = selector + (encode(types, args) if types else b"")
        return Read("eth_call", to, "0x" + data.hex(), out)

    def timestamp_read(self) -> Read:
        return Read.timestamp()

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
        return chain.token_domain(self.jar, self.web3)

    def jar_separator(self) -> bytes:
        if self.jar not in self._separators:
            self._separators[self.jar] = eip712.domain_separator(self.jar_domain())
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
        """The token's EIP-712 domain (`fairgift.chain.token_domain`), None for a token with no
        EIP-712 domain at all (no permit: the fan approves on chain); `Rejected` 400 for a token
        whose domain cannot be established or disagrees with its `DOMAIN_SEPARATOR()`."""
        try:
            return chain.token_domain(token, self.web3)
        except NoDomain:
            return None
        except FairGiftError as err:
            raise Rejected(400, str(err)) from None

    def decimals(self, token: str) -> int:
        """The token's `decimals()` (cached: it never changes)."""
        if token not in self._decimals:
            self._decimals[token] = int(self._call(token, _DECIMALS, [], [], ["uint8"])[0])
        return self._decimals[token]

    def fee_bps(self) -> int:
        """The jar's current fee, in basis points of each tip."""
        return int(self._call(self.jar, _FEE_BPS, [], [], ["uint256"])[0])

    def token_separator(self, token: str) -> bytes:
        """The token's EIP-2612 `DOMAIN_SEPARATOR()` (cached: it depends only on the chain)."""
        if token not in self._separators:
            self._separators[token] = bytes(self._call(token, _DOMAIN_SEPARATOR, [], [], ["bytes32"])[0])
        return self._separators[token]

    # ------------------------------------------------------------------ blocks

    def timestamp(self) -> int:
        """The latest block's timestamp: the clock `block.timestamp` deadlines are compared to."""
        return int(self.web3.eth.get_block("latest")["timestamp"])


def _key(read: Read) -> tuple:
    return (read.method, read.to, read.data)
