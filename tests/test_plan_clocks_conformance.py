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

from slac.plan import results
from slac.plan.business_sql import business_updates
from slac.plan.results import sql_ticket_results
from slac.runtime import evaluate as runtime_evaluate
from slac.runtime import load_policy
from slac.runtime.tickets import uses_clocks
from tests.conformance.run import engine_projection
from tests.conformance.suite import Case, cases
from tests.test_engine_clocks import sql_only

FEATURES = ("pauses", "resolution", "updates", "business_days", "examples", "caps")


def _measured_by_sql(case: Case) -> bool:
    return uses_clocks(load_policy(case.policy)) and not _paused_business_updates(case)


def _paused_business_updates(case: Case) -> bool:
    """Whether a case pauses a ticket of a policy with update targets in business days: the SQL does not
    step the due times a pause moves (`business_sql.business_update_ctes`), the runtime measures them."""
    policy = load_policy(case.policy)
    pausing = {f"status:{s}" for s in policy.pause_statuses}
    paused = any(e["event"] in pausing for e in case.data["events"].get("ticket_events", []))
    return paused and business_updates(policy)


# Every eighth of the 225 such cases (each takes a DuckDB session); SLAC_CLOCK_CONFORMANCE_STEP=1 runs all.
STEP = int(os.environ.get("SLAC_CLOCK_CONFORMANCE_STEP", "8"))
CASES = [c for c in cases() if c.feature in FEATURES and _measured_by_sql(c)][::STEP]
HANDED_BACK = [c for c in cases() if c.feature in FEATURES and _paused_business_updates(c)]


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
    assert used[0] >= len(CASES) >= 225 // STEP, (
        used[0],
        len(CASES),
    )  # each case at least once (and its earlier windows)


def test_the_cases_the_sql_hands_back_meet_their_expectations(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paused update gap in business days: the clock queries say not `known`, the runtime measures the
    case's tickets, and the answer is the case's."""
    handed: list[int] = []
    monkeypatch.setattr(results, "runtime_ticket_results", _counting(results.runtime_ticket_results, handed))
    _with_sql_tickets(monkeypatch)
    assert [c.id for c in HANDED_BACK] == ["updates/days-pause-moves-the-due-time"]
    for case in HANDED_BACK:
        assert engine_projection(case, "numpy") == case.data["expected"], case.id
    assert len(handed) == len(HANDED_BACK)


def _counting(function: Any, calls: list[int]) -> Any:
    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return function(*args, **kw)

    return counted
