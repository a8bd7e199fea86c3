"""The index bot (`silverback run`) as a separate process on the test session's anvil. (`ape run
fairgift serve` as a process is `fairgift.bench.harness.ServeProcess`, shared with `make bench`.)"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from fairgift.bench.harness import ROOT, ape_env


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
