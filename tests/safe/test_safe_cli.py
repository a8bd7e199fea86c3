"""The same story from the command line: `ape run fairgift …` subprocesses on the test's anvil,
one owner per process as owners would run it. A Safe of TEST::2, TEST::3 and TEST::5 (2 of 3) is
created, offered the jar, accepts it, and raises the jar's fee; executing with one signature, and
proposing as a non-owner, end with one `Error:` line."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.constants import DELAY

ROOT = Path(__file__).resolve().parents[2]
A, B, C, OUTSIDER = "TEST::2", "TEST::3", "TEST::5", "TEST::4"

pytestmark = pytest.mark.anvil_only("`ape run` subprocesses reach the test's chain over JSON-RPC")


@pytest.fixture(scope="module")
def safe_cli(safe_fg, safe_store, tmp_path_factory):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FAIRGIFT_DEPLOYMENTS": str(safe_store.folder),
        "FAIRGIFT_SAFE_DIR": str(tmp_path_factory.mktemp("safe-proposals")),
        "APE_NODE_ETHEREUM": json.dumps(
            {"local": {"uri": str(safe_fg.chain.provider.uri), "chain_id": 31337}}
        ),
    }

    def run(*args):
        return subprocess.run(
            ["ape", "run", "fairgift", *args, "--network", "ethereum:local:node"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    return run


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def error_line(result) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and not ln.startswith(("INFO", "WARNING"))]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_a_fee_rise_through_a_safe_from_the_cli(safe_cli, safe_fg, chain):
    created = ok(safe_cli("safe", "create", "--owner", A, "--owner", B, "--owner", C, "--threshold", "2"))
    safe = re.search(r"Safe (0x[0-9a-fA-F]{40}): 2 of 3", created).group(1)

    said = ok(safe_cli("owner", "transfer-ownership", safe))  # the deployer (TEST::0) offers the jar
    assert f"offer the jar's ownership to {safe}" in said
    proposed = ok(safe_cli("owner", "accept-ownership", "--safe", safe, "--account", A))
    assert f"proposed {safe}-0" in proposed and "1 of 2 signatures" in proposed

    refused = error_line(safe_cli("safe", "execute", f"{safe}-0", "--account", OUTSIDER))
    assert "has 1 valid signature(s) of the 2 the Safe needs" in refused
    assert safe_fg.jar.owner() != safe

    assert "2 of 2 signatures" in ok(safe_cli("safe", "sign", f"{safe}-0", "--account", B))
    assert f"executed {safe}-0" in ok(safe_cli("safe", "execute", f"{safe}-0", "--account", OUTSIDER))
    assert safe_fg.jar.owner() == safe

    outsider = error_line(safe_cli("schedule-fee", "8%", "--safe", safe, "--account", OUTSIDER))
    assert "is not an owner of the Safe" in outsider
    direct = error_line(safe_cli("schedule-fee", "8%", "--account", "TEST::0"))  # the deployer no longer can
    assert f"only the owner {safe}" in direct

    assert f"proposed {safe}-1" in ok(safe_cli("schedule-fee", "8%", "--safe", safe, "--account", A))
    assert "ready to execute" in ok(safe_cli("safe", "sign", f"{safe}-1", "--account", C))
    shown = ok(safe_cli("safe", "show", safe))
    assert f"{safe}-1: jar fee from 5% (500 bps) to 8% (800 bps)" in shown and "[2/2 signed" in shown
    executed = ok(safe_cli("safe", "execute", f"{safe}-1"))
    assert f"executed {safe}-1" in executed

    bps, effective_at = safe_fg.jar.pendingFee()
    assert bps == 800 and effective_at >= chain.blocks.head.timestamp + DELAY - 60
    status = ok(safe_cli("status"))
    assert "pending: 8% (800 bps)" in status and f"owner {safe}" in status
    assert int(safe_fg.jar.feeBps()) == 500
    chain.mine(timestamp=effective_at)
    assert int(safe_fg.jar.feeBps()) == 800
