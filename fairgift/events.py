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
- the index (`fairgift.index`, when installed): a database kept up to date by a follower.
  `source()` asks `fairgift.index.current_source(fg)` for it and uses it only when that returns a
  source (the index is configured and current for this deployment); otherwise it scans.

Names: `"Tipped"` matches that event on any FairGift contract, `"TipJar.Withdrawn"` only the jar's
(TipJar and CreatorMarket both emit `Withdrawn`, `TreasurySet`, `PayoutSet`). Arguments are
filtered by equality (`creator=0x…`, `isBuy=True`), or membership when given a list/tuple/set.
"""

from __future__ import annotations

import importlib
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
        self._timestamps: dict[int, int] = {}

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
        from ape.types import LogFilter

        unique = list({abi.selector: abi for abi in abis}.values())
        log_filter = LogFilter(
            addresses=list(addresses),
            events=unique,
            topic_filter=[[_topic(abi) for abi in unique]],
            start_block=start,
            stop_block=stop,
        )
        with translated("reading events"):
            logs = list(self.chain.provider.get_contract_logs(log_filter))
            times = self._block_times({int(log.block_number) for log in logs})
        events = []
        for log in logs:
            address = to_checksum_address(str(log.contract_address))
            block = int(log.block_number)
            tx = log.transaction_hash
            events.append(
                Event(
                    contract=addresses.get(address, "?"),
                    address=address,
                    name=str(log.event_name),
                    args=json_safe(dict(log.event_arguments)),
                    block=block,
                    log_index=int(log.log_index),
                    tx=tx if isinstance(tx, str) else "0x" + bytes(tx).hex(),
                    timestamp=times[block],
                )
            )
        return events

    def _block_times(self, blocks: set[int]) -> dict[int, int]:
        """Timestamps of `blocks`, in JSON-RPC batches where the provider takes them."""
        missing = sorted(b for b in blocks if b not in self._timestamps)
        if missing:
            self._timestamps.update(_fetch_timestamps(self.chain.provider, missing))
        return {b: self._timestamps[b] for b in blocks}


def _topic(abi) -> str:
    from eth_utils import encode_hex, keccak

    return encode_hex(keccak(text=abi.selector))


def _fetch_timestamps(provider, blocks: list[int], batch: int = 500) -> dict[int, int]:
    web3_provider = getattr(getattr(provider, "web3", None), "provider", None)
    batch_request = getattr(web3_provider, "make_batch_request", None)
    result: dict[int, int] = {}
    if batch_request is not None:
        try:
            for i in range(0, len(blocks), batch):
                chunk = blocks[i : i + batch]
                replies = batch_request([("eth_getBlockByNumber", [hex(b), False]) for b in chunk])
                for number, reply in zip(chunk, replies, strict=True):
                    result[number] = int(reply["result"]["timestamp"], 16)
            return result
        except Exception:  # noqa: BLE001 - a provider without batches (the in-process chain): one by one
            result.clear()
    for number in blocks:
        result[number] = int(provider.get_block(number).timestamp)
    return result


# ---------------------------------------------------------------------- choosing a source

IndexFinder = Callable[[object], "EventSource | None"]
INDEX_MODULE = "fairgift.index"
_index_finder: IndexFinder | None = None


def set_index_finder(finder: IndexFinder | None) -> None:
    """Use `finder(fg) -> source | None` instead of `fairgift.index.current_source` (None: back
    to the default)."""
    global _index_finder
    _index_finder = finder


def _default_index_finder() -> IndexFinder | None:
    try:
        module = importlib.import_module(INDEX_MODULE)
    except ModuleNotFoundError as err:
        if err.name == INDEX_MODULE:
            return None
        raise
    return getattr(module, "current_source", None)


def source(fg, *, index: bool = True) -> EventSource:
    """The events of `fg`'s deployment (`fg`: a `FairGift`, anything with `.record` and
    `.project`, or a `Deployment`): the index when one is present and current for it (and
    `index` is true), else a `ScanSource`."""
    if index:
        finder = _index_finder or _default_index_finder()
        if finder is not None and (found := finder(fg)) is not None:
            return found
    record = getattr(fg, "record", fg)
    return ScanSource(record, getattr(fg, "project", None))
