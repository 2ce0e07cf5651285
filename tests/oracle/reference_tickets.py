"""A slow, scalar reference for ticket clocks (issue 12): one ticket at a time, day by day, pause by pause.

It reads the policy dict and plain Python lists, shares no code with the runtime (its calendar
days come from the v1 oracle's `RefCalendar`), and decides every target straight from the
definition: the clock time (open, not paused) from the clock's start to the stop is at most D.
No deadlines are searched for the decisions, no decision instants, no arrays.

Rules (as the README states them): a status event sets the status; a pausing status pauses every
clock until the next status event of a non-pausing status (or the resolution); `resolved` resolves,
a later other status reopens and starts a new cycle; `resolved_at` is the final resolution. Update
gaps run from the first response (cycle 1) or the reopening (later cycles) through every public
update to the cycle's resolution; a cycle not resolved is measured up to `as_of`. In business days
an update gap's due times are found one after the other (`business_due`), each N business days
after the previous one, from a point moved later by the open time of the pauses that begin before it.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .reference import RefCalendar

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INF = 2**62


def _dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _seconds_us(value: int | float) -> int:
    return round(Decimal(repr(value)) * 1_000_000)


class ClockCal:
    """A calendar's open intervals, walked day by day, with a ticket's pauses cut out."""

    def __init__(self, raw: dict[str, Any], years: list[int] | None):
        self.ref = RefCalendar(raw, years)
        self.zone = zoneinfo.ZoneInfo(raw["timezone"] or "UTC")

    def _days_from(self, t: int) -> Any:
        day = _dt(t).astimezone(self.zone).date() - timedelta(days=1)
        while True:
            yield day, self.ref.intervals(day)
            day += timedelta(days=1)

    def pieces(self, s: int, pauses: list[tuple[int, int]], until: int) -> Any:
        """Clock-running pieces [a, b) from `s` on, in order (open and not paused), up to `until`."""
        for _, intervals in self._days_from(s):
            for a, b in intervals:
                if a >= until:
                    return
                a = max(a, s)
                if b <= a:
                    continue
                for pa, pb in sorted(pauses):
                    if pb <= a or pa >= b:
                        continue
                    if pa > a:
                        yield a, pa
                    a = max(a, pb)
                    if a >= b:
                        break
                if a < b:
                    yield a, b

    def counted(self, s: int, t: int, pauses: list[tuple[int, int]]) -> int:
        """Clock time in [s, t)."""
        total = 0
        for a, b in self.pieces(s, pauses, t):
            if a >= t:
                break
            total += min(b, t) - a
        return total

    def deadline(self, s: int, d: int, pauses: list[tuple[int, int]], give_up: int) -> int | None:
        """The first instant the clock shows `d` (None: not before `give_up`, e.g. paused for good)."""
        remaining = d
        for a, b in self.pieces(s, pauses, give_up):
            if remaining <= b - a:
                return a + remaining
            remaining -= b - a
        return None

    def business(self, s: int, days: int) -> int:
        """Open time from the clock start to the same local clock time on the `days`-th following open day."""
        start, end = self.business_span(s, days)
        return self.counted(start, end, [])

    def business_span(self, s: int, days: int) -> tuple[int, int]:
        """(the clock start or the next opening, the same local clock time on the `days`-th following open day)."""
        start = None
        for _, intervals in self._days_from(s):
            for a, b in intervals:
                if b > s:
                    start = max(a, s)
                    break
            if start is not None:
                break
        assert start is not None
        local = _dt(start).astimezone(self.zone)
        day, n = local.date(), 0
        while n < days:
            day += timedelta(days=1)
            if self.ref.intervals(day):
                n += 1
        wall = datetime.combine(day, local.time().replace(tzinfo=None))
        return start, max(_wall(wall, self.zone), start)


def _wall(local: datetime, zone: zoneinfo.ZoneInfo) -> int:
    """The first instant whose wall clock in `zone` shows `local` or later (first occurrence; gap: the transition)."""
    first = local.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local:
        return _us(first)
    lo, hi = _us(first) - 4 * 3_600_000_000, _us(first) + 4 * 3_600_000_000
    while hi - lo > 1:  # bisect on µs for the first instant whose wall clock is at or past `local`
        mid = (lo + hi) // 2
        if _dt(mid).astimezone(zone).replace(tzinfo=None) >= local:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass
class RefTicket:
    response: str | None  # met | breached | open | None (not measured)
    missed_resolutions: int = 0
    missed_updates: int = 0
    resolution_deadlines: list[int | None] = field(default_factory=list)  # of the missed cycles


def _effective(policy: dict[str, Any], priority: str, outage: bool) -> str | None:
    prios = {p["id"]: p for p in policy["priorities"]}
    current: str | None = priority
    for _ in range(len(prios) + 1):
        if current is None or not prios[current]["requires_outage"] or outage:
            return current
        current = prios[current]["downgrade"]
    return None


def ticket_histories(events: Any) -> dict[int, list[tuple[int, str, str | None]]]:
    """Each ticket's (row index) events of `events.ticket_events` as `reference_ticket` takes them:
    (at, "update" or "status", the status name; None for an update), in the file's order."""
    from slac.runtime.events import UPDATE

    out: dict[int, list[tuple[int, str, str | None]]] = {}
    ev = events.ticket_events
    if ev is None:
        return out
    for j in range(len(ev.at)):
        if int(ev.kind[j]) == UPDATE:
            kind, status = "update", None
        else:
            kind = "status"
            status = ev.status[j] if ev.status is not None else ev.status_names[int(ev.status_code[j])]
        out.setdefault(int(ev.ticket[j]), []).append((int(ev.at[j]), kind, status))
    return out


