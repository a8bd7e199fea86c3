"""Tooling fixtures: a deployment through the Python API on the test chain, and a separately
started anvil with a keystore account in a temporary Ape data folder for the `ape run` CLIs."""

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tooling_env import ROOT, base_env

from fairgift.api import FairGift
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rpc(uri: str, method: str, params=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(uri, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())["result"]


class Node:
    """An anvil process and what `ape run` needs to use it with a keystore account."""

    def __init__(self, uri: str, env: dict, keystore_address: str, deployments: Path, out: Path):
        self.uri, self.env, self.keystore_address = uri, env, keystore_address
        self.deployments, self.out = deployments, out

    def network_args(self) -> list[str]:
        # Ape's node provider on the local network; `env` points it at this anvil through
        # APE_NODE_ETHEREUM (default http://127.0.0.1:8545 with chain id 1337).
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
    port = _free_port()
    uri = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(ROOT / "node_modules/.bin/anvil"), "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _rpc(uri, "eth_chainId")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # A keystore account in a temporary Ape data folder (the format `ape accounts import`
        # writes), funded because anvil funds the first accounts of its default mnemonic.
        data = tmp / "ape"
        (data / "accounts").mkdir(parents=True)
        (data / "packages").symlink_to(ROOT / ".local/ape/packages")
        Account.enable_unaudited_hdwallet_features()
        key = Account.from_mnemonic(ANVIL_MNEMONIC, account_path="m/44'/60'/0'/0/9")
        keyfile = Account.encrypt(key.key, KEYSTORE_PASSPHRASE)
        (data / "accounts" / f"{KEYSTORE_ALIAS}.json").write_text(json.dumps(keyfile))
        env = base_env(tmp)
        env["APE_DATA_FOLDER"] = str(data)
        env["APE_NODE_ETHEREUM"] = json.dumps({"local": {"uri": uri, "chain_id": 31337}})
        env[f"APE_ACCOUNTS_{KEYSTORE_ALIAS}_PASSPHRASE"] = KEYSTORE_PASSPHRASE
        yield Node(uri, env, key.address, tmp / "deployments", tmp / "out")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
