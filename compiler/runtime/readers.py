"""Event files → Arrow tables of text: the CSV, JSON Lines and Parquet readers, before any row is checked.

A file is first checked to be a regular file within `limits.MAX_EVENT_FILE_BYTES` (the one bounded
check of `slac.fileio`), then parsed by pyarrow with every column kept as text; `slac.runtime.inputs`
checks the values. Row numbers are what a person sees in the file (see that module's docstring).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import limits
from ..fileio import ReadError
from .csv_lines import line_count, record_lines

# Extension → reader name; anything else is refused with the list.
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


class EventError(ReadError):
    """A bad event file or row: `file`, `row` (see the module docstring; 0 = the file as a whole), `column`."""

    def __init__(self, file: str, row: int, column: str | None, message: str, *, unit: str = "line") -> None:
        self.file, self.row, self.column, self.message, self.unit = file, row, column, message, unit
        where = file if row <= 0 else f"{file}, {unit} {row}"
        if column:
            where += f", column `{column}`"
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class Source:
    """One parsed file: its columns as Arrow arrays and each record's row number."""

    path: str
    table: pa.Table
    rows: np.ndarray  # int64, the row number a person sees for each record
    unit: str  # "line" or "row"
    header_row: int  # where a missing column is reported
    cache: dict[Any, Any] = field(default_factory=dict)  # columns as the checks read them, made once each

    def __len__(self) -> int:
        return self.table.num_rows

    def has(self, name: str) -> bool:
        # JSON Lines have every column (a key a record lacks is null, as if empty there)
        return name in self.table.column_names

    def column(self, name: str) -> Any:
        """The column as one Arrow array (the CSV reader returns chunks), combined once for every check."""
        key = ("column", name)
        if key not in self.cache:
            col = self.table.column(name)
            self.cache[key] = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        return self.cache[key]

    def error(self, index: int | None, column: str | None, message: str) -> EventError:
        row = self.header_row if index is None else int(self.rows[index])
        return EventError(self.path, row, column, message, unit=self.unit)


# ---- files -----------------------------------------------------------------------------------


def open_source(path: str | Path, required: Sequence[str], optional: Sequence[str]) -> Source:
    name = str(path)
    kind = FORMATS.get(Path(name).suffix.lower())
    if kind is None:
        raise EventError(name, 0, None, f"cannot tell the format; name the file {', '.join(f'*{e}' for e in FORMATS)}")
    # A CSV file may have been parsed (and its cells scanned) by `read_ahead.prefetch`'s thread already.
    src = prefetched(name) if kind == "csv" else None
    try:
        if src is None:
            _check_file(name)
            if kind == "csv":
                src = _read_csv(name)
            elif kind == "jsonl":
                src = _read_jsonl(name, (*required, *optional))
            else:
                src = _read_parquet(name, (*required, *optional))
    except FileNotFoundError:
        raise EventError(name, 0, None, "no such file") from None
    except IsADirectoryError:
        raise EventError(name, 0, None, "is a directory, not an event file") from None
    except OSError as exc:
        raise EventError(name, 0, None, f"cannot read: {exc.strerror or exc}") from None
    for column in required:
        if not src.has(column):
            have = ", ".join(f"`{c}`" for c in src.table.column_names) or "none"
            raise src.error(None, column, f"missing column `{column}` (columns found: {have}); add it")
    if len(src) > limits.MAX_ROWS_PER_FILE:
        raise src.error(limits.MAX_ROWS_PER_FILE, None, too_many_rows())
    _check_cells(src, (*required, *optional))
    return src


def too_many_rows() -> str:
    """The words of a file over the row ceiling (read when raised: tests lower the ceiling)."""
    return f"more than {limits.MAX_ROWS_PER_FILE:,} rows; split the events into several files or periods"


# path → (the `read_ahead.prefetch` call's token, the concurrent.futures.Future of its `Source`)
AHEAD: dict[str, tuple[object, Any]] = {}