def history(
    events: list[tuple[int, str, str | None]], opened: int, resolved: int | None, pausing: set[str]
) -> tuple[list[tuple[int, int]], list[list[int | None]], list[int]]:
    """(pauses, cycles [start, end or None], updates) from the events in time order."""
    pauses: list[tuple[int, int]] = []
    cycles: list[list[int | None]] = [[opened, None]]
    updates: list[int] = []
    paused_since: int | None = None
    is_resolved = False
    for at, kind, status in sorted(events, key=lambda e: e[0]):
        if kind == "update":
            updates.append(at)
            continue
        if status in pausing:
            if paused_since is None:
                paused_since = at
        elif paused_since is not None:
            pauses.append((paused_since, at))
            paused_since = None
        if status == "resolved" and not is_resolved:
            cycles[-1][1] = at
            is_resolved = True
        elif status != "resolved" and is_resolved:
            cycles.append([at, None])
            is_resolved = False
    if paused_since is not None:
        pauses.append((paused_since, resolved if resolved is not None else INF))
    if cycles[-1][1] is None and resolved is not None:
        cycles[-1][1] = resolved
    return pauses, cycles, updates


def _target(tier: dict[str, Any], key: str, prio: str | None) -> dict[str, Any] | None:
    return next((r for r in tier.get(key, []) if r["priority"] == prio), None)


def _d(cal: ClockCal, target: dict[str, Any], s: int, seconds_key: str) -> int:
    if "business_days" in target:
        return cal.business(s, target["business_days"])
    return _seconds_us(target[seconds_key])


def reference_ticket(
    policy: dict[str, Any],
    cals: dict[str, ClockCal],
    tier_id: str,
    priority: str,
    outage: bool,
    opened: int,
    responded: int | None,
    resolved: int | None,
    events: list[tuple[int, str, str | None]],
    as_of: int,
) -> RefTicket:
    """Response state, missed resolutions (with their deadlines) and missed updates of one ticket."""
    tier = next(t for t in policy["tiers"] if t["id"] == tier_id)
    pausing = set((policy.get("ticket_clock") or {}).get("pause") or [])
    pauses, cycles, updates = history(events, opened, resolved, pausing)
    eff = _effective(policy, priority, outage)
    out = RefTicket(None)
    resp = _target(tier, "responses", eff)
    if resp is not None:
        cal = cals[resp["calendar"]]
        d = _d(cal, resp, opened, "within_seconds")
        if responded is not None:
            out.response = "met" if cal.counted(opened, responded, pauses) <= d else "breached"
        else:
            out.response = "breached" if cal.counted(opened, as_of, pauses) > d else "open"
    res = _target(tier, "resolutions", eff)
    if res is not None:
        cal = cals[res["calendar"]]
        for start, end in cycles:
            assert start is not None
            d = _d(cal, res, start, "within_seconds")
            if cal.counted(start, end if end is not None else as_of, pauses) > d:
                out.missed_resolutions += 1
                out.resolution_deadlines.append(cal.deadline(start, d, pauses, start + 120 * 86_400_000_000))
    upd = _target(tier, "updates", eff)
    if upd is not None:
        cal = cals[upd["calendar"]]
        for j, (start, end) in enumerate(cycles):
            arm = responded if j == 0 else start
            if arm is None or (end is not None and arm >= end):
                continue
            chain = [arm] + sorted(u for u in updates if arm <= u and (end is None or u < end))
            stops = chain[1:] + [end if end is not None else as_of]
            for a, b in zip(chain, stops, strict=True):
                if "business_days" in upd:
                    out.missed_updates += _business_misses(cal, upd["business_days"], a, b, pauses)
                    continue
                used, every = cal.counted(a, b, pauses), _seconds_us(upd["every_seconds"])
                # The update deadlines at every, 2·every, … strictly inside the gap's clock time.
                k = 1
                while k * every < used:
                    out.missed_updates += 1
                    k += 1
    return out


def _business_misses(cal: ClockCal, days: int, a: int, b: int, pauses: list[tuple[int, int]]) -> int:
    """Due times of a gap [a, b) in business days, one after the other; each the clock runs past before b misses."""
    missed, due = 0, business_due(cal, days, a, pauses)
    while due is not None and due < b and cal.counted(due, b, pauses) > 0:
        missed += 1
        due = business_due(cal, days, due, pauses)
    return missed


def business_due(cal: ClockCal, days: int, x: int, pauses: list[tuple[int, int]]) -> int | None:
    """`days` business days after x, counted from x moved later by the open time of every pause that
    begins before the due time (the part after x); None when such a pause never ends."""
    due = cal.business_span(x, days)[1]
    while True:
        moved_by = 0
        for pa, pb in pauses:
            if pa < due and pb > x:
                if pb >= INF:
                    return None
                moved_by += cal.counted(max(pa, x), pb, [])
        found = cal.deadline(x, moved_by, [], x + 400 * 86_400_000_000)
        assert found is not None
        later = cal.business_span(found, days)[1]
        if later == due:
            return due
        assert later > due
        due = later


def calendars(policy: dict[str, Any]) -> dict[str, ClockCal]:
    years = policy["materialised"]["years"]
    return {c["id"]: ClockCal(c, years) for c in policy["calendars"]}


def local_day(cal: ClockCal, us: int) -> date:
    return _dt(us).astimezone(cal.zone).date()
