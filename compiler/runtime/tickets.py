"""Ticket histories (pauses, public updates, resolution cycles) and the resolution and update targets.

Rules (SPEC *Ticket clocks*; the README says the same):

* A status event sets the ticket's status. While it is one of the policy's pausing statuses
  (`ticket clock { pause when status … }`) no clock of the ticket runs; the pause ends at the next
  status event of another status, else at the resolution.
* The status `resolved` resolves the ticket; a later status event of any other status *reopens*
  it. Cycle 1 runs from the opening to the first resolution, each reopening starts the next cycle,
  which runs to the next resolution. `resolved_at` is the final resolution (the last cycle's, when
  the events do not resolve it). A cycle that is not resolved runs to `as_of`.
* Resolution target: one per cycle, from the cycle's start; each cycle past its target is one
  missed resolution. All cycles of a ticket count in the period the ticket was opened in (the
  period the ticket belongs to), whenever they were reopened.
* Update target: in cycle 1 from the first response, in a reopened cycle from the reopening,
  the gaps to the next public update and from the last update to the cycle's resolution are
  measured in clock time; each D of it that passes without an update is one missed update (a gap
  that used L misses ceil(L / D) − 1: a gap longer than D at least one, so an extra update never
  adds a missed update). In business days the due times step (`clocks.Clock.business_steps`): each
  N business days after the previous one, moved by the open time of a pause that begins before it;
  each one after which the clock runs before the gap ends is missed. A gap that ends in a pause stops counting
  at the pause: a pause is not a gap, so the provider owes no update while the ticket waits on the
  customer, and the gap goes on after the pause. A cycle not yet resolved: its open gap counts as
  missed once it has used more than D by `as_of`. Updates before the first response, between a
  resolution and a reopening, or at the very instant the gap starts are not gaps.
* Every target uses the effective priority (the downgrade rule) and the pauses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .clocks import NEVER, Pauses, business_steps_grown, clock_times_grown, deadlines_grown, elapsed_grown
from .events import MISSING, STATUS, UPDATE, TicketEvents, Tickets
from .policy import Policy, Target
from .ticket_gaps import Gaps, gaps

I64 = npt.NDArray[np.int64]
RESOLVED = "resolved"  # the status that resolves a ticket


@dataclass(frozen=True)
class History:
    """Per ticket of a Tickets table: pauses, updates (CSR) and resolution cycles (CSR)."""

    pauses: Pauses
    upd_ptr: I64
    upd_at: I64
    cyc_ptr: I64
    cyc_start: I64
    cyc_end: I64  # MISSING: the cycle is not resolved
    upd_t: I64  # the ticket of each update (rows of the tickets table), for upd_at
    upd_cycle: I64  # the cycle (index into cyc_start) of each update: its ticket's last one started at or before it

    @property
    def any_pause(self) -> bool:
        return len(self.pauses.a) > 0


def _ptr(owner: I64, n: int) -> I64:
    """CSR offsets of a sorted owner column: rows of owner i are ptr[i]:ptr[i + 1]."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=ptr[1:])
    return ptr


