"""Paths and the environment the tooling tests give `ape run` subprocesses."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def base_env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(
        PATH=f"{ROOT}/tools/bin:{ROOT}/node_modules/.bin:{ROOT}/.venv/bin:{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        SOLCX_BINARY_PATH=str(ROOT / ".local/solcx"),
        MPLCONFIGDIR=str(ROOT / ".local/mpl"),
        FAIRGIFT_DEPLOYMENTS=str(tmp / "deployments"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env
