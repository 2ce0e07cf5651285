"""The checks of the runtime's tickets reader in Spark SQL, over the `tickets_read` view that
`slac.plan.spark_inputs` makes, and the wording of the first record they refuse in a Delta or
catalog table: that record alone goes through the runtime's reader, so the message is its own,
located at the Delta data file and record or at the table's row.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .spark_sql import Source, view

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.events import Customers
    from ..runtime.policy import Policy


def problems_sql(policy: Policy) -> str:
    """The checks of the runtime's tickets reader over `tickets_read` (Spark SQL): `bad` per record.

    Its rules (`inputs.row_conditions`), and the flags of what Spark does not read as the runtime does.
    """
    from .inputs import row_conditions

    checks = ["t.f_cell", "t.f_opened", "t.f_responded", "t.f_resolved", "t.f_outage", *row_conditions(policy)]
    bad = "\n    OR ".join(f"COALESCE({c}, FALSE)" for c in (f"({check})" for check in checks))
    return f"""SELECT t.*, ({bad}) AS bad
FROM tickets_read t LEFT JOIN customers c ON c.customer = t.customer AND t.customer <> ''"""


def first_problem(spark: Any, policy: Policy, views: list[str]) -> tuple[int, Any]:
    """(records, the first refused record: ("row", its src_file, row, src_row) or ("dup", …), or None)."""
    view(spark, views, "tickets_checked", spark.sql(problems_sql(policy)))
    summary = spark.sql(
        "SELECT count(*) AS n, count(DISTINCT id) AS ids, count_if(bad) AS bad FROM tickets_checked"
    ).collect()[0]
    n = int(summary["n"])
    if not summary["bad"] and summary["ids"] == n:
        return n, None
    first = None
    if summary["bad"]:
        first = spark.sql(
            "SELECT src_file, row, src_row FROM tickets_checked WHERE bad ORDER BY src_file, row LIMIT 1"
        ).collect()[0]
    if summary["ids"] != n:
        dup = spark.sql(
            """SELECT id, src_file, row, src_row, first_file, first_row FROM (
  SELECT id, src_file, row, src_row, row_number() OVER (PARTITION BY id ORDER BY src_file, row) AS k,
    first_value(src_file) OVER (PARTITION BY id ORDER BY src_file, row) AS first_file,
    first_value(src_row) OVER (PARTITION BY id ORDER BY src_file, row) AS first_row
  FROM tickets_checked) WHERE k = 2 ORDER BY src_file, row LIMIT 1"""
        ).collect()[0]
        if first is None or (dup["src_file"], dup["row"]) < (first["src_file"], first["row"]):
            return n, ("dup", dup)
    return n, ("row", first)


def worded(spark: Any, policy: Policy, source: Source, customers: Customers, first: Any) -> Exception:
    """The runtime reader's own error for the first refused record of a Delta or catalog table."""
    import tempfile

    import pyarrow.parquet as pq

    from ..runtime.inputs import EventError, read_tickets

    kind, row = first
    where = source.label() if source.kind == "table" else _local(row["src_file"])
    if kind == "dup":
        return EventError(
            where,
            int(row["src_row"]),
            "id",
            f"duplicate ticket id {_shown(row['id'])}, first used on row {int(row['first_row'])}"
            + ("" if row["first_file"] == row["src_file"] else f" of {_local(row['first_file'])}")
            + "; ids must be unique",
            unit="row",
        )
    table = _raw_record(spark, row)
    with tempfile.TemporaryDirectory(prefix="slac-spark-") as folder:
        path = os.path.join(folder, "record.parquet")
        pq.write_table(table, path)
        try:
            read_tickets(path, policy.raw, customers=customers)
        except EventError as exc:
            return EventError(where, int(row["src_row"]), exc.column, exc.message, unit="row")
    return EventError(where, int(row["src_row"]), None, "a record the runtime's reader cannot check alone", unit="row")


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _local(uri: str) -> str:
    """A data file's path as a person writes it (Spark names it by a file: URI)."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def _raw_record(spark: Any, row: Any) -> Any:
    """The refused record's columns as stored (one-row Arrow table), for the runtime's reader."""
    frame = spark.table("tickets_source").where(f"row = {int(row['row'])} AND src_file = '{_quoted(row['src_file'])}'")
    return frame.drop("row", "src_row", "src_file").toArrow()
