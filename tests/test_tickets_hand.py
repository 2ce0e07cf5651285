"""Hand-computed ticket clocks (issue 12), on tests/cases/tickets/hand.sla (arithmetic in the comments).

Targets of tier t: p1 respond 2h / update every 1h / resolve 4h during `always` (Shanghai);
p2 respond 4h / resolve 16h during `office` (Mon–Fri 09:00–18:00, CN holidays); p3 resolve in
2 business_days during `berlin_always`; p4 resolve in 2 business_days during `berlin_office`
(Mon–Fri 09:00–17:00 Berlin). Pausing: pending_customer, on_hold; warn at 75 %.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slac.runtime import Policy, load_policy
from slac.runtime.calendar import to_us
from slac.runtime.evaluate import evaluate
from slac.runtime.events import MISSING, STATUS, UPDATE, Events, TicketEvents

from .conftest import ROOT
from .runtime_fixtures import make_events, objects
from .tickets_fixtures import compile_v12

CST = timezone(timedelta(hours=8))
BERLIN = ZoneInfo("Europe/Berlin")
HAND = ROOT / "tests" / "cases" / "tickets" / "hand.sla"


@lru_cache(maxsize=1)
def _policy_text() -> str:
    import slac

    return slac.policy_json(compile_v12(HAND.read_text(encoding="utf-8"), holiday_years=(2026, 2026)))


@pytest.fixture(scope="module")
def hand() -> Policy:
    return load_policy(_policy_text())


def cst(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=CST)


Ticket = tuple[str, str, datetime, datetime | None, datetime | None, list[tuple[datetime, str]]]


def run(policy: Policy, tickets: list[Ticket], period: str, as_of: datetime | None = None) -> dict[str, Any]:
    """One customer on tier t; tickets (id, priority, opened, responded, resolved, events)."""
    rows = [(i, "a", p, o.isoformat(), r.isoformat() if r else None) for i, p, o, r, _, _ in tickets]
    base = make_events([("a", "t", "1000")], tickets=rows)
    ev = sorted((k, to_us(at), e) for k, t in enumerate(tickets) for at, e in t[5])
    resolved = np.array([to_us(t[4]) if t[4] else MISSING for t in tickets], dtype=np.int64)
    tick = base.tickets
    tick = type(tick)(**{f: getattr(tick, f) for f in tick.__slots__ if f != "resolved"}, resolved=resolved)
    events = TicketEvents(
        ticket=np.array([e[0] for e in ev], dtype=np.int64),
        at=np.array([e[1] for e in ev], dtype=np.int64),
        kind=np.array([UPDATE if e[2] == "update" else STATUS for e in ev], dtype=np.int8),
        status=objects([None if e[2] == "update" else e[2][7:] for e in ev]),
        row=np.arange(2, len(ev) + 2, dtype=np.int64),
    )
    report = evaluate(
        policy, Events(base.customers, tick, base.incidents, ticket_events=events), period=period, as_of=as_of
    )
    return dict(report["customers"][0])


def test_pause_across_a_weekend_and_a_cn_holiday(hand: Policy) -> None:
    # p2, resolve 16 h of office time. Opened Fri 2026-04-03 09:00, paused Fri 17:00 → Tue 04-07 10:00.
    # Fri 09–17 counts 8 h; Fri 17–18 is paused (1 h does not count); Sat 04-04 closed; Sun 04-05 and
    # Mon 04-06 are CN holidays (Qingming); Tue 09–10 paused. From Tue 10:00 the last 8 h run to the
    # 18:00 closing: deadline Tue 18:00, and no open time passes until Wed 09:00 (met), 09:00:01 missed.
    # Unpaused: Fri 09–18 = 9 h, Tue 09–16 = 7 h → deadline Tue 16:00.
    pause = [(cst(4, 3, 17), "status:pending_customer"), (cst(4, 7, 10), "status:open")]
    tickets: list[Ticket] = [
        ("met", "p2", cst(4, 3, 9), cst(4, 3, 9, 30), cst(4, 8, 9), pause),
        ("late", "p2", cst(4, 3, 9), cst(4, 3, 9, 30), cst(4, 8, 9, 0, 1), pause),
        ("unpaused", "p2", cst(4, 3, 9), cst(4, 3, 9, 30), cst(4, 7, 16, 0, 1), []),
    ]
    entry = run(hand, tickets, "2026-04")
    missed = {m["id"]: m["deadline"] for m in entry["missed_resolutions"]}
    assert missed == {"late": "2026-04-07T18:00:00+08:00", "unpaused": "2026-04-07T16:00:00+08:00"}
    status = hand.ticket_status("t", "p2", cst(4, 3, 9), cst(4, 3, 9, 30), resolved_at=cst(4, 8, 9), events=pause)
    [resolution] = [t for t in status.targets if t.target == "resolution"]
    assert resolution.state == "met" and resolution.deadline == cst(4, 7, 18)
    assert entry["total"] == "20.00"  # 2 missed resolutions × 10 CNY


def test_a_pause_that_starts_before_the_first_response(hand: Policy) -> None:
    # p1, respond within 2 h during always. Opened 10:00, pending_customer 10:30–12:00, responded 13:00:
    # 30 min + 1 h = 1 h 30 min ≤ 2 h (met; unpaused it would be 3 h). Deadline: 10:30 + 30 min after
    # the pause = 12:00 + 1 h 30 min = 13:30. Responded 13:31 → 2 h 1 min (breached).
    pause = [(cst(5, 4, 10, 30), "status:pending_customer"), (cst(5, 4, 12), "status:in_progress")]
    met = hand.ticket_status("t", "p1", cst(5, 4, 10), cst(5, 4, 13), events=pause, as_of=cst(5, 4, 14))
    assert (met.state, met.deadline) == ("met", cst(5, 4, 13, 30))
    late = hand.ticket_status("t", "p1", cst(5, 4, 10), cst(5, 4, 13, 31), events=pause, as_of=cst(5, 4, 14))
    assert late.state == "breached" and late.lateness == timedelta(minutes=1)
    entry = run(hand, [("a", "p1", cst(5, 4, 10), cst(5, 4, 13), cst(5, 4, 13), pause)], "2026-05")
    assert entry["breaches"] == [] and entry["tickets"]["met"] == 1


def test_an_update_gap_that_ends_in_a_pause(hand: Policy) -> None:
    # p1, update every 1 h. Responded 09:00; pending_customer 09:40 until 14:00; then:
    # - update 14:30: the gap used 40 min + 30 min = 70 min > 60 → 1 missed update;
    # - update 14:15: 40 + 15 = 55 min → none;
    # - still paused when resolved at 15:00 (resolution ends the pause): 40 min → none.
    # The pause stops the gap's clock; it is not itself an update.
    pause = [(cst(5, 6, 9, 40), "status:pending_customer"), (cst(5, 6, 14), "status:open")]
    tickets: list[Ticket] = [
        ("late", "p1", cst(5, 6, 8, 50), cst(5, 6, 9), cst(5, 6, 14, 30), [*pause, (cst(5, 6, 14, 30), "update")]),
        ("ok", "p1", cst(5, 6, 8, 50), cst(5, 6, 9), cst(5, 6, 14, 15), [*pause, (cst(5, 6, 14, 15), "update")]),
        ("paused", "p1", cst(5, 6, 8, 50), cst(5, 6, 9), cst(5, 6, 15), [pause[0]]),
    ]
    entry = run(hand, tickets, "2026-05")
    assert entry["missed_updates"] == [{"id": "late", "count": 1, "target_line": 40, "row": 2}]
    # Its last gap, 14:30 → resolution 14:30, is empty. Credit: 1 missed update × 1 CNY.
    assert entry["total"] == "1.00"


def test_two_business_days_from_a_friday_evening_before_dst(hand: Policy) -> None:
    # Berlin leaves CET (+01) for CEST (+02) on Sun 2026-03-29. Opened Fri 03-27 19:00 CET = 18:00Z.
    # berlin_always (open every day): the 2nd following open day is Sun 03-29, same clock time
    # 19:00 CEST = 17:00Z: 47 h of open time, not 48.
    opened = datetime(2026, 3, 27, 19, tzinfo=BERLIN)
    due = hand.resolution_deadline("t", "p3", opened, as_of=opened)
    assert due == datetime(2026, 3, 29, 19, tzinfo=BERLIN)
    assert due - opened == timedelta(hours=47)
    # berlin_office (Mon–Fri 09–17): closed on Friday evening, the clock starts Mon 03-30 09:00 CEST;
    # the 2nd following open day is Wed 04-01, 09:00 CEST: 16 h of open time, which run out at Tue 17:00,
    # the closing before it (no open time passes in between), and a deadline is shown at that closing.
    assert hand.resolution_deadline("t", "p4", opened, as_of=opened) == datetime(2026, 3, 31, 17, tzinfo=BERLIN)
    # Opened Fri 16:00 CET, open: Mon 03-30 and Tue 03-31 follow → Tue 16:00 CEST (1 + 8 + 7 = 16 h).
    friday = datetime(2026, 3, 27, 16, tzinfo=BERLIN)
    assert hand.resolution_deadline("t", "p4", friday, as_of=friday) == datetime(2026, 3, 31, 16, tzinfo=BERLIN)
    tickets: list[Ticket] = [
        ("met", "p3", opened, opened, datetime(2026, 3, 29, 19, tzinfo=BERLIN), []),
        ("late", "p3", opened, opened, datetime(2026, 3, 29, 19, 0, 1, tzinfo=BERLIN), []),
    ]
    entry = run(hand, tickets, "2026-03")
    assert [m["id"] for m in entry["missed_resolutions"]] == ["late"]
    assert entry["missed_resolutions"][0]["deadline"] == "2026-03-30T01:00:00+08:00"  # Sun 19:00 CEST in Shanghai


def test_a_reopened_ticket(hand: Policy) -> None:
    # p1, resolve within 4 h during always. Opened 09:00, resolved 11:00 (cycle 1: 2 h, met); reopened
    # 14:00 (status open), resolved 19:00 (cycle 2: 5 h > 4 h, missed; its deadline 14:00 + 4 h = 18:00).
    events = [(cst(5, 7, 11), "status:resolved"), (cst(5, 7, 14), "status:open")]
    tickets: list[Ticket] = [("r", "p1", cst(5, 7, 9), cst(5, 7, 9, 5), cst(5, 7, 19), events)]
    entry = run(hand, tickets, "2026-05")
    [missed] = entry["missed_resolutions"]
    assert (missed["cycle"], missed["started"], missed["deadline"], missed["resolved"]) == (
        2,
        "2026-05-07T14:00:00+08:00",
        "2026-05-07T18:00:00+08:00",
        "2026-05-07T19:00:00+08:00",
    )
    # Update gaps (each hour of clock time without an update is one missed update, ceil(L / 1 h) − 1):
    # cycle 1 09:05 → 11:00 is 1 h 55 min (1 missed); cycle 2 14:00 → 19:00 is 5 h (4 missed).
    assert entry["missed_updates"][0]["count"] == 5
    assert entry["total"] == "15.00"  # 1 × 10 CNY + 5 × 1 CNY
    status = hand.ticket_status("t", "p1", cst(5, 7, 9), cst(5, 7, 9, 5), events=events, as_of=cst(5, 7, 16))
    [res] = [t for t in status.targets if t.target == "resolution"]
    assert (res.cycle, res.state, res.time_left) == (2, "running", timedelta(hours=2))


def test_at_risk_at_exactly_75_percent(hand: Policy) -> None:
    # p1, resolve within 4 h: 75 % is 3 h. Opened 09:00 with no pause: at 11:59:59 running, at 12:00
    # at risk (exactly 3 h used), 1 h left. Paused at 11:00 (on_hold): at 12:00 it has used 2 h: paused.
    opened = cst(5, 8, 9)

    def resolution(as_of: datetime, events: list[tuple[datetime, str]] = []) -> Any:  # noqa: B006
        status = hand.ticket_status("t", "p1", opened, cst(5, 8, 9, 1), events=events, as_of=as_of)
        return next(t for t in status.targets if t.target == "resolution")

    assert resolution(cst(5, 8, 11, 59, 59)).state == "running"
    at_risk = resolution(cst(5, 8, 12))
    assert (at_risk.state, at_risk.time_left, at_risk.deadline) == ("at_risk", timedelta(hours=1), cst(5, 8, 13))
    paused = resolution(cst(5, 8, 12), [(cst(5, 8, 11), "status:on_hold")])
    assert (paused.state, paused.used, paused.deadline) == ("paused", timedelta(hours=2), None)
