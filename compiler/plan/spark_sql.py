"""What the spark engine's modules share: where the tickets are (`Source`), temporary views, and
running a DuckDB-dialect script of the plan in Spark (`run_script`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where the tickets are: kind parquet, csv, delta or table, and the path or table name."""

    kind: str
    where: str

    @property
    def lake(self) -> bool:
        """Only Spark reads it (the runtime's readers read files only)."""
        return self.kind in ("delta", "table")

    def label(self) -> str:
        return f"table {self.where}" if self.kind == "table" else self.where


def view(spark: Any, views: list[str], name: str, frame: Any) -> None:
    """`frame` as the temporary view `name`, remembered in `views` to be dropped afterwards."""
    frame.createOrReplaceTempView(name)
    views.append(name)


def register(spark: Any, relations: dict[str, Any]) -> None:
    """Each pyarrow.Table of `relations` as a temporary view of its name."""
    for name, table in relations.items():
        spark.createDataFrame(table).createOrReplaceTempView(name)


JOB_GROUP = "slac"  # the Spark jobs of one run, cancelled together on Ctrl-C (`interruptible`)
_PY4J_INTERRUPTED = "KeyboardInterrupt while sending command."  # what py4j logs, with a traceback


@contextmanager
def interruptible(spark: Any) -> Iterator[None]:
    """Ctrl-C during a Spark run is a plain KeyboardInterrupt (the CLI's `slac: interrupted`, 130),
    and the run's jobs are cancelled.

    PySpark's own SIGINT handler cancels the jobs by a call to the JVM made inside the handler, on the
    connection the interrupted call is waiting on: that call failed, and its error (a py4j traceback,
    or the interrupted call's own error, worded as a Spark failure) came out instead. Here Python's
    default handler raises KeyboardInterrupt while the run lasts (py4j then closes that connection;
    its log of it, a traceback, is dropped); the run's jobs (`JOB_GROUP`) are then cancelled on a new
    connection, so the JVM (which ignores SIGINT) has none running when it ends with this process.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield  # only the main thread takes signals; one started ignoring them (`slac … &`) keeps doing so
        return
    context = spark.sparkContext
    context.setJobGroup(JOB_GROUP, "slac evaluate", interruptOnCancel=True)
    root, quiet = logging.getLogger(), _Quiet()
    alone = not root.handlers  # else py4j's logging.exception would add a stderr handler (basicConfig)
    root.addFilter(quiet)
    if alone:
        root.addHandler(quiet)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    except BaseException as exc:
        if not _after_interrupt(exc):
            raise
        with suppress(Exception):
            context.cancelJobGroup(JOB_GROUP)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt from None  # not the error of the call py4j made while unwinding it
    finally:
        signal.signal(signal.SIGINT, before)
        root.removeFilter(quiet)
        if alone:
            root.removeHandler(quiet)
        with suppress(Exception):  # the session may be the caller's: later jobs are not slac's
            context.setLocalProperty("spark.jobGroup.id", None)


def _after_interrupt(exc: BaseException) -> bool:
    """Whether `exc` is a KeyboardInterrupt or was raised while one unwound: PySpark's `collect` resets the call
    site on a new py4j connection as the interrupt leaves it, and that call can fail (`Answer from Java
    side is empty`), replacing the interrupt with its error (or, worded, with the engine's refusal)."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        if isinstance(found, KeyboardInterrupt):
            return True
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return False


class _Quiet(logging.Handler):
    """Drops py4j's log of an interrupted command; anything else is printed as with no handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _PY4J_INTERRUPTED

    def emit(self, record: logging.LogRecord) -> None:
        # py4j's own loggers have a NullHandler: as without this handler, their records are not printed.
        py4j = record.name == "py4j" or record.name.startswith("py4j.")
        if not py4j and logging.lastResort is not None and record.levelno >= logging.lastResort.level:
            logging.lastResort.handle(record)


def spark_failure(exc: Exception) -> Any:
    """A failure of Spark (out of memory, a lost executor) as the engine's one-line refusal (a UsageError)."""
    from ..runtime.engines import UsageError

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return UsageError(f"the spark engine failed: {first}; give Spark more memory or use --engine duckdb")


def run_script(spark: Any, sql: str) -> Any:
    """Run a DuckDB-dialect script of the plan in Spark, statement by statement; the last one's DataFrame."""
    from .dialects import statements

    result = None
    for statement in statements(sql, "spark"):
        result = spark.sql(statement)
    return result


@dataclass(frozen=True)
class Stage:
    """One Spark job of a staged query (`run_staged`): the CTE `name` ("" the final query) with the CTEs
    read once that it absorbs, as one Spark SQL query (`fused`), and as the separate queries `pieces`
    [(name, Spark SQL)] of those CTEs and of its own, in order (each reading the views before it)."""

    name: str
    fused: str
    pieces: list[tuple[str, str]]


def staged(sql: str) -> list[Stage]:
    """The stages of a DuckDB `WITH` query (`run_staged`), the final query last: one per CTE read more
    than once; a CTE read once is written as a CTE of the one query that reads it (of the stage that
    reads that one, when it is read once too); a CTE nothing reads is left out."""
    from collections import Counter

    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel

    from .dialects import DialectError

    def spark(tree: Any) -> str:
        return str(tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE, max_unsupported=1))

    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        key = "with_" if "with_" in tree.args else "with"  # sqlglot ≥ 28 names the argument `with_`
        with_ = tree.args.get(key)
        ctes = list(with_.expressions) if with_ is not None else []
        tree.set(key, None)
        names = {cte.alias for cte in ctes}

        def read(query: Any) -> list[str]:
            return [t.name for t in query.find_all(exp.Table) if t.name in names and not t.args.get("db")]

        reads = Counter(name for query in (*(c.this for c in ctes), tree) for name in read(query))
        # A CTE read once → the stage it joins (a CTE read more than once, "" the final query): its reader's.
        owner = {name: "" for name in read(tree) if reads[name] == 1}
        for cte in reversed(ctes):  # a reader comes after what it reads
            mine = owner.get(cte.alias, cte.alias) if reads[cte.alias] == 1 else cte.alias
            owner.update((name, mine) for name in read(cte.this) if reads[name] == 1)

        def stage(name: str, query: Any) -> Stage:
            absorbed = [c for c in ctes if reads[c.alias] == 1 and owner.get(c.alias) == name]
            fused = query.copy()
            for cte in absorbed:
                fused = fused.with_(cte.alias, as_=cte.this.copy(), append=True)
            pieces = [(c.alias, spark(c.this)) for c in absorbed]
            return Stage(name, spark(fused), [*pieces, (name, spark(query))])

        return [*(stage(c.alias, c.this) for c in ctes if reads[c.alias] > 1), stage("", tree)]
    except sqlglot.errors.SqlglotError as exc:
        raise DialectError(f"the plan's SQL cannot be written for spark: {str(exc).strip().splitlines()[0]}") from None


