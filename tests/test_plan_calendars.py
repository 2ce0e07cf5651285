"""The plan's calendar_open relation: the runtime's own open intervals, checked against the oracle's calendar walk."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

from slac.plan import sql_literal
from slac.plan.calendars import calendar_table, longest_target
from slac.runtime import load_policy
from slac.runtime.calendar import OutsideSpan
from slac.runtime.evaluate import Period
from tests.oracle.reference import RefCalendar
from tests.runtime_fixtures import policy_text, zones_policy_text

HOUR = 3_600_000_000


def _columns(table, name):
    rows = table.filter(pc.equal(table.column("calendar"), name))
    return tuple(np.array(rows.column(k).to_pylist(), dtype=np.int64) for k in ("open_start", "open_end", "cum_before"))


def _cum(start, end, before, t):
    """cum(t) as the plan defines it: cum_before + clamp(t − open_start) of the interval at or before t."""
    k = np.searchsorted(start, t, side="right") - 1
    kc = np.maximum(k, 0)
    return np.where(k < 0, 0, before[kc] + np.clip(t - start[kc], 0, end[kc] - start[kc]))


def _deadline(start, end, before, opened, within):
    """The instant where cum reaches cum(opened) + within (within > 0): the first interval holding that much."""
    goal = _cum(start, end, before, opened) + within
    j = np.searchsorted(before + (end - start), goal, side="left")
    return start[j] + goal - before[j]


@pytest.mark.parametrize("period", ["2025-03", "2025-10", "2026-01"])
def test_open_time_and_deadlines_equal_the_oracle_in_three_zones(period: str) -> None:
    policy = load_policy(zones_policy_text())
    raw_cals = {c["id"]: c for c in policy.raw["calendars"]}
    per = Period.month(policy, period)
    table = calendar_table(policy, per.start, per.end)
    assert set(table.column("calendar").to_pylist()) == set(policy.calendars)
    rng = np.random.default_rng(15)
    for name in policy.calendars:
        start, end, before = _columns(table, name)
        # Sorted, disjoint, and cum_before is the running sum of the lengths before each row.
        assert (start[1:] > end[:-1]).all() and (end >= start).all()
        assert before.tolist() == np.concatenate([[0], np.cumsum(end - start)[:-1]]).tolist()
        ref = RefCalendar(raw_cals[name], list(policy.years) if policy.years else None)
        # Open time between two instants of the month (some on whole hours, where boundaries are).
        t0 = rng.integers(per.start, per.end, 40)
        t0[:20] = t0[:20] // HOUR * HOUR
        t1 = t0 + rng.integers(0, 200 * HOUR, 40)
        got = _cum(start, end, before, t1) - _cum(start, end, before, t0)
        want = [ref.open_between(int(a), int(b)) for a, b in zip(t0, t1, strict=True)]
        assert got.tolist() == want
        # Deadlines of every target length this calendar measures, from openings in the month.
        withins = sorted({t.within_us for t in policy.targets.values() if t.calendar == name and t.within_us})
        for within in withins:
            due = _deadline(start, end, before, t0, within)
            assert due.tolist() == [ref.deadline(int(o), within) for o in t0.tolist()]
            assert due.tolist() == [policy.calendars[name].deadline(int(o), within) for o in t0.tolist()]


def test_the_table_reaches_past_the_longest_target() -> None:
    policy = load_policy(policy_text("websoft9"))
    per = Period.month(policy, "2025-03")
    table = calendar_table(policy, per.start, per.end)
    assert max(longest_target(policy, name) for name in policy.calendars) > 0
    for name in policy.calendars:
        start, end, before = _columns(table, name)
        after = int(before[-1] + end[-1] - start[-1]) - int(_cum(start, end, before, np.array([per.end]))[0])
        assert after > longest_target(policy, name)
        assert start[0] < per.start  # from the day before the period's first local date


def test_a_span_outside_the_holiday_data_is_refused_or_left_out() -> None:
    policy = load_policy(zones_policy_text())  # holidays for 2024–2026
    per = Period.month(policy, "2027-02")
    holiday_cals = [n for n, c in policy.calendars.items() if c.has_holidays]
    assert holiday_cals
    with pytest.raises(OutsideSpan, match="outside the years whose holidays the policy lists"):
        calendar_table(policy, per.start, per.end)
    lenient = calendar_table(policy, per.start, per.end, strict=False)
    assert not set(holiday_cals) & set(lenient.column("calendar").to_pylist())


def test_sql_literals() -> None:
    from decimal import Decimal

    assert sql_literal("it's") == "'it''s'"
    assert sql_literal(None) == "NULL" and sql_literal(True) == "TRUE" and sql_literal(-3) == "-3"
    assert sql_literal(Decimal("12.50")) == "CAST('12.50' AS DECIMAL(38,9))"
    with pytest.raises(TypeError):
        sql_literal(1.5)
    with pytest.raises(ValueError, match="NUL"):
        sql_literal("a\x00b")


def test_the_holiday_years_advice_is_a_range_that_compiles() -> None:
    """'recompile the contract with --holiday-years covering it' led a tester to `--holiday-years 2035-2035`,
    which fails at the contract's 2026 examples. The advice now names a range that keeps the policy's years."""
    import re
    from datetime import date

    from slac.driver import compile_source

    from .conftest import ROOT

    source = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")
    compiled = compile_source(source, file="harbor-desk.sla")
    assert compiled.policy is not None
    office = load_policy(compiled.policy).calendars["office"]
    with pytest.raises(OutsideSpan) as caught:
        office.check_date(date(2035, 3, 1))
    advice = re.search(r"--holiday-years (\d{4})-(\d{4})", str(caught.value))
    assert advice is not None and advice.group(2) == "2035", str(caught.value)
    years = (int(advice.group(1)), int(advice.group(2)))
    again = compile_source(source, file="harbor-desk.sla", holiday_years=years)
    assert again.policy is not None, [d.message for d in again.diagnostics]
    load_policy(again.policy).calendars["office"].check_date(date(2035, 3, 1))  # now within its years
