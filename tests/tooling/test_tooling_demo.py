"""`ape run demo` end to end, as `make demo` runs it: on anvil and on the in-process chain; its
record stays under its own out folder, an existing record is left byte-identical, and nothing is
written to the home folder (HOME is an empty folder that must stay empty)."""

import csv
import json
import subprocess
from pathlib import Path

import pytest
from tooling_env import ROOT, base_env, empty_home, written

from fairgift.deployments import Deployment


@pytest.mark.parametrize("network", ["ethereum:local:foundry", "ethereum:local:test"])
def test_demo_end_to_end(network, tmp_path):
    env = base_env(tmp_path)
    env["APE_DATA_FOLDER"] = str(ROOT / ".local/ape")
    home = env["HOME"] = str(empty_home(tmp_path))  # the demo writes nothing to the home folder
    out = tmp_path / "out"
    # the record of a node the user runs, with the demo's chain id, in the records folder in use
    record = tmp_path / "deployments" / "31337.json"
    record.parent.mkdir()
    node_record = {
        "chain_id": 31337,
        "genesis": "0x" + "12" * 32,
        "block": 7,
        "contracts": {"TipJar": "0x" + "34" * 20},
    }
    record.write_text(json.dumps(node_record, indent=2) + "\n")
    before = record.read_bytes()
    result = subprocess.run(
        ["ape", "run", "demo", "--network", network, "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert written(Path(home)) == []
    text = result.stdout
    for milestone in (
        "deploying FairGift on ethereum:local",
        "fan02 -> ben: 4.00 USDC with an EIP-2612 permit",
        "submitted by the relayer; fan03 sent no transaction",
        "ava: Ava Social (AVA), creator fee 5%",
        "fan09's buy with a 0.01 USDC limit is refused before sending: slippage exceeded",
        "jar fee lowered from 5% (500 bps) to 3% (300 bps), in force now",
        "fan10 -> ben: 10.00 USDC, fee 0.30 USDC (still 3%)",
        "fan11 -> ben: 10.00 USDC, fee 0.40 USDC (now 4%)",
        "fan12 -> the_band: 12.34 USDC, band credited 11.8464 USDC",  # a tip the story tells
        "cleo released",
        "For 865.35 USDC spent by fans, the creator keeps:",
        "8 balances: ledger == chain",
    ):
        assert milestone in text, milestone
    # <chain id>.json (31337 on anvil, 1337 in process) and the catalogue of creators beside it
    catalogue_file, demo_file = sorted(
        (out / "deployments").iterdir(), key=lambda p: len(p.name), reverse=True
    )
    demo_record = json.loads(demo_file.read_text())
    # the ledger, the CSV and the charts in the deployment's own folder (a node's never overwrites it)
    key = Deployment.from_json(demo_record).key
    assert {p.name for p in out.iterdir()} == {"deployments", key}
    assert {p.name for p in (out / key).iterdir()} == {
        "ledger.csv",
        "supporters.csv",
        "take_home.png",
        "curve_AVA.png",
        "curve_BEN.png",
    }
    assert f"outputs in {out / key}/" in text
    rows = {r["label"]: r for r in csv.DictReader((out / key / "ledger.csv").open())}
    assert rows["ben"]["gross"] == "489.000000"  # a Universe ($450), 100 Roses ($1) and $38 of tips
    assert rows["ava"]["symbol"] == "AVA"
    assert rows["the_band"]["jar_credit"] == "0.000000"
    # the demo's record is its own, under its out folder; the node's record is untouched
    assert record.read_bytes() == before
    assert [p.name for p in record.parent.iterdir()] == ["31337.json"]
    assert demo_record["genesis"] != node_record["genesis"] and "TipJar" in demo_record["contracts"]
    # the creators have names for their fans' pages, and the demo ends saying how to open one: its
    # chain ends with it, so it says how to rerun it on a chain that stays
    assert catalogue_file.name == demo_file.stem + ".creators.json"
    names_file = json.loads(catalogue_file.read_text())
    assert names_file["deployment"] == key  # the names are this deployment's
    names = names_file["creators"]
    assert {n: c["label"] for n, c in names.items()} == {"ava": "Ava", "ben": "Ben", "the_band": "The Band"}
    assert rows["ava"]["creator"] == names["ava"]["address"]
    last = text.strip().splitlines()[-4:]
    assert last[0].startswith("fans' pages: this chain ended with the demo")
    assert "make demo DEMO_ARGS='--network ethereum:local:node --out " in last[2]
    assert "make serve-demo DEMO_OUT=" in last[3] and "http://127.0.0.1:8000/c/ava" in last[3]
