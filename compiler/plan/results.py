"""`ticket_results` computed by DuckDB over the plan's input relations, as the runtime's `TicketResults`.

Used by the duckdb engine when the runtime's readers read the files, and by the spark engine
(`to_ticket_results` turns any engine's rows into the runtime's columns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .duck import arrow_table, failed, session

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
        if uses_clock_sql(policy):  # issue 12: resolution, update and pausing targets
            for name, relation in clock_relations(policy, events, per, as_of_us).items():
                con.register(name, relation)
            return clock_ticket_results(
                policy, events, per, as_of_us, lambda q: arrow_table(con.sql(q)),
                lambda name, q: con.execute(f"CREATE OR REPLACE TEMPORARY TABLE {name} AS {q}"),
            )  # fmt: skip
        con.register("customers", customers_table(events.customers))
        con.register("tickets", tickets_table(events.tickets))
        con.register("params", params_table(per.start, per.end, as_of_us))
        con.register("calendar_open", calendar_table(policy, per.start, per.end, strict=False))
        table = arrow_table(con.sql(ticket_results_sql(policy)))
    except duckdb.Error as exc:  # out of memory, out of temporary disk space
        raise failed(exc) from None
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


def uses_clock_sql(policy: Policy) -> bool:
    """Whether the engines measure this policy's tickets with the clock queries (`slac.plan.clocks_sql`)."""
    from ..runtime.tickets import uses_clocks

    return uses_clocks(policy)


def clock_relations(policy: Policy, events: Events, per: Period, as_of_us: int) -> dict[str, Any]:
    """The relations the clock queries read, `calendar_open` reaching every instant of the data."""
    import pyarrow as pa

    from ..runtime.events import MISSING
    from .calendars import calendar_table
    from .inputs import customers_table, params_table, ticket_events_table, tickets_table

    t, ev = events.tickets, events.ticket_events
    last = max(per.end, as_of_us)
    for column in (t.opened, t.responded, t.resolved, ev.at if ev is not None else None):
        if column is not None and len(column):
            real = column[column != MISSING]
            last = max(last, int(real.max()) + 1) if len(real) else last
    from .business_sql import business_days
    from .calendars import calendar_days_tables

    extra = {}
    if business_days(policy):  # the clock queries count business days over these (business_sql.business_ctes)
        days, zone = calendar_days_tables(policy, per.start, last)
        extra = {"calendar_days": days, "calendar_zone": zone}
    events_table = ticket_events_table(ev, t)
    rows = np.asarray(ev.row, dtype=np.int64) if ev is not None else np.zeros(0, dtype=np.int64)
    return {
        "customers": customers_table(events.customers),
        "tickets": tickets_table(t),
        "ticket_events": events_table.append_column("row", pa.array(rows, type=pa.int64())),
        "params": params_table(per.start, per.end, as_of_us),
        "calendar_open": calendar_table(policy, per.start, last, strict=False),
        **extra,
    }


def clock_ticket_results(
    policy: Policy,
    events: Events,
    per: Period,
    as_of_us: int,
    run: Callable[[str], Any],
    materialize: Callable[[str, str], None] | None = None,
) -> TicketResults:
    """The tickets' results with their clocks, by the clock queries `run` runs over the registered relations.

    `run(sql) -> pyarrow.Table` runs one query of DuckDB's dialect (an engine transpiles it first);
    `materialize(name, sql)`, when given, makes a table of one step (`clocks_sql.clock_steps`) first,
    which the queries then read instead of repeating the steps as CTEs.
    A ticket the SQL does not know (an instant past the calendar table, a paused update gap in business
    days): the runtime's own ticket clocks (which answer, or refuse with their message).
    """
    from .clocks_sql import at_risk_sql, clock_steps, missed_resolutions_sql, ticket_clock_results_sql

    steps = materialize is not None
    if materialize is not None:
        for name, query in clock_steps(policy):
            materialize(name, query)
    table = _read(run(ticket_clock_results_sql(policy, steps))).sort_by("row")
    if not all(table.column("known").to_pylist()):
        return runtime_ticket_results(policy, events, per, as_of_us)
    base = to_ticket_results(policy, events, table.append_column("decided", table.column("deadline")), per, as_of_us)
    missed = _read(run(missed_resolutions_sql(policy, steps))).sort_by([("row", "ascending"), ("cycle", "ascending")])
    risk = None
    if policy.warn_ratio is not None:
        risk = _risk(base.index, _read(run(at_risk_sql(policy, steps))))
    return _with_clocks(base, table, missed, risk)


def runtime_ticket_results(policy: Policy, events: Events, per: Period, as_of_us: int) -> TicketResults:
    """The numpy runtime's ticket results with their clocks (what the clock queries stand in for)."""
    from ..runtime.columns import codes
    from ..runtime.evaluate import ticket_history, ticket_results

    index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tiers = codes(events.customers.tier, list(policy.tiers), "tier")
    hist = ticket_history(policy, events)
    return ticket_results(policy, events.tickets, index, tiers, per, as_of_us, history=hist)


def _read(table: Any) -> Any:
    import pyarrow as pa

    return table.read_all() if isinstance(table, pa.RecordBatchReader) else table


def _ints(table: Any, name: str, fill: int) -> Any:
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(table.column(name), fill).to_numpy(), dtype=np.int64)


def _risk(index: Any, table: Any) -> tuple[Any, Any, Any, Any, Any]:
    """The at-risk rows as `ClockResults.risk` (positions into the results' index)."""
    pos = np.searchsorted(index, _ints(table, "row", 0))
    return (pos.astype(np.int64), *(_ints(table, c, 0) for c in ("kind", "deadline", "used", "allowed")))


def _with_clocks(base: TicketResults, table: Any, missed: Any, risk: Any) -> TicketResults:
    """`base` with the runtime's `ClockResults` from the clock queries' rows (table sorted by row)."""
    from dataclasses import replace

    from ..runtime.events import MISSING
    from ..runtime.tickets import ClockResults

    clocks = ClockResults(
        missed_resolutions=_ints(table, "missed_resolutions", 0),
        missed_updates=_ints(table, "missed_updates", 0),
        res_pos=np.searchsorted(base.index, _ints(missed, "row", 0)).astype(np.int64),
        res_cycle=_ints(missed, "cycle", 0),
        res_start=_ints(missed, "started", 0),
        res_deadline=_ints(missed, "deadline", MISSING),
        res_end=_ints(missed, "resolved", MISSING),
        res_line=_ints(missed, "line", 0),
        upd_line=_ints(table, "update_line", 0),
        risk=risk,
    )
    return replace(base, clocks=clocks)
