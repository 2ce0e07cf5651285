"""`--engine duckdb` reading tickets itself: the engine chosen without --engine, progress stages, the id check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slac.plan import inputs as plan_inputs
from slac.plan import native
from slac.runtime import engines, load_policy
from slac.runtime.engines import Inputs, choose_engine, evaluate_files
from tests.runtime_fixtures import policy_text, random_events
from tests.test_engine_duckdb_parquet import _inputs, _natively, _same

ROOT = Path(__file__).resolve().parent.parent


def _month(tmp: Path, tickets: int = 1200) -> tuple[Any, Inputs]:
    policy = load_policy(policy_text("websoft9"))
    events = random_events(policy, "2025-03", seed=31, tickets=tickets, incidents=30)
    return policy, _inputs(events, tmp, policy)


def test_numpy_unless_the_parquet_tickets_are_many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, inputs = _month(tmp_path)
    assert choose_engine(policy, inputs) == "numpy"  # 1,200 rows < DUCKDB_FROM_ROWS
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1200)
    assert choose_engine(policy, inputs) == "duckdb"
    csv = Inputs(inputs.customers, inputs.incidents, str(tmp_path / "tickets.csv"))
    assert choose_engine(policy, csv) == "numpy"  # CSV: read by the runtime's readers either way
    from tests.tickets_random import zones_clock_policy

    assert choose_engine(load_policy(zones_clock_policy()), inputs) == "numpy"  # duckdb would refuse it
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1201)
    assert choose_engine(policy, inputs) == "numpy"


def test_without_engine_the_chosen_one_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, inputs = _month(tmp_path)
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1)
    ran: list[str] = []
    real = native.read_natively
    monkeypatch.setattr(native, "read_natively", lambda *a, **k: ran.append("duckdb") or real(*a, **k))
    report = evaluate_files(policy, inputs, period="2025-03", engine=None)
    assert ran == ["duckdb"]
    assert json.dumps(report, sort_keys=True) == _same(policy, inputs, "2025-03")


def _cli(policy_path: Path, inputs: Inputs, out: Path, *extra: str) -> Any:
    from click.testing import CliRunner

    from slac.cli import main

    args = ["evaluate", str(policy_path), "--period", "2025-03", "-o", str(out), *extra]
    for name in ("customers", "tickets", "incidents"):
        args += [f"--{name}", getattr(inputs, name)]
    return CliRunner().invoke(main, args)


def test_the_cli_writes_the_numpy_bytes_and_shows_the_stages_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slac.cli import evaluate as cli_eval

    policy, inputs = _month(tmp_path)
    contract = ROOT / "contracts" / "websoft9.sla"
    numpy = _cli(contract, inputs, tmp_path / "numpy.json", "--engine", "numpy")
    assert numpy.exit_code == 0, numpy.output
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1)
    quiet = _cli(contract, inputs, tmp_path / "chosen.json")  # not a terminal: no bar, no stages
    assert quiet.exit_code == 0, quiet.output
    assert "evaluating" not in quiet.output
    assert (tmp_path / "chosen.json").read_bytes() == (tmp_path / "numpy.json").read_bytes()
    monkeypatch.setattr(cli_eval, "show_progress", lambda: True)
    shown = _cli(contract, inputs, tmp_path / "shown.json", "--engine", "duckdb")
    assert shown.exit_code == 0, shown.output
    for text in ("evaluating: DuckDB checks the tickets", "evaluating: DuckDB measures", "evaluating: the report"):
        assert text in shown.output
    assert (tmp_path / "shown.json").read_bytes() == (tmp_path / "numpy.json").read_bytes()


def test_the_help_says_which_engine_runs_by_default() -> None:
    from click.testing import CliRunner

    from slac.cli import main

    text = " ".join(CliRunner().invoke(main, ["evaluate", "--help"]).output.split())
    assert "Default: duckdb for tickets in a Parquet file of 2,000,000 rows or more" in text
    assert f"{engines.DUCKDB_FROM_ROWS:,}" == "2,000,000"


def test_ids_whose_hashes_meet_are_counted_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, inputs = _month(tmp_path)
    real = plan_inputs.tickets_problems_sql
    # Hash only the first character: the hashes meet although the ids are distinct (t0, t1, …).
    monkeypatch.setattr(
        plan_inputs, "tickets_problems_sql", lambda p: real(p).replace("hash(t.id)", "hash(left(t.id, 1))")
    )
    asked: list[int] = []
    exact = native._distinct_ids
    monkeypatch.setattr(native, "_distinct_ids", lambda con, n: asked.append(n) or exact(con, n))
    assert _natively(policy, inputs, "2025-03")
    assert asked == [1200]
    _same(policy, inputs, "2025-03")


def test_breach_text_made_in_blocks_is_the_same_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from slac.render.report import json_chunks

    policy, inputs = _month(tmp_path, tickets=3000)
    whole = b"".join(json_chunks(evaluate_files(policy, inputs, period="2025-03", for_json=True)))
    monkeypatch.setattr(native, "TEXT_BLOCK", 7)  # blocks of 7 breaches: most customers' runs cross blocks
    made: list[int] = []
    real = native._Blocks.fragment
    monkeypatch.setattr(native._Blocks, "fragment", lambda self, a, b: made.append(b - a) or real(self, a, b))
    report = evaluate_files(policy, inputs, period="2025-03", engine="duckdb", for_json=True)
    assert b"".join(json_chunks(report)) == whole
    assert len(made) > 5 and max(made) > 7  # a customer with more than a block's worth is cut whole
