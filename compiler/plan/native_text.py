"""CSV tickets for the duckdb engine's native read: streamed by pyarrow into Parquet text, typed in SQL.

pyarrow's streaming CSV reader reads the file in blocks, every column as text as the runtime's
reader reads it, into a Parquet file of those texts in the session's private folder (so nothing
holds the whole file and there is no row ceiling); `text_tickets_view` makes the `tickets` relation
of it, converting in SQL only values whose form leaves no doubt: times written
`YYYY-MM-DDTHH:MM[:SS[.ffffff]]` with `Z` or `±HH:MM`, flags `true`/`false`/`yes`/`no`/`1`/`0`/empty.
Any other form (and any value the runtime would trim) sets `doubt`, which the check pass counts as a
problem: the runtime's reader then reads the file and names the row, as under the numpy engine.
Only plain files are streamed (a record per line, no empty lines, no line break inside a value), so
a record's line is its position + 2; any other file is left to the runtime's reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..runtime.ticket_rules import FALSE_WORDS, KNOWN, TICKET_RULES, TRUE_WORDS
from .duck import private_folder
from .inputs import TIME_COLUMNS

COLUMNS = ("id", "customer", "priority", "opened_at", "responded_at", "outage", "cause", "resolved_at")
BLOCK = 1 << 24  # bytes read at a time
# The times converted in SQL: what Arrow's ISO 8601 cast reads to the same instant, nothing else.
STRICT_TIME = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
FLAGS = (*TRUE_WORDS, *FALSE_WORDS)


def plain_csv(path: str) -> bool:
    """Whether the file has no empty line (the runtime numbers lines past them; Arrow skips them)."""
    import mmap
    import os

    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b"\n\n") < 0 and mm.find(b"\n\r\n") < 0 and mm[:1] not in (b"\n", b"\r")


def csv_to_text_parquet(
    path: str, out: str, columns: tuple[str, ...] = COLUMNS, required: tuple[str, ...] | None = None
) -> list[str] | None:
    """The CSV's ticket columns (or `columns`, `required` among them) as Parquet text (`out`), in file order;
    the columns found, None when the runtime's reader must read it (unreadable, a required column
    missing, a line break in a value)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from .inputs import REQUIRED

    required = REQUIRED if required is None else required
    if not plain_csv(path):
        return None
    try:
        with open(path, encoding="utf-8-sig") as fh:
            import csv

            header = next(csv.reader([fh.readline()]), [])
        if len(set(header)) != len(header) or not set(required) <= set(header):
            return None
        names = [c for c in columns if c in header]
        reader = pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=BLOCK),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                include_columns=names,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        schema = pa.schema([(c, pa.string()) for c in names])
        with pq.ParquetWriter(out, schema) as writer:
            for batch in reader:
                if _line_breaks(batch):
                    return None
                writer.write_batch(batch.select(names))
    except (OSError, ValueError, KeyError, pa.ArrowException):  # ArrowInvalid and UnicodeDecodeError too
        return None
    return names


def plain_jsonl(path: str) -> bool:
    """Whether the JSON Lines file is one the runtime's reader reads by its fast path too: UTF-8, one flat
    object per line starting with its `{`, no `[`, no `\\uD…` escape, no empty or blank line."""
    import codecs
    import mmap
    import os
    import re

    import numpy as np

    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if mm.find(b"[") >= 0 or mm.find(b"\\ud") >= 0 or mm.find(b"\\uD") >= 0 or mm[:1] != b"{":
                return False
            if re.search(rb"\n[ \t\r]*\n", mm) is not None:
                return False
            decoder = codecs.getincrementaldecoder("utf-8")()
            braces = starts = lines = 0
            before = 10  # the byte before the block: a line break before the first
            for at in range(0, size, BLOCK):
                block = np.frombuffer(mm[at : at + BLOCK], dtype=np.uint8)
                try:
                    decoder.decode(block.tobytes())
                except UnicodeDecodeError:
                    return False
                opens = block == 123
                breaks = block == 10
                braces += int(opens.sum())
                lines += int(breaks.sum())
                starts += int((opens[1:] & breaks[:-1]).sum()) + int(bool(opens[0]) and before == 10)
                before = int(block[-1])
            lines += before != 10
    return braces == starts == lines


def jsonl_to_text_parquet(
    path: str, out: str, columns: tuple[str, ...] = COLUMNS, numbers: tuple[str, ...] = ()
) -> list[str] | None:
    """The JSON Lines file's ticket fields (or `columns`) as Parquet text (`out`), in file order; None when
    the runtime's reader must read it (not plain, a value that is not a JSON string or null, or in
    `numbers` not a JSON whole number: those are written as the runtime's reader casts them to text)."""
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    if not plain_jsonl(path):
        return None
    schema = pa.schema([(c, pa.string()) for c in columns])
    read = pa.schema([(c, pa.int64() if c in numbers else pa.string()) for c in columns])
    try:
        reader = pj.open_json(
            path,
            read_options=pj.ReadOptions(block_size=BLOCK),
            parse_options=pj.ParseOptions(explicit_schema=read, unexpected_field_behavior="ignore"),
        )
        with pq.ParquetWriter(out, schema) as writer:
            for batch in reader:
                writer.write_batch(batch.select(list(columns)).cast(schema))
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    return list(columns)


def _line_breaks(batch: Any) -> bool:
    import pyarrow.compute as pc

    return any(pc.any(pc.match_substring(column, "\n")).as_py() for column in batch.columns)


def text_time_us(src: str) -> str:
    """SQL of a time column of Parquet text in µs: NULL when empty or not a time SQL reads."""
    return f"CASE WHEN {src} = '' THEN NULL ELSE epoch_us(TRY_CAST({src} AS TIMESTAMPTZ)) END"


