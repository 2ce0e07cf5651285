"""The plan's SQL in other dialects: written once in DuckDB's, transpiled by sqlglot.

`transpile(sql, dialect)` gives the whole script for one of `DIALECTS`; `statements(sql, dialect)`
gives its statements one by one (Spark's `spark.sql` runs one at a time). A construct that sqlglot
cannot express in the target dialect is an error (`DialectError`), never a silently different query.

Two rewrites keep the meaning where a dialect lacks the construct:
- DuckDB orders NULLs last; BigQuery cannot say `NULLS LAST` inside a window's ORDER BY, so such a
  key `k` becomes the two keys `k IS NULL, k` (a boolean is never NULL; false sorts first);
- BigQuery has no temporary views: `CREATE TEMPORARY VIEW v AS q` becomes `CREATE TEMP TABLE v AS q`
  (the script is a BigQuery multi-statement query).
sqlglot is imported only here, and only when called, so `import slac` never loads it.
"""

from __future__ import annotations

from typing import Any

DIALECTS: tuple[str, ...] = ("duckdb", "spark", "bigquery", "snowflake", "postgres")


class DialectError(ValueError):
    """An unknown dialect, or SQL that cannot be written in the chosen one (the CLI exits 2)."""


def check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise DialectError(f"unknown SQL dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    return dialect


def statements(sql: str, dialect: str, *, pretty: bool = False) -> list[str]:
    """The statements of a DuckDB script `sql`, each written in `dialect` (without a closing `;`)."""
    check_dialect(dialect)
    import sqlglot
    from sqlglot.errors import ErrorLevel, SqlglotError

    try:
        trees = [tree for tree in sqlglot.parse(sql, read="duckdb") if tree is not None]
        if dialect == "bigquery":
            trees = [_for_bigquery(tree) for tree in trees]
        return [
            tree.sql(dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE, max_unsupported=1)
            for tree in trees
        ]
    except SqlglotError as exc:
        raise DialectError(f"the plan's SQL cannot be written for {dialect}: {_first_line(exc)}") from None


def transpile(sql: str, dialect: str) -> str:
    """The DuckDB script `sql` written for `dialect`: its statements, each ended by `;`, pretty-printed.

    For duckdb itself the script is returned as written: it is the plan's source.
    """
    if check_dialect(dialect) == "duckdb":
        return sql
    return "".join(f"{statement};\n\n" for statement in statements(sql, dialect, pretty=True)).rstrip("\n") + "\n"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _for_bigquery(tree: Any) -> Any:
    from sqlglot import exp

    for window in list(tree.find_all(exp.Window)):
        order = window.args.get("order")
        if order is None:
            continue
        keys: list[Any] = []
        for key in order.expressions:
            keys.extend(_nulls_as_key(key))
        order.set("expressions", keys)
    if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "VIEW":
        properties = tree.args.get("properties")
        temporary = properties is not None and any(isinstance(p, exp.TemporaryProperty) for p in properties.expressions)
        if temporary:
            tree.set("kind", "TABLE")
    return tree


def _nulls_as_key(key: Any) -> list[Any]:
    """`k` ordered with NULLs where DuckDB puts them, in BigQuery's terms (NULLs sort first ascending)."""
    from sqlglot import exp

    if not isinstance(key, exp.Ordered):
        return [key]
    desc = bool(key.args.get("desc"))
    nulls_first = bool(key.args.get("nulls_first"))
    bigquery_default = not desc  # NULLs are the smallest values: first ascending, last descending
    if nulls_first == bigquery_default:
        return [key]
    # `k IS NULL` is never NULL; descending puts true (the NULLs of k) first.
    is_null = exp.Is(this=key.this.copy(), expression=exp.Null())
    first = exp.Ordered(this=is_null, desc=nulls_first, nulls_first=not nulls_first)
    return [first, exp.Ordered(this=key.this, desc=key.args.get("desc"), nulls_first=bigquery_default)]
