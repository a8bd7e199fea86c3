"""What every view reads through: the chain at one block, cached until the next.

The block a request reads at (one cheap `eth_blockNumber` per request decides whether what was read
is still current), values fixed for the deployment's life read once, the fees' schedules
(`FairGift.fee_schedule`), the jar's gift catalogue (`FairGift.gifts`) and a creator's launched
token, all read with `fairgift.chain.Reads` (view calls batched at one block). Chain access is
serialized by `lock`: Ape objects are shared by the service's threads.
"""

from __future__ import annotations

import threading

from eth_utils import to_checksum_address

from fairgift import fees
from fairgift.api import ZERO_ADDRESS, FairGift
from fairgift.chain import Reads
from fairgift.creators import Catalogue
from fairgift.web.views.text import shown


class Reader:
    """What the views read from the chain through the `fairgift` API, per block and per request."""

    def __init__(self, service):
        self.service = service
        self.fg: FairGift = service.fg
        self.catalogue = getattr(service, "creators", None) or Catalogue.for_record(
            self.fg.record, self.fg.store
        )
        self.lock = threading.RLock()
        self._static: dict[str, object] = {}
        # What was read at the chain's latest block: reused until a new block (one cheap
        # eth_blockNumber per request decides), so a busy page costs a few reads per block.
        self._block: int | None = None
        self._at_block: dict[object, object] = {}
        self._now: int | None = None
        self._tokens: dict[str, str] = {}  # creator -> launched token (immutable once launched)

    def once(self, key: str, read):
        """Values fixed for the deployment's life (caps, delays, the stablecoin), read once."""
        if key not in self._static:
            self._static[key] = read()
        return self._static[key]

    @property
    def web3(self):
        return self.fg.chain.provider.web3

    def reads(self) -> Reads:
        """A batch of view calls at the block this request reads."""
        if self._block is None:
            self.fresh()
        return Reads(self.web3, self._block)

    def fresh(self) -> None:
        """Start of a request: forget what was read at an older block."""
        self._now = None
        block = int(self.web3.eth.block_number)
        if block != self._block:
            self._block, self._at_block = block, {}

    def per_block(self, key, read):
        if key not in self._at_block:
            self._at_block[key] = read()
        return self._at_block[key]

    @property
    def chain_id(self) -> int:
        return self.once("chain_id", lambda: int(self.fg.chain.chain_id))

    def now(self) -> int:
        """The chain's clock for the next transaction (the pending block's timestamp), read once
        per request."""
        if self._now is None:
            self._now = int(self.web3.eth.get_block("pending")["timestamp"])
        return self._now

    def schedule(self, target: str, token: str | None = None) -> fees.FeeSchedule:
        """A fee's schedule (`FairGift.fee_schedule`: "jar", "protocol", or "creator" of `token`)
        read once per block."""
        block = self.reads().block
        return self.per_block(("fee", target, token), lambda: self.fg.fee_schedule(target, token, block))

    def gift_catalogue(self) -> dict:
        """The jar's live gift catalogue ({id: Gift}, `FairGift.gifts`) read once per block."""
        block = self.reads().block
        return self.per_block("gifts", lambda: self.fg.gifts(block))

    def token_of(self, creator: str) -> str | None:
        if creator not in self._tokens:
            reads = self.reads()
            reads.add(self.fg.market, "tokenOf", creator)
            token = to_checksum_address(str(reads.run()[0]))
            if token == ZERO_ADDRESS:
                return None
            self._tokens[creator] = token
        return self._tokens[creator]

    def token_meta(self, token: str) -> dict:
        # chosen by the creator at launch: shown as the CLI shows untrusted text, and bounded
        contract = self.fg.project.CreatorToken.at(token, detect_proxy=False)
        return {"name": shown(contract.name(), 64), "symbol": shown(contract.symbol(), 16)}
