"""Ticket clocks, vectorised: open time of a calendar that does not count while a ticket is paused.

A clock of a target runs from a start (the opening, a reopening, a public update) while the
target's calendar is open and the ticket is not in a pausing status. A target of D is met when
the clock shows at most D at the stop (the response, the resolution, the next update), so:

* the *deadline* is the first instant the clock shows D (what the report shows; at a closing
  or at the start of a pause when D runs out there);
* the *decision instant* is the first instant at or after the deadline from which the clock
  runs again; a stop at or before it is met, later breached (`stop > decided`).

`N business_days` is turned into open time per start: the open time from the clock's start (the
next opening when the calendar is closed) to the same local clock time on the Nth following day
that has open hours (DST-correct: wall-clock arithmetic in the calendar's zone). Pauses then
extend it like any other target. Update targets in business days step their due times instead
(`Clock.business_steps`): a business day's open time depends on where it starts.

Pauses of each ticket are sorted, disjoint intervals [a, b) in a CSR layout (`Pauses`); b is
`NEVER` for a pause with no end yet. Everything here is numpy over all queries at once: one pass
per pause slot (tickets rarely have more than a few pauses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from .. import limits
from ..policy.codec import US
from .calendar import Calendar, OutsideSpan, Timeline, _offsets, _timeline_cached, from_us
from .clock_index import SMALL, TimelineIndex

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
NEVER = np.iinfo(np.int64).max  # a deadline that never comes (paused with no end), a pause with no end
DAY_US = 86_400 * US


@dataclass(frozen=True)
class Pauses:
    """Each ticket's pauses: ticket i has a[ptr[i]:ptr[i+1]], b[...] (sorted, disjoint)."""

    ptr: I64
    a: I64
    b: I64
    # Open time before each pause's start and end, per timeline (`open_at`): every clock of the
    # evaluation on that timeline reuses them instead of searching the timeline per pause slot.
    opens: dict[Timeline, tuple[I64, I64]] = field(default_factory=dict, compare=False, repr=False)
    # One clock per calendar for every question of the evaluation (`clock_for`), grown to cover each.
    clocks: dict[Calendar, Clock] = field(default_factory=dict, compare=False, repr=False)

    def open_at(self, clock: Clock) -> tuple[I64, I64]:
        """(open time of the clock's timeline before each pause's start, before its end); flat past it."""
        got = self.opens.get(clock.tl)
        if got is None:
            got = self.opens[clock.tl] = (clock.open_before(self.a), clock.open_before(self.b))
        return got

    @classmethod
    def none(cls, n: int) -> Pauses:
        return cls(np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def open_days(cal: Calendar, first: date, last: date) -> I64:
    """Epoch-day numbers of the local dates first..last that have open hours."""
    out = []
    day, one = first, timedelta(days=1)
    base = date(1970, 1, 1)
    while day <= last:
        if cal.hours_on(day):
            out.append((day - base).days)
        day += one
    return np.array(out, dtype=np.int64)


class Clock:
    """One calendar's open time over a span of days, with the pause-aware questions."""

    def __init__(self, cal: Calendar, lo: int, hi: int):
        """A timeline covering [lo, hi] µs (from the day before lo), clipped to the holiday data."""
        self.cal = cal
        self.lo, self.hi = lo, hi
        first = cal._first_day(cal.local_date(lo))
        last, self.clipped = cal._last_day(cal.local_date(hi) + timedelta(days=2))
        if last < first:
            raise OutsideSpan(f"calendar {cal.id!r}: {from_us(hi, cal.zone).isoformat()} is outside its holiday data")
        cal.check_date(cal.local_date(lo))
        self.first, self.last = first, last
        self.tl: Timeline = _timeline_cached(cal, first, last)
        self._days: I64 | None = None
        self._zone: tuple[I64, I64] | None = None
        self._index: TimelineIndex | None = None

    # ---- the timeline's questions, by its index for many queries --------------------------------

    def index(self, queries: int) -> TimelineIndex | None:
        """The timeline's bucket index (`clock_index`) when it pays for `queries` queries, else None."""
        if queries < SMALL or len(self.tl.start) == 0:
            return None
        if self._index is None:
            self._index = TimelineIndex(self.tl)
        return self._index

    def open_before(self, t: I64) -> I64:
        """`Timeline.open_before`."""
        ix = self.index(len(t))
        return self.tl.open_before(t) if ix is None else ix.open_before(t)

    def next_open(self, t: I64) -> tuple[I64, Bools]:
        """`Timeline.next_open`."""
        ix = self.index(len(t))
        return self.tl.next_open(t) if ix is None else ix.next_open(t)

    # ---- business days --------------------------------------------------------------------------

    def business_within(self, start: I64, days: I64) -> tuple[I64, Bools]:
        """Open time from each clock start to the same local clock time on the `days`-th following open day."""
        s, target, beyond = self.business_target(start, days)
        return np.maximum(self.tl.open_before(target) - self.tl.open_before(s), 0), beyond

    def business_target(self, start: I64, days: I64) -> tuple[I64, I64, Bools]:
        """(next opening at or after each start, the same local clock time `days` open days later, beyond)."""
        tl = self.tl
        s, beyond = tl.next_open(start)
        if self._days is None:
            self._days = open_days(self.cal, self.first, self.last)
        if self._zone is None:
            self._zone = _offsets(self.cal.zone, tl.lo - DAY_US, tl.hi + DAY_US)
        starts, offsets = self._zone
        local = s + offsets[np.searchsorted(starts, s, side="right") - 1]
        day, tod = np.divmod(local, DAY_US)
        pos = np.searchsorted(self._days, day, side="right") + days - 1
        beyond |= pos >= len(self._days)
        wall = self._days[np.minimum(pos, len(self._days) - 1)] * DAY_US + tod
        target = self._wall_to_utc(wall, starts, offsets)
        beyond |= target > tl.hi
        return s, np.maximum(target, s), beyond

    def business_steps(
        self, start: I64, days: I64, stop: I64, pauses: Pauses, ticket: I64
    ) -> tuple[I64, I64, I64, Bools]:
        """(missed, first due time, its clock time, beyond) of update gaps in business days.

        A gap's due times step: D1 is `days` business days after the gap's start, D2 `days`
        business days after D1, …; a due time is missed when the clock runs after it before the
        gap's stop (clock time passes in [Dk, stop)). A pause that begins before a due time moves
        it later: the business days are counted from the step's start moved later by the pause's
        open time (`step_due`). Without pauses Dk is the kth iterate of "`days` business days later".
        """
        n = len(start)
        missed = np.zeros(n, dtype=np.int64)
        beyond = np.zeros(n, dtype=bool)
        first, bey = self.step_due(start, days, pauses, ticket)
        beyond |= bey
        allowed = self.elapsed(start, np.where(first == NEVER, self.tl.hi, first), pauses, ticket)
        due = first.copy()
        idx = np.flatnonzero(due != NEVER)
        while len(idx):
            late = (due[idx] < stop[idx]) & (self.elapsed(due[idx], stop[idx], pauses, ticket[idx]) > 0)
            idx = idx[late & ~beyond[idx]]
            missed[idx] += 1
            if len(idx) == 0:
                break
            nxt, bey = self.step_due(due[idx], days[idx], pauses, ticket[idx])
            beyond[idx[bey]] = True
            due[idx] = nxt
            idx = idx[(nxt != NEVER) & ~bey]
        return missed, first, allowed, beyond

    def step_due(self, x: I64, days: I64, pauses: Pauses, ticket: I64) -> tuple[I64, Bools]:
        """(due, beyond): `days` business days after x moved by the open time of the pauses that begin before it.

        The least d with d = B(x + P(d)): B is "the same local clock time `days` open days later"
        (`business_target`), x + p the instant p of open time after x, P(d) the open time after x
        of the ticket's pauses that begin before d. Each round adds a pause or stops (≤ pauses + 1
        rounds); a pause with no end that begins before the due time: NEVER.
        """
        tl = self.tl
        first = pauses.ptr[ticket]
        count = pauses.ptr[ticket + 1] - first
        _, due, beyond = self.business_target(x, days)
        idx = np.flatnonzero(count > 0)
        while len(idx):
            shift = np.zeros(len(idx), dtype=np.int64)
            never = np.zeros(len(idx), dtype=bool)
            for k in range(int(count[idx].max())):
                has = count[idx] > k
                a = np.where(has, pauses.a[first[idx] + np.minimum(k, count[idx] - 1)], NEVER)
                b = np.where(has, pauses.b[first[idx] + np.minimum(k, count[idx] - 1)], NEVER)
                on = has & (a < due[idx]) & (b > x[idx])
                never |= on & (b == NEVER)
                beyond[idx[on & (b != NEVER) & (b > tl.hi)]] = True
                lo = np.maximum(a, x[idx])
                hi = np.minimum(b, tl.hi)
                shift += np.where(on & ~never, tl.open_before(hi) - tl.open_before(np.minimum(lo, hi)), 0)
            due[idx[never]] = NEVER
            moved, bey = tl.deadlines(x[idx], shift)
            beyond[idx] |= bey & ~never
            _, nxt, bey = self.business_target(moved, days[idx])
            beyond[idx] |= bey & ~never
            grew = ~never & (nxt > due[idx]) & ~beyond[idx]
            due[idx[grew]] = nxt[grew]
            idx = idx[grew]
        return due, beyond

    @staticmethod
    def _wall_to_utc(wall: I64, starts: I64, offsets: I64) -> I64:
        """Local wall-clock µs → UTC µs: the first occurrence; in a DST gap the transition (as `wall_to_us`)."""
        best = np.full(len(wall), NEVER, dtype=np.int64)
        for off in np.unique(offsets).tolist():
            u = wall - off
            ok = offsets[np.maximum(np.searchsorted(starts, u, side="right") - 1, 0)] == off
            best = np.where(ok & (u < best), u, best)
        gap = best == NEVER
        if gap.any():
            u = wall[gap] - int(offsets.min())  # past the transition
            best[gap] = starts[np.maximum(np.searchsorted(starts, u, side="right") - 1, 0)]
        return best

    # ---- deadlines with pauses ------------------------------------------------------------------

    def deadlines(self, start: I64, within: I64, pauses: Pauses, ticket: I64) -> tuple[I64, I64, Bools]:
        """(deadline, decision instant, beyond this span) of clocks of `within` µs from `start`, for tickets `ticket`."""
        tl = self.tl
        n = len(start)
        first = pauses.ptr[ticket]
        count = pauses.ptr[ticket + 1] - first
        cur = start.copy()
        cur_open = self.open_before(start)  # open time before the clock's position
        rem = within.copy()
        due = np.full(n, NEVER, dtype=np.int64)
        inside = np.full(n, -1, dtype=np.int64)  # the interval `_reach` put a deadline strictly inside, else -1
        done = np.zeros(n, dtype=bool)
        beyond = np.zeros(n, dtype=bool)
        slots = int(count.max()) if n else 0
        if slots:
            oa, ob = pauses.open_at(self)
        idx = np.flatnonzero(count > 0)  # each slot's clocks are among the previous slot's
        for k in range(slots):
            idx = idx[~done[idx] & (count[idx] > k)]
            if len(idx) == 0:
                break
            p = first[idx] + k
            a, b, c = pauses.a[p], pauses.b[p], cur[idx]
            ahead = b > c  # a pause not yet over at the clock's position
            before = ahead & (a > c)
            avail = np.where(before, oa[p] - cur_open[idx], 0)
            beyond[idx[before & (a > tl.hi)]] = True
            reach = before & (avail >= rem[idx])
            if reach.any():
                r = idx[reach]
                d, bey, inside[r] = self._reach(cur[r], cur_open[r], rem[r])
                due[r], done[r] = d, True
                beyond[r] |= bey
            # The clocks that reached their deadline are done: what follows for them is never read.
            rem[idx] -= avail
            cur[idx] = np.where(ahead, b, c)
            cur_open[idx] = np.where(ahead, ob[p], cur_open[idx])
        rest = np.flatnonzero(~done & (cur != NEVER))
        if len(rest):
            d, bey, inside[rest] = self._reach(cur[rest], cur_open[rest], rem[rest])
            due[rest] = d
            beyond[rest] |= bey
        return due, self.decided(due, pauses, first, count, beyond, inside), beyond

    def _reach(self, cur: I64, cur_open: I64, rem: I64) -> tuple[I64, Bools, I64]:
        """The instant the timeline's open time reaches cur_open + rem (cur_open: the open time before `cur`),
        never in an interval ending at or before `cur` (`Timeline.deadlines`); beyond; the interval
        the instant lies strictly inside of (start < instant ≤ end), −1 when not known so."""
        tl = self.tl
        n = len(tl.start)
        if n == 0:
            return np.zeros_like(cur), np.ones(len(cur), dtype=bool), np.full(len(cur), -1, dtype=np.int64)
        ix = self.index(len(cur))
        if ix is not None:
            due, beyond, j = ix.reach(cur, cur_open, rem)
            return due, beyond, np.where((rem > 0) & ~beyond, j, -1)
        target = cur_open + rem
        j = np.maximum(np.searchsorted(tl.through, target, side="left"), np.searchsorted(tl.end, cur, side="right"))
        jc = np.minimum(j, n - 1)
        return tl.start[jc] + (target - tl.before[jc]), j >= n, np.full(len(cur), -1, dtype=np.int64)

    def decided(
        self, due: I64, pauses: Pauses, first: I64, count: I64, beyond: Bools, inside: I64 | None = None
    ) -> I64:
        """The first instant at or after each deadline from which the clock runs again (NEVER stays NEVER).

        `inside`: the interval each deadline lies strictly inside of (`_reach`), −1 when not known.
        """
        tl = self.tl
        live = due != NEVER
        x = due.copy()
        ix = self.index(len(due))
        known = np.zeros(len(due), dtype=bool) if inside is None or ix is None else inside >= 0
        sure = np.flatnonzero(known)
        if len(sure):  # open from the deadline itself, or from the next opening when it falls on a closing
            assert ix is not None and inside is not None
            nxt, bey = ix.open_after(due[sure], inside[sure])
            x[sure] = nxt
            beyond[sure] |= bey
        rest = np.flatnonzero(live & ~known)
        if len(rest):
            nxt, bey = self.next_open(due[rest])
            x[rest] = nxt
            beyond[rest] |= bey
        idx = np.flatnonzero(count > 0)  # each slot's clocks are among the previous slot's
        for slot in range(int(count.max()) if len(count) else 0):
            idx = idx[(count[idx] > slot) & (x[idx] != NEVER)]
            if len(idx) == 0:
                break
            a, b, c = pauses.a[first[idx] + slot], pauses.b[first[idx] + slot], x[idx]
            held = (a <= c) & (c < b)
            never = held & (b == NEVER)
            x[idx[never]] = NEVER
            moving = held & ~never
            if moving.any():
                nxt, bey = tl.next_open(b[moving])
                x[idx[moving]] = nxt
                beyond[idx[moving]] |= bey
        return x

    def clock_times(self, t: I64, pauses: Pauses, ticket: I64) -> I64:
        """Each instant's clock time: the open time before it less the open time of its ticket's pauses
        before it. Monotone, so the clock time of [s, u) is max(C(u) − C(s), 0) (`elapsed`, with u
        inside the timeline): for a pause's open-time interval [oa, ob) and x ≤ y,
        clip(y − oa, 0, ob − oa) − clip(x − oa, 0, ob − oa) is its overlap with [x, y)."""
        o = self.open_before(t)
        out = o.copy()
        first = pauses.ptr[ticket]
        count = pauses.ptr[ticket + 1] - first
        slots = int(count.max()) if len(count) else 0
        if slots:
            oa, ob = pauses.open_at(self)
            length = ob - oa
        idx = np.flatnonzero(count > 0)  # each slot's instants are among the previous slot's
        for k in range(slots):
            if k:
                idx = idx[count[idx] > k]
            p = first[idx] + k
            out[idx] -= np.minimum(np.maximum(o[idx] - oa[p], 0), length[p])
        return out

    def elapsed(self, start: I64, stop: I64, pauses: Pauses, ticket: I64) -> I64:
        """Clock time from `start` to `stop` (open, not paused), for tickets `ticket`."""
        tl = self.tl
        stop = np.maximum(np.minimum(stop, tl.hi), start)
        o_stop, o_start = self.open_before(stop), self.open_before(start)
        out = o_stop - o_start
        first = pauses.ptr[ticket]
        count = pauses.ptr[ticket + 1] - first
        slots = int(count.max()) if len(count) else 0
        if slots:
            oa, ob = pauses.open_at(self)  # open time is monotone: clipping instants clips their open times
        idx = np.flatnonzero(count > 0)  # each slot's clocks are among the previous slot's
        for k in range(slots):
            if k:
                idx = idx[count[idx] > k]
            p = first[idx] + k
            paused = np.minimum(ob[p], o_stop[idx]) - np.maximum(oa[p], o_start[idx])
            out[idx] -= np.maximum(paused, 0)
        return out


_LAST_US = (date(limits.MAX_YEAR, 12, 30) - date(1970, 1, 1)).days * DAY_US


def clock_for(cal: Calendar, lo: int, hi: int, pauses: Pauses | None = None) -> Clock:
    """A clock over [lo, hi] (hi clamped to the last year slac computes with).

    With `pauses` (an evaluation's), the clock its earlier questions on `cal` used when it covers
    [lo, hi], else one over both spans kept for the next: answers are those of any timeline that
    covers the clocks (a shorter one only says "beyond" sooner), and the pauses' open times on it
    (`Pauses.open_at`) are computed once.
    """
    hi = min(hi, _LAST_US)
    if pauses is None:
        return Clock(cal, lo, hi)
    known = pauses.clocks.get(cal)
    if known is not None:
        if known.lo <= lo and hi <= known.hi:
            cal.check_date(cal.local_date(lo))
            return known
        lo, hi = min(lo, known.lo), max(hi, known.hi)
    # With room for the evaluation's later questions (longer targets, later stops): one timeline, not one each.
    clock = pauses.clocks[cal] = Clock(cal, lo, min(hi + 120 * DAY_US, _LAST_US))
    return clock


def deadlines_grown(
    cal: Calendar, start: I64, within: I64, days: I64 | None, pauses: Pauses, ticket: I64, hi: int
) -> tuple[I64, I64, I64]:
    """(deadline, decision instant, open-time target) for every query, growing the span until all fit.

    `days` > 0 marks a target in business days (`within` is then ignored for that query).
    """
    if len(start) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    lo = int(start.min())
    reach = max(hi, int(start.max())) + int(within.max()) * 2 + 40 * DAY_US
    if days is not None and len(days):
        reach += int(days.max()) * 14 * DAY_US
    while True:
        clock = clock_for(cal, lo, reach, pauses)
        target = within
        beyond = np.zeros(len(start), dtype=bool)
        if days is not None:
            bd = days > 0
            if bd.any():
                target = within.copy()
                target[bd], beyond[bd] = clock.business_within(start[bd], days[bd])
        due, decided, bey = clock.deadlines(start, target, pauses, ticket)
        beyond |= bey
        if not beyond.any():
            return due, decided, target
        if clock.clipped:
            i = int(np.argmax(beyond))
            raise OutsideSpan(
                f"calendar {cal.id!r}: a ticket clock started {from_us(int(start[i]), cal.zone).isoformat()} runs "
                f"past {clock.last.isoformat()}, the last date slac has the calendar's days for; "
                f"{cal.recompile(clock.last.year + 1)}"
            )
        reach = lo + (reach - lo) * 4


def business_steps_grown(
    cal: Calendar, start: I64, days: I64, stop: I64, pauses: Pauses, ticket: I64
) -> tuple[I64, I64, I64]:
    """`Clock.business_steps` (missed, first due time, its clock time) of gaps from `start` to `stop`, growing the span."""
    if len(start) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    lo = int(start.min())
    reach = int(stop.max()) + (int(days.max()) * 14 + 40) * DAY_US
    while True:
        # Its own span, not the shared clock: `business_steps` stands in tl.hi for a due time that never comes.
        clock = clock_for(cal, lo, reach)
        missed, first, allowed, beyond = clock.business_steps(start, days, stop, pauses, ticket)
        if not beyond.any():
            return missed, first, allowed
        if clock.clipped:
            i = int(np.argmax(beyond))
            raise OutsideSpan(
                f"calendar {cal.id!r}: an update clock started {from_us(int(start[i]), cal.zone).isoformat()} runs "
                f"past {clock.last.isoformat()}, the last date slac has the calendar's days for; "
                f"{cal.recompile(clock.last.year + 1)}"
            )
        reach = lo + (reach - lo) * 4


def clock_times_grown(cal: Calendar, t: I64, lo: int, hi: int, pauses: Pauses, ticket: I64) -> I64:
    """`Clock.clock_times` of instants `t` on the clock `elapsed_grown` uses for clocks from `lo` (their
    earliest start) to `hi` (their latest stop), with the same error past the calendar's days."""
    clock = clock_for(cal, lo, hi, pauses)
    if hi > clock.tl.hi:
        raise OutsideSpan(
            f"calendar {cal.id!r}: a ticket clock runs to {from_us(hi, cal.zone).isoformat()}, past "
            f"{clock.last.isoformat()}, the last date slac has the calendar's days for; "
            f"{cal.recompile(clock.last.year + 1)}"
        )
    return clock.clock_times(t, pauses, ticket)


def elapsed_grown(cal: Calendar, start: I64, stop: I64, pauses: Pauses, ticket: I64) -> I64:
    """Clock time from each `start` to its `stop` (open, not paused), on one clock over them all."""
    if len(start) == 0:
        return np.zeros(0, dtype=np.int64)
    clock = clock_for(cal, int(start.min()), int(stop.max()), pauses)
    if int(stop.max()) > clock.tl.hi:
        raise OutsideSpan(
            f"calendar {cal.id!r}: a ticket clock runs to {from_us(int(stop.max()), cal.zone).isoformat()}, past "
            f"{clock.last.isoformat()}, the last date slac has the calendar's days for; "
            f"{cal.recompile(clock.last.year + 1)}"
        )
    return clock.elapsed(start, stop, pauses, ticket)
