"""`ape run deploy` and `ape run fairgift …` as users run them: subprocesses against a chain started
with `make node` (ethereum:local:node), signing with a keystore account unlocked through
APE_ACCOUNTS_<alias>_PASSPHRASE. Every bad input: one line, non-zero exit, no traceback. The chain
survives a restart with everything on it, and neither the demo nor a throw-away deploy touches its
record."""

import csv
import json

import pytest

from fairgift.deployments import Deployment

KEYSTORE_ALIAS = "fgdeployer"  # created by the `node` fixture (conftest.py)

FAN = "TEST::1"
CREATOR = "TEST::2"
CREATOR_ADDR = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # anvil / ape test account 2


def error_line(result) -> str:
    """The one error line; asserts it is the only thing on stderr besides Ape's INFO logs."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and not ln.startswith(("INFO", "WARNING"))]
    assert len(lines) == 1, result.stderr
    return lines[0]


def _key(node) -> str:
    """The key of the node's deployment (its output folder's name under --out)."""
    return Deployment.from_json(json.loads((node.deployments / "31337.json").read_text())).key


@pytest.fixture(scope="module")
def deployed(node):
    result = node.ape_run("deploy", *node.network_args(), "--account", KEYSTORE_ALIAS)
    assert result.returncode == 0, result.stderr
    record = json.loads((node.deployments / "31337.json").read_text())
    return record, result


def test_deploy_with_keystore_on_a_node(node, deployed):
    record, result = deployed
    assert record["chain_id"] == 31337
    assert record["genesis"] == node.rpc("eth_getBlockByNumber", ["0x0", False])["hash"]
    assert set(record["contracts"]) == {"MockUSDC", "TipJar", "CreatorMarket", "SplitFactory"}
    for address in record["contracts"].values():
        assert node.rpc("eth_getCode", [address, "latest"]) not in ("0x", "0x0")
    assert "recorded in" in result.stdout
    status = node.cli("status")
    assert status.returncode == 0, status.stderr
    assert f"owner {node.keystore_address}, treasury {node.keystore_address}" in status.stdout
    assert "tip jar fee     5% (500 bps), cap 10% (1000 bps)" in status.stdout
    assert (
        "#1 Rose 0.01 USDC, #2 Heart 1.00 USDC, #3 Lion 300.00 USDC, #4 Universe 450.00 USDC" in status.stdout
    )
    assert f"FairGift on chain 31337 (genesis {record['genesis'][:10]}…" in status.stdout


def test_deploy_is_idempotent_and_fresh_redeploys(node, deployed):
    record, _ = deployed
    again = node.ape_run("deploy", *node.network_args(), "--account", KEYSTORE_ALIAS)
    assert again.returncode == 0, again.stderr
    assert "reusing it" in again.stdout
    assert json.loads((node.deployments / "31337.json").read_text()) == record
    fresh = node.ape_run("deploy", *node.network_args(), "--account", KEYSTORE_ALIAS, "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    renewed = json.loads((node.deployments / "31337.json").read_text())
    assert renewed["block"] > record["block"]
    assert all(renewed["contracts"][k] != record["contracts"][k] for k in record["contracts"])


def test_operate_and_ledger(node, deployed):
    assert node.cli("mint", FAN, "100", "--account", KEYSTORE_ALIAS).returncode == 0
    assert node.cli("mint", CREATOR, "10", "--account", KEYSTORE_ALIAS).returncode == 0
    tip = node.cli("tip", CREATOR, "2.50 USDC", "--message", "hi", "--account", FAN)
    assert tip.returncode == 0, tip.stderr
    assert f"tipped 2.50 USDC to {CREATOR_ADDR}: creator credited 2.375 USDC, fee 0.125 USDC" in tip.stdout
    assert "approved" in tip.stdout  # the approval the tip needed was made and said
    gift = node.cli("gift", CREATOR, "rose", "--quantity", "3", "--account", FAN)
    assert gift.returncode == 0, gift.stderr
    assert "sent 3 x Rose worth 0.03 USDC" in gift.stdout
    launch = node.cli("launch", "Creator Two", "TWO", "--initial-buy", "5", "--account", CREATOR)
    assert launch.returncode == 0, launch.stderr
    assert "launched Creator Two (TWO)" in launch.stdout
    buy = node.cli("buy", "TWO", "10", "--account", FAN)
    assert buy.returncode == 0, buy.stderr
    assert buy.stdout.strip().splitlines()[-1].startswith("bought 10.00 TWO for ")
    sell = node.cli("sell", CREATOR, "4", "--account", FAN)
    assert sell.returncode == 0, sell.stderr
    assert "sold 4.00 TWO for " in sell.stdout
    split = node.cli("split", f"{CREATOR}=70%", "TEST::3=30%", "--account", CREATOR)
    assert split.returncode == 0, split.stderr
    assert "split 0x" in split.stdout
    fee = node.cli("schedule-fee", "2%", "--account", KEYSTORE_ALIAS)
    assert fee.returncode == 0, fee.stderr
    assert "jar fee lowered from 5% (500 bps) to 2% (200 bps), in force now" in fee.stdout
    rise = node.cli("schedule-fee", "6%", "--account", KEYSTORE_ALIAS)
    assert "jar fee rise from 2% (200 bps) to 6% (600 bps) scheduled: in force from" in rise.stdout
    withdraw = node.cli("withdraw", "--account", CREATOR)
    assert withdraw.returncode == 0, withdraw.stderr
    assert "withdrew 2.4035 USDC from the tip jar" in withdraw.stdout  # 2.375 + 0.0285 (3 roses at 5%)
    ledger = node.cli("ledger", "--out", str(node.out))
    assert ledger.returncode == 0, ledger.stderr
    folder = node.out / _key(node)  # one folder per deployment
    assert [p.name for p in node.out.iterdir()] == [folder.name]
    rows = {r["creator"]: r for r in csv.DictReader((folder / "ledger.csv").open())}
    row = rows[CREATOR_ADDR]
    assert (row["tips"], row["gift_sends"], row["gifts"]) == ("1", "1", "Rose x3")
    assert (row["gross"], row["fees"], row["net"]) == ("2.530000", "0.126500", "2.403500")
    assert (row["jar_withdrawn"], row["jar_credit"]) == ("2.403500", "0.000000")
    assert (row["symbol"], row["buys"], row["sells"]) == ("TWO", "2", "1")
    assert {p.name for p in folder.iterdir()} >= {
        "ledger.csv",
        "supporters.csv",
        "take_home.png",
        "curve_TWO.png",
    }
    assert "For 2.53 USDC spent by fans, the creator keeps:" in ledger.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (("tip", CREATOR, "2.5.0", "--account", FAN), "amount '2.5.0' is not a number"),
        (("tip", "nobody", "1", "--account", FAN), "'nobody' is neither an address"),
        (("tip", CREATOR, "1000000", "--account", FAN), "not enough USDC for this tip"),
        (("tip", CREATOR, "1", "--account", FAN, "--no-approve"), "not enough allowance"),
        (
            ("gift", CREATOR, "Unicorn", "--account", FAN),
            "unknown gift 'Unicorn'; the catalogue: Rose ($0.01)",
        ),
        (("schedule-fee", "11%", "--account", KEYSTORE_ALIAS), "above the cap of 10% (1000 bps)"),
        (
            ("buy", "TWO", "1", "--max-cost", "0.000001", "--account", FAN),
            "slippage exceeded: buying 1.00 TWO",
        ),
        (("split", "TEST::3=50%", "TEST::4=40%", "--account", CREATOR), "add up to 9000 bps, not 10000"),
    ],
)
def test_bad_inputs(node, deployed, args, message):
    # TWO was launched, and the fan holds 6 TWO, by test_operate_and_ledger (runs first)
    line = error_line(node.cli(*args))
    assert line.startswith("Error: ")
    assert message in line


@pytest.mark.anvil_only("`ape run` subprocesses against the node")
def test_the_account_used_is_said_and_a_wrong_one_is_one_line(node, deployed):
    """No --account on a local chain signs with TEST::0: the command says so, on stderr (stdout
    stays the result); an account that does not exist is one `Error:` line, not click's usage."""
    shown = node.cli("balance")
    assert shown.returncode == 0, shown.stderr
    said = [ln for ln in shown.stderr.splitlines() if ln.strip() and not ln.startswith(("INFO", "WARNING"))]
    assert said == [
        "no --account: using TEST::0 (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266), "
        "this local chain's first test account"
    ]
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in shown.stdout
    given = node.cli("balance", "--account", FAN)
    assert given.returncode == 0 and "no --account" not in given.stderr
    line = error_line(node.cli("tip", CREATOR, "1", "--account", "nosuch"))
    assert line == (
        "Error: --account: Account with alias 'nosuch' not found (an alias from `ape accounts list`, "
        "or TEST::N for a test account of a local chain)"
    )
    assert "no --account" in node.ape_run("deploy", *node.network_args()).stderr