def run_staged(spark: Any, sql: str) -> Any:
    """The rows of a long DuckDB `WITH` query as a pyarrow.Table, run in Spark stage by stage.

    Spark inlines a CTE (and a view) at every reference, so a query of ~65 CTEs, many read several
    times (slac.plan.scoped_sql), grows a plan that Spark takes many minutes to optimise and whose
    shared parts it computes again at each reference. Here each CTE read more than once is computed
    once, in order, and checkpointed (`localCheckpoint`: its rows held by the executors, its lineage
    cut) as a temporary view of its name, which the later ones read; a CTE read once stays a CTE of
    the query that reads it (Spark inlines it there, once), so it costs no Spark job of its own:
    Spark's fixed cost per job is what a small v2 case spends its time on. The final query reads
    those views. A fused stage that Spark 4.0's optimiser fails on (seen: "key not found" in a
    window over a union of checkpointed views) is run as its pieces, each checkpointed. The query
    text is DuckDB's, transpiled strictly as slac.plan.dialects does; only the order of evaluation
    differs. The views and the checkpointed rows are freed afterwards.
    """
    stages = staged(sql)
    taken = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    clash = sorted(taken & {name for stage in stages for name, _ in stage.pieces if name})
    if clash:  # a stage would replace an input relation: a bug of the plan's names, never run
        raise RuntimeError(f"the staged query's CTEs {clash} would replace the views of the same names")
    made: list[tuple[str, Any]] = []
    try:
        for stage in stages[:-1]:
            frame = _run(spark, stage, made, lambda f: f.localCheckpoint(eager=True))
            frame.createOrReplaceTempView(stage.name)
            made.append((stage.name, frame))
        return _run(spark, stages[-1], made, lambda f: f.toArrow())
    finally:
        for name, frame in reversed(made):
            spark.catalog.dropTempView(name)
            frame.unpersist()


def _run(spark: Any, stage: Stage, made: list[tuple[str, Any]], action: Callable[[Any], Any]) -> Any:
    """`action` on the DataFrame of the stage's fused query; when Spark fails on it, on that of its last
    piece, the pieces before it checkpointed as views (remembered in `made`)."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    try:
        return action(spark.sql(stage.fused))
    except (Py4JJavaError, PySparkException):
        if len(stage.pieces) == 1:  # nothing to split: Spark's own failure
            raise
    for name, query in stage.pieces[:-1]:
        frame = spark.sql(query).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        made.append((name, frame))
    return action(spark.sql(stage.pieces[-1][1]))
