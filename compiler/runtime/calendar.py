"""Business calendars: weekly hours in the calendar's own zone, materialised holidays and make-up days, open time.

A calendar is open when the wall clock of its zone is inside that day's hours. The
day's hours are, in this order of precedence:

* none on a holiday (a date in the policy's materialised `dates`);
* on a make-up working day (`workdays`, e.g. China's Sunday 2025-01-26) the hours of
  the calendar's first working weekday, Monday through Friday, that has any: such a
  day "works like a weekday", and every bundled calendar has the same hours Monday to
  Friday, so which weekday lends its hours only matters for unusual calendars;
* otherwise the weekly hours of that weekday.

Hours are wall-clock times, so a DST day is as long as the clock says (a 00:00–24:00
day lasts 23 or 25 real hours). A boundary that falls in a DST gap is taken at the
transition (the first instant whose wall clock is at or past it); one that falls in a
repeated hour is taken at its first occurrence.

Holidays come only from the policy. When a calendar has holidays, a date outside the
policy's materialised years is an error (`OutsideSpan`), never a silent guess.

The fast path turns a span of days into a `Timeline`: sorted open intervals as int64
microseconds since the epoch (UTC) plus the open time before each, so that "opening +
D of open time" is one `np.searchsorted` per ticket (vectorised over all of them).
"""

from __future__ import annotations

import bisect
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import limits
from ..policy.codec import DAYS, US

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Hours = tuple[tuple[int, int], ...]  # (start, end) minutes after local midnight, sorted, non-overlapping


class OutsideSpan(ValueError):
    """A date the policy has no holiday data for."""


def to_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, no float)."""
    if moment.utcoffset() is None:  # also None without a tzinfo
        raise ValueError(f"{moment.isoformat()} has no UTC offset; give an aware datetime")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int, zone: Any = UTC) -> datetime:
    """Integer microseconds since the epoch as an aware datetime in `zone`."""
    return (EPOCH + timedelta(microseconds=int(us))).astimezone(zone)


def iso_many(us: npt.NDArray[np.int64], zone: Any) -> list[str]:
    """`from_us(u, zone).isoformat()` for many instants: per value for a few, else by numpy (`isotext`).

    The same text exactly either way (tests/test_isotext.py compares them over DST changes,
    negative and half-hour offsets and the years slac computes with).
    """
    if len(us) < _ISO_PER_VALUE:
        return [from_us(u, zone).isoformat() for u in us.tolist()]
    from . import isotext

    return isotext.texts(us, _zone_offsets(zone, us))


def iso_arrow(us: npt.NDArray[np.int64], zone: Any, quote: str = "") -> Any:
    """`iso_many`'s texts, each between `quote`s, as an Arrow string array (no str object per instant)."""
    from . import isotext

    return isotext.arrow(us, _zone_offsets(zone, us), quote)


_ISO_PER_VALUE = 256  # instants below which datetime.isoformat per value beats numpy's set-up


def _zone_offsets(zone: Any, us: npt.NDArray[np.int64]) -> tuple[Any, Any, list[str]]:
    """The zone's offsets over the instants, for `isotext`: (starts, offsets in µs, their texts)."""
    if len(us) == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64), ["+00:00"]
    starts, offsets = _offsets(zone, int(us.min()), int(us.max()))
    return starts, offsets, [_offset_text(int(o)) for o in offsets.tolist()]


