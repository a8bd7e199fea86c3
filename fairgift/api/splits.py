"""Revenue splits: a creator's income shared among collaborators (a `SplitFactory` clone)."""

from __future__ import annotations

from eth_utils import to_checksum_address

from fairgift import events
from fairgift.amounts import format_bps, parse_bps
from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.api.base import Base, Result
from fairgift.errors import FairGiftError, translated
from fairgift.fees import BPS_DENOMINATOR

MAX_PAYEES = 32  # SplitFactory's limit


class Splits(Base):
    def split_plan(self, shares) -> tuple[list[str], list[int]]:
        """The payees and shares (bps) of a split, checked as `SplitFactory` checks them, so a bad
        split is refused in one line before anything is sent: `shares` maps payees to basis points
        summing to 10,000 (a dict, or a list of (payee, share) pairs, where a payee named twice is
        refused, never merged); no zero address, no FairGift contract (the money would be stranded),
        1 to `MAX_PAYEES` payees, every share above 0."""
        pairs = list(shares.items()) if isinstance(shares, dict) else list(shares)
        payees, bps = [], []
        for who, share in pairs:
            address = self.named_address(who)
            if address == ZERO_ADDRESS:
                raise FairGiftError("a payee of a split cannot be the zero address")
            if address in (self.jar.address, self.market.address):
                raise FairGiftError(f"a payee of a split cannot be a FairGift contract ({address})")
            if address in payees:
                first = pairs[payees.index(address)][0]
                also = f" (as {first!r} and {who!r})" if str(first) != str(who) else ""
                raise FairGiftError(
                    f"{address} appears twice in the split{also}: name each payee once, with its whole share"
                )
            payees.append(address)
            bps.append(parse_bps(share))
        if not 1 <= len(payees) <= MAX_PAYEES:
            raise FairGiftError(f"a split has 1 to {MAX_PAYEES} payees, not {len(payees)}")
        if any(b == 0 for b in bps):
            raise FairGiftError("every payee of a split needs a share above 0")
        if sum(bps) != BPS_DENOMINATOR:
            raise FairGiftError(f"split shares add up to {sum(bps)} bps, not 10000 (100%)")
        return payees, bps

    def split(self, sender, shares, set_payout: bool = False) -> Result:
        """Deploy a revenue split of `shares` (checked by `split_plan`). With `set_payout`, the
        sender's tip-jar and market payouts then point at the split."""
        if self.factory is None:
            raise FairGiftError("this deployment has no SplitFactory")
        payees, bps = self.split_plan(shares)
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

    # ------------------------------------------------------------------ releases

    def splits_of(self, payee) -> list[str]:
        """The splits of this deployment that pay `payee`, oldest first."""
        address = self.named_address(payee)
        created = events.source(self).events("SplitFactory.SplitCreated")
        return [
            to_checksum_address(ev.args["split"])
            for ev in created
            if address.lower() in (p.lower() for p in ev.args["payees"])
        ]

    def release(self, sender, split=None, token=None, payee=None) -> Result:
        """Release what the split(s) owe `payee` (default: the sender) in `token` (default: the
        stablecoin): the given `split`, or every split of this deployment that names the payee.
        Anyone may release; the money goes to the payee (or the payout address it set)."""
        target = self.named_address(payee) if payee is not None else address_of(sender)
        info = self.token_info(token) if token is not None else self.stable
        if split is not None:
            splits = [address_of(split)]
            if splits[0] not in self.splits_of(target):
                raise FairGiftError(f"{splits[0]} is not a split of this deployment that pays {target}")
        else:
            splits = self.splits_of(target)
            if not splits:
                raise FairGiftError(f"no split of this deployment pays {target}")
        result = Result("")
        paid = []
        for address in splits:
            contract = self.project.RevenueSplit.at(address, detect_proxy=False)
            owed = int(contract.releasable(info.address, target))
            if not owed:
                continue
            with translated(f"release from split {address}"):
                receipt = contract.release(info.address, target, sender=sender)
            result.receipts.append(receipt)
            paid.append((address, owed))
        if not paid:
            raise FairGiftError(
                f"nothing to release for {target} in {info.symbol} from {len(splits)} split(s): "
                + ", ".join(splits)
            )
        total = sum(owed for _, owed in paid)
        result.values.update(payee=target, token=info.address, released=total, splits=[a for a, _ in paid])
        parts = []
        for address, owed in paid:
            # a payee may redirect its releases (RevenueSplit.setPayout): say where the money went
            split_contract = self.project.RevenueSplit.at(address, detect_proxy=False)
            payout = to_checksum_address(str(split_contract.payoutOf(target)))
            parts.append(
                f"{address} ({info.fmt(owed)}" + (f", paid to {payout})" if payout != target else ")")
            )
        result.summary = f"released {info.fmt(total)} owed to {target} from " + ", ".join(parts)
        return result
