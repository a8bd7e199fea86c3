"""A failure replays exactly from its seed (issue 14).

The fee machine with a deliberately false property switched on (`FAIRGIFT_PLANTED_FAILURE=
fee-above-500`: "the fee never exceeds 500 bps") runs twice, in two `ape test` subprocesses with
the same `FAIRGIFT_SEED` (this run's seed), the second with random wall-clock pauses of up to
1.1 s after every step (`FAIRGIFT_STEP_DELAY`), i.e. with blocks that the wall clock would have put
in other seconds. Both must fail on that property, without any flakiness report, and print the
same minimal steps, the same seed and the same replay hint.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest
from machinery import run_seed

ROOT = Path(__file__).resolve().parents[2]
STEPS_RE = re.compile(r"^Falsifying example:\n(.*?^state\.teardown\(\))$", re.S | re.M)


def run_planted_failure(extra_env: dict) -> tuple[int, str]:
    env = dict(os.environ)
    env.update(
        FAIRGIFT_PLANTED_FAILURE="fee-above-500",
        FAIRGIFT_SEED=str(run_seed()),
        FAIRGIFT_HYPOTHESIS_PROFILE="ci",
        FAIRGIFT_EXAMPLES="40",
        FAIRGIFT_STEPS="8",
        PYTHONPATH=str(ROOT),
        **extra_env,
    )
    env.pop(
        "PYTEST_CURRENT_TEST", None
    )  # the child is a fresh pytest session, not a continuation of this one
    test = "tests/assurance/test_assurance_fee_machine.py::test_fee_primitive_state_machine"
    done = subprocess.run(
        ["ape", "test", test, "-p", "no:cacheprovider", "-q", "--tb=short", "--color=no"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow
def test_a_failure_replays_identically_from_its_seed():
    runs = [run_planted_failure({}), run_planted_failure({"FAIRGIFT_STEP_DELAY": "1.1"})]
    steps = []
    for returncode, output in runs:
        assert returncode != 0, output[-3000:]
        assert "planted failure (FAIRGIFT_PLANTED_FAILURE=fee-above-500)" in output, output[-3000:]
        assert "Flaky" not in output, output[-3000:]
        assert f"replay: FAIRGIFT_SEED={run_seed()} " in output
        found = STEPS_RE.findall(output)
        assert len(found) == 1, output[-3000:]
        steps.append(found[0])
    assert steps[0] == steps[1], f"different minimal steps:\n{steps[0]}\n---\n{steps[1]}"
    # The minimal example is a real sequence: an increase above 500, then its delay running out.
    assert re.search(r"state\.schedule\(bps=\d+\)", steps[0]), steps[0]
