"""The rehearsal of a real network (`make rehearse NETWORK=base`, fairgift.rehearsal and
fairgift.rehearsal_serve): run for real as a subprocess (it starts its own anvil with Base's chain
id, then `ape run fairgift serve` on it, which must take Base's profile), and its refusals and
differences."""

import json
import subprocess

import pytest

from fairgift import rehearsal
from fairgift.errors import FairGiftError
from fairgift.networks import profile
from tests.helpers.project import ROOT, tool_env

BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"


@pytest.mark.slow
def test_make_rehearse_base_runs_the_story_against_usdc_at_its_canonical_address(tmp_path):
    run = subprocess.run(
        ["ape", "run", "rehearse", "base", "--out", str(tmp_path)],
        cwd=ROOT,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert f"rehearsal of Base (chain 8453): USDC at {BASE_USDC}" in out
    assert f"{BASE_USDC} USDC ('USD Coin', EIP-712 version 2, 6 decimals), from the Base profile" in out
    assert "check jar holds its credits: 18,000,000 == 18,000,000" in out
    assert "check jar empty after withdrawals: 0 == 0" in out
    assert "What would differ on Base:" in out
    assert "Ape waited 2 after each transaction" in out
    assert "ape run deploy --network base:mainnet:node --account me --treasury" in out
    record = json.loads((tmp_path / "rehearsal/deployments/8453.json").read_text())
    assert "8453" in json.dumps(record) and "MockUSDC" not in json.dumps(record)
    # the service: serve took Base's profile (not the local or generic defaults), said so, and
    # relayed a gasless tip of a fan without ether with the profile's fees and confirmations
    base = (
        "settings from the Base profile (chain 8453): index confirmations 15, relayer confirmations 3, "
        "batch size 50, gas: priority fee 0.001 gwei, at most 1 gwei"
    )
    serve_log = (tmp_path / "rehearsal/serve.log").read_text()
    assert base in serve_log and "FairGift service stopped" in serve_log and "Traceback" not in serve_log
    assert f"serve: {base}" in out
    assert "GET /api/relayer: profile base, relayer confirmations 3, batch size 50" in out
    assert "USDC's domain 'USD Coin', version '2', chain 8453" in out
    assert "check gasless tip: creator credit: 2,375,000 == 2,375,000" in out
    assert "check gasless tip: fan's ether: 0 == 0" in out
    assert "check gasless tip: permit used: 1 == 1" in out
    assert "check relayer's priority fee (wei): 1,000,000 == 1,000,000" in out  # the profile's 0.001 gwei
    assert "check page shows creator, address, tip: 3 == 3" in out
    assert "headless Chromium: rendered 'Ava'" in out
    assert "the relayer's funding: TEST::9 here" in out


def test_a_profile_without_usdc_is_not_rehearsed():
    with pytest.raises(FairGiftError, match="the OP Sepolia profile names no USDC address"):
        rehearsal.run("optimism-sepolia")


def test_the_differences_name_the_faucet_step_on_a_testnet():
    done = rehearsal.Rehearsal(profile("base-sepolia"), gas_used=1_000, confirmations=2)
    lines = rehearsal.differences(done.profile, done)
    assert any("Circle's faucet" in line for line in lines)
    assert any(
        "a block comes every 2 s: the index waits 15 blocks (about 30 s) and the relayer 3 (about 6 s)"
        in line
        for line in lines
    )
    assert "for real: ape run deploy --network base:sepolia:node --account me --treasury 0x…" in lines
    assert "the service was not run here" in next(line for line in lines if "relayer's funding" in line)
