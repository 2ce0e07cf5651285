"""Calendars in `slac diff`: weekly hours, holidays and make-up days, a zone, and how two calendars relate.

The open hours of a week and the holiday and make-up dates are the runtime's own
(`slac.runtime.calendar.Calendar`), so diff and evaluator read a calendar the same way.
A holiday matters only on a day the calendar opens, a make-up working day only on one it
does not, and only within the years both policies materialised holidays for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from ..policy.codec import DAYS
from .changelog import Change, Kind
from .compare import At, Pair, by_id, change, changed, lines_of, no_lines, presence
from .keys import Key
from .strings import Msg, Strings, joined, msg, word
from .terms import Presence

if TYPE_CHECKING:
    from ..runtime.calendar import Calendar

WEEK_MINUTES = 7 * 1440
FULL_WEEK = frozenset(range(WEEK_MINUTES))


@cache
def _calendar(
    raw: str, timezone: str | None, hours: tuple[tuple[str, int, int], ...], dates: tuple[tuple[str, ...], ...]
) -> Calendar | None:
    spec = {
        "id": raw,
        "timezone": timezone,
        "line": 0,
        "hours": [{"day": d, "start": s, "end": e} for d, s, e in hours],
        "holidays": {"dates": list(dates[0]), "workdays": list(dates[1])} if dates else None,
    }
    from ..runtime.calendar import Calendar  # slac.runtime loads numpy: only when calendars are compared

    try:
        return Calendar(spec, None)
    except ValueError:  # no open hours at all: the checks reject it; nothing to compare
        return None


def runtime_calendar(cal: dict[str, Any]) -> Calendar | None:
    """The runtime's calendar for a policy calendar (cached: diff reads each calendar several times)."""
    hol = cal.get("holidays")
    dates = (tuple(hol.get("dates") or ()), tuple(hol.get("workdays") or ())) if hol else ()
    hours = tuple((h["day"], h["start"], h["end"]) for h in cal.get("hours", []))
    return _calendar(cal["id"], cal.get("timezone"), hours, dates)


def week(cal: dict[str, Any]) -> frozenset[int]:
    """The calendar's open minutes of a week (0 = Monday 00:00), from the runtime's weekly hours."""
    runtime = runtime_calendar(cal)
    if runtime is None:
        return frozenset()
    return frozenset(
        m for day, hours in enumerate(runtime.week) for s, e in hours for m in range(day * 1440 + s, day * 1440 + e)
    )


def common_years(old: dict[str, Any], new: dict[str, Any]) -> tuple[date, date] | None:
    """The years both policies materialised holidays for, as date bounds."""
    a = (old.get("materialised") or {}).get("years")
    b = (new.get("materialised") or {}).get("years")
    if not a or not b:
        return None
    first, last = max(a[0], b[0]), min(a[1], b[1])
    if first > last:
        return None
    return date(first, 1, 1), date(last, 12, 31)


def _days(cal: dict[str, Any], span: tuple[date, date] | None, *, workdays: bool) -> set[date]:
    """Closures on days the calendar opens (or make-up days on days it does not), within `span`."""
    runtime = runtime_calendar(cal)
    if runtime is None:
        return set()
    days = runtime.workdays if workdays else runtime.holidays
    return {
        d for d in days if (span is None or span[0] <= d <= span[1]) and bool(runtime.week[d.weekday()]) != workdays
    }


def calendars(pair: Pair) -> Iterator[Change]:
    for ident, old, new in pair.keyed("calendars"):
        if old is None or new is None:
            # A calendar matters only through what uses it; those terms report the change.
            at = At(Key("calendar", ident), msg("subject", "calendar", name=ident), lines_of(old, new))
            info = Presence(("neutral", "informational"), ("neutral", "informational"))
            yield from presence(at, old and ident, new and ident, info)
            continue
        yield from _zone(ident, old, new)
        yield from _hours(ident, old, new)
        yield from _holidays(pair, ident, old, new)


