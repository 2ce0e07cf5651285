"""`--engine spark` with ticket clocks: the clock queries transpiled to Spark SQL give the numpy report byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slac.runtime import load_policy
from slac.runtime.calendar import from_us
from slac.runtime.engines import evaluate_files
from slac.runtime.evaluate import Period, evaluate
from tests.spark_local import local_spark
from tests.test_engine_clocks import DAY, _write_clock_events, in_open_time
from tests.tickets_random import random_clock_events, zones_clock_policy


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False)


def test_the_spark_clock_queries_give_the_numpy_report(spark: Any) -> None:
    from datetime import UTC

    from slac.plan.duckdb_engine import assemble_report
    from slac.plan.spark_engine import spark_ticket_results

    policy = load_policy(in_open_time(zones_clock_policy()))
    events = random_clock_events(policy, "2025-10", seed=5, tickets=800)  # Berlin's and New York's DST ends
    per = Period.month(policy, "2025-10")
    as_of = per.end - 6 * DAY
    numpy = _canonical(evaluate(policy, events, period="2025-10", as_of=from_us(as_of, UTC)))
    got = spark_ticket_results(spark, policy, events, per, as_of)
    assert _canonical(assemble_report(policy, events, per, as_of, got)) == numpy
    found = json.loads(numpy)["customers"]
    assert any(c["missed_resolutions"] for c in found) and any(c["missed_updates"] for c in found)
    assert any(c["at_risk"] for c in found)


def test_slac_evaluate_engine_spark_with_clocks_from_files(spark: Any, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    policy = load_policy(in_open_time(zones_clock_policy()))
    events = random_clock_events(policy, "2025-03", seed=6, tickets=500)
    inputs = _write_clock_events(events, tmp_path, policy)
    as_of = datetime(2025, 3, 26, tzinfo=UTC)
    numpy = _canonical(evaluate_files(policy, inputs, period="2025-03", as_of=as_of))
    assert _canonical(evaluate_files(policy, inputs, period="2025-03", as_of=as_of, engine="spark")) == numpy
