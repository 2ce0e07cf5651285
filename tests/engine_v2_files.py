"""Language-v2 event tables written as the CSV files a user hands `slac evaluate` (for the engine tests).

`write_v2_files(events, folder)` writes customers (fee and condition columns), tickets, incidents
(with service and region), charges and requests, with ticket clocks the tickets' `resolved_at` and
the ticket events file, times as UTC ISO 8601 with their microseconds,
and returns the `Inputs` naming them; the runtime's readers read them back to the same tables.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slac.runtime.engines import Inputs
from slac.runtime.events import MISSING, UPDATE, Events

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso(us: int) -> str:
    return "" if int(us) == MISSING else (_EPOCH + timedelta(microseconds=int(us))).isoformat()


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    return str(path)


def write_v2_files(events: Events, folder: Path) -> Inputs:
    c, t, i = events.customers, events.tickets, events.incidents
    names = list(c.conditions)
    customers = _write(
        folder / "customers.csv",
        ["customer", "tier", "fee", *names],
        [
            [c.id[k], c.tier[k], c.fee[k], *("true" if c.conditions[n][k] else "false" for n in names)]
            for k in range(len(c.id))
        ],
    )
    tickets = ticket_events = None
    if len(t.id):
        resolved = t.resolved is not None  # issue 12: resolution times and the ticket events file
        tickets = _write(
            folder / "tickets.csv",
            ["id", "customer", "priority", "opened_at", "responded_at", "outage", "cause",
             *(["resolved_at"] if resolved else [])],
            [
                [t.id[k], t.customer[k], t.priority[k], iso(t.opened[k]), iso(t.responded[k]),
                 "true" if t.outage[k] else "false", t.cause[k], *([iso(t.resolved[k])] if resolved else [])]
                for k in range(len(t.id))
            ],
        )  # fmt: skip
        ev = events.ticket_events
        if ev is not None:
            ticket_events = _write(
                folder / "ticket_events.csv",
                ["ticket", "at", "event"],
                [
                    [t.id[k], iso(a), "update" if kind == UPDATE else f"status:{s}"]
                    for k, a, kind, s in zip(ev.ticket.tolist(), ev.at.tolist(), ev.kind.tolist(), ev.status.tolist(),
                                             strict=True)
                ],
            )  # fmt: skip
    n = len(i.id)
    incidents = _write(
        folder / "incidents.csv",
        ["id", "start", "end", "cause", "announced_at", "customers", "service", "region"],
        [
            [i.id[k], iso(i.start[k]), iso(i.end[k]), i.cause[k], iso(i.announced[k]), ";".join(i.customers[k] or ()),
             i.service[k] if i.service is not None else None, i.region[k] if i.region is not None else None]
            for k in range(n)
        ],
    )  # fmt: skip
    charges = requests = None
    if events.charges is not None:
        ch = events.charges
        charges = _write(
            folder / "charges.csv",
            ["customer", "service", "region", "amount"],
            [[ch.customer[k], ch.service[k], ch.region[k], ch.amount[k]] for k in range(len(ch.customer))],
        )
    if events.requests is not None and len(events.requests.start):
        r = events.requests
        requests = _write(
            folder / "requests.csv",
            ["service", "region", "start", "total", "failed"],
            [[r.service[k], r.region[k], iso(r.start[k]), r.total[k], r.failed[k]] for k in range(len(r.start))],
        )
    return Inputs(
        customers=customers, incidents=incidents, tickets=tickets, charges=charges, requests=requests,
        ticket_events=ticket_events,
    )  # fmt: skip
