"""The conformance suite's ticket-clock cases with every ticket measured by the clock queries (slac.plan.clocks_sql).

Those cases are contracts of language v2 (services, windows), whose availability and credits the
duckdb engine does not evaluate yet (language v2 is another part of the plan); here the numpy engine evaluates them with its ticket
results taken from DuckDB's clock queries instead of its own clocks (caps over a longer span
included: each earlier window's tickets are measured by the queries too), and the projection must
equal each case's expectation (the oracle's, reviewed).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from slac.plan.results import sql_ticket_results
from slac.runtime import evaluate as runtime_evaluate
from slac.runtime import load_policy
from slac.runtime.tickets import uses_clocks
from tests.conformance.run import engine_projection
from tests.conformance.suite import Case, cases
from tests.test_engine_clocks import sql_only

FEATURES = ("pauses", "resolution", "updates", "business_days", "examples", "caps")


def _measured_by_sql(case: Case) -> bool:
    return uses_clocks(load_policy(case.policy))


# Every eighth of the 214 such cases (each takes a DuckDB session); SLAC_CLOCK_CONFORMANCE_STEP=1 runs all.
STEP = int(os.environ.get("SLAC_CLOCK_CONFORMANCE_STEP", "8"))
CASES = [c for c in cases() if c.feature in FEATURES and _measured_by_sql(c)][::STEP]


def _with_sql_tickets(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Patch the runtime so its ticket results come from the clock queries; returns a counter of uses."""
    seen: dict[str, Any] = {}
    used = [0]
    history = runtime_evaluate.ticket_history
    numpy_results = runtime_evaluate.ticket_results

    def remember(policy: Any, events: Any) -> Any:
        seen["events"] = events
        return history(policy, events)

    def from_sql(policy: Any, tickets: Any, index: Any, tiers: Any, per: Any, as_of: Any, *args: Any, **kw: Any) -> Any:
        events = seen.get("events")
        if events is None or events.tickets is not tickets or seen.get("inside"):  # the SQL's own fallback
            return numpy_results(policy, tickets, index, tiers, per, as_of, *args, **kw)
        used[0] += 1
        seen["inside"] = True
        try:
            return sql_ticket_results(policy, events, per, as_of)
        finally:
            seen["inside"] = False

    monkeypatch.setattr(runtime_evaluate, "ticket_history", remember)
    monkeypatch.setattr(runtime_evaluate, "ticket_results", from_sql)
    return used


def test_the_clock_cases_with_sql_tickets_meet_their_expectations(monkeypatch: pytest.MonkeyPatch) -> None:
    used = _with_sql_tickets(monkeypatch)
    sql_only(monkeypatch)
    failed: list[str] = []
    for case in CASES:
        if engine_projection(case, "numpy") != case.data["expected"]:
            failed.append(case.id)
    assert failed == [], f"{len(failed)} of {len(CASES)} cases fail, e.g. {failed[:5]}"
    assert used[0] >= len(CASES) >= 214 // STEP, (
        used[0],
        len(CASES),
    )  # each case at least once (and its earlier windows)