def history(tickets: Tickets, events: TicketEvents | None, pausing: frozenset[str]) -> History:
    """Each ticket's history from its events (sorted by ticket, time, row) and `resolved_at`."""
    n = len(tickets.id)
    resolved = tickets.resolved if tickets.resolved is not None else np.full(n, MISSING, dtype=np.int64)
    if events is None or len(events.ticket) == 0:
        ptr = np.arange(n + 1, dtype=np.int64)
        none = np.zeros(0, np.int64)
        return History(
            Pauses.none(n), np.zeros(n + 1, np.int64), none, ptr, tickets.opened.copy(), resolved, none, none
        )
    upd = np.flatnonzero(events.kind == UPDATE)
    st = np.flatnonzero(events.kind == STATUS)
    st_t, st_at = events.ticket[st], events.at[st]
    is_pause, is_res = _pause_and_resolved(events, st, pausing)
    same = np.zeros(len(st), dtype=bool)
    same[1:] = st_t[1:] == st_t[:-1]
    prev_pause = np.zeros(len(st), dtype=bool)
    prev_pause[1:] = is_pause[:-1]
    prev_pause &= same
    prev_res = np.zeros(len(st), dtype=bool)
    prev_res[1:] = is_res[:-1]
    prev_res &= same
    # Pauses: from a pausing status to the next status event of another status of the ticket.
    begin = np.flatnonzero(is_pause & ~prev_pause)
    m = len(st)
    # The next status event of another status at or after each one (m: none): a reversed running minimum.
    at = np.arange(m, dtype=np.int64)
    nxt = np.minimum.accumulate(np.where(is_pause, m, at)[::-1])[::-1]
    stop = nxt[begin]
    stop_c = np.minimum(stop, m - 1)
    p_t = st_t[begin]
    has_end = (stop < m) & (st_t[stop_c] == p_t)
    p_a = st_at[begin]
    final = resolved[p_t]
    p_b = np.where(has_end, st_at[stop_c], np.where(final != MISSING, final, NEVER))
    p_b = np.maximum(p_b, p_a)
    pauses = Pauses(_ptr(p_t, n), p_a, p_b)
    # Cycles: the opening and each reopening start one; resolutions end them in order.
    reopen = np.flatnonzero(~is_res & prev_res)
    first_res = np.flatnonzero(is_res & ~prev_res)
    # The opening, then the reopenings (already in (ticket, time) order) of each ticket: placed, not sorted.
    o_t, o_at = st_t[reopen], st_at[reopen]
    per_ticket = np.bincount(o_t, minlength=n) + 1
    cyc_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_ticket, out=cyc_ptr[1:])
    c_start = np.empty(int(cyc_ptr[-1]), dtype=np.int64)
    c_start[cyc_ptr[:-1]] = tickets.opened
    # A reopening's cycle: its ticket's first cycle + its rank among the ticket's reopenings + 1, that is
    # its own rank among all reopenings + the ticket's number (one opening before each ticket's).
    c_start[np.arange(len(o_t), dtype=np.int64) + o_t + 1] = o_at
    # The resolutions end the cycles in order: a ticket's r-th resolution ends its r-th cycle (a ticket has
    # as many resolutions as reopenings, or one more).
    r_t, r_at = st_t[first_res], st_at[first_res]
    c_end = np.full(len(c_start), MISSING, dtype=np.int64)
    c_end[cyc_ptr[r_t] + np.arange(len(r_t), dtype=np.int64) - _ptr(r_t, n)[r_t]] = r_at
    # A last cycle that no status event resolves ends at `resolved_at` (MISSING: not resolved).
    last = cyc_ptr[1:] - 1
    c_end[last] = np.where(c_end[last] == MISSING, resolved, c_end[last])
    u_t, u_at = events.ticket[upd], events.at[upd]
    u_cyc = _update_cycles(len(events.ticket), st[reopen], o_t, o_at, upd, u_t, u_at)
    return History(pauses, _ptr(u_t, n), u_at, cyc_ptr, c_start, c_end, u_t, u_cyc)


def _update_cycles(events: int, reopen: I64, o_t: I64, o_at: I64, upd: I64, u_t: I64, u_at: I64) -> I64:
    """The cycle of each update (events `upd` of tickets u_t at u_at): its ticket's opening plus the
    reopenings (events `reopen` of tickets o_t at o_at) at or before it.

    The events are in (ticket, time, row) order: the reopenings before an update in that order
    are a running count, and the ticket's cycle 0 is at index ticket + (reopenings of the tickets
    before it). A reopening at the update's very instant but on a later row also started before
    it: those few are added one by one.
    """
    flags = np.zeros(events, dtype=np.int32)
    flags[reopen] = 1
    before = np.cumsum(flags, dtype=np.int64)[upd]  # reopenings earlier in the stream (an update is none)
    cyc = u_t + before
    tie = np.flatnonzero(before < len(o_t))
    while len(tie):
        r = before[tie]
        same = (o_t[r] == u_t[tie]) & (o_at[r] <= u_at[tie])
        tie = tie[same]
        cyc[tie] += 1
        before[tie] += 1
        tie = tie[before[tie] < len(o_t)]
    return cyc


