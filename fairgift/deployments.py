"""Deployment records: which chain, which contracts. One `DeploymentStore` reads and writes them.

A record, `<folder>/<chain_id>.json`:

    {"chain_id": 31337, "genesis": "0x…", "block": 5, "network": "ethereum:local:node",
     "contracts": {"MockUSDC": "0x…", "TipJar": "0x…", "CreatorMarket": "0x…", "SplitFactory": "0x…"}}

`genesis` (the hash of block 0) names the chain: two local chains share an id (31337), never a
genesis. A record is only ever used on the chain it names; any other chain with the same id gets
one clear error instead of the wrong contracts.

Where records live (`DeploymentStore.for_provider`):
- a chain that outlives the command (a node you started, a public network): `deployments/` at the
  project root, or `$FAIRGIFT_DEPLOYMENTS`;
- a throw-away chain (an anvil Ape starts for one command, the in-process test chain):
  `out/deployments/`, so it can never replace a real record.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from fairgift.errors import FairGiftError

CONTRACT_NAMES = ("MockUSDC", "TipJar", "CreatorMarket", "SplitFactory")
REQUIRED_CONTRACTS = ("TipJar", "CreatorMarket", "SplitFactory")
LOCAL_CHAIN_IDS = frozenset({1337, 31337})  # geth --dev / ganache, anvil / hardhat
FOLDER_ENV = "FAIRGIFT_DEPLOYMENTS"
PERSISTENT_HINT = "`make node` starts a local chain that persists; use it with --network ethereum:local:node"


@dataclass(frozen=True)
class Deployment:
    """The FairGift contracts of one chain. `genesis` is the 0x hash of its block 0; `block` the
    first block of the deployment (events are read from there)."""

    chain_id: int
    genesis: str
    block: int
    contracts: dict[str, str] = field(default_factory=dict)
    network: str = ""  # informational: the network choice it was deployed with

    @property
    def key(self) -> str:
        """A short stable id of (chain id, genesis, address set): `31337-1f0c2a9b7e33`."""
        addresses = ",".join(sorted(a.lower() for a in self.contracts.values()))
        digest = hashlib.sha256(f"{self.chain_id}:{self.genesis.lower()}:{addresses}".encode()).hexdigest()
        return f"{self.chain_id}-{digest[:12]}"

    def describe(self) -> str:
        """ "chain 31337 (genesis 0x1234abcd…, deployed at block 5 via ethereum:local:node)"."""
        via = f" via {self.network}" if self.network else ""
        return (
            f"chain {self.chain_id} (genesis {short_hash(self.genesis)}, deployed at block {self.block}{via})"
        )

    def to_json(self) -> dict:
        data = {"chain_id": self.chain_id, "genesis": self.genesis, "block": self.block}
        if self.network:
            data["network"] = self.network
        data["contracts"] = dict(self.contracts)
        return data

    @classmethod
    def from_json(cls, data: dict, source: str = "record") -> Deployment:
        try:
            genesis = str(data["genesis"])
            record = cls(
                chain_id=int(data["chain_id"]),
                genesis=genesis,
                block=int(data["block"]),
                contracts={str(k): str(v) for k, v in dict(data["contracts"]).items()},
                network=str(data.get("network", "")),
            )
        except KeyError as err:
            if err.args == ("genesis",):
                raise FairGiftError(
                    f"{source} does not say which chain it is for (no genesis hash: written by an older "
                    "FairGift); deploy again with `ape run deploy --fresh`"
                ) from err
            raise FairGiftError(f"{source} is not a FairGift deployment record (no {err})") from err
        except (TypeError, ValueError) as err:
            raise FairGiftError(f"{source} is not a FairGift deployment record ({err})") from err
        if not (genesis.startswith("0x") and len(genesis) == 66):
            raise FairGiftError(f"{source} is not a FairGift deployment record (genesis {genesis!r})")
        return record

    @classmethod
    def here(cls, contracts: dict[str, str], block: int) -> Deployment:
        """A record of `contracts` on the connected chain (its id, genesis and network)."""
        from ape import chain

        network = chain.provider.network
        return cls(
            chain_id=int(chain.chain_id),
            genesis=genesis_hash(),
            block=int(block),
            contracts=dict(contracts),
            network=f"{network.ecosystem.name}:{network.name}:{chain.provider.name}",
        )


def short_hash(value: str) -> str:
    return value[:10] + "…" if len(value) > 10 else value


# ---------------------------------------------------------------------- the connected chain


def genesis_hash() -> str:
    """The 0x hash of the connected chain's block 0 (read each time: a node may have been reset)."""
    from ape import chain

    from fairgift.errors import translated

    with translated("reading the chain's genesis block"):
        value = chain.provider.get_block(0).hash
    return value.to_0x_hex() if hasattr(value, "to_0x_hex") else "0x" + bytes(value).hex()


