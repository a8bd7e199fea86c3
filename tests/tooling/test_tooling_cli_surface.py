"""The CLI and the console as a user meets them, on a node started with `make node`, with HOME an
empty folder that must stay empty: the console lines of docs/using.md piped verbatim into
`make console` (every output it shows checked), its `cast` lines run as written, each dead end of
issue 11 §5 ending in one `Error:` line with no traceback, and the read commands' output (fans'
words shown safely, the CSV whole).

The logic behind these commands is tested through the Python API (test_tooling_cli_api.py); each
`ape run` here costs seconds, so only the command-line surface is checked."""

import csv
import json
import re
import subprocess

import pytest
from docs_text import section_block
from tooling_env import ROOT, empty_home, written

from fairgift.bench.harness import free_port
from fairgift.display import width

FAN = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # TEST::3
FAN_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"  # anvil's account 3
BEN = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"  # TEST::6, who launches the second AVA
RED = "hi \\x1b[31mred\\x1b[0m \\u202e" + "x" * 80  # as Python source: a message with escapes


def docs_console() -> list[tuple[str, list[str]]]:
    """The documented console example (docs/using.md, "Console"): (input line, output lines shown
    under it)."""
    block = section_block("Console", "python")
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith(">>> "):
            steps.append((line[4:], []))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory):
    return empty_home(tmp_path_factory.mktemp("cli-home"))


@pytest.fixture(scope="module")
def cli_console(node, cli_home):
    """The documented console lines, then a second AVA (another creator) and a tip whose message
    carries terminal escapes, piped into `make console` on the node."""
    steps = docs_console()
    extra = [
        "ben = accounts.test_accounts[6]",
        'fg.mint(owner, ben, "10"); fg.launch(ben, "Avalanche", "AVA");',
        f'fg.tip(fan, ava, "1", "{RED}");',
        'print("SETUP", "DONE")',
    ]
    stdin = "\n".join([*(line for line, _ in steps), *extra]) + "\n"
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "console", "CONSOLE_ARGS=--network ethereum:local:node"],
        cwd=ROOT,
        env={**node.env, "HOME": str(cli_home)},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return steps, result


def test_documented_console_lines_run_verbatim(cli_console, cli_home):
    steps, result = cli_console
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in out and "Error" not in out, out[-3000:]
    assert "SETUP DONE" in out
    position = 0
    shown = [expected for _, outputs in steps for expected in outputs]
    assert len(shown) >= 4  # the balance credited, the tokens bought (twice), a quote
    for expected in shown:  # every output the docs show, in their order
        found = out.find(expected, position)
        assert found >= 0, (expected, out[position : position + 2000])
        position = found + len(expected)
    assert written(cli_home) == []


def error_line(result) -> str:
    """The one line a failed command prints, besides Ape's own INFO logging."""
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text[-3000:]
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("INFO:")]
    assert len(lines) == 1, lines
    assert result.returncode != 0
    return lines[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["tip", "TEST::2", "-2.50", "--account", "TEST::3"],
            "Error: -2.50 is negative: amounts, quantities and fees are positive (e.g. 5 or 2.50)",
        ),
        (
            ["tip", "TEST::2", "1", "--token", "FOO", "--account", "TEST::3"],
            "Error: 'FOO' is not a token: give its address or the symbol of a token the jar lists (USDC)",
        ),
        (
            ["tip", "TEST::2", "1", "--token", FAN, "--account", "TEST::3"],
            f"Error: {FAN} is not a token: there is no contract at that address",
        ),
        (["buy", "AVA", "1", "--account", "TEST::3"], "Error: 2 creator tokens share the symbol AVA: 0x"),
        (
            ["split", "TEST::3=50%", f"{FAN.lower()}=50%", "--account", "TEST::2"],
            f"Error: {FAN} appears twice in the split (as 'TEST::3' and '{FAN.lower()}')",
        ),
    ],
)
def test_dead_ends_end_in_one_line(node, cli_console, cli_home, args, message):
    line = error_line(node.cli(*args, env={"HOME": str(cli_home)}))
    assert line.startswith(message), line
    assert written(cli_home) == []


def test_an_unreachable_node_is_one_line(node, cli_home):
    port = free_port()  # nothing listens there
    env = {"HOME": str(cli_home), "APE_NODE_ETHEREUM": f'{{"local": {{"uri": "http://127.0.0.1:{port}"}}}}'}
    line = error_line(node.cli("status", env=env))
    assert line.startswith(f"Error: cannot use ethereum:local:node at http://127.0.0.1:{port}: "), line
    assert line.endswith("(is the node running? `make node` starts one; --network picks another)")
    assert written(cli_home) == []


def test_tips_table_and_csv(node, cli_console, cli_home, tmp_path):
    path = tmp_path / "tips.csv"
    result = node.cli("tips", "TEST::2", "--csv", str(path), "--width", "24", env={"HOME": str(cli_home)})
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "\x1b" not in out and "\u202e" not in out
    lines = [line for line in out.splitlines() if not line.startswith("INFO:")]  # Ape's own logging
    assert lines[0] == "2 tip(s) and gift(s), newest first; 3.50 USDC in all"
    header = lines[1]
    assert re.split(r"\s{2,}", header) == ["time (UTC)", "fan", "amount", "fee", "gift", "message", "tx"]
    shown = "hi \ufffd[31mred\ufffd[0m \ufffdxxxxxx…"  # safe, and cut to 24 columns
    assert shown in out and width(shown) == 24
    assert "hello" in out and "0x90F7…b906" in out
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["message"] for r in rows] == ["hi \ufffd[31mred\ufffd[0m \ufffd" + "x" * 80, "hello"]
    assert [r["amount"] for r in rows] == ["1.00", "2.50"] and rows[0]["fan"] == FAN
    assert out.rstrip().endswith(f"wrote 2 row(s) to {path}")
    assert written(cli_home) == []


def test_quote_sends_nothing(node, cli_console, cli_home):
    before = node.rpc("eth_blockNumber")
    result = node.cli("quote", "buy", "TEST::2", "2", env={"HOME": str(cli_home)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^buying 2\.00 AVA costs 0\.\d+ USDC now: curve value", result.stdout, re.M)
    assert "sent with maxCost" in result.stdout and "nothing sent" in result.stdout
    assert node.rpc("eth_blockNumber") == before
    assert written(cli_home) == []


def test_documented_cast_example(node, cli_console, cli_home):
    """The documented `cast` lines (docs/using.md), run as written against the node (only its port
    differs): the fee read, an approval and a tip sent by cast, and the creator's credit read back."""
    record = json.loads((node.deployments / "31337.json").read_text())
    script = section_block("For clients that are not Python", "bash")
    assert "RPC=http://127.0.0.1:8545\n" in script
    script = script.replace("RPC=http://127.0.0.1:8545", f"RPC={node.uri}")
    env = {
        **node.env,
        "HOME": str(cli_home),
        "JAR": record["contracts"]["TipJar"],
        "USDC": record["contracts"]["MockUSDC"],
        "CREATOR": BEN,  # a creator no other test here tips
        "KEY": FAN_KEY,
    }
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "500"  # feeBps()
    assert lines[-1].split()[0] == "2375000"  # 2.50 USDC tipped, 5% fee: 2.375 USDC credited
    assert [line.split()[1] for line in lines if line.startswith("status")] == ["1", "1"]  # both sent
    assert written(cli_home) == []
