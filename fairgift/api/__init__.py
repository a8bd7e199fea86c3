"""The FairGift Python API: one object bound to the deployment of the connected chain.

    from fairgift.api import FairGift
    fg = FairGift.connect()                       # the connected chain's record, checked
    fg.tip(fan, creator, "2.50 USDC", "great stream")
    fg.gift(fan, creator, "Rose", quantity=10)
    fg.buy(fan, creator, "25")                    # 25 of the creator's tokens, sandwich-safe limit

Every method checks what it can before sending (amount syntax, balances, allowances, the gift
catalogue, fee caps, ownership, slippage) and raises `FairGiftError` with one line otherwise;
reverts are decoded into the same kind of line. Approvals a call needs are made (exactly the
amount needed) when `approve=True`, the default, and explained otherwise; each one is logged on
the `fairgift.api` logger and listed in the result's `notes`.

By concern: `accounts` (who), `base` (the deployment, tokens, checks), `tips` (tips, gifts,
signed tips, the gift catalogue), `market` (creator tokens), `splits` (splits and releases),
`payouts` (withdrawals), `fees` (every fee's schedule, read one way), `admin` (fee changes and
cancellations, minting), `status` (the deployment and its tokens),
`records` (tips received, every fee's history), `balances` (what an account holds), `quotes` (what
an operation would cost, sending nothing).
"""

from fairgift.api.accounts import ZERO_ADDRESS, address_of, resolve_account, unlock
from fairgift.api.admin import Admin
from fairgift.api.balances import Balances
from fairgift.api.base import DEADLINE_SECONDS, Result, TokenInfo
from fairgift.api.market import DEFAULT_SLIPPAGE
from fairgift.api.payouts import Payouts
from fairgift.api.quotes import Quotes
from fairgift.api.records import Records
from fairgift.api.splits import Splits
from fairgift.api.status import Status


class FairGift(Status, Admin, Splits, Payouts, Records, Balances, Quotes):
    """The deployment of one chain: `jar`, `market`, `factory`, `usdc` (the stablecoin) and every
    operation on them (see the modules of `fairgift.api`)."""


__all__ = [
    "DEADLINE_SECONDS",
    "DEFAULT_SLIPPAGE",
    "ZERO_ADDRESS",
    "FairGift",
    "Result",
    "TokenInfo",
    "address_of",
    "resolve_account",
    "unlock",
]
