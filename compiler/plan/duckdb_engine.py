"""`--engine duckdb`: the plan's SQL run in embedded DuckDB, the report built by the runtime's own assembly.

A Parquet tickets file is read by DuckDB itself, streaming under a memory limit with two threads
(`inputs.parquet_tickets_view`), after one SQL pass over it finds no record the runtime's reader
would refuse (`inputs.tickets_problems_sql`); only per-customer counts and the breached tickets
come back to Python (`streamed_results`), so no ticket table is held in memory and there is no
row ceiling. Any other file (CSV, JSON Lines, unusual Parquet) or any doubtful record is read by
the runtime's readers (`slac.runtime.inputs`), so a bad row is named with the same file, row,
column and message as under the numpy engine; their tables then become the plan's input
relations (`slac.plan.inputs`). Either way `calendar_open` comes from the runtime's calendars
(`slac.plan.calendars`), DuckDB computes `ticket_results` (`slac.plan.tickets_sql`), and the report
is `slac.runtime.evaluate.assemble` over those results and the runtime's downtime of the customers
and incidents (read by the runtime's readers: they are small), so it is the numpy engine's report
byte for byte.

Not evaluated yet (refused with `UsageError`, never answered wrongly): contracts of language v2
(services, scopes, windows, formulas) and ticket clocks (resolution, update, business-day and
pausing targets).
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import limits
from ..runtime.engines import Inputs, UsageError, read_events_any

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Customers, Events, Tickets
    from ..runtime.policy import Policy

MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it
THREADS = 2


def refuse_unsupported(policy: Policy, engine: str = "duckdb") -> None:
    """An honest refusal, by the engine running the SQL plan, for a term the plan does not evaluate yet."""
    from ..runtime.scoped import needs_scopes
    from ..runtime.tickets import uses_clocks

    term = None
    if needs_scopes(policy.raw):
        term = "contracts with services, scopes, windows or formulas (language v2)"
    elif uses_clocks(policy):
        term = "ticket clocks (resolution, update, business-day or pausing targets)"
    if term is not None:
        raise UsageError(f"the {engine} engine does not evaluate {term} yet; use --engine numpy")


@contextmanager
def session() -> Iterator[Any]:
    """An in-memory DuckDB with the engine's memory limit and threads, spilling into a private
    temporary folder (removed afterwards, so a run leaves nothing behind)."""
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a core dependency
        raise UsageError("the duckdb engine needs the duckdb package: pip install duckdb") from None
    from . import sql_literal

    with tempfile.TemporaryDirectory(prefix="slac-duckdb-") as spill:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute(f"SET threads = {THREADS}")
            con.execute("SET preserve_insertion_order = false")
            con.execute(f"SET temp_directory = {sql_literal(spill)}")
            yield con
        finally:
            con.close()


def evaluate(
    policy: Policy,
    inputs: Inputs,
    *,
    period: str,
    as_of: datetime | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    """The report of one period, as `slac.runtime.engines._numpy` returns it."""
    from ..runtime.calendar import to_us
    from ..runtime.evaluate import Period

    refuse_unsupported(policy)
    per = Period.month(policy, period)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    as_of_us = to_us(as_of) if as_of is not None else per.end
    found = _read_natively(policy, inputs, per, as_of_us, progress)
    if found is None:  # the runtime's readers read (and check) every file
        events = read_events_any(policy, inputs)
        check_tiers(policy, events.customers)
        results, total = sql_ticket_results(policy, events, per, as_of_us), len(events.tickets.id)
    else:
        events, results, total = found
    report = assemble_report(policy, events, per, as_of_us, results)
    if progress is not None:
        progress(total, total)
    return report


def check_tiers(policy: Policy, customers: Customers) -> None:
    """Every customer's tier is one of the policy's (the readers check it; the runtime's evaluate asks again)."""
    from ..runtime.columns import codes

    codes(customers.tier, list(policy.tiers), "tier")


def assemble_report(
    policy: Policy, events: Events, per: Period, as_of_us: int, results: TicketResults
) -> dict[str, Any]:
    """The runtime's own report assembly over SQL's ticket results and the runtime's downtime."""
    from ..runtime.availability import downtime
    from ..runtime.evaluate import assemble

    customer_index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    down = downtime(policy, events.incidents, customer_index, per.start, per.end)
    collecting = gc.isenabled()
    gc.disable()  # as in the runtime's evaluate: the report's many small acyclic dicts
    try:
        return assemble(policy, events, per, as_of_us, results, down)
    finally:
        if collecting:
            gc.enable()


def _read_natively(
    policy: Policy,
    inputs: Inputs,
    per: Period,
    as_of_us: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Events, TicketResults, int] | None:
    """DuckDB reads a Parquet tickets file itself, streaming; None when the runtime's readers must read it.

    They must when the file is not one DuckDB reads to the same values (`inputs.parquet_tickets_fit`)
    or when any record would be refused (`inputs.tickets_problems_sql`): the runtime's reader then
    names the file, row and column of the first bad one, as under the numpy engine.
    """
    from ..runtime.inputs import read_customers
    from .inputs import parquet_tickets_fit

    path = inputs.tickets
    if path is None or inputs.charges or inputs.requests or inputs.ticket_events or not parquet_tickets_fit(path):
        return None

    customers = read_customers(inputs.customers, policy.raw)
    check_tiers(policy, customers)
    with session() as con:
        return _read_with(con, policy, inputs, customers, per, as_of_us, progress)


def _read_with(
    con: Any,
    policy: Policy,
    inputs: Inputs,
    customers: Any,
    per: Period,
    as_of_us: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[Events, TicketResults, int] | None:
    import duckdb

    from ..runtime.events import Events
    from ..runtime.inputs import read_incidents
    from .inputs import parquet_tickets_view, tickets_problems_sql

    assert inputs.tickets is not None
    path = inputs.tickets
    try:
        con.register("customers", _with_positions(customers))
        parquet_tickets_view(con, path)
        n, ids, bad = con.execute(tickets_problems_sql(policy)).fetchall()[0]
        if bad or ids != n:
            return None
        incidents = read_incidents(inputs.incidents, policy.raw, customers=customers)
        tick = None if progress is None else (lambda done: progress(done, int(n)))
        results, breached = streamed_results(con, policy, customers, per, as_of_us, tick)
    except _Fallback:
        return None
    except duckdb.Error as exc:  # out of memory, a file DuckDB cannot read: the runtime's readers say why
        if "memory" in str(exc).lower():
            raise UsageError(f"the duckdb engine failed: {exc}; raise its memory limit or use --engine numpy") from None
        return None
    return Events(customers, breached, incidents), results, int(n)


def _with_positions(customers: Any) -> Any:
    """`customers` with each one's position in its file (the runtime's customer index)."""
    import pyarrow as pa

    from .inputs import customers_table

    table = customers_table(customers)
    return table.append_column("position", pa.array(np.arange(len(customers.id), dtype=np.int64)))


BATCH = 1_000_000  # result rows handed from DuckDB to numpy at a time


def streamed_results(
    con: Any,
    policy: Policy,
    customers: Any,
    per: Period,
    as_of_us: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[TicketResults, Tickets]:
    """`ticket_results` over the `tickets` view, streamed: counts per customer and the breached rows.

    The report needs of an unbreached ticket only its customer, state and exclusion, so those are
    counted batch by batch; only breached tickets (not excluded) come back whole. The returned
    `TicketResults` lists the breached tickets first (their `index` points into the returned
    `Tickets`, which holds just them) and then one entry per other ticket, rebuilt from the counts:
    what `assemble` reads of them (customer, state, excluded) is exact.
    """
    import pyarrow.compute as pc

    from ..runtime.evaluate import BREACHED, UNMEASURED, TicketResults
    from .inputs import params_table
    from .tickets_sql import ticket_results_sql

    con.register("params", params_table(per.start, per.end, as_of_us))
    con.register("calendar_open", _calendars(policy, per))
    carry = ("id", "priority", "opened", "responded")
    # A measured ticket without a deadline in the calendar table (past the holiday data) comes back whole too.
    keep = "(r.state = 1 AND NOT r.excluded) OR (r.state <> 3 AND (r.deadline IS NULL OR r.decided IS NULL))"
    passed = ", ".join(f"CASE WHEN {keep} THEN r.{c} END AS {c}" for c in carry)
    plan = ticket_results_sql(policy, ("c.position", *(f"t.{c}" for c in carry)))
    query = f"""SELECT r.position, r.state, r.excluded, r."row", r.effective, r.deadline, r.decided, r.line, {passed}
FROM ({plan}) r"""
    n_customers = len(customers.id)
    counts = np.zeros((n_customers, 4, 2), dtype=np.int64)
    parts: list[Any] = []
    done = 0
    reader = _batches(con.sql(query), BATCH)
    for batch in reader:
        position = batch.column("position").to_numpy()
        state = batch.column("state").to_numpy()
        excluded = batch.column("excluded").to_numpy(zero_copy_only=False)
        key = (position * 4 + state) * 2 + excluded  # the flat index into counts
        counts += np.bincount(key, minlength=counts.size).reshape(counts.shape)
        missing = pc.or_(pc.is_null(batch.column("deadline")), pc.is_null(batch.column("decided")))
        if ((state != UNMEASURED) & missing.to_numpy(zero_copy_only=False)).any():
            raise _Fallback  # the runtime's calendars decide (and word) a deadline past the table
        chosen = (state == BREACHED) & ~excluded
        if chosen.any():
            parts.append(batch.filter(chosen))
        if progress is not None:  # tickets of the period measured so far
            done += len(state)
            progress(done)
    counts[:, BREACHED, 0] = 0  # the breached tickets are listed one by one
    breached, tickets = _breached(policy, customers, parts, as_of_us)
    k = len(breached["position"])
    groups = np.flatnonzero(counts.reshape(-1))
    sizes = counts.reshape(-1)[groups]
    position, state, excluded = np.unravel_index(groups, counts.shape)
    total = k + int(sizes.sum())

    def column(first: Any, dtype: Any) -> Any:
        out = np.zeros(total, dtype=dtype)  # calloc: the pages past the breached rows stay untouched
        out[:k] = first
        return out

    results = TicketResults(
        index=column(np.arange(k), np.int64),
        customer=np.concatenate([breached["position"], np.repeat(position, sizes)]).astype(np.int64),
        effective=column(breached["effective"], np.int64),
        deadline=column(breached["deadline"], np.int64),
        state=np.concatenate([np.full(k, BREACHED), np.repeat(state, sizes)]).astype(np.int8),
        excluded=np.concatenate([np.zeros(k, dtype=bool), np.repeat(excluded.astype(bool), sizes)]),
        line=column(breached["line"], np.int64),
    )
    return results, tickets


def _calendars(policy: Policy, per: Period) -> Any:
    from .calendars import calendar_table

    return calendar_table(policy, per.start, per.end, strict=False)


def _breached(policy: Policy, customers: Any, parts: list[Any], as_of_us: int) -> tuple[dict[str, Any], Tickets]:
    """The breached tickets' result columns (positions, codes) and their `Tickets` (just them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..runtime.events import MISSING, Tickets

    schema_source = parts[0].schema if parts else None
    table = pa.Table.from_batches(parts, schema=schema_source) if parts else None
    k = 0 if table is None else table.num_rows
    if table is None or k == 0:
        empty = np.zeros(0, dtype=np.int64)
        objects = np.zeros(0, dtype=object)
        tickets = Tickets(objects, objects, objects, empty, empty, np.zeros(0, bool), objects, empty)
        return {"position": empty, "effective": empty, "deadline": empty, "line": empty}, tickets

    def ints(name: str) -> Any:
        return np.asarray(pc.fill_null(pc.cast(table.column(name), pa.int64()), MISSING).to_numpy(), dtype=np.int64)

    def objects_of(name: str) -> Any:
        return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=object)

    prio_names = pa.array(list(policy.priorities), type=pa.string())
    position = ints("position")
    tickets = Tickets(
        id=objects_of("id"),
        customer=customers.id[position],
        priority=objects_of("priority"),
        opened=ints("opened"),
        responded=ints("responded"),
        outage=np.zeros(k, dtype=bool),
        cause=np.full(k, None, dtype=object),
        row=ints("row") + 1,  # Parquet rows are 1-based records, as the runtime's reader numbers them
    )
    effective = np.asarray(pc.index_in(table.column("effective"), value_set=prio_names).to_numpy(), dtype=np.int64)
    return {"position": position, "effective": effective, "deadline": ints("deadline"), "line": ints("line")}, tickets


class _Fallback(Exception):
    """The tickets are read by the runtime's readers and their deadlines checked by its calendars."""


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
        table = _arrow(con.sql(ticket_results_sql(policy)))
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


def _batches(relation: Any, size: int) -> Any:
    """A query's rows streamed as pyarrow record batches (duckdb 2.x `to_arrow_reader`, 1.x `fetch_arrow_reader`)."""
    fetch = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
    return fetch(size)


def _arrow(result: Any) -> Any:
    """A query's rows as one pyarrow.Table (duckdb 1.x `.arrow()`, 2.x `.to_arrow_table()`)."""
    fetch = getattr(result, "to_arrow_table", None) or result.arrow
    return fetch()
