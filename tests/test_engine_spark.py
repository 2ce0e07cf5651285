"""`--engine spark`: the plan's ticket_results in Spark SQL (local[2]) equal the numpy engine's, and the
report is byte-identical; without pyspark the engine says how to install it."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from slac.cli import main
from slac.runtime import load_policy
from slac.runtime.engines import Inputs, evaluate_files
from slac.runtime.evaluate import Period, ticket_results
from tests.runtime_fixtures import policy_text, random_events, zones_policy_text
from tests.spark_local import local_spark
from tests.test_engine_duckdb import write_events

ROOT = Path(__file__).resolve().parent.parent
WEBSOFT9 = ROOT / "contracts" / "events" / "websoft9-2025-03"
INPUTS = Inputs(*(str(WEBSOFT9 / f"{n}.csv") for n in ("customers", "incidents", "tickets")))


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("as_of", [None, datetime(2025, 3, 12, 9, 30, tzinfo=UTC)])
def test_the_bundled_websoft9_month_is_byte_identical(spark: Any, as_of: datetime | None) -> None:
    policy = load_policy(policy_text("websoft9"))
    numpy = _canonical(evaluate_files(policy, INPUTS, period="2025-03", as_of=as_of))
    assert _canonical(evaluate_files(policy, INPUTS, period="2025-03", as_of=as_of, engine="spark")) == numpy
    assert json.loads(numpy)["customers"]


def test_random_tickets_in_three_zones_equal_the_numpy_results(spark: Any) -> None:
    from slac.plan.spark_engine import spark_ticket_results

    # zones.sla: Shanghai, Berlin and New York calendars with holidays, make-up days; March 2025 has
    # the DST changes of Berlin and New York.
    policy = load_policy(zones_policy_text())
    events = random_events(policy, "2025-03", seed=1, tickets=3000, incidents=50)
    per = Period.month(policy, "2025-03")
    ids = events.customers.id.tolist()
    tiers = np.array([list(policy.tiers).index(t) for t in events.customers.tier.tolist()], dtype=np.int64)
    for as_of_us in (per.end, (per.start + per.end) // 2):
        want = ticket_results(policy, events.tickets, {c: k for k, c in enumerate(ids)}, tiers, per, as_of_us)
        got = spark_ticket_results(spark, policy, events, per, as_of_us)
        for name in ("index", "customer", "effective", "deadline", "state", "excluded", "line"):
            assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
        assert set(want.state.tolist()) == {0, 1, 2, 3}  # every state occurs: not a comparison of empties


def test_a_random_corpus_from_files_gives_the_byte_identical_report(spark: Any, tmp_path: Path) -> None:
    policy = load_policy(policy_text("acme-crm"))
    inputs = write_events(random_events(policy, "2026-03", seed=15, tickets=2000, incidents=80), tmp_path, policy)
    numpy = _canonical(evaluate_files(policy, inputs, period="2026-03"))
    assert _canonical(evaluate_files(policy, inputs, period="2026-03", engine="spark")) == numpy
    assert any(c["breaches"] for c in json.loads(numpy)["customers"])


def _evaluate_args(*extra: str) -> list[str]:
    args = ["evaluate", str(ROOT / "contracts" / "websoft9.sla"), "--period", "2025-03"]
    for name in ("customers", "tickets", "incidents"):
        args += [f"--{name}", str(WEBSOFT9 / f"{name}.csv")]
    return [*args, *extra]


def test_without_pyspark_the_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` raises ImportError
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, _evaluate_args("--engine", "spark", "-o", str(out)))
    assert result.exit_code == 2
    assert "the spark engine needs pyspark, which is not installed: pip install 'slac[spark]'" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_spark_master_is_only_for_the_spark_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, _evaluate_args("--spark-master", "local[1]", "-o", str(tmp_path / "r.json")))
    assert result.exit_code == 2 and "--spark-master is for --engine spark" in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_slac_evaluate_engine_spark_prints_the_numpy_report(spark: Any, tmp_path: Path) -> None:
    outputs = {}
    for engine in ("numpy", "spark"):
        extra = ["--spark-master", "local[2]"] if engine == "spark" else []
        out = tmp_path / f"{engine}.json"
        result = CliRunner().invoke(main, _evaluate_args("--engine", engine, *extra, "-o", str(out)))
        assert result.exit_code == 0, result.output
        outputs[engine] = out.read_bytes()
    assert outputs["spark"] == outputs["numpy"]
