"""The spark engine's native read: Spark reads the tickets itself and checks them in Spark SQL.

`--tickets` names, for `--engine spark`:
- a Parquet file (`*.parquet`) or a CSV file (`*.csv`), read by `spark.read.parquet/csv` with an
  explicit schema (the CSV in the runtime reader's dialect: a header line, `,`, `"` quoting with
  `""` inside quotes, UTF-8, one record a line);
- a Delta table's folder (one holding `_delta_log`): its current snapshot resolved to Parquet files
  by the `deltalake` package (delta-rs; `slac[spark]` installs it), which `spark.read.parquet` reads —
  refused for the Delta features that would change what those files mean (deletion vectors, column
  mapping, partition columns, type widening);
- `table:NAME` (`table:db.tickets`): a table or view of the Spark session's catalog.

Text is trimmed of Unicode white space, times become µs (UTC) and `outage` a boolean as the
runtime's reader makes them; one Spark SQL pass then looks for any record that reader would refuse.
A file with one is read by the runtime's reader instead, which names file, row, column and
problem as under the numpy engine; a Delta table's or catalog table's bad record is handed to that
same reader alone (so the message is its own), located at the Delta data file and record, or at
the table's row (its position in a scan of the table, from 1). Otherwise only per-customer counts
and the breached tickets cross into Python (`spark_results.streamed_results`). Customers and
incidents are small and read by the runtime's readers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import limits
from ..runtime.engines import TABLE, Inputs, UsageError
from ..runtime.ticket_rules import FALSE_WORDS, TRUE_WORDS
from .spark_sql import Source, view

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Customers, Events
    from ..runtime.policy import Policy

TEXT = ("id", "customer", "priority", "cause")
TIMES = {"opened_at": "opened", "responded_at": "responded", "resolved_at": "resolved"}
FLAG = "outage"
REQUIRED = ("id", "customer", "priority", "opened_at", "responded_at")
COLUMNS = (*REQUIRED, "outage", "cause", "resolved_at")
# Unicode White_Space, as the runtime's reader trims it (Arrow's utf8_trim_whitespace), in Java's regex.
_SPACE = r"[\x{9}-\x{d}\x{85}\p{Z}]"
_TRIM = rf"^{_SPACE}+|{_SPACE}+$"
# The timestamps Spark's cast reads to the same instant as Arrow's ISO 8601 parser; any other text
# (which the runtime may still accept, or refuses with its message) is left to the runtime's reader.
_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$"
_SUBMICRO = r"(\.\d{6})\d+"
_NO_SECONDS = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(Z|[+-])"
_TRUE, _FALSE = TRUE_WORDS, FALSE_WORDS  # the runtime reader's flags (`ticket_rules`)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")
# Delta reader features whose files spark.read.parquet reads as they are (any other is refused).
DELTA_FEATURES = {"timestampNtz", "v2Checkpoint", "vacuumProtocolCheck", "variantType", "variantType-preview"}
DELTA_INSTALL = "pip install 'slac[spark]' (or pip install deltalake)"


def source_of(spec: str, flag: str = "--tickets") -> Source | None:
    """What `flag` names for the spark engine, or None for a file the runtime's readers read."""
    if spec.startswith(TABLE):
        name = spec[len(TABLE) :]
        if not _NAME.match(name):
            raise UsageError(f"{flag} {spec}: write a table as table:NAME, table:DB.NAME or table:CATALOG.DB.NAME")
        return Source("table", name)
    if os.path.isdir(spec):
        return Source("delta", spec) if os.path.isdir(os.path.join(spec, "_delta_log")) else None
    suffix = os.path.splitext(spec)[1].lower()
    if suffix in (".parquet", ".csv") and os.path.isfile(spec):
        return Source(suffix[1:], spec)
    return None


def spark_reads_tickets(inputs: Inputs) -> bool:
    """Whether Spark reads the tickets itself: not when other events read by the runtime's readers
    (charges, requests, ticket events) need the tickets the runtime read."""
    return not (inputs.charges or inputs.requests or inputs.ticket_events)