def _offsets(zone: Any, lo: int, hi: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(instants from which an offset holds, the offset in µs) covering [lo, hi].

    Probes every hour and bisects each change to the microsecond; zones never change
    offset twice within an hour.
    """

    def offset(t: int) -> int:
        delta = from_us(t, zone).utcoffset()
        assert delta is not None
        return delta // timedelta(microseconds=1)

    starts, offsets = [lo], [offset(lo)]
    step = 3600 * US
    prev_t, prev = lo, offsets[0]
    t = lo
    while t < hi:
        t = min(t + step, hi)
        now = offset(t)
        if now != prev:
            a, b = prev_t, t
            while b - a > 1:
                mid = (a + b) // 2
                if offset(mid) == prev:
                    a = mid
                else:
                    b = mid
            starts.append(b)
            offsets.append(now)
        prev_t, prev = t, now
    return np.array(starts, dtype=np.int64), np.array(offsets, dtype=np.int64)


def _offset_text(offset_us: int) -> str:
    sign = "+" if offset_us >= 0 else "-"
    seconds, micro = divmod(abs(offset_us), US)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    if secs or micro:
        text += f":{secs:02d}" + (f".{micro:06d}" if micro else "")
    return text


def wall_to_us(day: date, minute: int, zone: zoneinfo.ZoneInfo) -> int:
    """The instant a wall-clock time of `day` (minute 0–1440) is reached in `zone`, in µs.

    In a DST gap the wall clock never shows the time, so the instant is the transition;
    in a repeated hour it is the first occurrence (fold=0).
    """
    if minute >= 1440:
        day, minute = day + timedelta(days=1), minute - 1440
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    moment = local.replace(tzinfo=zone)
    us = to_us(moment)
    if from_us(us, zone).replace(tzinfo=None) == local:
        return us
    # In a gap: fold=0 lands past the transition by the gap's size; walk back to the first
    # minute whose wall clock has reached `local` (gaps are whole minutes, at most a few hours).
    step = 60 * US
    while from_us(us - step, zone).replace(tzinfo=None) >= local:
        us -= step
    return us


def merge_hours(pieces: list[tuple[int, int]]) -> Hours:
    """Sorted, merged (start, end) minute pairs; touching pieces join."""
    out: list[list[int]] = []
    for start, end in sorted(pieces):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


@dataclass(frozen=True, eq=False)
class Timeline:
    """Open intervals [start, end) in µs, sorted and disjoint, over [lo, hi) with cumulative open time."""

    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    before: npt.NDArray[np.int64]  # open time before each interval
    through: npt.NDArray[np.int64]  # open time up to each interval's end
    lo: int
    hi: int
    _lists: list[list[int]] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, intervals: list[tuple[int, int]], lo: int, hi: int) -> Timeline:
        merged: list[list[int]] = []
        for s, e in intervals:  # already in time order
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        start = np.array([m[0] for m in merged], dtype=np.int64)
        end = np.array([m[1] for m in merged], dtype=np.int64)
        through = np.cumsum(end - start, dtype=np.int64)
        before = through - (end - start)
        return cls(start, end, before, through, lo, hi)

    def deadlines(
        self, opened: npt.NDArray[np.int64], within: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Opening + `within` µs of open time, for each ticket; second array: True where beyond this timeline."""
        n = len(self.start)
        if n == 0:
            return np.zeros_like(opened), np.ones(len(opened), dtype=bool)
        target = self.open_before(opened) + within
        # The first interval whose cumulative end reaches the target, but never one that ends
        # at or before the opening (so a ticket opened while closed waits for the next opening).
        j = np.searchsorted(self.through, target, side="left")
        j = np.maximum(j, np.searchsorted(self.end, opened, side="right"))
        beyond = j >= n
        jc = np.minimum(j, n - 1)
        return self.start[jc] + (target - self.before[jc]), beyond

    def next_open(self, t: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """The first instant at or after each `t` from which open time passes; second array: True where beyond.

        A deadline is decided by open time elapsed (SPEC *Ticket clocks*): a response at or before
        `next_open(deadline)` used no more open time than the target, so a deadline at a closing is
        still met by a response before the next opening.
        """
        n = len(self.start)
        if n == 0:
            return t.copy(), np.ones(len(t), dtype=bool)
        k = np.searchsorted(self.end, t, side="right")  # the first interval ending after t
        beyond = k >= n
        kc = np.minimum(k, n - 1)
        return np.maximum(t, self.start[kc]), beyond

    def open_before(self, t: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Open time from the timeline's first interval up to each instant (vectorised)."""
        if len(self.start) == 0:
            return np.zeros(len(t), dtype=np.int64)
        k = np.searchsorted(self.start, t, side="right") - 1
        kc = np.maximum(k, 0)
        return np.where(k < 0, 0, self.before[kc] + np.minimum(t, self.end[kc]) - self.start[kc])

    def deadline(self, opened: int, within: int) -> int | None:
        """Scalar `deadlines` with plain lists and `bisect` (a numpy call per value costs more); None: beyond."""
        if not self._lists:
            self._lists.extend([self.start.tolist(), self.end.tolist(), self.before.tolist(), self.through.tolist()])
        start, end, before, through = self._lists
        n = len(start)
        k = bisect.bisect_right(start, opened) - 1
        acc = 0 if k < 0 else before[k] + min(opened, end[k]) - start[k]
        target = acc + within
        j = max(bisect.bisect_left(through, target), bisect.bisect_right(end, opened))
        if j >= n:
            return None
        return start[j] + (target - before[j])

    def next_open_one(self, t: int) -> int | None:
        """Scalar `next_open`; None: beyond this timeline."""
        if not self._lists:
            self._lists.extend([self.start.tolist(), self.end.tolist(), self.before.tolist(), self.through.tolist()])
        start, end = self._lists[0], self._lists[1]
        k = bisect.bisect_right(end, t)
        if k >= len(start):
            return None
        return max(t, start[k])


class Calendar:
    """One policy calendar: hours per weekday, holidays and make-up days, its zone."""

    def __init__(self, raw: dict[str, Any], years: tuple[int, int] | None):
        self.id: str = raw["id"]
        self.zone_name: str = raw["timezone"] or "UTC"
        self.zone = zoneinfo.ZoneInfo(self.zone_name)
        week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for h in raw["hours"]:
            week[DAYS.index(h["day"])].append((h["start"], h["end"]))
        self.week: tuple[Hours, ...] = tuple(merge_hours(day) for day in week)
        # A make-up working day works like the first weekday (Mon–Fri) with hours; see the module docstring.
        self.makeup: Hours = next((h for h in self.week[:5] if h), ())
        hol = raw.get("holidays")
        self.has_holidays = hol is not None
        self.holidays = frozenset(date.fromisoformat(d) for d in hol["dates"]) if hol else frozenset()
        self.workdays = frozenset(date.fromisoformat(d) for d in hol["workdays"]) if hol else frozenset()
        self.years = years
        self.line: int = raw["line"]
        if not any(self.week) and not (self.workdays and self.makeup):
            raise ValueError(f"calendar {self.id!r} has no open hours; a deadline during it would never come")
        self._blocks: dict[int, Timeline] = {}
        self._spans: list[tuple[int, int, Timeline]] = []  # (first µs, end µs) of a local year → its block

    # ---- days -----------------------------------------------------------------------------------

    def recompile(self, year: int) -> str:
        """What to do when the policy lacks this calendar's holidays of `year`: the `--holiday-years` that
        covers it and every year the policy has (its examples need theirs too)."""
        lo, hi = self.years if self.years is not None else (year, year)
        return f"recompile the contract with --holiday-years {min(lo, year)}-{max(hi, year)}"

    def check_date(self, day: date) -> None:
        if not self.has_holidays:
            return
        if self.years is None:
            raise OutsideSpan(
                f"calendar {self.id!r} has holidays but the policy lists none for any year; "
                "recompile the contract with an `effective` date or --holiday-years"
            )
        if not self.years[0] <= day.year <= self.years[1]:
            raise OutsideSpan(
                f"calendar {self.id!r}: {day.isoformat()} is outside the years whose holidays the policy "
                f"lists ({self.years[0]}–{self.years[1]}); {self.recompile(day.year)}"
            )

    def hours_on(self, day: date) -> Hours:
        """Open hours of a local date (minutes after midnight)."""
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.makeup
        return self.week[day.weekday()]

    def local_date(self, us: int) -> date:
        return from_us(us, self.zone).date()

    # ---- timelines ------------------------------------------------------------------------------

    def timeline(self, first: date, last: date) -> Timeline:
        """Open intervals of the local dates first..last (inclusive); raises OutsideSpan past the holiday data."""
        self.check_date(first)
        self.check_date(last)
        intervals: list[tuple[int, int]] = []
        day = first
        one = timedelta(days=1)
        while day <= last:
            for s, e in self.hours_on(day):
                intervals.append((wall_to_us(day, s, self.zone), wall_to_us(day, e, self.zone)))
            day += one
        return Timeline.of(intervals, wall_to_us(first, 0, self.zone), wall_to_us(last, 1440, self.zone))

    def span_last(self) -> date | None:
        """The last date this calendar can be evaluated on, or None for no limit."""
        if not self.has_holidays or self.years is None:
            return None
        return date(self.years[1], 12, 31)

    def _first_day(self, day: date) -> date:
        """A timeline starts the day before the earliest opening (never before the holiday data)."""
        first = day - timedelta(days=1)
        if self.has_holidays and self.years is not None:
            first = max(first, date(self.years[0], 1, 1))
        return first

    def _last_day(self, wanted: date) -> tuple[date, bool]:
        """`wanted`, or the last date with holiday data (or the last year slac computes with) when that comes first (then True)."""
        end = self.span_last()
        if end is None:
            # A target of a century of open time in a calendar open one minute a week must
            # not grow its timeline past the year 9999: it stops at the last year slac handles.
            end = date(limits.MAX_YEAR, 12, 31)
        if wanted > end:
            return end, True
        return wanted, False

    def deadlines(self, opened: npt.NDArray[np.int64], within: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Vectorised deadlines: one timeline over every opening, grown until every deadline falls inside it."""
        return self.deadlines_decided(opened, within)[0]

    def deadlines_decided(
        self, opened: npt.NDArray[np.int64], within: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(deadline, decision instant): a response is met iff at or before its decision instant.

        The decision instant is `next_open(deadline)`: the deadline itself unless it falls at a
        closing, then the next opening (no open time passes in between).
        """
        if len(opened) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        earliest = self.local_date(int(opened.min()))
        latest = self.local_date(int(opened.max()))
        self.check_date(earliest)
        self.check_date(latest)
        holidays_end = self.span_last()
        # Without holidays a timeline could grow without end: a deadline is looked for at most
        # MAX_DEADLINE_DAYS after the latest opening (and never past MAX_YEAR).
        cap = holidays_end or min(
            date(limits.MAX_YEAR, 12, 31), latest + timedelta(days=min(limits.MAX_DEADLINE_DAYS, 10**6))
        )
        if holidays_end is None:
            # The week repeats: a target needing more open time than the days up to the cap can hold (no
            # more than a week's for each started week of them) is refused at once, not after building a
            # timeline of every day up to it. (Whole weeks only refused a 2 h target days before the cap.)
            weekly = sum(e - s for day in self.week for s, e in day) * 60 * US
            if int(within.max()) > weekly * -(-((cap - latest).days + 1) // 7):
                raise self._too_far(opened, within == within.max(), cap)
        # Long enough for the longest target in whole days of open time and a closure like a
        # week-long holiday; grown below when a deadline still falls past it.
        margin = max(31, int(within.max()) // (86_400 * US) * 7 + 31)
        while True:
            clipped = margin >= (cap - latest).days
            last = cap if clipped else latest + timedelta(days=margin)
            timeline = _timeline_cached(self, self._first_day(earliest), last)
            out, beyond = timeline.deadlines(opened, within)
            decided, after = timeline.next_open(out)
            beyond |= after
            if not beyond.any():
                return out, decided
            if clipped and holidays_end is None:
                raise self._too_far(opened, beyond, cap)
            if clipped:
                i = int(np.argmax(beyond))
                raise OutsideSpan(
                    f"calendar {self.id!r}: the deadline of a ticket opened "
                    f"{from_us(int(opened[i]), self.zone).isoformat()} falls after {last.isoformat()}, the last "
                    f"date whose holidays the policy lists; {self.recompile(last.year + 1)}"
                )
            margin *= 4

    def _too_far(self, opened: npt.NDArray[np.int64], which: npt.NDArray[np.bool_], cap: date) -> OutsideSpan:
        i = int(np.argmax(which))
        return OutsideSpan(
            f"calendar {self.id!r}: the deadline of a ticket opened {from_us(int(opened[i]), self.zone).isoformat()} "
            f"falls after {cap.isoformat()}, more than {limits.MAX_DEADLINE_DAYS:,} days later or past "
            f"{limits.MAX_YEAR}; check the response target and the calendar's hours"
        )

    def _block(self, opened: int) -> Timeline:
        for lo, hi, known in self._spans:  # the instants of a local year already asked: no date arithmetic
            if lo <= opened < hi:
                return known
        day = self.local_date(opened)
        self.check_date(day)
        block = self._blocks.get(day.year)
        if block is None:
            last, _ = self._last_day(date(day.year + 1, 3, 1))
            block = self._blocks[day.year] = self.timeline(self._first_day(date(day.year, 1, 1)), last)
            self._span_of(day.year, block)
        return block

    def _span_of(self, year: int, block: Timeline) -> None:
        """Remember the UTC instants of the local `year` (when its bounds are plain local midnights)."""
        if not 1 < year < limits.MAX_YEAR:
            return
        lo = to_us(datetime(year, 1, 1, tzinfo=self.zone))
        hi = to_us(datetime(year + 1, 1, 1, tzinfo=self.zone))
        day = 86_400 * US
        # No offset change within a day of either bound: local time runs on through them, so every
        # instant in [lo, hi) has a local date in `year` (exact, no assumption about the zone).
        if all(len(_offsets(self.zone, t - day, t + day)[0]) == 1 for t in (lo, hi)):
            self._spans.append((lo, hi, block))

    def deadline(self, opened: int, within: int) -> int:
        """Scalar deadline (µs), from a per-year timeline kept for the next call."""
        out = self._block(opened).deadline(opened, within)
        if out is not None:
            return out
        # A target reaching past the block: the vectorised path grows a timeline of its own.
        return int(self.deadlines(np.array([opened], dtype=np.int64), np.array([within], dtype=np.int64))[0])

    def deadline_decided(self, opened: int, within: int) -> tuple[int, int]:
        """Scalar `deadlines_decided`: (deadline, decision instant) in µs."""
        block = self._block(opened)
        out = block.deadline(opened, within)
        if out is not None:
            decided = block.next_open_one(out)
            if decided is not None:
                return out, decided
        due, decided_arr = self.deadlines_decided(
            np.array([opened], dtype=np.int64), np.array([within], dtype=np.int64)
        )
        return int(due[0]), int(decided_arr[0])


@lru_cache(maxsize=32)
def _timeline_cached(cal: Calendar, first: date, last: date) -> Timeline:
    return cal.timeline(first, last)


def timeline_covering(cal: Calendar, lo: int, hi: int, need: int) -> tuple[Timeline, bool]:
    """The open intervals of `cal` from the day before `lo`'s local date past `hi` (µs), for the plan.

    Grown (as `Calendar.deadlines_decided` grows its own) until more than `need` µs of open time
    follow `hi`, so the deadline of any target of at most `need` for an opening before `hi` falls
    strictly inside it; second value False when the holiday data or the last year slac handles
    stops it first (such a deadline is then beyond the table, as it is beyond the runtime's).
    Raises OutsideSpan when `lo` or `hi` is outside the holiday data.
    """
    first = cal.local_date(lo)
    latest = cal.local_date(max(lo, hi - 1))
    cal.check_date(first)
    cal.check_date(latest)
    cap = cal.span_last() or min(
        date(limits.MAX_YEAR, 12, 31), latest + timedelta(days=min(limits.MAX_DEADLINE_DAYS, 10**6))
    )
    margin = max(31, need // (86_400 * US) * 7 + 31)
    while True:
        clipped = margin >= (cap - latest).days
        last = cap if clipped else latest + timedelta(days=margin)
        timeline = _timeline_cached(cal, cal._first_day(first), last)
        through = int(timeline.through[-1]) if len(timeline.start) else 0
        if through - int(timeline.open_before(np.array([hi], dtype=np.int64))[0]) > need:
            return timeline, True
        if clipped:
            return timeline, False
        margin *= 4
