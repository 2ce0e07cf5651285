"""The breached tickets the duckdb engine keeps for the report: coded priorities, sorted column by column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from slac.plan import native, report_stream
from slac.runtime import load_policy
from tests.runtime_fixtures import policy_text, random_events
from tests.test_engine_duckdb_parquet import _inputs, _natively, _same


def test_breached_tickets_across_batches_and_blocks_give_the_numpy_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = load_policy(policy_text("acme-crm"))
    inputs = _inputs(random_events(policy, "2026-03", seed=47, tickets=4000, incidents=200), tmp_path, policy)
    monkeypatch.setattr(native, "BATCH", 300)  # breached rows of one customer in several batches
    monkeypatch.setattr(report_stream, "BLOCK", 5)  # and many blocks of customers
    kept: list[pa.Table] = []
    real = native._sorted_by_position
    monkeypatch.setattr(native, "_sorted_by_position", lambda t: kept.append(real(t)) or kept[-1])
    assert _natively(policy, inputs, "2026-03")
    report = json.loads(_same(policy, inputs, "2026-03"))  # byte-identical to the numpy engine's
    breaches = [b for c in report["customers"] for b in c["breaches"]]
    (table,) = kept[-1:]
    assert table.num_rows == len(breaches) > 300  # every breach entry from the kept rows
    assert pa.types.is_int32(table.schema.field("effective").type)
    assert pa.types.is_dictionary(table.schema.field("priority").type)
    position = table.column("position").to_numpy()
    assert (np.diff(position) >= 0).all() and len(set(position.tolist())) > 10


def test_sorted_by_position_is_the_stable_sort_of_the_whole_table() -> None:
    rng = np.random.default_rng(3)
    position = rng.integers(0, 20, 500)
    parts = [
        pa.record_batch(
            {
                "position": pa.array(position[lo : lo + 100]),
                "row": pa.array(np.arange(lo, lo + 100)),
                "priority": pa.array(rng.choice(["low", "high", "urgent"], 100)).dictionary_encode(),
            }
        )
        for lo in range(0, 500, 100)
    ]
    expected = pa.Table.from_batches(parts).sort_by("position")  # Arrow's own stable sort
    got = native._sorted_by_position(parts)
    assert parts == []  # emptied: nothing else holds the unsorted rows
    assert got.column("position").to_pylist() == expected.column("position").to_pylist()
    assert got.column("row").to_pylist() == expected.column("row").to_pylist()  # ties keep their order
    assert (
        got.column("priority").cast(pa.string()).to_pylist()
        == expected.column("priority").cast(pa.string()).to_pylist()
    )
    assert got.column("row").num_chunks == 1
