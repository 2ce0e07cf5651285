"""The worker process that writes some of the duckdb engine's report blocks (`plan.report_worker`).

The report is byte-identical to the numpy engine's whether the worker writes its share of the
blocks, cannot be started, dies midway or fails a block; the worker is reaped when the report ends,
also when its writer stops early.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from slac.plan import native, report_stream, report_worker
from slac.render.report import json_chunks
from slac.runtime import load_policy
from slac.runtime.engines import evaluate_files
from slac.runtime.evaluate import Period, _claim_entry
from tests.runtime_fixtures import policy_text, random_events
from tests.test_engine_duckdb_parquet import _inputs

PERIOD = "2026-03"


@pytest.fixture
def month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, bytes]:
    """acme-crm's month, its numpy report as the CLI writes it, and blocks of 2 customers (many blocks)."""
    policy = load_policy(policy_text("acme-crm"))
    inputs = _inputs(random_events(policy, PERIOD, seed=61, tickets=3000, incidents=300), tmp_path, policy)
    whole = b"".join(json_chunks(evaluate_files(policy, inputs, period=PERIOD, for_json=True)))
    monkeypatch.setattr(report_stream, "BLOCK", 2)
    monkeypatch.setattr(report_stream, "WORKER_BLOCKS", 2)
    monkeypatch.setattr(report_worker, "_cpus", lambda: 2)  # also on a runner with one CPU
    return policy, inputs, whole


def _duckdb(policy: Any, inputs: Any) -> bytes:
    return b"".join(json_chunks(evaluate_files(policy, inputs, period=PERIOD, engine="duckdb", for_json=True)))


class _Counted:
    """Wraps `Worker` to count the blocks whose text the worker wrote, and keep each worker made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, before: _Counted | None = None) -> None:
        self.written, self.workers = (0, []) if before is None else (before.written, before.workers)
        started, take = report_worker.Worker.started, report_worker.Worker.take

        def counted_start(raw: Any, claim: Any) -> Any:
            worker = started(raw, claim)
            self.workers.append(worker)
            return worker

        def counted_take(worker: Any) -> Any:
            text = take(worker)
            self.written += text is not None
            return text

        monkeypatch.setattr(report_worker.Worker, "started", staticmethod(counted_start))
        monkeypatch.setattr(report_worker.Worker, "take", counted_take)


def test_the_worker_writes_its_share_of_the_blocks_and_the_report_is_the_numpy_one(
    month: tuple[Any, Any, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, inputs, whole = month
    counted = _Counted(monkeypatch)
    assert _duckdb(policy, inputs) == whole
    n = len(json.loads(whole)["customers"])
    blocks = (n + 1) // 2
    assert blocks > 20
    assert counted.written == int(blocks * report_stream.WORKER_SHARE)  # 3 of every 5 blocks
    [worker] = counted.workers
    assert worker._process.returncode is not None  # reaped


def test_without_a_worker_this_process_writes_every_block(
    month: tuple[Any, Any, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, inputs, whole = month
    counted = _Counted(monkeypatch)
    monkeypatch.setattr(report_worker.sys, "executable", "")  # an embedded interpreter: nothing to start
    assert _duckdb(policy, inputs) == whole
    monkeypatch.setattr(report_worker.sys, "executable", sys.executable)
    monkeypatch.setattr(report_worker, "_cpus", lambda: 1)  # one CPU: no gain
    assert _duckdb(policy, inputs) == whole
    monkeypatch.undo()
    monkeypatch.setattr(report_worker.os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert report_worker._cpus() == 1  # the CPUs it may run on, not the machine's
    monkeypatch.setattr(report_worker, "_cpus", lambda: 2)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError(11, "Resource temporarily unavailable")  # no process left under the user's limit

    counted = _Counted(monkeypatch, counted)
    monkeypatch.setattr(report_stream, "BLOCK", 2)
    monkeypatch.setattr(report_stream, "WORKER_BLOCKS", 2)
    monkeypatch.setattr(report_worker.subprocess, "Popen", refused)
    fds = len(os.listdir("/proc/self/fd"))
    assert report_worker.Worker.started({}, None) is None
    assert len(os.listdir("/proc/self/fd")) == fds  # the pipe of frames is closed again
    assert _duckdb(policy, inputs) == whole
    assert counted.workers == [None, None, None, None] and counted.written == 0


def test_a_worker_that_runs_another_slac_or_does_not_answer_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = load_policy(policy_text("acme-crm"))
    raw, claim = dict(policy.raw), _claim_entry(policy, Period.month(policy, PERIOD))
    (tmp_path / "numpy.py").write_text("raise SystemExit(3)\n", encoding="utf-8")  # -P: never imported
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(report_worker, "_cpus", lambda: 2)
    worker = report_worker.Worker.started(raw, claim)
    assert worker is not None
    assert worker._frame() == ("slac", report_worker._slac_file())  # it greets: -P kept numpy.py out
    worker._greeted = True
    worker.send(_Sleeps(), 0)  # its reader sleeps for 60 s unpickling this block
    monkeypatch.setattr(report_worker, "TAKE_TIMEOUT", 2.0)
    began = time.monotonic()
    assert worker.take() is None  # the block's text did not come
    assert 2.0 <= time.monotonic() - began < 30  # alive (it imported the real numpy), silent: stopped
    assert not worker.alive and worker._process.returncode is not None
    monkeypatch.setattr(report_worker, "_slac_file", lambda: "/elsewhere/slac/__init__.py")
    monkeypatch.setattr(report_worker, "TAKE_TIMEOUT", 60.0)
    other = report_worker.Worker.started(raw, claim)
    began = time.monotonic()
    assert other is not None and other.take() is None and not other.alive  # another slac: stopped
    assert time.monotonic() - began < 30  # at its greeting, not at the deadline of a block never sent
    assert other._process.returncode is not None


class _Sleeps:
    def __reduce__(self) -> Any:
        return (time.sleep, (60,))


def test_a_block_is_sent_without_waiting_for_the_worker_to_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process goes on with its own blocks while a busy worker has not read the next one yet (a
    thread writes it), and stopping the worker ends that thread's write at once."""
    policy = load_policy(policy_text("acme-crm"))
    monkeypatch.setattr(report_worker, "_cpus", lambda: 2)
    worker = report_worker.Worker.started(dict(policy.raw), _claim_entry(policy, Period.month(policy, PERIOD)))
    assert worker is not None
    began = time.monotonic()
    assert worker.send(_Sleeps(), 0)  # its reader sleeps for 60 s unpickling this one
    assert worker.send(b"x" * (16 << 20), 0)  # far more than any pipe holds: nobody reads it for 60 s
    assert time.monotonic() - began < 10
    worker.close()
    assert time.monotonic() - began < 20 and worker._process.returncode is not None
    assert worker._pump is None  # its thread has ended


