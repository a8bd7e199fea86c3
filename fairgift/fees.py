"""The exact off-chain model of FairGift's fees (mirrors contracts/libraries/FeeSchedule.sol).

- `fee_on` / `split`: the arithmetic every fee uses (rounded down, fee + net == amount).
- `FeeSchedule`: one capped, delayed fee: the fee in force, a pending increase and the date it
  takes effect; a decrease applies at once, an increase after `delay`, and a matured increase is
  in force without any transaction.
- The caps and the delay the contracts hard-code, and the defaults of a new deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

BPS_DENOMINATOR = 10_000
FEE_CHANGE_DELAY = 7 * 24 * 3600  # TipJar / CreatorMarket FEE_CHANGE_DELAY (seconds)

# Caps written as constants in the contracts' bytecode.
JAR_FEE_CAP_BPS = 1_000  # TipJar.MAX_FEE_BPS
PROTOCOL_FEE_CAP_BPS = 500  # CreatorMarket.MAX_PROTOCOL_FEE_BPS
CREATOR_FEE_CAP_BPS = 1_000  # CreatorMarket.MAX_CREATOR_FEE_BPS

# What `ape run deploy` and the demo start with (each is a flag of `ape run deploy`).
DEFAULT_JAR_FEE_BPS = 500  # 5% at launch
DEFAULT_PROTOCOL_FEE_BPS = 100  # 1% of each trade's curve value
DEFAULT_CREATOR_FEE_BPS = 500  # a creator's fee when `launch` is not given one


def fee_on(amount: int, bps: int) -> int:
    """`amount * bps / 10_000`, rounded down."""
    if not 0 <= bps <= BPS_DENOMINATOR:
        raise ValueError(f"fee of {bps} bps is outside 0..{BPS_DENOMINATOR}")
    return amount * bps // BPS_DENOMINATOR


def split(amount: int, bps: int) -> tuple[int, int]:
    """(fee, net) with fee rounded down and fee + net == amount."""
    fee = fee_on(amount, bps)
    return fee, amount - fee


@dataclass
class FeeSchedule:
    """One transparent fee, exactly as `FeeSchedule.Fee` stores it: `bps` in force until
    `effective_at`, then `pending_bps` (no pending increase when `effective_at` is 0).

    Times are block timestamps. Construct it from a contract's reads with `from_reads`.
    """

    bps: int
    cap: int
    delay: int = FEE_CHANGE_DELAY
    pending_bps: int = 0
    effective_at: int = 0

    @classmethod
    def from_reads(cls, current_bps: int, pending: tuple[int, int], cap: int, delay: int = FEE_CHANGE_DELAY):
        """From `feeBps()` and `pendingFee()` (or their market equivalents) read at one block."""
        pending_bps, effective_at = int(pending[0]), int(pending[1])
        return cls(int(current_bps), int(cap), int(delay), pending_bps, effective_at)

    def current(self, now: int) -> int:
        """The fee in force at timestamp `now`."""
        return self.pending_bps if self.effective_at and now >= self.effective_at else self.bps

    def pending(self, now: int) -> tuple[int, int]:
        """(bps, effective_at) of the increase still pending at `now`, or (0, 0)."""
        if self.effective_at and now < self.effective_at:
            return self.pending_bps, self.effective_at
        return 0, 0

    def highest_until(self, until: int) -> int:
        """The highest fee that can be in force at any time up to `until` (what a transaction that
        may be mined as late as `until` must be ready to pay)."""
        return max(self.bps, self.pending_bps if self.effective_at and until >= self.effective_at else 0)

    def schedule(self, bps: int, now: int) -> bool:
        """Apply `scheduleFee(bps)` at `now`: True when in force at once (a decrease or the same
        fee), False when scheduled for `now + delay`. Raises ValueError above the cap."""
        if not 0 <= bps <= self.cap:
            raise ValueError(f"a fee of {bps} bps is above the cap of {self.cap} bps")
        old = self.current(now)
        if bps <= old:
            self.bps, self.pending_bps, self.effective_at = bps, 0, 0
            return True
        self.bps, self.pending_bps, self.effective_at = old, bps, now + self.delay
        return False

    def cancel(self, now: int | None = None) -> int:
        """Drop the pending increase; returns its bps. With `now`, raises ValueError when nothing
        is pending at `now` (the contract's `NoPendingFee`)."""
        if now is not None and self.pending(now) == (0, 0):
            raise ValueError("there is no pending fee change to cancel")
        cancelled = self.pending_bps
        self.pending_bps, self.effective_at = 0, 0
        return cancelled
