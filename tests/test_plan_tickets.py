"""ticket_results in SQL by hand: deadlines at closings, across DST, downgrades, exclusions, unmeasured."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
import pytest

from slac.plan.calendars import calendar_table
from slac.plan.tickets_sql import ticket_results_sql
from slac.runtime import load_policy
from slac.runtime.calendar import to_us
from slac.runtime.evaluate import Period
from tests.runtime_fixtures import zones_policy_text

MET, BREACHED, OPEN, UNMEASURED = 0, 1, 2, 3


def us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def _run(tickets: list[tuple], as_of: str, period: str = "2025-03") -> dict[str, tuple]:
    """The SQL's rows by ticket id: (effective, deadline, decided, state, excluded, line)."""
    policy = load_policy(zones_policy_text())
    per = Period.month(policy, period)
    con = duckdb.connect()
    relations = {
        "customers": pa.table(
            {"customer": ["b", "t"], "tier": ["basic", "top"], "fee": pa.array([1, 1], pa.decimal128(38, 9))}
        ),
        "tickets": pa.table(
            {
                "row": list(range(len(tickets))),
                "id": [t[0] for t in tickets],
                "customer": [t[1] for t in tickets],
                "priority": [t[2] for t in tickets],
                "opened": pa.array([us(t[3]) for t in tickets], pa.int64()),
                "responded": pa.array([us(t[4]) if t[4] else None for t in tickets], pa.int64()),
                "outage": [t[5] for t in tickets],
                "cause": pa.array([t[6] for t in tickets], pa.string()),
                "resolved": pa.array([None] * len(tickets), pa.int64()),
            }
        ),
        "params": pa.table({"period_start": [per.start], "period_end": [per.end], "as_of": [us(as_of)]}),
        "calendar_open": calendar_table(policy, per.start, per.end),
    }
    for name, table in relations.items():
        con.register(name, table)
    rows = con.sql(ticket_results_sql(policy)).fetchall()
    cols = [d[0] for d in con.sql(ticket_results_sql(policy)).description]
    assert cols == ["row", "customer", "effective", "deadline", "decided", "state", "excluded", "line", "known"]
    assert all(r[-1] for r in rows), "the engine's table covers every opening: every ticket is known"
    return {tickets[r[0]][0]: r[2:-1] for r in rows}


def test_a_deadline_at_a_closing_is_met_until_the_next_opening() -> None:
    # zones.sla: basic/high = 8 h in `shanghai` (09:00–12:00, 13:00–18:00 Asia/Shanghai, +08:00).
    # Opened Mon 2025-03-10 09:00+08:00: 3 h + 5 h of that day's hours = 8 h, so the deadline is
    # the closing 18:00+08:00 (10:00Z) and a response up to Tue 09:00+08:00 used no more open time.
    opened = "2025-03-10T09:00:00+08:00"
    rows = _run(
        [
            ("evening", "b", "high", opened, "2025-03-10T20:00:00+08:00", False, None),
            ("next_opening", "b", "high", opened, "2025-03-11T09:00:00+08:00", False, None),
            ("a_us_late", "b", "high", opened, "2025-03-11T09:00:00.000001+08:00", False, None),
            ("unanswered", "b", "high", opened, None, False, None),
        ],
        as_of="2025-03-11T09:00:00+08:00",
    )
    deadline, decided = us("2025-03-10T18:00:00+08:00"), us("2025-03-11T09:00:00+08:00")
    line = rows["evening"][5]
    assert rows["evening"] == ("high", deadline, decided, MET, False, line)
    assert rows["next_opening"][3] == MET
    assert rows["a_us_late"][3] == BREACHED
    assert rows["unanswered"][3] == OPEN  # as_of is the decision instant itself: not yet past it
    assert (
        _run([("u", "b", "high", opened, None, False, None)], as_of="2025-03-11T09:00:00.000001+08:00")["u"][3]
        == BREACHED
    )


