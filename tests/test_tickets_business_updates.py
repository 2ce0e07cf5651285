"""Update targets in business days (issue 12): the due times step, one business day after the other,
because a business day's open time depends on where it starts. Hand-computed (arithmetic in the
comments) on tests/cases/tickets/business_updates.sla: p1 `update every 1 business_day during
short_friday` (Mon–Thu 09:00–18:00, Fri 09:00–13:00), p2 the same during `office` (Mon–Fri
09:00–18:00, CN holidays); both respond within 2 h during `always`; all times Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slac.runtime import Policy, load_policy
from slac.runtime.evaluate import Period

from .conftest import ROOT
from .test_tickets_hand import Ticket, cst, run
from .test_tickets_properties import MIN, PERIOD, _measure, _policy, tickets
from .tickets_fixtures import compile_v12

CASE = ROOT / "tests" / "cases" / "tickets" / "business_updates.sla"


@lru_cache(maxsize=1)
def _policy_text() -> str:
    import slac

    return slac.policy_json(compile_v12(CASE.read_text(encoding="utf-8"), holiday_years=(2026, 2026)))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(_policy_text())


def _missed(policy: Policy, ticket: Ticket, as_of: datetime | None = None) -> int:
    rows = run(policy, [ticket], "2026-04", as_of)["missed_updates"]
    return sum(int(r["count"]) for r in rows)


def test_a_friday_gap_steps_its_due_times(policy: Policy) -> None:
    # Responded Fri 2026-04-10 12:00, resolved Fri 04-17 12:30, no update. The due times step:
    # D1 = Mon 04-13 12:00 (open time from the start: Fri 12–13 = 1 h + Mon 09–12 = 3 h = 4 h),
    # D2 = Tue 12:00 (+ Mon 12–18 6 h + Tue 09–12 3 h = 13 h), D3 = Wed 12:00 (22 h),
    # D4 = Thu 12:00 (31 h), D5 = Fri 04-17 12:00 (+ Thu 12–18 6 h + Fri 09–12 3 h = 40 h),
    # D6 = Mon 04-20 12:00 (44 h). The gap used Fri 1 h + Mon–Thu 4 × 9 h + Fri 09:00–12:30 3.5 h
    # = 40.5 h: D1…D5 passed, D6 not → 5 missed. (The old count, ceil(40.5 h / 4 h) − 1 = 10,
    # took every business day as long as the first, Friday noon → Monday noon.)
    t: Ticket = ("k", "p1", cst(4, 10, 11), cst(4, 10, 12), cst(4, 17, 12, 30), [])
    assert _missed(policy, t) == 5
    # Resolved at D5 exactly (Fri 12:00): no clock time after it → 4; one second later → 5.
    assert _missed(policy, ("k", "p1", cst(4, 10, 11), cst(4, 10, 12), cst(4, 17, 12), [])) == 4
    assert _missed(policy, ("k", "p1", cst(4, 10, 11), cst(4, 10, 12), cst(4, 17, 12, 0, 1), [])) == 5


def test_an_update_on_friday_evening_restarts_the_steps(policy: Policy) -> None:
    # As above, plus an update Fri 04-10 20:00 (closed). Gap 1 (Fri 12:00–20:00) used 1 h < 4 h: 0.
    # Gap 2 from Fri 20:00: the clock next runs Mon 09:00, so D1 = Tue 04-14 09:00 (9 h), D2 = Wed
    # 09:00, D3 = Thu 09:00, D4 = Fri 09:00, D5 = Mon 04-20 09:00; resolved Fri 04-17 12:30, after
    # D4 (3.5 h of Friday ran after it) → 4 missed, not more than the 5 without the update.
    t: Ticket = ("k", "p1", cst(4, 10, 11), cst(4, 10, 12), cst(4, 17, 12, 30), [(cst(4, 10, 20), "update")])
    assert _missed(policy, t) == 4


def test_the_replayed_hypothesis_example() -> None:
    # The case hypothesis found (test_an_extra_update_never_adds_a_missed_update): tier basic,
    # normal priority, `update every 1 business_day during ny_late` (New York, every day
    # 00:00–02:30, Sundays also 18:00–24:00). Opened and resolved Sat 2025-03-01 19:08 Shanghai,
    # reopened 19:09 (= Sat 06:09 New York): cycle 2 runs unresolved to the end of March, 2025-04-01
    # 00:00 Shanghai = Mon 03-31 12:00 New York (EDT).
    # Without updates: the clock next runs Sun 03-02 00:00, so D1 = Mon 03-03 00:00, D2 = Tue 03-04
    # 00:00, …, D29 = Mon 03-31 00:00 (each step: the same clock time on the next day, every day
    # being open; 03-09's 00:00 exists across the DST change). Each has clock time after it before
    # the end (00:00–02:30) → 29 missed. The old count took each business day as 8.5 h (Sun 00:00 →
    # Mon 00:00: 2.5 h + 6 h) of 104.5 h used (30 days × 2.5 h − 0.5 h lost to DST on 03-09 +
    # 5 Sundays × 6 h) → ceil(104.5 / 8.5) − 1 = 12, and 13 with the extra update: the failure.
    # With an update at opening + 2195 min = Sun 03-02 18:43 New York: gap 1 used 2.5 h + 0 h 43 min
    # and its D1 (Mon 00:00) is after its end → 0. Gap 2 from Sun 18:43: D1 = Mon 03-03 18:43
    # (closed; decided at Tue 00:00), D2 = one business day after the next opening Tue 00:00 = Wed
    # 03-05 00:00, …, Mon 03-31 00:00 → 1 + 27 = 28 missed.
    t = {"tier": "basic", "priority": "normal", "outage": False, "opened": 68_880_000_000,
         "responded": None, "resolved": None, "events": [(68_880_000_000, "resolved"), (68_940_000_000, "open")]}  # fmt: skip
    more = {**t, "events": [*t["events"], (t["opened"] + 2195 * MIN, "update")]}
    assert _measure(t)[2] == 29
    assert _measure(more)[2] == 28


def test_across_a_weekend_and_a_holiday_with_a_pause(policy: Policy) -> None:
    # p2 during office. Responded Thu 2026-04-02 15:00. D1 = Fri 04-03 15:00; then Sat 04-04 is
    # closed and Sun 04-05, Mon 04-06 are CN holidays (Qingming), so D2 = Tue 04-07 15:00 and
    # D3 = Wed 04-08 15:00. Updated Wed 04-08 16:00: D1, D2, D3 passed → 3 missed.
    plain: Ticket = ("k", "p2", cst(4, 2, 14), cst(4, 2, 15), cst(4, 8, 17), [(cst(4, 8, 16), "update")])
    assert _missed(policy, plain) == 3
    # Paused Tue 04-07 10:00–12:00 (2 h of open time) — it begins before D2, so D2 is counted from D1
    # moved 2 open hours later (Fri 17:00): D2 = Tue 17:00, D3 = Wed 17:00. The update at Wed 16:00
    # came before D3 → 2 missed; an update at Wed 17:00 still 2 (no clock time after D3), 17:00:01 → 3.
    pause = [(cst(4, 7, 10), "status:pending_customer"), (cst(4, 7, 12), "status:open")]
    for update, missed in ((cst(4, 8, 16), 2), (cst(4, 8, 17), 2), (cst(4, 8, 17, 0, 1), 3)):
        t: Ticket = ("k", "p2", cst(4, 2, 14), cst(4, 2, 15), cst(4, 8, 18), [*pause, (update, "update")])
        assert _missed(policy, t) == missed, update


def test_ticket_status_counts_the_same_steps(policy: Policy) -> None:
    # The open gap of the first case at Fri 04-17 12:30 (not resolved): D1…D5 passed → 5 missed,
    # breached; the deadline shown is the gap's first due time, Mon 04-13 12:00.
    got = policy.ticket_status("t", "p1", cst(4, 10, 11), cst(4, 10, 12), as_of=cst(4, 17, 12, 30), events=[])
    upd = next(x for x in got.targets if x.target == "update")
    assert (upd.state, upd.missed, upd.deadline) == ("breached", 5, cst(4, 13, 12))
    # At Mon 04-13 11:00 the gap has used 1 h + 2 h = 3 h of the 4 h to D1: running, 1 h left.
    got = policy.ticket_status("t", "p1", cst(4, 10, 11), cst(4, 10, 12), as_of=cst(4, 13, 11), events=[])
    upd = next(x for x in got.targets if x.target == "update")
    assert (upd.state, upd.missed, upd.time_left.total_seconds()) == ("running", 0, 3600)
    # With the Friday-evening update, and at Fri 04-17 12:30: 4 missed (the second case); the gap's
    # first due time Tue 04-14 09:00 is 9 h of clock time from Fri 20:00, all of Monday, so the
    # deadline shown is where the clock shows them, Mon 04-13 18:00 (at the closing).
    events = [(cst(4, 10, 20), "update")]
    got = policy.ticket_status("t", "p1", cst(4, 10, 11), cst(4, 10, 12), as_of=cst(4, 17, 12, 30), events=events)
    upd = next(x for x in got.targets if x.target == "update")
    assert (upd.missed, upd.deadline) == (4, cst(4, 13, 18))


def test_the_document_states_the_stepped_rule_only_where_it_applies() -> None:
    from slac.render import render_markdown

    from .test_v2_tickets_front_render import SOURCE, policy_of

    mine = compile_v12(CASE.read_text(encoding="utf-8"), holiday_years=(2026, 2026))
    en = render_markdown(mine, "en", results={})
    assert "Where the update interval is a number of business days, an update falls due that number of" in en
    # A late update restarts the steps (the next is due after it), a missed one steps from its due time.
    assert "if none is sent by then, a further update falls due that number of business days after the missed" in en
    assert "Once an update is sent, the next update falls due that number of business days after it." in en
    # A pause that overlaps the step moves it, also one already in progress at its start (step_due: a < due, b > x).
    assert "including by a pause already in progress at the previous update, those business days are counted" in en
    assert "by the service hours, after it, during which the clock is paused" in en
    zh = render_markdown(mine, "zh", results={})
    assert "更新间隔以工作日计的，每次进展更新最迟应于上一次进展更新后满该工作日数时发出" in zh
    assert "下一次进展更新最迟应于该应发出时间后满该工作日数时发出" in zh
    assert "（包括上一次进展更新时已在进行中的暂停）" in zh
    # harbor-desk's update intervals are durations: the sentence does not apply and is not there.
    harbor = render_markdown(policy_of(SOURCE), "en", results={})
    assert "An update is a message from" in harbor and "update interval is a number of business days" not in harbor


BD_UPDATES = [("basic", "urgent", True), ("basic", "normal", False), ("top", "normal", False)]  # outage for urgent


@settings(max_examples=60, deadline=None)
@given(tickets(), st.sampled_from(BD_UPDATES))
def test_ticket_status_agrees_with_the_evaluation(t: dict[str, Any], target: tuple[str, str, bool]) -> None:
    # zones' business-day update targets (always, ny_late, new_york): `ticket_status` counts the same
    # missed updates as the evaluation for a ticket with one resolution cycle (its only cycle is current).
    tier, priority, outage = target
    kept = [(a, e) for a, e in t["events"] if e != "resolved"]  # no reopening: one cycle
    t = {**t, "tier": tier, "priority": priority, "outage": outage, "events": kept}
    policy = _policy()
    start = Period.month(policy, PERIOD).start
    at = _at(start)
    events = [(at(a), "update" if e == "update" else f"status:{e}") for a, e in sorted(t["events"])]
    got = policy.ticket_status(
        tier, priority, at(t["opened"]), None if t["responded"] is None else at(t["responded"]), outage=outage,
        as_of=at(Period.month(policy, PERIOD).end - start), resolved_at=None if t["resolved"] is None else at(t["resolved"]),
        events=events,
    )  # fmt: skip
    upd = [x for x in got.targets if x.target == "update"]
    assert (upd[0].missed if upd else 0) == _measure(t)[2]


def _at(start: int) -> Any:
    from datetime import UTC, timedelta

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return lambda us: epoch + timedelta(microseconds=start + us)
