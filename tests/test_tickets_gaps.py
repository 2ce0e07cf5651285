"""The vectorised ticket histories and update gaps (runtime/tickets.py, runtime/ticket_gaps.py) equal a
plain loop over each ticket's events written from the rules in tickets.py's docstring: pauses,
cycles, each update's cycle, the gaps [arm, u1), …, [uk, stop) of every cycle, and each gap's
clock time. The random histories put events on quarter hours, so updates, reopenings,
resolutions and calendar boundaries fall on the same instants (ties broken by row)."""

from __future__ import annotations

import numpy as np
import pytest

from slac.runtime import Policy
from slac.runtime.clocks import NEVER, clock_for
from slac.runtime.evaluate import Period
from slac.runtime.events import MISSING, UPDATE
from slac.runtime.ticket_gaps import gaps
from slac.runtime.tickets import RESOLVED, history

from .tickets_random import random_clock_events, zones_clock_policy


def _listing(g):  # type: ignore[no-untyped-def]
    """Every gap of `Gaps` in cycle-major order as (position, start, stop, open), by a loop over its rows:
    per row the gaps ending at its updates, then the one ending at its stop."""
    starts, last = g.before_updates(g.arm, g.u_at).tolist(), g.before_stops(g.arm, g.u_at).tolist()
    rows, ats = g.u_row.tolist(), g.u_at.tolist()
    out, i = [], 0
    for r, (p, stop, is_open) in enumerate(zip(g.pos.tolist(), g.stop.tolist(), g.open.tolist(), strict=True)):
        while i < len(rows) and rows[i] == r:
            out.append((p, starts[i], ats[i], False))
            i += 1
        out.append((p, last[r], stop, is_open))
    assert i == len(rows)  # every update in its row's run
    return out


def _loop_history(events, tickets, pausing):  # type: ignore[no-untyped-def]
    """Per ticket: (pauses, cycles [(start, end or MISSING)], updates [(at, cycle rank)]) by a loop."""
    ev = events
    per: dict[int, list[tuple[int, int, str | None]]] = {}
    for t, at, kind, status in zip(
        ev.ticket.tolist(), ev.at.tolist(), ev.kind.tolist(), ev.status.tolist(), strict=True
    ):
        per.setdefault(t, []).append((at, kind, status))
    out = []
    for t in range(len(tickets.id)):
        resolved = int(tickets.resolved[t])
        pauses: list[list[int]] = []
        cycles: list[list[int]] = [[int(tickets.opened[t]), MISSING]]
        updates: list[tuple[int, int]] = []
        status: str | None = None
        for at, kind, name in per.get(t, []):
            if kind == UPDATE:
                updates.append((at, 0))  # its cycle: below, once every reopening is known
                continue
            if status in pausing and name not in pausing:
                pauses[-1][1] = at
            if name in pausing and status not in pausing:
                pauses.append([at, NEVER])
            if name == RESOLVED and status != RESOLVED:
                cycles[-1][1] = at
            if status == RESOLVED and name != RESOLVED:
                cycles.append([at, MISSING])
            status = name
        if pauses and pauses[-1][1] == NEVER and resolved != MISSING:
            pauses[-1][1] = resolved
        if cycles[-1][1] == MISSING:
            cycles[-1][1] = resolved
        # An update at the instant of a later reopening (a later row) belongs to the reopened cycle.
        starts = [c[0] for c in cycles]
        updates = [(at, sum(1 for s in starts[1:] if s <= at)) for at, _ in updates]
        out.append(([(a, max(a, b)) for a, b in pauses], [tuple(c) for c in cycles], updates))
    return out