def test_no_deployment_and_unknown_network(node, deployed, tmp_path):
    line = error_line(node.cli("status", env={"FAIRGIFT_DEPLOYMENTS": str(tmp_path)}))
    assert line == (
        f"Error: no FairGift deployment on chain 31337 ({tmp_path}/31337.json not found); "
        "run `ape run deploy` on this network first"
    )
    result = node.ape_run("fairgift", "status", "--network", "ethereum:nowhere:foundry")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr


def test_deploy_bad_options(node):
    result = node.ape_run("deploy", *node.network_args(), "--account", KEYSTORE_ALIAS, "--jar-fee", "12%")
    assert "a tip jar fee of 12% (1200 bps) is above the cap of 10% (1000 bps)" in error_line(result)
    result = node.ape_run(
        "deploy", *node.network_args(), "--stablecoin", "0x1234", "--account", KEYSTORE_ALIAS
    )
    assert "--stablecoin '0x1234' is not an address" in error_line(result)


def test_record_of_another_chain_is_refused(node, deployed):
    """Another chain with id 31337 (a reset node, a second anvil) never gets this record's
    contracts: every command refuses it, and deploy will not overwrite it without --fresh."""
    path = node.deployments / "31337.json"
    original = path.read_bytes()
    other = json.loads(original)
    other["genesis"] = "0x" + "12" * 32
    path.write_text(json.dumps(other))
    try:
        expected = "is the record of another chain 31337 (genesis 0x12121212…"
        status = error_line(node.cli("status"))
        assert expected in status and "connect to the chain the record is for" in status
        assert "deploy on this one with `ape run deploy --fresh`" in status
        deploy = error_line(node.ape_run("deploy", *node.network_args(), "--account", KEYSTORE_ALIAS))
        assert expected in deploy
        assert json.loads(path.read_text()) == other  # left as it was
    finally:
        path.write_bytes(original)