def prefetched(name: str) -> Source | None:
    """The parsed file `read_ahead.prefetch` made of `name` (once: it is then forgotten), or None to read it here."""
    entry = AHEAD.pop(name, None)
    if entry is None:
        return None
    future = entry[1]
    try:
        found: Source = future.result()
    except Exception:  # noqa: BLE001 - any problem: read again by the caller, which words it (Ctrl-C stops)
        return None
    return found


def _check_file(path: str) -> None:
    """Refuse what is not a regular file of a sane size before reading a byte of it.

    `/dev/zero`, a pipe or a socket never ends: reading one would fill the memory.
    """
    from ..fileio import NotRegularFile, TooLarge, check_file

    try:
        check_file(path, limits.MAX_EVENT_FILE_BYTES)  # FileNotFoundError and friends: the caller words them
    except NotRegularFile:
        raise EventError(
            path, 0, None, "not a regular file (a device, pipe or socket); give a file of events"
        ) from None
    except TooLarge as exc:
        raise EventError(
            path,
            0,
            None,
            f"is {exc.size / 1024**3:.1f} GiB; slac reads event files of at most {exc.limit / 1024**3:.0f} GiB: split it",
        ) from None


def _check_cells(src: Source, columns: Sequence[str]) -> None:
    """No NUL byte and no cell longer than MAX_FIELD_CHARS in the columns slac reads (others are ignored).

    Answered from each column's buffers when they show there is none (the usual case): a column
    whose bytes hold no zero has no NUL, and a value of at most N bytes has at most N characters.
    """
    for name in columns:
        if name not in src.table.column_names or src.cache.get(("clean", name)):
            continue
        kind = src.table.schema.field(name).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        arr = src.column(name)
        data = arr.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, dtype=np.uint8).min() == 0:
            nul = first_true(pc.match_substring(arr, "\x00"))
            if nul is not None:
                raise src.error(nul, name, "contains a NUL byte; this is not text — check how the file was exported")
        if len(arr) and (pc.max(pc.binary_length(arr)).as_py() or 0) > limits.MAX_FIELD_CHARS:
            long = first_true(pc.greater(pc.utf8_length(arr), limits.MAX_FIELD_CHARS))
            if long is not None:
                raise src.error(
                    long,
                    name,
                    f"a value of {len(arr[long].as_py()):,} characters; a cell holds at most {limits.MAX_FIELD_CHARS:,}",
                )


def _read_csv(path: str, times: Sequence[str] = ()) -> Source:
    """The file as text, but for the columns `times` names (`read_ahead`): UTC timestamps, or a failed parse."""
    import pyarrow.csv as pcsv

    header = _csv_header(path, _header_line(path))
    types = {c: pa.timestamp("us", tz="UTC") if c in times else pa.string() for c in header}
    bad: list[Any] = []

    def invalid(row: Any) -> str:
        bad.append(row)
        return "error"

    def parse(threads: bool, multiline: bool = False) -> pa.Table:
        with _callback_errors() as raised:
            try:
                table = pcsv.read_csv(
                    path,
                    read_options=pcsv.ReadOptions(use_threads=threads),
                    parse_options=pcsv.ParseOptions(invalid_row_handler=invalid, newlines_in_values=multiline),
                    # Every column as text: the checks below decide what a value means, not Arrow's guesses.
                    convert_options=pcsv.ConvertOptions(
                        column_types=types,
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                        null_values=[""],  # a timestamp column's empty cell; text columns are never null
                    ),
                )
            except pa.ArrowInvalid:
                if raised:
                    raise _not_utf8(path, header) from None
                raise
        if raised:  # a bad row that is not UTF-8: pyarrow cannot even hand it to `invalid`
            raise _not_utf8(path, header)
        return table

    multiline = False
    try:
        table = parse(True)
    except pa.ArrowInvalid:
        # A quoted value spanning lines (an exported ticket subject, say) looks like a short row to
        # the fast parallel reader, or puts it out of step with its block splitter; read such a
        # file again allowing them (slower, so only when needed). A truly bad file fails again.
        bad.clear()
        multiline = True
        try:
            table = parse(True, multiline=True)
        except pa.ArrowInvalid as again:
            if "invalid UTF8" in str(again):
                raise _not_utf8(path, header) from None
            if not bad:
                raise _unreadable(path, header, again) from None
            bad.clear()
            try:  # only Arrow's single-threaded reader knows the line number of a bad row
                parse(False, multiline=True)
            except pa.ArrowInvalid:
                pass
            row = bad[0]
            raise EventError(
                path,
                row.number or 0,
                None,
                f"{row.actual_columns} fields where the header has {row.expected_columns} ({row.text[:80]!r}); "
                "quote values that contain commas",
            ) from None
    try:
        _ = table.column_names
    except UnicodeDecodeError:  # a quoted header name spanning lines, with bytes that are not UTF-8
        raise _not_utf8(path, header) from None
    return Source(path, table, _csv_rows(path, table, multiline), "line", 1)


