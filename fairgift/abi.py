"""The ABIs of the production contracts and interfaces, as JSON files for clients that are not
Python (wallets, `cast`, ethers/viem, block explorers' "verify & publish").

One file per contract, `<out>/<Contract>.json`, holding the ABI array exactly as solc emits it
(`type`, `name`, `inputs` with `internalType`, `outputs`, `stateMutability`, `anonymous`): what
`forge inspect <Contract> abi` and Hardhat artifacts' `abi` hold. Sources under `contracts/test/`
(mocks, hostile tokens, harnesses) are never exported; a library with no external function, event
or error (CloneArgs) has an empty ABI and is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PRODUCTION_PREFIX = "contracts/"
TEST_PREFIX = "contracts/test/"


@dataclass(frozen=True)
class Exported:
    name: str
    source: str
    path: Path | None  # None: skipped (empty ABI)
    entries: int


def is_production(source_id: str | None) -> bool:
    source = str(source_id or "")
    return source.startswith(PRODUCTION_PREFIX) and not source.startswith(TEST_PREFIX)


def abi_json(contract_type) -> list[dict]:
    """A compiled contract type's ABI as solc's JSON array."""
    return contract_type.model_dump(mode="json", by_alias=True)["abi"]


def export(project, out: Path | str) -> list[Exported]:
    """Write every production contract's (and interface's) ABI to `out`/<Name>.json; files of
    contracts that are gone from the sources are removed, so the folder is exactly the ABI set."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    done: list[Exported] = []
    for name in sorted(project.contracts.keys()):
        contract_type = project.contracts[name]
        if not is_production(contract_type.source_id):
            continue
        abi = abi_json(contract_type)
        if not abi:
            done.append(Exported(name, contract_type.source_id, None, 0))
            continue
        path = out / f"{name}.json"
        path.write_text(json.dumps(abi, indent=2) + "\n", encoding="utf-8")
        done.append(Exported(name, contract_type.source_id, path, len(abi)))
    written = {e.path.name for e in done if e.path is not None}
    for stale in out.glob("*.json"):
        if stale.name not in written:
            stale.unlink()
    return done