def is_throwaway(provider=None) -> bool:
    """A chain that ends with this process: an anvil (or other node) Ape started itself, or the
    in-process test chain. A node reached by URL (`ethereum:local:node`, a public network) is not."""
    if provider is None:
        from ape import chain

        provider = chain.provider
    from ape.api import SubprocessProvider, TestProviderAPI

    if isinstance(provider, SubprocessProvider):
        return provider.process is not None
    return isinstance(provider, TestProviderAPI)


def is_local_network(network) -> bool:
    """Local networks (anvil, the in-process test chain, a local node): MockUSDC and minting are
    fine there. A node given by URI (an ad-hoc "custom" network) counts when it reports a
    development chain id (31337 anvil/hardhat, 1337 geth --dev / ganache)."""
    if network.name == "local" or getattr(network, "is_local", False):
        return True
    from ape import chain

    try:
        return network.name == "custom" and int(chain.chain_id) in LOCAL_CHAIN_IDS
    except Exception:  # noqa: BLE001 - not connected: not provably local
        return False


# ---------------------------------------------------------------------- the store


def project_root() -> Path:
    from ape import project

    return Path(project.path)


@dataclass(frozen=True)
class DeploymentStore:
    """The folder of deployment records, one file per chain id. `throwaway` stores belong to
    chains that end with the command: their records are scratch, replaced without asking."""

    folder: Path
    throwaway: bool = False

    @classmethod
    def for_provider(cls, provider=None, out_dir: Path | str | None = None) -> DeploymentStore:
        """The store for the connected chain: `out_dir`/deployments (default out/) for a
        throw-away chain, else `$FAIRGIFT_DEPLOYMENTS` or deployments/ at the project root."""
        if is_throwaway(provider):
            out = Path(out_dir) if out_dir is not None else project_root() / "out"
            return cls(out / "deployments", throwaway=True)
        if env := os.environ.get(FOLDER_ENV):
            return cls(Path(env))
        return cls(project_root() / "deployments")

    def path(self, chain_id: int) -> Path:
        return self.folder / f"{int(chain_id)}.json"

    def load(self, chain_id: int) -> Deployment | None:
        """The record filed under `chain_id`, whatever chain it names, or None."""
        file = self.path(chain_id)
        if not file.is_file():
            return None
        try:
            data = json.loads(file.read_text(encoding="utf8"))
        except json.JSONDecodeError as err:
            raise FairGiftError(f"{file} is not valid JSON ({err.msg} at line {err.lineno})") from err
        record = Deployment.from_json(data, source=str(file))
        if record.chain_id != int(chain_id):
            raise FairGiftError(f"{file} records chain {record.chain_id}, not {chain_id}")
        return record

    def save(self, record: Deployment) -> Path:
        """Write `record` atomically (a temporary file renamed over the old one)."""
        file = self.path(record.chain_id)
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(record.to_json(), indent=2) + "\n", encoding="utf8")
        tmp.replace(file)
        return file

    def find(self, chain_id: int, genesis: str) -> Deployment | None:
        """The record of the chain (`chain_id`, `genesis`), None when there is none, and an error
        when the file for `chain_id` belongs to another chain with the same id."""
        record = self.load(chain_id)
        if record is None or (self.throwaway and record.genesis.lower() != genesis.lower()):
            return None
        if record.genesis.lower() != genesis.lower():
            raise FairGiftError(
                f"{self.path(chain_id)} is the record of another {record.describe()}; the connected "
                f"chain has the same id but genesis {short_hash(genesis)}: connect to the chain the record "
                "is for, or deploy on this one with `ape run deploy --fresh` (it replaces the record)"
            )
        return record

    def require(self, chain_id: int, genesis: str) -> Deployment:
        record = self.find(chain_id, genesis)
        if record is not None:
            return record
        if self.throwaway:
            raise FairGiftError(
                f"no FairGift deployment on this throw-away chain (chain {chain_id}): it started with "
                f"this command and ends with it; {PERSISTENT_HINT}"
            )
        raise FairGiftError(
            f"no FairGift deployment on chain {chain_id} ({self.path(chain_id)} not found); "
            "run `ape run deploy` on this network first"
        )

    def connected(self) -> Deployment:
        """The record of the connected chain, checked against its id and genesis."""
        from ape import chain

        from fairgift.errors import translated

        with translated("connecting"):
            chain_id = int(chain.chain_id)
        return self.require(chain_id, genesis_hash())
