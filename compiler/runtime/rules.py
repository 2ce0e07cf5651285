"""Rules of the contract language that more than the evaluator needs, in a callable form (stdlib only).

* `allowed_downtime`: the downtime an uptime target allows in the reference month of 30 days,
  exactly, as `slac diff` quantifies an uptime change and the rendered contract states it.
* `bands_worst_first` and `paying_band`: which band of a banded credit pays at a given uptime,
  as `runtime/credits.py` pays it: the single band of the worst threshold crossed (the lowest
  threshold the uptime is strictly below; of two equal thresholds the later in the contract),
  `below target` being the tier's uptime (a tier without one skips that band).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

REFERENCE_MONTH_SECONDS = 30 * 86400  # the month an allowed downtime is stated for


def allowed_downtime(uptime: Decimal | str) -> Decimal:
    """Seconds of downtime a 30-day month allows at `uptime` percent, exactly (99.9 → 2592)."""
    return Decimal(REFERENCE_MONTH_SECONDS) * (Decimal(100) - Decimal(uptime)) / Decimal(100)


def band_threshold(band: Mapping[str, Any], tier_uptime: str | None) -> str | None:
    """A band's threshold in percent as the contract writes it; `target` is the tier's uptime (None: no band)."""
    threshold = band["threshold"]
    return tier_uptime if threshold == "target" else threshold


def bands_worst_first(
    bands: Sequence[Mapping[str, Any]], tier_uptime: str | None
) -> tuple[tuple[Fraction, Mapping[str, Any]], ...]:
    """(threshold as a fraction of 1, band) for every band that applies, the worst (lowest) first.

    Of two equal thresholds the later band in the contract comes first, so it is the one that pays.
    """
    ordered: list[tuple[Fraction, int, Mapping[str, Any]]] = []
    for order, band in enumerate(bands):
        threshold = band_threshold(band, tier_uptime)
        if threshold is None:  # `below target` for a tier without an uptime commitment
            continue
        ordered.append((Fraction(Decimal(threshold)) / 100, -order, band))
    ordered.sort(key=lambda x: (x[0], x[1]))
    return tuple((ratio, band) for ratio, _order, band in ordered)


def paying_band(
    worst_first: Sequence[tuple[Fraction, Mapping[str, Any]]], up: int, period: int
) -> Mapping[str, Any] | None:
    """The band that pays for `up` µs of uptime out of `period` µs: the first one strictly above the uptime."""
    for ratio, band in worst_first:
        if up * ratio.denominator < ratio.numerator * period:  # strictly below the threshold
            return band
    return None
