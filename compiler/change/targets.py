"""The length of a ticket target (issue 12) as `slac diff` compares and shows it: open time or business days.

A response, resolution or update target is `within_seconds` / `every_seconds` of open time, or
`business_days`; two lengths of different kinds cannot be ranked (neither is always longer).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .strings import Msg, duration

LENGTH_KEYS = ("within_seconds", "every_seconds")


def length(target: dict[str, Any]) -> tuple[str, Decimal]:
    """("seconds" | "business_days", amount) of a target entry of the policy."""
    if "business_days" in target:
        return "business_days", Decimal(target["business_days"])
    seconds = next(target[k] for k in LENGTH_KEYS if k in target)
    return "seconds", Decimal(str(seconds))


def show_length(target: dict[str, Any]) -> Msg:
    if "business_days" in target:
        days = target["business_days"]
        return lambda s: s.text("unit", "business_day" if days == 1 else "business_days", n=days)
    return duration(next(target[k] for k in LENGTH_KEYS if k in target))


def plain(target: dict[str, Any]) -> dict[str, Any]:
    """The target's length and calendar, as the changelog's JSON gives them."""
    return {k: v for k, v in target.items() if k not in ("line", "priority")}


def both_ways(time: int, cal: int | None) -> int | None:
    """The sign of a change in time and calendar together: None when they disagree."""
    if cal is None:
        return None
    if time == 0 or cal == 0 or time == cal:
        return time or cal
    return None


# The words of a per-miss credit by what it pays for (absent: the response target, v1):
# (subject, more, less, added, removed).
PER_MISS_WORDS: dict[str | None, tuple[str, str, str, str, str]] = {
    None: ("credit_per_miss", "per_miss_more", "per_miss_less", "per_miss_added", "per_miss_removed"),
    "resolution": (
        "credit_per_miss_resolution",
        "per_miss_resolution_more",
        "per_miss_resolution_less",
        "per_miss_resolution_added",
        "per_miss_resolution_removed",
    ),
    "update": (
        "credit_per_miss_update",
        "per_miss_update_more",
        "per_miss_update_less",
        "per_miss_update_added",
        "per_miss_update_removed",
    ),
}
