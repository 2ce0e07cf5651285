"""Contracts of language v2 (services, scopes, windows, formulas) in the spark engine (issue 15).

The duckdb engine's v2 evaluation (slac.plan.scoped_engine) with Spark running its queries: the
tickets by `spark_engine.spark_ticket_results` (the response queries, or with ticket clocks the clock
queries with each step checkpointed), and every other measurement — the scopes' downtime per window,
the charges, the scopes each customer's own incidents open — by the scoped SQL transpiled to Spark SQL
and run stage by stage (`spark_sql.run_staged`). The report is the runtime's scoped assembly over
those measurements, so it is the numpy engine's report byte for byte. The files are read by the
runtime's readers, so a bad row is named as under the numpy engine (a Delta table or `table:NAME`
is exported to a Parquet file first, its bad record named in the lake: slac.plan.spark_lake).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..runtime.engines import Inputs, read_events_any

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Events
    from ..runtime.policy import Policy
    from ..runtime.windows import Window

Tickets = Callable[["Events", "Period", int], "TicketResults"]  # the tickets' results measured by Spark


def evaluate_v2(
    spark: Any, policy: Policy, inputs: Inputs, tickets: Tickets, *, period: str, as_of: datetime | None,
    progress: Callable[[int, int], None] | None, located: Callable[[Events], Events] = lambda events: events,
) -> dict[str, Any]:  # fmt: skip
    """`--engine spark` for a v2 contract: the runtime's readers, Spark's measurements, the runtime's assembly;
    `tickets(events, period, as_of_us)` is `spark_engine.spark_ticket_results` in the engine's session,
    `located(events)` the events with the rows of their lakes (`spark_lake.Lake.events`)."""
    from .scoped_engine import window_of

    events = located(read_events_any(policy, inputs))
    window, as_of_us = window_of(policy, period, as_of)
    report = spark_report(spark, policy, events, window, as_of_us, tickets)
    if progress is not None:
        total = len(events.tickets.id)
        progress(total, total)
    return report


def spark_report(
    spark: Any, policy: Policy, events: Events, window: Window, as_of_us: int, tickets: Tickets
) -> dict[str, Any]:
    """The report of validated events (the runtime's tables), measured by Spark."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    from .duck import check_tiers
    from .scoped_engine import assemble, relations, ticket_parts
    from .spark_sql import register, run_staged, spark_failure

    check_tiers(policy, events.customers)
    parts = ticket_parts(policy, events, window, as_of_us, lambda per: tickets(events, per, as_of_us))
    tables = relations(events)  # after the tickets: their queries drop the views they made (customers too)
    try:
        register(spark, tables)
        return assemble(policy, events, window, as_of_us, parts, lambda sql: run_staged(spark, sql))
    except (Py4JError, PySparkException) as exc:  # out of memory, a lost executor: no traceback
        raise spark_failure(exc) from None
    finally:
        for name in tables:
            with suppress(Py4JError, PySparkException):  # a JVM that failed holds nothing
                spark.catalog.dropTempView(name)
