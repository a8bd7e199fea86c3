"""The one way to read FairGift's events.

    from fairgift import events
    source = events.source(fg)                    # the index when it is current, else a chain scan
    for ev in source.events(["Tipped"], creator=creator_address):
        print(ev.block, ev.timestamp, ev.args["amount"], ev.args["message"])

Every reader (ledger, report, the CLI's tips/fees/balance, the services) goes through a *source*:
an object with `events(names=None, *, from_block=None, to_block=None, **arg_filters)` returning
`Event`s in chain order. Two kinds exist:

- `ScanSource` (here): asks the node, through Ape's log queries (`eth_getLogs`, paged by Ape), for
  the logs of the deployment's contracts and decodes them with the compiled ABIs. Always correct;
  its cost grows with the block range.
- the index (`fairgift.index`): a database kept up to date by a follower. It sits on a floor above
  this module, so it is handed in: a program that wants its readers to use the index registers
  `set_index_finder(fairgift.index.current_source)` (the `fairgift` CLI and the console do), and
  `source()` then uses the index only when the finder returns a source (the index is configured
  and current for this deployment); otherwise, and when no finder is registered, it scans.

Names: `"Tipped"` matches that event on any FairGift contract, `"TipJar.Withdrawn"` only the jar's
(TipJar and CreatorMarket both emit `Withdrawn`, `TreasurySet`, `PayoutSet`). Arguments are
filtered by equality (`creator=0x…`, `isBuy=True`), or membership when given a list/tuple/set.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from eth_utils import to_checksum_address

from fairgift.errors import FairGiftError, translated

# Contract type names as the compiled project names them. The tokens and splits are clones whose
# addresses come from the market's `Launched` and the factory's `SplitCreated` events.
CORE_CONTRACTS = ("TipJar", "CreatorMarket", "SplitFactory")
CLONES = {
    "CreatorToken": ("CreatorMarket", "Launched", "token"),
    "RevenueSplit": ("SplitFactory", "SplitCreated", "split"),
}
CONTRACT_TYPES = (*CORE_CONTRACTS, *CLONES)


@dataclass(frozen=True)
class Event:
    """One decoded FairGift event. `contract` is the contract type ("TipJar", "CreatorMarket",
    "SplitFactory", "RevenueSplit", "CreatorToken"); `args` are JSON-safe (checksummed address
    strings, ints, bools, 0x-hex for bytes, strings, lists of those)."""

    contract: str
    address: str
    name: str
    args: dict
    block: int
    log_index: int
    tx: str
    timestamp: int

    @property
    def order(self) -> tuple[int, int]:
        return (self.block, self.log_index)

    @property
    def qualified_name(self) -> str:
        return f"{self.contract}.{self.name}"

    def to_json(self) -> dict:
        return {
            "contract": self.contract,
            "address": self.address,
            "name": self.name,
            "args": dict(self.args),
            "block": self.block,
            "log_index": self.log_index,
            "tx": self.tx,
            "timestamp": self.timestamp,
        }


class EventSource(Protocol):
    """What every source offers. `kind` says where the events come from ("scan", "index")."""

    kind: str

    def events(
        self, names: Iterable[str] | str | None = None, *, from_block=None, to_block=None, **arg_filters
    ) -> list[Event]: ...

    # Optional: `latest(names, limit, *, before=None, **arg_filters)`, the newest `limit` events
    # newest first, strictly before `before` = (block, log_index). `fairgift.events.latest(source,
    # ...)` uses it when present, else walks back in block windows.


# ---------------------------------------------------------------------- helpers (pure)


def json_safe(value):
    """A decoded ABI value as JSON-safe Python: addresses checksummed, bytes as 0x-hex."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):  # Ape decodes addresses checksummed; other strings stay as written
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "items"):  # Ape's Struct
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)


def _normalise(value):
    value = getattr(value, "address", value)
    return json_safe(value)


def matches(event: Event, arg_filters: dict) -> bool:
    """True when every filter holds: equality, or membership for a list/tuple/set of values."""
    for name, wanted in arg_filters.items():
        if name not in event.args:
            return False
        have = event.args[name]
        options = wanted if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
        if not any(_equal(have, _normalise(option)) for option in options):
            return False
    return True


def _equal(have, wanted) -> bool:
    if isinstance(have, str) and isinstance(wanted, str):
        return have.lower() == wanted.lower()
    return have == wanted