def read_natively(
    spark: Any,
    policy: Policy,
    inputs: Inputs,
    per: Period,
    as_of_us: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Events, TicketResults, int] | None:
    """Spark reads and checks the tickets; None when the runtime's readers must read the files.

    A Delta table or a catalog table is never None: its bad record raises the runtime reader's
    `EventError` (located in the table), anything Spark cannot do raises `UsageError`.
    """
    from ..runtime.inputs import read_customers
    from .duck import check_tiers

    source = source_of(inputs.tickets) if inputs.tickets is not None else None
    if source is None:
        return None
    if not spark_reads_tickets(inputs):
        return None  # the runtime's readers read them (a lake was exported to a file for them: spark_lake)
    customers = read_customers(inputs.customers, policy.raw)
    check_tiers(policy, customers)
    views: list[str] = []
    try:
        return _read(spark, policy, inputs, source, customers, per, as_of_us, progress, views)
    except _Fallback:
        return None
    finally:
        _drop(spark, views)


def _read(
    spark: Any,
    policy: Policy,
    inputs: Inputs,
    source: Source,
    customers: Customers,
    per: Period,
    as_of_us: int,
    progress: Callable[[int, int], None] | None,
    views: list[str],
) -> tuple[Events, TicketResults, int]:
    from ..runtime.events import Events
    from ..runtime.inputs import read_incidents
    from .spark_checks import first_problem, worded
    from .spark_results import streamed_results

    errors = _spark_errors()
    try:
        frame = _frame(spark, source)
        read = _normalised(frame, source)
        view(spark, views, "tickets_source", frame)
        view(spark, views, "customers", _customers_frame(spark, customers))
        view(spark, views, "tickets_read", read)
        view(spark, views, "tickets", read.select("row", *TICKET_COLUMNS, "src_row"))
        n, first = first_problem(spark, policy, views)
    except errors as exc:
        if not source.lake:
            raise _Fallback from None  # a file Spark cannot read as the runtime does: the runtime words it
        raise UsageError(f"the spark engine cannot read {source.label()}: {_first_line(exc)}") from None
    if first is not None:
        if not source.lake:
            raise _Fallback
        raise worded(spark, policy, source, customers, first)
    incidents = read_incidents(inputs.incidents, policy.raw, customers=customers)
    tick = None if progress is None else (lambda done: progress(done, n))
    try:
        results, breached = streamed_results(spark, policy, customers, per, as_of_us, views, tick)
    except errors as exc:  # out of memory, a lost executor: no traceback
        raise UsageError(
            f"the spark engine failed: {_first_line(exc)}; give Spark more memory or use --engine duckdb"
        ) from None
    return Events(customers, breached, incidents), results, n


TICKET_COLUMNS = ("id", "customer", "priority", "opened", "responded", "outage", "cause", "resolved")


class _Fallback(Exception):
    """The tickets file is read by the runtime's reader (a record it may refuse, a form Spark reads otherwise)."""


def _spark_errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (Py4JError, PySparkException)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _drop(spark: Any, views: list[str]) -> None:
    from contextlib import suppress

    for name in views:  # the session may evaluate again: free what it holds
        with suppress(*_spark_errors()):
            spark.catalog.dropTempView(name)


def _customers_frame(spark: Any, customers: Customers) -> Any:
    import numpy as np
    import pyarrow as pa

    from .inputs import customers_table

    table = customers_table(customers)
    table = table.append_column("position", pa.array(np.arange(len(customers.id), dtype=np.int64)))
    return spark.createDataFrame(table)


# ---- reading ---------------------------------------------------------------------------------------


