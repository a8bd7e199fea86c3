"""Changing fees (the owner's jar and protocol fees, a creator's own token fee) and minting the
local MockUSDC."""

from __future__ import annotations

from eth_utils import to_checksum_address

from fairgift.amounts import format_bps, parse_bps
from fairgift.api.accounts import address_of
from fairgift.api.base import Result
from fairgift.api.market import Market
from fairgift.deployments import is_local_network
from fairgift.errors import FairGiftError, translated

FEE_TARGETS = ("jar", "protocol", "creator")


class Admin(Market):
    def schedule_fee(self, sender, bps, target: str = "jar", token=None) -> Result:
        """Change a fee: `target` "jar" (TipJar fee, owner), "protocol" (market, owner) or
        "creator" (the sender's own token's creator fee). Lower: at once; higher: after the delay."""
        bps = parse_bps(bps)
        if target == "jar":
            cap, current = int(self.jar.MAX_FEE_BPS()), int(self.jar.feeBps())
            self.require_owner(self.jar, sender, "change the tip jar fee")
        elif target == "protocol":
            cap, current = int(self.market.MAX_PROTOCOL_FEE_BPS()), int(self.market.protocolFeeBps())
            self.require_owner(self.market, sender, "change the protocol fee")
        elif target == "creator":
            tok = self.creator_token(sender if token is None else token)
            cap, current = int(self.market.MAX_CREATOR_FEE_BPS()), int(self.market.creatorFeeBps(tok))
            if to_checksum_address(str(self.market.creatorOf(tok))) != address_of(sender):
                raise FairGiftError(f"only the creator of {tok} can change its creator fee")
        else:
            raise FairGiftError(f"unknown fee {target!r} ({', '.join(FEE_TARGETS)})")
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

    def cancel_fee(self, sender, target: str = "jar", token=None) -> Result:
        """Cancel a pending fee rise: the jar's or the protocol's (owner), or the sender's own token's
        creator fee (only its creator may)."""
        if target == "jar":
            self.require_owner(self.jar, sender, "cancel a tip jar fee rise")
            pending, current = self.jar.pendingFee(), int(self.jar.feeBps())
        elif target == "protocol":
            self.require_owner(self.market, sender, "cancel a protocol fee rise")
            pending, current = self.market.pendingProtocolFee(), int(self.market.protocolFeeBps())
        elif target == "creator":
            tok = self.creator_token(sender if token is None else token)
            if to_checksum_address(str(self.market.creatorOf(tok))) != address_of(sender):
                raise FairGiftError(f"only the creator of {tok} can cancel its creator fee rise")
            pending, current = self.market.pendingCreatorFee(tok), int(self.market.creatorFeeBps(tok))
        else:
            raise FairGiftError(f"unknown fee {target!r} ({', '.join(FEE_TARGETS)})")
        bps, effective = int(pending[0]), int(pending[1])
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
