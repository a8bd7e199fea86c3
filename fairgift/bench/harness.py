"""What the benchmark and the tests share to run the services around a chain: free ports, an app
served by uvicorn in a thread, `ape run fairgift serve` in its own process, JSON over HTTP, a
plain anvil, and the headless Chromium that `make setup` unpacked. (Part of the product: `make
bench` runs on it; tests/page and tests/services import it rather than keep copies.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

# the headless Chromium lives a floor below (the rehearsal opens the page with it too); kept
# importable from here, where the benchmark and the page tests have always found it
from fairgift.browser import chromium as chromium

ROOT = Path(__file__).resolve().parents[2]


def free_socket() -> socket.socket:
    """A socket bound to a free local port (handed to uvicorn: no race for the port)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    """A local port free now (for a process that binds it itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, timeout: float = 30.0):
    """`app` served by uvicorn in a thread of this process on a free port; yields the base URL."""
    import uvicorn

    sock = free_socket()
    # (as `serve` does: X-Forwarded-For is the guard's to believe or not, not uvicorn's)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service's server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def request_json(method: str, url: str, body: dict | None = None, timeout: float = 30.0):
    """(status, decoded JSON body) of a request, 4xx and 5xx included."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data, {"Content-Type": "application/json"}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def get(url: str, timeout: float = 5.0):
    return request_json("GET", url, timeout=timeout)


def post(url: str, body: dict, timeout: float = 10.0):
    return request_json("POST", url, body, timeout=timeout)


def ape_env(node_uri: str, deployments: Path, chain_id: int = 31337, **extra) -> dict:
    """The environment of an `ape`/`silverback` subprocess on the node at `node_uri` (as
    `ethereum:local:node`), reading deployment records from `deployments`; nothing outside the
    project is written."""
    env = dict(os.environ)
    env.update(
        PATH=f"{ROOT}/tools/bin:{ROOT}/node_modules/.bin:{ROOT}/.venv/bin:{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        APE_DATA_FOLDER=str(ROOT / ".local/ape"),
        SOLCX_BINARY_PATH=str(ROOT / ".local/solcx"),
        MPLCONFIGDIR=str(ROOT / ".local/mpl"),
        PYTHONDONTWRITEBYTECODE="1",
        FAIRGIFT_DEPLOYMENTS=str(deployments),
        APE_NODE_ETHEREUM=json.dumps({"local": {"uri": node_uri, "chain_id": chain_id}}),
    )
    env.pop("FAIRGIFT_FAULTS", None)
    env.update(extra)
    return env


class ChildProcess:
    """A program of the project in its own process, its output in `log_dir/<stem>-N.log` (N counts
    the starts, so a restart keeps the earlier logs): the one place the bench and the tests
    start, kill and stop such processes."""

    stem = "process"

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self._log = None

    def launch(self, cmd: list[str], env: dict) -> None:
        self.starts += 1
        self._log = open(self.log_dir / f"{self.stem}-{self.starts}.log", "w")  # noqa: SIM115 - closed in _close
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, like a power cut of the process."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self._close()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (SIGKILL after `timeout`); the exit status (None if never started)."""
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
        if self._log is not None:
            self._log.close()
            self._log = None

    def current_log(self) -> str:
        """The output of the latest start."""
        path = self.log_dir / f"{self.stem}-{self.starts}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_text(self) -> str:
        """The output of every start, in order."""
        paths = [self.log_dir / f"{self.stem}-{n}.log" for n in range(1, self.starts + 1)]
        return "\n".join(p.read_text(errors="replace") for p in paths if p.exists())


class ServeProcess(ChildProcess):
    """`ape run fairgift serve` in its own process on a free port, one at a time: `start()` again
    after `kill()` is a restart on the same database. Its output goes to `log_dir/serve-N.log`."""

    stem = "serve"

    def __init__(self, node_uri: str, deployments: Path, db_url: str, log_dir: Path, args=(), chain_id=31337):
        super().__init__(log_dir)
        self.node_uri, self.deployments, self.db_url, self.chain_id = node_uri, deployments, db_url, chain_id
        self.args = list(args)
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, faults: str = "", timeout: float = 90.0) -> None:
        """Start and wait until `/api/health` answers. With `faults` (FAIRGIFT_FAULTS), a process
        that reaches its crash point while starting returns here too (the caller sees it exited)."""
        from fairgift.relayer.faults import EXIT_STATUS

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
        extra = {"FAIRGIFT_FAULTS": faults} if faults else {}
        env = ape_env(self.node_uri, self.deployments, self.chain_id, **extra)
        self.launch(cmd, env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                if faults and self.proc.returncode == EXIT_STATUS:
                    return
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.log_text()[-2000:]}")
            try:
                if get(self.url + "/api/health", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer within {timeout} s: {self.log_text()[-2000:]}")


@contextmanager
def plain_anvil(workdir: Path):
    """An anvil on a free port (default mnemonic, chain id 31337 as `make node`, no step tracing);
    yields its URL, stopped after."""
    port = free_port()
    log_file = open(workdir / "anvil.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(ROOT / "tools" / "bin" / "anvil"), "--port", str(port), "--chain-id", "31337", "--silent"],
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
                req = urllib.request.Request(uri, body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=1):
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.1)
        yield uri
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()
