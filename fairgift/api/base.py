"""What every operation shares: the deployment's contracts, token metadata, amounts in the
stablecoin, and the checks made before sending (balance, allowance, ownership)."""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass, field

from eth_utils import is_address, to_checksum_address

from fairgift.amounts import format_amount, parse_amount
from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.deployments import Deployment, DeploymentStore
from fairgift.display import cell
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
        """Symbol and decimals of the ERC-20 at `token` (an address), refusing anything else in one
        line: an address with no contract, a contract that does not answer `symbol()`/`decimals()`."""
        address = self.token_address(token)
        if address not in self._tokens:
            if not self.chain.provider.get_code(address):
                raise FairGiftError(f"{address} is not a token: there is no contract at that address")
            contract = self.erc20(address)
            try:
                symbol, decimals = cell(str(contract.symbol()), 24), int(contract.decimals())
            except Exception as err:  # noqa: BLE001 - a revert, a bad return, a missing function
                raise FairGiftError(
                    f"{address} is not an ERC-20 token: it does not answer symbol() and decimals()"
                ) from err
            self._tokens[address] = TokenInfo(address, symbol, decimals)
        return self._tokens[address]

    def token_address(self, token) -> str:
        """A token given as an address or a contract object, or as the symbol of a token the jar
        lists (e.g. USDC): its checksummed address."""
        if isinstance(token, str) and not is_address(token.strip()):
            text = token.strip()
            listed = [to_checksum_address(str(t)) for t in self.jar.listedTokens()]
            for address in listed:
                if address in self._tokens and self._tokens[address].symbol.lower() == text.lower():
                    return address
            for address in listed:
                if self.token_info(address).symbol.lower() == text.lower():
                    return address
            known = ", ".join(self.token_info(a).symbol for a in listed) or "none"
            raise FairGiftError(
                f"{token!r} is not a token: give its address or the symbol of a token the jar lists ({known})"
            )
        return address_of(token)

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

    def ensure_allowance(
        self, sender, token: TokenInfo, spender, amount: int, approve: bool, result: Result
    ) -> int | None:
        """Approve `spender` for exactly `amount` when the allowance is short (or explain, without
        `approve`). Returns the allowance found when it approved (for `settle_allowance`), else None."""
        contract = self.erc20(token.address)
        allowance = int(contract.allowance(sender, spender))
        if allowance >= amount:
            return None
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
        return allowance

    def settle_allowance(
        self, sender, token: TokenInfo, spender, found: int | None, keep: bool, result: Result
    ):
        """After a trade whose limit was approved: set the allowance back to what it was before
        (`found`) unless `keep`, and say in the summary exactly what `spender` may still spend."""
        contract = self.erc20(token.address)
        left = int(contract.allowance(sender, spender))
        spender_addr = address_of(spender)
        if found is not None and not keep and left != found:
            with translated(f"setting the {token.symbol} allowance back"):
                result.receipts.append(contract.approve(spender, found, sender=sender))
            result.notes.append(f"set the allowance of {spender_addr} back to {token.fmt(found)}")
            log.info(result.notes[-1])
            left = found
        result.values["allowance_left"] = left
        if not left:
            result.summary += f"; no {token.symbol} allowance left to {spender_addr}"
        else:
            why = "kept" if found is not None else "approved before"
            result.summary += (
                f"; {spender_addr} may still spend {token.fmt(left)} of your {token.symbol} ({why})"
            )

    def named_address(self, who) -> str:
        """An address from what a user types: an address, `TEST::N`, a keystore alias, or a
        creator's name in the deployment's catalogue of creators (`ape run fairgift creators`)."""
        if isinstance(who, str):
            text = who.strip()
            if text and not is_address(text) and not text.upper().startswith("TEST::"):
                from ape import accounts

                if text not in accounts.aliases:
                    entry = self.creators().get(text)
                    if entry is None:
                        raise FairGiftError(
                            f"{who!r} is neither an address, a test account (TEST::N), an account alias "
                            "nor a creator's name (ape run fairgift creators)"
                        )
                    return entry.address
        return address_of(who)

    def creators(self):
        """The deployment's catalogue of creator names (fairgift.creators)."""
        from fairgift.creators import Catalogue

        return Catalogue.for_record(self.record, self.store)

    def creator_address(self, creator) -> str:
        """A creator's address, refusing the zero address and FairGift's own contracts."""
        address = self.named_address(creator)
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
