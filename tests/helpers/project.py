"""The project's root and the environment its tools need when a test runs them as subprocesses."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tool_env(**overrides: str) -> dict:
    """The Makefile's environment (project-local toolchain and data folders) over this process's."""
    env = dict(os.environ)
    env.update(
        PATH=f"{ROOT}/node_modules/.bin:{ROOT}/.venv/bin:{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        APE_DATA_FOLDER=str(ROOT / ".local/ape"),
        SOLCX_BINARY_PATH=str(ROOT / ".local/solcx"),
        MPLCONFIGDIR=str(ROOT / ".local/mpl"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env
