"""`--engine spark` reading the tickets itself (`slac.plan.spark_inputs`): Parquet and CSV files, a
Delta table's folder and `table:NAME` give the numpy engine's report; a bad record is named as the
runtime's reader names it. One local[2] session for the module (tests/spark_local.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slac.plan import spark_engine, spark_inputs
from slac.runtime import load_policy
from slac.runtime.engines import Inputs, UsageError, evaluate_files
from slac.runtime.evaluate import Period
from slac.runtime.inputs import EventError
from tests.runtime_fixtures import policy_text, random_events
from tests.spark_local import local_spark
from tests.test_engine_duckdb import write_events
from tests.test_engine_duckdb_parquet import write_parquet_tickets

PERIOD = "2026-03"


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    policy = load_policy(policy_text("acme-crm"))
    events = random_events(policy, PERIOD, seed=151, tickets=1500, incidents=60)
    folder = tmp_path_factory.mktemp("spark-native")
    write_events(events, folder, policy)
    write_parquet_tickets(events, folder / "tickets.parquet", policy)
    return policy, events, folder


def _inputs(folder: Path, tickets: str) -> Inputs:
    return Inputs(customers=str(folder / "customers.csv"), incidents=str(folder / "incidents.csv"), tickets=tickets)


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False)


def _native(spark: Any, policy: Any, inputs: Inputs) -> bool:
    per = Period.month(policy, PERIOD)
    return spark_inputs.read_natively(spark, policy, inputs, per, per.end) is not None


def _spark_report(policy: Any, inputs: Inputs, monkeypatch: pytest.MonkeyPatch) -> str:
    """The spark engine's report, failing if it fell back to the runtime's readers."""

    def no_fallback(*args: Any) -> Any:
        raise AssertionError("the runtime's readers read the tickets")

    with monkeypatch.context() as m:
        m.setattr(spark_engine, "spark_ticket_results", no_fallback)
        return _canonical(evaluate_files(policy, inputs, period=PERIOD, engine="spark"))


def _numpy_report(policy: Any, folder: Path) -> str:
    return _canonical(evaluate_files(policy, _inputs(folder, str(folder / "tickets.parquet")), period=PERIOD))


@pytest.mark.parametrize("name", ["tickets.parquet", "tickets.csv"])
def test_a_parquet_or_csv_file_read_by_spark_gives_the_numpy_report(
    spark: Any, corpus: Any, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, _, folder = corpus
    inputs = _inputs(folder, str(folder / name))
    numpy = _canonical(evaluate_files(policy, inputs, period=PERIOD))
    assert _spark_report(policy, inputs, monkeypatch) == numpy
    breaches = [b for c in json.loads(numpy)["customers"] for b in c["breaches"]]
    assert breaches and all(b["row"] >= (2 if name.endswith(".csv") else 1) for b in breaches)


def test_a_delta_table_gives_the_report_of_its_parquet_file(
    spark: Any, corpus: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deltalake import write_deltalake

    policy, _, folder = corpus
    write_deltalake(str(tmp_path / "delta"), pq.read_table(folder / "tickets.parquet"))
    # One data file: its records are numbered as the Parquet file's (from 1), so the reports agree.
    assert _spark_report(policy, _inputs(folder, str(tmp_path / "delta")), monkeypatch) == _numpy_report(policy, folder)


def test_a_table_of_the_catalog_gives_the_report_of_its_rows(
    spark: Any, corpus: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, _, folder = corpus
    spark.read.parquet(str(folder / "tickets.parquet")).createOrReplaceTempView("slac_test_tickets")
    try:
        # The view scans the file in order: row k of the table is record k of the file.
        assert _spark_report(policy, _inputs(folder, "table:slac_test_tickets"), monkeypatch) == _numpy_report(
            policy, folder
        )
    finally:
        spark.catalog.dropTempView("slac_test_tickets")


# The bad records: kind → (the field changed, its new text, or a function of the record's fields and the file's lines).
BAD: dict[str, tuple[int, Any]] = {
    "duplicate id": (0, lambda fields, lines: lines[3].split(",")[0]),
    "unknown customer": (1, "nobody"),
    "unknown priority": (2, "P9"),
    "empty id": (0, ""),
    "no offset": (3, lambda fields, lines: fields[3][:16]),
    "not a date": (3, "2026-02-30T10:00:00Z"),
    "outside the years": (3, "1850-03-01T10:00:00Z"),
    "response before opening": (4, "2026-02-01T00:00:00Z"),
    "outage": (5, "maybe"),
    "cause": (6, "weather"),
}
KINDS = [*BAD, "short row"]


def _bad_tickets(folder: Path, kind: str) -> tuple[str, int]:
    """tickets.csv with one bad record (the 7th: line 8), as text, and the line it is on."""
    lines = (folder / "tickets.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[7].split(",")  # id,customer,priority,opened_at,responded_at,outage,cause
    if kind == "short row":
        fields = fields[:5]
    else:
        at, value = BAD[kind]
        fields[at] = value(fields, lines) if callable(value) else value
    lines[7] = ",".join(fields)
    return "\n".join(lines) + "\n", 8


def _numpy_error(policy: Any, inputs: Inputs) -> EventError:
    with pytest.raises(EventError) as caught:
        evaluate_files(policy, inputs, period=PERIOD)
    return caught.value


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_record_of_a_csv_file_is_named_as_by_the_numpy_engine(
    spark: Any, corpus: Any, tmp_path: Path, kind: str
) -> None:
    policy, _, folder = corpus
    text, line = _bad_tickets(folder, kind)
    (tmp_path / "tickets.csv").write_text(text, encoding="utf-8")
    inputs = _inputs(folder, str(tmp_path / "tickets.csv"))
    want = _numpy_error(policy, inputs)
    assert want.row == line
    assert not _native(spark, policy, inputs)  # Spark's checks found it: the runtime's reader words it
    with pytest.raises(EventError) as caught:
        evaluate_files(policy, inputs, period=PERIOD, engine="spark")
    assert str(caught.value) == str(want)


def _as_parquet(csv: Path, path: Path) -> None:
    """The CSV's tickets as a Parquet file of text columns (the runtime's reader reads them alike)."""
    import pyarrow.csv as pcsv

    names = csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    table = pcsv.read_csv(
        csv,
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    pq.write_table(table, path)


@pytest.mark.parametrize("kind", ["duplicate id", "unknown priority", "response before opening", "not a date"])
def test_a_bad_record_of_a_delta_table_or_a_catalog_table_is_named_there(
    spark: Any, corpus: Any, tmp_path: Path, kind: str
) -> None:
    from deltalake import write_deltalake

    policy, _, folder = corpus
    text, line = _bad_tickets(folder, kind)
    (tmp_path / "tickets.csv").write_text(text, encoding="utf-8")
    _as_parquet(tmp_path / "tickets.csv", tmp_path / "tickets.parquet")
    want = _numpy_error(policy, _inputs(folder, str(tmp_path / "tickets.parquet")))
    assert want.row == line - 1  # the 7th record: row 7 of the Parquet file
    write_deltalake(str(tmp_path / "delta"), pq.read_table(tmp_path / "tickets.parquet"))
    with pytest.raises(EventError) as caught:
        evaluate_files(policy, _inputs(folder, str(tmp_path / "delta")), period=PERIOD, engine="spark")
    got = caught.value
    assert (got.row, got.column, got.message) == (want.row, want.column, want.message)
    assert got.file.startswith(str(tmp_path / "delta")) and got.file.endswith(".parquet")  # its data file
    spark.read.parquet(str(tmp_path / "tickets.parquet")).createOrReplaceTempView("slac_bad_tickets")
    try:
        with pytest.raises(EventError) as caught:
            evaluate_files(policy, _inputs(folder, "table:slac_bad_tickets"), period=PERIOD, engine="spark")
    finally:
        spark.catalog.dropTempView("slac_bad_tickets")
    assert str(caught.value) == f"table slac_bad_tickets, row {want.row}, column `{want.column}`: {want.message}"


def test_delta_features_the_parquet_files_do_not_carry_are_refused(spark: Any, corpus: Any, tmp_path: Path) -> None:
    from deltalake import write_deltalake

    policy, _, folder = corpus
    table = pq.read_table(folder / "tickets.parquet")
    write_deltalake(str(tmp_path / "parted"), table, partition_by=["priority"])
    with pytest.raises(UsageError, match=r"is partitioned by priority; .* write it unpartitioned"):
        evaluate_files(policy, _inputs(folder, str(tmp_path / "parted")), period=PERIOD, engine="spark")
    write_deltalake(
        str(tmp_path / "dv"), table, configuration={"delta.enableDeletionVectors": "true"}
    )  # protocol: reader feature deletionVectors
    with pytest.raises(UsageError, match=r"uses deletionVectors; .* cannot apply that"):
        evaluate_files(policy, _inputs(folder, str(tmp_path / "dv")), period=PERIOD, engine="spark")


def test_without_deltalake_a_delta_table_says_how_to_install_it(
    spark: Any, corpus: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, _, folder = corpus
    (tmp_path / "delta" / "_delta_log").mkdir(parents=True)
    monkeypatch.setitem(sys.modules, "deltalake", None)
    with pytest.raises(
        UsageError, match=r"needs the deltalake package, which is not installed: pip install 'slac\[spark\]'"
    ):
        evaluate_files(policy, _inputs(folder, str(tmp_path / "delta")), period=PERIOD, engine="spark")


def test_an_unknown_table_or_a_bad_table_name_is_a_usage_error(spark: Any, corpus: Any) -> None:
    policy, _, folder = corpus
    with pytest.raises(UsageError, match="cannot read table no_such_tickets"):
        evaluate_files(policy, _inputs(folder, "table:no_such_tickets"), period=PERIOD, engine="spark")
    with pytest.raises(UsageError, match="write a table as table:NAME"):
        evaluate_files(policy, _inputs(folder, "table:a b"), period=PERIOD, engine="spark")


def test_slac_evaluate_reads_a_delta_folder_with_engine_spark(spark: Any, corpus: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from deltalake import write_deltalake

    from slac.cli import main

    policy, _, folder = corpus
    write_deltalake(str(tmp_path / "delta"), pq.read_table(folder / "tickets.parquet"))
    contract = Path(__file__).resolve().parent.parent / "contracts" / "acme-crm.sla"
    outputs = {}
    for engine, tickets in (("numpy", folder / "tickets.parquet"), ("spark", tmp_path / "delta")):
        out = tmp_path / f"{engine}.json"
        args = ["evaluate", str(contract), "--period", PERIOD, "--customers", str(folder / "customers.csv")]
        args += ["--incidents", str(folder / "incidents.csv"), "--tickets", str(tickets), "--engine", engine]
        result = CliRunner().invoke(main, [*args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs[engine] = out.read_bytes()
    assert outputs["spark"] == outputs["numpy"]
    help_text = CliRunner().invoke(main, ["evaluate", "--help"]).output
    assert "table:NAME" in help_text and "Delta table" in help_text


def _restyled(value: str, k: int) -> str:
    """One timestamp in another form both readers take to the same instant (row k picks the form)."""
    form = k % 5
    if not value or form == 0:
        return value
    if form == 1:
        return value.replace("T", " ")
    if form == 2:
        return value.replace("+00:00", "Z")
    if form == 3:  # nanoseconds, kept to the microsecond
        return value.replace("+00:00", "999+00:00") if "." in value else value.replace("+00:00", ".000000999+00:00")
    return f" {value}\t"  # white space around it is trimmed


def test_timestamps_in_every_iso_form_read_by_spark_give_the_numpy_report(
    spark: Any, corpus: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, _, folder = corpus
    lines = (folder / "tickets.csv").read_text(encoding="utf-8").splitlines()
    for k in range(1, len(lines)):
        fields = lines[k].split(",")
        fields[3], fields[4] = _restyled(fields[3], k), _restyled(fields[4], k + 2)
        lines[k] = ",".join(fields)
    (tmp_path / "tickets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = _inputs(folder, str(tmp_path / "tickets.csv"))
    numpy = _canonical(evaluate_files(policy, inputs, period=PERIOD))
    original = _canonical(evaluate_files(policy, _inputs(folder, str(folder / "tickets.csv")), period=PERIOD))
    assert numpy == original  # the forms mean the same instants
    assert _spark_report(policy, inputs, monkeypatch) == numpy


def test_a_delta_folder_or_a_table_with_another_engine_says_spark_reads_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    (tmp_path / "delta" / "_delta_log").mkdir(parents=True)
    contract = Path(__file__).resolve().parent.parent / "contracts" / "acme-crm.sla"
    for tickets in ("table:db.tickets", str(tmp_path / "delta")):
        args = ["evaluate", str(contract), "--period", PERIOD, "--customers", "c.csv", "--incidents", "i.csv"]
        result = CliRunner().invoke(main, [*args, "--tickets", tickets, "--engine", "duckdb"])
        assert result.exit_code == 2
        assert f"--tickets {tickets}: a Delta table or table:NAME is read by --engine spark only" in result.stderr
    # Every event input may be a lake for the spark engine (slac.plan.spark_lake), so each is refused here.
    args = ["evaluate", str(contract), "--period", PERIOD, "--tickets", "t.csv", "--incidents", "table:db.incidents"]
    result = CliRunner().invoke(main, [*args, "--customers", str(tmp_path / "delta"), "--engine", "numpy"])
    assert result.exit_code == 2
    assert f"--customers {tmp_path / 'delta'}: a Delta table or table:NAME is read by --engine spark only" in (
        result.stderr
    )


def test_a_bad_table_name_is_named_by_its_flag(tmp_path: Path) -> None:
    # Every event input may be a lake: a malformed table name is blamed on the flag that gave it.
    with pytest.raises(UsageError, match=r"^--customers table:a b: write a table as table:NAME"):
        spark_inputs.source_of("table:a b", "--customers")
    (tmp_path / "delta" / "_delta_log").mkdir(parents=True)
    (tmp_path / "plain").mkdir()
    inputs = Inputs("table:db.c", str(tmp_path / "plain"), tickets="t.csv", requests=str(tmp_path / "delta"))
    assert inputs.lakes() == [("customers", "table:db.c"), ("requests", str(tmp_path / "delta"))]


def test_a_delta_table_over_the_row_ceiling_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The export counts the rows in the data files' footers first: 3 + 2 rows against a ceiling of 4.
    from deltalake import write_deltalake

    from slac import limits
    from slac.plan import spark_lake

    folder = tmp_path / "customers"
    for ids in (["a", "b", "c"], ["d", "e"]):
        write_deltalake(str(folder), pa.table({"customer": ids, "tier": ["t"] * len(ids)}), mode="append")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", 4)
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("read before it was counted"))
    with pytest.raises(EventError, match=r"customers, row 4: more than 4 rows; split the events"):
        spark_lake._export(None, "--customers", str(folder), str(tmp_path / "out.parquet"))
    monkeypatch.undo()
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", 5)  # at the ceiling: read as before
    located = spark_lake._export(None, "--customers", str(folder), str(tmp_path / "out.parquet"))
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 5 and len(located.files) == 2


def test_customers_and_incidents_from_lakes_give_the_report_of_their_parquet_files(
    spark: Any, corpus: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A contract of language v1: Spark reads the tickets itself; the customers come from a Delta table
    # and the incidents from a catalog table, each exported for the runtime's readers (spark_lake).
    from deltalake import write_deltalake
    from pyarrow import csv as pcsv

    policy, _, folder = corpus

    def texts(name: str) -> pa.Table:
        head = (folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        options = pcsv.ConvertOptions(column_types={c: pa.string() for c in head}, strings_can_be_null=False)
        return pcsv.read_csv(folder / f"{name}.csv", convert_options=options)

    customers, incidents = texts("customers"), texts("incidents")
    write_deltalake(str(tmp_path / "customers"), customers)
    for name, table in (("customers", customers), ("incidents", incidents)):
        pq.write_table(table, tmp_path / f"{name}.parquet")
    spark.read.parquet(str(tmp_path / "incidents.parquet")).createOrReplaceTempView("slac_test_incidents")
    tickets = str(folder / "tickets.parquet")
    files = Inputs(str(tmp_path / "customers.parquet"), str(tmp_path / "incidents.parquet"), tickets=tickets)
    lakes = Inputs(str(tmp_path / "customers"), "table:slac_test_incidents", tickets=tickets)
    try:
        assert _spark_report(policy, lakes, monkeypatch) == _canonical(evaluate_files(policy, files, period=PERIOD))
    finally:
        spark.catalog.dropTempView("slac_test_incidents")
