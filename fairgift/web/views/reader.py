"""Reads for the views: view calls batched at one block, and what was read cached until the next.

`Reads` sends view calls to the node as one JSON-RPC batch at one block (the in-process chain takes
no batches: one call each, at the same block). `Reader` is what every view reads through: the block
a request reads at (one cheap `eth_blockNumber` per request decides whether what was read is still
current), values fixed for the deployment's life read once, a fee's schedule, the jar's gift
catalogue, a creator's launched token. Chain access is serialized by `lock`: Ape objects are shared
by the service's threads.
"""

from __future__ import annotations

import threading

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from fairgift import fees
from fairgift.api import ZERO_ADDRESS, FairGift
from fairgift.api.tips import MAX_GIFT_ID
from fairgift.creators import Catalogue
from fairgift.errors import FairGiftError
from fairgift.gifts import Gift


class Reads:
    """View calls sent to the node as one JSON-RPC batch, all at one block, decoded with the
    contracts' own ABIs. (A call through Ape costs several round trips: a code check, the chain
    id, then the call; a creator page needs about twenty reads, so this is what keeps it fast.)"""

    def __init__(self, web3, block: int):
        self.web3, self.block = web3, block
        self._calls: list[tuple[str, bytes, list[str]]] = []

    def add(self, contract, method: str, *args) -> int:
        """Queue `contract.method(*args)`; returns the position of its result."""
        abi = next(
            m for m in contract.contract_type.view_methods if m.name == method and len(m.inputs) == len(args)
        )
        types = [i.canonical_type for i in abi.inputs]
        selector = keccak(text=f"{method}({','.join(types)})")[:4]
        data = selector + abi_encode(types, list(args))
        self._calls.append((str(contract.address), data, [o.canonical_type for o in abi.outputs]))
        return len(self._calls) - 1

    def run(self) -> list:
        requests = [
            ("eth_call", [{"to": to, "data": "0x" + data.hex()}, hex(self.block)])
            for to, data, _ in self._calls
        ]
        batch = getattr(self.web3.provider, "make_batch_request", None)
        if batch is None:  # the in-process chain takes no batches: one call each, at the same block
            responses = [self._one(call, block) for (_method, (call, block)) in requests]
        else:
            responses = batch(requests) if requests else []
        results = []
        for (to, _data, outputs), response in zip(self._calls, responses, strict=True):
            if "error" in response:
                raise FairGiftError(f"reading {to}: {response['error'].get('message', response['error'])}")
            values = abi_decode(outputs, bytes.fromhex(response["result"].removeprefix("0x")))
            results.append(values[0] if len(values) == 1 else tuple(values))
        self._calls = []
        return results

    def _one(self, call: dict, block: str) -> dict:
        """One eth_call, answered as a batch reply would be ({"result": hex} or {"error": ...})."""
        try:
            return {"result": "0x" + bytes(self.web3.eth.call(call, int(block, 16))).hex()}
        except Exception as err:  # noqa: BLE001 - reported like a batch's error reply
            return {"error": {"message": str(err)}}


class Reader:
    """What the views read from the chain through the `fairgift` API, per block and per request."""

    def __init__(self, service):
        self.service = service
        self.fg: FairGift = service.fg
        self.catalogue = getattr(service, "creators", None) or Catalogue.for_record(
            self.fg.record, self.fg.store
        )
        self.lock = threading.RLock()
        self._static: dict[str, object] = {}
        # What was read at the chain's latest block: reused until a new block (one cheap
        # eth_blockNumber per request decides), so a busy page costs a few reads per block.
        self._block: int | None = None
        self._at_block: dict[object, object] = {}
        self._now: int | None = None
        self._tokens: dict[str, str] = {}  # creator -> launched token (immutable once launched)

    def once(self, key: str, read):
        """Values fixed for the deployment's life (caps, delays, the stablecoin), read once."""
        if key not in self._static:
            self._static[key] = read()
        return self._static[key]

    @property
    def web3(self):
        return self.fg.chain.provider.web3

    def reads(self) -> Reads:
        """A batch of view calls at the block this request reads."""
        if self._block is None:
            self.fresh()
        return Reads(self.web3, self._block)

    def fresh(self) -> None:
        """Start of a request: forget what was read at an older block."""
        self._now = None
        block = int(self.web3.eth.block_number)
        if block != self._block:
            self._block, self._at_block = block, {}

    def per_block(self, key, read):
        if key not in self._at_block:
            self._at_block[key] = read()
        return self._at_block[key]

    @property
    def chain_id(self) -> int:
        return self.once("chain_id", lambda: int(self.fg.chain.chain_id))

    def now(self) -> int:
        """The chain's clock for the next transaction (the pending block's timestamp), read once
        per request."""
        if self._now is None:
            self._now = int(self.web3.eth.get_block("pending")["timestamp"])
        return self._now

    def schedule(self, key: str, contract, current: tuple, pending: tuple, cap: str) -> fees.FeeSchedule:
        """A fee's schedule as the fee model holds it: `contract.<current>()` and
        `contract.<pending>()` (method name and arguments) read once per block."""

        def read():
            reads = self.reads()
            for call in (current, pending):
                reads.add(contract, *call)
            if f"limits:{key}" not in self._static:
                reads.add(contract, cap)
                reads.add(contract, "FEE_CHANGE_DELAY")
            values = reads.run()
            if len(values) == 4:
                self._static[f"limits:{key}"] = (int(values[2]), int(values[3]))
            return int(values[0]), (int(values[1][0]), int(values[1][1]))

        bps, (pending_bps, effective_at) = self.per_block(("fee", key), read)
        cap_bps, delay = self._static[f"limits:{key}"]
        return fees.FeeSchedule.from_reads(bps, (pending_bps, effective_at), cap_bps, delay)

    def gift_catalogue(self) -> dict:
        """The jar's live gift catalogue ({id: Gift}) as `FairGift.gifts` reads it (ids from 1
        until three empty ones in a row; retired gifts left out), read in batches of 16."""
        return self.per_block("gifts", self._read_gift_catalogue)

    def _read_gift_catalogue(self) -> dict:
        catalogue, misses, first = {}, 0, 1
        while misses < 3 and first < MAX_GIFT_ID:
            reads = self.reads()
            ids = range(first, min(first + 16, MAX_GIFT_ID))
            for gift_id in ids:
                reads.add(self.fg.jar, "gift", gift_id)
            for gift_id, (name, price) in zip(ids, reads.run(), strict=True):
                if not name and int(price) == 0:
                    misses += 1
                    if misses == 3:
                        break
                    continue
                misses = 0
                if int(price) > 0:
                    catalogue[gift_id] = Gift(gift_id, str(name), int(price))
            first += 16
        return catalogue

    def token_of(self, creator: str) -> str | None:
        if creator not in self._tokens:
            reads = self.reads()
            reads.add(self.fg.market, "tokenOf", creator)
            token = to_checksum_address(str(reads.run()[0]))
            if token == ZERO_ADDRESS:
                return None
            self._tokens[creator] = token
        return self._tokens[creator]

    def token_meta(self, token: str) -> dict:
        contract = self.fg.project.CreatorToken.at(token, detect_proxy=False)
        return {"name": str(contract.name()), "symbol": str(contract.symbol())}
