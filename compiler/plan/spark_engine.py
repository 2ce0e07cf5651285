"""`--engine spark`: the plan's SQL, transpiled to Spark SQL by sqlglot, run by pyspark.

pyspark is the optional extra `slac[spark]` (it needs Java 17); without it the engine says how to
install it. The session is local (`--spark-master`, default `local[2]`) or a cluster's master URL,
with few shuffle partitions (the plan's relations are small once grouped) and UTC as its zone.
pyspark is imported only here, and only when the engine runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import limits
from ..runtime.engines import Inputs, UsageError, read_events_any
from .spark_sql import interruptible, register, run_script, spark_failure

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Events
    from ..runtime.policy import Policy
    from .spark_lake import Lake

MASTER = "local[2]"
SHUFFLE_PARTITIONS = 2
DRIVER_MEMORY = "4g"  # a local master's JVM heap (Spark's default 1g does not hold 5M tickets)
INSTALL = "pip install 'slac[spark]'"


def _pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise UsageError(f"the spark engine needs pyspark, which is not installed: {INSTALL} (and Java 17)") from None
    return pyspark.sql


def java_missing() -> str | None:
    """Why Spark cannot start here (no java on PATH nor JAVA_HOME), or None."""
    home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (home and os.path.exists(os.path.join(home, "bin", "java"))):
        return (
            "the spark engine needs Java 17 (`java` is not on PATH; on Debian: apt-get install openjdk-17-jre-headless)"
        )
    return None


def session(master: str = MASTER) -> Any:
    """A SparkSession on `master` (the running one when there is one), UTC, with few shuffle partitions.

    A local master binds to the loopback address only.
    """
    sql = _pyspark()
    missing = java_missing()
    if missing is not None:
        raise UsageError(missing)
    builder = (
        sql.SparkSession.builder.master(master)
        .appName("slac")
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", DRIVER_MEMORY)
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # py4j or the JVM: no traceback for a master that cannot be reached
        raise UsageError(f"cannot start Spark on {master}: {str(exc).strip().splitlines()[0]}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def start(policy: Policy, master: str = MASTER) -> Any:
    """The session to evaluate `policy` on, after refusing a term the plan does not evaluate yet."""
    from .duckdb_engine import refuse_unsupported

    refuse_unsupported(policy, "spark")  # the plan's coverage is the duckdb engine's
    return session(master)


def evaluate(
    policy: Policy,
    inputs: Inputs,
    *,
    period: str,
    as_of: datetime | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    """The report of one period, as `slac.runtime.engines._numpy` returns it, the tickets measured by Spark.

    Spark reads the tickets itself (a Parquet or CSV file, a Delta table, `table:NAME`;
    `slac.plan.spark_inputs`) when they pass its checks; otherwise the runtime's readers read and
    validate the files (a bad row is named as under the numpy engine), any other input from a Delta
    table or `table:NAME` exported to a Parquet file first (`slac.plan.spark_lake`). The SparkSession is the
    running one (`slac evaluate --spark-master` starts it) or a `local[2]` one.
    """
    from ..runtime.scoped import needs_scopes
    from .spark_inputs import spark_reads_tickets
    from .spark_lake import lake_inputs

    spark = start(policy)
    with interruptible(spark):
        if needs_scopes(policy.raw):  # language v2: slac.plan.spark_scoped, the scoped SQL run stage by stage
            from .spark_scoped import evaluate_v2

            with lake_inputs(spark, inputs) as lake:  # Delta tables and table:NAME as Parquet files
                return evaluate_v2(
                    spark, policy, lake.inputs,
                    lambda events, per, at: spark_ticket_results(spark, policy, events, per, at),
                    period=period, as_of=as_of, progress=progress, located=lake.events,
                )  # fmt: skip
        # Spark reads lake tickets itself (spark_inputs) unless the runtime's readers must read them too.
        with lake_inputs(spark, inputs, keep=("tickets",) if spark_reads_tickets(inputs) else ()) as lake:
            return _evaluate_v1(spark, policy, lake, period=period, as_of=as_of, progress=progress)


def _evaluate_v1(
    spark: Any, policy: Policy, lake: Lake, *, period: str, as_of: datetime | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:  # fmt: skip
    from ..runtime.calendar import to_us
    from ..runtime.evaluate import Period
    from .duck import check_tiers
    from .duckdb_engine import assemble_report  # the duckdb engine's report: the runtime's assembly
    from .spark_inputs import read_natively

    per = Period.month(policy, period)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    as_of_us = to_us(as_of) if as_of is not None else per.end
    inputs = lake.inputs
    found = read_natively(spark, policy, inputs, per, as_of_us, progress)  # Spark reads the tickets itself
    if found is None:  # the runtime's readers read (and check) every file
        events = lake.events(read_events_any(policy, inputs))
        check_tiers(policy, events.customers)
        results, total = spark_ticket_results(spark, policy, events, per, as_of_us), len(events.tickets.id)
    else:
        events, results, total = found
    report = assemble_report(policy, events, per, as_of_us, results)
    if progress is not None:
        progress(total, total)
    return report


def spark_ticket_results(spark: Any, policy: Policy, events: Events, per: Period, as_of_us: int) -> TicketResults:
    """`ticket_results` computed by Spark SQL (the plan's query, transpiled), as the runtime's `TicketResults`."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    from .calendars import calendar_table
    from .inputs import customers_table, params_table, tickets_table
    from .results import clock_relations, clock_ticket_results, to_ticket_results, uses_clock_sql
    from .tickets_sql import ticket_results_sql

    clocked = uses_clock_sql(policy)  # issue 12: the clock queries (slac.plan.clocks_sql), transpiled
    relations = clock_relations(policy, events, per, as_of_us) if clocked else {
        "customers": customers_table(events.customers),
        "tickets": tickets_table(events.tickets),
        "params": params_table(per.start, per.end, as_of_us),
        "calendar_open": calendar_table(policy, per.start, per.end, strict=False),
    }  # fmt: skip
    steps: list[str] = []  # the clock steps' views, dropped with the relations

    def materialize(name: str, query: str) -> None:
        run_script(spark, query).localCheckpoint().createOrReplaceTempView(name)
        steps.append(name)

    try:
        register(spark, relations)
        if clocked:
            return clock_ticket_results(
                policy, events, per, as_of_us, lambda q: run_script(spark, q).toArrow(), materialize
            )
        table = run_script(spark, ticket_results_sql(policy)).toArrow()
    except (Py4JError, PySparkException) as exc:  # out of memory, a lost executor: no traceback
        raise spark_failure(exc) from None
    finally:
        for name in [*relations, *steps]:  # the session may evaluate again: free what it holds
            with suppress(Py4JError, PySparkException):  # a JVM that failed holds nothing
                spark.catalog.dropTempView(name)
    return to_ticket_results(policy, events, table, per, as_of_us)
