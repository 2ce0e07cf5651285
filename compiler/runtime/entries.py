"""Report entries that both report formats write the same way: the header, an uptime, a claim deadline.

Format 1.0 (`evaluate.assemble`, a v1 policy) and 1.1 (`scoped_report`, a policy using a term of
language v2) share them, so a period, an uptime and a claim read alike in both.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from ..policy.codec import decimal_str
from .calendar import from_us, to_us
from .numbers import round_ratio
from .policy import Policy


def header(policy: Policy, name: str, start: int, end: int, as_of: int, version: str) -> dict[str, Any]:
    """The report's fields before its incidents and customers, for the period `name` = [start, end) in µs."""
    raw = policy.raw

    def ts(us: int) -> str:
        return from_us(us, policy.zone).isoformat()

    return {
        "format_version": version,
        "period": name,
        "period_start": ts(start),
        "period_end": ts(end),
        "period_seconds": (end - start) // 1_000_000,
        "as_of": ts(as_of),
        "contract": {
            "id": raw["contract"]["id"],
            "title": raw["title"],
            "version": raw["contract"]["version"],
            "source_sha256": raw["contract"]["source"]["sha256"],
        },
        "policy_hash": policy.hash,
        "currency": policy.currency,
    }


@lru_cache(maxsize=64)
def _percent(text: str) -> Fraction:
    return Fraction(Decimal(text))


def uptime_entry(policy: Policy, target: str | None, up: int, length: int, line: int | None) -> dict[str, Any]:
    """Exact uptime (`up` of `length` µs), its display and whether it meets `target` percent (stated at `line`)."""
    g = math.gcd(up, length)
    met = None
    if target is not None:
        goal = _percent(target)
        met = up * 100 * goal.denominator >= goal.numerator * length
    return {
        "fraction": f"{up // g}/{length // g}",
        "percent": percent_text(up, length),
        "display": ratio_text(up * 100, length, policy.uptime_decimals),
        "decimals": policy.uptime_decimals,
        "target": target,
        "met": met,
        "line": line if target is not None else None,
    }


def percent_text(up: int, length: int) -> str:
    """`decimal_str(round_ratio(up * 100, length, 9))`: the exact percent to 9 places, without trailing zeros."""
    if up < 0 or length <= 0:
        return decimal_str(round_ratio(up * 100, length, 9))
    return ratio_text(up * 100, length, 9).rstrip("0").rstrip(".")


def ratio_text(num: int, den: int, places: int) -> str:
    """`format(round_ratio(num, den, places), "f")` in integers and one f-string (5× faster, issue 15)."""
    if num < 0 or den <= 0:
        return format(round_ratio(num, den, places), "f")
    q, r = divmod(num * 10**places, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    if not places:
        return str(q)
    whole, part = divmod(q, 10**places)
    return f"{whole}.{part:0{places}d}"


def claim_within(policy: Policy, end: int, seconds: int) -> tuple[str, str]:
    """`claim within D` from a window ending at `end` µs: (deadline, last day to claim), in wall-clock days.

    "within 30d" ends at the same clock time 30 days after the window, whatever DST does between.
    """
    end_local = from_us(end, policy.zone).replace(tzinfo=None)
    moment = (end_local + timedelta(seconds=seconds)).replace(tzinfo=policy.zone)
    return moment.isoformat(), from_us(to_us(moment) - 1, policy.zone).date().isoformat()
