"""What the spark engine's modules share: where the tickets are (`Source`), temporary views, and
running a DuckDB-dialect script of the plan in Spark (`run_script`)."""

from __future__ import annotations

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


def staged(sql: str) -> tuple[list[tuple[str, str, bool]], str]:
    """([(name, Spark SQL of the CTE's query, read more than once)], the final query in Spark SQL) of a
    DuckDB `WITH` query (`run_staged`); a CTE nothing reads is left out."""
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
        names = {cte.alias for cte in ctes}
        reads = Counter(t.name for t in tree.find_all(exp.Table) if t.name in names and not t.args.get("db"))
        out = [(cte.alias, spark(cte.this), reads[cte.alias] > 1) for cte in ctes if reads[cte.alias]]
        tree.set(key, None)
        return out, spark(tree)
    except sqlglot.errors.SqlglotError as exc:
        raise DialectError(f"the plan's SQL cannot be written for spark: {str(exc).strip().splitlines()[0]}") from None


def run_staged(spark: Any, sql: str) -> Any:
    """The rows of a long DuckDB `WITH` query as a pyarrow.Table, run in Spark stage by stage.

    Spark inlines a CTE (and a view) at every reference, so a query of ~65 CTEs, many read several
    times (slac.plan.scoped_sql), grows a plan that Spark takes many minutes to optimise and whose
    shared parts it computes again at each reference. Here each CTE is computed once, in order, and
    checkpointed (`localCheckpoint`: its rows held by the executors, its lineage cut) as a temporary
    view of its name, which the later ones read; the final query reads those views. The query text
    is DuckDB's, transpiled strictly as slac.plan.dialects does; only the order of evaluation differs.
    The views and the checkpointed rows are freed afterwards.
    """
    parts, final = staged(sql)
    taken = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    clash = sorted(taken & {name for name, _, _ in parts})
    if clash:  # a stage would replace an input relation: a bug of the plan's names, never run
        raise RuntimeError(f"the staged query's CTEs {clash} would replace the views of the same names")
    made: list[tuple[str, Any]] = []
    try:
        for name, query, _ in parts:
            frame = spark.sql(query).localCheckpoint(eager=True)
            frame.createOrReplaceTempView(name)
            made.append((name, frame))
        return spark.sql(final).toArrow()
    finally:
        for name, frame in reversed(made):
            spark.catalog.dropTempView(name)
            frame.unpersist()
