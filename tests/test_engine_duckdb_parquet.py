"""`--engine duckdb` reading Parquet tickets itself: the same report as numpy, bad files left to the runtime's reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slac.plan import duck, native
from slac.runtime import load_policy
from slac.runtime.calendar import OutsideSpan
from slac.runtime.engines import Inputs, evaluate_files
from slac.runtime.evaluate import Period
from slac.runtime.events import MISSING, Events
from slac.runtime.inputs import EventError
from tests.runtime_fixtures import policy_text, random_events, zones_policy_text
from tests.test_engine_duckdb import write_events

UTC_US = pa.timestamp("us", tz="UTC")


def write_parquet_tickets(events: Events, path: Path, policy: Any, **changes: Any) -> None:
    t = events.tickets
    known = sorted(e["id"] for e in policy.raw["exclusions"])
    columns: dict[str, Any] = {
        "id": pa.array(t.id.tolist(), pa.string()),
        "customer": pa.array(t.customer.tolist(), pa.string()),
        "priority": pa.array(t.priority.tolist(), pa.string()),
        "opened_at": pa.array(t.opened, UTC_US),
        "responded_at": pa.array(t.responded, UTC_US, mask=t.responded == MISSING),
        "outage": pa.array(t.outage),
        "cause": pa.array(
            [None if c is None else known[sum(map(ord, c)) % len(known)] for c in t.cause.tolist()], pa.string()
        ),
    }
    columns.update(changes)
    pq.write_table(pa.table(columns), path)


def _inputs(events: Events, tmp: Path, policy: Any, **changes: Any) -> Inputs:
    csv = write_events(events, tmp, policy)
    write_parquet_tickets(events, tmp / "tickets.parquet", policy, **changes)
    return Inputs(customers=csv.customers, incidents=csv.incidents, tickets=str(tmp / "tickets.parquet"))


def _natively(policy: Any, inputs: Inputs, period: str) -> bool:
    per = Period.month(policy, period)
    return native.read_natively(policy, inputs, per, per.end) is not None


def _same(policy: Any, inputs: Inputs, period: str) -> str:
    numpy = json.dumps(evaluate_files(policy, inputs, period=period), sort_keys=True)
    duck = json.dumps(evaluate_files(policy, inputs, period=period, engine="duckdb"), sort_keys=True)
    assert duck == numpy
    return numpy


@pytest.mark.parametrize(("name", "period"), [("websoft9", "2025-03"), ("zones", "2025-10"), ("zones", "2025-03")])
def test_parquet_tickets_read_by_duckdb_give_the_numpy_report(name: str, period: str, tmp_path: Path) -> None:
    policy = load_policy(zones_policy_text() if name == "zones" else policy_text(name))
    events = random_events(policy, period, seed=21, tickets=2500, incidents=60)
    inputs = _inputs(events, tmp_path, policy)
    assert _natively(policy, inputs, period)
    report = json.loads(_same(policy, inputs, period))
    # Breach entries (their rows, deadlines and responses) come back from DuckDB: there are many.
    breaches = [b for c in report["customers"] for b in c["breaches"]]
    assert len(breaches) > 50 and all(b["row"] >= 1 for b in breaches)


def test_a_month_in_several_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_policy(policy_text("websoft9"))
    events = random_events(policy, "2025-03", seed=5, tickets=3000, incidents=20)
    inputs = _inputs(events, tmp_path, policy)
    monkeypatch.setattr(native, "BATCH", 256)  # results cross many batches
    assert _natively(policy, inputs, "2025-03")
    _same(policy, inputs, "2025-03")
    seen: list[tuple[int, int]] = []
    evaluate_files(policy, inputs, period="2025-03", engine="duckdb", progress=lambda d, t: seen.append((d, t)))
    # Counted up batch by batch (the tickets of the month), then the whole file once the report is built.
    assert len(seen) > 3 and {t for _, t in seen} == {3000} and seen[-1] == (3000, 3000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def _bad(tmp: Path, **changes: Any) -> tuple[Any, Inputs]:
    policy = load_policy(policy_text("websoft9"))
    events = random_events(policy, "2025-03", seed=8, tickets=300, incidents=10)
    return policy, _inputs(events, tmp, policy, **changes)


def _ids(n: int = 300) -> list[str]:
    return [f"t{i}" for i in range(n)]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"customer": pa.array(["c1"] * 7 + ["nobody"] + ["c1"] * 292, pa.string())}, (8, "customer")),
        ({"id": pa.array(_ids()[:40] + ["t3"] + _ids()[41:], pa.string())}, (41, "id")),
        ({"id": pa.array(_ids()[:9] + [""] + _ids()[10:], pa.string())}, (10, "id")),
        ({"priority": pa.array(["P9"] + ["normal"] * 299, pa.string())}, (1, "priority")),
        ({"opened_at": pa.array(np.arange(300, dtype=np.int64) * 10**6 + 1_741_000_000 * 10**6, pa.timestamp("us"))}, (1, "opened_at")),
    ],
    ids=["unknown customer", "duplicate id", "empty id", "unknown priority", "naive timestamps"],
)  # fmt: skip
def test_a_bad_parquet_row_is_named_as_the_numpy_engine_names_it(change: dict, where: tuple, tmp_path: Path) -> None:
    policy, inputs = _bad(tmp_path, **change)
    with pytest.raises(EventError) as numpy_error:
        evaluate_files(policy, inputs, period="2025-03")
    with pytest.raises(EventError) as duck_error:
        evaluate_files(policy, inputs, period="2025-03", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)
    assert (duck_error.value.row, duck_error.value.column) == where


def test_values_the_runtime_trims_are_left_to_it(tmp_path: Path) -> None:
    ids = _ids()
    ids[5], ids[6] = " t5", "t6\u3000"  # an ideographic space: Unicode whitespace
    policy, inputs = _bad(tmp_path, id=pa.array(ids, pa.string()))
    assert not _natively(policy, inputs, "2025-03")
    _same(policy, inputs, "2025-03")


def test_a_deadline_past_the_holiday_data_is_refused_as_numpy_refuses_it(tmp_path: Path) -> None:
    policy = load_policy(zones_policy_text())  # holidays for 2024–2026
    inputs = _inputs(random_events(policy, "2026-12", seed=3, tickets=400, incidents=5), tmp_path, policy)
    with pytest.raises(OutsideSpan) as numpy_error:
        evaluate_files(policy, inputs, period="2026-12")
    with pytest.raises(OutsideSpan) as duck_error:
        evaluate_files(policy, inputs, period="2026-12", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)


def test_duckdb_spills_into_a_private_folder_it_removes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    spill_root = tmp_path / "tmp"
    spill_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill_root))
    seen: list[str] = []
    with duck.session() as con:
        seen.append(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
        assert con.execute("SELECT current_setting('threads')").fetchall()[0][0] == duck.THREADS
    assert seen[0].startswith(str(spill_root / "slac-duckdb-"))
    assert list(spill_root.iterdir()) == []  # removed afterwards
