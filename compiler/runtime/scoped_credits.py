"""Credits of language v2: per scope bands and formulas, per-miss lines, caps, the minimum credit (exact rationals).

Order (SPEC "Language v2", *Credits*): per scope, band, formula and per-miss credits add up; a
cap on `service_charges` limits each scope's sum; the scopes' sums add up to the customer's total
(with the per-miss lines, which belong to no scope); a cap on `monthly_fee`, `window_fee` or days
of service limits that total; then the minimum credit (a total below it is not paid); then one
half-even rounding to the currency's minor unit.

Bands: `below X` pays when uptime < X, `at or below X` when uptime ≤ X; X `target` is the tier's
uptime for the scope's service (`uptime P for SERVICE`, else `uptime P`). The single worst band
crossed pays. A credit that `requires` a condition the customer does not meet pays nothing.
Quantities: `window_fee` is the customer's fee (the fee for one billing period, which is the
window), `monthly_fee` the window fee per month of the window, `service_charges` what the customer
paid for the scope in the window, N `service_day` = window_fee ÷ days in the window × N.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from ..policy.codec import minor_digits, money_str
from . import formula
from .rules import band_threshold


@dataclass(frozen=True, slots=True)
class Quantities:
    fee: Fraction  # window_fee
    months: int
    days: int
    charges: Fraction  # service_charges (of the scope; of every scope at customer level)
    downtime: int  # µs
    window: int  # µs
    target: Fraction | None  # fraction of 1

    def basis(self, name: str) -> Fraction:
        if name == "window_fee":
            return self.fee
        if name == "monthly_fee":
            return self.fee / self.months
        if name == "service_charges":
            return self.charges
        raise ValueError(f"unknown basis {name!r}")

    def formula_values(self) -> dict[str, Fraction]:
        up = Fraction(self.window - self.downtime, self.window) if self.window else Fraction(1)
        return {
            "window_fee": self.fee,
            "monthly_fee": self.fee / self.months,
            "service_charges": self.charges,
            "downtime": Fraction(self.downtime),
            "window": Fraction(self.window),
            "uptime": up,
            "target": self.target if self.target is not None else Fraction(1),
        }


@lru_cache(maxsize=256)
def percent(text: str) -> Fraction:
    """A percentage of the policy as a fraction of 1 (99.9 → 999/1000)."""
    return Fraction(Decimal(text)) / 100


@lru_cache(maxsize=256)
def exact(text: str) -> Fraction:
    """A decimal of the policy as a fraction."""
    return Fraction(Decimal(text))


def value(amount: Mapping[str, Any], q: Quantities) -> Fraction:
    """An amount of the policy, exactly."""
    if "share" in amount:
        return percent(amount["share"]) * q.basis(amount["basis"])
    if "money" in amount:
        return exact(amount["money"])
    if "service_days" in amount:
        return exact(amount["service_days"]) * q.fee / q.days
    return max(Fraction(0), formula.evaluate(amount["formula"], q.formula_values()))


def describe(amount: Mapping[str, Any], currency: str) -> str:
    if "share" in amount:
        return f"{amount['share']}% of {amount['basis']}"
    if "money" in amount:
        return f"{amount['money']} {amount['currency']}"
    if "service_days" in amount:
        days = amount["service_days"]
        return f"{days} service_day{'' if days == '1' else 's'}"
    return str(amount["text"])


@dataclass(frozen=True, slots=True)
class Band:
    raw: Mapping[str, Any]
    threshold: str
    ratio: Fraction  # fraction of 1
    inclusive: bool


def bands_worst_first(bands: list[Mapping[str, Any]], target: str | None) -> list[Band]:
    """Bands that apply, the worst first: a lower threshold first; of one threshold the strict one first.

    `below 95%` (uptime < 95 %) is crossed only by worse service than `at or below 95%`, so it
    comes first; of two identical bands the later one in the contract.
    """
    out: list[tuple[Fraction, bool, int, Band]] = []
    for order, band in enumerate(bands):
        threshold = band_threshold(band, target)
        if threshold is None:
            continue
        ratio = Fraction(Decimal(threshold)) / 100
        inclusive = bool(band.get("inclusive"))
        out.append((ratio, inclusive, -order, Band(band, threshold, ratio, inclusive)))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return [b for *_, b in out]


def paying(bands: list[Band], up: int, window: int) -> Band | None:
    for band in bands:
        num, den = band.ratio.numerator, band.ratio.denominator
        if up * den < num * window or (band.inclusive and up * den == num * window):
            return band
    return None


def decimal_of(value: Fraction, places: int = 12) -> Decimal:
    """A fraction as a decimal: exact when it terminates within `places`, else rounded half-even there."""
    from .numbers import round_half_even

    return round_half_even(value, places).normalize()


def money_text(value: Fraction, currency: str) -> str:
    """`money_str(decimal_of(value), currency)`, without Decimal when the value has no more than the minor digits.

    Cached by the value's integers: a scope's charges, credit, subtotal and cap limit are often one amount.
    """
    return _money(value.numerator, value.denominator, currency)


@lru_cache(maxsize=4096)
def _money(num: int, den: int, currency: str) -> str:
    digits = _digits(currency)
    if den == 1:  # a whole amount
        return f"{num}.{'0' * digits}" if digits else str(num)
    q, r = divmod(abs(num) * 10**digits, den)
    if r:
        return money_str(decimal_of(Fraction(num, den)), currency)
    sign = "-" if num < 0 else ""
    if digits == 0:
        return f"{sign}{q}"
    whole, part = divmod(q, 10**digits)
    return f"{sign}{whole}.{part:0{digits}d}"


@lru_cache(maxsize=64)
def _digits(currency: str) -> int:
    return minor_digits(currency)


def cap_is_per_scope(cap: Mapping[str, Any] | None) -> bool:
    return cap is not None and cap["amount"].get("basis") == "service_charges"
