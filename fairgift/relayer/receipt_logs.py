"""A batch receipt's jar events, decoded with eth_abi from the events' ABIs.

The relayer settles every batch from its receipt: one `Tipped` (or `BatchTipSkipped`) per item.
Ape's `decode_logs` builds a validated model object per log, tens of milliseconds for a batch of
a hundred; this reads the same fields straight from the topics and the data. An event's indexed
arguments are its topics after the first (value types only here: addresses and integers, which a
topic holds as themselves), the others are ABI-encoded in the data.
"""

from __future__ import annotations

from functools import lru_cache

from eth_abi import decode
from eth_utils import keccak, to_checksum_address


class EventDecoder:
    """Decodes logs of the given events (Ape/ethpm `EventABI`s) into (event name, {argument: value})."""

    def __init__(self, *abis):
        self._events = {}
        for abi in abis:
            topic = keccak(text=abi.selector)
            indexed = [(i.name, i.canonical_type) for i in abi.inputs if i.indexed]
            data = [(i.name, i.canonical_type) for i in abi.inputs if not i.indexed]
            self._events[topic] = (abi.name, indexed, data)

    def decode(self, log) -> tuple[str, dict] | None:
        """(name, arguments) of a log of one of the events, None for any other log."""
        topics = [_bytes(t) for t in log["topics"]]
        if not topics or topics[0] not in self._events:
            return None
        name, indexed, data = self._events[topics[0]]
        if len(topics) != 1 + len(indexed):
            return None  # same signature, another indexing: not this event
        args = {}
        for (arg, kind), topic in zip(indexed, topics[1:], strict=True):
            args[arg] = _value(kind, decode([kind], topic)[0])
        values = decode([kind for _, kind in data], _bytes(log["data"]))
        for (arg, kind), value in zip(data, values, strict=True):
            args[arg] = _value(kind, value)
        args["log_index"] = int(log["logIndex"])
        return name, args


def _value(kind: str, value):
    return _checksum(value) if kind == "address" else value


@lru_cache(maxsize=65_536)
def _checksum(address: str) -> str:
    # (a keccak per address: a batch names the same token, fans and creators again and again)
    return to_checksum_address(address)


def _bytes(value) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)
