"""The duckdb engine's native read of language v2's requests file: DuckDB reads it itself, streaming.

A Parquet file is read as it is; a CSV or JSON Lines file is streamed into Parquet text first
(`native_text`). One SQL pass checks every record by the rules of the runtime's reader
(`runtime.request_rules`, turned into SQL by `request_conditions`); when none is refused, the
`requests` view feeds the scoped SQL (`scoped_sql`) directly, so no request is held in Python and
there is no row ceiling. When one is refused, a file the runtime's reader can hold is left to it
(it names the file, row and column); a bigger one has its first refused record worded by that
reader on a file of just that record (`first_problem`), so the message is the same either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import limits
from ..runtime.request_rules import COUNT_DIGITS, COUNT_FORM, NOT_ABOVE, REQUEST_RULES, REQUIRED, SCOPE
from ..runtime.ticket_rules import FORM, MAX_US, MIN_US, TIME
from . import sql_literal
from .duck import private_folder
from .inputs import EDGE_SPACE

COLUMNS = ("service", "region", "start", "total", "failed")  # REQUIRED and OPTIONAL, in the views' order
TEXTS = ("service", "region")
COUNTS = ("total", "failed")
# A name the runtime's reader would read differently (it trims Unicode White_Space), or not at all.
_ODD_NAME = EDGE_SPACE + r"|\x{0}"


def kind_of(path: str) -> str | None:
    """The file's kind ("parquet", "csv" or "jsonl") when DuckDB may read it itself, else None."""
    lower = path.lower()
    if lower.endswith(".parquet"):
        return "parquet" if parquet_requests_fit(path) else None
    if lower.endswith(".csv"):
        return "csv"
    return "jsonl" if lower.endswith((".jsonl", ".ndjson")) else None


def parquet_requests_fit(path: str) -> bool:
    """Whether DuckDB reads this Parquet requests file to the runtime reader's values: names as text,
    `start` as time-zone-aware timestamps in s, ms or µs, the counts as integers."""
    import pyarrow as pa

    from .inputs import parquet_schema_fits

    def fits(name: str, kind: Any) -> bool:
        if name in TEXTS:
            return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))
        if name == "start":
            return bool(pa.types.is_timestamp(kind) and kind.tz and kind.unit in ("s", "ms", "us"))
        return name not in COUNTS or bool(pa.types.is_integer(kind))

    return parquet_schema_fits(path, REQUIRED, fits)


def request_conditions(policy: Any) -> list[str]:
    """The SQL conditions of the runtime's requests reader, from its rules (`request_rules.REQUEST_RULES`):
    a record meeting any is one it refuses. Over `requests_read r` (names NULL when empty, `start` in µs
    and NULL when empty, a count NULL when it is not one)."""

    def among(names: list[str]) -> str:
        return f"r.service IN ({', '.join(sql_literal(n) for n in names)})" if names else "FALSE"

    services = policy.raw.get("services") or []
    out = []
    for r in REQUEST_RULES:
        if r.rule == SCOPE:
            per = [s["id"] for s in services if s["per_region"]]
            flat = [s["id"] for s in services if not s["per_region"]]
            out.append(
                f"r.service IS NULL OR NOT ({among(per + flat)}) OR ({among(per)} AND r.region IS NULL)"
                f" OR ({among(flat)} AND r.region IS NOT NULL)"
            )
        elif r.rule == TIME:
            out.append(f"r.{r.column} IS NULL OR r.{r.column} < {MIN_US} OR r.{r.column} >= {MAX_US}")
        elif r.rule == FORM:
            out.append(f"r.{r.column} IS NULL")
        elif r.rule == NOT_ABOVE:
            out.append(f"r.{r.columns[0]} > r.{r.columns[1]}")
    return out


def refused_sql(policy: Any) -> str:
    """The condition a refused record meets: a rule's, a value read in a form SQL does not vouch for
    (`doubt`), or a name the runtime would trim."""
    checks = [*request_conditions(policy), "r.doubt", *(_odd(f"r.{c}") for c in TEXTS)]
    return " OR ".join(f"COALESCE(({c}), FALSE)" for c in checks)


def _odd(name: str) -> str:
    """A name the runtime's reader trims, reads differently or refuses: edge spaces, NUL, or longer than a cell holds."""
    return f"(regexp_matches({name}, {sql_literal(_ODD_NAME)}) OR length({name}) > {limits.MAX_FIELD_CHARS})"


def read_requests_natively(con: Any, policy: Any, path: str, progress: Any = None) -> bool:
    """The `requests` view over the file, every record checked; False when the runtime's reader must read it
    (a form DuckDB does not read, or a refused record in a file it holds). Over its ceiling, a refused
    record raises the runtime reader's own `EventError` (`first_problem`)."""
    from .duck import stage
    from .native import _within_ceiling

    kind = kind_of(path)
    if kind is None or not _requests_view(con, path, kind, progress):
        return False
    stage(progress, "DuckDB checks the requests")
    rules = " OR ".join(f"COALESCE(({c}), FALSE)" for c in (*request_conditions(policy), "r.doubt"))
    n, bad = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {rules}) FROM requests_read r").fetchall()[0]
    odd = " OR ".join(f"COALESCE({_odd(c)}, FALSE)" for c in TEXTS)
    names = f"SELECT count(*) FROM (SELECT DISTINCT service, region FROM requests_read) WHERE {odd}"
    if bad or con.execute(names).fetchall()[0][0]:
        if _within_ceiling(path, int(n)):
            return False
        first_problem(con, policy, path, kind)
    con.execute("CREATE OR REPLACE VIEW requests AS SELECT service, region, start, total, failed FROM requests_read")
    return True


