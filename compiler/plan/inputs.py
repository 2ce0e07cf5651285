"""The plan's input relations (`slac.plan`) as Arrow tables, from the runtime's validated event tables.

An engine that reads the files with the runtime's readers (`slac.runtime.inputs`, which check every
row and name file, row and column of a bad one) hands their tables to SQL through these. Times
are BIGINT µs (UTC) with NULL for a missing one; `row` is the 0-based position of the record in
its file (the runtime's index into its tables), so a result row maps straight back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.events import MISSING, UPDATE

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.events import Customers, Events, Incidents, TicketEvents, Tickets


def _times(values: Any) -> Any:
    import pyarrow as pa

    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, type=pa.int64(), mask=values == MISSING)


def _text(values: Any) -> Any:
    import pyarrow as pa

    return pa.array(values, type=pa.string(), from_pandas=True)


def customers_table(customers: Customers) -> Any:
    """`customers(customer, tier, fee DECIMAL(38,9), <condition BOOLEAN>…)`."""
    import pyarrow as pa

    columns: dict[str, Any] = {
        "customer": _text(customers.id),
        "tier": _text(customers.tier),
        "fee": pa.array(customers.fee, type=pa.decimal128(38, 9)),
    }
    for name, met in customers.conditions.items():
        columns[name] = pa.array(np.asarray(met, dtype=np.bool_))
    return pa.table(columns)


def tickets_table(tickets: Tickets) -> Any:
    """`tickets(row, id, customer, priority, opened, responded, outage, cause, resolved)`."""
    import pyarrow as pa

    n = len(tickets.id)
    resolved = tickets.resolved if tickets.resolved is not None else np.full(n, MISSING, dtype=np.int64)
    return pa.table(
        {
            "row": pa.array(np.arange(n, dtype=np.int64)),
            "id": _text(tickets.id),
            "customer": _text(tickets.customer),
            "priority": _text(tickets.priority),
            "opened": _times(tickets.opened),
            "responded": _times(tickets.responded),
            "outage": pa.array(np.asarray(tickets.outage, dtype=np.bool_)),
            "cause": _text(tickets.cause),
            "resolved": _times(resolved),
        }
    )


def ticket_events_table(events: TicketEvents | None, tickets: Tickets) -> Any:
    """`ticket_events(ticket, at, event)`: event 'update' or 'status:NAME'."""
    import pyarrow as pa

    if events is None:
        return pa.table(
            {"ticket": pa.array([], pa.string()), "at": pa.array([], pa.int64()), "event": pa.array([], pa.string())}
        )
    kinds = [
        "update" if k == UPDATE else f"status:{s}"
        for k, s in zip(events.kind.tolist(), events.status.tolist(), strict=True)
    ]
    return pa.table({"ticket": _text(tickets.id[events.ticket]), "at": _times(events.at), "event": _text(kinds)})


def incidents_table(incidents: Incidents) -> Any:
    """`incidents(row, id, start, "end", customer, cause, announced, service, region)`: one row per listed
    customer of an incident, customer NULL for a platform-wide one."""
    import pyarrow as pa

    index: list[int] = []
    customer: list[str | None] = []
    for i, listed in enumerate(incidents.customers):
        for name in listed if listed is not None else (None,):
            index.append(i)
            customer.append(name)
    at = np.array(index, dtype=np.int64)
    n = len(incidents.id)
    service = incidents.service if incidents.service is not None else np.full(n, None, dtype=object)
    region = incidents.region if incidents.region is not None else np.full(n, None, dtype=object)
    return pa.table(
        {
            "row": pa.array(at),
            "id": _text(incidents.id[at] if n else incidents.id),
            "start": _times(incidents.start[at]),
            "end": _times(incidents.end[at]),
            "customer": pa.array(customer, type=pa.string()),
            "cause": _text(incidents.cause[at] if n else incidents.cause),
            "announced": _times(incidents.announced[at]),
            "service": _text(service[at] if n else service),
            "region": _text(region[at] if n else region),
        }
    )


def params_table(period_start: int, period_end: int, as_of: int) -> Any:
    """`params(period_start, period_end, as_of)`, one row."""
    import pyarrow as pa

    return pa.table(
        {
            name: pa.array([value], pa.int64())
            for name, value in zip(
                ("period_start", "period_end", "as_of"), (period_start, period_end, as_of), strict=True
            )
        }
    )


def relations(events: Events, period_start: int, period_end: int, as_of: int) -> dict[str, Any]:
    """The input relations of one evaluation by name (charges and requests are A15's: language v2)."""
    return {
        "customers": customers_table(events.customers),
        "tickets": tickets_table(events.tickets),
        "ticket_events": ticket_events_table(events.ticket_events, events.tickets),
        "incidents": incidents_table(events.incidents),
        "params": params_table(period_start, period_end, as_of),
    }
