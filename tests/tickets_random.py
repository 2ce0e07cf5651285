"""Random tickets with random status histories for the clock cross-checks and properties (issue 12)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np

import slac

from .runtime_fixtures import objects, zones_policy_text

HOUR = 3_600_000_000
STATUSES = ("open", "in_progress", "pending_customer", "on_hold", "resolved")


@lru_cache(maxsize=1)
def zones_clock_policy() -> dict[str, Any]:
    """zones.sla (three zones) with resolution and update targets on every tier, some in business days,
    a business-day response target, and `pause when status pending_customer on_hold`."""
    policy = json.loads(zones_policy_text())
    cals = [c["id"] for c in policy["calendars"]]
    rng = np.random.default_rng(12)
    line = 900
    for tier in policy["tiers"]:
        tier["resolutions"], tier["updates"] = [], []
        for prio in ("urgent", "high", "normal"):
            line += 1
            res: dict[str, Any] = {"priority": prio, "calendar": cals[int(rng.integers(len(cals)))], "line": line}
            if rng.random() < 0.3:
                res["business_days"] = int(rng.integers(1, 4))
            else:
                res["within_seconds"] = int(rng.choice([2, 4, 8, 24, 40])) * 3600
            tier["resolutions"].append(res)
            upd: dict[str, Any] = {"priority": prio, "calendar": cals[int(rng.integers(len(cals)))], "line": line + 100}
            if rng.random() < 0.2:
                upd["business_days"] = 1
            else:
                upd["every_seconds"] = int(rng.choice([30, 60, 90, 240])) * 60
            tier["updates"].append(upd)
    basic = next(t for t in policy["tiers"] if t["id"] == "basic")
    normal = next(r for r in basic["responses"] if r["priority"] == "normal")
    del normal["within_seconds"]
    normal["business_days"] = 2
    policy["ticket_clock"] = {"line": 999, "pause": ["pending_customer", "on_hold"], "warn_percent": "75"}
    policy["format_version"] = "1.2"
    policy["content_hash"] = slac.policy.content_hash(policy)
    return policy


def random_clock_events(policy: Any, period: str, *, seed: int, tickets: int, customers: int = 40) -> Any:
    """Valid events of one month: tickets with responses, status histories (avg. 4), updates, resolutions."""
    from slac.runtime.evaluate import Period
    from slac.runtime.events import MISSING, STATUS, UPDATE, Events, TicketEvents

    from .runtime_fixtures import random_events

    base = random_events(policy, period, seed=seed, customers=customers, tickets=tickets, incidents=0)
    rng = np.random.default_rng(seed + 1)
    per = Period.month(policy, period)
    t = base.tickets
    opened = np.maximum(t.opened, per.start)  # every ticket in the period
    n = len(opened)
    counts = rng.poisson(4, n)
    ev_t = np.repeat(np.arange(n, dtype=np.int64), counts)
    gaps = rng.exponential(5 * HOUR, len(ev_t)).astype(np.int64)
    whole = rng.random(len(ev_t)) < 0.3
    gaps = np.where(whole, gaps // (HOUR // 4) * (HOUR // 4), gaps)  # quarter hours: ties with boundaries
    first = np.cumsum(counts) - counts
    cum = np.cumsum(gaps)
    has = counts > 0  # a ticket without events (the last ones too) has no first event to index
    offset = np.zeros(n, dtype=np.int64)
    offset[has] = cum[first[has]] - gaps[first[has]]
    cum -= np.repeat(offset, counts)  # running sum per ticket
    ev_at = opened[ev_t] + cum
    pick = rng.integers(0, len(STATUSES), len(ev_t))
    status = np.array(STATUSES, dtype=object)[pick]
    is_update = rng.random(len(ev_t)) < 0.35
    kind = np.where(is_update, UPDATE, STATUS).astype(np.int8)
    status = np.where(is_update, None, status)
    # resolved_at: after the ticket's last event for 60 %, none otherwise; no status change after it.
    last = np.full(n, MISSING, dtype=np.int64)
    np.maximum.at(last, ev_t, ev_at)
    last = np.maximum(last, opened)
    resolved = np.where(rng.random(n) < 0.6, last + rng.exponential(3 * HOUR, n).astype(np.int64), MISSING)
    responded = np.where((t.responded != MISSING) & (t.responded < opened), opened, t.responded)
    tick = type(t)(
        id=t.id, customer=t.customer, priority=t.priority, opened=opened, responded=responded,
        outage=t.outage, cause=objects([None] * n), row=t.row, resolved=resolved,
    )  # fmt: skip
    code = np.where(is_update, -1, pick).astype(np.int32)  # as the reader gives them (inputs_tickets)
    rows = np.arange(2, len(ev_t) + 2, dtype=np.int64)
    ev = TicketEvents(ev_t, ev_at, kind, objects(status.tolist()), rows, "", code, tuple(STATUSES))
    return Events(base.customers, tick, base.incidents, ticket_events=ev)


def joined_months(parts: list[Any]) -> tuple[Any, Any]:
    """(Tickets, TicketEvents) of several `random_clock_events` results as one file each: ticket ids
    prefixed with their part's number (`K-ID`), rows numbered from 2, each event's ticket index moved
    past the tickets of the parts before it."""
    from slac.runtime.events import TicketEvents, Tickets

    t = [p.tickets for p in parts]
    ev = [p.ticket_events for p in parts]
    assert all(e is not None and e.status_code is not None for e in ev)
    ids = np.concatenate([np.array([f"{k}-{i}" for i in p.id], dtype=object) for k, p in enumerate(t)])
    tickets = Tickets(
        id=ids, customer=np.concatenate([p.customer for p in t]), priority=np.concatenate([p.priority for p in t]),
        opened=np.concatenate([p.opened for p in t]), responded=np.concatenate([p.responded for p in t]),
        outage=np.concatenate([p.outage for p in t]), cause=np.concatenate([p.cause for p in t]),
        row=np.arange(2, len(ids) + 2, dtype=np.int64),
        resolved=np.concatenate([p.resolved for p in t if p.resolved is not None]),
    )  # fmt: skip
    offsets = np.cumsum([0, *(len(p.id) for p in t)])[:-1]
    events = TicketEvents(
        np.concatenate([e.ticket + o for e, o in zip(ev, offsets, strict=True)]),
        np.concatenate([e.at for e in ev]),
        np.concatenate([e.kind for e in ev]),
        np.concatenate([e.status for e in ev]),
        np.arange(2, sum(len(e.at) for e in ev) + 2, dtype=np.int64),
        "",
        np.concatenate([e.status_code for e in ev]),
        ev[0].status_names,
    )
    return tickets, events
