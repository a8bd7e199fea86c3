"""What every operation shares: the deployment's contracts, token metadata, amounts in the
stablecoin, and the checks made before sending (balance, allowance, ownership)."""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass, field

from eth_utils import to_checksum_address

from fairgift.amounts import format_amount, parse_amount
from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.deployments import Deployment, DeploymentStore
from fairgift.errors import FairGiftError, translated

log = logging.getLogger("fairgift.api")

DEADLINE_SECONDS = 600  # trades and permits: valid for ten minutes


@dataclass(frozen=True)
class TokenInfo:
    address: str
    symbol: str
    decimals: int

    def parse(self, text, allow_zero: bool = False) -> int:
        return parse_amount(text, self.decimals, self.symbol, allow_zero=allow_zero)

    def fmt(self, units: int) -> str:
        return format_amount(units, self.decimals, self.symbol)


@dataclass
class Result:
    """What an operation did: a one-line summary, the receipts and the figures."""

    summary: str
    receipts: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([*self.notes, self.summary])


class Base:
    """The deployment of one chain: `jar`, `market`, `factory`, `usdc` (the stablecoin)."""

    def __init__(self, record: Deployment, project=None, store: DeploymentStore | None = None):
        from ape import chain
        from ape import project as default_project

        self.project = project or default_project
        self.record = record
        self.store = store  # where the record was read from, when it was (`connect`)
        self.chain = chain
        c = record.contracts
        missing = [n for n in ("TipJar", "CreatorMarket") if n not in c]
        if missing:
            raise FairGiftError(
                f"the deployment record of chain {record.chain_id} lacks {', '.join(missing)}"
            )
        for name, address in c.items():
            if not chain.provider.get_code(address):
                raise FairGiftError(
                    f"no code at {name} {address} on chain {record.chain_id}: the record is stale; "
                    "run `ape run deploy --fresh`"
                )
        self.jar = self.project.TipJar.at(c["TipJar"])
        self.market = self.project.CreatorMarket.at(c["CreatorMarket"])
        self.factory = self.project.SplitFactory.at(c["SplitFactory"]) if "SplitFactory" in c else None
        self.usdc = self.erc20(self.market.quoteToken())
        self._tokens: dict[str, TokenInfo] = {}
        self.stable = self.token_info(self.usdc.address)

    @classmethod
    def connect(cls, store: DeploymentStore | None = None, project=None):
        """The FairGift deployment of the connected chain, from `store` (default: the store for
        the connected provider), checked against the chain's id and genesis."""
        store = store or DeploymentStore.for_provider()
        return cls(store.connected(), project=project, store=store)

    # ------------------------------------------------------------------ tokens and amounts

    def erc20(self, address):
        """A token through `IStablecoin`'s ABI (ERC-20 + EIP-2612 + EIP-3009 + ERC-5267): any
        stablecoin, never the mock's ABI; a creator token answers the ERC-20/2612/5267 part."""
        from ape.contracts import ContractInstance

        # Not `IStablecoin.at(...)`: that returns the type Ape cached for the address (the mock's,
        # on a local chain where it was deployed), and a clone needs no proxy lookup.
        return ContractInstance(address_of(address), self.project.IStablecoin.contract_type)

    def token_info(self, token) -> TokenInfo:
        address = address_of(token)
        if address not in self._tokens:
            contract = self.erc20(address)
            with translated(f"reading token {address}"):
                self._tokens[address] = TokenInfo(address, str(contract.symbol()), int(contract.decimals()))
        return self._tokens[address]

    _USD_INPUTS = frozenset({"totalCost", "maxCost", "netProceeds", "minProceeds"})

    def translated_usd(self, action: str):
        """`translated` with the market's amounts shown in the stablecoin."""

        def fmt(name, value):
            return self.usd(int(value)) if name in self._USD_INPUTS else str(value)

        return translated(action, fmt)

    def usd(self, units: int) -> str:
        """Stablecoin base units -> "2.50 USDC"."""
        return self.stable.fmt(units)

    def parse_usd(self, text, allow_zero: bool = False) -> int:
        return self.stable.parse(text, allow_zero=allow_zero)

    def now(self) -> int:
        return int(self.chain.pending_timestamp)

    @staticmethod
    def date(timestamp: int) -> str:
        return _dt.datetime.fromtimestamp(int(timestamp), _dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    # ------------------------------------------------------------------ checks before sending

    def check_balance(self, sender, token: TokenInfo, amount: int, what: str):
        balance = int(self.erc20(token.address).balanceOf(sender))
        if balance < amount:
            raise FairGiftError(
                f"not enough {token.symbol} for {what}: {address_of(sender)} has {token.fmt(balance)}, "
                f"needs {token.fmt(amount)}"
            )

    def ensure_allowance(self, sender, token: TokenInfo, spender, amount: int, approve: bool, result: Result):
        """Approve `spender` for exactly `amount` when the allowance is short (or explain, without
        `approve`)."""
        contract = self.erc20(token.address)
        allowance = int(contract.allowance(sender, spender))
        if allowance >= amount:
            return
        spender_addr = address_of(spender)
        if not approve:
            raise FairGiftError(
                f"not enough allowance: {spender_addr} may spend {token.fmt(allowance)} of your "
                f"{token.symbol}, needs {token.fmt(amount)}; approve it first (or drop --no-approve)"
            )
        with translated(f"approving {token.symbol}"):
            receipt = contract.approve(spender, amount, sender=sender)
        result.receipts.append(receipt)
        result.notes.append(f"approved {spender_addr} to spend {token.fmt(amount)}")
        log.info(result.notes[-1])

    def creator_address(self, creator) -> str:
        """A creator's address, refusing the zero address and FairGift's own contracts."""
        address = address_of(creator)
        if address == ZERO_ADDRESS:
            raise FairGiftError("the creator cannot be the zero address")
        if address in (self.jar.address, self.market.address):
            raise FairGiftError("the creator cannot be a FairGift contract")
        return address

    def allowed_token(self, token) -> TokenInfo:
        """`token` (default: the stablecoin), refused unless the jar allows it."""
        info = self.token_info(token if token is not None else self.usdc.address)
        if not self.jar.isTokenAllowed(info.address):
            raise FairGiftError(f"{info.symbol} ({info.address}) is not allowed in the tip jar")
        return info

    def require_owner(self, contract, sender, what: str):
        owner = to_checksum_address(str(contract.owner()))
        if owner != address_of(sender):
            raise FairGiftError(f"only the owner {owner} can {what}; {address_of(sender)} is not")
