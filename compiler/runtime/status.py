"""Where one ticket stands against each of its targets, for a service asking about one ticket at a time.

The same rules as the vectorised path (`tickets`, `clocks`), computed with plain lists and
`bisect` on the calendar's per-year timeline (a numpy call per value costs more than the whole
answer). A clock that reaches past that timeline falls back to the vectorised path.

Per target (response; resolution of the current cycle; update of the current gap):
``met`` / ``breached`` once stopped; while running at `as_of`: ``paused`` when the ticket is in a
pausing status, ``at_risk`` once the clock has used at least `warn at` P % of its time, else
``running`` (and ``breached`` once it has used more than all of it). Time left is open time.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Literal, NamedTuple

from .calendar import EPOCH, Calendar, from_us, to_us

if TYPE_CHECKING:
    from .policy import Policy, Target

NEVER = 2**63 - 1
RESOLVED = "resolved"
State = Literal["met", "breached", "running", "paused", "at_risk"]


class TargetStatus(NamedTuple):
    """One target of a ticket at `as_of` (a named tuple: cheap to build, fields by name, immutable)."""

    target: Literal["response", "resolution", "update"]
    state: State
    deadline: datetime | None  # None: paused with no end in sight
    time_left: timedelta | None  # open time left on a running clock (0 when used up)
    used: timedelta  # open time the clock has used (of the current cycle or gap)
    cycle: int  # 1: from the opening; 2, 3, …: after each reopening
    missed: int  # updates: gaps missed so far; others: 1 when breached
    line: int


class _Lists:
    """A calendar's per-year timeline as plain lists, and the pause-aware scalar questions.

    The pauses' open-time positions (`oa`, `ob`: open time before each pause's start and end) and the
    paused open time before each pause (`cum`) are computed once, so every question is a bisect or two.
    """

    __slots__ = ("cal", "end", "start", "before", "through", "pauses", "hi", "pa", "pb", "oa", "ob", "cum")

    def __init__(self, cal: Calendar, opened: int, pauses: list[tuple[int, int]]):
        block = cal._block(opened)
        if not block._lists:
            block.deadline(opened, 0)  # fills the list cache
        self.cal = cal
        self.hi = block.hi
        self.start, self.end, self.before, self.through = block._lists
        self.pauses = pauses
        self.pa = [a for a, _ in pauses]
        self.pb = [b for _, b in pauses]
        self.oa = [self.open_at(a) for a in self.pa]
        self.ob = [self.open_at(b) for b in self.pb]  # open time is flat past the timeline: = at min(b, hi)
        acc, cum = 0, [0]
        for x, y in zip(self.oa, self.ob, strict=True):
            acc += y - x
            cum.append(acc)
        self.cum = cum

    def open_at(self, t: int) -> int:
        k = bisect.bisect_right(self.start, t) - 1
        return 0 if k < 0 else self.before[k] + min(t, self.end[k]) - self.start[k]

    def _plain(self, s: int, target: int) -> int | None:
        """The instant the calendar's open time reaches `target`, never in an interval ending at or before `s`."""
        j = max(bisect.bisect_left(self.through, target), bisect.bisect_right(self.end, s))
        return None if j >= len(self.start) else self.start[j] + (target - self.before[j])

    def _next_open(self, t: int) -> int | None:
        k = bisect.bisect_right(self.end, t)
        return None if k >= len(self.start) else max(t, self.start[k])

    def deadline(self, s: int, d: int) -> tuple[int, int] | None:
        """(deadline, decision instant) of a clock of `d` from `s`; None: past this timeline."""
        cur, rem = s, d
        cur_open = self.open_at(s)
        pb, oa = self.pb, self.oa
        for i, a in enumerate(self.pa):
            b = pb[i]
            if b <= cur:
                continue
            if a > cur:
                avail = oa[i] - cur_open
                if avail >= rem:
                    break
                rem -= avail
            if b == NEVER:
                return NEVER, NEVER
            cur, cur_open = b, self.ob[i]
        due = self._plain(cur, cur_open + rem)
        if due is None:
            return None
        x = self._next_open(due)
        for i, a in enumerate(self.pa):
            if x is None:
                return None
            b = pb[i]
            if a <= x < b:
                if b == NEVER:
                    return due, NEVER
                x = self._next_open(b)
        return None if x is None else (due, x)

    def used(self, s: int, t: int) -> int:
        """Clock time in [s, t)."""
        if t <= s:
            return 0
        if t > self.hi:  # past the per-year timeline: a clock over the span
            import numpy as np

            from .clocks import Pauses, clock_for

            p = Pauses(
                np.array([0, len(self.pauses)], dtype=np.int64),
                np.array(self.pa, dtype=np.int64),
                np.array(self.pb, dtype=np.int64),
            )
            one = np.zeros(1, dtype=np.int64)
            clock = clock_for(self.cal, s, t)
            return int(clock.elapsed(np.array([s]), np.array([t]), p, one)[0])
        return self.counted(t) - self.counted(s)

    def counted_many(self, ts: list[int]) -> list[int]:
        """`counted` of many instants (one call: a ticket's chain of updates)."""
        start, end, before, pa, pb, oa, cum = self.start, self.end, self.before, self.pa, self.pb, self.oa, self.cum
        bisect_right = bisect.bisect_right
        out = []
        for t in ts:
            k = bisect_right(pa, t) if pa else 0
            if k and t < pb[k - 1]:
                out.append(oa[k - 1] - cum[k - 1])
                continue
            j = bisect_right(start, t) - 1
            out.append((0 if j < 0 else before[j] + min(t, end[j]) - start[j]) - cum[k])
        return out

    def counted(self, t: int) -> int:
        """Open time before `t` that is not paused (from the timeline's start)."""
        pa = self.pa
        k = bisect.bisect_right(pa, t) if pa else 0
        if k and t < self.pb[k - 1]:  # inside pause k − 1: the clock stands at its start
            return self.oa[k - 1] - self.cum[k - 1]
        return self.open_at(t) - self.cum[k]


