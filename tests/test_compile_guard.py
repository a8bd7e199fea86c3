"""`make test` never runs stale bytecode. Ape 0.8 recompiles only the .sol files that changed, not the
contracts importing them; tools/compile-contracts (run by `make test`) compiles in full when any
source or compiler setting changed. Checked on a temporary project: a library and a contract that
imports it; after an edit to the library alone, plain `ape compile` keeps the importer's old
bytecode (the trap is real), and tools/compile-contracts rebuilds it."""

import json
import shutil
import subprocess

import pytest

from tests.helpers.project import ROOT, tool_env

pytestmark = pytest.mark.slow

LIBRARY = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

library Rate {{
    function scaled(uint256 x) internal pure returns (uint256) {{
        return x * {factor};
    }}
}}
"""
IMPORTER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rate} from "./Rate.sol";

contract Priced {
    function price(uint256 x) external pure returns (uint256) {
        return Rate.scaled(x);
    }
}
"""


def _run(project, *command):
    result = subprocess.run(command, cwd=project, env=tool_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def _code(project, name) -> bytes:
    """A contract's creation code without its metadata (whose hash changes with any source text)."""
    manifest = json.loads((project / ".build/__local__.json").read_text())
    code = bytes.fromhex(manifest["contractTypes"][name]["deploymentBytecode"]["bytecode"][2:])
    metadata = int.from_bytes(code[-2:], "big") + 2  # CBOR metadata, then its length in 2 bytes
    return code[:-metadata]


def test_editing_a_library_recompiles_its_importers(tmp_path):
    project = tmp_path / "project"
    (project / "contracts").mkdir(parents=True)
    (project / "tools").mkdir()
    shutil.copy(ROOT / "tools/compile-contracts", project / "tools")
    (project / "ape-config.yaml").write_text("name: guard\nsolidity:\n  version: 0.8.30\n")
    (project / "contracts/Rate.sol").write_text(LIBRARY.format(factor=3))
    (project / "contracts/Priced.sol").write_text(IMPORTER)

    first = _run(project, "tools/compile-contracts")
    assert "ape compile --force" in first
    assert _run(project, "tools/compile-contracts") == ""  # nothing changed: nothing to do
    before = _code(project, "Priced")

    (project / "contracts/Rate.sol").write_text(LIBRARY.format(factor=7))
    _run(project, "ape", "compile")
    assert _code(project, "Priced") == before  # Ape alone: the importer is stale

    assert "ape compile --force" in _run(project, "tools/compile-contracts")
    after = _code(project, "Priced")
    # The executable code changed: it now multiplies by 7 where it multiplied by 3 (PUSH1 7, PUSH1 3).
    assert after != before
    assert after.replace(bytes([0x60, 7]), bytes([0x60, 3])) == before