def test_a_deadline_across_the_dst_change_in_berlin() -> None:
    # top/high = 1.5 h in `berlin` (Mon–Fri 08:00–17:00, Sat 10:00–14:00, Europe/Berlin). Opened Sat
    # 2025-03-29 13:30+01:00: 30 min that day, none on Sunday (clocks go forward), then 1 h on
    # Monday from 08:00+02:00: due 09:00+02:00 = 07:00Z, 5 days' wall time but 1.5 h of open time.
    rows = _run(
        [("dst", "t", "high", "2025-03-29T13:30:00+01:00", "2025-03-31T08:59:00+02:00", False, None)],
        as_of="2025-04-01T00:00:00Z",
    )
    effective, deadline, decided, state, excluded, _ = rows["dst"]
    assert (effective, deadline, decided, state, excluded) == (
        "high",
        us("2025-03-31T07:00:00Z"),
        us("2025-03-31T07:00:00Z"),
        MET,
        False,
    )


def test_downgrade_unmeasured_and_excluded() -> None:
    opened = "2025-03-10T09:00:00+08:00"
    rows = _run(
        [
            # urgent requires an outage; without one it is measured as high (8 h in shanghai).
            ("downgraded", "b", "urgent", opened, None, False, None),
            # with the outage it stays urgent, which basic does not measure.
            ("unmeasured", "b", "urgent", opened, None, True, None),
            # measured, with an exclusion cause: excluded (the state is still computed).
            ("excluded", "b", "high", opened, "2025-03-12T09:00:00+08:00", False, "customer_caused"),
        ],
        as_of="2025-03-31T00:00:00Z",
    )
    assert rows["downgraded"][:2] == ("high", us("2025-03-10T18:00:00+08:00"))
    assert rows["unmeasured"] == (None, None, None, UNMEASURED, False, 0)
    assert rows["excluded"][3:5] == (BREACHED, True)


def test_tickets_outside_the_period_are_left_out() -> None:
    rows = _run(
        [("february", "b", "high", "2025-02-28T09:00:00+08:00", None, False, None)], as_of="2025-04-01T00:00:00Z"
    )
    assert rows == {}


@pytest.mark.parametrize("within", [0])
def test_a_target_of_no_open_time_is_due_at_the_next_opening(within: int) -> None:
    import json

    from slac.runtime.policy import Policy

    raw = json.loads(zones_policy_text())
    basic = next(t for t in raw["tiers"] if t["id"] == "basic")
    next(r for r in basic["responses"] if r["priority"] == "high")["within_seconds"] = within
    policy = Policy(raw)
    per = Period.month(policy, "2025-03")
    con = duckdb.connect()
    opened = [us("2025-03-10T10:00:00+08:00"), us("2025-03-10T12:30:00+08:00"), us("2025-03-10T13:00:00+08:00")]
    con.register(
        "customers", pa.table({"customer": ["b"], "tier": ["basic"], "fee": pa.array([1], pa.decimal128(38, 9))})
    )
    con.register(
        "tickets",
        pa.table(
            {
                "row": [0, 1, 2], "id": ["open", "lunch", "at_opening"], "customer": ["b"] * 3, "priority": ["high"] * 3,
                "opened": opened, "responded": pa.array([None] * 3, pa.int64()), "outage": [False] * 3,
                "cause": pa.array([None] * 3, pa.string()), "resolved": pa.array([None] * 3, pa.int64()),
            }
        ),
    )  # fmt: skip
    con.register("params", pa.table({"period_start": [per.start], "period_end": [per.end], "as_of": [per.end]}))
    con.register("calendar_open", calendar_table(policy, per.start, per.end))
    got = {r[0]: r[3] for r in con.sql(ticket_results_sql(policy)).fetchall()}
    # Open at 10:00: due at once; at lunch (12:00–13:00 closed): due at 13:00; at 13:00: due then.
    assert got == {0: opened[0], 1: us("2025-03-10T13:00:00+08:00"), 2: opened[2]}
    assert got == {k: policy.calendars["shanghai"].deadline(o, 0) for k, o in enumerate(opened)}
