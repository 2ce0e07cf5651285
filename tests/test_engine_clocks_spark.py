"""`--engine spark` with ticket clocks: the clock queries transpiled to Spark SQL give the numpy report byte for byte.

One evaluation proves it (local Spark costs about a second per query, whatever the row count): 800
random tickets of October 2025 in Berlin's and New York's open hours (both zones leave DST that
month), written to files and read as `slac evaluate --engine spark` reads them, measured as of six
days before the month ends, so the report holds missed resolutions (reopened cycles too), missed
updates and tickets at risk; the clock queries measure every ticket (none handed back to the
runtime). The duckdb engine's many corpora (tests/test_engine_clocks.py) run the same SQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slac.runtime import load_policy
from slac.runtime.calendar import from_us
from slac.runtime.engines import evaluate_files
from slac.runtime.evaluate import Period
from tests.spark_local import local_spark
from tests.test_engine_clocks import DAY, _write_clock_events, in_open_time, sql_only
from tests.tickets_random import random_clock_events, zones_clock_policy


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False)


def test_slac_evaluate_engine_spark_with_clocks_gives_the_numpy_report(
    spark: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from datetime import UTC

    sql_only(monkeypatch)
    policy = load_policy(in_open_time(zones_clock_policy()))
    events = random_clock_events(policy, "2025-10", seed=5, tickets=800)  # Berlin's and New York's DST ends
    inputs = _write_clock_events(events, tmp_path, policy)
    as_of = from_us(Period.month(policy, "2025-10").end - 6 * DAY, UTC)
    numpy = _canonical(evaluate_files(policy, inputs, period="2025-10", as_of=as_of))
    views = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    assert _canonical(evaluate_files(policy, inputs, period="2025-10", as_of=as_of, engine="spark")) == numpy
    assert {t.name for t in spark.catalog.listTables() if t.isTemporary} == views  # the clock steps' views dropped
    found = json.loads(numpy)["customers"]
    assert any(m["cycle"] > 1 for c in found for m in c["missed_resolutions"])
    assert any(c["missed_updates"] for c in found) and any(c["at_risk"] for c in found)


def test_slac_evaluate_engine_spark_steps_business_day_updates_as_numpy(
    spark: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Update targets in business days (`business_sql.business_update_ctes`) in Spark SQL: 500 tickets
    without pauses whose every update gap the SQL steps (none handed back), October's DST end too."""
    from datetime import UTC

    from tests.test_engine_clocks_business_updates import business_update_policy

    sql_only(monkeypatch)
    policy = load_policy(business_update_policy(pauses=False))
    events = random_clock_events(policy, "2025-10", seed=2, tickets=500)
    inputs = _write_clock_events(events, tmp_path, policy)
    as_of = from_us(Period.month(policy, "2025-10").end - 6 * DAY, UTC)
    numpy = _canonical(evaluate_files(policy, inputs, period="2025-10", as_of=as_of))
    assert _canonical(evaluate_files(policy, inputs, period="2025-10", as_of=as_of, engine="spark")) == numpy
    assert sum(len(c["missed_updates"]) for c in json.loads(numpy)["customers"]) > 50