def test_node_restart_keeps_everything_and_throwaway_runs_leave_the_record(node, deployed, tmp_path):
    """The issue's "done when": after the tip, gift, launch and trades of test_operate_and_ledger,
    the demo and a deploy without --network run meanwhile, the node is stopped and started again,
    and status and the ledger still show everything; the record stays byte-identical."""
    record = node.deployments / "31337.json"
    before = record.read_bytes()
    ledger_before = node.cli("ledger", "--no-report", "--out", str(tmp_path / "before"))
    assert ledger_before.returncode == 0, ledger_before.stderr
    demo = node.ape_run("demo", "--out", str(tmp_path / "demo"))
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "8 balances: ledger == chain" in demo.stdout
    throwaway = node.ape_run("deploy")  # no --network: an anvil of its own, gone when it ends
    assert throwaway.returncode == 0, throwaway.stderr
    assert "This chain is throw-away: it was started for this command and ends with it" in throwaway.stdout
    assert "make node" in throwaway.stdout and "out/deployments/" in throwaway.stdout
    assert record.read_bytes() == before
    assert [p.name for p in node.deployments.iterdir()] == ["31337.json"]

    genesis = node.rpc("eth_getBlockByNumber", ["0x0", False])["hash"]
    node.restart()
    assert node.rpc("eth_getBlockByNumber", ["0x0", False])["hash"] == genesis  # the same chain
    status = node.cli("status")
    assert status.returncode == 0, status.stderr
    assert f"FairGift on chain 31337 (genesis {genesis[:10]}…" in status.stdout
    assert "tip jar fee     2% (200 bps)" in status.stdout  # lowered by test_operate_and_ledger
    ledger_after = node.cli("ledger", "--no-report", "--out", str(tmp_path / "after"))
    assert ledger_after.returncode == 0, ledger_after.stderr
    after, before_csv = (tmp_path / name / _key(node) / "ledger.csv" for name in ("after", "before"))
    rows = list(csv.DictReader(after.open()))
    assert after.read_text() == before_csv.read_text()
    row = next(r for r in rows if r["creator"] == CREATOR_ADDR)
    assert (row["tips"], row["gifts"], row["symbol"], row["buys"], row["sells"]) == (
        "1",
        "Rose x3",
        "TWO",
        "2",
        "1",
    )
    assert record.read_bytes() == before
