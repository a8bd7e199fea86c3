"""Is the contract at an address USDC? Checked before a deployment sends anything.

A deployment priced in the wrong token cannot be fixed afterwards (the market's quote token is
immutable), so `ape run deploy` refuses an address with no code, or a contract that does not answer
as Circle's USDC does: 6 decimals, a name and a symbol, EIP-712 version "2" and a
`DOMAIN_SEPARATOR()` that its `name()`, `version()`, the chain's id and its address hash to (the
domain rule of `fairgift.chain.token_domain`: what fans will sign permits and authorizations with).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from fairgift.errors import FairGiftError

USDC_DECIMALS = 6
USDC_EIP712_VERSION = "2"


@dataclass(frozen=True)
class UsdcFacts:
    address: str
    name: str
    symbol: str
    version: str
    decimals: int

    def describe(self) -> str:
        return f"{self.symbol} ({self.name!r}, EIP-712 version {self.version}, {self.decimals} decimals)"


def check_usdc(address: str) -> UsdcFacts:
    """The facts of the USDC at `address` on the connected chain; `FairGiftError` (one line) when
    there is no contract there or it does not answer as USDC."""
    from ape import chain

    from fairgift.chain import token_domain

    address = to_checksum_address(address)
    chain_id = int(chain.chain_id)
    where = f"--stablecoin {address} on chain {chain_id}"
    if not chain.provider.get_code(address):
        raise FairGiftError(f"{where}: no contract there (a wrong address, or another network's)")
    web3 = chain.provider.web3
    answers = {}
    for signature, kind in (
        ("decimals()", "uint8"),
        ("name()", "string"),
        ("symbol()", "string"),
        ("version()", "string"),
        ("DOMAIN_SEPARATOR()", "bytes32"),
    ):
        answers[signature] = _call(web3, address, signature, kind)
    missing = [s for s, value in answers.items() if value is None]
    if missing:
        raise FairGiftError(f"{where} does not answer as USDC: no {', '.join(missing)}")
    facts = UsdcFacts(
        address=address,
        name=answers["name()"],
        symbol=answers["symbol()"],
        version=answers["version()"],
        decimals=int(answers["decimals()"]),
    )
    if facts.decimals != USDC_DECIMALS:
        raise FairGiftError(f"{where} has {facts.decimals} decimals, not USDC's {USDC_DECIMALS}")
    if facts.version != USDC_EIP712_VERSION:
        raise FairGiftError(
            f"{where} signs with EIP-712 version {facts.version!r}, not USDC's {USDC_EIP712_VERSION!r}"
        )
    try:
        domain = token_domain(address, web3)
    except FairGiftError as err:
        raise FairGiftError(f"{where} does not answer as USDC: {err}") from err
    if domain["name"] != facts.name or domain["version"] != facts.version:
        raise FairGiftError(f"{where}: its EIP-712 domain is not its name() and version()")
    return facts


def _call(web3, address: str, signature: str, kind: str):
    """`signature()` of `address` decoded as `kind`, or None when it reverts or answers nothing."""
    from eth_abi import decode
    from eth_utils import keccak

    try:
        raw = web3.eth.call({"to": address, "data": "0x" + keccak(text=signature)[:4].hex()})
        return decode([kind], bytes(raw))[0]
    except Exception:  # noqa: BLE001 - a revert, no data or undecodable data: not this token's function
        return None
