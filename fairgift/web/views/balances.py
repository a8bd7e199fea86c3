"""What the connected fan holds: the stablecoin and, when the creator launched one, the creator's
token, read through the service at the chain's latest block (the page shows it once connected and
after each action; it computes nothing itself)."""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address

from fairgift.amounts import format_amount
from fairgift.web.http import HttpError
from fairgift.web.views.creators import Creators
from fairgift.web.views.text import TOKEN_DECIMALS


class Balances:
    def __init__(self, creators: Creators):
        self.creators = creators
        self.reader = creators.reader
        self.fg = creators.fg

    def of(self, who: str, fan: str) -> dict:
        """`fan`'s stablecoin and (if launched) `who`'s token, in base units and as text."""
        creator = self.creators.resolve(who)
        text = str(fan or "").strip()
        if not is_address(text):
            raise HttpError(400, "?fan must be a wallet address (0x and 40 hex digits)", "bad_address")
        fan = to_checksum_address(text)
        token = self.reader.token_of(creator.address)
        reads = self.reader.reads()
        reads.add(self.fg.usdc, "balanceOf", fan)
        if token is not None:
            contract = self.reader.once(
                f"contract:{token}", lambda: self.fg.project.CreatorToken.at(token, detect_proxy=False)
            )
            reads.add(contract, "balanceOf", fan)
        values = [int(v) for v in reads.run()]
        stable = self.fg.stable
        answer = {
            "fan": fan,
            "stablecoin": {
                "symbol": stable.symbol,
                "balance": str(values[0]),
                "text": self.fg.usd(values[0]),
            },
            "token": None,
        }
        if token is not None:
            symbol = self.reader.once(f"meta:{token}", lambda: self.reader.token_meta(token))["symbol"]
            answer["token"] = {
                "symbol": symbol,
                "balance": str(values[1]),
                "text": format_amount(values[1], TOKEN_DECIMALS, symbol),
            }
        return answer
