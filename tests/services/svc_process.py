"""`ape run fairgift serve` as a separate process on the test session's anvil, for the fault tests:
started on a random free port, killed with SIGKILL at will, restarted on the same database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAULT_EXIT = 86  # fairgift.relayer.faults.EXIT_STATUS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ape_env(node_uri: str, deployments: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        PATH=f"{ROOT}/tools/bin:{ROOT}/node_modules/.bin:{ROOT}/.venv/bin:{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        APE_DATA_FOLDER=str(ROOT / ".local/ape"),
        SOLCX_BINARY_PATH=str(ROOT / ".local/solcx"),
        MPLCONFIGDIR=str(ROOT / ".local/mpl"),
        PYTHONDONTWRITEBYTECODE="1",
        FAIRGIFT_DEPLOYMENTS=str(deployments),
        APE_NODE_ETHEREUM=json.dumps({"local": {"uri": node_uri, "chain_id": 31337}}),
    )
    env.pop("FAIRGIFT_FAULTS", None)
    env.update(extra)
    return env


class ServiceProcess:
    """One `serve` process at a time; `start()` again after `kill()` is a restart."""

    def __init__(self, node_uri: str, deployments: Path, db_url: str, log_dir: Path, args=()):
        self.node_uri, self.deployments, self.db_url = node_uri, deployments, db_url
        self.log_dir, self.args = log_dir, list(args)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, faults: str = "", timeout: float = 90.0) -> None:
        self.starts += 1
        log = open(self.log_dir / f"serve-{self.starts}.log", "w")  # noqa: SIM115 - closed with the process
        cmd = [
            "ape",
            "run",
            "fairgift",
            "serve",
            "--network",
            "ethereum:local:node",
            "--port",
            str(self.port),
        ]
        cmd += ["--db", self.db_url, *self.args]
        env = ape_env(self.node_uri, self.deployments, **({"FAIRGIFT_FAULTS": faults} if faults else {}))
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._log = log
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                if faults and self.proc.returncode == FAULT_EXIT:
                    return  # it reached its crash point while starting (reconciling): the caller sees it
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.log_text()[-2000:]}")
            try:
                if get(self.url + "/api/health", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer within {timeout} s: {self.log_text()[-2000:]}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, like a power cut of the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self._close()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (SIGKILL after `timeout`)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._close()
        return self.proc.returncode

    def _close(self):
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("serve-*.log")))


def get(url: str, timeout: float = 5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def post(url: str, body: dict, timeout: float = 10.0):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


class BotProcess:
    """`silverback run … index` (the index bot of bots/index.py) as a separate process."""

    def __init__(self, node_uri: str, deployments: Path, db_url: str, log_dir: Path):
        self.node_uri, self.deployments, self.db_url, self.log_dir = node_uri, deployments, db_url, log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self._log = None

    def start(self) -> None:
        """Start without waiting (the caller watches the index's cursor)."""
        self.starts += 1
        self._log = open(self.log_dir / f"bot-{self.starts}.log", "w")  # noqa: SIM115
        cmd = ["silverback", "run", "--network", "ethereum:local:node"]
        cmd += ["--runner", "fairgift.index.follow:FollowRunner", "index"]
        # silverback's CLI writes ~/.silverback/profile.toml (Path.home()): a home of its own
        home = self.log_dir / "home"
        home.mkdir(exist_ok=True)
        env = ape_env(self.node_uri, self.deployments, FAIRGIFT_DB_URL=self.db_url, HOME=str(home))
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def running(self) -> bool:
        """Past its startup catch-up and following new blocks."""
        path = self.log_dir / f"bot-{self.starts}.log"
        return self.alive() and "Startup complete" in path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        if self._log:
            self._log.close()
            self._log = None

    def stop(self, timeout: float = 60.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        if self._log:
            self._log.close()
            self._log = None
        return self.proc.returncode

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("bot-*.log")))
