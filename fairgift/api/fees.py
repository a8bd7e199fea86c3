"""The three transparent fees read one way: the jar's fee, the market's protocol fee and each
creator token's fee, as `fairgift.fees.FeeSchedule` (in force, pending rise, cap, delay) read in
one batch at one block. Quotes, the status, the admin commands and the pages all read them here."""

from __future__ import annotations

from dataclasses import dataclass

from fairgift.api.base import Base
from fairgift.chain import Reads
from fairgift.errors import FairGiftError
from fairgift.fees import FeeSchedule


@dataclass(frozen=True)
class FeeMethods:
    """Where one fee lives: the contract ("jar" or "market") and its view methods."""

    contract: str
    current: str
    pending: str
    cap: str
    per_token: bool = False


FEES = {
    "jar": FeeMethods("jar", "feeBps", "pendingFee", "MAX_FEE_BPS"),
    "protocol": FeeMethods("market", "protocolFeeBps", "pendingProtocolFee", "MAX_PROTOCOL_FEE_BPS"),
    "creator": FeeMethods(
        "market", "creatorFeeBps", "pendingCreatorFee", "MAX_CREATOR_FEE_BPS", per_token=True
    ),
}
FEE_TARGETS = tuple(FEES)


def pending_change(schedule: FeeSchedule) -> dict | None:
    """The stored pending change as {"bps", "effective_at"}, None when nothing is pending."""
    if schedule.effective_at == 0:
        return None
    return {"bps": schedule.pending_bps, "effective_at": schedule.effective_at}


class Fees(Base):
    def fee_schedule(self, target: str = "jar", token=None, block: int | None = None) -> FeeSchedule:
        """One fee's schedule (`target` "jar", "protocol" or "creator" with the creator `token`),
        read in one batch at `block` (the latest by default)."""
        return self.fee_schedules([(target, token)], block)[0]

    def fee_schedules(self, fees, block: int | None = None) -> list[FeeSchedule]:
        """Several fees' schedules, `[(target, token), ...]`, in one batch at one block."""
        reads = Reads(self.chain.provider.web3, block)
        for target, token in fees:
            methods = FEES.get(target)
            if methods is None:
                raise FairGiftError(f"unknown fee {target!r} ({', '.join(FEE_TARGETS)})")
            contract = self.jar if methods.contract == "jar" else self.market
            args = (token,) if methods.per_token else ()
            reads.add(contract, methods.current, *args)
            reads.add(contract, methods.pending, *args)
            reads.add(contract, methods.cap)
            reads.add(contract, "FEE_CHANGE_DELAY")
        values = reads.run()
        return [
            FeeSchedule.from_reads(bps, pending, cap, delay)
            for bps, pending, cap, delay in zip(*[iter(values)] * 4, strict=True)
        ]
