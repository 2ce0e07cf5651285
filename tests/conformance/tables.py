"""A case's event tables (rows as JSON objects): written as CSV files for an engine, read as `Events` for the oracle.

The CSV columns are the ones `slac evaluate` reads; the oracle's `Events` are built here from the
same rows with `datetime.fromisoformat`, without the runtime's readers.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from slac.runtime.events import (
    MISSING,
    STATUS,
    UPDATE,
    Charges,
    Customers,
    Events,
    Incidents,
    Requests,
    TicketEvents,
    Tickets,
)

# The columns of each table, in the order they are written (customers add one column per condition).
COLUMNS = {
    "customers": ["customer", "tier", "fee", "monthly_fee"],
    "tickets": ["id", "customer", "priority", "opened_at", "responded_at", "outage", "cause", "resolved_at"],
    "incidents": ["id", "start", "end", "cause", "announced_at", "customers", "service", "region"],
    "charges": ["customer", "service", "region", "amount"],
    "requests": ["service", "region", "start", "total", "failed"],
    "ticket_events": ["ticket", "at", "event"],
}
TABLES = tuple(COLUMNS)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(text: str) -> int:
    """µs since the epoch of an ISO 8601 timestamp with an offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without an offset: {text!r}")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def iso_utc(value: int | None) -> str | None:
    """µs since the epoch as ISO 8601 in UTC with a `Z` (microseconds only when not zero)."""
    if value is None:
        return None
    return (_EPOCH + timedelta(microseconds=value)).isoformat().replace("+00:00", "Z")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def write_csv(events: dict[str, list[dict[str, Any]]], folder: Path) -> dict[str, str]:
    """Each table of the case as `folder/NAME.csv`; returns table → path (only the tables the case has)."""
    out = {}
    for name in TABLES:
        if name not in events:
            continue
        rows = events[name]
        columns = list(COLUMNS[name])
        for row in rows:
            columns += [k for k in row if k not in columns]
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for row in rows:
                if name == "customers" and "fee" in row:
                    row = {**row, "monthly_fee": row["fee"]}
                w.writerow([_cell(row.get(c)) for c in columns])
        out[name] = str(path)
    return out


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _times(rows: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.array([us(r[key]) if r.get(key) else MISSING for r in rows], dtype=np.int64)


def to_events(policy: dict[str, Any], events: dict[str, list[dict[str, Any]]]) -> Events:
    """The case's rows as the runtime's `Events` tables, for the oracle."""
    cs = events["customers"]
    names = [c["id"] for c in policy.get("conditions", [])]
    customers = Customers(
        id=_objects([r["customer"] for r in cs]),
        tier=_objects([r["tier"] for r in cs]),
        fee=tuple(Decimal(str(r["fee"])) for r in cs),
        row=np.arange(2, len(cs) + 2),
        conditions={n: np.array([bool(r.get(n, True)) for r in cs], dtype=bool) for n in names},
    )
    ts = events.get("tickets", [])
    tickets = Tickets(
        id=_objects([r["id"] for r in ts]),
        customer=_objects([r["customer"] for r in ts]),
        priority=_objects([r["priority"] for r in ts]),
        opened=_times(ts, "opened_at"),
        responded=_times(ts, "responded_at"),
        outage=np.array([bool(r.get("outage")) for r in ts], dtype=bool),
        cause=_objects([r.get("cause") for r in ts]),
        row=np.arange(2, len(ts) + 2),
        resolved=_times(ts, "resolved_at"),
    )
    inc = events["incidents"]
    incidents = Incidents(
        id=_objects([r["id"] for r in inc]),
        start=_times(inc, "start"),
        end=_times(inc, "end"),
        cause=_objects([r.get("cause") for r in inc]),
        announced=_times(inc, "announced_at"),
        customers=tuple(tuple(r["customers"]) if r.get("customers") else None for r in inc),
        row=np.arange(2, len(inc) + 2),
        service=_objects([r.get("service") for r in inc]),
        region=_objects([r.get("region") for r in inc]),
    )
    charges = requests = ticket_events = None
    if "charges" in events:
        ch = events["charges"]
        charges = Charges(
            customer=_objects([r["customer"] for r in ch]),
            service=_objects([r["service"] for r in ch]),
            region=_objects([r.get("region") for r in ch]),
            amount=tuple(Decimal(str(r["amount"])) for r in ch),
            row=np.arange(2, len(ch) + 2),
        )
    if "requests" in events:
        rq = events["requests"]
        requests = Requests(
            service=_objects([r["service"] for r in rq]),
            region=_objects([r.get("region") for r in rq]),
            start=_times(rq, "start"),
            total=np.array([int(r["total"]) for r in rq], dtype=np.int64),
            failed=np.array([int(r["failed"]) for r in rq], dtype=np.int64),
            row=np.arange(2, len(rq) + 2),
        )
    if "ticket_events" in events:
        index = {r["id"]: k for k, r in enumerate(ts)}
        te = sorted(events["ticket_events"], key=lambda r: (index[r["ticket"]], us(r["at"])))
        ticket_events = TicketEvents(
            ticket=np.array([index[r["ticket"]] for r in te], dtype=np.int64),
            at=_times(te, "at"),
            kind=np.array([UPDATE if r["event"] == "update" else STATUS for r in te], dtype=np.int8),
            status=_objects([None if r["event"] == "update" else r["event"].removeprefix("status:") for r in te]),
            row=np.arange(2, len(te) + 2),
        )
    return Events(customers, tickets, incidents, charges, requests, ticket_events)
