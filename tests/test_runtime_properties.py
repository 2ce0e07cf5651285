"""Evaluator invariants over random events (hypothesis; derandomized in CI by the `ci` profile)."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slac.runtime import load_policy
from slac.runtime.evaluate import Period, evaluate
from slac.runtime.events import MISSING, Events

from .runtime_fixtures import objects, random_events, zones_policy_text

POLICY = load_policy(zones_policy_text())
HOUR = 3_600_000_000

scenarios = st.fixed_dictionaries(
    {
        "period": st.sampled_from(["2025-01", "2025-03", "2025-10"]),
        "seed": st.integers(0, 2**32 - 1),
        "customers": st.integers(1, 4),
        "tickets": st.integers(0, 40),
        "incidents": st.integers(0, 12),
    }
)


def scenario(s: dict[str, Any]) -> Events:
    return random_events(
        POLICY, s["period"], seed=s["seed"], customers=s["customers"], tickets=s["tickets"], incidents=s["incidents"]
    )


def totals(events: Events, period: str) -> dict[str, Decimal]:
    report = evaluate(POLICY, events, period=period)
    return {c["customer"]: Decimal(c["total"]) for c in report["customers"]}


def with_incident(events: Events, start: int, end: int, cause: str | None, customers: tuple[str, ...] | None) -> Events:
    inc = events.incidents
    return replace(
        events,
        incidents=replace(
            inc,
            id=objects([*inc.id.tolist(), "extra"]),
            start=np.append(inc.start, start),
            end=np.append(inc.end, end),
            cause=objects([*inc.cause.tolist(), cause]),
            announced=np.append(inc.announced, MISSING),
            customers=(*inc.customers, customers),
            row=np.append(inc.row, 10_000),
        ),
    )


@settings(max_examples=40)
@given(scenarios)
def test_credit_never_exceeds_the_cap(s: dict[str, Any]) -> None:
    report = evaluate(POLICY, scenario(s), period=s["period"])
    for entry in report["customers"]:
        limit = Decimal(entry["cap"]["limit"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        # The cap limits the exact sum; the one final rounding may reach the rounded limit, never more.
        assert Decimal(entry["total"]) <= limit
        assert Decimal(entry["total"]) <= Decimal(entry["subtotal"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@settings(max_examples=40)
@given(scenarios, st.floats(0, 1), st.integers(5 * 60, 5 * 86400), st.booleans())
def test_more_downtime_never_less_credit(s: dict[str, Any], at: float, seconds: int, platform: bool) -> None:
    events = scenario(s)
    per = Period.month(POLICY, s["period"])
    start = per.start + int(at * (per.end - per.start))
    who = None if platform else (str(events.customers.id[0]),)
    before = totals(events, s["period"])
    after = totals(with_incident(events, start, start + seconds * 1_000_000, None, who), s["period"])
    assert all(after[c] >= before[c] for c in before)


@settings(max_examples=40)
@given(scenarios, st.floats(0, 1), st.integers(0, 5 * 86400), st.sampled_from(["force_majeure", "planned_maintenance"]))
def test_an_excluded_incident_never_changes_credit(s: dict[str, Any], at: float, seconds: int, cause: str) -> None:
    events = scenario(s)
    per = Period.month(POLICY, s["period"])
    start = per.start + int(at * (per.end - per.start))
    extra = with_incident(events, start, start + seconds * 1_000_000, cause, None)
    if cause == "planned_maintenance":  # announced well ahead, so excluded
        extra = replace(
            extra,
            incidents=replace(extra.incidents, announced=np.append(events.incidents.announced, start - 72 * HOUR)),
        )
    before = evaluate(POLICY, events, period=s["period"])
    after = evaluate(POLICY, extra, period=s["period"])
    for b, a in zip(before["customers"], after["customers"], strict=True):
        assert (a["total"], a["uptime"]["fraction"]) == (b["total"], b["uptime"]["fraction"])


@settings(max_examples=40)
@given(scenarios, st.integers(0, 3 * 86400 * 1_000_000), st.data())
def test_a_later_response_never_turns_a_breach_into_met(s: dict[str, Any], delay: int, data: st.DataObject) -> None:
    events = scenario(s)
    t = events.tickets
    answered = t.responded != MISSING
    which = np.array(data.draw(st.lists(st.booleans(), min_size=len(t.id), max_size=len(t.id))), dtype=bool)
    later = np.where(answered & which, t.responded + delay, t.responded)
    before = evaluate(POLICY, events, period=s["period"])
    after = evaluate(POLICY, replace(events, tickets=replace(t, responded=later)), period=s["period"])
    for b, a in zip(before["customers"], after["customers"], strict=True):
        assert {x["id"] for x in b["breaches"]} <= {x["id"] for x in a["breaches"]}
        assert Decimal(a["total"]) >= Decimal(b["total"])


@settings(max_examples=30)
@given(scenarios, st.randoms(use_true_random=False))
def test_independent_of_row_order(s: dict[str, Any], rnd: Any) -> None:
    events = scenario(s)
    mixed = shuffled(events, rnd.randrange(2**32))
    assert evaluate(POLICY, mixed, period=s["period"]) == evaluate(POLICY, events, period=s["period"])


def shuffled(events: Events, seed: int) -> Events:
    rng = np.random.default_rng(seed)
    t, inc = events.tickets, events.incidents
    tp, ip = rng.permutation(len(t.id)), rng.permutation(len(inc.id))
    return replace(
        events,
        tickets=replace(
            t,
            id=t.id[tp],
            customer=t.customer[tp],
            priority=t.priority[tp],
            opened=t.opened[tp],
            responded=t.responded[tp],
            outage=t.outage[tp],
            cause=t.cause[tp],
            row=t.row[tp],
        ),
        incidents=replace(
            inc,
            id=inc.id[ip],
            start=inc.start[ip],
            end=inc.end[ip],
            cause=inc.cause[ip],
            announced=inc.announced[ip],
            customers=tuple(inc.customers[i] for i in ip.tolist()),
            row=inc.row[ip],
        ),
    )


def test_independent_of_row_order_on_big_inputs() -> None:
    """Above `columns.SMALL` rows codes and sorts go through Arrow: same report whatever the order."""
    from slac.runtime.columns import SMALL

    events = random_events(POLICY, "2025-03", seed=3, customers=40, tickets=3 * SMALL, incidents=2 * SMALL)
    report = evaluate(POLICY, events, period="2025-03")
    assert sum(len(c["breaches"]) for c in report["customers"]) > SMALL  # the breach sort took the Arrow path
    assert evaluate(POLICY, shuffled(events, 1), period="2025-03") == report
