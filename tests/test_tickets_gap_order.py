"""What `tickets.measure` answers for the update targets does not depend on which tickets are measured
together: measuring the tickets of each update calendar on their own (one calendar, no per-calendar
split) gives the same missed updates and the same at-risk update clocks, and the at-risk rows are in
position order (a guard for any layout of the gaps by calendar)."""

from __future__ import annotations

import numpy as np

from slac.runtime import Policy
from slac.runtime.evaluate import Period
from slac.runtime.tickets import _flat, _keys, history, measure

from .tickets_random import random_clock_events, zones_clock_policy


def test_update_clocks_do_not_depend_on_the_calendar_layout() -> None:
    policy = Policy(zones_clock_policy())
    events = random_clock_events(policy, "2025-10", seed=31, tickets=4000)
    t = events.tickets
    hist = history(t, events.ticket_events, policy.pause_statuses)
    per = Period.month(policy, "2025-10")
    as_of = per.end - 9 * 86_400_000_000  # many tickets still running
    tiers = list(policy.tiers)
    cust = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tier_of = np.array([tiers.index(x) for x in events.customers.tier.tolist()], dtype=np.int64)
    tier = tier_of[np.array([cust[c] for c in t.customer.tolist()], dtype=np.int64)]
    prios = list(policy.priorities)
    effective = np.array([prios.index(p) for p in t.priority.tolist()], dtype=np.int64)
    ticket = np.arange(len(t.id), dtype=np.int64)
    whole = measure(policy, hist, ticket, tier, effective, t.responded, as_of)
    uc = _flat(policy, policy.updates)[2][_keys(policy, tier, effective)]
    assert len(set(uc.tolist()) - {-1}) >= 2  # more than one update calendar: the layout partitions
    assert whole.risk is not None
    pos, kind = whole.risk[0], whole.risk[1]
    upd = kind == 2
    assert upd.sum() > 20 and (np.diff(pos[upd]) > 0).all()  # at most one open gap per ticket, in order
    rows = []
    for c in sorted(set(uc.tolist()) - {-1}):
        sub = np.flatnonzero(uc == c)
        part = measure(policy, hist, sub, tier[sub], effective[sub], t.responded[sub], as_of)
        assert (part.missed_updates == whole.missed_updates[sub]).all()
        assert part.risk is not None
        k = part.risk[1] == 2
        rows += list(zip(sub[part.risk[0][k]].tolist(), *(part.risk[i][k].tolist() for i in (2, 3, 4)), strict=True))
    want = sorted(rows)
    got = list(zip(pos[upd].tolist(), *(whole.risk[i][upd].tolist() for i in (2, 3, 4)), strict=True))
    assert got == want
    assert whole.missed_updates.sum() > 0