def time_doubt(src: str) -> str:
    """SQL of a time text the conversion does not vouch for: not in the strict form, or not read by it."""
    from . import sql_literal

    strict = sql_literal(STRICT_TIME)
    return f"({src} <> '' AND (NOT regexp_full_match({src}, {strict}) OR TRY_CAST({src} AS TIMESTAMPTZ) IS NULL))"


def text_tickets_view(con: Any, parquet: str, names: list[str]) -> None:
    """The `tickets` relation over the Parquet text (`row`: the 0-based record), with `doubt` set for a
    record holding a value the SQL conversion does not vouch for."""
    from . import sql_literal

    def time(src: str) -> str:
        return text_time_us(src) if src in names else "CAST(NULL AS BIGINT)"

    doubts = [time_doubt(src) for src in TIME_COLUMNS if src in names]
    flags = ", ".join(sql_literal(f) for f in FLAGS)
    if "outage" in names:
        doubts.append(f"outage NOT IN ({flags})")
    for text in (r.column for r in TICKET_RULES if r.rule == KNOWN):  # known names: a value to trim is no known name
        if text in names:
            doubts.append(f"{text} <> trim({text})")
    outage = f"outage IN ({', '.join(sql_literal(f) for f in TRUE_WORDS)})" if "outage" in names else "FALSE"
    cause = "NULLIF(cause, '')" if "cause" in names else "CAST(NULL AS VARCHAR)"
    doubt = " OR ".join(doubts) or "FALSE"
    con.execute(
        f"""CREATE OR REPLACE VIEW tickets AS SELECT
  CAST(file_row_number AS BIGINT) AS "row", NULLIF(id, '') AS id, NULLIF(customer, '') AS customer,
  NULLIF(priority, '') AS priority, {time("opened_at")} AS opened, {time("responded_at")} AS responded,
  {outage} AS outage, {cause} AS cause, {time("resolved_at")} AS resolved, ({doubt}) AS doubt
FROM read_parquet({sql_literal(parquet)}, file_row_number = true)"""
    )


def word_first_problem(con: Any, policy: Any, path: str, customers: Any, refused: str) -> None:
    """Raise the runtime reader's own `EventError` for the first bad record of a CSV file too big for it.

    The first refused record (`refused`: the check pass's condition) or repeated id is found in SQL;
    the runtime's reader then reads a file of just that record and (for a repeated id) its first
    use, each on its own line number (empty lines before them: the reader counts them), so it
    words the problem exactly as it would in the whole file; the message names the whole file.
    A record it accepts after all (a form SQL does not vouch for) is refused with a usage error.
    """
    from ..runtime.inputs import EventError, read_tickets

    first = con.execute(
        f'SELECT min(t."row") FROM tickets t LEFT JOIN customers c ON c.customer = t.customer WHERE {refused}'
    )
    bad = first.fetchall()[0][0]
    repeated = con.execute(
        'SELECT min("row") FROM (SELECT "row", row_number() OVER (PARTITION BY id ORDER BY "row") AS k FROM tickets) '
        "WHERE k = 2"
    ).fetchall()[0][0]
    at = min(r for r in (bad, repeated) if r is not None)
    earlier = con.execute(
        'SELECT min("row") FROM tickets WHERE id = (SELECT id FROM tickets WHERE "row" = ?)', [at]
    ).fetchall()[0][0]
    rows = sorted({at, earlier if earlier is not None else at})
    folder = private_folder(con)
    names, records = _records(con, folder / "tickets.parquet", rows)
    small = folder / "first-problem.csv"
    _write_at_lines(small, names, records)
    try:
        read_tickets(small, policy.raw, customers=customers)
    except EventError as exc:
        raise EventError(path, exc.row, exc.column, exc.message, unit=exc.unit) from None
    raise not_read_here(path, f"line {at + 2}", "times as 2025-03-03T09:00+08:00, flags as true or false")


def not_read_here(path: str, where: str, forms: str) -> Exception:
    """The usage error of a record the runtime's reader accepts but DuckDB's check does not vouch for,
    in a file too big for the numpy engine: where it is, and the forms (`forms`) to write instead."""
    from ..runtime.engines import UsageError

    return UsageError(
        f"{path}, {where}: a value the duckdb engine does not read itself in a file too big for the numpy "
        f"engine; write {forms}, names without spaces around them"
    )


def _records(con: Any, parquet: Path, rows: list[int]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The texts of the chosen records of the streamed Parquet text, with their line numbers."""
    from . import sql_literal

    names = [d[0] for d in con.execute(f"SELECT * FROM read_parquet({sql_literal(str(parquet))}) LIMIT 0").description]
    listed = ", ".join(str(int(r)) for r in rows)
    columns = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
    found = con.execute(
        f"SELECT file_row_number, {columns} FROM read_parquet({sql_literal(str(parquet))}, file_row_number = true) "
        f"WHERE file_row_number IN ({listed}) ORDER BY file_row_number"
    ).fetchall()
    return names, [(int(r[0]) + 2, [str(v) for v in r[1:]]) for r in found]


def _write_at_lines(path: Path, names: list[str], records: list[tuple[int, list[str]]]) -> None:
    """A CSV with the header on line 1 and each record on its own line number, empty lines between."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        line = 1
        for number, values in records:
            gap = number - line - 1
            while gap > 0:  # in blocks: a record on line 50,000,000 needs that many
                step = min(gap, 1 << 20)
                fh.write("\n" * step)
                gap -= step
            writer.writerow(values)
            line = number
