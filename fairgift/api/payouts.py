"""Getting paid: withdrawals of tip-jar credit and market fees (pull payments, to the payout)."""

from __future__ import annotations

from eth_utils import to_checksum_address

from fairgift.api.accounts import address_of
from fairgift.api.base import Base, Result
from fairgift.errors import FairGiftError, translated


class Payouts(Base):
    def withdraw(self, sender, account=None, token=None) -> Result:
        """Withdraw `account`'s (default: the sender's) whole credit from the jar (the stablecoin,
        or `token`) and from the market, to its payout address."""
        target = address_of(account) if account is not None else address_of(sender)
        own = target == address_of(sender)
        info = self.token_info(token) if token is not None else self.stable
        result = Result("")
        parts = []
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