def parse_names(names, known: dict[str, set[str]]) -> set[tuple[str, str]]:
    """`names` ("Tipped", "TipJar.Withdrawn", or None for all) -> {(contract type, event name)}.
    `known` maps contract type -> its event names. Unknown names are an error, not silence."""
    if names is None:
        return {(c, n) for c, events in known.items() for n in events}
    if isinstance(names, str):
        names = [names]
    chosen: set[tuple[str, str]] = set()
    for name in names:
        contract, _, event = name.rpartition(".")
        found = {
            (c, event) for c, events in known.items() if event in events and (not contract or c == contract)
        }
        if not found:
            listing = ", ".join(sorted({n for events in known.values() for n in events}))
            raise FairGiftError(f"no FairGift event {name!r}; known events: {listing}")
        chosen |= found
    return chosen


# ---------------------------------------------------------------------- the scan source


class ScanSource:
    """Events straight from the node: Ape's paged `eth_getLogs` over the deployment's contracts."""

    kind = "scan"

    def __init__(self, deployment, project=None):
        from ape import chain
        from ape import project as default_project

        self.deployment = deployment
        self.project = project or default_project
        self.chain = chain
        self._abis = {
            name: {abi.name: abi for abi in getattr(self.project, name).contract_type.events}
            for name in CONTRACT_TYPES
            if name in deployment.contracts or CLONES.get(name, ("",))[0] in deployment.contracts
        }

    @property
    def known(self) -> dict[str, set[str]]:
        """Contract type -> the names of its events."""
        return {contract: set(abis) for contract, abis in self._abis.items()}

    def events(
        self, names: Iterable[str] | str | None = None, *, from_block=None, to_block=None, **arg_filters
    ) -> list[Event]:
        wanted = parse_names(names, self.known)
        start = self.deployment.block if from_block is None else max(int(from_block), 0)
        with translated("reading events"):
            stop = self.chain.blocks.head.number if to_block is None else int(to_block)
        if stop < start:
            return []
        addresses: dict[str, str] = {}  # checksummed address -> contract type
        for contract in {c for c, _ in wanted}:
            if contract in CLONES:
                for address in self._clones(contract, stop):
                    addresses[address] = contract
            else:
                addresses[to_checksum_address(self.deployment.contracts[contract])] = contract
        if not addresses:
            return []
        abis = [self._abis[c][n] for c, n in sorted(wanted)]
        found = [
            event
            for event in self._scan(addresses, abis, start, stop)
            if (event.contract, event.name) in wanted and matches(event, arg_filters)
        ]
        return sorted(found, key=lambda e: e.order)

    def latest(
        self,
        names: Iterable[str] | str | None,
        limit: int,
        *,
        before: tuple[int, int] | None = None,
        **arg_filters,
    ) -> list[Event]:
        """The newest `limit` matching events, newest first, strictly before `before` = (block,
        log_index) when given: block windows read back from the head, each four times wider."""
        return walk_back(self, names, limit, self.deployment.block, before=before, **arg_filters)

    def _clones(self, contract: str, stop: int) -> list[str]:
        """Addresses of the tokens / splits created up to block `stop`."""
        parent, event_name, arg = CLONES[contract]
        if parent not in self.deployment.contracts:
            return []
        parent_address = to_checksum_address(self.deployment.contracts[parent])
        created = self._scan(
            {parent_address: parent}, [self._abis[parent][event_name]], self.deployment.block, stop
        )
        return [to_checksum_address(e.args[arg]) for e in created if e.name == event_name]

    def _scan(self, addresses: dict[str, str], abis: list, start: int, stop: int) -> list[Event]:
        # Raw logs, decoded with eth_abi from the compiled ABIs: the same values Ape's decoder gives
        # (checksummed addresses, ints, 0x-hex bytes), at a small fraction of the cost of its
        # per-log models (which made catching up 100,000 events take minutes), and one decoder on
        # every provider (a fan's message that is not UTF-8 reads the same everywhere).
        decoders = {_topic(abi): _LogDecoder(abi) for abi in abis}
        provider, wanted = self.chain.provider, (list(addresses), list(decoders), start, stop)
        with translated("reading events"):
            if getattr(provider, "name", "") == "test":
                logs, times = _in_process_logs(provider, *wanted)
            else:
                logs = _get_logs(provider, *wanted)
                times = _fetch_timestamps(provider, {log["blockHash"].lower() for log in logs})
        events = []
        for log in logs:
            decoder = decoders.get(log["topics"][0].lower()) if log["topics"] else None
            if decoder is None or len(log["topics"]) != decoder.topic_count:
                continue  # another event with the same name hash but another shape: not ours
            address = checksum(log["address"].lower())
            events.append(
                Event(
                    contract=addresses.get(address, "?"),
                    address=address,
                    name=decoder.name,
                    args=decoder.args(log),
                    block=int(log["blockNumber"], 16),
                    log_index=int(log["logIndex"], 16),
                    tx=log["transactionHash"].lower(),
                    timestamp=times[log["blockHash"].lower()],
                )
            )
        return events


