"""One local Spark for the tests that run the plan in Spark (tests/test_engine_spark.py, test_plan_sql_spark.py).

`local[2]` through `slac.plan.spark_engine.session`, the engine's own settings; started once per test
run (a later `session()` returns the running one). Skipped, with the reason, only where pyspark or
Java 17 is missing: CI installs both (the README's `spark` extra; .ci/run installs OpenJDK 17).
"""

from __future__ import annotations

from typing import Any

import pytest


def local_spark() -> Any:
    """The running local[2] SparkSession (started on the first call), or skip the test saying what is missing."""
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[test,spark]'")
    from slac.plan.spark_engine import java_missing, session

    missing = java_missing()
    if missing is not None:
        pytest.skip(missing)
    return session("local[2]")
