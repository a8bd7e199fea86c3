"""Changing fees (the owner's jar and protocol fees, a creator's own token fee) and minting the
local MockUSDC."""

from __future__ import annotations

from eth_utils import to_checksum_address

from fairgift.amounts import format_bps, parse_bps
from fairgift.api.accounts import address_of
from fairgift.api.base import Result
from fairgift.api.fees import FEE_TARGETS, Fees
from fairgift.api.market import Market
from fairgift.deployments import is_local_network
from fairgift.errors import FairGiftError, translated

# What the owner (or the token's creator) is told they may not do, by fee and by action.
_MAY_NOT = {
    "schedule": ("change the tip jar fee", "change the protocol fee", "change its creator fee"),
    "cancel": ("cancel a tip jar fee rise", "cancel a protocol fee rise", "cancel its creator fee rise"),
}


class Admin(Market, Fees):
    def _authorize_fee(self, sender, target: str, token, action: str):
        """The creator token of a "creator" fee (None for the others), once `sender` may `action` it."""
        jar_text, protocol_text, creator_text = _MAY_NOT[action]
        if target == "jar":
            self.require_owner(self.jar, sender, jar_text)
            return None
        if target == "protocol":
            self.require_owner(self.market, sender, protocol_text)
            return None
        if target == "creator":
            tok = self.creator_token(sender if token is None else token)
            if to_checksum_address(str(self.market.creatorOf(tok))) != address_of(sender):
                raise FairGiftError(f"only the creator of {tok} can {creator_text}")
            return tok
        raise FairGiftError(f"unknown fee {target!r} ({', '.join(FEE_TARGETS)})")

    def schedule_fee(self, sender, bps, target: str = "jar", token=None) -> Result:
        """Change a fee: `target` "jar" (TipJar fee, owner), "protocol" (market, owner) or
        "creator" (the sender's own token's creator fee). Lower: at once; higher: after the delay."""
        bps = parse_bps(bps)
        tok = self._authorize_fee(sender, target, token, "schedule")
        schedule = self.fee_schedule(target, tok)
        cap, current = schedule.cap, schedule.bps
        if bps > cap:
            raise FairGiftError(f"a fee of {format_bps(bps)} is above the cap of {format_bps(cap)}")
        with translated("schedule fee"):
            if target == "jar":
                receipt = self.jar.scheduleFee(bps, sender=sender)
            elif target == "protocol":
                receipt = self.market.scheduleProtocolFee(bps, sender=sender)
            else:
                receipt = self.market.scheduleCreatorFee(tok, bps, sender=sender)
        result = Result("", [receipt], {"old": current, "new": bps})
        if bps <= current:
            result.summary = (
                f"{target} fee lowered from {format_bps(current)} to {format_bps(bps)}, in force now"
            )
        else:
            effective = self.fee_schedule(target, tok).effective_at
            result.values["effective_at"] = effective
            result.summary = (
                f"{target} fee rise from {format_bps(current)} to {format_bps(bps)} scheduled: "
                f"in force from {self.date(effective)} (timestamp {effective}); "
                "until then the old fee applies"
            )
        return result

    def cancel_fee(self, sender, target: str = "jar", token=None) -> Result:
        """Cancel a pending fee rise: the jar's or the protocol's (owner), or the sender's own token's
        creator fee (only its creator may)."""
        tok = self._authorize_fee(sender, target, token, "cancel")
        schedule = self.fee_schedule(target, tok)
        bps, effective, current = schedule.pending_bps, schedule.effective_at, schedule.bps
        if not effective:
            raise FairGiftError(
                f"no pending rise of the {target} fee to cancel (in force: {format_bps(current)})"
            )
        with translated("cancel fee"):
            if target == "jar":
                receipt = self.jar.cancelFee(sender=sender)
            elif target == "protocol":
                receipt = self.market.cancelProtocolFee(sender=sender)
            else:
                receipt = self.market.cancelCreatorFee(tok, sender=sender)
        return Result(
            f"{target} fee rise to {format_bps(bps)} (due {self.date(effective)}) cancelled; "
            f"{format_bps(current)} stays in force",
            [receipt],
            {"cancelled": bps, "fee": current},
        )

    def mint(self, sender, to, amount) -> Result:
        """Local networks only: mint MockUSDC (its owner, the deployer, signs)."""
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
