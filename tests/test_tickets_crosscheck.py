"""The ticket clocks' fast path agrees with the scalar oracle (tests/oracle/reference_tickets.py) on
random tickets with random status histories: pauses, updates, business days, reopenings, in
calendars of three zones (Asia/Shanghai, Europe/Berlin, America/New_York)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from slac.runtime import Policy
from slac.runtime.clocks import NEVER
from slac.runtime.evaluate import BREACHED, MET, OPEN, Period, ticket_results
from slac.runtime.events import MISSING, UPDATE
from slac.runtime.tickets import history

from .oracle.reference_tickets import calendars, reference_ticket
from .tickets_random import random_clock_events, zones_clock_policy

STATE = {MET: "met", BREACHED: "breached", OPEN: "open"}
# ≥ 100k tickets over the three months below (SLAC_CLOCK_TICKETS lowers it for a quick local run).
PER_MONTH = int(os.environ.get("SLAC_CLOCK_TICKETS", "34000"))


def _fast(policy: Policy, events: Any, period: str, as_of: int) -> Any:
    per = Period.month(policy, period)
    index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tiers = list(policy.tiers)
    cust_tier = np.array([tiers.index(t) for t in events.customers.tier.tolist()], dtype=np.int64)
    hist = history(events.tickets, events.ticket_events, policy.pause_statuses)
    return ticket_results(policy, events.tickets, index, cust_tier, per, as_of, history=hist), cust_tier


@pytest.mark.parametrize(("period", "seed"), [("2025-03", 1), ("2025-10", 2), ("2025-06", 3)])
def test_fast_path_agrees_with_the_oracle(period: str, seed: int) -> None:
    raw = zones_clock_policy()
    policy = Policy(raw)
    events = random_clock_events(policy, period, seed=seed, tickets=PER_MONTH)
    per = Period.month(policy, period)
    as_of = per.end - 5 * 86_400_000_000  # some tickets still running, some not yet opened by as_of
    res, _ = _fast(policy, events, period, as_of)
    t, ev = events.tickets, events.ticket_events
    cals = calendars(raw)
    tier_of = dict(zip(events.customers.id.tolist(), events.customers.tier.tolist(), strict=True))
    by_ticket: dict[int, list[tuple[int, str, str | None]]] = {}
    for k, at, kind, status in zip(
        ev.ticket.tolist(), ev.at.tolist(), ev.kind.tolist(), ev.status.tolist(), strict=True
    ):
        by_ticket.setdefault(k, []).append((at, "update" if kind == UPDATE else "status", status))
    clocks = res.clocks
    deadlines: dict[int, list[int | None]] = {}
    for p, d in zip(clocks.res_pos.tolist(), clocks.res_deadline.tolist(), strict=True):
        deadlines.setdefault(p, []).append(None if d == NEVER else d)
    disagree = []
    assert len(res.index) == len(t.id)
    for p, k in enumerate(res.index.tolist()):
        responded, resolved = int(t.responded[k]), int(t.resolved[k])
        ref = reference_ticket(
            raw, cals, tier_of[t.customer[k]], t.priority[k], bool(t.outage[k]), int(t.opened[k]),
            None if responded == MISSING else responded, None if resolved == MISSING else resolved,
            by_ticket.get(k, []), as_of,
        )  # fmt: skip
        fast = (
            STATE.get(int(res.state[p])),
            int(clocks.missed_resolutions[p]),
            int(clocks.missed_updates[p]),
            deadlines.get(p, []),
        )
        if fast != (ref.response, ref.missed_resolutions, ref.missed_updates, ref.resolution_deadlines):
            disagree.append((str(t.id[k]), fast, ref))
    assert disagree == [], f"{len(disagree)} of {len(res.index)} disagree, e.g. {disagree[:3]}"
    # The random histories reach every rule: pauses, reopenings, misses of each kind, business days.
    assert clocks.missed_resolutions.sum() > 0 and clocks.missed_updates.sum() > 0
    assert (clocks.res_cycle > 0).any()  # reopened cycles that missed
    assert set(STATE.values()) <= {STATE.get(int(s)) for s in res.state}
