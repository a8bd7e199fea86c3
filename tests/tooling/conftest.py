"""Tooling fixtures: a deployment through the Python API on the test chain, and a separately
started anvil with a keystore account in a temporary Ape data folder for the `ape run` CLIs."""

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tooling_env import ROOT, base_env

from fairgift.api import FairGift
from fairgift.bench.harness import free_port
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
KEYSTORE_ALIAS = "fgdeployer"
KEYSTORE_PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def fg_store(tmp_path_factory):
    """A store for the test chain's records, as for a chain that persists (records are kept)."""
    return DeploymentStore(tmp_path_factory.mktemp("deployments"))


@pytest.fixture(scope="module")
def fg(owner, treasury, fg_store):
    deployed = deploy(owner, treasury=treasury.address, store=fg_store, fresh=True)
    return FairGift(deployed.record)


@pytest.fixture(scope="module")
def fg_fans(fans, fg, owner):
    """The fans, each holding 1,000 USDC of the `fg` deployment's MockUSDC."""
    for fan in fans:
        fg.mint(owner, fan, "1000")  # fg.usdc is IStablecoin: minting goes through the mock
    return fans


# ---------------------------------------------------------------- a separate anvil + keystore


def _rpc(uri: str, method: str, params=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(uri, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())["result"]


class Node:
    """A local chain started with `make node` (on a free port, its state in a temporary folder),
    and what `ape run` needs to use it with a keystore account."""

    def __init__(
        self, port: int, state: Path, env: dict, keystore_address: str, deployments: Path, out: Path
    ):
        self.port, self.state, self.env, self.keystore_address = port, state, env, keystore_address
        self.uri = f"http://127.0.0.1:{port}"
        self.deployments, self.out = deployments, out
        self.proc: subprocess.Popen | None = None

    def start(self):
        self.proc = subprocess.Popen(
            ["make", "--no-print-directory", "node", f"NODE_PORT={self.port}", f"NODE_DIR={self.state}"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: make and anvil get the Ctrl-C
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                _rpc(self.uri, "eth_chainId")
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)

    def stop(self):
        """Ctrl-C, as a user stops `make node`: anvil writes its state on the way out."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def network_args(self) -> list[str]:
        # Ape's node provider on the local network: 127.0.0.1:8545 with chain id 31337 by the
        # project's config; `env` moves it to this node's port through APE_NODE_ETHEREUM.
        return ["--network", "ethereum:local:node"]

    def ape_run(self, *args, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ape", "run", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def cli(self, *args, env: dict | None = None) -> subprocess.CompletedProcess:
        return self.ape_run("fairgift", *args, *self.network_args(), env=env)

    def rpc(self, method: str, params=None):
        return _rpc(self.uri, method, params)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    from eth_account import Account

    tmp = tmp_path_factory.mktemp("node")
    # A keystore account in a temporary Ape data folder (the format `ape accounts import` writes),
    # funded because anvil funds the first accounts of its default mnemonic.
    data = tmp / "ape"
    (data / "accounts").mkdir(parents=True)
    (data / "packages").symlink_to(ROOT / ".local/ape/packages")
    Account.enable_unaudited_hdwallet_features()
    key = Account.from_mnemonic(ANVIL_MNEMONIC, account_path="m/44'/60'/0'/0/9")
    keyfile = Account.encrypt(key.key, KEYSTORE_PASSPHRASE)
    (data / "accounts" / f"{KEYSTORE_ALIAS}.json").write_text(json.dumps(keyfile))
    env = base_env(tmp)
    env["APE_DATA_FOLDER"] = str(data)
    port = free_port()
    # Only the address: the chain id (31337, anvil's) comes from the project's ape-config.yaml.
    env["APE_NODE_ETHEREUM"] = json.dumps({"local": {"uri": f"http://127.0.0.1:{port}"}})
    env[f"APE_ACCOUNTS_{KEYSTORE_ALIAS}_PASSPHRASE"] = KEYSTORE_PASSPHRASE
    chain = Node(port, tmp / "state", env, key.address, tmp / "deployments", tmp / "out")
    try:
        chain.start()
        yield chain
    finally:
        chain.stop()
