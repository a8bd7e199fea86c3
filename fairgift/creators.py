"""The operator's catalogue of creators: short names for creator pages (`/c/ava` instead of
`/c/0x…`), one JSON file next to the deployment record it belongs to.

    deployments/<record>.json            the deployment record
    deployments/<record>.creators.json   {"deployment": "31337-1f0c2a9b7e33",
                                          "creators": {"ava": {"address": "0x…", "label": "Ava"}, …}}

Being beside the record, the catalogue follows it: a throw-away chain's record (and catalogue) never
touches a real one's. It is also keyed to its deployment (`Deployment.key`: chain id, genesis hash,
contracts): two throw-away anvils share chain id 31337 and so the file, and the names of the last
one's creators must not resolve on the next (there, "AVA" would name the old `ava` before the new
token's symbol). A catalogue keyed to another deployment reads as empty and the first `add`
replaces it; a deployment written anew (`ape run deploy --fresh`, a new throw-away chain) deletes
the old one (`fairgift.deploy.execute`), and so does `make node-reset`. The files are git-ignored
(operator data); a public chain's catalogue can still be committed with `git add -f`. The
`ape run fairgift creators` command manages it; the page reads it. A name is 1 to 32 lowercase
letters, digits, `-` or `_`, starting with a letter or digit (it goes into URLs as it is); any
address can also be used directly in a URL, registered or not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from eth_utils import is_address, to_checksum_address

from fairgift.errors import FairGiftError

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_LABEL = 64


@dataclass(frozen=True)
class Creator:
    name: str
    address: str
    label: str

    def to_json(self) -> dict:
        return {"name": self.name, "address": self.address, "label": self.label}


def catalogue_path(record_file: Path | str) -> Path:
    """Where the catalogue of the deployment recorded in `record_file` lives."""
    record_file = Path(record_file)
    return record_file.with_name(record_file.stem + ".creators.json")


def check_name(name: str) -> str:
    text = str(name).strip().lower()
    if is_address(text):
        raise FairGiftError(f"{name!r} is an address; a creator's name is a short word like 'ava'")
    if not NAME.match(text):
        raise FairGiftError(
            f"{name!r} is not a creator name: 1 to 32 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return text


class Catalogue:
    """The creators registered for one deployment. Reads are cheap; writes are atomic."""

    def __init__(self, path: Path | str, deployment: str | None = None):
        self.path = Path(path)
        # The key of the deployment the names are for (`Deployment.key`); None: whatever the
        # file holds (a catalogue written before the key existed is taken as it is).
        self.deployment = deployment
        self._mtime: float | None = None
        self._creators: dict[str, Creator] = {}

    @classmethod
    def beside(cls, record_file: Path | str) -> Catalogue:
        return cls(catalogue_path(record_file))

    @classmethod
    def for_record(cls, record, store=None) -> Catalogue:
        """The catalogue of a deployment record, beside it in `store` (default: the store of the
        connected chain, `fairgift.deployments.DeploymentStore.for_provider()`)."""
        from fairgift.deployments import DeploymentStore

        store = store or DeploymentStore.for_provider()
        return cls(catalogue_path(store.path(record.chain_id)), record.key)

    def _load(self) -> dict[str, Creator]:
        # Re-read when the file changed, so a running service sees `creators add` at once.
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._mtime, self._creators = None, {}
            return self._creators
        if mtime == self._mtime:
            return self._creators
        try:
            data = json.loads(self.path.read_text(encoding="utf8"))
            owner = data.get("deployment")
            if owner is not None and self.deployment is not None and owner != self.deployment:
                data = {"creators": {}}  # another deployment's names: none of them are ours
            entries = dict(data["creators"])
            creators = {}
            for name, entry in entries.items():
                creators[check_name(name)] = Creator(
                    check_name(name), to_checksum_address(entry["address"]), str(entry.get("label") or name)
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, FairGiftError) as err:
            raise FairGiftError(f"{self.path} is not a catalogue of creators ({err})") from err
        self._mtime, self._creators = mtime, creators
        return creators

    def all(self) -> list[Creator]:
        return sorted(self._load().values(), key=lambda c: c.name)

    def get(self, name: str) -> Creator | None:
        return self._load().get(str(name).strip().lower())

    def named(self, address: str) -> Creator | None:
        """The first registered name of `address`, if any."""
        address = to_checksum_address(address)
        return next((c for c in self.all() if c.address == address), None)

    def add(self, name: str, address: str, label: str | None = None) -> Creator:
        name = check_name(name)
        if not is_address(str(address)):
            raise FairGiftError(f"{address!r} is not an address")
        label = " ".join(str(label or name).split())
        if not label or len(label) > MAX_LABEL:
            raise FairGiftError(f"a creator's label has 1 to {MAX_LABEL} characters")
        creators = dict(self._load())
        if name in creators and creators[name].address != to_checksum_address(address):
            raise FairGiftError(
                f"{name!r} is already {creators[name].address}; remove it first to point it elsewhere"
            )
        creators[name] = Creator(name, to_checksum_address(address), label)
        self._save(creators)
        return creators[name]

    def remove(self, name: str) -> Creator:
        creators = dict(self._load())
        key = str(name).strip().lower()
        if key not in creators:
            known = ", ".join(sorted(creators)) or "none"
            raise FairGiftError(f"no creator named {name!r} (registered: {known})")
        removed = creators.pop(key)
        self._save(creators)
        return removed

    def _save(self, creators: dict[str, Creator]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {} if self.deployment is None else {"deployment": self.deployment}
        body["creators"] = {n: {"address": c.address, "label": c.label} for n, c in sorted(creators.items())}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf8")
        tmp.replace(self.path)
        self._mtime = None
