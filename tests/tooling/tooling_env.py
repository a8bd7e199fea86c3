"""Paths and the environment the tooling tests give `ape run` subprocesses: the Makefile's own
(`make env`: every tool's folder inside the project), so what a subprocess does here is what a
user's `make`/`ape` does."""

import functools
import os
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def make_env() -> dict:
    """The variables the Makefile exports (`make -s env`)."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "env"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    env = {}
    for line in out.splitlines():
        name, _, value = shlex.split(line.removeprefix("export "))[0].partition("=")
        env[name] = value
    return env


def base_env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(make_env())
    env.update(
        PATH=f"{ROOT}/tools/bin:{ROOT}/node_modules/.bin:{ROOT}/.venv/bin:{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        SOLCX_BINARY_PATH=str(ROOT / ".local/solcx"),
        MPLCONFIGDIR=str(ROOT / ".local/mpl"),
        FAIRGIFT_DEPLOYMENTS=str(tmp / "deployments"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def empty_home(tmp: Path) -> Path:
    """A folder to give subprocesses as HOME: it must still be empty after them."""
    home = tmp / "home"
    home.mkdir(parents=True, exist_ok=True)
    return home


def written(home: Path) -> list[str]:
    """What was written under `home` (relative paths), for an assertion that it is nothing."""
    return sorted(str(p.relative_to(home)) for p in home.rglob("*"))
