"""The lean single-ticket path of `Policy.ticket_status`: the same answers as `status.target_statuses`.

A service asks about one ticket at a time, so the per-call overhead is the cost: this path keeps
everything in one function's locals (no per-ticket objects but the results), reuses per-policy
lookups (the targets of a tier and priority, the calendar's per-year timeline as lists, the
zone's offset changes near the opening) and builds named tuples. It covers targets in open time
whose clocks stay inside the opening's per-year timeline; anything else (business days, a clock
that reaches past that timeline, an event in another zone near an offset change, input errors)
returns None and the caller takes `status.target_statuses`, which handles every case.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .calendar import EPOCH, _offsets
from .status import NEVER, RESOLVED, TargetStatus, _first

if TYPE_CHECKING:
    from .policy import Policy, Target

_ONE_US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
_new = tuple.__new__


def plan(policy: Policy, tier: str, effective: str) -> tuple[Target | None, Target | None, Target | None] | None:
    """(response, resolution, update) targets of (tier, effective priority); None when one is in business days."""
    key = (tier, effective)
    targets = (policy.targets.get(key), policy.resolutions.get(key), policy.updates.get(key))
    return None if any(t is not None and t.business_days for t in targets) else targets


def _changes(cache: dict[Any, tuple[int, int, list[int]]], tz: Any, at: int) -> tuple[int, int, list[int]]:
    """(covered from, covered to, UTC offset changes of zone `tz` in between) around instant `at`, cached."""
    known = cache.get(tz)
    if known is not None and known[0] <= at < known[1]:
        return known
    lo, hi = at - 3 * DAY_US, at + 400 * DAY_US  # a ticket's events run from its opening
    starts, _ = _offsets(tz, lo, hi)
    known = cache[tz] = (lo + DAY_US, hi - DAY_US, starts.tolist()[1:])
    return known


def place(
    cache: dict[Any, tuple[int, int, list[int]]],
    events: Sequence[tuple[datetime, str]],
    opened: int,
    opened_at: datetime,
) -> list[tuple[int, str]] | None:
    """The events as (µs, event) sorted by time, exactly as `to_us` gives them; None: take the general path.

    Events in the opening's own tzinfo are placed by their wall-clock distance from the opening, exact
    while no UTC offset change of that zone lies near them (checked against the zone's cached changes).
    """
    tz = opened_at.tzinfo
    try:
        timed = [(opened + (m - opened_at) // _ONE_US, e) for m, e in events if m.tzinfo is tz]
    except TypeError:  # a naive datetime: the general path says what is wrong
        return None
    if len(timed) != len(events):
        return None
    timed.sort(key=_first)  # stable: events at the same instant keep their written order
    if timed:
        lo, hi = min(opened, timed[0][0]), timed[-1][0]
        c_lo, c_hi, changes = _changes(cache, tz, opened)
        if lo - DAY_US < c_lo or hi + DAY_US >= c_hi:
            return None
        if bisect_right(changes, lo - DAY_US) != bisect_right(changes, hi + DAY_US):
            return None
    return timed


def _lists(policy: Policy, name: str, opened: int, pa: list[int], pb: list[int]) -> tuple[Any, ...]:
    """(start, end, before, through, hi, oa, ob, cum) of calendar `name` and the ticket's pauses (as `status._Lists`)."""
    block = policy.calendars[name]._block(opened)
    if not block._lists:
        block.deadline(opened, 0)  # fills the list cache
    start, end, before, through = block._lists
    oa, ob, cum, acc = [], [], [0], 0
    for a, b in zip(pa, pb, strict=True):
        k = bisect_right(start, a) - 1
        x = 0 if k < 0 else before[k] + min(a, end[k]) - start[k]
        k = bisect_right(start, b) - 1
        y = 0 if k < 0 else before[k] + min(b, end[k]) - start[k]
        oa.append(x)
        ob.append(y)
        acc += y - x
        cum.append(acc)
    return start, end, before, through, block.hi, oa, ob, cum


def _counted(lists: tuple[Any, ...], pa: list[int], pb: list[int], t: int) -> int:
    """Open time before `t` that is not paused (`status._Lists.counted`)."""
    start, end, before, _, _, oa, _, cum = lists
    k = bisect_right(pa, t) if pa else 0
    if k and t < pb[k - 1]:
        return oa[k - 1] - cum[k - 1]
    j = bisect_right(start, t) - 1
    return (0 if j < 0 else before[j] + min(t, end[j]) - start[j]) - cum[k]


def _deadline(lists: tuple[Any, ...], pa: list[int], pb: list[int], s: int, d: int) -> tuple[int, int] | None:
    """(deadline, decision instant) of a clock of `d` from `s` (`status._Lists.deadline`); None: past the timeline."""
    start, end, before, through, _, oa, ob, _ = lists
    n = len(start)
    k = bisect_right(start, s) - 1
    cur, rem = s, d
    cur_open = 0 if k < 0 else before[k] + min(s, end[k]) - start[k]
    for i, a in enumerate(pa):
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
        cur, cur_open = b, ob[i]
    target = cur_open + rem
    j = max(bisect_left(through, target), bisect_right(end, cur))
    if j >= n:
        return None
    due = start[j] + (target - before[j])
    k = bisect_right(end, due)
    if k >= n:
        return None
    x = max(due, start[k])
    for i, a in enumerate(pa):
        b = pb[i]
        if a <= x < b:
            if b == NEVER:
                return due, NEVER
            k = bisect_right(end, b)
            if k >= n:
                return None
            x = max(b, start[k])
    return due, x


def _judge(
    policy: Policy, kind: str, target: Target, s: int, stop: int | None, as_of: int, lists: tuple[Any, ...],
    pa: list[int], pb: list[int], paused_now: bool, cycle: int, missed: int, counted_s: int,
) -> TargetStatus | None:  # fmt: skip
    """`status._judge` of a target in open time (`counted_s`: `_counted` at s); None: a clock past the timeline."""
    d = target.within_us
    found = _deadline(lists, pa, pb, s, d)
    if found is None:
        return None
    due, decided = found
    shown = None if due == NEVER else (EPOCH + timedelta(microseconds=due)).astimezone(policy.zone)
    end = stop if stop is not None else as_of
    if end > lists[4]:
        return None
    used = _counted(lists, pa, pb, end) - counted_s if end > s else 0
    spent = timedelta(microseconds=used)
    if stop is not None:
        bad = stop > decided
        more = ((used - 1) // max(d, 1) if used > 0 else 0) if kind == "update" else int(bad)
        return _new(TargetStatus, (kind, "breached" if bad else "met", shown, None, spent, cycle, missed + more, target.line))  # fmt: skip
    left = timedelta(microseconds=d - used if d > used else 0)
    if as_of > decided:
        more = (used - 1) // max(d, 1) if kind == "update" else 1
        return _new(TargetStatus, (kind, "breached", shown, left, spent, cycle, missed + more, target.line))  # fmt: skip
    warn = policy.warn_ratio
    state = "running"
    if paused_now:
        state = "paused"
    elif warn is not None and used * warn[1] >= warn[0] * d:  # used / d ≥ P / 100, exactly
        state = "at_risk"
    return _new(TargetStatus, (kind, state, shown, left, spent, cycle, missed, target.line))


_UPDATE, _STATUS, _PAUSE, _RESOLVE = 0, 1, 2, 4  # event kinds (bits) in `Policy._events`


def _kind(cache: dict[str, int], pausing: frozenset[str], event: str) -> int | None:
    """The kind bits of an event text; None: not an event (the general path says what is wrong)."""
    if event == "update":
        return _UPDATE
    if not event.startswith("status:"):
        return None
    name = event[7:]
    kind = _STATUS | (_PAUSE if name in pausing else 0) | (_RESOLVE if name == RESOLVED else 0)
    if len(cache) < 4096:  # statuses come from the data: a bounded cache
        cache[event] = kind
    return kind


def replay(
    policy: Policy, timed: list[tuple[int, str]], opened: int, resolved: int | None
) -> tuple[list[int], list[int], list[list[int]], list[int], bool] | None:
    """`status.replay` (pause starts, pause ends, cycles, updates, paused now) by kind lookups; None: a bad event."""
    pa: list[int] = []
    pb: list[int] = []
    cycles = [[opened, -1]]
    updates: list[int] = []
    since = -1
    done = False
    cache = policy._events
    for at, event in timed:
        kind = cache.get(event)
        if kind is None:
            kind = _kind(cache, policy.pause_statuses, event)
            if kind is None:
                return None
        if kind == _UPDATE:
            updates.append(at)
            continue
        if kind & _PAUSE:
            since = at if since < 0 else since
        elif since >= 0:
            pa.append(since)
            pb.append(at)
            since = -1
        if kind & _RESOLVE:
            if not done:
                cycles[-1][1], done = at, True
        elif done:
            cycles.append([at, -1])
            done = False
    paused = since >= 0
    if paused:
        pa.append(since)
        pb.append(resolved if resolved is not None else NEVER)
    if cycles[-1][1] < 0 and resolved is not None:
        cycles[-1][1] = resolved
    return pa, pb, cycles, updates, paused and resolved is None


def statuses(
    policy: Policy, targets: tuple[Target | None, Target | None, Target | None], opened: int, responded: int | None,
    resolved: int | None, timed: list[tuple[int, str]], as_of: int,
) -> tuple[TargetStatus, ...] | None:  # fmt: skip
    """`status.target_statuses` of targets in open time over placed, sorted events; None: take that path."""
    replayed = replay(policy, timed, opened, resolved)
    if replayed is None:
        return None
    pa, pb, cycles, updates, paused_now = replayed
    response, res, upd = targets
    made: dict[str, tuple[Any, ...]] = {}
    out: list[TargetStatus] = []
    n = len(cycles)
    start, end = cycles[-1]
    stop = end if end >= 0 else None
    at_open: dict[str, int] = {}  # `_counted` at the opening, per calendar
    for kind, target in (("response", response), ("resolution", res)):
        if target is None:
            continue
        name = target.calendar
        lists = made.get(name)
        if lists is None:
            lists = made[name] = _lists(policy, name, opened, pa, pb)
            at_open[name] = _counted(lists, pa, pb, opened)
        if kind == "response":
            got = _judge(policy, kind, target, opened, responded, as_of, lists, pa, pb, paused_now, 1, 0, at_open[name])
        else:
            cs = at_open[name] if start == opened else _counted(lists, pa, pb, start)
            got = _judge(policy, kind, target, start, stop, as_of, lists, pa, pb, paused_now, n, 0, cs)
        if got is None:
            return None
        out.append(got)
    if upd is None:
        return tuple(out)
    arm = responded if n == 1 else start
    if arm is not None and (stop is None or arm < stop):
        lists = made.get(upd.calendar)
        if lists is None:
            lists = made[upd.calendar] = _lists(policy, upd.calendar, opened, pa, pb)
        chain = [u for u in updates if arm <= u and (stop is None or u < stop) and u <= as_of]
        if (chain[-1] if chain else arm) > lists[4]:
            return None
        # Each interval of clock time without an update: one missed (a gap that used L: ceil(L / D) − 1).
        every = max(upd.within_us, 1)
        missed = 0
        start_l, end_l, before_l, cum = lists[0], lists[1], lists[2], lists[7]
        oa = lists[5]
        prev = _counted(lists, pa, pb, arm)
        for u in chain:
            k = bisect_right(pa, u) if pa else 0
            if k and u < pb[k - 1]:
                now = oa[k - 1] - cum[k - 1]
            else:
                j = bisect_right(start_l, u) - 1
                now = (0 if j < 0 else before_l[j] + min(u, end_l[j]) - start_l[j]) - cum[k]
            if now > prev:
                missed += (now - prev - 1) // every
            prev = now
        last = chain[-1] if chain else arm
        got = _judge(policy, "update", upd, last, stop, as_of, lists, pa, pb, paused_now, n, missed, prev)
        if got is None:
            return None
        out.append(got)
    return tuple(out)
