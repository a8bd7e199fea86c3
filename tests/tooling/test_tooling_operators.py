"""The operators' rough edges of issue 20 §3, each checked where it lives: the catalogue of creator
names keyed to its deployment (and cleared with it), `--account` documented and refused in one
line, `make help`/`make setup`/`make node-reset`, the demo's compile notice, one output folder per
deployment, and the take-home chart's figures and labels. The `ape run` subprocess checks are in
test_tooling_node.py (the node) and test_tooling_demo.py (the demo)."""

import subprocess

import click
import pytest
from click.testing import CliRunner
from tooling_env import ROOT

from fairgift import demo, report
from fairgift.api import FairGift
from fairgift.creators import Catalogue, catalogue_path
from fairgift.deploy import deploy
from fairgift.deployments import Deployment, DeploymentStore

A = "0x1111111111111111111111111111111111111111"
B = "0x2222222222222222222222222222222222222222"
CONTRACTS = {"TipJar": "0x" + "34" * 20, "CreatorMarket": "0x" + "56" * 20}


def _record(genesis_byte: str) -> Deployment:
    return Deployment(31337, "0x" + genesis_byte * 32, 1, dict(CONTRACTS))


# ---------------------------------------------------------------- 1. the catalogue of names


def test_catalogue_is_keyed_to_its_deployment(tmp_path):
    store = DeploymentStore(tmp_path, throwaway=True)
    demo, console = _record("12"), _record("34")  # two throw-away anvils, both chain 31337
    Catalogue.for_record(demo, store).add("ava", A, "Ava")
    assert [c.name for c in Catalogue.for_record(demo, store).all()] == ["ava"]
    # the same file, read for another deployment: none of its names are that deployment's
    later = Catalogue.for_record(console, store)
    assert later.path == catalogue_path(store.path(31337))
    assert later.all() == [] and later.get("ava") is None and later.named(A) is None
    later.add("ben", B)  # the first name replaces the stale catalogue
    assert [c.name for c in Catalogue.for_record(console, store).all()] == ["ben"]
    assert Catalogue.for_record(demo, store).all() == []


def test_a_new_deployment_drops_the_old_names(owner, creators, fans, stranger, tmp_path):
    """The README's console lines after `make demo`: the demo's catalogue (ava -> its own creator)
    beside the record of its chain, then `deploy()` on a new throw-away chain with the same id and
    `fg.buy(fan, "AVA", "5")`: "AVA" is the new token's symbol, not the old chain's `ava`."""
    store = DeploymentStore(tmp_path / "deployments", throwaway=True)
    ava, fan = creators[0], fans[0]
    first = deploy(owner, store=store, fresh=True).record
    earlier = Deployment(first.chain_id, "0x" + "12" * 32, 1, first.contracts, first.network)
    store.save(earlier)  # the demo's record, of an anvil that has ended
    Catalogue.for_record(earlier, store).add("ava", stranger.address, "Ava")
    console = deploy(owner, store=store)  # the console's deploy(): a new record on this chain
    assert not console.reused
    assert not catalogue_path(console.path).exists()
    fg = FairGift(console.record, store=store)
    assert fg.creators().all() == []
    fg.mint(owner, ava, "10")
    fg.launch(ava, "Ava Social", "AVA", initial_buy="1")
    fg.mint(owner, fan, "10")
    assert fg.buy(fan, "AVA", "2").values["amount"] == 2 * 10**18
    # `ape run deploy --fresh` on a chain that stays: the names go with the replaced deployment
    Catalogue.for_record(console.record, store).add("ava", ava.address)
    store_kept = DeploymentStore(store.folder)  # as deployments/ of `make node`
    fresh = deploy(owner, store=store_kept, fresh=True)
    assert not fresh.reused and fresh.record.key != console.record.key
    assert not catalogue_path(fresh.path).exists()


