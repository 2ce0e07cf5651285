"""The ticket clocks' results against the scalar oracle (tests/oracle/reference_tickets.py), ticket by ticket:
shared by the fast path's cross-check (test_tickets_crosscheck.py) and the SQL's (test_engine_clocks.py)."""

from __future__ import annotations

from typing import Any

from slac.runtime.clocks import NEVER
from slac.runtime.evaluate import BREACHED, MET, OPEN
from slac.runtime.events import MISSING, UPDATE

from .oracle.reference_tickets import calendars, reference_ticket

STATE = {MET: "met", BREACHED: "breached", OPEN: "open"}


def oracle_disagreements(raw: dict[str, Any], events: Any, res: Any, as_of: int) -> list[tuple[str, Any, Any]]:
    """(ticket id, the results', the oracle's) for each ticket whose response state, missed resolutions, missed
    updates or resolution deadlines in `res` (a `TicketResults`, every ticket of `events`) differ from the oracle's."""
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
        got = (
            STATE.get(int(res.state[p])),
            int(clocks.missed_resolutions[p]),
            int(clocks.missed_updates[p]),
            deadlines.get(p, []),
        )
        if got != (ref.response, ref.missed_resolutions, ref.missed_updates, ref.resolution_deadlines):
            disagree.append((str(t.id[k]), got, ref))
    return disagree
