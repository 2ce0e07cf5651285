"""Ctrl-C during a Spark run: `slac: interrupted` and 130, no traceback, no report (as for every engine).

PySpark's own SIGINT handler cancels the jobs by a call to the JVM made inside the handler, on the
connection the interrupted call waits on; its failure came out as a py4j traceback, or as the
interrupted call's error worded as a Spark failure. `spark_sql.interruptible` keeps Python's handler
while a run lasts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"


def test_ctrl_c_during_a_spark_job_is_130_without_a_traceback(tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[test,spark]'")
    from slac.plan.spark_engine import java_missing

    if (missing := java_missing()) is not None:
        pytest.skip(missing)
    out = tmp_path / "report.json"
    args = ["evaluate", str(ROOT / "contracts" / "websoft9.sla"), "--period", "2025-03", "-o", str(out)]
    args += ["--engine", "spark", *(f"--{n}={EVENTS / n}.csv" for n in ("customers", "tickets", "incidents"))]
    child = textwrap.dedent(f"""
        import os, signal, sys, threading
        from slac.plan import spark_engine
        real = spark_engine._evaluate_v1
        def long(spark, *args, **kwargs):  # a long job first; one SIGINT 2 s into it
            threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
            spark.range(10**12).selectExpr("sum(id * 2)").collect()
            return real(spark, *args, **kwargs)
        spark_engine._evaluate_v1 = long
        sys.argv = ["slac", *{args!r}]
        from slac.cli import main
        main()
    """)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 130, done.stderr[-3000:]
    assert done.stderr.endswith("\nslac: interrupted\n"), done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "the spark engine failed" not in done.stderr, done.stderr[-3000:]
    assert not out.exists()
