"""Compiled policies for the runtime tests (compiled once per session, loaded fresh per use)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import slac

from .conftest import ROOT


@lru_cache(maxsize=8)
def _compiled(name: str) -> str:
    source = (ROOT / "contracts" / f"{name}.sla").read_text(encoding="utf-8")
    return slac.policy_json(slac.compile_policy(source, file=f"contracts/{name}.sla"))


def policy_text(name: str) -> str:
    """The canonical policy JSON of a bundled contract (`websoft9`, `acme-crm`)."""
    return _compiled(name)


def compile_text(source: str, *, file: str = "t.sla", **options: Any) -> dict[str, Any]:
    return slac.compile_policy(source, file=file, **options)


def contract_path(name: str) -> Path:
    return ROOT / "contracts" / f"{name}.sla"


# ---- a three-zone policy and random events for cross-checks and properties -----------------------

ZONES_SLA = ROOT / "tests" / "cases" / "runtime" / "zones.sla"


@lru_cache(maxsize=1)
def zones_policy_text() -> str:
    """tests/cases/runtime/zones.sla compiled with holidays for 2024–2026 (Shanghai, Berlin, New York)."""
    source = ZONES_SLA.read_text(encoding="utf-8")
    return slac.policy_json(slac.compile_policy(source, file="zones.sla", holiday_years=(2024, 2026)))


def objects(values: list[Any]) -> Any:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def random_events(
    policy: Any,
    period: str,
    *,
    seed: int,
    customers: int = 50,
    tickets: int = 2000,
    incidents: int = 200,
) -> Any:
    """Random but valid event tables around one period (some events fall outside it on purpose)."""
    import numpy as np

    from slac.runtime.evaluate import Period
    from slac.runtime.events import MISSING, Customers, Events, Incidents, Tickets

    rng = np.random.default_rng(seed)
    per = Period.month(policy, period)
    lo, hi = per.start, per.end
    hour = 3_600_000_000
    tier_names = list(policy.tiers)
    prio_names = list(policy.priorities)
    cust_ids = [f"c{i}" for i in range(customers)]
    fees = tuple(Decimal(int(f)) / 100 for f in rng.integers(0, 500_000, customers))
    cust = Customers(
        id=objects(cust_ids),
        tier=objects([tier_names[i] for i in rng.integers(0, len(tier_names), customers)]),
        fee=fees,
        row=np.arange(2, customers + 2, dtype=np.int64),
    )
    opened = rng.integers(lo - 24 * hour, hi, tickets, dtype=np.int64)
    # Responses: none for a third, else anything from at once to three days later.
    delay = (rng.exponential(6 * hour, tickets)).astype(np.int64)
    responded = np.where(rng.random(tickets) < 0.33, MISSING, opened + delay)
    # Round a few openings to whole minutes and hours, where boundaries and ties live.
    whole = rng.random(tickets) < 0.3
    opened = np.where(whole, opened // (hour // 60) * (hour // 60), opened)
    responded = np.where((responded != MISSING) & (responded < opened), opened, responded)
    causes = [None] * tickets
    for i in np.flatnonzero(rng.random(tickets) < 0.05).tolist():
        causes[i] = "customer_caused"
    tick = Tickets(
        id=objects([f"t{i}" for i in range(tickets)]),
        customer=objects([cust_ids[i] for i in rng.integers(0, customers, tickets)]),
        priority=objects([prio_names[i] for i in rng.integers(0, len(prio_names), tickets)]),
        opened=opened,
        responded=responded,
        outage=rng.random(tickets) < 0.5,
        cause=objects(causes),
        row=np.arange(2, tickets + 2, dtype=np.int64),
    )
    start = rng.integers(lo - 48 * hour, hi + 24 * hour, incidents, dtype=np.int64)
    kind = rng.random(incidents)
    minute = hour // 60
    # Mostly short outages, so that uptimes spread over every credit band rather than all hitting the worst.
    length = np.where(
        kind < 0.25,
        rng.integers(0, 10 * minute, incidents),  # around the 5 min minimum
        np.where(kind < 0.9, rng.integers(0, hour, incidents), rng.integers(0, 4 * hour, incidents)),
    ).astype(np.int64)
    length = np.where(rng.random(incidents) < 0.1, 5 * minute, length)  # exactly the minimum
    cause_pick = rng.random(incidents)
    inc_causes: list[str | None] = []
    announced = np.full(incidents, MISSING, dtype=np.int64)
    for i, c in enumerate(cause_pick.tolist()):
        if c < 0.6:
            inc_causes.append(None)
        elif c < 0.8:
            inc_causes.append("planned_maintenance")
            ahead = [None, 24, 48, 72][int(rng.integers(0, 4))]
            if ahead is not None:
                announced[i] = start[i] - ahead * hour
        elif c < 0.9:
            inc_causes.append("force_majeure")
        else:
            inc_causes.append("customer_caused")
    # Some customers have many incidents and others few, so their uptimes fall in different credit bands.
    weight = 1 / np.arange(1, customers + 1)
    weight /= weight.sum()
    listed: list[tuple[str, ...] | None] = []
    for _ in range(incidents):
        if rng.random() < 0.02:
            listed.append(None)
        else:
            listed.append(
                tuple(
                    cust_ids[j]
                    for j in rng.choice(customers, int(rng.integers(1, min(3, customers) + 1)), replace=False, p=weight)
                )
            )
    inc = Incidents(
        id=objects([f"i{i}" for i in range(incidents)]),
        start=start,
        end=start + length,
        cause=objects(inc_causes),
        announced=announced,
        customers=tuple(listed),
        row=np.arange(2, incidents + 2, dtype=np.int64),
    )
    return Events(cust, tick, inc)


def make_events(
    customers: list[tuple[str, str, str]],
    tickets: Sequence[tuple[Any, ...]] = (),
    incidents: Sequence[tuple[Any, ...]] = (),
) -> Any:
    """Event tables from readable rows; times are ISO strings with offsets (or None).

    customers: (id, tier, fee); tickets: (id, customer, priority, opened, responded[, outage[, cause]]);
    incidents: (id, start, end[, cause[, announced[, customers tuple or None]]]).
    """
    from datetime import datetime

    import numpy as np

    from slac.runtime.calendar import to_us
    from slac.runtime.events import MISSING, Customers, Events, Incidents, Tickets

    def us(text: str | None) -> int:
        return MISSING if text is None else to_us(datetime.fromisoformat(text))

    t = [tuple(row) + (False, None)[len(row) - 5 :] for row in tickets]
    i = [tuple(row) + (None, None, None)[len(row) - 3 :] for row in incidents]
    return Events(
        Customers(
            id=objects([c[0] for c in customers]),
            tier=objects([c[1] for c in customers]),
            fee=tuple(Decimal(c[2]) for c in customers),
            row=np.arange(2, len(customers) + 2, dtype=np.int64),
        ),
        Tickets(
            id=objects([r[0] for r in t]),
            customer=objects([r[1] for r in t]),
            priority=objects([r[2] for r in t]),
            opened=np.array([us(r[3]) for r in t], dtype=np.int64),
            responded=np.array([us(r[4]) for r in t], dtype=np.int64),
            outage=np.array([bool(r[5]) for r in t], dtype=bool),
            cause=objects([r[6] for r in t]),
            row=np.arange(2, len(t) + 2, dtype=np.int64),
        ),
        Incidents(
            id=objects([r[0] for r in i]),
            start=np.array([us(r[1]) for r in i], dtype=np.int64),
            end=np.array([us(r[2]) for r in i], dtype=np.int64),
            cause=objects([r[3] for r in i]),
            announced=np.array([us(r[4]) for r in i], dtype=np.int64),
            customers=tuple(r[5] for r in i),
            row=np.arange(2, len(i) + 2, dtype=np.int64),
        ),
    )