def _unreadable(path: str, header: Sequence[str], exc: Exception) -> EventError:
    """The error of a CSV file Arrow cannot parse: a value longer than its read blocks (a megabyte) is named
    at its cell (`_long_cell`), anything else in Arrow's words."""
    long = _long_cell(path, header) if "straddl" in str(exc) else None
    return long or EventError(path, 0, None, f"not a readable CSV file: {_arrow_message(exc)}")


def _long_cell(path: str, header: Sequence[str]) -> EventError | None:
    """The first cell over MAX_FIELD_CHARS, as the error `_check_cells` gives, found by Python's csv module
    (Arrow fails on a value longer than its read blocks before any cell is checked); None if there is none."""
    import csv

    limit = csv.field_size_limit()
    csv.field_size_limit(limits.MAX_EVENT_FILE_BYTES)
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)  # the header
            start = reader.line_num + 1
            for record in reader:
                for i, cell in enumerate(record):
                    if len(cell) > limits.MAX_FIELD_CHARS:
                        name = header[i] if i < len(header) else None
                        message = (
                            f"a value of {len(cell):,} characters; a cell holds at most {limits.MAX_FIELD_CHARS:,}"
                        )
                        return EventError(path, start, name, message)
                start = reader.line_num + 1
    except (OSError, csv.Error):
        return None
    finally:
        csv.field_size_limit(limit)
    return None


def _csv_rows(path: str, table: pa.Table, multiline: bool) -> np.ndarray:
    """The line each record starts on: further down by the line breaks inside the (quoted) values before it."""
    breaks = np.zeros(table.num_rows, dtype=np.int64)
    # A quoted header name over two lines (Arrow reads it so when values may span lines) moves every record.
    after = 1 + sum(name.count("\n") for name in table.column_names)
    lines = line_count(path)
    # Every record takes a line at least: with no more lines than records, no value holds a line break
    # and no line is empty (the usual file), so the columns need no scan.
    for column in table.columns if lines > table.num_rows + after else ():
        if not pa.types.is_string(column.type):
            # only a column Arrow named differently from the header slac read (a quoted name over two
            # lines) is not forced to text; all empty, it is of type null, and holds no line breaks
            continue
        if multiline or pc.any(pc.match_substring(column, "\n")).as_py():
            breaks += np.asarray(pc.count_substring(column, "\n").to_numpy(zero_copy_only=False), dtype=np.int64)
    blanks = lines > table.num_rows + after + breaks.sum()
    return record_lines(path, breaks, blanks, after)


@contextmanager
def _callback_errors() -> Iterator[list[BaseException]]:
    """Exceptions raised around pyarrow's row callbacks, collected instead of printed as a traceback.

    pyarrow decodes a bad row's text before calling the handler; bytes that are not UTF-8 raise
    there, and Python prints "Exception ignored in …" with a traceback on stderr.
    """
    import sys

    raised: list[BaseException] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda info: raised.append(info.exc_value or RuntimeError())
    try:
        yield raised
    finally:
        sys.unraisablehook = previous


def _not_utf8(path: str, header: Sequence[str]) -> EventError:
    """The line (and, when it can tell, the column) of the first byte that is not UTF-8.

    Error path only: one pass over the lines. Arrow only says that a column holds invalid
    UTF-8; a person needs the line to fix.
    """
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                before = line[: exc.start]
                field = before.count(b",") if b'"' not in before else None  # a quoted comma would miscount
                column = header[field] if field is not None and field < len(header) else None
                return EventError(
                    path,
                    number,
                    column,
                    f"byte 0x{line[exc.start]:02x} is not UTF-8 text (GBK or another legacy encoding?); "
                    "save the file as UTF-8",
                )
    return EventError(path, 0, None, "not UTF-8 text; save the file as UTF-8")


