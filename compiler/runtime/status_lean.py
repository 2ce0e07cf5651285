"""The lean single-ticket path of `Policy.ticket_status`: the same answers as `status.target_statuses`.

A service asks about one ticket at a time, so the per-call overhead is the cost. This path works in
integers (µs since the epoch) throughout and converts datetimes only at the edges:
- what does not depend on the ticket is compiled once per (tier, priority, outage) (`plan`: each
  target's open time, calendar and line, and each calendar's per-year timeline as lists for
  `bisect`) and per zone (`Window`: a span over which the zone's UTC offset holds, so an instant
  given in that zone is placed by its wall-clock distance from a reference instant, and a deadline
  shown in it is the reference moved by a timedelta, with no zone conversion);
- one pass over the events places them and gives the pauses, the current cycle and the updates;
- the targets' numbers go to `status.results`, which builds the `TargetStatus`es of both paths.

It covers targets in open time whose clocks stay inside the opening's per-year timeline; anything
else (business days, a clock past that timeline, input errors) returns None and the caller takes
`status.target_statuses`, which handles every case.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .calendar import EPOCH, Calendar, _offsets
from .status import NEVER, RESOLVED, Row, TargetStatus, results

if TYPE_CHECKING:
    from .policy import Policy

_US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
_CHUNK = 128 * DAY_US  # a zone's windows are found per chunk of time
_MARGIN = 2 * DAY_US  # a window keeps this far from any offset change (more than any change's size)

Clock = tuple[int, Calendar, int]  # a target in open time: (µs, calendar, line)
# (effective priority, response, resolution, update, per calendar: (year lo, year hi, its timeline lists))
Plan = tuple[str, Clock | None, Clock | None, Clock | None, dict[Calendar, tuple[int, int, tuple[Any, ...]]]]
Lists = tuple[Any, ...]  # (start, end, before, through, timeline end, paused open time before each pause,
#                          clock time at each pause)


def plan(policy: Policy, tier: str, effective: str) -> Plan | None:
    """The plan of (tier, effective priority); None when a target is in business days."""
    key = (tier, effective)
    out: list[Any] = [effective]
    for table in (policy.targets, policy.resolutions, policy.updates):
        t = table.get(key)
        if t is not None and t.business_days:
            return None
        out.append(None if t is None else (t.within_us, policy.calendars[t.calendar], t.line))
    return (*out, {})


# ---- instants -------------------------------------------------------------------------------------

Window = tuple[int, int, int, datetime]  # (lo, hi, reference µs, the reference as a datetime in the zone)
_WINDOWS: dict[Any, Any] = {}  # zone → its last Window; (zone, chunk) → the [lo, hi) spans of that chunk


def window(opened_at: datetime) -> tuple[int, Window]:
    """(the opening in µs, a window around it): a span [lo, hi) over which the opening's zone keeps one
    UTC offset, `_MARGIN` clear of any change, and a reference instant in it. An instant m given in
    that zone whose wall-clock distance from the reference lands in [lo, hi) is
    `ref + (m - ref_at) // 1 µs`, exactly; an instant in another zone is that anyway (an aware
    difference). lo = hi when the opening is that close to a change: every instant by its own offset."""
    tz = opened_at.tzinfo
    known = _WINDOWS.get(tz)
    if known is not None:
        lo, hi, ref, ref_at = known
        opened = ref + (opened_at - ref_at) // _US
        if lo <= opened < hi:
            return opened, known
    opened = (opened_at - EPOCH) // _US
    chunk = opened // _CHUNK
    spans = _WINDOWS.get((tz, chunk))
    if spans is None:
        if len(_WINDOWS) > 512:  # zones come from the callers' datetimes: a bounded cache
            _WINDOWS.clear()
        spans = _WINDOWS[(tz, chunk)] = _spans(tz, chunk)
    for lo, hi in spans:
        if lo <= opened < hi:
            found = _WINDOWS[tz] = (lo, hi, opened, opened_at)
            return opened, found
    return opened, (opened, opened, opened, opened_at)


def _spans(tz: Any, chunk: int) -> list[tuple[int, int]]:
    """The spans of zone `tz` between its offset changes, from the chunk before `chunk` to the one after."""
    lo, hi = (chunk - 1) * _CHUNK, (chunk + 2) * _CHUNK
    bounds = _offsets(tz, lo, hi)[0].tolist()  # lo, then the instant of each change
    return [(a + _MARGIN, b - _MARGIN) for a, b in zip(bounds, [*bounds[1:], hi], strict=True) if b - a > 2 * _MARGIN]


# ---- events ---------------------------------------------------------------------------------------

_UPDATE, _STATUS, _PAUSE, _RESOLVE = 0, 1, 2, 4  # event kinds (bits) in `Policy._events`


def _kind(cache: dict[str, int], pausing: frozenset[str], event: Any) -> int | None:
    """The kind bits of an event text; None: not an event (the general path says what is wrong)."""
    if not isinstance(event, str):
        return None
    if event == "update":
        kind = _UPDATE
    elif event.startswith("status:"):
        name = event[7:]
        kind = _STATUS | (_PAUSE if name in pausing else 0) | (_RESOLVE if name == RESOLVED else 0)
    else:
        return None
    if len(cache) < 4096:  # statuses come from the data: a bounded cache
        cache[event] = kind
    return kind


Replayed = tuple[list[int], list[int], list[int], int, int, int, bool]
_EXACT: Window = (-(2**63), 2**63, 0, EPOCH)  # every aware instant by its own offset


def _replay(
    policy: Policy, events: Sequence[tuple[datetime, str]], win: Window, opened: int, resolved: int | None
) -> Replayed | bool | None:
    """One pass over the events, placing each in µs (`window`): (pause starts, pause ends, updates,
    current cycle's start, its end or -1, cycles, paused now), as `status.history`; False: an event
    out of time order or outside the window (`_in_order` places them); None: a bad event.
    TypeError: a naive datetime."""
    lo, hi, ref, ref_at = win
    pa: list[int] = []
    pb: list[int] = []
    updates: list[int] = []
    start, end, cycles = opened, -1, 1
    since, done, prev = -1, False, lo
    kinds = policy._events
    for m, event in events:
        at = ref + (m - ref_at) // _US
        if at < prev:  # before the window, or out of time order
            return False
        prev = at
        if event == "update":
            updates.append(at)
            continue
        kind = kinds.get(event)
        if kind is None:
            kind = _kind(kinds, policy.pause_statuses, event)
            if kind is None:
                return None
        if not kind:  # an update
            updates.append(at)
            continue
        if kind & 2:  # _PAUSE
            if since < 0:
                since = at
        elif since >= 0:
            pa.append(since)
            pb.append(at)
            since = -1
        if kind & 4:  # _RESOLVE
            if not done:
                end, done = at, True
        elif done:
            start, end, cycles, done = at, -1, cycles + 1, False
    if prev >= hi:  # the last (latest) event past the window
        return False
    paused = since >= 0
    if paused:
        pa.append(since)
        pb.append(resolved if resolved is not None else NEVER)
    if end < 0 and resolved is not None:
        end = resolved
    return pa, pb, updates, start, end, cycles, paused and resolved is None


def _in_order(events: Sequence[tuple[datetime, str]], win: Window) -> list[tuple[datetime, str]]:
    """The events sorted by instant, stably (events at one instant keep their written order)."""
    lo, hi, ref, ref_at = win
    timed = [ref + (m - ref_at) // _US for m, _ in events]
    timed = [t if lo <= t < hi else (m - EPOCH) // _US for t, (m, _) in zip(timed, events, strict=True)]
    return [events[i] for i in sorted(range(len(timed)), key=timed.__getitem__)]


# ---- clocks ---------------------------------------------------------------------------------------


def _lists(memo: dict[Calendar, tuple[int, int, tuple[Any, ...]]], cal: Calendar, opened: int, pa: list[int], pb: list[int]) -> Lists:  # fmt: skip
    """The calendar's per-year timeline of the opening as lists (kept in the plan's `memo` per local
    year) with the ticket's pauses in open time (`status._Lists`): the paused open time before each
    pause (`cum`) and the clock time at each (`cs`)."""
    known = memo.get(cal)
    if known is not None and known[0] <= opened < known[1]:
        year = known[2]
    else:
        block = cal._block(opened)
        if not block._lists:
            block.deadline(opened, 0)  # fills the list cache
        year = (*block._lists, block.hi)
        for lo, hi, tl in cal._spans:  # the UTC instants of the local year, when `_block` could tell them
            if tl is block and lo <= opened < hi:
                memo[cal] = (lo, hi, year)
    start, end, before, through, top = year
    if not pa:
        return start, end, before, through, top, _NO_CUM, pa
    cum, cs, acc = [0], [], 0
    for a, b in zip(pa, pb, strict=True):
        k = bisect_right(start, a) - 1
        if k < 0:
            x = 0
        else:
            e = end[k]
            x = before[k] + (a if a < e else e) - start[k]
            if b < e:  # the pause ends in the same open interval
                cs.append(x - acc)
                acc += b - a
                cum.append(acc)
                continue
        k = bisect_right(start, b) - 1
        y = 0 if k < 0 else before[k] + (b if b < end[k] else end[k]) - start[k]
        cs.append(x - acc)
        acc += y - x
        cum.append(acc)
    return start, end, before, through, top, cum, cs


_NO_CUM = [0]


def _counted(lists: Lists, pa: list[int], pb: list[int], t: int) -> int:
    """Open time before `t` that is not paused (`status._Lists.counted`)."""
    start, end, before, _, _, cum, cs = lists
    k = bisect_right(pa, t) if pa else 0
    if k and t < pb[k - 1]:  # inside pause k − 1: the clock stands at its start
        return cs[k - 1]
    j = bisect_right(start, t) - 1
    return (0 if j < 0 else before[j] + (t if t < end[j] else end[j]) - start[j]) - cum[k]


def _deadline(
    lists: Lists, pa: list[int], pb: list[int], s: int, d: int, upto: int = NEVER
) -> tuple[int, int, int] | None:
    """(deadline, decision instant, clock time at `s`) of a clock of `d` from `s` (`status._Lists.deadline`,
    and `_counted(s)`); None: past the timeline.

    The decision instant is only ever compared with `upto` (the clock's stop, or `as_of`): when that
    is at or before the deadline it cannot be after the decision instant (never before the deadline),
    and the deadline stands in for it, unsearched.

    In clock time: the clock stands at `cs[i]` while pause i lasts, so the deadline falls before the
    first pause (not over at `s`) whose clock time reaches C(s) + d, and every pause before it moves
    the open time needed later by its length (`cum`).
    """
    start, end, before, through, _, cum, cs = lists
    k = bisect_right(start, s) - 1
    s_open = 0 if k < 0 else before[k] + (s if s < end[k] else end[k]) - start[k]
    if not pa:  # no pauses: the calendar alone
        target = s_open + d
        j = bisect_left(through, target)
        if j < len(end) and end[j] <= s:
            j = bisect_right(end, s)
        if j >= len(end):
            return None
        due = start[j] + (target - before[j])
        if due < end[j] or upto <= due:
            return due, due, s_open
        k = bisect_right(end, due)  # at a closing: decided at the next opening
        if k >= len(end):
            return None
        return due, (due if due > start[k] else start[k]), s_open
    first = bisect_right(pb, s)  # the pauses before it are over at s
    m = len(pa)
    if first < m and pa[first] <= s:  # s inside a pause: the clock starts at its end
        c_s = cs[first]
        v, t = c_s + d, bisect_left(cs, c_s + d, first + 1)
    else:
        c_s = s_open - cum[first]
        v = c_s + d
        t = bisect_left(cs, v, first) if first < m else m
    while t < m and pa[t] <= (pb[t - 1] if t > first else s):  # a pause right at the clock's position
        t += 1
    cur = s
    if t > first:  # passed pauses first .. t − 1
        cur = pb[t - 1]
        if cur == NEVER:
            return NEVER, NEVER, c_s
    target = v + cum[t]
    # The first interval whose open time reaches the target, but none that ends at or before `cur`.
    n = len(start)
    j = bisect_left(through, target)
    if j < n and end[j] <= cur:
        j = bisect_right(end, cur)
    if j >= n:
        return None
    due = start[j] + (target - before[j])
    if upto <= due:
        return due, due, c_s
    # The decision instant: the first instant from `due` on at which the clock runs (open, not paused).
    x = due
    if due >= end[j]:  # at a closing: the next opening
        k = bisect_right(end, due)
        if k >= n:
            return None
        x = due if due > start[k] else start[k]
    while True:
        i = bisect_right(pa, x) - 1
        if i < 0 or x >= pb[i]:
            break
        b = pb[i]  # x is inside pause i: from its end, the next opening
        if b == NEVER:
            return due, NEVER, c_s
        k = bisect_right(end, b)
        if k >= n:
            return None
        x = b if b > start[k] else start[k]
    return due, x, c_s


def _rows(plan: Plan, opened: int, responded: int | None, now: int, got: Replayed) -> list[Row] | None:
    """Each target's numbers (`status.Row`); None: a clock past the timeline (the general path grows one)."""
    pa, pb, updates, start, end, n, _ = got
    _, response, res, upd, memo = plan
    stop = end if end >= 0 else None
    arm = responded if n == 1 else start  # the first update gap's start
    if arm is None or (stop is not None and arm >= stop):
        arm, upd = opened, None  # no update gap yet (no response), or none in the cycle
    rows: list[Row] = []
    cal: Calendar | None = None
    lists: Lists = ()
    c_now = -1  # the clock time at `now` in `cal` (computed once there)
    targets: tuple[tuple[str, Clock | None, int, int | None, int], ...] = (
        ("response", response, opened, responded, 1), ("resolution", res, start, stop, n), ("update", upd, arm, stop, n)
    )  # fmt: skip
    for kind, clock, s, until, cycle in targets:
        if clock is None:
            continue
        d, ccal, line = clock
        if ccal is not cal:
            cal, lists, c_now = ccal, _lists(memo, ccal, opened, pa, pb), -1
        upto = until if until is not None else now
        if upto > lists[4]:
            return None
        missed = 0
        if kind == "update":  # `s` moves to the last update of the cycle so far, counting the gaps before it
            # The cycle's updates so far (in time order): from `s`, before the stop, up to `now`.
            last = now if stop is None or stop > now else stop - 1
            chain = updates[bisect_left(updates, s) : bisect_right(updates, last)]
            if chain:
                missed, s = _missed(lists, pa, pb, s, chain, d), chain[-1]
        found = _deadline(lists, pa, pb, s, d, upto)
        if found is None:
            return None
        due, decided, c_s = found
        used = 0
        if upto > s:
            if until is not None:
                used = _counted(lists, pa, pb, upto) - c_s
            else:
                if c_now < 0:
                    c_now = _counted(lists, pa, pb, now)
                used = c_now - c_s
        rows.append((kind, line, cycle, d, due, decided, used, until, missed, None))
    return rows


def _missed(lists: Lists, pa: list[int], pb: list[int], arm: int, chain: list[int], every: int) -> int:
    """Updates missed in the gaps from `arm` through each update of `chain` (a gap that used clock time
    L misses ceil(L / D) − 1: one per interval of D without an update)."""
    every = max(every, 1)
    if chain[-1] - arm <= every:  # a clock runs no faster than real time: no gap is longer than D
        return 0
    missed, prev = 0, arm
    for u in chain:
        if u - prev > every:  # only a gap longer than D in real time can use more than D
            used = _counted(lists, pa, pb, u) - _counted(lists, pa, pb, prev)
            if used > every:
                missed += (used - 1) // every
        prev = u
    return missed


def statuses(
    policy: Policy, plan: Plan, opened_at: datetime, responded_at: datetime | None, resolved_at: datetime | None,
    as_of: datetime, events: Sequence[tuple[datetime, str]],
) -> tuple[TargetStatus, ...] | None:  # fmt: skip
    """`status.target_statuses` of a plan's targets; None: take that path (it also says what is wrong)."""
    try:
        opened, win = window(opened_at)
        lo, hi, ref, ref_at = win
        now = ref + (as_of - ref_at) // _US
        if not lo <= now < hi:
            now = (as_of - EPOCH) // _US
        responded = resolved = None
        if responded_at is not None:
            responded = ref + (responded_at - ref_at) // _US
            if not lo <= responded < hi:
                responded = (responded_at - EPOCH) // _US
        if resolved_at is not None:
            resolved = ref + (resolved_at - ref_at) // _US
            if not lo <= resolved < hi:
                resolved = (resolved_at - EPOCH) // _US
        if (responded is not None and responded < opened) or (resolved is not None and resolved < opened):
            return None
        got = _replay(policy, events, win, opened, resolved)
        if got is False:  # sorted and placed each by its own offset
            got = _replay(policy, _in_order(events, win), _EXACT, opened, resolved)
    except (TypeError, ValueError, OverflowError):  # a naive datetime, a malformed event, a year at the
        # ends of the calendar (no window around it): the general path answers or says what is wrong
        return None
    if not got:
        return None
    rows = _rows(plan, opened, responded, now, got)  # type: ignore[arg-type]
    if rows is None:
        return None
    return results(policy, rows, now, got[6], win if opened_at.tzinfo is policy.zone else None)  # type: ignore[index]
