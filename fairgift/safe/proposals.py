"""Safe transactions waiting for signatures: one JSON file each, `<safe>-<nonce>.json`, in a
folder the owners share (default out/safe/). Pure data: no chain access here.

Why files and not ape-safe's transaction service: on a public chain ape-safe talks to Safe's
hosted service over the network, and on a local chain to an in-memory mock that is gone when
`ape run` exits; the owners' proposals here must outlive one process and work offline, so each
proposal is a file an owner can read, sign and pass on (or commit, or send to the next signer)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eth_utils import to_checksum_address

from fairgift.errors import FairGiftError


@dataclass
class Proposal:
    """A Safe transaction (a CALL with no value and no gas refund: what owner commands need), its
    EIP-712 hash as the Safe computes it, and the owners' signatures over that hash."""

    safe: str
    chain_id: int
    nonce: int
    to: str
    data: str  # 0x-hex calldata
    description: str  # what it does, in words, for the signers
    safe_tx_hash: str  # the Safe's getTransactionHash(...) for these fields
    signatures: dict[str, str] = field(default_factory=dict)  # owner -> 0x r|s|v (65 bytes)
    proposer: str = ""
    executed_tx: str | None = None  # the execTransaction's hash once executed

    @property
    def id(self) -> str:
        return f"{self.safe}-{self.nonce}"


class ProposalStore:
    """The proposals of every Safe in `folder`."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def path(self, proposal_id: str) -> Path:
        return self.folder / f"{proposal_id}.json"

    def save(self, proposal: Proposal) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(proposal.id)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(proposal), indent=2) + "\n")
        tmp.replace(path)  # a reader never sees half a file
        return path

    def load(self, proposal_id: str) -> Proposal:
        proposal_id = normalise_id(proposal_id)
        path = self.path(proposal_id)
        if not path.is_file():
            known = ", ".join(p.id for p in self.all()) or "none"
            raise FairGiftError(f"no Safe proposal {proposal_id} in {self.folder} (known: {known})")
        try:
            return Proposal(**json.loads(path.read_text()))
        except (ValueError, TypeError) as err:
            raise FairGiftError(f"{path} is not a Safe proposal: {err}") from err

    def all(self, safe: str | None = None) -> list[Proposal]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("0x*-*.json")):
            try:
                found.append(Proposal(**json.loads(path.read_text())))
            except (ValueError, TypeError):
                continue  # not ours: `load` names it if asked for by id
        if safe is not None:
            safe = to_checksum_address(safe)
            found = [p for p in found if p.safe == safe]
        return sorted(found, key=lambda p: (p.safe, p.nonce))


def normalise_id(proposal_id: str) -> str:
    """`<safe>-<nonce>` with the Safe's address checksummed (users paste it in any case)."""
    safe, sep, nonce = proposal_id.strip().removesuffix(".json").rpartition("-")
    if not sep or not nonce.isdigit():
        raise FairGiftError(f"a proposal id is <safe address>-<nonce>, not {proposal_id!r}")
    try:
        return f"{to_checksum_address(Path(safe).name)}-{int(nonce)}"
    except ValueError as err:
        raise FairGiftError(f"a proposal id is <safe address>-<nonce>, not {proposal_id!r}") from err
