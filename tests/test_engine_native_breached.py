"""The breached tickets the duckdb engine keeps for the report: on disk, sorted by DuckDB, read a block at a time."""

from __future__ import annotations

import gc
import json
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slac.plan import native, report_stream
from slac.runtime import load_policy
from slac.runtime.evaluate import Period
from tests.runtime_fixtures import policy_text, random_events
from tests.test_engine_duckdb_parquet import _inputs, _natively, _same


def test_breached_tickets_across_batches_reads_and_blocks_give_the_numpy_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = load_policy(policy_text("acme-crm"))
    inputs = _inputs(random_events(policy, "2026-03", seed=47, tickets=4000, incidents=200), tmp_path, policy)
    monkeypatch.setattr(native, "BATCH", 300)  # breached rows of one customer in several batches
    monkeypatch.setattr(native.Breached, "READ", 7)  # a block's rows in several reads, a read across blocks
    monkeypatch.setattr(report_stream, "BLOCK", 5)  # and many blocks of customers
    kept: list[native.Breached] = []
    real = native._sorted_by_position
    monkeypatch.setattr(native, "_sorted_by_position", lambda *a: kept.append(real(*a)) or kept[-1])
    assert _natively(policy, inputs, "2026-03")
    report = json.loads(_same(policy, inputs, "2026-03"))  # byte-identical to the numpy engine's
    breaches = [b for c in report["customers"] for b in c["breaches"]]
    table = pq.read_table(kept[-1].path)
    assert table.num_rows == len(breaches) > 300  # every breach entry from the kept rows
    assert pa.types.is_int32(table.schema.field("effective").type)
    position = table.column("position").to_numpy()
    assert (np.diff(position) >= 0).all() and len(set(position.tolist())) > 10


def _breached(tmp_path: Path, position: list[int]) -> native.Breached:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / "breached.parquet"
    rows = np.arange(len(position))
    pq.write_table(pa.table({"position": pa.array(position, pa.int64()), "row": pa.array(rows)}), path)
    return native.Breached(folder, path)


def test_blocks_hand_out_each_range_of_customers_its_rows_in_order(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    position = sorted(rng.choice([0, 1, 2, 7, 8, 9, 10, 11, 19, 23], 500).tolist())  # gaps, empty blocks
    breached = _breached(tmp_path, position)
    breached.READ = 13
    for size in (1, 4, 5, 30):
        got = list(breached.blocks(24, size))
        assert len(got) == (24 + size - 1) // size
        for k, (lo, hi, part) in enumerate(got):
            assert (lo, hi) == (k * size, min(24, (k + 1) * size))
            expected = [i for i, p in enumerate(position) if lo <= p < hi]
            assert part.column("row").to_pylist() == expected
            assert part.schema == breached.schema
        again = [len(p) for _, _, p in breached.blocks(24, size)]
        assert again == [len(p) for _, _, p in got]  # read anew each time
    assert breached.empty().num_rows == 0 and breached.empty().schema == breached.schema


def test_rows_out_of_position_order_are_not_handed_out(tmp_path: Path) -> None:
    breached = _breached(tmp_path, [0, 3, 2, 4])
    with pytest.raises(AssertionError, match="not sorted"):
        list(breached.blocks(5, 2))


def test_the_breached_file_is_removed_with_its_report_and_after_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    policy = load_policy(policy_text("acme-crm"))
    inputs = _inputs(random_events(policy, "2026-03", seed=5, tickets=600, incidents=20), tmp_path, policy)
    per = Period.month(policy, "2026-03")
    found = native.read_natively(policy, inputs, per, per.end)
    assert found is not None
    folder = found.breached.path.parent
    assert folder.parent == tmp_path / "tmp" and found.breached.path.is_file()
    report = report_stream.native_report(policy, found, per, per.end, for_json=True)
    assert sum(len(made.text) for made in report["customers"]) > 0
    del found, report
    gc.collect()
    assert not folder.exists()  # nothing left behind once the report is gone

    monkeypatch.setattr(native, "_calendars", lambda *a: _no_days(*a))  # every deadline past the table
    assert native.read_natively(policy, inputs, per, per.end) is None  # the runtime's readers decide
    assert list((tmp_path / "tmp").iterdir()) == []


def _no_days(policy: object, per: Period) -> pa.Table:
    from slac.plan.calendars import calendar_table

    table = calendar_table(policy, per.start, per.end, strict=False)  # type: ignore[arg-type]
    return table.slice(0, 0)


def test_a_sort_that_cannot_write_its_file_is_refused_in_words(tmp_path: Path) -> None:
    import duckdb

    from slac.runtime.engines import UsageError

    unsorted = tmp_path / "unsorted.parquet"
    pq.write_table(pa.table({"position": pa.array([2, 0, 1], pa.int64())}), unsorted)
    with duckdb.connect() as con, pytest.raises(UsageError) as refused:
        native._sorted_by_position(con, unsorted, tmp_path / "gone")  # DuckDB's IO error, not a traceback
    assert "cannot write its temporary files" in str(refused.value) and "TMPDIR" in str(refused.value)


def test_a_full_disk_while_the_breached_tickets_are_written_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    policy_path = tmp_path / "policy.json"
    policy_path.write_text(policy_text("acme-crm"), encoding="utf-8")
    policy = load_policy(policy_text("acme-crm"))
    inputs = _inputs(random_events(policy, "2026-03", seed=8, tickets=6000, incidents=20), tmp_path, policy)
    assert inputs.tickets is not None and inputs.incidents is not None
    out = tmp_path / "report.json"
    args = [sys.executable, "-m", "slac", "evaluate", str(policy_path), "--period", "2026-03", "--engine", "duckdb",
            "--customers", inputs.customers, "--incidents", inputs.incidents, "--tickets", inputs.tickets, "-o", str(out)]  # fmt: skip
    limit = 32_768  # bytes a file of the child may grow to: less than its breached tickets take

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run(args, capture_output=True, text=True, preexec_fn=small_files, timeout=120, check=False)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "cannot write its temporary files" in run.stderr and "File too large" in run.stderr
    assert not out.exists()  # nothing written
