"""Measurement windows and billing periods in the contract's zone: months, quarters, years (language v2).

A period is named `2026-05` (a month), `2026-Q2` (a quarter) or `2026` (a year) and must be
what the contract bills: `billing monthly | quarterly | annually`. Its bounds are the local
midnights that open it and the next one, so a quarter across a DST change is as long as it
really is (2026-Q1 in Europe/Berlin is one hour shorter than 90 days).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from .. import limits
from .calendar import wall_to_us

# Months per billing period.
BILLING_MONTHS = {"monthly": 1, "quarterly": 3, "annually": 12}
WINDOW_MONTHS = {"calendar_month": 1, "calendar_quarter": 3, "calendar_year": 12}


@dataclass(frozen=True, slots=True)
class Window:
    """A window: its name, first month, number of months and [start, end) in µs."""

    name: str
    first: date  # the first day
    months: int
    start: int
    end: int

    @property
    def last_day(self) -> date:
        return add_months(self.first, self.months) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (add_months(self.first, self.months) - self.first).days

    def month_starts(self) -> list[date]:
        return [add_months(self.first, k) for k in range(self.months)]


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month (day must be a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_window(first: date, zone: zoneinfo.ZoneInfo, months: int = 1) -> Window:
    nxt = add_months(first, months)
    if months == 1:
        name = f"{first.year:04d}-{first.month:02d}"
    elif months == 3:
        name = f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    else:
        name = f"{first.year:04d}"
    return Window(name, first, months, wall_to_us(first, 0, zone), wall_to_us(nxt, 0, zone))


def parse_period(name: str, billing: str, zone: zoneinfo.ZoneInfo) -> Window:
    """The billing period called `name`; ValueError says how to write it when it is not one."""
    months = BILLING_MONTHS.get(billing)
    if months is None:
        raise ValueError(f"billing {billing!r} is not supported; it is monthly, quarterly or annually")
    examples = {1: "2026-05", 3: "2026-Q2", 12: "2026"}
    kinds = {1: "a month", 3: "a quarter", 12: "a year"}
    first: date | None = None
    year_text, _, rest = name.partition("-")
    try:
        year = int(year_text) if len(year_text) == 4 and year_text.isdigit() else None
        if year is not None:
            if months == 1 and len(rest) == 2 and rest.isdigit():
                first = date(year, int(rest), 1)
            elif months == 3 and len(rest) == 2 and rest[0] == "Q" and rest[1] in "1234":
                first = date(year, 3 * int(rest[1]) - 2, 1)
            elif months == 12 and not rest and "-" not in name:
                first = date(year, 1, 1)
    except ValueError:
        first = None
    if first is None:
        raise ValueError(
            f"period {name!r} is not {kinds[months]}: the contract bills {billing}, so write it like {examples[months]}"
        )
    if not limits.MIN_YEAR <= first.year <= limits.MAX_YEAR:
        raise ValueError(f"period {name!r} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    return month_window(first, zone, months)


def claim_last_day(window: Window, cycles: int, billing: str) -> date:
    """The last day to claim `within N billing cycles`: the end of the Nth billing period after the window."""
    months = BILLING_MONTHS[billing]
    return add_months(window.first, window.months + cycles * months) - timedelta(days=1)


def local_date(us: int, zone: tzinfo) -> date:
    from .calendar import from_us

    moment: datetime = from_us(us, zone)
    return moment.date()


SPAN_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def earlier_windows(window: Window, span: str, zone: zoneinfo.ZoneInfo) -> list[Window] | None:
    """The windows before `window` in the calendar `span` (month, quarter, year) containing it, in order.

    None when the span is not longer than the window (a cap over it takes no history); [] for the
    first window of its span.
    """
    months = SPAN_MONTHS[span]
    if months <= window.months:
        return None
    first = date(window.first.year, (window.first.month - 1) // months * months + 1, 1)
    count = (window.first.year * 12 + window.first.month - first.year * 12 - first.month) // window.months
    return [month_window(add_months(first, k * window.months), zone, window.months) for k in range(count)]
