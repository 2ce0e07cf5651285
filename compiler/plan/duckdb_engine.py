"""`--engine duckdb`: the plan's SQL run in embedded DuckDB, the report built by the runtime's own assembly.

The event files are read and validated by the runtime's readers (`slac.runtime.inputs`), so a bad
row is named with the same file, row, column and message as under the numpy engine; their tables
become the plan's input relations (`slac.plan.inputs`), `calendar_open` comes from the runtime's
calendars (`slac.plan.calendars`), and DuckDB computes `ticket_results` (`slac.plan.tickets_sql`)
under a memory limit with two threads. The report is then `slac.runtime.evaluate.assemble` over
those results and the runtime's downtime of the incidents (a few thousand rows), so it is the
numpy engine's report byte for byte.

Not evaluated yet (refused with `UsageError`, never answered wrongly): contracts of language v2
(services, scopes, windows, formulas) and ticket clocks (resolution, update, business-day and
pausing targets).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import limits
from ..runtime.engines import Inputs, UsageError, read_events_any

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Events
    from ..runtime.policy import Policy

MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it
THREADS = 2


def refuse_unsupported(policy: Policy) -> None:
    """An honest refusal for a term the SQL plan does not evaluate yet."""
    from ..runtime.scoped import needs_scopes
    from ..runtime.tickets import uses_clocks

    term = None
    if needs_scopes(policy.raw):
        term = "contracts with services, scopes, windows or formulas (language v2)"
    elif uses_clocks(policy):
        term = "ticket clocks (resolution, update, business-day or pausing targets)"
    if term is not None:
        raise UsageError(f"the duckdb engine does not evaluate {term} yet; use --engine numpy")


def connect() -> Any:
    """An in-memory DuckDB with the engine's memory limit and threads."""
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a core dependency
        raise UsageError("the duckdb engine needs the duckdb package: pip install duckdb") from None
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET preserve_insertion_order = false")
    return con


def evaluate(
    policy: Policy,
    inputs: Inputs,
    *,
    period: str,
    as_of: datetime | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    """The report of one period, as `slac.runtime.engines._numpy` returns it."""
    from ..runtime.availability import downtime
    from ..runtime.calendar import to_us
    from ..runtime.columns import codes
    from ..runtime.evaluate import Period, assemble

    refuse_unsupported(policy)
    events = read_events_any(policy, inputs)
    per = Period.month(policy, period)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    as_of_us = to_us(as_of) if as_of is not None else per.end
    ids = events.customers.id.tolist()
    customer_index = {c: i for i, c in enumerate(ids)}
    codes(events.customers.tier, list(policy.tiers), "tier")
    results = sql_ticket_results(policy, events, per, as_of_us)
    down = downtime(policy, events.incidents, customer_index, per.start, per.end)
    collecting = gc.isenabled()
    gc.disable()  # as in the runtime's evaluate: the report's many small acyclic dicts
    try:
        report = assemble(policy, events, per, as_of_us, results, down)
    finally:
        if collecting:
            gc.enable()
    if progress is not None:
        total = len(events.tickets.id)
        progress(total, total)
    return report


def sql_ticket_results(policy: Policy, events: Events, per: Period, as_of_us: int) -> TicketResults:
    """`ticket_results` computed by DuckDB over the events' relations, as the runtime's `TicketResults`."""
    from .calendars import calendar_table
    from .inputs import customers_table, params_table, tickets_table
    from .tickets_sql import ticket_results_sql

    con = connect()
    import duckdb

    try:
        con.register("customers", customers_table(events.customers))
        con.register("tickets", tickets_table(events.tickets))
        con.register("params", params_table(per.start, per.end, as_of_us))
        con.register("calendar_open", calendar_table(policy, per.start, per.end, strict=False))
        table = _arrow(con.sql(ticket_results_sql(policy)))
    except duckdb.Error as exc:  # out of memory, out of temporary disk space
        raise UsageError(f"the duckdb engine failed: {exc}; raise its memory limit or use --engine numpy") from None
    finally:
        con.close()
    return to_ticket_results(policy, events, table, as_of_us)


def to_ticket_results(policy: Policy, events: Events, table: Any, as_of_us: int) -> TicketResults:
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
        _ask_the_runtime(policy, events, results, decided, beyond, as_of_us)
    return results


def _ask_the_runtime(
    policy: Policy, events: Events, results: TicketResults, decided: Any, beyond: Any, as_of_us: int
) -> None:
    """Deadlines past the calendar table: the runtime's calendars compute them (or refuse them, as numpy does)."""
    from ..runtime.evaluate import BREACHED, MET, OPEN
    from ..runtime.events import MISSING

    tickets = events.tickets
    tier_of = dict(zip(events.customers.id.tolist(), events.customers.tier.tolist(), strict=True))
    for k in np.flatnonzero(beyond).tolist():
        i = int(results.index[k])
        found = policy.target(tier_of[tickets.customer[i]], tickets.priority[i], bool(tickets.outage[i]))
        assert found is not None
        target = found[0]
        due, when = policy.calendars[target.calendar].deadlines_decided(
            np.array([tickets.opened[i]], dtype=np.int64), np.array([target.within_us], dtype=np.int64)
        )
        results.deadline[k], decided[k] = int(due[0]), int(when[0])
        responded = int(tickets.responded[i])
        if responded != MISSING:
            results.state[k] = MET if responded <= decided[k] else BREACHED
        else:
            results.state[k] = BREACHED if decided[k] < as_of_us else OPEN


def _arrow(result: Any) -> Any:
    """A query's rows as one pyarrow.Table (duckdb 1.x `.arrow()`, 2.x `.to_arrow_table()`)."""
    fetch = getattr(result, "to_arrow_table", None) or result.arrow
    return fetch()
