"""Ctrl-C during a Spark run: `slac: interrupted` and 130, no traceback, no report (as for every engine).

PySpark's own SIGINT handler cancels the jobs by a call to the JVM made inside the handler, on the
connection the interrupted call waits on; its failure came out as a py4j traceback, or as the
interrupted call's error worded as a Spark failure. `spark_sql.interruptible` keeps Python's handler
while a run lasts and cancels the run's jobs: the session (which may be a caller's) has none running
afterwards.
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
        import os, signal, sys, threading, time
        from slac.plan import spark_engine
        real = spark_engine._evaluate_v1
        sessions, seen = [], []
        def interrupt_once_running(spark):  # one SIGINT half a second after the long job has started
            tracker = spark.sparkContext.statusTracker()
            for _ in range(600):
                if tracker.getActiveJobsIds():
                    seen.append(True)
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGINT)
        def long(spark, *args, **kwargs):  # a job of many minutes first
            sessions.append(spark)
            threading.Thread(target=interrupt_once_running, args=(spark,), daemon=True).start()
            spark.range(10**12).selectExpr("max(id % 7)").collect()
            return real(spark, *args, **kwargs)
        spark_engine._evaluate_v1 = long
        sys.argv = ["slac", *{args!r}]
        from slac.cli import main
        try:
            main()
        finally:  # the session outlives the command (it may be a caller's): are its jobs still running?
            tracker = sessions[0].sparkContext.statusTracker()
            for _ in range(100):
                if not tracker.getActiveJobsIds():
                    break
                time.sleep(0.1)
            print("started:", bool(seen), "active jobs:", len(tracker.getActiveJobsIds()))
    """)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 130, done.stderr[-3000:]
    assert done.stderr.endswith("\nslac: interrupted\n"), done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "the spark engine failed" not in done.stderr, done.stderr[-3000:]
    assert not out.exists()
    assert done.stdout.splitlines()[-1:] == ["started: True active jobs: 0"], done.stdout[-3000:]  # it was cancelled


class _Context:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def setJobGroup(self, group: str, description: str, interruptOnCancel: bool) -> None:  # noqa: N802, N803
        self.calls.append(f"set {group}")

    def cancelJobGroup(self, group: str) -> None:  # noqa: N802
        self.calls.append(f"cancel {group}")

    def setLocalProperty(self, key: str, value: str | None) -> None:  # noqa: N802
        self.calls.append(f"clear {key}")


class _Spark:
    def __init__(self) -> None:
        self.sparkContext = _Context()  # noqa: N815


def test_an_error_raised_while_the_interrupt_unwinds_is_the_interrupt() -> None:
    """PySpark's collect resets its call site on a new py4j connection as a KeyboardInterrupt leaves it;
    that call can fail ("Answer from Java side is empty", seen once in four runs of the test above) and
    its error replaced the interrupt: a traceback and exit 1. The run's jobs are cancelled either way;
    an error with no interrupt behind it stays itself."""
    from slac.plan.spark_sql import JOB_GROUP, interruptible

    def collect() -> None:
        try:
            raise KeyboardInterrupt
        finally:
            raise ConnectionError("Answer from Java side is empty")  # noqa: B012 - as py4j's __exit__ does

    spark = _Spark()
    with pytest.raises(KeyboardInterrupt), interruptible(spark):
        collect()
    assert f"cancel {JOB_GROUP}" in spark.sparkContext.calls
    spark = _Spark()
    with pytest.raises(ConnectionError), interruptible(spark):
        raise ConnectionError("a lost executor")
    assert f"cancel {JOB_GROUP}" not in spark.sparkContext.calls
