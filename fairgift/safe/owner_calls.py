"""The owner's calls on the tip jar and the market, each checked and described before anyone sends
or signs it: the same call is sent directly by an owner account (`send`) or proposed to the
owners of a Safe that owns the contracts (fairgift.safe.multisig)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from fairgift.amounts import format_amount, format_bps, parse_amount, parse_bps
from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.api.base import Result
from fairgift.errors import FairGiftError, translated

CONTRACTS = ("jar", "market")
FEE_TARGETS = ("jar", "protocol")  # a creator's own fee is the creator's, never a Safe's


@dataclass(frozen=True)
class OwnerCall:
    contract: object  # the Ape contract instance called
    name: str  # "jar" or "market", as users say it
    method: str
    args: tuple
    description: str  # one line for the signers: what executing it does
    by_pending_owner: bool = False  # acceptOwnership: the pending owner calls, not the owner

    @property
    def data(self) -> bytes:
        return bytes(getattr(self.contract, self.method).encode_input(*self.args))

    def authority(self) -> str:
        """Who may make this call now: the owner, or the pending owner for an acceptance."""
        getter = self.contract.pendingOwner if self.by_pending_owner else self.contract.owner
        return to_checksum_address(str(getter()))


def _contract(fg, name: str):
    if name not in CONTRACTS:
        raise FairGiftError(f"unknown contract {name!r} ({', '.join(CONTRACTS)})")
    return fg.jar if name == "jar" else fg.market


def schedule_fee(fg, fee, target: str = "jar") -> OwnerCall:
    bps = parse_bps(fee)
    if target == "jar":
        contract, method = fg.jar, "scheduleFee"
        cap, current, delay = int(fg.jar.MAX_FEE_BPS()), int(fg.jar.feeBps()), int(fg.jar.FEE_CHANGE_DELAY())
    elif target == "protocol":
        contract, method = fg.market, "scheduleProtocolFee"
        cap, current = int(fg.market.MAX_PROTOCOL_FEE_BPS()), int(fg.market.protocolFeeBps())
        delay = int(fg.market.FEE_CHANGE_DELAY())
    else:
        raise FairGiftError(f"unknown fee {target!r} for an owner ({', '.join(FEE_TARGETS)})")
    if bps > cap:
        raise FairGiftError(f"a fee of {format_bps(bps)} is above the cap of {format_bps(cap)}")
    when = "at once" if bps <= current else f"{delay // 86400} days after execution"
    text = f"{target} fee from {format_bps(current)} to {format_bps(bps)}, in force {when}"
    return OwnerCall(contract, "jar" if target == "jar" else "market", method, (bps,), text)


def cancel_fee(fg, target: str = "jar") -> OwnerCall:
    if target == "jar":
        contract, method, pending = fg.jar, "cancelFee", fg.jar.pendingFee()
    elif target == "protocol":
        contract, method, pending = fg.market, "cancelProtocolFee", fg.market.pendingProtocolFee()
    else:
        raise FairGiftError(f"unknown fee {target!r} for an owner ({', '.join(FEE_TARGETS)})")
    if not int(pending[1]):
        raise FairGiftError(f"no pending rise of the {target} fee to cancel")
    text = f"cancel the {target} fee rise to {format_bps(int(pending[0]))} due {fg.date(int(pending[1]))}"
    return OwnerCall(contract, "jar" if target == "jar" else "market", method, (), text)


def set_gift(fg, gift_id: int, name: str, price) -> OwnerCall:
    if gift_id <= 0:
        raise FairGiftError("a gift id is a positive number")
    if not name.strip():
        raise FairGiftError("a gift needs a name")
    price_usd6 = parse_amount(price, 6, "USD")
    text = f"gift #{gift_id} {name!r} priced {format_amount(price_usd6, 6, 'USD')}"
    return OwnerCall(fg.jar, "jar", "setGift", (gift_id, name, price_usd6), text)


def set_treasury(fg, treasury, contract: str = "jar") -> OwnerCall:
    target = _contract(fg, contract)
    address = to_checksum_address(address_of(treasury))
    if address in (ZERO_ADDRESS, to_checksum_address(target.address)):
        raise FairGiftError(f"{address} cannot be the {contract}'s treasury")
    return OwnerCall(
        target, contract, "setTreasury", (address,), f"the {contract}'s treasury becomes {address}"
    )


def allow_token(fg, token, allowed: bool = True) -> OwnerCall:
    info = fg.token_info(token)
    text = f"{'allow' if allowed else 'disallow'} {info.symbol} ({info.address}) in the tip jar"
    return OwnerCall(fg.jar, "jar", "setTokenAllowed", (info.address, allowed), text)


def transfer_ownership(fg, new_owner, contract: str = "jar") -> OwnerCall:
    target = _contract(fg, contract)
    address = to_checksum_address(address_of(new_owner))
    if address == ZERO_ADDRESS:
        raise FairGiftError("ownership cannot go to the zero address (the contracts keep an owner)")
    text = f"offer the {contract}'s ownership to {address} (in force when it accepts)"
    return OwnerCall(target, contract, "transferOwnership", (address,), text)


def accept_ownership(fg, contract: str = "jar") -> OwnerCall:
    target = _contract(fg, contract)
    pending = to_checksum_address(str(target.pendingOwner()))
    if pending == ZERO_ADDRESS:
        raise FairGiftError(
            f"the {contract} has no pending owner: its owner offers it first (transfer-ownership)"
        )
    return OwnerCall(
        target, contract, "acceptOwnership", (), f"{pending} accepts the {contract}'s ownership", True
    )


def send(call: OwnerCall, sender) -> Result:
    """Send `call` from an owner account (no Safe)."""
    who, allowed = address_of(sender), call.authority()
    if who != allowed:
        role = "pending owner" if call.by_pending_owner else "owner"
        raise FairGiftError(f"only the {call.name}'s {role} {allowed} can do this; {who} is not")
    with translated(call.method):
        receipt = getattr(call.contract, call.method)(*call.args, sender=sender)
    return Result(f"done: {call.description}", [receipt])
