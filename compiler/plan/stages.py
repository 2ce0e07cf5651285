"""A long query of the plan run in Spark stage by stage: each CTE a temporary view, cached when read twice.

Spark inlines a CTE at every reference, so the scoped downtime query (slac.plan.scoped_sql, ~50
CTEs, several read many times) becomes a plan tree that Spark takes minutes to optimise and runs
each shared part again and again. `run_staged(spark, sql)` parses the DuckDB query with sqlglot,
creates its CTEs in order as temporary views of Spark SQL — `CACHE TABLE name AS …` (computed once)
for a CTE read more than once — runs the final SELECT, and drops them all again. The same query
text as DuckDB's, transpiled strictly as slac.plan.dialects does; only its evaluation order differs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def stages(sql: str) -> tuple[list[tuple[str, str, bool]], str]:
    """([(name, Spark SQL of the CTE's query, cached)], the final query in Spark SQL) of a DuckDB `WITH` query.

    A CTE nothing reads is left out."""
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
    """The final query's rows as a pyarrow.Table, its CTEs staged as temporary views (see the module docstring)."""
    parts, final = stages(sql)
    made: list[tuple[str, bool]] = []
    try:
        for name, query, cached in parts:
            if cached:
                spark.sql(f"CACHE TABLE `{name}` AS {query}")
            else:
                spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW `{name}` AS {query}")
            made.append((name, cached))
        return spark.sql(final).toArrow()
    finally:
        for name, cached in reversed(made):
            if cached:
                spark.sql(f"UNCACHE TABLE IF EXISTS `{name}`")
            spark.catalog.dropTempView(name)
