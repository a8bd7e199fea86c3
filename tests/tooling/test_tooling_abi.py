"""`make abi`: every production contract's and interface's ABI, and nothing from contracts/test/,
as solc's JSON; each file's selectors, event topics and error selectors equal the compiled
contract's, and an old file of a contract that no longer exists is removed."""

import json
from pathlib import Path

from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector
from tooling_env import ROOT

from fairgift.abi import export, is_production


def _selectors(abi: list[dict]) -> set[str]:
    found = set()
    for entry in abi:
        if entry["type"] in ("function", "error"):
            found.add("0x" + function_abi_to_4byte_selector(entry).hex())
        elif entry["type"] == "event":
            found.add("0x" + event_abi_to_log_topic(entry).hex())
    return found


def test_abi_export(project, tmp_path):
    out = tmp_path / "abi"
    out.mkdir()
    (out / "Gone.json").write_text("[]")  # a contract removed from the sources since the last run
    done = {item.name: item for item in export(project, out)}
    production_sources = {
        str(p.relative_to(ROOT)) for p in (ROOT / "contracts").rglob("*.sol") if "test" not in p.parts
    }
    names = [n for n in project.contracts.keys() if is_production(project.contracts[n].source_id)]
    assert set(done) == set(names)
    assert {project.contracts[n].source_id for n in names} == production_sources  # every source
    assert {"TipJar", "CreatorMarket", "CreatorToken", "SplitFactory", "RevenueSplit", "IStablecoin"} <= set(
        done
    )
    assert {p.name for p in out.iterdir()} == {f"{n}.json" for n, item in done.items() if item.path}
    assert not (out / "MockUSDC.json").exists() and not (out / "Gone.json").exists()
    for name, item in done.items():
        if item.path is None:  # a library of internal functions only
            assert project.contracts[name].abi == [], name
            continue
        abi = json.loads(Path(item.path).read_text())
        assert len(abi) == item.entries > 0
        lookup = project.contracts[name].identifier_lookup  # Ape's, from the compiler's output
        assert _selectors(abi) == {k for k, v in lookup.items() if v.type != "constructor"}, name
    tip = next(e for e in json.loads((out / "TipJar.json").read_text()) if e.get("name") == "tip")
    assert [(i["name"], i["type"]) for i in tip["inputs"]] == [
        ("creator", "address"),
        ("token", "address"),
        ("amount", "uint256"),
        ("message", "string"),
    ]
    assert tip["stateMutability"] == "nonpayable"