def _in_process_logs(provider, addresses: list[str], topics: list[str], start: int, stop: int):
    """The in-process chain (`ethereum:local:test`) answers no raw JSON-RPC `eth_getLogs`: its
    logs come from its eth-tester backend, in JSON-RPC's shape (0x-hex numbers) for one decoder."""
    stop = min(stop, provider.get_block("latest").number)
    raw = provider.tester.ethereum_tester.get_logs(
        address=[to_checksum_address(a) for a in addresses], from_block=start, to_block=stop, topics=[topics]
    )
    logs = [
        {
            "address": str(log["address"]),
            "topics": [_hex(t) for t in log["topics"]],
            "data": _hex(log["data"]),
            "blockNumber": hex(int(log["block_number"])),
            "logIndex": hex(int(log["log_index"])),
            "transactionHash": _hex(log["transaction_hash"]),
            "blockHash": _hex(log["block_hash"]).lower(),
        }
        for log in raw
    ]
    logs.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
    times = {}
    for log in logs:
        if log["blockHash"] not in times:
            times[log["blockHash"]] = int(provider.get_block(int(log["blockNumber"], 16)).timestamp)
    return logs, times


class _LogDecoder:
    """One event's ABI: indexed arguments from the topics, the others from the data. The eth_abi
    decoders are built once per event type (eth_abi's `decode` looks them up on every call)."""

    def __init__(self, abi):
        from eth_abi.decoding import TupleDecoder

        registry = _fans_text_registry()
        self.name = str(abi.name)
        self.inputs = list(abi.inputs)
        self.indexed = [i for i in self.inputs if i.indexed]
        self.plain = [i for i in self.inputs if not i.indexed]
        self.topic_count = 1 + len(self.indexed)
        self.data_decoder = TupleDecoder(
            decoders=[registry.get_decoder(i.canonical_type) for i in self.plain]
        )
        self.topic_decoders = [
            None if _is_dynamic(i.canonical_type) else registry.get_decoder(i.canonical_type)
            for i in self.indexed
        ]

    def args(self, log) -> dict:
        from eth_abi.decoding import ContextFramesBytesIO

        values = {}
        for item, decoder, topic in zip(self.indexed, self.topic_decoders, log["topics"][1:], strict=True):
            if decoder is None:  # a dynamic value is indexed by its hash: the hash, as Ape gives it
                values[item.name] = topic.lower()
            elif item.canonical_type == "address":
                values[item.name] = checksum("0x" + topic[-40:].lower())
            else:
                values[item.name] = _json_value(item, decoder(ContextFramesBytesIO(bytes.fromhex(topic[2:]))))
        data = ContextFramesBytesIO(bytes.fromhex(log["data"][2:]))
        for item, value in zip(self.plain, self.data_decoder(data), strict=True):
            values[item.name] = _json_value(item, value)
        return {item.name: values[item.name] for item in self.inputs}


@functools.cache
def _fans_text_registry():
    """eth_abi's registry, except that a `string` which is not UTF-8 decodes with U+FFFD in place of
    the bad bytes instead of raising. Solidity does not check a `string` argument, so any fan can
    tip with a message of arbitrary bytes; one such log must not stop every scan, the index that
    follows the chain, and the ledgers and pages built on them."""
    from eth_abi import decoding, encoding
    from eth_abi.registry import BaseEquals, registry

    lenient = registry.copy()
    lenient.unregister("string")
    lenient.register(
        BaseEquals("string"),
        encoding.TextStringEncoder,
        decoding.StringDecoder(handle_string_errors="replace"),
        label="string",
    )
    return lenient


@functools.lru_cache(maxsize=1 << 16)
def checksum(address: str) -> str:
    """Checksummed form of a lower-case address (cached: the same fans, creators and tokens recur
    in every log, and checksumming hashes)."""
    return to_checksum_address(address)


def _is_dynamic(abi_type: str) -> bool:
    return abi_type in ("string", "bytes") or abi_type.endswith("]") or abi_type.startswith("(")


def _json_value(item, value):
    """An eth_abi value as `json_safe` would give Ape's: checksummed addresses, 0x-hex bytes, lists,
    structs as dicts."""
    kind = item.type if isinstance(item.type, str) else str(item.type)
    if kind.endswith("]"):
        inner = item.model_copy(update={"type": kind[: kind.rindex("[")]})
        return [_json_value(inner, v) for v in value]
    if kind == "tuple":
        return {c.name: _json_value(c, v) for c, v in zip(item.components, value, strict=True)}
    if kind == "address":
        return checksum(value.lower())
    return json_safe(value)


