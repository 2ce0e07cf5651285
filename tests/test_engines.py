"""The one call behind `slac evaluate`: engines by name, the same report as the runtime's `evaluate`."""

from __future__ import annotations

from pathlib import Path

import pytest

from slac.runtime import load_policy
from slac.runtime.engines import ENGINES, Inputs, UsageError, evaluate_files
from slac.runtime.evaluate import evaluate
from slac.runtime.inputs import read_events
from tests.runtime_fixtures import policy_text

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"


def _policy():
    return load_policy(policy_text("websoft9"))


def _inputs() -> Inputs:
    return Inputs(
        customers=str(EVENTS / "customers.csv"),
        incidents=str(EVENTS / "incidents.csv"),
        tickets=str(EVENTS / "tickets.csv"),
    )


def test_numpy_is_the_runtime_evaluate() -> None:
    policy, inputs = _policy(), _inputs()
    events = read_events(policy, customers=inputs.customers, tickets=inputs.tickets, incidents=inputs.incidents)
    assert evaluate_files(policy, inputs, period="2025-03") == evaluate(policy, events, period="2025-03")


def test_an_unknown_engine_is_named_with_the_choices() -> None:
    with pytest.raises(UsageError, match=r"unknown engine 'pandas'; choose one of numpy"):
        evaluate_files(_policy(), _inputs(), period="2025-03", engine="pandas")
    assert "numpy" in ENGINES


def test_a_v1_contract_needs_tickets_and_refuses_charges() -> None:
    with pytest.raises(UsageError, match="--tickets is needed"):
        evaluate_files(
            _policy(), Inputs(customers=_inputs().customers, incidents=_inputs().incidents), period="2025-03"
        )
    with pytest.raises(UsageError, match="--charges is for contracts with services"):
        evaluate_files(_policy(), Inputs(**{**_inputs().__dict__, "charges": _inputs().customers}), period="2025-03")


def test_progress_counts_up_to_the_tickets_read() -> None:
    seen: list[tuple[int, int]] = []
    evaluate_files(_policy(), _inputs(), period="2025-03", progress=lambda done, total: seen.append((done, total)))
    lines = (EVENTS / "tickets.csv").read_text(encoding="utf-8").strip().splitlines()
    assert seen and {t for _, t in seen} == {len(lines) - 1}
    assert seen[-1][0] == len(lines) - 1