def _header_line(path: str) -> bytes:
    """The first line, read in blocks and given up on once it is longer than a header ever is.

    A header of ten million columns, or 100 MB without a line break, is refused after reading
    at most `limits.MAX_HEADER_BYTES`, not after loading it (each block is scanned once).
    """
    with open(path, "rb") as fh:
        head = fh.readline(limits.MAX_HEADER_BYTES + 1)
    commas = head.count(b",")
    if commas >= limits.MAX_COLUMNS:
        raise EventError(
            path,
            1,
            None,
            f"the header has more than {limits.MAX_COLUMNS:,} columns; slac reads at most that many",
        )
    if len(head) > limits.MAX_HEADER_BYTES:
        raise EventError(
            path,
            1,
            None,
            f"the first line is longer than {limits.MAX_HEADER_BYTES // 1024} KiB; "
            "it must be a header naming the columns, one line of at most "
            f"{limits.MAX_COLUMNS:,} names",
        )
    return head


def _csv_header(path: str, head: bytes) -> list[str]:
    import csv

    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EventError(path, 1, None, "the header is not UTF-8 text; save the file as UTF-8") from None
    try:
        names = next(csv.reader([text]), [])
    except csv.Error as exc:
        raise EventError(path, 1, None, f"the header is not a CSV line: {exc}") from None
    if not [n for n in names if n.strip()]:
        raise EventError(path, 1, None, "the first line must be a header naming the columns")
    check_unique_columns(path, names, 1)
    return names


def check_unique_columns(path: str, names: Sequence[str], row: int, unit: str = "line") -> None:
    """A column named twice is refused: which of the two holds the ids?"""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise EventError(
                path,
                row,
                name,
                "the header names this column twice; rename or remove one of them",
                unit=unit,
            )
        seen.add(name)


