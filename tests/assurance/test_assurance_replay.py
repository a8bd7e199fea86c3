"""A failure replays exactly from its seed (issue 14).

The fee machine with a deliberately false property that depends on chain time switched on
(`FAIRGIFT_PLANTED_FAILURE=fee-never-rises`: "the fee never rises", false once an increase is
scheduled and its date has come) runs twice, in two `ape test` subprocesses with the same
`FAIRGIFT_SEED`, the second with random wall-clock pauses of up to 1.1 s after its steps
(`FAIRGIFT_STEP_DELAY`), i.e. with blocks that the wall clock would have put in other seconds. Both
must fail on that property, without any flakiness report, and print the same minimal steps and the
same replay note.

It takes minutes (two `ape test` sessions that each find, then shrink, the failure, one of them with
30 s of pauses), so it runs with the fuzz profile (`make fuzz`), not in `make test`'s CI profile.
Run it alone with `make fuzz APE_TEST_ARGS=tests/assurance/test_assurance_replay.py`.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest
from machinery import ANVIL_ONLY, profile_name

pytestmark = [
    pytest.mark.anvil_only(ANVIL_ONLY),
    pytest.mark.skipif(
        profile_name() != "fuzz",
        reason="minutes long: runs with the fuzz profile (make fuzz), not in the CI profile",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261130  # fixed: this test must find the planted failure every time (it does within 30 examples)
STEP_RE = re.compile(r"^E?\s*(state(?: = |\.)\S.*)$", re.M)  # the steps hypothesis prints


def run_planted_failure(extra_env: dict) -> tuple[int, str]:
    env = dict(os.environ)
    env.update(
        FAIRGIFT_PLANTED_FAILURE="fee-never-rises",
        FAIRGIFT_SEED=str(SEED),
        FAIRGIFT_HYPOTHESIS_PROFILE="ci",
        FAIRGIFT_EXAMPLES="30",
        FAIRGIFT_STEPS="6",
        PYTHONPATH=str(ROOT),
        **extra_env,
    )
    env.pop("PYTEST_CURRENT_TEST", None)  # the child is a pytest session of its own
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


@pytest.mark.fuzz
@pytest.mark.slow
def test_a_failure_replays_identically_from_its_seed():
    runs = [run_planted_failure({}), run_planted_failure({"FAIRGIFT_STEP_DELAY": "1.1"})]
    steps = []
    for returncode, output in runs:
        assert returncode != 0, output[-3000:]
        assert "planted failure (FAIRGIFT_PLANTED_FAILURE=fee-never-rises)" in output, output[-3000:]
        assert "Flaky" not in output, output[-3000:]
        assert f"replay: FAIRGIFT_SEED={SEED} " in output
        found = "\n".join(STEP_RE.findall(output))
        assert found.startswith("state = FeeMachine()") and found.endswith("state.teardown()"), output[-3000:]
        steps.append(found)
    assert steps[0] == steps[1], f"different minimal steps:\n{steps[0]}\n---\n{steps[1]}"
    # The minimal example is a real sequence: an increase, then time reaching its date.
    assert re.search(r"state\.schedule\(bps=\d+\)", steps[0]), steps[0]
    assert re.search(r"state\.(time_passes|warp_to_boundary)\(", steps[0]), steps[0]