@pytest.mark.parametrize(("period", "seed"), [("2025-03", 21), ("2025-10", 22), ("2025-06", 23)])
def test_histories_and_gaps_equal_a_loop(period: str, seed: int) -> None:
    policy = Policy(zones_clock_policy())
    events = random_clock_events(policy, period, seed=seed, tickets=3000)
    t, ev = events.tickets, events.ticket_events
    hist = history(t, ev, policy.pause_statuses)
    loop = _loop_history(ev, t, policy.pause_statuses)
    ties = 0
    for k, (pauses, cycles, updates) in enumerate(loop):
        p0, p1 = int(hist.pauses.ptr[k]), int(hist.pauses.ptr[k + 1])
        assert list(zip(hist.pauses.a[p0:p1].tolist(), hist.pauses.b[p0:p1].tolist(), strict=True)) == pauses
        c0, c1 = int(hist.cyc_ptr[k]), int(hist.cyc_ptr[k + 1])
        assert list(zip(hist.cyc_start[c0:c1].tolist(), hist.cyc_end[c0:c1].tolist(), strict=True)) == cycles
        u0, u1 = int(hist.upd_ptr[k]), int(hist.upd_ptr[k + 1])
        assert hist.upd_at[u0:u1].tolist() == [at for at, _ in updates]
        assert (hist.upd_cycle[u0:u1] - c0).tolist() == [c for _, c in updates]
        ties += sum(1 for at, _ in updates if at in [c[0] for c in cycles[1:]])
    # The gaps of every cycle with an update target, from the loop's cycles and updates.
    per = Period.month(policy, period)
    as_of = per.end - 5 * 86_400_000_000
    n = len(t.id)
    count = np.diff(hist.cyc_ptr)
    pos = np.repeat(np.arange(n, dtype=np.int64), count)
    cyc = np.arange(len(pos), dtype=np.int64)
    rank = cyc - hist.cyc_ptr[pos]
    uc = np.where(np.arange(n) % 7 == 0, -1, np.arange(n) % 3)  # some tickets without an update target
    responded = t.responded
    g = gaps(hist, responded, pos, cyc, rank, uc, as_of)
    want = []
    for k, (_, cycles, updates) in enumerate(loop):
        if uc[k] < 0:
            continue
        for r, (start, end) in enumerate(cycles):
            arm = int(responded[k]) if r == 0 else start
            if arm == MISSING or (end != MISSING and arm >= end):
                continue
            inside = [at for at, c in updates if c == r and at >= arm and (end == MISSING or at < end)]
            bounds = [arm, *inside, as_of if end == MISSING else end]
            for i in range(len(bounds) - 1):
                want.append((k, bounds[i], bounds[i + 1], end == MISSING and i == len(bounds) - 2))
    got = _listing(g)
    assert got == want
    assert any(o for *_, o in got) and len(got) > len(loop)
    assert ties > 0  # updates at the instant of a reopening


def test_gap_clock_time_is_the_difference_of_point_clock_times() -> None:
    """Clock.clock_times at a gap's two instants gives the gap's clock time as Clock.elapsed measures it."""
    policy = Policy(zones_clock_policy())
    events = random_clock_events(policy, "2025-03", seed=31, tickets=4000)
    t = events.tickets
    hist = history(t, events.ticket_events, policy.pause_statuses)
    n = len(t.id)
    count = np.diff(hist.cyc_ptr)
    pos = np.repeat(np.arange(n, dtype=np.int64), count)
    cyc = np.arange(len(pos), dtype=np.int64)
    as_of = Period.month(policy, "2025-03").end - 5 * 86_400_000_000
    g = gaps(hist, t.responded, pos, cyc, cyc - hist.cyc_ptr[pos], np.zeros(n, dtype=np.int64), as_of)
    pos, start, stop, _ = (np.array(c, dtype=np.int64) for c in zip(*_listing(g), strict=True))
    assert (stop < start).any()  # open gaps armed after as_of: no clock time
    for cal in policy.calendars.values():
        clock = clock_for(cal, int(start.min()), int(stop.max()), hist.pauses)
        c_arm, c_stop = (clock.clock_times(x, hist.pauses, g.pos) for x in (g.arm, g.stop))
        c_upd = clock.clock_times(g.u_at, hist.pauses, g.pos[g.u_row])
        used_u = np.maximum(c_upd - g.before_updates(c_arm, c_upd), 0)
        used_r = np.maximum(c_stop - g.before_stops(c_arm, c_upd), 0)
        # The listing's order: per row its update gaps, then its last gap.
        order = np.argsort(np.concatenate((g.u_row * 2, np.arange(len(g.pos)) * 2 + 1)), kind="stable")
        used = np.concatenate((used_u, used_r))[order]
        assert (used == clock.elapsed(start, stop, hist.pauses, pos)).all()