def _zone(ident: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    if old.get("timezone") == new.get("timezone"):
        return
    at = At(Key("calendar", ident, "timezone"), msg("subject", "calendar_timezone", name=ident), lines_of(old, new))
    always = week(old) == week(new) == FULL_WEEK
    reason = "zone_always_open" if always else "zone_changed"
    yield from changed(at, old.get("timezone"), new.get("timezone"), str, reason, unranked=not always)


def _mixed(gain: bool, loss: bool, reasons: tuple[str, str, str]) -> tuple[Kind, str, bool]:
    """(kind, reason, ambiguous) of a change that gains, loses, or both: reasons are (mixed, better, worse)."""
    if gain and loss:
        return "reduction", reasons[0], True
    if gain:
        return "improvement", reasons[1], False
    return "reduction", reasons[2], False


def _hours(ident: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    ow, nw = week(old), week(new)
    if ow == nw:
        return
    gained, lost = nw - ow, ow - nw
    parts = []
    if gained:
        parts.append(msg("change", "gains", hours=hours_text(gained)))
    if lost:
        parts.append(msg("change", "loses", hours=hours_text(lost)))
    kind, reason, ambiguous = _mixed(bool(gained), bool(lost), ("hours_mixed", "hours_more", "hours_fewer"))
    at = At(Key("calendar", ident, "hours"), msg("subject", "calendar_hours", name=ident), lines_of(old, new))
    hours_json = [[no_lines(h) for h in c.get("hours", [])] for c in (old, new)]
    yield change(
        at, kind, joined(parts), msg("reason", reason), ambiguous=ambiguous, old=hours_json[0], new=hours_json[1]
    )


def _holidays(pair: Pair, ident: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    oh, nh = old.get("holidays") or {}, new.get("holidays") or {}
    if oh.get("region") == nh.get("region") and oh.get("dates") == nh.get("dates"):
        return
    span = common_years(pair.old, pair.new)
    od, nd = _days(old, span, workdays=False), _days(new, span, workdays=False)
    ow, nw = _days(old, span, workdays=True), _days(new, span, workdays=True)
    worse = bool(nd - od) or bool(ow - nw)
    better = bool(od - nd) or bool(nw - ow)
    if not worse and not better:
        return
    kind, reason, ambiguous = _mixed(better, worse, ("holidays_mixed", "holidays_fewer", "holidays_more"))
    first, last = (span[0].isoformat(), span[1].isoformat()) if span else ("", "")
    region = msg("change", "changed", old=oh.get("region") or word("none"), new=nh.get("region") or word("none"))
    counts = msg(
        "change",
        "holiday_dates",
        added=len(nd - od),
        removed=len(od - nd),
        workdays_added=len(nw - ow),
        workdays_removed=len(ow - nw),
        first=first,
        last=last,
    )
    lines = lines_of(old, new)
    at = At(
        Key("calendar", ident, "holidays"),
        msg("subject", "calendar_holidays", name=ident),
        (oh.get("line", lines[0]), nh.get("line", lines[1])),
    )
    detail: Msg = lambda s: s.text("unit", "sep").join((region(s), counts(s)))  # noqa: E731
    yield change(
        at, kind, detail, msg("reason", reason), ambiguous=ambiguous, old=oh.get("region"), new=nh.get("region")
    )


def relation(pair: Pair, old_id: str, new_id: str) -> int | None:
    """How open the new calendar is against the old one: 1 more, -1 less, 0 same, None both ways.

    Calendars with the same id are compared by their own term; here they count as the same.
    """
    if old_id == new_id:
        return 0
    old = by_id(pair.old.get("calendars")).get(old_id)
    new = by_id(pair.new.get("calendars")).get(new_id)
    if old is None or new is None:
        return None
    ow, nw = week(old), week(new)
    if old.get("timezone") != new.get("timezone") and not (ow == nw == FULL_WEEK):
        return None
    span = common_years(pair.old, pair.new)
    od, nd = _days(old, span, workdays=False), _days(new, span, workdays=False)
    more = bool(nw - ow) or bool(od - nd)
    less = bool(ow - nw) or bool(nd - od)
    if more and less:
        return None
    return 1 if more else -1 if less else 0


def hours_text(minutes: frozenset[int]) -> Msg:
    """Minutes of a week as "Mon–Fri 09:00–10:00, Sat 10:00–14:00" (consecutive days with one range merge)."""
    runs: list[tuple[int, int]] = []
    for m in sorted(minutes):
        if runs and runs[-1][1] == m and m % 1440 != 0:
            runs[-1] = (runs[-1][0], m + 1)
        else:
            runs.append((m, m + 1))
    # (first day, last day, start, end): a range repeated on the following day extends the group.
    groups: list[tuple[int, int, int, int]] = []
    for start, end in runs:
        day, s0, e0 = start // 1440, start % 1440, end - (start // 1440) * 1440
        if groups and groups[-1][1] == day - 1 and groups[-1][2:] == (s0, e0):
            groups[-1] = (groups[-1][0], day, s0, e0)
        else:
            groups.append((day, day, s0, e0))
    return joined(_hours_group(*g) for g in groups)


def _hours_group(first: int, last: int, start: int, end: int) -> Msg:
    def show(s: Strings) -> str:
        days = s.table["day"][DAYS[first]]
        if last != first:
            days += ("–" if last > first + 1 else s.text("unit", "and")) + s.table["day"][DAYS[last]]
        return s.text("change", "hours_on", day=days, start=_clock(start), end=_clock(end))

    return show


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
