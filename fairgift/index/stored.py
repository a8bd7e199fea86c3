"""How an event is stored in the index and read back: the rows of `index_events` and `index_tips`
(`fairgift.index.schema`), the text of an indexed argument, and the stored arguments decoded.

Pure: no database and no chain access (the catch-up writes these rows, the queries read them).
"""

from __future__ import annotations

import json

import msgspec

from fairgift.events import Event

_fast_json = msgspec.json.Decoder().decode


def canon(value) -> str:
    """The text stored for an indexed argument, and compared with a filter's value."""
    value = getattr(value, "address", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return str(value).lower()


def decode_arguments(text: str) -> dict:
    """A row's stored arguments (`json.dumps` text): msgspec is ~3x faster than `json.loads` with
    the same values (big ints too); it refuses a lone surrogate escape, which `json` takes."""
    try:
        return _fast_json(text)
    except msgspec.DecodeError:
        return json.loads(text)


def decode_many(texts: list[str]) -> list[dict]:
    """`decode_arguments` of many rows: msgspec on all of them, `json` only when one needs it."""
    try:
        return [_fast_json(text) for text in texts]
    except msgspec.DecodeError:
        return [decode_arguments(text) for text in texts]


def indexed_args(
    project, known: dict[str, set[str]], only_type: str | None = None
) -> dict[tuple[str, str], tuple[str, ...]]:
    """(contract type, event) -> the names of its indexed arguments, in topic order (only those
    of ABI type `only_type` when given)."""
    out = {}
    for contract in known:
        for abi in getattr(project, contract).contract_type.events:
            out[(contract, abi.name)] = tuple(
                i.name for i in abi.inputs if i.indexed and (only_type is None or i.type == only_type)
            )
    return out


def event_row(key: str, ev: Event, indexed: tuple[str, ...]) -> dict:
    """The `index_events` row of `ev` in deployment `key`; `indexed`: its indexed arguments' names
    (copied into topic1..3, so that filters on them are index lookups)."""
    topics = [canon(ev.args.get(name)) for name in indexed]
    topics += [None] * (3 - len(topics))
    return {
        "deployment": key,
        "block": ev.block,
        "log_index": ev.log_index,
        "tx": ev.tx,
        "contract": ev.contract,
        "address": ev.address,
        "name": ev.name,
        "args": json.dumps(ev.args, separators=(",", ":")),
        "timestamp": ev.timestamp,
        "topic1": topics[0],
        "topic2": topics[1],
        "topic3": topics[2],
    }


def is_tip(ev: Event) -> bool:
    """True for the events `index_tips` holds too: the jar's `Tipped`."""
    return ev.contract == "TipJar" and ev.name == "Tipped"


def tip_row(key: str, ev: Event, args_text: str | None = None) -> dict:
    """The `index_tips` row of a `Tipped` event (`args_text`: its arguments as already stored)."""
    a = ev.args
    return {
        "deployment": key,
        "creator": canon(a["creator"]),
        "block": ev.block,
        "log_index": ev.log_index,
        "token": canon(a["token"]),
        "fan": canon(a["fan"]),
        "gift_id": str(int(a["giftId"])),
        "amount": str(int(a["amount"])),
        "fee": str(int(a["fee"])),
        "address": ev.address,
        "tx": ev.tx,
        "timestamp": ev.timestamp,
        "args": args_text if args_text is not None else json.dumps(a, separators=(",", ":")),
    }


def event_from_row(row) -> Event:
    """The `Event` of an `index_events` row."""
    return Event(
        contract=row.contract,
        address=row.address,
        name=row.name,
        args=decode_arguments(row.args),
        block=int(row.block),
        log_index=int(row.log_index),
        tx=row.tx,
        timestamp=int(row.timestamp),
    )
