"""`--engine spark` on contracts of language v2: the report is the numpy engine's, byte for byte.

The spark engine runs the duckdb engine's v2 queries (slac.plan.spark_scoped): the scopes' downtime
by the scoped query transpiled to Spark SQL and run stage by stage (`spark_sql.run_staged`: each
CTE computed once and checkpointed), the tickets by the response or clock queries
(`spark_engine.spark_ticket_results`), never handed back to the runtime here; the report is the
runtime's scoped assembly. Local Spark takes about a second per stage, so the corpora are small:
the bundled nimbus-cloud month (error-rate request intervals, scopes per region, maintenance,
charges, termination over three windows) and a harbor-desk example (a quarter, ticket clocks with a
pause, a per-miss credit under a cap). Their inputs come from Delta tables (written with the
deltalake package, some of two data files) and catalog tables (`table:NAME`), against the numpy
engine on the same rows as files (slac.plan.spark_lake); a bad record of a lake is named at its Delta
data file and record or at the table's row, with the runtime reader's message.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from slac.runtime.engines import Inputs, evaluate_files
from slac.runtime.examples import example_events, example_period
from slac.runtime.readers import EventError
from tests.engine_v2_files import write_v2_files
from tests.spark_local import local_spark
from tests.test_engine_clocks import sql_only
from tests.test_engine_v2 import ROOT, _nimbus_inputs, report_bytes
from tests.test_v2_crosscheck import load_policy


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


def _text(path: str) -> Any:
    """A CSV file's rows as an Arrow table of text columns (an empty cell: ""), as a lake would hold them."""
    import pyarrow.csv as pacsv

    with open(path, encoding="utf-8") as handle:
        names = handle.readline().rstrip("\n").split(",")
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, "string")))


def _delta(folder: Path, *parts: Any) -> tuple[str, list[str]]:
    """A Delta table written in one commit per part (one data file each); its folder and the data files
    each commit added, in order."""
    from deltalake import DeltaTable, write_deltalake

    added: list[str] = []
    for part in parts:
        write_deltalake(str(folder), part, mode="append")
        new = sorted(set(DeltaTable(str(folder)).file_uris()) - set(added))
        assert len(new) == 1
        added.append(new[0])
    return str(folder), [uri.removeprefix("file://") for uri in added]


def _halves(table: Any) -> tuple[Any, Any]:
    half = table.num_rows // 2
    return table.slice(0, half), table.slice(half)


def _catalog(spark: Any, name: str, table: Any) -> str:
    spark.createDataFrame(table).createOrReplaceTempView(name)
    return f"table:{name}"


def test_the_bundled_nimbus_cloud_month_from_delta_and_catalog_tables_is_byte_identical(
    spark: Any, tmp_path: Path
) -> None:
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    files = _nimbus_inputs()
    numpy = report_bytes(policy, files, "2026-05", "numpy")
    assert files.requests is not None and files.charges is not None
    lakes = Inputs(
        customers=_delta(tmp_path / "customers", _text(files.customers))[0],
        incidents=_catalog(spark, "v2_incidents", _text(files.incidents)),
        charges=_catalog(spark, "v2_charges", _text(files.charges)),
        requests=_delta(tmp_path / "requests", *_halves(_text(files.requests)))[0],  # two data files
    )
    try:
        assert report_bytes(policy, lakes, "2026-05", "spark") == numpy
    finally:
        for name in ("v2_incidents", "v2_charges"):
            spark.catalog.dropTempView(name)
    found = json.loads(numpy)
    scopes = [s for c in found["customers"] for s in c["scopes"]]
    assert any(s["downtime"]["error_rate_intervals"] for s in scopes) and any(s["credits"] for s in scopes)