def _frame(spark: Any, source: Source) -> Any:
    """The tickets as Spark reads them, with `row` (a 0-based key in scan order), `src_row` (the row
    a person is shown: the Parquet record from 1, the CSV line, the table's row from 1) and `src_file`."""
    from pyspark.sql import functions as F

    if source.kind == "parquet":
        from .inputs import parquet_tickets_fit

        if not parquet_tickets_fit(source.where):
            raise _Fallback  # nanoseconds, naive times, numbers as ids: the runtime's reader knows them
        frame = spark.read.schema(_parquet_schema(source.where)).parquet(source.where)
        index = F.col("_metadata.row_index")
        return frame.select(
            "*", index.alias("row"), (index + 1).alias("src_row"), F.lit(source.where).alias("src_file")
        )
    if source.kind == "delta":
        files, schema = delta_snapshot(source.where)
        if not files:
            return spark.createDataFrame([], schema).select(
                "*", *(F.lit(None).cast("bigint").alias(c) for c in ("row", "src_row")), F.lit("").alias("src_file")
            )
        frame = spark.read.schema(schema).parquet(*files)
        index = F.col("_metadata.row_index")
        return frame.select(
            "*", index.alias("row"), (index + 1).alias("src_row"), F.col("_metadata.file_path").alias("src_file")
        )
    if source.kind == "csv":
        return _csv_frame(spark, source.where)
    try:
        frame = spark.table(source.where)
    except _spark_errors() as exc:
        raise UsageError(f"the spark engine cannot read table {source.where}: {_first_line(exc)}") from None
    return _numbered(spark, frame, 1)[0].withColumn("src_file", F.lit(source.label()))


def _parquet_schema(path: str) -> Any:
    """The Spark schema of the columns slac reads, from the file's own (already checked to fit)."""
    import pyarrow.parquet as pq
    from pyspark.sql import types as T

    fields = []
    for name in pq.read_schema(path).names:
        if name in TIMES:
            fields.append(T.StructField(name, T.TimestampType()))
        elif name == FLAG:
            fields.append(T.StructField(name, T.BooleanType()))
        elif name in TEXT:
            fields.append(T.StructField(name, T.StringType()))
    return T.StructType(fields)


def _csv_frame(spark: Any, path: str) -> Any:
    """A CSV file read as text in the runtime reader's dialect, `src_row` its line (header: line 1).

    Only a file of one record a line (no blank lines, no line breaks inside values) is read by
    Spark: its record k (from 0) is then line k + 2; any other goes to the runtime's reader.
    """
    from pyspark.sql import types as T

    header = _csv_header(path)
    if header is None:
        raise _Fallback
    schema = T.StructType([T.StructField(name, T.StringType()) for name in header])
    frame = (
        spark.read.schema(schema)
        .option("header", "true")
        .option("sep", ",")
        .option("quote", '"')
        .option("escape", '"')
        .option("multiLine", "false")
        .option("mode", "FAILFAST")
        .option("encoding", "UTF-8")
        .option("ignoreLeadingWhiteSpace", "false")
        .option("ignoreTrailingWhiteSpace", "false")
        .csv(path)
    )
    numbered, records = _numbered(spark, frame, 2)
    from ..runtime.csv_lines import line_count

    if line_count(path) != records + 1:
        raise _Fallback
    from pyspark.sql import functions as F

    return numbered.withColumn("src_file", F.lit(path))


def _csv_header(path: str) -> list[str] | None:
    """The header's column names, or None when it is not a plain one line (the runtime's reader decides)."""
    import csv

    with open(path, "rb") as handle:
        line = handle.readline(1 << 20)
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    if not text or text.startswith("\ufeff") or text.count('"') % 2 or not line.endswith(b"\n"):
        return None
    names = next(csv.reader([text]))
    if len(set(names)) != len(names) or len(names) > limits.MAX_COLUMNS or not set(REQUIRED) <= set(names):
        return None
    return names


