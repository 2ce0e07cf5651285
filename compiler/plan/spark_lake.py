"""Event inputs read by the runtime's readers from a Delta table or `table:NAME` under `--engine spark`.

A v2 contract's events, and a v1 contract's inputs other than the tickets Spark reads itself, are
read and checked by the runtime's readers (slac.plan.spark_scoped, spark_engine). A
Delta table's folder (any of `--customers`, `--tickets`, `--incidents`, `--charges`, `--requests`,
`--ticket-events`) is its current snapshot's Parquet files (resolved by the `deltalake` package and
refused for the Delta features those files do not carry, as for v1's tickets:
`spark_inputs.delta_files`), read as they are stored, in the order of their paths; `table:NAME` is a table or view of the Spark
session's catalog, read by Spark in scan order. Either is written, records in order, to one Parquet
file in a temporary folder, which the runtime's reader reads as it reads any Parquet file. A bad
record is then named as the v1 lake path names a ticket (slac.plan.spark_checks): at the Delta data
file and its record (from 1), or at the table's row (from 1); a record the message points back to
("first used on row N") is located the same way. The temporary folder is removed afterwards.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .. import limits
from ..runtime.engines import FLAGS, Inputs, UsageError
from .spark_inputs import source_of

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

_FIRST = re.compile(r"first used on row (\d+)")  # the runtime reader's duplicate message (inputs._unique)


@dataclass(frozen=True)
class Located:
    """Where each record of an exported lake input came from: `files[k]` and `rows[k]` of record k + 1."""

    label: str  # the Delta table's folder or "table NAME"
    files: list[str]  # per source part: the Delta data file (a local path) or "table NAME"
    part: np.ndarray  # int32, per record: its index in `files`
    rows: np.ndarray  # int64, per record: its record in that part, from 1

    def where(self, row: int) -> tuple[str, int]:
        """(file, row) of the exported file's row `row` (from 1)."""
        return self.files[int(self.part[row - 1])], int(self.rows[row - 1])


@dataclass(frozen=True)
class Lake:
    """The inputs of an evaluation with its lakes exported (`lake_inputs`), and where their records came from."""

    inputs: Inputs
    parts: dict[str, Located]  # an Inputs field → its export's records

    def events(self, events: Any) -> Any:
        """`events` (read from `inputs`) with each exported table's rows those of the lake: a record of
        a Delta table of several data files is numbered in its own data file (as the v1 path does)."""
        import numpy as np

        changes = {}
        for field, lake in self.parts.items():
            table = getattr(events, field, None)
            if table is not None and len(lake.files) > 1 and len(table.row):
                changes[field] = replace(table, row=lake.rows[np.asarray(table.row, dtype=np.int64) - 1])
        return replace(events, **changes) if changes else events


@contextmanager
def lake_inputs(spark: Any, inputs: Inputs, keep: tuple[str, ...] = ()) -> Iterator[Lake]:
    """`inputs` with each Delta table or `table:NAME` (but those of the fields `keep`) exported to a
    Parquet file; an `EventError` of such a file raised inside the block is located in the lake."""
    from ..runtime.readers import EventError

    lakes = {field: spec for field, spec in inputs.lakes() if field not in keep}
    if not lakes:
        yield Lake(inputs, {})
        return
    with tempfile.TemporaryDirectory(prefix="slac-lake-") as folder:
        located: dict[str, Located] = {}
        paths: dict[str, str] = {}
        for field, spec in lakes.items():
            path = os.path.join(folder, f"{field}.parquet")
            located[path] = _export(spark, FLAGS[field], spec, path)
            paths[field] = path
        try:
            yield Lake(replace(inputs, **paths), {field: located[path] for field, path in paths.items()})
        except EventError as exc:
            raise _relocated(exc, located) from None


def _export(spark: Any, flag: str, spec: str, path: str) -> Located:
    """Write the lake input `spec` to the Parquet file `path`; where its records came from."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = source_of(spec, flag)
    assert source is not None
    if source.kind == "table":
        tables, names = [_catalog_table(spark, flag, source.where)], [source.label()]
    else:
        tables, names = _delta_tables(flag, source.where)
    try:
        table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise UsageError(f"{flag} {spec}: its data files' columns do not fit together: {exc}") from None
    pq.write_table(table, path)
    sizes = [t.num_rows for t in tables]
    part = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    rows = np.concatenate([np.arange(1, n + 1, dtype=np.int64) for n in sizes]) if sizes else np.zeros(0, np.int64)
    return Located(source.label(), names, part, rows)


def _catalog_table(spark: Any, flag: str, name: str) -> Any:
    """The rows of the catalog table `name` as one Arrow table, in Spark's scan order."""
    from .spark_inputs import _first_line, _spark_errors

    try:
        table = spark.table(name)
        _at_most_the_ceiling(f"table:{name}", table.limit(limits.MAX_ROWS_PER_FILE + 1).count())
        return table.toArrow()
    except _spark_errors() as exc:
        raise UsageError(
            f"{flag} table:{name}: the spark engine cannot read table {name}: {_first_line(exc)}"
        ) from None


def _delta_tables(flag: str, path: str) -> tuple[list[Any], list[str]]:
    """The Delta table's snapshot: its data files as stored (Arrow tables) and their local paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .spark_checks import _local
    from .spark_inputs import delta_files

    delta, uris = delta_files(path)
    if not uris:  # a table without data files: its schema, no rows
        return [pa.schema(delta.schema().to_arrow()).empty_table()], [path]
    files = sorted(_local(uri) for uri in uris)  # in the order the v1 path checks them (spark_checks)
    try:
        _at_most_the_ceiling(path, sum(pq.read_metadata(file).num_rows for file in files))
        return [pq.read_table(file) for file in files], files
    except (OSError, pa.ArrowException) as exc:
        raise UsageError(f"{flag} {path}: cannot read its data files: {str(exc).strip()}") from None


def _at_most_the_ceiling(label: str, rows: int) -> None:
    """The runtime reader's refusal of a file over its row ceiling, for a lake input before it is read
    into memory (it is exported to one file that reader reads)."""
    from ..runtime.readers import EventError, too_many_rows

    if rows > limits.MAX_ROWS_PER_FILE:
        raise EventError(label, limits.MAX_ROWS_PER_FILE, None, too_many_rows(), unit="row")


def _relocated(exc: Any, located: dict[str, Located]) -> Any:
    """`exc` (an EventError) with its file and rows located in the lake when it names an exported file."""
    from ..runtime.readers import EventError

    message = exc.message
    for path, lake in located.items():  # a record of another input named in the message (ticket events → tickets)
        message = re.sub(re.escape(path) + r", row (\d+)", _at(lake), message)
    here = located.get(exc.file)
    if here is None:
        return EventError(exc.file, exc.row, exc.column, message, unit=exc.unit)
    if exc.row <= 0:  # the file as a whole: the table
        return EventError(here.label, 0, exc.column, message, unit="row")
    file, row = here.where(exc.row)

    def back(match: re.Match[str]) -> str:  # the record it points back to, in its own file
        other, at = here.where(int(match[1]))
        return f"first used on row {at}" + ("" if other == file else f" of {other}")

    return EventError(file, row, exc.column, _FIRST.sub(back, message), unit="row")


def _at(lake: Located) -> Callable[[re.Match[str]], str]:
    """The replacement of "PATH, row N" (an exported file's row) by its file and row in the lake."""
    return lambda match: "{}, row {}".format(*lake.where(int(match[1])))
