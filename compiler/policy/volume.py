"""What the policy stage would materialise, bounded before it does (E0223).

Holidays are written into the policy as dates, per calendar and year: 300 calendars with
`holidays` over `--holiday-years 2025-2125` took 12 s and 118 MB to compile into a 9.5 MB
policy. The product of calendars with holidays and years is limited by
`limits.MAX_HOLIDAY_CALENDAR_YEARS`; the policy stage (`policy.build`) asks here first.
"""

from __future__ import annotations

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic, error


def holiday_volume(doc: n.Document, years: tuple[int, int] | None) -> list[Diagnostic]:
    """E0223 at the first calendar with holidays when calendars × years is over the limit."""
    if years is None:
        return []
    calendars = [c for c in doc.sla.all(n.Calendar) if c.first(n.Holidays) is not None]
    span = years[1] - years[0] + 1
    if len(calendars) * span <= limits.MAX_HOLIDAY_CALENDAR_YEARS:
        return []
    first = calendars[0].first(n.Holidays)
    assert first is not None
    return [
        error(
            "E0223",
            f"{len(calendars):,} calendars with holidays over {span:,} years would materialise "
            f"{len(calendars) * span:,} calendar-years of holidays; at most "
            f"{limits.MAX_HOLIDAY_CALENDAR_YEARS:,} are written into a policy",
            first.span,
            "materialise fewer years (--holiday-years FIRST-LAST, default: the effective year and five more) "
            "or let calendars share hours and holidays",
        )
    ]
