"""Exact rounding of ratios and fractions (integers only, no float on the way)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_ratio(num: int, den: int, places: int) -> Decimal:
    """num / den rounded half-even to `places` decimals, in integers."""
    q, r = divmod(num * 10**places, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return Decimal(q).scaleb(-places)


def round_half_even(value: Fraction, places: int) -> Decimal:
    """A fraction rounded half-even to `places` decimals, exactly."""
    return round_ratio(value.numerator, value.denominator, places)
