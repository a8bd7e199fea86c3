"""Assurance area: hostile mocks as fixtures, and the end-of-run summary of what the property
tests (examples, steps per state machine) and the hostile-environment tests ran.

A test module whose tests are hostile-environment cases sets `pytestmark = pytest.mark.hostile`;
every such case that runs is counted (by outcome) in the summary.
"""

import machinery
import pytest
from machinery import STATS


def pytest_configure(config):
    """Progress lines of the state machines go to the terminal, around pytest's output capture."""
    capture = config.pluginmanager.getplugin("capturemanager")

    def sink(line: str) -> None:
        terminal = config.pluginmanager.getplugin("terminalreporter")
        if terminal is None:
            return
        if capture is None:
            terminal.write_line(line)
            return
        with capture.global_and_fixture_disabled():
            terminal.write_line(line)

    machinery.progress_sink = sink


def pytest_runtest_logreport(report):
    if "hostile" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        STATS.hostile["xfailed" if hasattr(report, "wasxfail") else report.outcome] += 1


def pytest_terminal_summary(terminalreporter):
    if not STATS.examples and not STATS.hostile:
        return
    terminalreporter.section("FairGift assurance")
    for line in STATS.summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture
def usdt(project, owner):
    """USDT-like: no return value on transfer/transferFrom/approve."""
    return owner.deploy(project.NoReturnToken)


@pytest.fixture
def false_token(project, owner):
    """Returns false instead of reverting."""
    return owner.deploy(project.FalseReturnToken)


@pytest.fixture
def reentrant_token(project, owner):
    """Calls back into a target with chosen calldata during transfer/transferFrom."""
    return owner.deploy(project.ReentrantToken)


@pytest.fixture
def rejecting(project, owner):
    """A contract that reverts on any incoming call or ETH; `owner` operates it."""
    return owner.deploy(project.RevertingReceiver, owner)