class _Cache(dict[str, _Lists]):
    """The ticket's `_Lists` per calendar, built on first use."""

    def __init__(self, policy: Policy, opened: int, pauses: list[tuple[int, int]]):
        super().__init__()
        self.policy, self.opened, self.pauses = policy, opened, pauses

    def __missing__(self, name: str) -> _Lists:
        lists = self[name] = _Lists(self.policy.calendars[name], self.opened, self.pauses)
        return lists


def _timed(events: Sequence[tuple[datetime, str]], opened: int, opened_at: datetime | None) -> list[tuple[int, str]]:
    """The events as (µs, event), exactly as `to_us` gives them.

    An event in the opening's own tzinfo (the usual case) is placed from the opening: two datetimes
    with the same tzinfo subtract as wall clocks, so the difference of their UTC offsets (each
    with its own fold) corrects it to elapsed time, without a conversion to UTC per event.
    """
    try:
        if opened_at is not None and (base_off := opened_at.utcoffset()) is not None:
            tz = opened_at.tzinfo
            return [
                (opened + ((m - opened_at) - (m.utcoffset() - base_off)) // _ONE_US, e)  # type: ignore[operator]
                if m.tzinfo is tz
                else ((m - EPOCH) // _ONE_US, e)
                for m, e in events
            ]
        return [((m - EPOCH) // _ONE_US, e) for m, e in events]
    except TypeError:  # a naive datetime (or a tzinfo without an offset): to_us says what is wrong
        return [(to_us(m), e) for m, e in events]


def history(
    events: Sequence[tuple[datetime, str]],
    opened: int,
    resolved: int | None,
    pausing: frozenset[str],
    opened_at: datetime | None = None,
) -> tuple[list[tuple[int, int]], list[list[int]], list[int], bool]:
    """(pauses, cycles [start, end or -1], updates, paused now) from (at, "update" | "status:NAME") in time order;
    `opened_at`: the opening as given (`opened` is its µs), to place events in its zone quickly."""
    pauses: list[tuple[int, int]] = []
    cycles = [[opened, -1]]
    updates: list[int] = []
    since = -1
    done = False
    timed = _timed(events, opened, opened_at)
    timed.sort(key=_first)  # stable: events at the same instant keep their written order
    for at, event in timed:
        if event == "update":
            updates.append(at)
            continue
        if not event.startswith("status:"):
            raise ValueError(f"unknown ticket event {event!r}; write `update` or `status:NAME`")
        name = event[7:]
        if name in pausing:
            since = at if since < 0 else since
        elif since >= 0:
            pauses.append((since, at))
            since = -1
        if name == RESOLVED and not done:
            cycles[-1][1], done = at, True
        elif name != RESOLVED and done:
            cycles.append([at, -1])
            done = False
    paused = since >= 0
    if paused:
        pauses.append((since, resolved if resolved is not None else NEVER))
    if cycles[-1][1] < 0 and resolved is not None:
        cycles[-1][1] = resolved
    return pauses, cycles, updates, paused and resolved is None


_first = itemgetter(0)
_ONE_US = timedelta(microseconds=1)
_ZERO = timedelta(0)


def _within(lists: _Lists, target: Target, s: int) -> int:
    if not target.business_days:
        return target.within_us
    import numpy as np

    from .clocks import clock_for

    clock = clock_for(lists.cal, s, s + (target.business_days * 14 + 40) * 86_400_000_000)
    d, _ = clock.business_within(np.array([s], dtype=np.int64), np.array([target.business_days], dtype=np.int64))
    return int(d[0])


# One target's numbers, as both paths compute them and `results` turns them into a `TargetStatus`:
# (target, line, cycle, allowed open time d, deadline, decision instant, clock time used up to the stop
# or `as_of`, the stop or None while running, missed before this cycle or gap, missed in it when
# stepped (update gaps in business days) or None).
Row = tuple[str, int, int, int, int, int, int, int | None, int, int | None]
_new = tuple.__new__


def results(
    policy: Policy, rows: list[Row], as_of: int, paused_now: bool, near: tuple[int, int, int, datetime] | None = None
) -> tuple[TargetStatus, ...]:
    """Each target's status from its numbers: the one place that decides met / breached / running /
    paused / at_risk and builds the `TargetStatus`es (of both the general and the lean path).

    `near`: (lo, hi, ref, ref_at) when `ref_at` (the instant `ref`) is in the policy's zone and its
    UTC offset holds over [lo, hi) (`status_lean.window`): a deadline there is `ref_at` moved by
    the difference, the same datetime as `from_us` gives, without a zone conversion.
    """
    out = []
    zone, warn = policy.zone, policy.warn_ratio
    lo, hi, ref, base = near if near is not None else (0, 0, 0, None)
    for kind, line, cycle, d, due, decided, used, stop, missed, stepped in rows:
        if due == NEVER:
            shown = None
        elif lo <= due < hi:
            shown = base + _ONE_US * (due - ref)  # type: ignore[operator]
        else:
            shown = from_us(due, zone)
        spent = _ONE_US * used if used else _ZERO
        if stop is not None:
            bad = stop > decided
            if stepped is not None:
                more = stepped
            elif kind == "update":
                more = (used - 1) // max(d, 1) if used > 0 else 0
            else:
                more = int(bad)
            out.append(_new(TargetStatus, (kind, "breached" if bad else "met", shown, None, spent, cycle, missed + more, line)))  # fmt: skip
            continue
        left = _ONE_US * (d - used) if d > used else _ZERO
        if as_of > decided:
            if stepped is not None:
                more = stepped
            else:
                more = (used - 1) // max(d, 1) if kind == "update" else 1
            out.append(_new(TargetStatus, (kind, "breached", shown, left, spent, cycle, missed + more, line)))
            continue
        state = "running"
        if paused_now:
            state = "paused"
        elif warn is not None and used * warn[1] >= warn[0] * d:  # used / d ≥ P / 100, exactly
            state = "at_risk"
        out.append(_new(TargetStatus, (kind, state, shown, left, spent, cycle, missed, line)))
    return tuple(out)


def _row(
    policy: Policy, kind: str, target: Target, s: int, stop: int | None, as_of: int,
    ctx: tuple[list[tuple[int, int]], _Cache], cycle: int, missed: int = 0, stepped: tuple[int, int] | None = None,
) -> Row:  # fmt: skip
    """One target's numbers (`Row`) on the general path; `stepped`: (clock time to the first due time,
    missed so far) of an update gap in business days."""
    pauses, cache = ctx
    lists = cache[target.calendar]
    d = _within(lists, target, s) if stepped is None else stepped[0]
    found = lists.deadline(s, d)
    if found is None:  # past the per-year timeline: the vectorised path grows one
        found = _vector(policy, target, s, d, pauses)
    due, decided = found
    used = lists.used(s, stop if stop is not None else as_of)
    return (kind, target.line, cycle, d, due, decided, used, stop, missed, None if stepped is None else stepped[1])


def _business_gaps(
    policy: Policy, target: Target, chain: list[int], stop: int, pauses: list[tuple[int, int]]
) -> tuple[int, int, int]:
    """(missed in the gaps before the last, clock time to the last gap's first due time, missed in it)."""
    import numpy as np

    from .clocks import Pauses, business_steps_grown

    p = Pauses(
        np.array([0, len(pauses)], dtype=np.int64),
        np.array([a for a, _ in pauses], dtype=np.int64),
        np.array([b for _, b in pauses], dtype=np.int64),
    )
    starts = np.array(chain, dtype=np.int64)
    missed, _, allowed = business_steps_grown(
        policy.calendars[target.calendar], starts, np.full(len(chain), target.business_days, dtype=np.int64),
        np.array([*chain[1:], stop], dtype=np.int64), p, np.zeros(len(chain), dtype=np.int64),
    )  # fmt: skip
    return int(missed[:-1].sum()), int(allowed[-1]), int(missed[-1])


def _vector(policy: Policy, target: Target, s: int, d: int, pauses: list[tuple[int, int]]) -> tuple[int, int]:
    import numpy as np

    from .clocks import Pauses, deadlines_grown

    p = Pauses(
        np.array([0, len(pauses)], dtype=np.int64),
        np.array([a for a, _ in pauses], dtype=np.int64),
        np.array([b for _, b in pauses], dtype=np.int64),
    )
    one = np.array([s], dtype=np.int64)
    due, decided, _ = deadlines_grown(
        policy.calendars[target.calendar], one, np.array([d], dtype=np.int64), None, p, np.zeros(1, np.int64), s
    )
    return int(due[0]), int(decided[0])


def target_statuses(
    policy: Policy,
    tier: str,
    effective: str,
    opened: int,
    responded: int | None,
    resolved: int | None,
    events: Sequence[tuple[datetime, str]],
    as_of: int,
    opened_at: datetime | None = None,
) -> tuple[TargetStatus, ...]:
    """Every target of the ticket: the response, the current (or last) cycle's resolution, its update gap."""
    pauses, cycles, updates, paused_now = history(events, opened, resolved, policy.pause_statuses, opened_at)
    cache = _Cache(policy, opened, pauses)
    ctx = (pauses, cache)
    rows: list[Row] = []
    response = policy.targets.get((tier, effective))
    if response is not None:
        rows.append(_row(policy, "response", response, opened, responded, as_of, ctx, 1))
    n = len(cycles)
    start, end = cycles[-1]
    stop = end if end >= 0 else None
    res = policy.resolutions.get((tier, effective))
    if res is not None:
        rows.append(_row(policy, "resolution", res, start, stop, as_of, ctx, n))
    upd = policy.updates.get((tier, effective))
    if upd is not None:
        arm = responded if n == 1 else start
        if arm is not None and (stop is None or arm < stop):
            chain = [arm] + [u for u in updates if arm <= u and (stop is None or u < stop) and u <= as_of]
            lists = cache[upd.calendar]
            missed = 0
            # Each interval of clock time without an update: one missed (a gap that used L: ceil(L / D) − 1).
            if upd.business_days:  # due times stepped gap by gap (`Clock.business_steps`)
                stepped = _business_gaps(policy, upd, chain, stop if stop is not None else as_of, pauses)
                rows.append(_row(policy, "update", upd, chain[-1], stop, as_of, ctx, n, stepped[0], stepped[1:]))
            else:
                if chain[-1] > lists.hi:
                    for a, b in zip(chain, chain[1:], strict=False):
                        used = lists.used(a, b)
                        missed += (used - 1) // max(_within(lists, upd, a), 1) if used > 0 else 0
                else:
                    every = max(upd.within_us, 1)
                    counts = lists.counted_many(chain)
                    for x, y in zip(counts, counts[1:], strict=False):
                        if y > x:
                            missed += (y - x - 1) // every
                rows.append(_row(policy, "update", upd, chain[-1], stop, as_of, ctx, n, missed))
    return results(policy, rows, as_of, paused_now)