def _get_logs(provider, addresses: list[str], topics: list[str], start: int, stop: int, page: int = 10_000):
    """`eth_getLogs` for `addresses` and any of `topics` (topic 0) from `start` to `stop`, in block
    ranges of `page` (halved when the node refuses a range as too large), in chain order."""
    logs: list[dict] = []
    stop = min(
        stop, int(provider.make_request("eth_blockNumber", []), 16)
    )  # nodes refuse a range past the head
    a = start
    while a <= stop:
        b = min(stop, a + page - 1)
        params = {"address": addresses, "topics": [topics], "fromBlock": hex(a), "toBlock": hex(b)}
        try:
            logs += provider.make_request("eth_getLogs", [params])
        except Exception:
            if page == 1:
                raise
            page = max(1, page // 2)
            continue
        a = b + 1
    return logs


def _topic(abi) -> str:
    from eth_utils import encode_hex, keccak

    return encode_hex(keccak(text=abi.selector))


def _hex(value) -> str:
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


def _fetch_timestamps(provider, block_hashes: set[str], batch: int = 500) -> dict[str, int]:
    """Timestamps of the blocks the logs came from, by block hash (so a reorg between the two reads
    cannot pair a log with another branch's block), in JSON-RPC batches where the provider takes
    them. Never cached: a source may outlive a reorg."""
    hashes = sorted(block_hashes)
    web3_provider = getattr(getattr(provider, "web3", None), "provider", None)
    batch_request = getattr(web3_provider, "make_batch_request", None)
    result: dict[str, int] = {}
    if batch_request is not None:
        try:
            for i in range(0, len(hashes), batch):
                chunk = hashes[i : i + batch]
                replies = batch_request([("eth_getBlockByHash", [h, False]) for h in chunk])
                for block_hash, reply in zip(chunk, replies, strict=True):
                    result[block_hash] = int(reply["result"]["timestamp"], 16)
            return result
        except Exception:  # noqa: BLE001 - a provider without batches (the in-process chain): one by one
            result.clear()
    for block_hash in hashes:
        result[block_hash] = int(provider.get_block(block_hash).timestamp)
    return result


# ---------------------------------------------------------------------- newest first


def walk_back(
    source, names, limit: int, first_block: int, *, before=None, window: int = 256, **arg_filters
) -> list[Event]:
    """Newest-first events from a source that reads forward: block windows back from the head (or
    from `before`'s block), each four times wider, until `limit` are found or `first_block` is
    passed."""
    from ape import chain

    if limit < 1:
        return []
    with translated("reading events"):
        stop = int(before[0]) if before else int(chain.blocks.head.number)
    found: list[Event] = []
    while stop >= first_block and len(found) < limit:
        start = max(first_block, stop - window + 1)
        chunk = source.events(names, from_block=start, to_block=stop, **arg_filters)
        if before:
            chunk = [e for e in chunk if e.order < tuple(before)]
        found.extend(sorted(chunk, key=lambda e: e.order, reverse=True))
        stop, window = start - 1, window * 4
    return found[:limit]


def latest(source, names, limit: int, *, before=None, first_block: int = 0, **arg_filters) -> list[Event]:
    """The newest `limit` events of `source`, newest first (strictly before `before` = (block,
    log_index) when given): the source's own `latest` when it has one (the index answers it with
    one query), else `walk_back` from the head down to `first_block`."""
    if hasattr(source, "latest"):
        return source.latest(names, limit, before=before, **arg_filters)
    return walk_back(source, names, limit, first_block, before=before, **arg_filters)


# ---------------------------------------------------------------------- choosing a source

IndexFinder = Callable[[object], "EventSource | None"]
_index_finder: IndexFinder | None = None


def set_index_finder(finder: IndexFinder | None) -> IndexFinder | None:
    """Make `finder(fg) -> source | None` (usually `fairgift.index.current_source`) what `source()`
    asks for a current index; None: no index, always scan. Returns the finder it replaces (to
    restore it)."""
    global _index_finder
    previous, _index_finder = _index_finder, finder
    return previous


def source(fg, *, index: bool = True) -> EventSource:
    """The events of `fg`'s deployment (`fg`: a `FairGift`, anything with `.record` and
    `.project`, or a `Deployment`): the index when one is present and current for it (and
    `index` is true), else a `ScanSource`."""
    if index and _index_finder is not None and (found := _index_finder(fg)) is not None:
        return found
    record = getattr(fg, "record", fg)
    return ScanSource(record, getattr(fg, "project", None))
