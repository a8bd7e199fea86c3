"""Revenue splits: a creator's income shared among collaborators (a `SplitFactory` clone)."""

from __future__ import annotations

from eth_utils import to_checksum_address

from fairgift.amounts import format_bps, parse_bps
from fairgift.api.accounts import address_of
from fairgift.api.base import Base, Result
from fairgift.errors import FairGiftError, translated
from fairgift.fees import BPS_DENOMINATOR

MAX_PAYEES = 32  # SplitFactory's limit


class Splits(Base):
    def split(self, sender, shares: dict, set_payout: bool = False) -> Result:
        """Deploy a revenue split: `shares` maps payees to basis points summing to 10,000.
        With `set_payout`, the sender's tip-jar and market payouts then point at the split."""
        if self.factory is None:
            raise FairGiftError("this deployment has no SplitFactory")
        payees, bps = [], []
        for who, share in shares.items():
            address = address_of(who)
            if address in payees:
                raise FairGiftError(f"{address} appears twice in the split")
            payees.append(address)
            bps.append(parse_bps(share))
        if not 1 <= len(payees) <= MAX_PAYEES:
            raise FairGiftError(f"a split has 1 to {MAX_PAYEES} payees, not {len(payees)}")
        if any(b == 0 for b in bps):
            raise FairGiftError("every payee of a split needs a share above 0")
        if sum(bps) != BPS_DENOMINATOR:
            raise FairGiftError(f"split shares add up to {sum(bps)} bps, not 10000 (100%)")
        with translated("create split"):
            receipt = self.factory.createSplit(payees, bps, sender=sender)
        created = [
            log
            for log in receipt.decode_logs(self.factory.SplitCreated)
            if to_checksum_address(str(log.contract_address)) == self.factory.address
        ]
        if not created:
            raise FairGiftError("the split was created but the receipt has no SplitCreated event")
        split = to_checksum_address(str(created[0].split))
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
