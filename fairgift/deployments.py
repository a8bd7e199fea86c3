"""Deployment records: `deployments/<chain_id>.json` =
`{"chain_id": N, "block": B, "contracts": {"TipJar": "0x…", "CreatorMarket": "0x…", …}}`.

The folder is `deployments/` at the project root, or `$FAIRGIFT_DEPLOYMENTS` when set (tests use a
temporary folder). Local chains' records are git-ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from fairgift.errors import FairGiftError

CONTRACT_NAMES = ("MockUSDC", "TipJar", "CreatorMarket", "SplitFactory")
LOCAL_CHAIN_IDS = frozenset({1337, 31337})


def folder(path: Path | str | None = None) -> Path:
    if path is not None:
        return Path(path)
    if env := os.environ.get("FAIRGIFT_DEPLOYMENTS"):
        return Path(env)
    return Path(__file__).resolve().parent.parent / "deployments"


def record_path(chain_id: int, path: Path | str | None = None) -> Path:
    return folder(path) / f"{int(chain_id)}.json"


@dataclass
class Deployment:
    chain_id: int
    block: int
    contracts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"chain_id": self.chain_id, "block": self.block, "contracts": dict(self.contracts)}

    @classmethod
    def from_json(cls, data: dict, source: str = "record") -> Deployment:
        try:
            return cls(
                chain_id=int(data["chain_id"]),
                block=int(data["block"]),
                contracts={str(k): str(v) for k, v in dict(data["contracts"]).items()},
            )
        except (KeyError, TypeError, ValueError) as err:
            raise FairGiftError(f"{source} is not a FairGift deployment record ({err})") from err


def load(chain_id: int, path: Path | str | None = None) -> Deployment | None:
    """The record for `chain_id`, or None when there is none."""
    file = record_path(chain_id, path)
    if not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf8"))
    except json.JSONDecodeError as err:
        raise FairGiftError(f"{file} is not valid JSON ({err.msg} at line {err.lineno})") from err
    record = Deployment.from_json(data, source=str(file))
    if record.chain_id != int(chain_id):
        raise FairGiftError(f"{file} records chain {record.chain_id}, not {chain_id}")
    return record


def save(record: Deployment, path: Path | str | None = None) -> Path:
    file = record_path(record.chain_id, path)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record.to_json(), indent=2) + "\n", encoding="utf8")
    tmp.replace(file)
    return file


def require(chain_id: int, path: Path | str | None = None) -> Deployment:
    record = load(chain_id, path)
    if record is None:
        raise FairGiftError(
            f"no FairGift deployment on chain {chain_id} ({record_path(chain_id, path)} not found); "
            "run `ape run deploy` on this network first"
        )
    return record
