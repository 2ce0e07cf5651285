"""Event input readers: CSV, JSON Lines and Parquet give the same tables; every bad row names file, row and column."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slac.runtime.events import MISSING
from slac.runtime.inputs import EventError, read_events

from .conftest import ROOT

POLICY = json.loads((ROOT / "tests" / "golden" / "policy" / "acme-crm.json").read_text(encoding="utf-8"))

CUSTOMERS = """customer,tier,monthly_fee,currency,note
c1,starter,500,USD,first
c2,enterprise,2000.50,,
c3,free,0,USD,
"""
TICKETS = """id,customer,priority,opened_at,responded_at,outage,cause
t1,c1,urgent,2026-06-10T02:00Z,2026-06-10T03:00:30Z,true,
t2,c2,high,2026-06-10T10:00+08:00,,,
t3,c2,normal,2026-06-11T09:15:00.250-04:00,2026-06-11T13:15:00.250Z,false,customer_caused
"""
INCIDENTS = """id,start,end,cause,announced_at,customers
i1,2026-06-10T02:00Z,2026-06-10T03:30Z,,,
i2,2026-06-13T01:00Z,2026-06-13T05:00Z,planned_maintenance,2026-06-09T00:00Z,c2; c1
"""


def us(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp()) * 1_000_000 + datetime.fromisoformat(text).microsecond


def write(tmp: Path, customers: str = CUSTOMERS, tickets: str = TICKETS, incidents: str = INCIDENTS) -> dict[str, Path]:
    paths = {"customers": tmp / "customers.csv", "tickets": tmp / "tickets.csv", "incidents": tmp / "incidents.csv"}
    for key, text in zip(paths, (customers, tickets, incidents), strict=True):
        paths[key].write_text(text, encoding="utf-8")
    return paths


def read(paths: dict[str, Path]):
    return read_events(POLICY, customers=paths["customers"], tickets=paths["tickets"], incidents=paths["incidents"])


def fails(tmp: Path, **texts: str) -> EventError:
    with pytest.raises(EventError) as info:
        read(write(tmp, **texts))
    return info.value


def test_csv_reads_every_column(tmp_path: Path) -> None:
    ev = read(write(tmp_path))
    c, t, i = ev.customers, ev.tickets, ev.incidents
    assert c.id.tolist() == ["c1", "c2", "c3"] and c.tier.tolist() == ["starter", "enterprise", "free"]
    assert c.fee == (Decimal("500"), Decimal("2000.50"), Decimal("0"))
    assert c.row.tolist() == [2, 3, 4] and c.source.endswith("customers.csv")
    assert t.id.tolist() == ["t1", "t2", "t3"]
    assert t.opened.tolist() == [
        us("2026-06-10T02:00+00:00"),
        us("2026-06-10T10:00+08:00"),
        us("2026-06-11T09:15:00.250-04:00"),
    ]
    assert t.responded.tolist() == [us("2026-06-10T03:00:30+00:00"), MISSING, us("2026-06-11T13:15:00.250+00:00")]
    assert t.outage.tolist() == [True, False, False]
    assert t.cause.tolist() == [None, None, "customer_caused"]
    assert t.row.tolist() == [2, 3, 4]
    assert i.customers == (None, ("c1", "c2"))
    assert i.announced.tolist() == [MISSING, us("2026-06-09T00:00+00:00")]
    assert i.end.tolist()[0] - i.start.tolist()[0] == 90 * 60 * 1_000_000
    assert i.cause.tolist() == [None, "planned_maintenance"]
    assert t.opened.dtype == np.int64 and t.outage.dtype == np.bool_


def _same(a, b) -> None:
    for table in ("customers", "tickets", "incidents"):
        x, y = getattr(a, table), getattr(b, table)
        for field in x.__dataclass_fields__:
            if field in ("source", "row"):
                continue
            vx, vy = getattr(x, field), getattr(y, field)
            assert (vx.tolist() if isinstance(vx, np.ndarray) else vx) == (
                vy.tolist() if isinstance(vy, np.ndarray) else vy
            ), (table, field)


def _records(csv_text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(csv_text)))


def test_json_lines_give_the_same_tables(tmp_path: Path) -> None:
    expected = read(write(tmp_path))
    paths = {}
    for key, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        records = _records(text)
        for r in records:  # JSON's own types where a writer would use them
            if "monthly_fee" in r:
                r["monthly_fee"] = json.loads(r["monthly_fee"])  # type: ignore[assignment]
            if r.get("outage") in ("true", "false"):
                r["outage"] = r["outage"] == "true"  # type: ignore[assignment]
        paths[key] = tmp_path / f"{key}.jsonl"
        paths[key].write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    got = read(paths)
    _same(expected, got)
    assert got.tickets.row.tolist() == [1, 2, 3]  # a JSON Lines row is its line


def test_json_lines_with_blank_lines_and_mixed_types_keep_line_numbers(tmp_path: Path) -> None:
    paths = write(tmp_path)
    paths["tickets"] = tmp_path / "tickets.ndjson"
    paths["tickets"].write_text(
        '{"id": 1, "customer": "c1", "priority": "normal", "opened_at": "2026-06-10T02:00Z", "responded_at": null}\n'
        "\n"
        '{"id": "two", "customer": "c9", "priority": "normal", "opened_at": "2026-06-10T02:00Z"}\n',
        encoding="utf-8",
    )
    with pytest.raises(EventError) as info:
        read(paths)
    assert (info.value.row, info.value.column) == (3, "customer")
    assert "unknown customer 'c9'" in str(info.value)


def test_parquet_gives_the_same_tables(tmp_path: Path) -> None:
    expected = read(write(tmp_path))
    paths = write(tmp_path)
    for key, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        table = pa.Table.from_pylist(_records(text))
        if key == "tickets":  # typed columns, as a data warehouse would export them
            opened = pa.array([datetime.fromisoformat(v) for v in table.column("opened_at").to_pylist()])
            table = table.set_column(3, "opened_at", opened.cast(pa.timestamp("ms", tz="UTC")))
            table = table.set_column(5, "outage", pa.array([True, None, False]))
        paths[key] = tmp_path / f"{key}.parquet"
        pq.write_table(table, paths[key])
    got = read(paths)
    _same(expected, got)
    assert got.tickets.row.tolist() == [1, 2, 3]


def test_parquet_timestamps_without_zone_are_refused(tmp_path: Path) -> None:
    paths = write(tmp_path)
    table = pa.Table.from_pylist(_records(TICKETS))
    naive = pa.array([datetime(2026, 6, 10, 2)] * 3, pa.timestamp("us"))
    pq.write_table(table.set_column(3, "opened_at", naive), tmp_path / "t.parquet")
    paths["tickets"] = tmp_path / "t.parquet"
    with pytest.raises(EventError) as info:
        read(paths)
    assert (info.value.row, info.value.column, info.value.unit) == (1, "opened_at", "row")
    assert "without a time zone" in str(info.value)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


BAD = [
    # (which file, old, new, row, column, words in the message)
    ("customers", "customer,tier,monthly_fee", "customer,level,monthly_fee", 1, "tier", "missing column `tier`"),
    ("tickets", "opened_at,responded_at", "opened,responded_at", 1, "opened_at", "missing column"),
    ("tickets", "2026-06-10T10:00+08:00", "2026-06-10T10:00", 3, "opened_at", "has no UTC offset"),
    ("tickets", "2026-06-10T10:00+08:00", "10 June 2026", 3, "opened_at", "not an ISO 8601 timestamp"),
    ("tickets", "2026-06-10T10:00+08:00", "2026-02-30T10:00+08:00", 3, "opened_at", "not a real date"),
    ("tickets", "2026-06-10T03:00:30Z", "2026-06-10T01:59Z", 2, "responded_at", "before the opening"),
    ("tickets", "2026-06-10T03:00:30Z", "2026-06-10T03:00:30", 2, "responded_at", "has no UTC offset"),
    ("incidents", "2026-06-13T05:00Z", "2026-06-13T00:59Z", 3, "end", "ends ('2026-06-13T00:59Z') before it starts"),
    ("customers", "c2,enterprise", "c2,enterprize", 3, "tier", "did you mean 'enterprise'?"),
    ("tickets", "c2,high", "c2,hihg", 3, "priority", "did you mean 'high'?"),
    ("tickets", "t3,c2", "t3,c4", 4, "customer", "unknown customer 'c4'"),
    ("tickets", "customer_caused", "customer_cause", 4, "cause", "did you mean 'customer_caused'?"),
    ("incidents", "c2; c1", "c2; cl", 3, "customers", "unknown customer 'cl'"),
    ("tickets", "t3,c2", "t1,c2", 4, "id", "duplicate ticket id 't1', first used on line 2"),
    ("customers", "c3,free", "c1,free", 4, "customer", "duplicate customer 'c1'"),
    ("incidents", "i2,", "i1,", 3, "id", "duplicate incident id"),
    ("customers", "2000.50", "$2000.50", 3, "monthly_fee", "not an amount of money"),
    ("customers", ",500,", ",-500,", 2, "monthly_fee", "not an amount of money"),
    ("customers", "500,USD", "500,EUR", 2, "currency", "contract's currency is USD"),
    ("tickets", ",true,", ",maybe,", 2, "outage", "not true or false"),
    ("tickets", "t2,c2,high", ",c2,high", 3, "id", "`id` is empty"),
]


@pytest.mark.parametrize(("which", "old", "new", "row", "column", "words"), BAD, ids=[f"{b[0]}-{b[5]}" for b in BAD])
def test_bad_rows_name_file_row_and_column(
    tmp_path: Path, which: str, old: str, new: str, row: int, column: str, words: str
) -> None:
    texts = {"customers": CUSTOMERS, "tickets": TICKETS, "incidents": INCIDENTS}
    texts[which] = _replace(texts[which], old, new)
    err = fails(tmp_path, **texts)
    assert (Path(err.file).name, err.row, err.column) == (f"{which}.csv", row, column)
    assert words in str(err)
    assert str(err).startswith(f"{err.file}, line {row}, column `{column}`: ")


def test_the_earliest_bad_row_is_reported(tmp_path: Path) -> None:
    tickets = _replace(_replace(TICKETS, "t3,c2,normal", "t3,c2,urgnt"), "t2,c2,high", "t2,c7,high")
    err = fails(tmp_path, tickets=tickets)
    assert (err.row, err.column) == (3, "customer")


def test_extra_columns_and_optional_columns(tmp_path: Path) -> None:
    tickets = "id,customer,priority,opened_at,responded_at,whatever\nt1,c1,normal,2026-06-10T02:00Z,,x\n"
    incidents = "id,start,end\ni1,2026-06-10T02:00Z,2026-06-10T02:00Z\n"
    ev = read(write(tmp_path, tickets=tickets, incidents=incidents))
    assert ev.tickets.outage.tolist() == [False] and ev.tickets.cause.tolist() == [None]
    assert ev.incidents.customers == (None,) and ev.incidents.announced.tolist() == [MISSING]


def test_empty_files_with_a_header_are_fine(tmp_path: Path) -> None:
    ev = read(write(tmp_path, tickets=TICKETS.splitlines()[0] + "\n", incidents="id,start,end\n"))
    assert len(ev.tickets.id) == 0 and len(ev.incidents.id) == 0 and ev.incidents.customers == ()


def test_file_level_problems(tmp_path: Path) -> None:
    paths = write(tmp_path)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(TICKETS + "t4,c1\n", encoding="utf-8")
    cases = [
        (tmp_path / "missing.csv", "no such file"),
        (tmp_path / "tickets.xlsx", "cannot tell the format"),
        (ragged, "line 5: 2 fields where the header has 7"),
        (tmp_path, "cannot tell the format"),
    ]
    for path, words in cases:
        with pytest.raises(EventError) as info:
            read({**paths, "tickets": path})
        assert words in str(info.value), str(info.value)


def test_a_bad_value_deep_in_a_large_file_is_found(tmp_path: Path) -> None:
    n = 200_000
    lines = [f"t{k},c1,normal,2026-06-10T02:00Z,2026-06-10T02:{k % 60:02d}Z" for k in range(n)]
    lines[n - 7] = lines[n - 7].replace("2026-06-10T02:00Z", "2026-06-10 02:00")
    tickets = "id,customer,priority,opened_at,responded_at\n" + "\n".join(lines) + "\n"
    err = fails(tmp_path, tickets=tickets)
    assert (err.row, err.column) == (n - 7 + 2, "opened_at")
    assert "no UTC offset" in err.message


def test_nested_values_are_refused(tmp_path: Path) -> None:
    paths = write(tmp_path)
    paths["customers"] = tmp_path / "customers.jsonl"
    paths["customers"].write_text(
        '{"customer": "c1", "tier": "starter", "monthly_fee": 500}\n'
        '{"customer": "c2", "tier": "starter", "monthly_fee": {"amount": 500}}\n',
        encoding="utf-8",
    )
    with pytest.raises(EventError) as info:
        read(paths)
    assert (info.value.row, info.value.column) == (2, "monthly_fee") and "a single value" in str(info.value)
    table = pa.Table.from_pylist(_records(INCIDENTS)).drop_columns(["customers"])
    table = table.append_column("customers", pa.array([None, ["c1", "c2"]], pa.list_(pa.string())))
    pq.write_table(table, tmp_path / "incidents.parquet")
    paths = {**write(tmp_path), "incidents": tmp_path / "incidents.parquet"}
    with pytest.raises(EventError) as info:
        read(paths)
    assert info.value.column == "customers" and "type list<" in str(info.value)


_CELLS = st.one_of(
    st.sampled_from(["", "c1", "urgent", "2026-06-10T02:00Z", "2026-06-10T02:00", "true", "x;y", "2026-02-30T00:00Z"]),
    st.text(max_size=12),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELLS, min_size=7, max_size=7), max_size=4), which=st.sampled_from(["csv", "jsonl"]))
def test_any_cells_give_tables_or_an_event_error(tmp_path: Path, rows: list[list[str]], which: str) -> None:
    import csv
    import io

    header = ["id", "customer", "priority", "opened_at", "responded_at", "outage", "cause"]
    paths = write(tmp_path)
    path = tmp_path / f"fuzz.{which}"
    if which == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *rows])
        path.write_text(buf.getvalue(), encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(dict(zip(header, r, strict=True))) + "\n" for r in rows), encoding="utf-8")
    try:
        ev = read({**paths, "tickets": path})
    except EventError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert len(ev.tickets.id) == len(rows)


@pytest.mark.parametrize(
    "ids",
    [
        [f"t{k}" for k in range(3000)],  # ASCII: sorted as fixed-width bytes
        [f"工单{k}" for k in range(3000)],  # not ASCII: a set
        [f"t{k}" + "x" * (k % 50) for k in range(3000)],  # ragged widths
    ],
    ids=["ascii", "cjk", "ragged"],
)
def test_duplicate_ids_are_found_in_large_files(tmp_path: Path, ids: list[str]) -> None:
    from slac.runtime.inputs import _all_distinct

    arr = pa.array(ids)
    assert _all_distinct(arr, np.array(ids, dtype=object))
    dup = [*ids[:-1], ids[1234]]
    assert not _all_distinct(pa.array(dup), np.array(dup, dtype=object))
    lines = [f"{i},c1,normal,2026-06-10T02:00Z," for i in dup]
    err = fails(tmp_path, tickets="id,customer,priority,opened_at,responded_at\n" + "\n".join(lines) + "\n")
    assert (err.row, err.column) == (len(dup) + 1, "id")
    assert f"first used on line {1234 + 2}" in err.message


@pytest.mark.parametrize("text", ["\n{R}\n{S}\n", "{R}\n  \n{S}\n", "{R}\r\n\r\n{S}\r\n", "{R}\n{S}"])
def test_json_lines_numbering_with_blank_lines(tmp_path: Path, text: str) -> None:
    good = '{"id": "t1", "customer": "c1", "priority": "normal", "opened_at": "2026-06-10T02:00Z"}'
    bad = '{"id": "t2", "customer": "c1", "priority": "nope", "opened_at": "2026-06-10T02:00Z"}'
    body = text.replace("{R}", good).replace("{S}", bad)
    paths = write(tmp_path)
    paths["tickets"] = tmp_path / "tickets.jsonl"
    paths["tickets"].write_bytes(body.encode("utf-8"))
    with pytest.raises(EventError) as info:
        read(paths)
    expected = body.replace("\r\n", "\n").split("\n").index(bad) + 1
    assert (info.value.row, info.value.column) == (expected, "priority")


def test_values_spanning_lines_keep_line_numbers(tmp_path: Path) -> None:
    tickets = (
        "id,customer,priority,opened_at,responded_at,subject\n"
        't1,c1,normal,2026-06-10T02:00Z,,"The site is down\nsince this morning\r\nplease help"\n'
        "t2,c1,normal,2026-06-10T02:00Z,,short\n"
        't3,c1,normal,2026-06-10T02:00Z,,"two\nlines"\n'
        "t4,c1,nromal,2026-06-10T02:00Z,,bad priority\n"
    )
    err = fails(tmp_path, tickets=tickets)
    assert (err.row, err.column) == (8, "priority")  # the line a text editor shows
    ev = read(write(tmp_path, tickets=tickets.replace("nromal", "normal")))
    assert ev.tickets.row.tolist() == [2, 5, 6, 8]


def test_values_spanning_lines_in_a_large_file(tmp_path: Path) -> None:
    # Large enough that Arrow's parallel reader cuts blocks inside a quoted value.
    n = 60_000
    lines = [f't{k},c1,normal,2026-06-10T02:00Z,,"subject {k}\nsecond line, with a comma"' for k in range(n)]
    tickets = "id,customer,priority,opened_at,responded_at,subject\n" + "\n".join(lines) + "\n"
    ev = read(write(tmp_path, tickets=tickets))
    assert len(ev.tickets.id) == n and ev.tickets.id[-1] == f"t{n - 1}"
    assert ev.tickets.row[:3].tolist() == [2, 4, 6] and int(ev.tickets.row[-1]) == 2 + 2 * (n - 1)


def test_legacy_encodings_name_the_line(tmp_path: Path) -> None:
    paths = write(tmp_path)
    paths["customers"].write_bytes(
        "customer,tier,monthly_fee\r\nc1,starter,500\r\n客户二,starter,500\r\n".encode("gbk")
    )
    with pytest.raises(EventError) as info:
        read(paths)
    assert info.value.row == 3 and "save the file as UTF-8" in str(info.value)


def test_excel_style_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    paths = write(tmp_path)
    paths["customers"].write_bytes("\ufeffcustomer,tier,monthly_fee\r\nc1,starter,500\r\n".encode())
    paths["tickets"].write_text("id,customer,priority,opened_at,responded_at\n", encoding="utf-8")
    paths["incidents"].write_text("id,start,end\n", encoding="utf-8")
    assert read(paths).customers.id.tolist() == ["c1"]


def test_customers_of_an_incident_separated_by_commas_are_told_the_separator(tmp_path: Path) -> None:
    """'unknown customer "c1,c2"; did you mean "c2"?' did not say that the list's separator is `;` (a tester)."""
    incidents = INCIDENTS.replace("c2; c1", '"c1,c2"')
    with pytest.raises(EventError) as info:
        read(write(tmp_path, incidents=incidents))
    assert (info.value.row, info.value.column) == (3, "customers")
    assert "unknown customer 'c1,c2'" in str(info.value) and "separate the customers with `;`: 'c1;c2'" in str(
        info.value
    )
    # A name that is not a list of known customers keeps the nearest-name hint.
    with pytest.raises(EventError) as info:
        read(write(tmp_path, incidents=INCIDENTS.replace("c2; c1", "c9")))
    assert "separate" not in str(info.value)