def _pause_and_resolved(
    events: TicketEvents, st: I64, pausing: frozenset[str]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Whether each status event `st` sets a pausing status, and whether it resolves the ticket."""
    if events.status_code is not None:  # codes from the reader: table lookups, no string compares
        names = events.status_names
        code = events.status_code[st]
        pause_table = np.array([n in pausing for n in names] + [False], dtype=bool)  # [-1]: an update
        res_table = np.array([n == RESOLVED for n in names] + [False], dtype=bool)
        return pause_table[code], res_table[code]
    names_obj = events.status[st]
    is_pause = np.isin(names_obj, np.array(sorted(pausing), dtype=object)) if pausing else np.zeros(len(st), bool)
    return is_pause, names_obj == RESOLVED


@dataclass(frozen=True)
class ClockResults:
    """Missed resolutions and updates of the measured tickets (positions into `TicketResults.index`)."""

    missed_resolutions: I64  # per position: cycles past the resolution target
    missed_updates: I64  # per position: gaps longer than the update interval
    res_pos: I64  # one row per missed resolution: position, cycle (0-based), start, deadline, resolution or MISSING
    res_cycle: I64
    res_start: I64
    res_deadline: I64
    res_end: I64
    res_line: I64
    upd_line: I64  # per position: contract line of the update target (0 when none)
    risk: tuple[I64, I64, I64, I64, I64] | None = None  # at-risk clocks: position, target (0 response,
    # 1 resolution, 2 update), deadline, clock time used, clock time allowed (only with `warn at`)


def _table(policy: Policy, targets: dict[tuple[str, str], Target]) -> tuple[I64, I64, I64, I64]:
    """(within µs, business days, calendar index or -1, line) indexed by (tier, priority)."""
    tiers, prios, cals = list(policy.tiers), list(policy.priorities), list(policy.calendars)
    shape = (len(tiers), len(prios))
    within, days = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    cal, line = np.full(shape, -1, np.int64), np.zeros(shape, np.int64)
    for (tier, prio), t in targets.items():
        i, j = tiers.index(tier), prios.index(prio)
        within[i, j], days[i, j], cal[i, j], line[i, j] = t.within_us, t.business_days, cals.index(t.calendar), t.line
    return within, days, cal, line


def _flat(policy: Policy, targets: dict[tuple[str, str], Target]) -> tuple[I64, I64, I64, I64]:
    """`_table` flattened to one axis `_keys` index, with a last slot for unmeasured tickets (no target)."""
    return tuple(  # type: ignore[return-value]
        np.append(t.ravel(), fill) for t, fill in zip(_table(policy, targets), (0, 0, -1, 0), strict=True)
    )


def _keys(policy: Policy, tier: I64, effective: I64) -> I64:
    """Each ticket's index into `_flat` tables: tier × priorities + effective priority; unmeasured: the last slot."""
    width = len(policy.priorities)
    return np.where(effective >= 0, tier * width + effective, len(policy.tiers) * width)


def decide(
    policy: Policy, cal: I64, start: I64, within: I64, days: I64, hist: History, ticket: I64, hi: int
) -> tuple[I64, I64, I64]:
    """(deadline, decision instant, open-time target) of clocks, per calendar (vectorised)."""
    due = np.full(len(start), MISSING, dtype=np.int64)
    decided = np.full(len(start), MISSING, dtype=np.int64)
    target = within.copy()
    for name, idx in _by_calendar(policy, cal):
        if idx is None:  # every clock on this calendar: no gathers
            return deadlines_grown(policy.calendars[name], start, within, days, hist.pauses, ticket, hi)
        d, x, t = deadlines_grown(
            policy.calendars[name], start[idx], within[idx], days[idx], hist.pauses, ticket[idx], hi
        )
        due[idx], decided[idx], target[idx] = d, x, t
    return due, decided, target


def _by_calendar(policy: Policy, cal: I64) -> list[tuple[str, I64 | None]]:
    """(calendar name, positions of the clocks on it) of each calendar used (-1: none); None: all of them."""
    out: list[tuple[str, I64 | None]] = []
    if len(cal) == 0:
        return out
    used = np.bincount(cal + 1, minlength=len(policy.calendars) + 1)[1:]  # -1 (none) counted in slot 0
    for c, name in enumerate(policy.calendars):
        if used[c] == len(cal):
            return [(name, None)]
        if used[c]:
            out.append((name, np.flatnonzero(cal == c)))
    return out


def uses_clocks(policy: Policy) -> bool:
    """Whether a policy has a term of issue 12 (resolution, update, business-day or pausing targets)."""
    bd = any(t.business_days for t in policy.targets.values())
    return bool(policy.resolutions or policy.updates or policy.pause_statuses or bd)


def needs_response_clocks(policy: Policy, hist: History) -> bool:
    return hist.any_pause or any(t.business_days for t in policy.targets.values())


def response_clocks(
    policy: Policy, hist: History, ticket: I64, tier: I64, effective: I64, opened: I64, as_of: int
) -> tuple[I64, I64, I64]:
    """(deadline, decision instant, clock time allowed) of the response target with pauses and business days."""
    within, days, cal, _ = _flat(policy, policy.targets)
    key = _keys(policy, tier, effective)
    return decide(policy, cal[key], opened, within[key], days[key], hist, ticket, as_of)


def measure(
    policy: Policy, hist: History, ticket: I64, tier: I64, effective: I64, responded: I64, as_of: int,
    response: tuple[I64, I64, I64, I64] | None = None,
) -> ClockResults:  # fmt: skip
    """Resolution and update targets of the tickets `ticket` (indexes into the tickets table).

    `response` (calendar index, opening, deadline, clock time allowed of the unanswered response
    clocks, −1 calendar when none) adds them to the at-risk clocks.
    """
    n = len(ticket)
    key = _keys(policy, tier, effective)
    # ---- resolution: one clock per cycle ----
    within, days, cal, line = _flat(policy, policy.resolutions)
    first, count = hist.cyc_ptr[ticket], hist.cyc_ptr[ticket + 1] - hist.cyc_ptr[ticket]
    if int(count.sum()) == n:  # no reopened ticket (every count is at least 1): one cycle each
        pos, cyc = np.arange(n, dtype=np.int64), first
    else:
        pos = np.repeat(np.arange(n, dtype=np.int64), count)
        cyc = np.arange(len(pos), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count) + first[pos]
    kp = key[pos]
    c = cal[kp]
    start, end = hist.cyc_start[cyc], hist.cyc_end[cyc]
    # The usual case measures every ticket of the table in order: positions are then the tickets.
    whole = len(ticket) == len(hist.cyc_ptr) - 1 and bool((ticket == np.arange(len(ticket))).all())
    due, decided, allowed = decide(policy, c, start, within[kp], days[kp], hist, pos if whole else ticket[pos], as_of)
    stop = np.where(end != MISSING, end, as_of)
    missed = (c >= 0) & (stop > decided)
    missed_res = np.bincount(pos[missed], minlength=n).astype(np.int64)
    cyc_rank = cyc - first[pos]
    r_line = line[kp]
    # ---- updates: gaps in each cycle from its arming instant ----
    uc, u_line, missed_upd, gap_risk = _updates(policy, hist, ticket, responded, key, pos, cyc, cyc_rank, as_of, whole)
    risk = None
    if policy.warn_ratio is not None:
        last = (cyc_rank == count[pos] - 1) & (end == MISSING) & (c >= 0) & (start <= as_of)
        res_used = _used(policy, c[last], start[last], as_of, hist, ticket[pos[last]])
        parts = [(pos[last], 1, due[last], res_used, allowed[last])]
        if response is not None:
            r_cal, r_open, r_due, r_allowed = response
            live = np.flatnonzero((r_cal >= 0) & (responded == MISSING) & (r_open <= as_of))
            r_used = _used(policy, r_cal[live], r_open[live], as_of, hist, ticket[live])
            parts.append((live, 0, r_due[live], r_used, r_allowed[live]))
        if (uc >= 0).any():
            parts.append((gap_risk[0], 2, gap_risk[1], gap_risk[2], gap_risk[3]))
        risk = _at_risk(policy, hist, ticket, parts, as_of)
    return ClockResults(
        missed_res,
        missed_upd,
        pos[missed],
        cyc_rank[missed],
        start[missed],
        due[missed],
        end[missed],
        r_line[missed],
        u_line,
        risk,
    )


def _used(policy: Policy, cal: I64, start: I64, as_of: int, hist: History, ticket: I64) -> I64:
    """Clock time each clock has used by `as_of`."""
    return _elapsed(policy, cal, start, np.full(len(start), as_of, dtype=np.int64), hist, ticket)


def _elapsed(policy: Policy, cal: I64, start: I64, stop: I64, hist: History, ticket: I64) -> I64:
    """Clock time from each start to its stop on its calendar (0 without one)."""
    used = np.zeros(len(start), dtype=np.int64)
    for name, idx in _by_calendar(policy, cal):
        if idx is None:
            return elapsed_grown(policy.calendars[name], start, stop, hist.pauses, ticket)
        used[idx] = elapsed_grown(policy.calendars[name], start[idx], stop[idx], hist.pauses, ticket[idx])
    return used


def _updates(
    policy: Policy, hist: History, ticket: I64, responded: I64, key: I64, pos: I64, cyc: I64, cyc_rank: I64,
    as_of: int, whole: bool = False,
) -> tuple[I64, I64, I64, tuple[I64, I64, I64, I64]]:  # fmt: skip
    """(calendar index, contract line, missed updates per position, the open gaps for at-risk) of the update targets."""
    n = len(ticket)
    empty = np.zeros(0, dtype=np.int64)
    gap_risk = (empty, empty, empty, empty)
    u_within, u_days, u_cal, u_line = _flat(policy, policy.updates)
    uc = u_cal[key]
    missed_upd = np.zeros(n, dtype=np.int64)
    if (uc >= 0).any():
        g = gaps(hist, responded, pos, cyc, cyc_rank, uc, as_of)
        # Per row (armed cycle) its last gap, which stops at its stop; per update the gap that ends at it.
        kr = key[g.pos]
        every = u_within[kr]
        c_arm, c_upd, c_stop = _gap_times(policy, uc, g, hist, None if whole else ticket)
        used_u = np.maximum(c_upd - g.before_updates(c_arm, c_upd), 0)
        used = np.maximum(c_stop - g.before_stops(c_arm, c_upd), 0)
        late_u, late = _late(used_u, every[g.u_row]), _late(used, every)
        # A closed gap of a duration target is decided by its clock time alone; deadlines only for the
        # open ones (at risk). Business days step their due times (a business day's open time depends
        # on where it starts), with the first due time and its clock time for the open ones.
        g_due = np.full(len(g.pos), MISSING, dtype=np.int64)
        bd = u_days[kr] > 0
        last_at = g.before_stops(g.arm, g.u_at)
        need = np.flatnonzero(~bd & g.open)
        kn, sub = kr[need], g.pos[need]
        g_due[need], _, every[need] = decide(
            policy, uc[sub], last_at[need], u_within[kn], u_days[kn], hist, ticket[sub], as_of
        )
        if bd.any():
            b, bu = np.flatnonzero(bd), np.flatnonzero(bd[g.u_row])
            late_b, due_b, every_b = _business_gaps(
                policy, hist, np.concatenate((g.pos[g.u_row[bu]], g.pos[b])), ticket, uc, u_days[key],
                np.concatenate((g.before_updates(g.arm, g.u_at)[bu], last_at[b])),
                np.concatenate((g.u_at[bu], g.stop[b])),
            )  # fmt: skip
            late_u[bu], late[b], g_due[b], every[b] = (
                late_b[: len(bu)],
                late_b[len(bu) :],
                due_b[len(bu) :],
                every_b[len(bu) :],
            )
        missed_upd = _sums(g.pos, late, n) + _sums(g.pos[g.u_row], late_u, n)
        o = np.flatnonzero(g.open)
        gap_risk = (g.pos[o], g_due[o], used[o], every[o])
    return uc, u_line[key], missed_upd, gap_risk


def _late(used: I64, every: I64) -> I64:
    """Each interval of clock time that passes without an update is one missed update: a gap that used L
    misses ceil(L / D) − 1 (a gap longer than D at least one)."""
    return np.where(used > 0, (used - 1) // np.maximum(every, 1), 0)


def _gap_times(policy: Policy, uc: I64, g: Gaps, hist: History, ticket: I64 | None) -> tuple[I64, I64, I64]:
    """Clock times at the rows' arming instants, at the updates and at the rows' stops (each instant's computed
    once), on the clock `elapsed_grown` would use for the gaps of each calendar (ticket None: the positions
    are the tickets)."""
    rows = (g.arm, g.stop)
    out = [np.zeros(len(g.pos), dtype=np.int64), np.zeros(len(g.u_at), dtype=np.int64)]
    out.append(np.zeros(len(g.pos), dtype=np.int64))
    for name, r in _by_calendar(policy, uc[g.pos]):  # no armed cycle: no calendar, no clock time
        u = None
        if r is not None:  # the updates of these rows
            mine = np.zeros(len(g.pos), dtype=bool)
            mine[r] = True
            u = np.flatnonzero(mine[g.u_row])
        arm, stop = (x if r is None else x[r] for x in rows)
        at = g.u_at if u is None else g.u_at[u]
        # As `elapsed_grown` over these gaps: from the earliest start (no cycle's stop) to the latest stop.
        lo = min(int(arm.min()), int(at.min()) if len(at) else int(arm.min()))
        hi = max(int(stop.max()), int(at.max()) if len(at) else int(stop.max()))
        t_row = g.pos if r is None else g.pos[r]
        t_upd = t_row[g.u_row] if u is None else g.pos[g.u_row[u]]
        if ticket is not None:
            t_row, t_upd = ticket[t_row], ticket[t_upd]
        got = [
            clock_times_grown(policy.calendars[name], x, lo, hi, hist.pauses, t)
            for x, t in ((arm, t_row), (at, t_upd), (stop, t_row))
        ]
        if r is None:
            return got[0], got[1], got[2]
        for o, x, ix in zip(out, got, (r, u, r), strict=True):
            o[ix] = x
    return out[0], out[1], out[2]


def _sums(owner: I64, values: I64, n: int) -> I64:
    """Per owner 0..n−1, the sum of its `values`, in int64 (`np.bincount` would sum float weights)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, owner, values)
    return out


def _business_gaps(
    policy: Policy, hist: History, g_pos: I64, ticket: I64, uc: I64, days: I64, start: I64, stop: I64
) -> tuple[I64, I64, I64]:
    """(missed, first due time, its clock time) of update gaps in business days (`business_steps`), of
    positions `g_pos` (calendar `uc`, business days `days` per position)."""
    cal = uc[g_pos]
    t = ticket[g_pos]
    d = days[g_pos]
    out = tuple(np.zeros(len(start), dtype=np.int64) for _ in range(3))
    for name, idx in _by_calendar(policy, cal):
        c = policy.calendars[name]
        if idx is None:
            return business_steps_grown(c, start, d, stop, hist.pauses, t)
        got = business_steps_grown(c, start[idx], d[idx], stop[idx], hist.pauses, t[idx])
        for o, x in zip(out, got, strict=True):
            o[idx] = x
    return out  # type: ignore[return-value]


def paused_at(hist: History, ticket: I64, t: int) -> npt.NDArray[np.bool_]:
    """Whether each ticket is in a pausing status at `t`."""
    first = hist.pauses.ptr[ticket]
    count = hist.pauses.ptr[ticket + 1] - first
    out = np.zeros(len(ticket), dtype=bool)
    idx = np.flatnonzero(count > 0)  # each slot's tickets are among the previous slot's
    for k in range(int(count.max()) if len(count) else 0):
        idx = idx[count[idx] > k]
        a, b = hist.pauses.a[first[idx] + k], hist.pauses.b[first[idx] + k]
        out[idx] |= (a <= t) & (t < b)
    return out


def _at_risk(
    policy: Policy, hist: History, ticket: I64, parts: list[tuple[I64, int, I64, I64, I64]], as_of: int
) -> tuple[I64, I64, I64, I64, I64]:
    """The running clocks that have used at least `warn at` of their time and not all of it, not paused."""
    assert policy.warn_ratio is not None
    num, den = policy.warn_ratio
    pos = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int64) for p in parts])
    due, used, allowed = (np.concatenate([p[i] for p in parts]) for i in (2, 3, 4))
    hit = (used * den >= num * allowed) & (used <= allowed) & ~paused_at(hist, ticket[pos], as_of)
    return pos[hit], kind[hit], due[hit], used[hit], allowed[hit]