def _requests_view(con: Any, path: str, kind: str, progress: Any) -> bool:
    """The `requests_read` view (`row`: the 0-based record; `doubt`: a value SQL does not vouch for)."""
    from .duck import stage
    from .native_text import csv_to_text_parquet, jsonl_to_text_parquet, text_time_us, time_doubt

    top = 10**COUNT_DIGITS  # counts of at most COUNT_DIGITS digits (request_rules.COUNT_FORM)
    if kind == "parquet":
        source, names = path, _parquet_names(path)
        start = "epoch_us(start)"
        counts = [f"CASE WHEN {c} >= 0 AND {c} < {top} THEN CAST({c} AS BIGINT) END AS {c}" for c in COUNTS]
        doubt = "FALSE"
    else:
        stage(progress, f"reading the {'CSV' if kind == 'csv' else 'JSON Lines'} requests")
        source = _text_parquet(con)
        found = (
            csv_to_text_parquet(path, source, COLUMNS, REQUIRED)
            if kind == "csv"
            else jsonl_to_text_parquet(path, source, COLUMNS, COUNTS)
        )
        if found is None:
            return False
        names = set(found)
        start = text_time_us("start")
        form = sql_literal(COUNT_FORM)
        counts = [f"CASE WHEN regexp_full_match({c}, {form}) THEN CAST({c} AS BIGINT) END AS {c}" for c in COUNTS]
        doubt = time_doubt("start")
    region = "NULLIF(region, '')" if "region" in names else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"""CREATE OR REPLACE VIEW requests_read AS SELECT
  CAST(file_row_number AS BIGINT) AS "row", NULLIF(service, '') AS service, {region} AS region,
  {start} AS start, {", ".join(counts)}, {doubt} AS doubt
FROM read_parquet({sql_literal(source)}, file_row_number = true)"""
    )
    return True


def _parquet_names(path: str) -> set[str]:
    import pyarrow.parquet as pq

    return set(pq.read_schema(path).names)


def _text_parquet(con: Any) -> str:
    """The streamed Parquet text's place, in the session's private folder."""
    return str(private_folder(con) / "requests.parquet")


def first_problem(con: Any, policy: Any, path: str, kind: str) -> None:
    """Raise the runtime reader's own `EventError` for the first refused record of a file too big for it.

    The record is found in SQL; the runtime's reader reads a file of just that record (in the file's
    own format) and words it; its row is moved to the record's place in the whole file. Every request
    rule is one record's own, so the words are those the reader would give in the whole file. A record
    the reader accepts after all (a form SQL does not vouch for) is refused with a usage error.
    """
    from ..runtime.inputs import EventError
    from ..runtime.inputs_v2 import read_requests
    from .native_text import not_read_here

    at = int(con.execute(f'SELECT min(r."row") FROM requests_read r WHERE {refused_sql(policy)}').fetchall()[0][0])
    folder = private_folder(con)
    small = folder / f"first-problem.{kind}"
    _write_record(con, path, kind, at, small)
    try:
        read_requests(small, policy.raw)
    except EventError as exc:
        raise EventError(path, exc.row + at, exc.column, exc.message, unit=exc.unit) from None
    where = {"csv": f"line {at + 2}", "jsonl": f"line {at + 1}"}.get(kind, f"row {at + 1}")  # as the reader counts
    raise not_read_here(path, where, "times as 2026-05-10T08:00:00Z, counts as whole numbers")


def _write_record(con: Any, path: str, kind: str, at: int, small: Path) -> None:
    """A file of the one record `at` (0-based) of the requests file, in its format."""
    import csv
    import json

    if kind == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        for group in range(pf.num_row_groups):
            rows = pf.metadata.row_group(group).num_rows
            if at < rows:
                pq.write_table(pf.read_row_group(group).slice(at, 1), small)
                return
            at -= rows
        raise RuntimeError("the refused record is past the Parquet file's row groups")
    text = _text_parquet(con)
    record = con.execute(f"SELECT * FROM read_parquet({sql_literal(text)}, file_row_number = true) "
                         f"WHERE file_row_number = {at}")  # fmt: skip
    names = [d[0] for d in record.description if d[0] != "file_row_number"]
    values = dict(zip(names, record.fetchall()[0], strict=False))
    with open(small, "w", encoding="utf-8", newline="") as fh:
        if kind == "csv":
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerows([names, [values[n] for n in names]])
        else:
            fh.write(json.dumps(values) + "\n")
