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


def run_script(spark: Any, sql: str) -> Any:
    """Run a DuckDB-dialect script of the plan in Spark, statement by statement; the last one's DataFrame."""
    from .dialects import statements

    result = None
    for statement in statements(sql, "spark"):
        result = spark.sql(statement)
    return result
