"""`ticket_results` computed by DuckDB over the plan's input relations, as the runtime's `TicketResults`.

Used by the duckdb engine when the runtime's readers read the files, and by the spark engine
(`to_ticket_results` turns any engine's rows into the runtime's columns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.engines import UsageError
from .duck import arrow_table, session

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Events
    from ..runtime.policy import Policy


def sql_ticket_results(policy: Policy, events: Events, per: Period, as_of_us: int) -> TicketResults:
    """`ticket_results` computed by DuckDB over the events' relations, as the runtime's `TicketResults`."""

    import duckdb

    with session() as con:
        return _sql_ticket_results(con, duckdb, policy, events, per, as_of_us)


def _sql_ticket_results(
    con: Any, duckdb: Any, policy: Policy, events: Events, per: Period, as_of_us: int
) -> TicketResults:
    from .calendars import calendar_table
    from .inputs import customers_table, params_table, tickets_table
    from .tickets_sql import ticket_results_sql

    try:
        con.register("customers", customers_table(events.customers))
        con.register("tickets", tickets_table(events.tickets))
        con.register("params", params_table(per.start, per.end, as_of_us))
        con.register("calendar_open", calendar_table(policy, per.start, per.end, strict=False))
        table = arrow_table(con.sql(ticket_results_sql(policy)))
    except duckdb.Error as exc:  # out of memory, out of temporary disk space
        raise UsageError(f"the duckdb engine failed: {exc}; raise its memory limit or use --engine numpy") from None
    return to_ticket_results(policy, events, table, per, as_of_us)


def to_ticket_results(policy: Policy, events: Events, table: Any, per: Period, as_of_us: int) -> TicketResults:
    """The SQL rows (any order) as the runtime's `TicketResults` (in file order, names as codes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..runtime.evaluate import TicketResults
    from ..runtime.events import MISSING

    if isinstance(table, pa.RecordBatchReader):  # duckdb ≥ 1.4 may hand back a reader
        table = table.read_all()
    table = table.sort_by("row")

    def ints(name: str, fill: int) -> Any:
        column = pc.fill_null(table.column(name), fill)
        return np.asarray(column.to_numpy(), dtype=np.int64)

    customer_ids = pa.array(events.customers.id.tolist(), type=pa.string())
    prio_names = pa.array(list(policy.priorities), type=pa.string())
    customer = np.asarray(pc.index_in(table.column("customer"), value_set=customer_ids).to_numpy(), dtype=np.int64)
    effective = np.asarray(
        pc.fill_null(pc.index_in(table.column("effective"), value_set=prio_names), -1).to_numpy(), dtype=np.int64
    )
    state = np.asarray(table.column("state").to_numpy(), dtype=np.int8)
    results = TicketResults(
        index=ints("row", 0),
        customer=customer,
        effective=effective,
        deadline=ints("deadline", MISSING),
        state=state,
        excluded=np.asarray(table.column("excluded").to_numpy(zero_copy_only=False), dtype=np.bool_),
        line=ints("line", 0),
    )
    decided = ints("decided", MISSING)
    beyond = (effective >= 0) & ((results.deadline == MISSING) | (decided == MISSING))
    if beyond.any():
        # Past the calendar table (past the holiday data): the runtime's own computation refuses
        # it with its message, naming the ticket it names, or (never seen) computes it.
        from ..runtime.columns import codes
        from ..runtime.evaluate import ticket_results

        index = {c: i for i, c in enumerate(events.customers.id.tolist())}
        tiers = codes(events.customers.tier, list(policy.tiers), "tier")
        return ticket_results(policy, events.tickets, index, tiers, per, as_of_us)
    return results
