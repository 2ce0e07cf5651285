"""The plan's `calendar_open` relation: every open interval of every calendar of a policy, as Arrow.

The intervals come from the runtime's own materialisation (`slac.runtime.calendar`: weekly hours
in the calendar's zone, the policy's holidays and make-up days, DST), never re-derived here, so
an open time computed from this table equals the runtime's to the microsecond. `cum_before` is
the calendar's open µs from its first row up to `open_start`; the open time between t0 < t1 is
cum(t1) − cum(t0), cum(t) = cum_before + clamp(t − open_start, 0, open_end − open_start) of the
interval at or before t.

A calendar's rows begin where the table's span begins: when the calendar is closed then, its first
row is a mark of no length (open_start = open_end, cum_before 0) at that instant. An instant before
a calendar's first row is therefore outside the table, not closed time, and the clock queries treat
it as they treat one past its last row (not `known`): a table written for a later period cannot
pass for this one's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.calendar import OutsideSpan, timeline_covering

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

COLUMNS = ("calendar", "open_start", "open_end", "cum_before")


def longest_target(policy: Policy, calendar: str) -> int:
    """The longest target in µs measured in `calendar` (response, resolution, update), 0 without one.

    A target in business days counts a week of open time per day, a generous bound: the table
    then reaches past the deadline of every ticket opened in the span.
    """
    cal = policy.calendars[calendar]
    week = sum(e - s for day in cal.week for s, e in day) * 60 * 1_000_000
    need = 0
    for table in (policy.targets, policy.resolutions, policy.updates):
        for target in table.values():
            if target.calendar == calendar:
                need = max(need, target.within_us, target.business_days * week)
    return need


def calendar_table(policy: Policy, start_us: int, end_us: int, *, strict: bool = True) -> Any:
    """`calendar_open` (pyarrow.Table) covering [start_us, end_us) and the deadlines of openings in it.

    Each calendar's rows start the day before `start_us`'s local date (with a mark of no length
    there when the calendar is closed then) and reach until more open
    time than the calendar's longest target follows `end_us` (or the holiday data ends: a
    deadline past it is refused by the runtime, and an engine finding none here asks the runtime,
    which says so). `strict=False` leaves out a calendar whose holiday data does not cover the
    span instead of raising `OutsideSpan` (an engine then finds no deadline for its tickets and
    asks the runtime, which raises only when such a ticket exists, as the numpy engine does).
    """
    import pyarrow as pa

    names: list[Any] = []
    starts, ends, befores = [], [], []
    for name, cal in policy.calendars.items():
        try:
            timeline, _ = timeline_covering(cal, start_us, end_us, longest_target(policy, name))
        except OutsideSpan:
            if strict:
                raise
            continue
        start, end, before = timeline.start, timeline.end, timeline.before
        if not len(start) or timeline.lo < start[0]:  # closed where the span begins: its mark
            mark = np.array([timeline.lo], dtype=np.int64)
            start, end = np.concatenate([mark, start]), np.concatenate([mark, end])
            before = np.concatenate([np.zeros(1, dtype=np.int64), before])
        names.append(np.full(len(start), name, dtype=object))
        starts.append(start)
        ends.append(end)
        befores.append(before)

    def joined(parts: list[Any], dtype: Any) -> Any:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    return pa.table(
        {
            "calendar": pa.array(joined(names, object).tolist(), type=pa.string()),
            "open_start": pa.array(joined(starts, np.int64), type=pa.int64()),
            "open_end": pa.array(joined(ends, np.int64), type=pa.int64()),
            "cum_before": pa.array(joined(befores, np.int64), type=pa.int64()),
        }
    )


DAY_COLUMNS = ("calendar", "n", "day")
ZONE_COLUMNS = ("calendar", "utc_from", "utc_to", "offset_us")


def calendar_days_tables(policy: Policy, start_us: int, end_us: int) -> tuple[Any, Any]:
    """(`calendar_days`, `calendar_zone`) over the span of `calendar_table(policy, start_us, end_us, strict=False)`.

    `calendar_days(calendar, n, day)`: the local dates with open hours (`day` in days since
    1970-01-01, `n` their 0-based order in the calendar) of every calendar with a target in business
    days; `calendar_zone(calendar, utc_from, utc_to, offset_us)`: its zone's UTC offset from
    `utc_from` until `utc_to` (µs), a day beyond either end of the span. With them the clock queries
    count business days themselves (`clocks_sql`: the same local clock time on the Nth following
    open day), as the runtime's `clocks.Clock.business_target` does.
    """
    import pyarrow as pa

    from ..runtime.calendar import _offsets
    from ..runtime.clocks import DAY_US, open_days
    from .business_sql import business_days

    days: dict[str, list[Any]] = {c: [] for c in DAY_COLUMNS}
    zone: dict[str, list[Any]] = {c: [] for c in ZONE_COLUMNS}
    for name in sorted({c for c, _ in business_days(policy)}):
        cal = policy.calendars[name]
        try:
            timeline, _ = timeline_covering(cal, start_us, end_us, longest_target(policy, name))
        except OutsideSpan:
            continue  # no rows: those clocks are not `known`, the runtime measures them
        found = open_days(cal, cal.local_date(timeline.lo), cal.local_date(timeline.hi - 1)).tolist()
        days["calendar"] += [name] * len(found)
        days["n"] += list(range(len(found)))
        days["day"] += found
        starts, offsets = _offsets(cal.zone, timeline.lo - DAY_US, timeline.hi + DAY_US)
        zone["calendar"] += [name] * len(starts)
        zone["utc_from"] += starts.tolist()
        zone["utc_to"] += [*starts[1:].tolist(), timeline.hi + DAY_US]
        zone["offset_us"] += offsets.tolist()
    day_types = (pa.string(), pa.int64(), pa.int64())
    zone_types = (pa.string(), pa.int64(), pa.int64(), pa.int64())
    return (
        pa.table({c: pa.array(days[c], type=t) for c, t in zip(DAY_COLUMNS, day_types, strict=True)}),
        pa.table({c: pa.array(zone[c], type=t) for c, t in zip(ZONE_COLUMNS, zone_types, strict=True)}),
    )
