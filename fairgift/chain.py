"""Chain access: view calls batched at one block, and the EIP-712 domain of a token.

`Reads` sends view calls to the node as one JSON-RPC batch, all at one block (a call through Ape
costs several round trips: a code check, the chain id, then the call; a creator page needs about
twenty reads, the relayer a handful per tip, so this is what keeps them fast). Where the provider
takes no batches (the in-process test chain) or a batch fails, each call goes alone, through
web3's formatters, at the same block: the answers are the same. Reads are safe from the web
server's worker threads (no Ape object is touched).

`token_domain` is the one rule for the domain a token signs with (issue #19 §2).
"""

from __future__ import annotations

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from fairgift import eip712
from fairgift.errors import FairGiftError

_EIP712_DOMAIN_OUT = ["bytes1", "string", "string", "uint256", "address", "bytes32", "uint256[]"]


def selector(signature: str) -> bytes:
    """The 4-byte selector of `name(type1,type2)`."""
    return keccak(text=signature)[:4]


def calldata(method, args) -> bytes:
    """The calldata of `method(*args)` (an Ape contract method), encoded by eth_abi from its ABI.
    The same bytes as `method.encode_input(*args)` for arguments already in their ABI types
    (checksummed addresses, ints, bytes), without Ape's conversion of every argument first (which
    costs milliseconds per item of a batch: the relayer encodes hundreds a second)."""
    abis = getattr(method, "abis", None) or []
    if len(abis) != 1:  # overloaded: let Ape pick the ABI
        data = method.encode_input(*args)
        return data if isinstance(data, bytes) else bytes.fromhex(str(data).removeprefix("0x"))
    abi = abis[0]
    return selector(abi.selector) + encode([i.canonical_type for i in abi.inputs], list(args))


class Read:
    """One read of a batch: an `eth_call` decoded to its value(s), or the block's timestamp."""

    def __init__(self, method: str, to: str, data: str, out: list[str]):
        self.method, self.to, self.data, self.out = method, to, data, out

    @classmethod
    def call(cls, to: str, signature: str, args=(), out=("uint256",)) -> Read:
        """`to.<signature>(*args)` from its text signature, e.g. `("balanceOf(address)", [owner])`."""
        types = signature[signature.index("(") + 1 : -1]
        types = [t for t in types.split(",") if t]
        data = selector(signature) + (encode(types, list(args)) if types else b"")
        return cls("eth_call", str(to), "0x" + data.hex(), list(out))

    @classmethod
    def of(cls, contract, method: str, *args) -> Read:
        """`contract.method(*args)` with the ABI of an Ape contract (its view method of that arity)."""
        abi = next(
            m for m in contract.contract_type.view_methods if m.name == method and len(m.inputs) == len(args)
        )
        types = [i.canonical_type for i in abi.inputs]
        return cls.call(
            str(contract.address),
            f"{method}({','.join(types)})",
            args,
            [o.canonical_type for o in abi.outputs],
        )

    @classmethod
    def timestamp(cls) -> Read:
        """The timestamp of the block the batch reads."""
        return cls("eth_getBlockByNumber", "", "", [])

    def request(self, block: int) -> tuple[str, list]:
        if self.method == "eth_getBlockByNumber":
            return self.method, [hex(block), False]
        return self.method, [{"to": self.to, "data": self.data}, hex(block)]

    def parse(self, reply: dict):
        """The value of a reply (`{"result": ...}` or `{"error": ...}`); raises ReadFailed."""
        if not isinstance(reply, dict) or reply.get("result") is None:
            error = reply.get("error") if isinstance(reply, dict) else reply
            message = error.get("message", error) if isinstance(error, dict) else error
            raise ReadFailed(f"reading {self.to or 'the block'}: {message}")
        result = reply["result"]
        try:
            if self.method == "eth_getBlockByNumber":
                return int(result["timestamp"], 16)
            value = decode(self.out, bytes.fromhex(result.removeprefix("0x")))
        except Exception as err:  # noqa: BLE001 - bytes that do not decode (no code, another ABI)
            raise ReadFailed(f"reading {self.to}: undecodable answer ({err})") from None
        return value[0] if len(value) == 1 else tuple(value)


class ReadFailed(FairGiftError):
    """A read that reverted, hit no contract, or answered something undecodable."""