def _numbered(spark: Any, frame: Any, first: int) -> tuple[Any, int]:
    """`frame` with `row` (0-based, in scan order) and `src_row` = row + first, and its records.

    From monotonically_increasing_id (partition index in the high bits, position below) and each
    partition's count: two scans, no sort and no single-partition window.
    """
    from pyspark.sql import functions as F

    low = (1 << 33) - 1
    keyed = frame.withColumn("_mid", F.monotonically_increasing_id())
    sizes = {r["part"]: r["count"] for r in keyed.groupBy(F.shiftright("_mid", 33).alias("part")).count().collect()}
    base, offsets = 0, []
    for part in sorted(sizes):
        offsets.append((int(part), base))
        base += int(sizes[part])
    from pyspark.sql import types as T

    schema = T.StructType([T.StructField("part", T.LongType()), T.StructField("base", T.LongType())])
    table = spark.createDataFrame(offsets, schema)
    row = F.col("base") + F.col("_mid").bitwiseAND(F.lit(low))
    joined = keyed.join(F.broadcast(table), F.shiftright(keyed["_mid"], 33) == table["part"], "left")
    return joined.select(*frame.columns, row.alias("row"), (row + first).alias("src_row")), base


def delta_snapshot(path: str) -> tuple[list[str], Any]:
    """The Parquet files of a Delta table's current snapshot and the Spark schema of slac's columns.

    Refused (UsageError) when reading those files as Parquet would not give the table's rows.
    """
    table, files = delta_files(path)
    return files, _delta_schema(path, table)


def delta_files(path: str) -> tuple[Any, list[str]]:
    """(the deltalake DeltaTable, the URIs of its current snapshot's Parquet files), refused (UsageError)
    when reading those files as Parquet would not give the table's rows."""
    try:
        from deltalake import DeltaTable
    except ImportError:
        raise UsageError(
            f"reading the Delta table {path} needs the deltalake package, which is not installed: {DELTA_INSTALL}"
        ) from None
    try:
        table = DeltaTable(path)
    except Exception as exc:  # delta-rs: a broken log, a version it does not know
        raise UsageError(f"cannot read the Delta table {path}: {_first_line(exc)}") from None
    protocol = table.protocol()
    features = set(protocol.reader_features or ())
    refused = sorted(features - DELTA_FEATURES)
    metadata = table.metadata()
    mapping = str((metadata.configuration or {}).get("delta.columnMapping.mode", "none")).lower()
    if protocol.min_reader_version == 2 or mapping != "none":
        refused.append("columnMapping")
    if refused:
        raise UsageError(
            f"the Delta table {path} uses {', '.join(sorted(set(refused)))}; the spark engine reads Delta tables "
            "through their Parquet files (no Delta Lake jars here) and cannot apply that: rewrite the table "
            "without it (e.g. REORG TABLE … APPLY (PURGE) for deletion vectors) or export the tickets as Parquet"
        )
    if metadata.partition_columns:
        raise UsageError(
            f"the Delta table {path} is partitioned by {', '.join(metadata.partition_columns)}; the spark engine "
            "reads Delta tables through their Parquet files, which do not hold partition columns: write it "
            "unpartitioned or export the tickets as Parquet"
        )
    return table, list(table.file_uris())


def _delta_schema(path: str, table: Any) -> Any:
    import json

    from pyspark.sql import types as T

    kinds = {"string": T.StringType(), "timestamp": T.TimestampType(), "boolean": T.BooleanType()}
    kinds |= {"integer": T.IntegerType(), "long": T.LongType()}
    fields = []
    for field in json.loads(table.schema().to_json())["fields"]:
        name, kind = field["name"], field["type"]
        if name not in COLUMNS:
            continue
        # Text as text (or whole numbers); times as timestamps or ISO 8601 text; outage as booleans or text.
        allowed: tuple[str, ...] = ("string", "integer", "long")
        if name in TIMES or name == FLAG:
            allowed = ("timestamp" if name in TIMES else "boolean", "string")
        if kind not in allowed:
            raise UsageError(
                f"the Delta table {path}: column `{name}` is {kind if isinstance(kind, str) else 'nested'}; "
                f"store it as {' or '.join(allowed)}"
                + (" (timestamp with a time zone, not timestamp_ntz)" if name in TIMES else "")
            )
        fields.append(T.StructField(name, kinds[kind]))
    return T.StructType(fields)


# ---- the runtime reader's values -----------------------------------------------------------------


