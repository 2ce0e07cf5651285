"""`--engine spark` on contracts of language v2: the report is the numpy engine's, byte for byte.

The spark engine runs the duckdb engine's v2 queries (slac.plan.spark_scoped): the scopes' downtime
by the scoped query transpiled to Spark SQL and run stage by stage (`spark_sql.run_staged`: each
CTE computed once and checkpointed), the tickets by the response or clock queries
(`spark_engine.spark_ticket_results`), never handed back to the runtime here; the report is the
runtime's scoped assembly. Local Spark takes about a second per stage, so the corpora are small:
the bundled nimbus-cloud month (error-rate request intervals, scopes per region, maintenance,
charges, termination over three windows) and a harbor-desk example (a quarter, ticket clocks with a
pause, a per-miss credit under a cap).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from slac.runtime.engines import UsageError, evaluate_files
from slac.runtime.examples import example_events, example_period
from tests.engine_v2_files import write_v2_files
from tests.spark_local import local_spark
from tests.test_engine_clocks import sql_only
from tests.test_engine_v2 import ROOT, _nimbus_inputs, report_bytes
from tests.test_v2_crosscheck import load_policy


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


def test_the_bundled_nimbus_cloud_month_is_byte_identical_in_spark(spark: Any) -> None:
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    numpy = report_bytes(policy, _nimbus_inputs(), "2026-05", "numpy")
    assert report_bytes(policy, _nimbus_inputs(), "2026-05", "spark") == numpy
    found = json.loads(numpy)
    scopes = [s for c in found["customers"] for s in c["scopes"]]
    assert any(s["downtime"]["error_rate_intervals"] for s in scopes) and any(s["credits"] for s in scopes)


def test_harbor_desk_with_ticket_clocks_is_byte_identical_in_spark(
    spark: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sql_only(monkeypatch)  # the clock queries measure every ticket; none is handed back to the runtime
    policy = load_policy((ROOT / "contracts" / "harbor-desk.sla").read_text())
    ex = policy.raw["examples"][2]  # a pause while waiting for the customer keeps one ticket in time
    inputs = write_v2_files(example_events(policy, ex, ex["tier"]), tmp_path)
    period = example_period(policy, ex)
    numpy = report_bytes(policy, inputs, period, "numpy")
    assert report_bytes(policy, inputs, period, "spark") == numpy
    (customer,) = json.loads(numpy)["customers"]  # one resolution missed, one kept in time by its pause
    assert [m["id"] for m in customer["missed_resolutions"]] == ["line 119"]
    assert [c["amount"] for c in customer["credits"]] == ["100.00"]  # 1 miss × 1 service day of 100.00


@pytest.mark.parametrize("flag", ["tickets", "customers"])
def test_a_delta_folder_or_a_table_for_a_v2_contract_is_refused_before_spark_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flag: str
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # refused before pyspark is even imported
    (tmp_path / "_delta_log").mkdir()
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    good = _nimbus_inputs()
    for where in (str(tmp_path), "table:lake.events"):
        inputs = replace(good, **{flag: where})
        with pytest.raises(UsageError, match=rf"--{flag} {where}: the spark engine reads Delta and catalog tables"):
            evaluate_files(policy, inputs, period="2026-05", engine="spark")


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
