"""`--engine duckdb`: the plan's SQL run in embedded DuckDB, the report built by the runtime's own assembly.

The tickets file is read by DuckDB itself, streaming under a memory limit with two threads: a
Parquet file directly (`inputs.parquet_tickets_view`), a plain CSV or JSON Lines file after pyarrow
streams it into Parquet text typed in SQL (`native_text`). One SQL pass first checks that no record
is one the runtime's reader would refuse (`inputs.tickets_problems_sql`); then only per-customer
counts and the breached tickets come back to Python (`native.streamed_results`; the breached ones
written to disk as they come and sorted there by DuckDB), so no ticket table is held in memory and
there is no row ceiling; the report is then the runtime's own assembly run over a block of customers
at a time, as the JSON writer reaches it (`report_stream`), so the report is never held whole. Any
other file (unusual Parquet, a CSV with empty lines or values over lines) or any doubtful record is
read by the runtime's readers (`slac.runtime.inputs`), so a bad row is named with the same file,
row, column and message as under the numpy engine (a CSV too big for them:
`native_text.word_first_problem`); their tables then become the plan's input relations
(`slac.plan.inputs`, `slac.plan.results`). Either way `calendar_open` comes from the runtime's
calendars (`slac.plan.calendars`), DuckDB computes `ticket_results` (`slac.plan.tickets_sql`), and
the report is `slac.runtime.evaluate.assemble` over those results and the runtime's downtime of the
customers and incidents (read by the runtime's readers: they are small), so it is the numpy engine's
report byte for byte. `slac evaluate` runs this engine without --engine for more tickets than numpy
holds (`takes_by_default`).

Ticket clocks (resolution and update targets, pauses, reopenings, business days, `warn at`) are
measured by the clock queries (`slac.plan.clocks_sql`, `results.clock_ticket_results`); when they
leave a ticket unknown (an update gap in business days that a pause touches, an instant past the
calendar table) the runtime's own clocks measure the period's tickets, so the report is the same. A contract of language v2 (services, scopes, windows, formulas)
is evaluated by `slac.plan.scoped_engine` (its downtime measured in SQL, its report the runtime's
scoped assembly), with ticket clocks too (the same clock queries per window).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import limits
from ..runtime.engines import Inputs, UsageError, read_events_any
from .duck import check_tiers, stage

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Events
    from ..runtime.policy import Policy


def refuse_unsupported(policy: Policy, engine: str = "duckdb") -> None:
    """An honest refusal, by the engine running the SQL plan, for a term the plan does not evaluate yet."""
    term = None  # every term is evaluated (language v2: plan/scoped_engine.py, plan/spark_scoped.py)
    if term is not None:
        raise UsageError(f"the {engine} engine does not evaluate {term} yet; use --engine numpy")


def takes_by_default(policy: Policy, inputs: Inputs) -> bool:
    """Whether `slac evaluate` without --engine runs this engine (`engines.choose_engine`): tickets
    DuckDB reads itself in a Parquet file of at least `engines.DUCKDB_FROM_ROWS` rows or a CSV or JSON
    Lines file of at least `engines.DUCKDB_FROM_BYTES`, of a contract whose every term it evaluates
    from tickets it reads itself (language v1 without ticket clocks)."""
    import os

    from ..runtime import engines
    from .inputs import parquet_rows, parquet_tickets_fit

    path = inputs.tickets
    if path is None or inputs.charges or inputs.requests or inputs.ticket_events:
        return False
    try:
        refuse_unsupported(policy)
    except UsageError:
        return False
    from ..runtime.scoped import needs_scopes
    from .results import uses_clock_sql

    if needs_scopes(policy.raw) or uses_clock_sql(policy):  # read by the runtime's readers: numpy's ceiling
        return False
    if path.lower().endswith((".csv", ".jsonl", ".ndjson")):
        return os.path.isfile(path) and os.path.getsize(path) >= engines.DUCKDB_FROM_BYTES
    return parquet_tickets_fit(path) and parquet_rows(path) >= engines.DUCKDB_FROM_ROWS


def evaluate(
    policy: Policy,
    inputs: Inputs,
    *,
    period: str,
    as_of: datetime | None,
    progress: Callable[[int, int], None] | None,
    for_json: bool = False,
) -> dict[str, Any]:
    """The report of one period, as `slac.runtime.engines._numpy` returns it (`for_json`: as
    `runtime.evaluate.evaluate_for_json` does, each customer's breaches as JSON text)."""
    from ..runtime.calendar import to_us
    from ..runtime.evaluate import Period
    from ..runtime.scoped import needs_scopes

    refuse_unsupported(policy)
    if needs_scopes(policy.raw):  # language v2 (issue 15): slac.plan.scoped_engine
        from .scoped_engine import evaluate_duckdb

        return evaluate_duckdb(policy, inputs, period=period, as_of=as_of, progress=progress)
    per = Period.month(policy, period)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    as_of_us = to_us(as_of) if as_of is not None else per.end
    from .native import read_natively
    from .results import sql_ticket_results, uses_clock_sql

    found = None if uses_clock_sql(policy) else read_natively(policy, inputs, per, as_of_us, progress)
    if found is None:  # the runtime's readers read (and check) every file
        from contextlib import nullcontext

        from .duck import in_memory_ceiling

        with in_memory_ceiling() if uses_clock_sql(policy) else nullcontext():
            events = read_events_any(policy, inputs)
        check_tiers(policy, events.customers)
        results, total = sql_ticket_results(policy, events, per, as_of_us), len(events.tickets.id)
        report = assemble_report(policy, events, per, as_of_us, results, json_runs=for_json)
    else:  # assembled a block of customers at a time, as the JSON writer reaches them
        from .report_stream import native_report

        total = found.total
        stage(progress, "the report")
        report = native_report(policy, found, per, as_of_us, for_json=for_json)
    if progress is not None:
        progress(total, total)
    return report


def assemble_report(
    policy: Policy, events: Events, per: Period, as_of_us: int, results: TicketResults, *, json_runs: bool = False
) -> dict[str, Any]:
    """The runtime's own report assembly over SQL's ticket results and the runtime's downtime
    (`json_runs`: breaches as JSON text for the JSON writer, as `runtime.evaluate.assemble` has them)."""
    from ..runtime.availability import downtime
    from ..runtime.evaluate import assemble

    customer_index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    down = downtime(policy, events.incidents, customer_index, per.start, per.end)
    collecting = gc.isenabled()
    gc.disable()  # as in the runtime's evaluate: the report's many small acyclic dicts
    try:
        return assemble(policy, events, per, as_of_us, results, down, json_runs=json_runs)
    finally:
        if collecting:
            gc.enable()