def test_harbor_desk_with_ticket_clocks_is_byte_identical_in_spark(
    spark: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sql_only(monkeypatch)  # the clock queries measure every ticket; none is handed back to the runtime
    policy = load_policy((ROOT / "contracts" / "harbor-desk.sla").read_text())
    ex = policy.raw["examples"][2]  # a pause while waiting for the customer keeps one ticket in time
    files = write_v2_files(example_events(policy, ex, ex["tier"]), tmp_path)
    period = example_period(policy, ex)
    assert files.tickets is not None and files.ticket_events is not None
    tickets = _text(files.tickets)
    pq.write_table(tickets, tmp_path / "tickets.parquet")  # a report names a ticket by its row: the table's
    numpy = report_bytes(policy, replace(files, tickets=str(tmp_path / "tickets.parquet")), period, "numpy")
    lakes = replace(  # the tickets a catalog table, their events a Delta table of two data files
        files,
        tickets=_catalog(spark, "v2_tickets", tickets),
        ticket_events=_delta(tmp_path / "ticket_events", *_halves(_text(files.ticket_events)))[0],
    )
    try:
        assert report_bytes(policy, lakes, period, "spark") == numpy
    finally:
        spark.catalog.dropTempView("v2_tickets")
    (customer,) = json.loads(numpy)["customers"]  # one resolution missed, one kept in time by its pause
    assert [m["id"] for m in customer["missed_resolutions"]] == ["line 119"]
    assert [m["row"] for m in customer["missed_resolutions"]] == [2]  # line 3 of the CSV file: record 2
    assert [c["amount"] for c in customer["credits"]] == ["100.00"]  # 1 miss × 1 service day of 100.00


def _numpy_error(policy: Any, inputs: Inputs) -> EventError:
    with pytest.raises(EventError) as caught:
        evaluate_files(policy, inputs, period="2026-05", engine="numpy")
    return caught.value


def test_a_bad_record_of_a_v2_lake_is_named_at_its_data_file_or_table_row(spark: Any, tmp_path: Path) -> None:
    import pyarrow.csv as pacsv

    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    files = _nimbus_inputs()
    assert files.requests is not None
    requests = _text(files.requests)
    bad = requests.slice(0, 2).set_column(4, "failed", [["80", "2000"]])  # record 2: 2000 failed of 1000
    folder, data = _delta(tmp_path / "requests", requests.slice(2), bad)
    pacsv.write_csv(bad, tmp_path / "bad.csv")
    want = _numpy_error(policy, replace(files, requests=str(tmp_path / "bad.csv")))  # line 3: the header is line 1
    with pytest.raises(EventError) as caught:
        evaluate_files(policy, replace(files, requests=folder), period="2026-05", engine="spark")
    got = caught.value
    assert (got.file, got.row, got.unit) == (data[1], 2, "row")  # the second commit's file, its record 2
    assert (got.column, got.message) == (want.column, want.message) and want.row == 3
    # A duplicate customer in a catalog table: its row, and the row it repeats, counted from 1.
    customers = _text(files.customers)
    again = pa_concat(customers, customers.slice(0, 1))
    try:
        with pytest.raises(EventError) as caught:
            evaluate_files(policy, replace(files, customers=_catalog(spark, "v2_customers", again)),
                           period="2026-05", engine="spark")  # fmt: skip
    finally:
        spark.catalog.dropTempView("v2_customers")
    n = customers.num_rows
    assert (caught.value.file, caught.value.row) == ("table v2_customers", n + 1)
    assert "first used on row 1; ids must be unique" in caught.value.message
    # A duplicate incident id across the data files of a Delta table (checked in the order of their
    # paths, as the v1 path does): the later file's record is named, and the earlier file.
    incidents = _text(files.incidents)
    folder, data = _delta(tmp_path / "incidents", incidents.slice(0, 1), incidents.slice(0, 1))
    first, second = sorted(data)
    with pytest.raises(EventError) as caught:
        evaluate_files(policy, replace(files, incidents=folder), period="2026-05", engine="spark")
    assert (caught.value.file, caught.value.row) == (second, 1)
    assert f"first used on row 1 of {first}; ids must be unique" in caught.value.message


def pa_concat(*tables: Any) -> Any:
    import pyarrow as pa

    return pa.concat_tables(tables)


def test_a_staged_query_gives_the_rows_of_the_whole_query_and_frees_its_views(spark: Any) -> None:
    from slac.plan.spark_sql import run_staged

    def views() -> set[str]:
        return {t.name for t in spark.catalog.listTables() if t.isTemporary}

    before = views()
    spark.createDataFrame([(1,), (2,), (3,)], "n INT").createOrReplaceTempView("numbers")
    try:
        sql = (
            "WITH big AS (SELECT n FROM numbers WHERE n > 1), twice AS (SELECT n * 2 AS m FROM big),"
            " unread AS (SELECT 1 AS x) SELECT a.m, b.n FROM twice a JOIN big b ON a.m = b.n * 2 ORDER BY a.m"
        )
        assert run_staged(spark, sql).to_pylist() == [{"m": 4, "n": 2}, {"m": 6, "n": 3}]  # 2·2, 3·2
        assert views() == before | {"numbers"}  # the stages' views are dropped
        with pytest.raises(RuntimeError, match=r"\['numbers'\] would replace"):
            run_staged(spark, "WITH numbers AS (SELECT 1 AS n) SELECT n FROM numbers")
    finally:
        spark.catalog.dropTempView("numbers")


def test_a_cte_read_once_joins_the_stage_that_reads_it() -> None:
    from slac.plan.spark_sql import staged

    sql = (
        "WITH a AS (SELECT 1 AS n), b AS (SELECT n FROM a), c AS (SELECT n FROM b),"
        " d AS (SELECT x.n FROM c x JOIN c y ON x.n = y.n), e AS (SELECT n FROM d), f AS (SELECT n FROM e),"
        " unread AS (SELECT 2 AS n) SELECT * FROM d JOIN f USING (n)"
    )
    # c and d are read twice: a job each; a and b (read once, by b and c) join c's, e and f the final query's.
    got = [(s.name, [name for name, _ in s.pieces], s.fused) for s in staged(sql)]
    assert got == [
        ("c", ["a", "b", "c"], "WITH a AS (SELECT 1 AS n), b AS (SELECT n FROM a) SELECT n FROM b"),
        ("d", ["d"], "SELECT x.n FROM c AS x JOIN c AS y ON x.n = y.n"),
        ("", ["e", "f", ""], "WITH e AS (SELECT n FROM d), f AS (SELECT n FROM e) SELECT * FROM d JOIN f USING (n)"),
    ]


def test_a_fused_stage_spark_fails_on_is_run_as_its_pieces(spark: Any) -> None:
    from pyspark.errors import PySparkException

    from slac.plan.spark_sql import run_staged

    class FusedFails:  # Spark whose optimiser fails on every query with CTEs (as Spark 4.0 did on one)
        catalog = spark.catalog

        def sql(self, query: str) -> Any:
            if query.startswith("WITH"):
                raise PySparkException("key not found")
            return spark.sql(query)

    sql = (
        "WITH a AS (SELECT 3 AS n), b AS (SELECT n + 1 AS n FROM a), c AS (SELECT x.n FROM b x JOIN b y ON x.n = y.n)"
        " SELECT n * 10 AS m FROM c"
    )
    before = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    assert run_staged(FusedFails(), sql).to_pylist() == [{"m": 40}]  # (3 + 1) · 10
    assert {t.name for t in spark.catalog.listTables() if t.isTemporary} == before  # the pieces' views too