def test_a_worker_that_dies_midway_is_replaced_by_this_process(
    month: tuple[Any, Any, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, inputs, whole = month
    counted = _Counted(monkeypatch)
    taken = report_worker.Worker.take

    def dies_after_two(worker: Any) -> Any:
        if counted.written == 2:
            worker._process.kill()  # killed (the OOM killer, a user) with blocks in its pipes
            worker._process.wait()
        return taken(worker)

    monkeypatch.setattr(report_worker.Worker, "take", dies_after_two)
    assert _duckdb(policy, inputs) == whole
    share = int((len(json.loads(whole)["customers"]) + 1) // 2 * report_stream.WORKER_SHARE)
    # Texts it wrote before it was killed may still be read from the pipe; none after.
    assert 2 <= counted.written < share - 2 and not counted.workers[0].alive


def test_a_block_the_worker_cannot_write_is_answered_and_the_next_one_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_worker, "_cpus", lambda: 2)
    policy = load_policy(policy_text("acme-crm"))
    inputs = _inputs(random_events(policy, PERIOD, seed=62, tickets=400, incidents=30), tmp_path, policy)
    per = Period.month(policy, PERIOD)
    found = native.read_natively(policy, inputs, per, per.end)
    assert found is not None
    from slac.runtime.availability import downtime
    from slac.runtime.report_text import Plan

    index = {c: i for i, c in enumerate(found.customers.id.tolist())}
    down = downtime(policy, found.incidents, index, per.start, per.end)
    n = len(found.customers.id)
    [(lo, hi, part)] = list(found.breached.blocks(n, n))
    source = report_stream._Source(found.customers, found.counts, found.breached, found.row_base, found.incidents.id)
    job = report_stream._job(policy, source, down, per, lo, hi, part)
    claim = _claim_entry(policy, per)
    worker = report_worker.Worker.started(dict(policy.raw), claim)
    assert worker is not None
    try:
        assert worker.send("not a block", per.end) and worker.send(job, per.end)
        assert worker.take() is None  # its error: this process writes that block (and raises its error)
        assert worker.take() == report_worker.block_of(Plan.of(policy, claim), job, per.end)
        assert worker.alive
    finally:
        worker.close()
    assert worker._process.returncode is not None


def test_a_writer_that_stops_early_leaves_no_worker_behind(
    month: tuple[Any, Any, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, inputs, _ = month
    counted = _Counted(monkeypatch)
    report = evaluate_files(policy, inputs, period=PERIOD, engine="duckdb", for_json=True)
    blocks = iter(report["customers"])
    next(blocks), next(blocks)
    blocks.close()  # the writer failed (a full disk) after two blocks
    [worker] = counted.workers
    assert worker._process.returncode is not None and not worker.alive


def test_what_prints_in_the_worker_does_not_reach_its_frames(
    month: tuple[Any, Any, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `sitecustomize` that prints, before the worker's own code runs, unbuffered: its frames have a pipe of their own."""
    policy, inputs, whole = month
    ran = tmp_path / "sitecustomize-ran"
    (tmp_path / "sitecustomize.py").write_text(
        f"import pathlib\nprint('hello from sitecustomize')\npathlib.Path({str(ran)!r}).touch()\n", encoding="utf-8"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    counted = _Counted(monkeypatch)
    assert _duckdb(policy, inputs) == whole
    blocks = (len(json.loads(whole)["customers"]) + 1) // 2
    assert counted.written == int(blocks * report_stream.WORKER_SHARE)  # the worker wrote its share
    assert ran.exists()  # and its sitecustomize printed
