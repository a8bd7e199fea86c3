"""`ape run demo` end to end, as `make demo` runs it: on anvil and on the in-process chain."""

import csv
import subprocess

import pytest
from tooling_env import ROOT, base_env


@pytest.mark.parametrize("network", ["ethereum:local:foundry", "ethereum:local:test"])
def test_demo_end_to_end(network, tmp_path):
    env = base_env(tmp_path)
    env["APE_DATA_FOLDER"] = str(ROOT / ".local/ape")
    out = tmp_path / "out"
    result = subprocess.run(
        ["ape", "run", "demo", "--network", network, "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
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
        "cleo released",
        "For 585.83 USDC spent by fans, the creator keeps:",
        "8 balances: ledger == chain",
    ):
        assert milestone in text, milestone
    assert {p.name for p in out.iterdir()} == {
        "ledger.csv",
        "supporters.csv",
        "take_home.png",
        "curve_AVA.png",
        "curve_BEN.png",
    }
    rows = {r["label"]: r for r in csv.DictReader((out / "ledger.csv").open())}
    assert rows["ben"]["gross"] == "488.990000"
    assert rows["ava"]["symbol"] == "AVA"
    assert rows["the_band"]["jar_credit"] == "0.000000"
    assert (tmp_path / "deployments").is_dir()  # the record went to FAIRGIFT_DEPLOYMENTS, not the tree