def test_node_reset_and_git_forget_the_names():
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "node-reset"], cwd=ROOT, capture_output=True, text=True
    )
    assert dry.returncode == 0, dry.stderr
    assert "deployments/31337.creators.json" in dry.stdout.split()
    ignored = subprocess.run(
        ["git", "check-ignore", "deployments/31337.creators.json", "deployments/11155111.creators.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["deployments/31337.creators.json", "deployments/11155111.creators.json"]


# ---------------------------------------------------------------- 2. --account


def _account_command():
    # new in this change: imported here, so that before it only this test fails
    from fairgift.scripting import account_option

    @click.command()
    @account_option()
    def cmd(account):
        click.echo(f"signed by {account.address}")

    return cmd


def test_account_option_is_documented_and_refused_in_one_line(accounts):
    runner = CliRunner()
    helped = runner.invoke(_account_command(), ["--help"])
    help_text = " ".join(helped.output.split())
    assert "--account ACCOUNT Who signs: an Ape account alias (`ape accounts list`) or TEST::N" in help_text
    assert "Default on a local network: TEST::0 (the command says so on stderr)" in help_text
    for wrong, said in (("nosuch", "Account with alias 'nosuch' not found"), ("TEST::99", "Index '99'")):
        result = runner.invoke(_account_command(), ["--account", wrong])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: --account: {said}"), result.output
    ok = runner.invoke(_account_command(), ["--account", "TEST::3"])
    assert ok.exit_code == 0 and ok.output == f"signed by {accounts[3].address}\n"


# ---------------------------------------------------------------- 3. and 7. the Makefile


def test_make_help_names_the_port_of_serve():
    helped = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    serve = next(line for line in helped.stdout.splitlines() if line.split()[:2] == ["make", "serve"])
    assert "port 8000" in serve and 'SERVE_ARGS="--port 8001"' in serve


FAKE_TOOL = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


def _setup(folder, *present, link=False) -> tuple[list[str], str]:
    """Run `make setup`'s install rule in `folder` holding the pin files and `present` (made after
    the pins: up to date), with pip and npm replaced by stand-ins that log their calls: (the calls,
    make's output). `link`: node_modules is a link to a folder elsewhere, as in a git worktree."""
    log = folder / "calls.log"
    log.write_text("")
    for name in ("pyproject.toml", "constraints.txt", "package.json", "package-lock.json"):
        (folder / name).write_text("")
    for tool in (".venv/bin/pip", "tools/bin/npm"):  # tools/bin comes first on the Makefile's PATH
        path = folder / tool
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FAKE_TOOL.format(log=log))
        path.chmod(0o755)
    if link:
        (folder / "shared").mkdir()
        (folder / "node_modules").symlink_to(folder / "shared")
    for name in present:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if name == "node_modules" else path.write_text("")
    done = subprocess.run(
        ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), ".local/setup.stamp"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (folder / ".local/setup.stamp").exists()
    return log.read_text().splitlines(), done.stdout


@pytest.mark.parametrize(
    "present, npm_ci, pip",
    [
        ((".venv/bin/python",), 1, 1),  # a fresh clone: the stamp and node_modules are both due
        ((".venv/bin/python", ".local/setup.stamp"), 1, 1),  # node_modules alone is missing
        ((".venv/bin/python", "node_modules", ".local/setup.stamp"), 0, 0),  # a second `make`
    ],
)
def test_setup_runs_npm_ci_once(tmp_path, present, npm_ci, pip):
    calls, _ = _setup(tmp_path, *present)
    assert sum(call.startswith("npm ci") for call in calls) == npm_ci, calls
    assert sum(call.startswith("pip install") for call in calls) == pip, calls


def test_setup_leaves_a_linked_node_modules_alone(tmp_path):
    """A worktree whose node_modules links to another checkout's: a due stamp installs the Python
    side and says why npm is skipped (`npm ci` would empty the shared folder for every tree)."""
    calls, said = _setup(tmp_path, ".venv/bin/python", link=True)
    assert [call.split()[0] for call in calls] == ["pip"]
    assert "node_modules links to " in said and "a shared install: no npm ci here" in said
    assert (tmp_path / "node_modules").is_symlink()


# ---------------------------------------------------------------- 4. the demo's first step


class _Project:
    def __init__(self, compiled: bool, said: list):
        self.is_compiled, self.said = compiled, said

    def load_contracts(self):
        self.said.append("compiled")


@pytest.mark.parametrize("compiled", [False, True])
def test_demo_says_it_compiles_before_compiling(compiled):
    said: list[str] = []
    demo.compile_first(_Project(compiled, said), said.append)
    assert said == (["compiled"] if compiled else [demo.COMPILE_NOTE, "compiled"])
    assert "first run" in demo.COMPILE_NOTE


# ---------------------------------------------------------------- 5. one folder per deployment


def test_each_deployment_has_its_own_output_folder(owner, treasury, creators, fans, tmp_path):
    out = tmp_path / "out"
    node = deploy(owner, treasury=treasury.address, store=DeploymentStore(tmp_path / "a"), fresh=True)
    demo = deploy(owner, treasury=treasury.address, store=DeploymentStore(tmp_path / "b"), fresh=True)
    fg_node, fg_demo = FairGift(node.record), FairGift(demo.record)
    fg_demo.mint(owner, fans[0], "10")
    fg_demo.tip(fans[0], creators[0], "5")
    written = report.ledger_and_report(fg_demo, out).files
    folder = out / demo.record.key
    assert report.deployment_folder(out, demo.record) == folder
    assert {p.name for p in written} >= {"ledger.csv", "supporters.csv", "take_home.png"}
    assert all(p.parent == folder for p in written)
    before = {p.name: p.read_bytes() for p in written}
    report.ledger_and_report(fg_node, out)  # the node's ledger beside it
    assert sorted(p.name for p in out.iterdir()) == sorted([demo.record.key, node.record.key])
    assert {p.name: p.read_bytes() for p in written} == before  # nothing overwritten


# ---------------------------------------------------------------- 6. the take-home chart


def _texts(fig, gid):
    return [t for t in fig.findobj(lambda a: a.get_gid() == gid) if hasattr(t, "get_text")]


@pytest.mark.parametrize(
    "gross, fee_bps",
    [(865_350_000, 400), (100_000_000, 500), (1_234_567_890_000, 1000), (10_000, 250)],
)
def test_take_home_chart_agrees_with_the_report_and_marks_stay_clear(gross, fee_bps):
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox

    printed = report.table(gross, fee_bps)
    fig = report.take_home_figure(gross, fee_bps)
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        values = _texts(fig, report.GID_VALUE)
        rows = printed.splitlines()[1:]
        assert len(values) == len(rows) == 6
        for text in values:  # each figure is the table's, character for character
            shown = text.get_text()
            assert any(f" {shown} USDC " in row for row in rows), (shown, printed)
        if gross == 865_350_000:  # the demo's figures: 830.736 shown as the table's 830.73
            assert {t.get_text() for t in values} >= {"830.73", "279.14-412.07"}
        (spend_label,) = _texts(fig, report.GID_SPEND_LABEL)
        assert spend_label.get_text() == f"fans spent {report.money(gross)} USDC"
        assert f"For {report.money(gross)} USDC spent by fans" in printed

        def box(artist):
            return artist.get_window_extent(renderer)

        (spend,) = fig.findobj(lambda a: a.get_gid() == report.GID_SPEND)
        bars = [a for a in fig.findobj(lambda a: a.get_gid() == report.GID_BAR) if hasattr(a, "get_width")]
        ranges = fig.findobj(lambda a: a.get_gid() == report.GID_RANGE)
        assert len(bars) == 6 and len(ranges) == 1
        labels = [*values, spend_label]
        marks = [box(spend), *(box(r) for r in ranges)]
        for i, label in enumerate(labels):
            extent = box(label)
            for mark in marks:  # no label on the dotted line nor on a range
                assert not extent.overlaps(mark), (label.get_text(), mark)
            for other in labels[i + 1 :]:
                assert not extent.overlaps(box(other)), (label.get_text(), other.get_text())
        for text in values:  # each figure within its own bar, clear of every other bar
            extent = box(text)
            touched = [b for b in bars if box(b).overlaps(extent)]
            assert len(touched) == 1, text.get_text()
            own = box(touched[0])
            assert Bbox.intersection(own, extent).bounds == pytest.approx(extent.bounds), text.get_text()
    finally:
        plt.close(fig)