def _normalised(frame: Any, source: Source) -> Any:
    """The `tickets` relation's columns as the runtime's reader makes them, with check flags.

    Flags: `f_cell` (a NUL byte or an over-long value in a column slac reads), `f_<time>` (a time
    whose text Spark does not read as the runtime does), `f_outage` (not true or false).
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kinds = {f.name: f.dataType for f in frame.schema.fields}
    missing = [c for c in REQUIRED if c not in kinds]
    if missing:
        if not source.lake:
            raise _Fallback
        have = ", ".join(f"`{c}`" for c in frame.columns if c not in ("row", "src_row", "src_file")) or "none"
        raise UsageError(f"{source.label()}: missing column `{missing[0]}` (columns found: {have}); add it")
    out: dict[str, Any] = {}
    cells = []
    for name in (*TEXT, *TIMES, FLAG):
        kind = kinds.get(name)
        if kind is None:
            continue
        if isinstance(kind, T.StringType):
            cells.append(
                F.coalesce((F.instr(F.col(name), "\x00") > 0) | (F.length(name) > limits.MAX_FIELD_CHARS), F.lit(False))
            )
        elif not isinstance(kind, (T.TimestampType, T.BooleanType, T.IntegerType, T.LongType)):
            if not source.lake:
                raise _Fallback
            raise UsageError(f"{source.label()}: column `{name}` holds values of type {kind.simpleString()}")
    for name in TEXT:
        out[name] = _trimmed(name, kinds) if name in kinds else F.lit("")
    out["cause"] = F.when(out["cause"] == "", F.lit(None).cast("string")).otherwise(out["cause"])
    flags = {"f_cell": F.lit(False) if not cells else _any(cells)}
    for name, dst in TIMES.items():
        out[dst], flags[f"f_{dst}"] = _time(name, kinds, source)
    out[FLAG], flags["f_outage"] = _flag(kinds)
    columns = [expr.alias(name) for name, expr in out.items()]
    columns += [expr.alias(name) for name, expr in flags.items()]
    return frame.select("row", "src_row", "src_file", *columns)


def _any(flags: list[Any]) -> Any:
    result = flags[0]
    for flag in flags[1:]:
        result = result | flag
    return result


def _trimmed(name: str, kinds: dict[str, Any]) -> Any:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    column = F.col(name) if isinstance(kinds[name], T.StringType) else F.col(name).cast("string")
    return F.coalesce(F.regexp_replace(column, _TRIM, ""), F.lit(""))


def _time(name: str, kinds: dict[str, Any], source: Source) -> tuple[Any, Any]:
    """(µs or NULL, flag): a typed timestamp as it is; a text one when it has the form both read alike."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = kinds.get(name)
    if kind is None:
        return F.lit(None).cast("bigint"), F.lit(False)
    if isinstance(kind, T.TimestampType):
        return F.unix_micros(F.col(name)), F.lit(False)
    if not isinstance(kind, T.StringType):
        if not source.lake:
            raise _Fallback
        raise UsageError(f"{source.label()}: column `{name}` is {kind.simpleString()}; store times as timestamps")
    text = _trimmed(name, kinds)
    fitting = text.rlike(_ISO)
    whole = F.regexp_replace(F.regexp_replace(text, _SUBMICRO, "$1"), _NO_SECONDS, "$1:00$2")
    stamp = whole.try_cast("timestamp")  # Spark's cast wants the seconds
    value = F.when(fitting, F.unix_micros(stamp))
    flag = (text != "") & (~fitting | value.isNull())
    return value, flag


def _flag(kinds: dict[str, Any]) -> tuple[Any, Any]:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = kinds.get(FLAG)
    if kind is None:
        return F.lit(False), F.lit(False)
    if isinstance(kind, T.BooleanType):
        return F.coalesce(F.col(FLAG), F.lit(False)), F.lit(False)
    text = F.lower(_trimmed(FLAG, kinds))
    return text.isin(*_TRUE), ~text.isin(*_TRUE, *_FALSE)