class Reads:
    """Reads queued with `add`, sent together by `run` at one block (`block`, else the latest)."""

    def __init__(self, web3, block: int | None = None):
        self.web3, self.block = web3, block
        self._reads: list[Read] = []

    def add(self, contract, method: str, *args) -> int:
        """Queue `contract.method(*args)` (an Ape contract); returns the position of its result."""
        return self.add_read(Read.of(contract, method, *args))

    def add_read(self, read: Read) -> int:
        self._reads.append(read)
        return len(self._reads) - 1

    def run(self, strict: bool = True) -> list:
        """The values in the order queued. A failed read raises `ReadFailed` when `strict`, else
        reads as None."""
        reads, self._reads = self._reads, []
        if not reads:
            return []
        block = self.block if self.block is not None else int(self.web3.eth.block_number)
        replies = self._batch(reads, block) or [self._one(read, block) for read in reads]
        values = []
        for read, reply in zip(reads, replies, strict=True):
            try:
                values.append(read.parse(reply))
            except ReadFailed:
                if strict:
                    raise
                values.append(None)
        return values

    def _batch(self, reads: list[Read], block: int) -> list | None:
        make_batch = getattr(self.web3.provider, "make_batch_request", None)
        if make_batch is None:  # the in-process chain takes no batches
            return None
        try:
            replies = make_batch([read.request(block) for read in reads])
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            return None
        if isinstance(replies, list) and len(replies) == len(reads):
            return replies
        return None

    def _one(self, read: Read, block: int) -> dict:
        """A read sent alone, through web3's formatters (a raw request is refused by the in-process
        chain: its eth_call wants a `from`), answered as in a batch reply."""
        try:
            if read.method == "eth_getBlockByNumber":
                return {"result": {"timestamp": hex(self.web3.eth.get_block(block)["timestamp"])}}
            return {
                "result": "0x" + bytes(self.web3.eth.call({"to": read.to, "data": read.data}, block)).hex()
            }
        except Exception as err:  # noqa: BLE001 - a revert or a missing contract, as a batch's error reply
            return {"error": {"message": str(err)}}


def batch(web3, *reads: Read, block: int | None = None) -> list:
    """Several reads at one block (the latest unless `block`), a failed one as None."""
    engine = Reads(web3, block)
    for read in reads:
        engine.add_read(read)
    return engine.run(strict=False)


# ---------------------------------------------------------------------------- EIP-712 domains


class NoDomain(FairGiftError):
    """A contract with neither ERC-5267 `eip712Domain()` nor `DOMAIN_SEPARATOR()`: it signs nothing."""


def _web3_and_address(contract, web3):
    if web3 is None:
        from ape import chain

        web3 = chain.provider.web3
    return web3, to_checksum_address(str(getattr(contract, "address", contract)))


def _declared(fields: bytes, name, version, chain_id, verifying, salt, extensions) -> dict:
    """The domain an ERC-5267 answer declares: the fields its bitmask marks, in EIP-712's order."""
    if extensions:
        raise FairGiftError(f"EIP-712 domain extensions {list(extensions)} are not supported")
    mask = fields[0] if fields else 0
    values = (name, version, int(chain_id), to_checksum_address(verifying), bytes(salt))
    return {
        field: value
        for i, ((_, field), value) in enumerate(zip(eip712.DOMAIN_FIELDS, values, strict=True))
        if mask >> i & 1
    }


def token_domain(token, web3=None) -> dict:
    """The EIP-712 domain `token` signs with (a contract or an address).

    ERC-5267 `eip712Domain()` where the token has it; else `name()` and `version()` (version "1"
    when the token has no `version()`), the chain's id and the token's address. Whenever the token
    answers `DOMAIN_SEPARATOR()` the domain must hash to it, and a domain built from `name()` alone
    must be confirmed by it: nothing is offered for signing that the token would not verify.
    Raises `NoDomain` for a contract with no EIP-712 domain at all, `FairGiftError` (one line) for a
    domain that cannot be established or disagrees with the token."""
    web3, address = _web3_and_address(token, web3)
    declared, separator = batch(
        web3,
        Read.call(address, "eip712Domain()", (), _EIP712_DOMAIN_OUT),
        Read.call(address, "DOMAIN_SEPARATOR()", (), ["bytes32"]),
    )
    if declared is not None:
        domain = _declared(*declared)
    else:
        name, version, nonce = batch(
            web3,
            Read.call(address, "name()", (), ["string"]),
            Read.call(address, "version()", (), ["string"]),
            Read.call(address, "nonces(address)", (address,), ["uint256"]),
        )
        if separator is None:
            if nonce is None:  # no permit nonces either: a token that signs nothing (approve on chain)
                raise NoDomain(f"{address} has no EIP-712 domain (no eip712Domain(), no DOMAIN_SEPARATOR())")
            raise FairGiftError(
                f"cannot establish the EIP-712 domain of {address}: it has no eip712Domain() and no "
                "DOMAIN_SEPARATOR() to check name() and version() against"
            )
        if name is None:
            raise FairGiftError(
                f"cannot establish the EIP-712 domain of {address}: no eip712Domain() and no name()"
            )
        domain = {
            "name": name,
            "version": "1" if version is None else version,
            "chainId": int(web3.eth.chain_id),
            "verifyingContract": address,
        }
    if separator is not None and eip712.domain_separator(domain) != bytes(separator):
        raise FairGiftError(
            f"the EIP-712 domain of {address} ({_describe(domain)}) does not hash to its "
            f"DOMAIN_SEPARATOR() 0x{bytes(separator).hex()}: refusing to sign with it"
        )
    return domain


def _describe(domain: dict) -> str:
    return ", ".join(f"{k} {v!r}" for k, v in domain.items() if k != "verifyingContract")
