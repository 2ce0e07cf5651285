"""The duckdb engine reads a v2 requests file itself (slac.plan.native_v2): CSV, Parquet, JSON Lines.

The report is the numpy engine's byte for byte (numpy reads the same file through the runtime's
reader); a refused record is named with the runtime reader's own words, file, row and column, also
in a file over the runtime's row ceiling (lowered here, so a small file is "too big"), where the
numpy engine refuses the whole file and the duckdb engine still evaluates a good one.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from slac import limits
from slac.runtime.engines import Inputs, UsageError, choose_engine, evaluate_files
from slac.runtime.inputs import EventError
from tests.test_engine_v2 import NIMBUS, ROOT, report_bytes
from tests.test_v2_crosscheck import load_policy

pytest.importorskip("duckdb")

PERIOD = "2026-05"
FORMATS = ("csv", "parquet", "jsonl")
PADDING = 40  # zero-traffic rows in June: outside the window and every earlier one, so the report is unchanged
CEILING = 10  # above the other files' rows (≤ 7), below the requests' (6 + PADDING)


def _rows() -> list[list[Any]]:
    with open(NIMBUS / "requests.csv", encoding="utf-8") as fh:
        rows = [[s, r, t, int(a), int(b)] for s, r, t, a, b in list(csv.reader(fh))[1:]]
    june = [["object_storage", "us_east", f"2026-06-0{1 + k // 24}T{k % 24:02d}:00:00Z", 0, 0] for k in range(PADDING)]
    return rows + june


def _write(folder: Path, fmt: str, rows: list[list[Any]]) -> str:
    names = ["service", "region", "start", "total", "failed"]
    path = folder / f"requests.{fmt}"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows([names, *rows])
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(dict(zip(names, r, strict=True))) + "\n" for r in rows))
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        def when(text: str) -> datetime | None:
            return datetime.fromisoformat(text).astimezone(UTC) if text else None

        cols = list(zip(*rows, strict=True))
        pq.write_table(
            pa.table({"service": pa.array(cols[0], pa.string()), "region": pa.array(cols[1], pa.string()),
                      "start": pa.array([when(t) for t in cols[2]], pa.timestamp("us", tz="UTC")),
                      "total": pa.array(cols[3], pa.int64()), "failed": pa.array(cols[4], pa.int64())}),
            path,
        )  # fmt: skip
    return str(path)


def _inputs(requests: str) -> Inputs:
    return Inputs(str(NIMBUS / "customers.csv"), str(NIMBUS / "incidents.csv"),
                  charges=str(NIMBUS / "charges.csv"), requests=requests)  # fmt: skip


@pytest.fixture(scope="module")
def policy() -> Any:
    return load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())


@pytest.fixture
def natively(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each native read of requests answered (True: DuckDB read and checked the file itself)."""
    from slac.plan import native_v2

    answers: list[bool] = []
    real = native_v2.read_requests_natively

    def spy(*args: Any, **kwargs: Any) -> bool:
        answers.append(real(*args, **kwargs))
        return answers[-1]

    monkeypatch.setattr(native_v2, "read_requests_natively", spy)
    return answers


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_read_natively_report_is_numpys(fmt: str, policy: Any, tmp_path: Path, natively: list[bool]) -> None:
    inputs = _inputs(_write(tmp_path, fmt, _rows()))
    want = report_bytes(policy, inputs, PERIOD, "numpy")
    assert report_bytes(policy, inputs, PERIOD, "duckdb") == want
    assert natively == [True]
    # the nimbus month has error-rate downtime (08:00 us_east: 80 of 1000 failed, above its 5%): the requests count
    assert re.search(rb'"error_rate_intervals": [1-9]', want)


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_over_the_ceiling_are_evaluated_by_duckdb(
    fmt: str, policy: Any, tmp_path: Path, natively: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _inputs(_write(tmp_path, fmt, _rows()))
    want = report_bytes(policy, inputs, PERIOD, "numpy")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", CEILING)
    with pytest.raises(EventError, match="more than 10 rows"):  # the numpy engine cannot hold it now
        evaluate_files(policy, inputs, period=PERIOD, engine="numpy")
    assert choose_engine(policy, inputs) == "duckdb"
    assert report_bytes(policy, inputs, PERIOD, None) == want  # the default engine: duckdb, same bytes
    assert natively == [True]


# (format, row index, column index, value): each a rule of request_rules.REQUEST_RULES broken on one record.
MUTATIONS = [
    ("csv", 3, 0, "nope"),  # SCOPE: not a service of the contract
    ("parquet", 20, 1, ""),  # SCOPE: object_storage is measured per region
    ("jsonl", 4, 3, -1),  # FORM: not a count
    ("csv", 2, 4, "1.5"),  # FORM: not a whole number
    ("parquet", 5, 4, 401),  # NOT_ABOVE: failed 401 of 400
    ("jsonl", 30, 2, "1899-12-31T23:00:00Z"),  # TIME: before the years slac computes with
    ("csv", 1, 2, ""),  # TIME: required
    ("csv", 6, 1, "r" * 10_001),  # a cell longer than limits.MAX_FIELD_CHARS (10,000 characters)
    ("parquet", 9, 1, "é" * 10_001),  # the same in characters, not bytes
]


@pytest.mark.parametrize(("fmt", "at", "column", "value"), MUTATIONS)
def test_a_refused_request_is_named_as_by_the_runtimes_reader(
    fmt: str, at: int, column: int, value: Any, policy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows()
    rows[at][column] = value
    inputs = _inputs(_write(tmp_path, fmt, rows))
    with pytest.raises(EventError) as numpy:
        evaluate_files(policy, inputs, period=PERIOD, engine="numpy")
    with pytest.raises(EventError) as small:  # within the ceiling: the runtime's reader reads the file
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", CEILING)
    with pytest.raises(EventError) as big:  # over it: DuckDB finds the record, the reader words it
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")
    assert str(small.value) == str(numpy.value) == str(big.value)
    # Parquet records and JSON lines are numbered from 1, CSV lines from 2 (the header is line 1)
    assert numpy.value.row == at + (2 if fmt == "csv" else 1)


def test_a_value_duckdb_does_not_vouch_for_in_a_file_too_big(
    policy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows()
    rows[7][2] = "2026-06-01 05:00:00Z"  # a space for the T: the runtime reads it; SQL does not vouch for it
    # (record 7 counted from 0 is line 9 of the CSV: its header is line 1)
    inputs = _inputs(_write(tmp_path, "csv", rows))
    want = report_bytes(policy, inputs, PERIOD, "numpy")
    reads = _counted_reads(monkeypatch)
    assert report_bytes(policy, inputs, PERIOD, "duckdb") == want  # within the ceiling: the runtime reads it
    assert reads == ["customers", "requests"]  # each file once: declined, only the requests are read again
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", CEILING)
    with pytest.raises(UsageError, match=r"requests.csv, line 9: a value the duckdb engine does not read itself"):
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")


def _counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The runtime reader's reads of the customers and of the requests, in turn."""
    from slac.plan import scoped_engine  # noqa: F401 - imports the runtime reader before it is wrapped
    from slac.runtime import inputs_v2

    reads: list[str] = []
    for name, function in (("customers", "read_customers_v2"), ("requests", "read_requests")):
        real = getattr(inputs_v2, function)
        monkeypatch.setattr(
            inputs_v2, function, lambda *a, _real=real, _name=name, **k: reads.append(_name) or _real(*a, **k)
        )
    return reads


@pytest.mark.parametrize("final_break", [True, False])
def test_the_ceiling_counts_a_last_line_without_its_line_break(
    final_break: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slac.runtime import engines

    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", 3)
    end = "\n" if final_break else ""
    for records, over in ((3, False), (4, True)):  # a CSV's header line is no record
        path = tmp_path / "requests.csv"
        path.write_text("service,region,start,total,failed\n" + "\n".join(["a,b,c,1,0"] * records) + end)
        assert engines._over_ceiling(str(path)) is over, (records, final_break)
        path = tmp_path / "requests.jsonl"
        path.write_text("\n".join(['{"service": "a"}'] * records) + end)
        assert engines._over_ceiling(str(path)) is over, (records, final_break)


def test_the_first_bad_file_is_the_numpy_engines(policy: Any, tmp_path: Path) -> None:
    # A bad request and a bad ticket event: numpy reads the requests before the ticket events, so it
    # names the request; the native read keeps that order.
    rows = _rows()
    rows[3][0] = "nope"
    events = tmp_path / "events.csv"
    events.write_text("ticket,at,event\nT404,2026-05-02T10:00:00Z,update\n", encoding="utf-8")
    inputs = replace(_inputs(_write(tmp_path, "csv", rows)), ticket_events=str(events))
    with pytest.raises(EventError) as numpy:
        evaluate_files(policy, inputs, period=PERIOD, engine="numpy")
    with pytest.raises(EventError) as duckdb:
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")
    assert "requests.csv" in str(numpy.value) and str(duckdb.value) == str(numpy.value)


def test_a_refused_request_in_a_later_parquet_row_group_is_named_at_its_row(
    policy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    rows = _rows()
    rows[30][4] = 10**16  # FORM: more than 15 digits; row 31 of 46, in the fourth group of 10
    path = _write(tmp_path, "parquet", rows)
    pq.write_table(pq.read_table(path), path, row_group_size=10)
    assert pq.ParquetFile(path).num_row_groups == 5
    inputs = _inputs(path)
    with pytest.raises(EventError) as numpy:
        evaluate_files(policy, inputs, period=PERIOD, engine="numpy")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", CEILING)
    with pytest.raises(EventError) as big:
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")
    assert numpy.value.row == 31 and str(big.value) == str(numpy.value)


def test_a_padded_name_in_a_file_too_big_is_refused_with_what_to_write(
    policy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _rows()
    rows[5][0] = f" {rows[5][0]}"  # the runtime's reader trims it (and accepts the file); SQL does not vouch for it
    inputs = _inputs(_write(tmp_path, "csv", rows))
    assert report_bytes(policy, inputs, PERIOD, "duckdb") == report_bytes(policy, inputs, PERIOD, "numpy")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", CEILING)
    with pytest.raises(UsageError, match=r"requests.csv, line 7: .* names without spaces around them"):
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")  # record 5 from 0: line 7 after the header


@pytest.mark.parametrize("key", ["service", "region", "start", "total", "failed"])
def test_a_key_on_no_line_of_json_lines_too_big_is_named_as_numpy_names_it(
    key: str, policy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's JSON reader finds no such column at all; the runtime's reader names line 1."""
    names = ["service", "region", "start", "total", "failed"]
    path = tmp_path / "requests.jsonl"
    path.write_text(
        "".join(json.dumps({k: v for k, v in zip(names, r, strict=True) if k != key}) + "\n" for r in _rows())
    )
    inputs = _inputs(str(path))
    with pytest.raises(EventError) as numpy:
        evaluate_files(policy, inputs, period=PERIOD, engine="numpy")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", CEILING)
    with pytest.raises(EventError) as big:
        evaluate_files(policy, inputs, period=PERIOD, engine="duckdb")
    assert numpy.value.row == 1 and f"`{key}`" in str(numpy.value) and str(big.value) == str(numpy.value)