def _read_jsonl(path: str, columns: Sequence[str]) -> Source:
    import pyarrow.json as pj

    data = Path(path).read_bytes()
    # Arrow would guess types (and turn ISO times into naive timestamps, losing the offset);
    # ask it for text and let the checks decide. Fast path only for the plain case: no blank lines
    # (so record i is on line i + 1) and values of one JSON type per column.
    # (A pattern starting with a literal newline is searched fast; an alternation with ^ is 25× slower.)
    if not re.search(rb"\n[ \t\r]*\n", data) and not re.match(rb"[ \t\r]*\n", data) and _flat(data) and _utf8(data):
        schema = pa.schema([(c, pa.string()) for c in columns if c not in ("monthly_fee", "outage")])
        try:
            table = pj.read_json(
                pa.BufferReader(data),
                parse_options=pj.ParseOptions(explicit_schema=schema),
            )
            table = _as_text(table, ("monthly_fee", "outage"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # the line-by-line reader says which line
            table = None
        if table is not None:
            rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
            return Source(path, table, rows, "line", 0)
    return _read_jsonl_slowly(path, data.split(b"\n"), columns)


def _utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 (Arrow's JSON reader does not check; the json module names the line)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for at in range(0, len(data), 1 << 24):
            decoder.decode(view[at : at + (1 << 24)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# An unpaired surrogate, as json.loads makes of `"\udb00"`: no UTF-8 text can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _flat(data: bytes) -> bool:
    """Whether every line is one object, starting with its `{`, with no other `{` or `[` anywhere.

    Only such files go to Arrow's JSON reader: it recurses into nested values on the C stack, and
    `[` a hundred thousand deep crashes the process. Anything else (a `{` or `[` inside a text
    included) is read by the json module, which refuses deep nesting with an exception.
    """
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    starts = data.count(b"\n{") + data.startswith(b"{")
    # `\uD8..`–`\uDF..` escapes (surrogates, paired or not) are left to the json module too.
    escapes = (b"\\ud" in data or b"\\uD" in data) and re.search(rb"\\u[dD][89a-fA-F]", data) is not None
    return b"[" not in data and not escapes and data.count(b"{") == starts == lines


def _read_jsonl_slowly(path: str, lines: list[bytes], columns: Sequence[str]) -> Source:
    """Line by line with the json module: exact line numbers, any JSON value type, clear messages."""
    import json

    values: dict[str, list[str | None]] = {c: [] for c in columns}
    rows: list[int] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            # Numbers are kept as written (the checks read text): a 5,000-digit integer is a long
            # text, not a ValueError, and `1000.50` stays `1000.50`.
            record = json.loads(line, parse_int=str, parse_float=str, parse_constant=str)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise EventError(path, number, None, f"not a JSON object: {exc}; write one object per line") from None
        except RecursionError:  # `[[[[…` a hundred thousand deep
            raise EventError(
                path, number, None, "a JSON value nested too deeply; write one flat object per line"
            ) from None
        if not isinstance(record, dict):
            raise EventError(path, number, None, "not a JSON object; write one {…} object per line")
        rows.append(number)
        for c in columns:
            v = record.get(c)
            if isinstance(v, (dict, list)):
                raise EventError(path, number, c, "a list or object where a single value is expected")
            if isinstance(v, str) and not v.isascii() and _SURROGATE.search(v):
                raise EventError(
                    path, number, c, "a \\uD800–\\uDFFF escape without its pair is not text; check how it was exported"
                )
            values[c].append(None if v is None else ("true" if v is True else "false" if v is False else str(v)))
    table = pa.table({c: pa.array(v, pa.string()) for c, v in values.items()})
    return Source(path, table, np.array(rows, dtype=np.int64), "line", 0)


def _read_parquet(path: str, columns: Sequence[str]) -> Source:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        check_unique_columns(path, schema.names, 0, "row")
        width = len(schema)
        if width > limits.MAX_COLUMNS:
            raise EventError(path, 0, None, f"has {width:,} columns; slac reads at most {limits.MAX_COLUMNS:,}")
        table = pq.read_table(path)
    except pa.ArrowException as exc:
        raise EventError(path, 0, None, f"not a readable Parquet file: {_arrow_message(exc)}") from None
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return Source(path, _plain_text(path, table, columns), rows, "row", 0)


def _plain_text(path: str, table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """Dictionary-encoded, large, view and binary text columns as plain strings.

    So that the NUL and cell-length checks, and every later check, see every text column the same way.
    """
    for name in columns:
        if name not in table.column_names:
            continue
        column = original = table.column(name)
        kind = column.type
        try:
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
                column = pc.cast(column, kind)
            is_view = getattr(pa.types, "is_string_view", lambda _: False)(kind)
            textual = pa.types.is_large_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
            if textual or is_view:
                column = pc.cast(column, pa.string())
            if pa.types.is_string(kind):
                column.validate(full=True)  # Parquet text is not checked to be UTF-8 when read
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise EventError(path, 0, name, "holds bytes that are not UTF-8 text", unit="row") from None
        if column is not original:
            table = table.set_column(table.column_names.index(name), name, column)
    return table


def _as_text(table: pa.Table, names: Sequence[str]) -> pa.Table:
    for name in names:
        if name in table.column_names and not pa.types.is_string(table.column(name).type):
            i = table.column_names.index(name)
            table = table.set_column(i, name, pc.cast(table.column(name), pa.string()))
    return table


def _arrow_message(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# ---- helpers ---------------------------------------------------------------------------------


def first_true(mask: Any) -> int | None:
    if isinstance(mask, np.ndarray):
        hits = np.flatnonzero(mask)
        return int(hits[0]) if len(hits) else None
    if not pc.any(mask).as_py():  # nulls are skipped; the usual answer, without a scan for the position
        return None
    index = pc.index(no_nulls(mask, False), True).as_py()
    return None if index is None or index < 0 else int(index)


def no_nulls(values: Any, fill: Any) -> Any:
    """`values` with nulls replaced; without a copy when there are none (CSV text never has any)."""
    return values if values.null_count == 0 else pc.fill_null(values, fill)
