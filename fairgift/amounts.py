"""Amounts as people write them (`5`, `2.50`, `2.50 USDC`, `$2.50`) <-> base units.

Parsing is exact (decimal strings, never floats) and refuses anything ambiguous: more decimals
than the token has, a symbol that is not the token's, a negative or malformed number.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from fairgift.errors import FairGiftError

_NUMBER = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


def parse_amount(text, decimals: int, symbol: str | None = None, *, allow_zero: bool = False) -> int:
    """`text` in whole units (e.g. "2.50 USDC") -> base units of a token with `decimals`.

    A leading `$` is accepted for USD stablecoins (6+ decimals named USD*, or `symbol` None).
    Raises FairGiftError with a one-line reason for anything else.
    """
    if isinstance(text, bool):
        raise FairGiftError(f"amount {text!r} is not a number")
    if isinstance(text, int):
        text = str(text)
    if not isinstance(text, str):
        raise FairGiftError(f"amount {text!r} is not a number (write it like 5 or 2.50)")
    original = text
    text = text.strip()
    if not text:
        raise FairGiftError("amount is empty (write it like 5 or 2.50)")
    parts = text.split()
    if len(parts) == 2:
        number, unit = parts
        if symbol is None or unit.upper() != symbol.upper():
            expected = f"{symbol}" if symbol else "no unit"
            raise FairGiftError(f"amount {original!r} is in {unit}, expected {expected}")
    elif len(parts) == 1:
        number = parts[0]
    else:
        raise FairGiftError(f"amount {original!r} is not a number (write it like 5 or 2.50)")
    if number.startswith("$"):
        if symbol is not None and "USD" not in symbol.upper():
            raise FairGiftError(f"amount {original!r} is in dollars, but {symbol} is not a USD token")
        number = number[1:]
    if number.startswith("-"):
        raise FairGiftError(f"amount {original!r} is negative")
    if _GROUPED.match(number):
        number = number.replace(",", "")
    if not _NUMBER.match(number):
        raise FairGiftError(f"amount {original!r} is not a number (write it like 5 or 2.50)")
    if len(number) > 120:
        raise FairGiftError(f"amount {original!r} is too large")
    with localcontext() as ctx:
        ctx.prec = 200  # exact for any uint256 with any decimals
        value = Decimal(number)
        units = value.scaleb(decimals)
        exact = units == units.to_integral_value()
    if not exact:
        unit = symbol or "this token"
        raise FairGiftError(f"amount {original!r} has more decimals than {unit} has ({decimals})")
    result = int(units)
    if result == 0 and not allow_zero:
        raise FairGiftError(f"amount {original!r} is zero")
    if result >= 2**256:
        raise FairGiftError(f"amount {original!r} is too large")
    return result


def format_amount(units: int, decimals: int, symbol: str | None = None, *, min_decimals: int = 2) -> str:
    """Base units -> "1,234.50 USDC": exact, trailing zeros dropped beyond `min_decimals`."""
    units = int(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**decimals)
    frac_text = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    frac_text = frac_text.ljust(min(min_decimals, decimals), "0")
    text = f"{sign}{whole:,}" + (f".{frac_text}" if frac_text else "")
    return f"{text} {symbol}" if symbol else text


def parse_bps(text) -> int:
    """A fee as basis points: `250`, `250bps`, `2.5%` -> 250."""
    raw = str(text).strip().lower().replace(" ", "")
    try:
        if raw.endswith("%"):
            value = Decimal(raw[:-1]) * 100
        else:
            value = Decimal(raw.removesuffix("bps"))
    except InvalidOperation as err:
        raise FairGiftError(f"fee {text!r} is not a number of basis points (e.g. 250 or 2.5%)") from err
    if value != value.to_integral_value() or value < 0:
        raise FairGiftError(f"fee {text!r} is not a whole, non-negative number of basis points")
    if value > 10_000:
        raise FairGiftError(f"fee {text!r} is above 100%")
    return int(value)


def parse_percent(text) -> Decimal:
    """A tolerance like `1%`, `0.5%` or `0.01` (a fraction) -> Decimal fraction in [0, 1)."""
    raw = str(text).strip()
    try:
        value = Decimal(raw[:-1]) / 100 if raw.endswith("%") else Decimal(raw)
    except InvalidOperation as err:
        raise FairGiftError(f"slippage {text!r} is not a percentage (e.g. 1% or 0.5%)") from err
    if not 0 <= value < 1:
        raise FairGiftError(f"slippage {text!r} must be at least 0% and below 100%")
    return value


def format_bps(bps: int) -> str:
    """250 -> "2.5% (250 bps)"."""
    pct = Decimal(int(bps)) / 100
    return f"{pct.normalize():f}% ({int(bps)} bps)"
