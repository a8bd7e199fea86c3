"""The index bot (`silverback run`) as a separate process on the test session's anvil. (`ape run
fairgift serve` as a process is `fairgift.bench.harness.ServeProcess`, shared with `make bench`.)"""

from __future__ import annotations

from pathlib import Path

from fairgift.bench.harness import ChildProcess, ape_env


class BotProcess(ChildProcess):
    """`silverback run … index` (the index bot of bots/index.py) as a separate process."""

    stem = "bot"

    def __init__(self, node_uri: str, deployments: Path, db_url: str, log_dir: Path):
        super().__init__(log_dir)
        self.node_uri, self.deployments, self.db_url = node_uri, deployments, db_url

    def start(self) -> None:
        """Start without waiting (the caller watches the index's cursor)."""
        cmd = ["silverback", "run", "--network", "ethereum:local:node"]
        cmd += ["--runner", "fairgift.index.follow:FollowRunner", "index"]
        # silverback's CLI writes ~/.silverback/profile.toml (Path.home()): a home of its own
        home = self.log_dir / "home"
        home.mkdir(exist_ok=True)
        self.launch(
            cmd, ape_env(self.node_uri, self.deployments, FAIRGIFT_DB_URL=self.db_url, HOME=str(home))
        )

    def running(self) -> bool:
        """Past its startup catch-up and following new blocks."""
        return self.alive() and "Startup complete" in self.current_log()

    def stop(self, timeout: float = 60.0) -> int | None:
        return super().stop(timeout)
