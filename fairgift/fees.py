"""The exact off-chain model of the transparent-fee arithmetic (mirrors contracts/fees/FeeSchedule.sol)."""

BPS_DENOMINATOR = 10_000


def fee_on(amount: int, bps: int) -> int:
    """`amount * bps / 10_000`, rounded down."""
    if not 0 <= bps <= BPS_DENOMINATOR:
        raise ValueError(f"fee of {bps} bps is outside 0..{BPS_DENOMINATOR}")
    return amount * bps // BPS_DENOMINATOR


def split(amount: int, bps: int) -> tuple[int, int]:
    """(fee, net) with fee rounded down and fee + net == amount."""
    fee = fee_on(amount, bps)
    return fee, amount - fee
