"""The FairGift Python API: one object bound to the deployment of the connected chain.

    from fairgift.api import FairGift
    fg = FairGift.connect()                       # reads deployments/<chain_id>.json
    fg.tip(fan, creator, "2.50 USDC", "great stream")
    fg.gift(fan, creator, "Rose", quantity=10)
    fg.buy(fan, creator, "25")                    # 25 of the creator's tokens, 1% slippage

Every method checks what it can before sending (amount syntax, balances, allowances, the gift
catalogue, fee caps, ownership, slippage) and raises `FairGiftError` with one line otherwise;
reverts are decoded into the same kind of line. Approvals a call needs are made (exactly the
amount needed) when `approve=True`, the default, and explained otherwise.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

from eth_utils import is_address, to_checksum_address

from fairgift import deployments
from fairgift.amounts import format_amount, format_bps, parse_amount, parse_bps, parse_percent
from fairgift.errors import FairGiftError, translated

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DEFAULT_SLIPPAGE = "1%"
DEADLINE_SECONDS = 600
WAD = 10**18


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


def resolve_account(value):
    """An Ape account or address from what a user types: `TEST::3`, a keystore alias, an address,
    or an account object. Returns the account when one is known, else the checksummed address."""
    from ape import accounts

    if value is None:
        raise FairGiftError("no account given")
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.upper().startswith("TEST::"):
        idx = text[6:]
        if not idx.isdigit() or int(idx) >= len(accounts.test_accounts):
            raise FairGiftError(f"no test account {text!r} (there are {len(accounts.test_accounts)})")
        return accounts.test_accounts[int(idx)]
    if is_address(text):
        address = to_checksum_address(text)
        return _test_accounts_by_address().get(address, address)
    if text in accounts.aliases:
        return accounts.load(text)
    raise FairGiftError(f"{value!r} is neither an address, a test account (TEST::N) nor an account alias")


_TEST_ACCOUNTS: dict[str, object] = {}


def _test_accounts_by_address() -> dict:
    # Ape derives each test account from the mnemonic on every iteration (tens of ms apiece), so
    # look them up once per process.
    if not _TEST_ACCOUNTS:
        from ape import accounts

        _TEST_ACCOUNTS.update({acct.address: acct for acct in accounts.test_accounts})
    return _TEST_ACCOUNTS


def address_of(value) -> str:
    value = resolve_account(value) if isinstance(value, str) else value
    return to_checksum_address(str(getattr(value, "address", value)))


def unlock(account, passphrase_env: bool = True):
    """Let a keystore account sign without prompts when APE_ACCOUNTS_<alias>_PASSPHRASE is set."""
    import os

    from ape_accounts import KeyfileAccount

    if isinstance(account, KeyfileAccount):
        env = f"APE_ACCOUNTS_{account.alias}_PASSPHRASE"
        if passphrase_env and os.environ.get(env):
            with translated(f"unlocking {account.alias}"):
                account.set_autosign(True)
    return account


def curve_cost(base: int, slope: int, supply: int, amount: int) -> int:
    """The curve value of `amount` tokens above `supply`, rounded up (a buy's cost before fees):
    the integral of `base + slope * s / 1e18` (quote units per whole token) over the interval."""
    # integral_{s0}^{s1} (base + slope*s/WAD) ds / WAD = base*(s1-s0)/WAD + slope*(s1^2-s0^2)/(2*WAD^2)
    s0, s1 = supply, supply + amount
    num = base * (s1 - s0) * 2 * WAD + slope * (s1 * s1 - s0 * s0)
    den = 2 * WAD * WAD
    return -(-num // den)


class FairGift:
    """The deployment of one chain: `jar`, `market`, `factory`, `usdc` (the stablecoin)."""

    def __init__(
        self, record: deployments.Deployment, project=None, log: Callable[[str], None] | None = None
    ):
        from ape import chain
        from ape import project as default_project

        self.project = project or default_project
        self.record = record
        self.chain = chain
        self.log = log or (lambda _msg: None)
        c = record.contracts
        missing = [n for n in ("TipJar", "CreatorMarket") if n not in c]
        if missing:
            raise FairGiftError(
                f"the deployment record of chain {record.chain_id} lacks {', '.join(missing)}"
            )
        for name, address in c.items():
            if not chain.provider.get_code(address):
                raise FairGiftError(
                    f"no code at {name} {address} on chain {record.chain_id}: the record is stale "
                    "(a restarted local node?); run `ape run deploy --fresh`"
                )
        self.jar = self.project.TipJar.at(c["TipJar"])
        self.market = self.project.CreatorMarket.at(c["CreatorMarket"])
        self.factory = self.project.SplitFactory.at(c["SplitFactory"]) if "SplitFactory" in c else None
        self.usdc = self._erc20(self.market.quoteToken())
        self._tokens: dict[str, TokenInfo] = {}
        self.stable = self.token_info(self.usdc.address)

    # ------------------------------------------------------------------ construction

    @classmethod
    def connect(cls, folder: Path | str | None = None, project=None, log=None) -> FairGift:
        """The FairGift deployment of the connected chain (deployments/<chain_id>.json)."""
        from ape import chain

        with translated("connecting"):
            chain_id = chain.chain_id
        return cls(deployments.require(chain_id, folder), project=project, log=log)

    def _erc20(self, address):
        """A token through `IStablecoin`'s ABI (ERC-20 + EIP-2612 + EIP-3009 + ERC-5267): any
        stablecoin, never the mock's ABI; a creator token answers the ERC-20/2612/5267 part."""
        from ape.contracts import ContractInstance

        # Not `IStablecoin.at(...)`: that returns the type Ape cached for the address (the mock's,
        # on a local chain where it was deployed), and a clone needs no proxy lookup.
        return ContractInstance(address_of(address), self.project.IStablecoin.contract_type)

    def token_info(self, token) -> TokenInfo:
        address = address_of(token)
        if address not in self._tokens:
            contract = self._erc20(address)
            with translated(f"reading token {address}"):
                self._tokens[address] = TokenInfo(address, str(contract.symbol()), int(contract.decimals()))
        return self._tokens[address]

    # ------------------------------------------------------------------ formatting helpers

    _USD_INPUTS = frozenset({"totalCost", "maxCost", "netProceeds", "minProceeds"})

    def _t(self, action: str):
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

    # ------------------------------------------------------------------ checks

    def _check_balance(self, sender, token: TokenInfo, amount: int, what: str):
        contract = self._erc20(token.address)
        balance = int(contract.balanceOf(sender))
        if balance < amount:
            raise FairGiftError(
                f"not enough {token.symbol} for {what}: {address_of(sender)} has {token.fmt(balance)}, "
                f"needs {token.fmt(amount)}"
            )

    def _ensure_allowance(
        self, sender, token: TokenInfo, spender, amount: int, approve: bool, result: Result
    ):
        contract = self._erc20(token.address)
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
        self.log(result.notes[-1])

    def _creator(self, creator) -> str:
        address = address_of(creator)
        if address == ZERO_ADDRESS:
            raise FairGiftError("the creator cannot be the zero address")
        if address in (self.jar.address, self.market.address):
            raise FairGiftError("the creator cannot be a FairGift contract")
        return address

    def _allowed_token(self, token) -> TokenInfo:
        info = self.token_info(token if token is not None else self.usdc.address)
        if not self.jar.isTokenAllowed(info.address):
            raise FairGiftError(f"{info.symbol} ({info.address}) is not allowed in the tip jar")
        return info

    def _require_owner(self, contract, sender, what: str):
        owner = to_checksum_address(str(contract.owner()))
        if owner != address_of(sender):
            raise FairGiftError(f"only the owner {owner} can {what}; {address_of(sender)} is not")

    # ------------------------------------------------------------------ tips and gifts

    def tip(self, sender, creator, amount, message: str = "", token=None, approve: bool = True) -> Result:
        """Tip `amount` ("2.50", "2.50 USDC") to `creator`; the creator is credited amount - fee."""
        info = self._allowed_token(token)
        units = info.parse(amount)
        creator = self._creator(creator)
        result = Result("")
        self._check_balance(sender, info, units, "this tip")
        self._ensure_allowance(sender, info, self.jar, units, approve, result)
        with translated("tip"):
            receipt = self.jar.tip(creator, info.address, units, message, sender=sender)
        return self._tipped(result, receipt, info, creator, "tipped")

    def _tipped(self, result: Result, receipt, info: TokenInfo, creator: str, verb: str) -> Result:
        result.receipts.append(receipt)
        logs = list(receipt.decode_logs(self.jar.Tipped))
        fee = int(logs[0].fee) if logs else 0
        amount = int(logs[0].amount) if logs else 0
        result.values.update(amount=amount, fee=fee, net=amount - fee, creator=creator, tx=receipt.txn_hash)
        result.summary = (
            f"{verb} {info.fmt(amount)} to {creator}: creator credited {info.fmt(amount - fee)}, "
            f"fee {info.fmt(fee)} (tx {receipt.txn_hash})"
        )
        return result

    def gifts(self) -> dict[int, tuple[str, int]]:
        """The live catalogue: {id: (name, priceUsd6)}, retired (price 0) gifts left out."""
        catalogue = {}
        gift_id = 1
        misses = 0
        while misses < 3 and gift_id < 1000:
            name, price = self.jar.gift(gift_id)
            if not name and int(price) == 0:
                misses += 1
            else:
                misses = 0
                if int(price) > 0:
                    catalogue[gift_id] = (str(name), int(price))
            gift_id += 1
        return catalogue

    def find_gift(self, gift) -> tuple[int, str, int]:
        catalogue = self.gifts()
        listing = ", ".join(f"{n} (${Decimal(p) / 10**6:.2f})" for n, p in catalogue.values()) or "empty"
        if isinstance(gift, int) or (isinstance(gift, str) and gift.strip().isdigit()):
            gift_id = int(gift)
            if gift_id in catalogue:
                return gift_id, *catalogue[gift_id]
        else:
            for gift_id, (name, price) in catalogue.items():
                if name.lower() == str(gift).strip().lower():
                    return gift_id, name, price
        raise FairGiftError(f"unknown gift {gift!r}; the catalogue: {listing}")

    def gift(
        self, sender, creator, gift, quantity: int = 1, message: str = "", token=None, approve=True
    ) -> Result:
        """Send `quantity` of the catalogue's gift `gift` (name or id) to `creator`."""
        info = self._allowed_token(token)
        gift_id, name, price = self.find_gift(gift)
        try:
            quantity = int(quantity)
        except (TypeError, ValueError) as err:
            raise FairGiftError(f"quantity {quantity!r} is not a whole number") from err
        if quantity <= 0:
            raise FairGiftError(f"quantity must be at least 1, not {quantity}")
        creator = self._creator(creator)
        units = price * quantity * 10 ** (info.decimals - 6)
        result = Result("")
        self._check_balance(sender, info, units, f"{quantity} x {name}")
        self._ensure_allowance(sender, info, self.jar, units, approve, result)
        with translated("gift"):
            receipt = self.jar.sendGift(
                creator, info.address, gift_id, quantity, units, message, sender=sender
            )
        result = self._tipped(result, receipt, info, creator, f"sent {quantity} x {name} worth")
        result.values.update(gift_id=gift_id, gift=name, quantity=quantity)
        return result

    def permit_tip(self, sender, creator, amount, message: str = "", token=None, deadline=None) -> Result:
        """Tip with an EIP-2612 permit signed by `sender`: no approval transaction."""
        from fairgift.signing import permit_message, sign

        info = self._allowed_token(token)
        units = info.parse(amount)
        creator = self._creator(creator)
        self._check_balance(sender, info, units, "this tip")
        deadline = int(deadline if deadline is not None else self.now() + DEADLINE_SECONDS)
        contract = self._erc20(info.address)
        with translated("signing the permit"):
            v, r, s = sign(sender, permit_message(contract, sender, self.jar, units, deadline))
        with translated("permit tip"):
            receipt = self.jar.tipWithPermit(
                creator, info.address, units, message, deadline, v, r, s, sender=sender
            )
        return self._tipped(Result(""), receipt, info, creator, "tipped (permit)")

    def sign_tip_authorization(
        self, fan, creator, amount, message: str = "", token=None, valid_for: int = 3600
    ):
        """A fan's EIP-3009 `ReceiveWithAuthorization` for a tip anyone may relay: the arguments of
        `tipWithAuthorization` (the nonce binds creator and message)."""
        from fairgift.signing import authorization_message, random_salt, sign, tip_authorization_nonce

        info = self._allowed_token(token)
        units = info.parse(amount)
        creator = self._creator(creator)
        self._check_balance(fan, info, units, "this tip")
        salt = random_salt()
        nonce = tip_authorization_nonce(creator, message, salt)
        valid_after, valid_before = 0, self.now() + int(valid_for)
        contract = self._erc20(info.address)
        with translated("signing the authorization"):
            v, r, s = sign(
                fan, authorization_message(contract, fan, self.jar, units, valid_after, valid_before, nonce)
            )
        return (
            address_of(fan),
            creator,
            info.address,
            units,
            message,
            valid_after,
            valid_before,
            salt,
            v,
            r,
            s,
        )

    def relay_tip(self, relayer, authorization) -> Result:
        """Submit a signed tip (from `sign_tip_authorization`) on the fan's behalf."""
        info = self.token_info(authorization[2])
        with translated("relayed tip"):
            receipt = self.jar.tipWithAuthorization(*authorization, sender=relayer)
        return self._tipped(Result(""), receipt, info, authorization[1], "relayed a signed tip of")

    def mint(self, sender, to, amount) -> Result:
        """Local networks only: mint MockUSDC (its owner, the deployer, signs)."""
        from fairgift.deploy import is_local_network

        if "MockUSDC" not in self.record.contracts or not is_local_network(self.chain.provider.network):
            raise FairGiftError("minting is for the MockUSDC of local networks only")
        units = self.stable.parse(amount)
        mock = self.project.MockUSDC.at(self.usdc.address, detect_proxy=False)  # mint is the mock's
        owner = to_checksum_address(str(mock.owner()))
        if owner != address_of(sender):
            raise FairGiftError(f"only MockUSDC's owner {owner} can mint; use --account")
        to = address_of(to)
        with translated("mint"):
            receipt = mock.mint(to, units, sender=sender)
        return Result(f"minted {self.usd(units)} for {to}", [receipt], {"amount": units})

    # ------------------------------------------------------------------ withdrawals

    def withdraw(self, sender, account=None, token=None) -> Result:
        """Withdraw `account`'s (default: the sender's) whole credit from the jar (every allowed
        token, or `token`) and from the market, to its payout address."""
        target = address_of(account) if account is not None else address_of(sender)
        own = target == address_of(sender)
        tokens = [self.token_info(token)] if token is not None else [self.stable]
        result = Result("")
        parts = []
        for info in tokens:
            credit = int(self.jar.balanceOf(target, info.address))
            if credit:
                with translated("withdraw from the tip jar"):
                    if own:
                        receipt = self.jar.withdraw(info.address, sender=sender)
                    else:
                        receipt = self.jar.withdrawFor(target, info.address, sender=sender)
                result.receipts.append(receipt)
                parts.append(f"{info.fmt(credit)} from the tip jar")
                result.values[f"jar_{info.symbol}"] = credit
        credit = int(self.market.balanceOf(target))
        if credit:
            with translated("withdraw from the market"):
                if own:
                    receipt = self.market.withdraw(sender=sender)
                else:
                    receipt = self.market.withdrawFor(target, sender=sender)
            result.receipts.append(receipt)
            parts.append(f"{self.usd(credit)} of market fees")
            result.values["market"] = credit
        if not parts:
            raise FairGiftError(f"nothing to withdraw for {target}")
        payout = to_checksum_address(str(self.jar.payoutOf(target)))
        result.summary = f"withdrew {' and '.join(parts)} for {target} to {payout}"
        return result

    # ------------------------------------------------------------------ fees

    def schedule_fee(self, sender, bps, target: str = "jar", token=None) -> Result:
        """Change a fee: `target` "jar" (TipJar fee, owner), "protocol" (market, owner) or
        "creator" (the sender's own token's creator fee). Lower: at once; higher: after the delay."""
        bps = parse_bps(bps)
        if target == "jar":
            contract, cap = self.jar, int(self.jar.MAX_FEE_BPS())
            current = int(self.jar.feeBps())
            self._require_owner(self.jar, sender, "change the tip jar fee")
        elif target == "protocol":
            contract, cap = self.market, int(self.market.MAX_PROTOCOL_FEE_BPS())
            current = int(self.market.protocolFeeBps())
            self._require_owner(self.market, sender, "change the protocol fee")
        elif target == "creator":
            tok = self.creator_token(sender if token is None else token)
            contract, cap = self.market, int(self.market.MAX_CREATOR_FEE_BPS())
            current = int(self.market.creatorFeeBps(tok))
            if to_checksum_address(str(self.market.creatorOf(tok))) != address_of(sender):
                raise FairGiftError(f"only the creator of {tok} can change its creator fee")
        else:
            raise FairGiftError(f"unknown fee {target!r} (jar, protocol or creator)")
        if bps > cap:
            raise FairGiftError(f"a fee of {format_bps(bps)} is above the cap of {format_bps(cap)}")
        with translated("schedule fee"):
            if target == "jar":
                receipt = self.jar.scheduleFee(bps, sender=sender)
                pending = self.jar.pendingFee()
            elif target == "protocol":
                receipt = self.market.scheduleProtocolFee(bps, sender=sender)
                pending = self.market.pendingProtocolFee()
            else:
                receipt = self.market.scheduleCreatorFee(tok, bps, sender=sender)
                pending = self.market.pendingCreatorFee(tok)
        _ = contract
        result = Result("", [receipt], {"old": current, "new": bps})
        if bps <= current:
            result.summary = (
                f"{target} fee lowered from {format_bps(current)} to {format_bps(bps)}, in force now"
            )
        else:
            effective = int(pending[1])
            result.values["effective_at"] = effective
            result.summary = (
                f"{target} fee rise from {format_bps(current)} to {format_bps(bps)} scheduled: "
                f"in force from {self.date(effective)} (timestamp {effective}); "
                "until then the old fee applies"
            )
        return result

    # ------------------------------------------------------------------ creator tokens

    def curve(self) -> tuple[int, int]:
        """(basePrice, slope) read back through `priceAt` (quote units per whole token)."""
        base = int(self.market.priceAt(0))
        return base, int(self.market.priceAt(WAD)) - base

    def creator_token(self, who) -> str:
        """The token of a creator (address, alias, TEST::N) or a token address, or a token symbol."""
        if isinstance(who, str) and not is_address(who) and not who.upper().startswith("TEST::"):
            from ape import accounts

            if who not in accounts.aliases:
                for log in self.market.Launched.range(self.record.block, self.chain.blocks.head.number + 1):
                    if str(log.symbol).lower() == who.lower():
                        return to_checksum_address(str(log.token))
                raise FairGiftError(f"no creator token with symbol {who!r}")
        address = address_of(who)
        creator_of = to_checksum_address(str(self.market.creatorOf(address)))
        if creator_of != ZERO_ADDRESS:
            return address
        token = to_checksum_address(str(self.market.tokenOf(address)))
        if token == ZERO_ADDRESS:
            raise FairGiftError(f"{address} has not launched a creator token")
        return token

    def launch(
        self,
        sender,
        name: str,
        symbol: str,
        creator_fee_bps=None,
        initial_buy="0",
        slippage=DEFAULT_SLIPPAGE,
        approve: bool = True,
    ) -> Result:
        """Launch the sender's creator token, buying `initial_buy` tokens first in the same tx."""
        from fairgift.catalogue import DEFAULT_CREATOR_FEE_BPS

        if not name.strip() or not symbol.strip():
            raise FairGiftError("a token needs a name and a symbol")
        fee_bps = parse_bps(DEFAULT_CREATOR_FEE_BPS if creator_fee_bps is None else creator_fee_bps)
        cap = int(self.market.MAX_CREATOR_FEE_BPS())
        if fee_bps > cap:
            raise FairGiftError(
                f"a creator fee of {format_bps(fee_bps)} is above the cap of {format_bps(cap)}"
            )
        existing = to_checksum_address(str(self.market.tokenOf(sender)))
        if existing != ZERO_ADDRESS:
            raise FairGiftError(
                f"{address_of(sender)} already launched a token ({existing}); one per creator"
            )
        amount = parse_amount(initial_buy, 18, symbol, allow_zero=True)
        result = Result("")
        max_cost = 0
        if amount:
            base, slope = self.curve()
            value = curve_cost(base, slope, 0, amount)
            fees = value * int(self.market.protocolFeeBps()) // 10_000 + value * fee_bps // 10_000
            pending_protocol = self.market.pendingProtocolFee()
            if int(pending_protocol[1]) and int(pending_protocol[0]) > int(self.market.protocolFeeBps()):
                fees = value * int(pending_protocol[0]) // 10_000 + value * fee_bps // 10_000
            max_cost = self._with_slippage(value + fees, slippage, up=True)
            self._check_balance(sender, self.stable, max_cost, "the initial buy")
            self._ensure_allowance(sender, self.stable, self.market, max_cost, approve, result)
        with self._t("launch"):
            receipt = self.market.launch(name, symbol, fee_bps, amount, max_cost, sender=sender)
        result.receipts.append(receipt)
        token = to_checksum_address(str(self.market.tokenOf(sender)))
        cost = sum(
            int(t.value) + int(t.protocolFee) + int(t.creatorFee)
            for t in receipt.decode_logs(self.market.Trade)
        )
        result.values.update(token=token, amount=amount, cost=cost)
        result.summary = f"launched {name} ({symbol}) at {token}, creator fee {format_bps(fee_bps)}"
        if amount:
            result.summary += f"; bought the first {format_amount(amount, 18, symbol)} for {self.usd(cost)}"
        return result

    @staticmethod
    def _with_slippage(value: int, slippage, up: bool) -> int:
        frac = parse_percent(slippage)
        factor = (1 + frac) if up else (1 - frac)
        rounding = ROUND_CEILING if up else ROUND_FLOOR
        return int((Decimal(value) * factor).to_integral_value(rounding=rounding))

    def buy(
        self, sender, who, amount, slippage=DEFAULT_SLIPPAGE, max_cost=None, approve: bool = True
    ) -> Result:
        """Buy `amount` whole tokens of a creator's token, quoting first; the limit is the quote plus
        `slippage` (default 1%) or `max_cost` ("12.50 USDC") when given."""
        token = self.creator_token(who)
        info = self.token_info(token)
        units = info.parse(amount)
        with translated("quote"):
            total, protocol_fee, creator_fee = (int(x) for x in self.market.quoteBuy(token, units))
        if max_cost is not None:
            limit = self.parse_usd(max_cost)
            if total > limit:
                raise FairGiftError(
                    f"slippage exceeded: buying {info.fmt(units)} costs {self.usd(total)}, "
                    f"above your limit of {self.usd(limit)}"
                )
        else:
            limit = self._with_slippage(total, slippage, up=True)
        result = Result("")
        self._check_balance(sender, self.stable, total, f"buying {info.fmt(units)}")
        self._ensure_allowance(sender, self.stable, self.market, limit, approve, result)
        deadline = self.now() + DEADLINE_SECONDS
        with self._t("buy"):
            receipt = self.market.buy(token, units, limit, deadline, sender=sender)
        result.receipts.append(receipt)
        trade = next(iter(receipt.decode_logs(self.market.Trade)), None)
        paid = int(trade.value) + int(trade.protocolFee) + int(trade.creatorFee) if trade else total
        result.values.update(token=token, amount=units, cost=paid, quote=total, limit=limit)
        result.summary = (
            f"bought {info.fmt(units)} for {self.usd(paid)} "
            f"(quoted {self.usd(total)}, limit {self.usd(limit)}; "
            f"fees {self.usd(protocol_fee)} protocol + {self.usd(creator_fee)} creator)"
        )
        return result

    def sell(self, sender, who, amount, slippage=DEFAULT_SLIPPAGE, min_proceeds=None) -> Result:
        """Sell `amount` whole tokens back to the curve, quoting first; the floor is the quote less
        `slippage` (default 1%) or `min_proceeds` when given."""
        token = self.creator_token(who)
        info = self.token_info(token)
        units = info.parse(amount)
        held = int(self._erc20(token).balanceOf(sender))
        if held < units:
            raise FairGiftError(
                f"not enough {info.symbol} to sell: {address_of(sender)} has {info.fmt(held)}, "
                f"wants to sell {info.fmt(units)}"
            )
        with translated("quote"):
            net, protocol_fee, creator_fee = (int(x) for x in self.market.quoteSell(token, units))
        if min_proceeds is not None:
            floor = self.parse_usd(min_proceeds, allow_zero=True)
            if net < floor:
                raise FairGiftError(
                    f"slippage exceeded: selling {info.fmt(units)} returns {self.usd(net)}, "
                    f"below your floor of {self.usd(floor)}"
                )
        else:
            floor = self._with_slippage(net, slippage, up=False)
        deadline = self.now() + DEADLINE_SECONDS
        with self._t("sell"):
            receipt = self.market.sell(token, units, floor, deadline, sender=sender)
        trade = next(iter(receipt.decode_logs(self.market.Trade)), None)
        got = int(trade.value) - int(trade.protocolFee) - int(trade.creatorFee) if trade else net
        result = Result(
            f"sold {info.fmt(units)} for {self.usd(got)} (quoted {self.usd(net)}, floor {self.usd(floor)}; "
            f"fees {self.usd(protocol_fee)} protocol + {self.usd(creator_fee)} creator)",
            [receipt],
            {"token": token, "amount": units, "proceeds": got, "quote": net, "floor": floor},
        )
        return result

    # ------------------------------------------------------------------ splits

    def _split_method(self):
        if self.factory is None:
            raise FairGiftError("this deployment has no SplitFactory")
        for abi in self.factory.contract_type.mutable_methods:
            kinds = [i.type for i in abi.inputs]
            if (
                len(kinds) == 2
                and kinds[0] == "address[]"
                and kinds[1].startswith("uint")
                and kinds[1].endswith("[]")
            ):
                return getattr(self.factory, abi.name)
        raise FairGiftError("the SplitFactory has no (address[], uint[]) creation function")

    def split(self, sender, shares: dict, set_payout: bool = False) -> Result:
        """Deploy a revenue split: `shares` maps payees to basis points summing to 10,000.
        With `set_payout`, the sender's tip-jar and market payouts then point at the split."""
        payees, bps = [], []
        for who, share in shares.items():
            address = address_of(who)
            if address in payees:
                raise FairGiftError(f"{address} appears twice in the split")
            payees.append(address)
            bps.append(parse_bps(share))
        if not 1 <= len(payees) <= 32:
            raise FairGiftError(f"a split has 1 to 32 payees, not {len(payees)}")
        if any(b == 0 for b in bps):
            raise FairGiftError("every payee of a split needs a share above 0")
        if sum(bps) != 10_000:
            raise FairGiftError(f"split shares add up to {sum(bps)} bps, not 10000 (100%)")
        method = self._split_method()
        with translated("create split"):
            receipt = method(payees, bps, sender=sender)
        split = self._created_address(receipt, payees)
        result = Result(
            f"split {split} created: "
            + ", ".join(f"{p} {format_bps(b)}" for p, b in zip(payees, bps, strict=True)),
            [receipt],
            {"split": split, "payees": payees, "bps": bps},
        )
        if set_payout:
            with translated("set payout"):
                result.receipts.append(self.jar.setPayout(split, sender=sender))
                result.receipts.append(self.market.setPayout(split, sender=sender))
            result.summary += f"; payouts of {address_of(sender)} now go to the split"
        return result

    def _created_address(self, receipt, payees) -> str:
        # The factory's own event names the split. Only the factory's events are decoded: the
        # receipt also holds logs of contracts Ape has no type for (fresh clones).
        for log in receipt.decode_logs(list(self.factory.contract_type.events)):
            if to_checksum_address(str(log.contract_address)) != self.factory.address:
                continue
            candidates = [log.event_arguments.get("split")] + list(log.event_arguments.values())
            for value in candidates:
                if isinstance(value, str) and is_address(value):
                    address = to_checksum_address(value)
                    if address not in payees and self.chain.provider.get_code(address):
                        return address
        raise FairGiftError("the split was created but its address could not be read from the receipt")

    # ------------------------------------------------------------------ status

    def status(self) -> dict:
        """Everything a user should know before trusting the deployment."""
        jar, market = self.jar, self.market
        jar_pending = jar.pendingFee()
        protocol_pending = market.pendingProtocolFee()
        base, slope = self.curve()
        return {
            "chain_id": self.record.chain_id,
            "block": self.record.block,
            "contracts": dict(self.record.contracts),
            "stablecoin": {"address": self.stable.address, "symbol": self.stable.symbol},
            "jar": {
                "owner": str(jar.owner()),
                "treasury": str(jar.treasury()),
                "fee_bps": int(jar.feeBps()),
                "cap_bps": int(jar.MAX_FEE_BPS()),
                "delay_s": int(jar.FEE_CHANGE_DELAY()),
                "pending": _pending(jar_pending),
                "stablecoin_allowed": bool(jar.isTokenAllowed(self.stable.address)),
            },
            "market": {
                "owner": str(market.owner()),
                "treasury": str(market.treasury()),
                "protocol_fee_bps": int(market.protocolFeeBps()),
                "protocol_cap_bps": int(market.MAX_PROTOCOL_FEE_BPS()),
                "creator_cap_bps": int(market.MAX_CREATOR_FEE_BPS()),
                "delay_s": int(market.FEE_CHANGE_DELAY()),
                "pending": _pending(protocol_pending),
                "base_price": base,
                "slope": slope,
            },
            "gifts": {i: {"name": n, "price_usd6": p} for i, (n, p) in self.gifts().items()},
        }

    def status_text(self) -> str:
        s = self.status()
        j, m = s["jar"], s["market"]
        lines = [
            f"FairGift on chain {s['chain_id']} (deployed at block {s['block']})",
            *(f"  {name:<14} {addr}" for name, addr in s["contracts"].items()),
            f"stablecoin      {s['stablecoin']['symbol']} {s['stablecoin']['address']} "
            f"(allowed in the jar: {'yes' if j['stablecoin_allowed'] else 'no'})",
            f"tip jar fee     {format_bps(j['fee_bps'])}, cap {format_bps(j['cap_bps'])}, "
            f"rises only after {j['delay_s'] // 86400} days; " + self._pending_text(j["pending"]),
            f"  owner {j['owner']}, treasury {j['treasury']}",
            f"market fee      protocol {format_bps(m['protocol_fee_bps'])} "
            f"(cap {format_bps(m['protocol_cap_bps'])}), "
            f"creator fees capped at {format_bps(m['creator_cap_bps'])}; " + self._pending_text(m["pending"]),
            f"  owner {m['owner']}, treasury {m['treasury']}",
            f"bonding curve   price = {self.usd(m['base_price'])} + {self.usd(m['slope'])} "
            "per token already sold",
            "gift catalogue  "
            + (
                ", ".join(
                    f"#{i} {g['name']} {self.usd(g['price_usd6'] * 10 ** (self.stable.decimals - 6))}"
                    for i, g in s["gifts"].items()
                )
                or "empty"
            ),
        ]
        return "\n".join(lines)

    def _pending_text(self, pending) -> str:
        if pending is None:
            return "no pending change"
        return f"pending: {format_bps(pending['bps'])} from {self.date(pending['effective_at'])}"


def _pending(pending) -> dict | None:
    bps, effective_at = int(pending[0]), int(pending[1])
    if effective_at == 0:
        return None
    return {"bps": bps, "effective_at": effective_at}
