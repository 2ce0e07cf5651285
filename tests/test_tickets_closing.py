"""Changed (issue 12): a target is decided by the open time elapsed, so a deadline at a closing is met
by a response before the next opening; the report still shows the closing as the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from slac.runtime import Policy
from slac.runtime.evaluate import evaluate

from .runtime_fixtures import compile_text, make_events

MINI = """sla mini {
  title     en "Mini"
  version   "1"
  effective 2026-01-01
  languages en
  timezone  "UTC"
  currency  USD
  billing   monthly

  calendar office {
    hours mon-fri 09:00-17:00
  }
  priority p1 { name en "P1" }
  tier basic {
    name en "Basic"
    uptime 99.9%
    respond p1 within 1h during office
  }
  credit late {
    per missed response 10 USD
  }
}
"""


@pytest.fixture(scope="module")
def mini() -> Policy:
    return Policy(compile_text(MINI))


def _at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


# Opened Tue 2026-03-03 16:00: 1 h of open time ends at the 17:00 closing. No open time passes
# until Wed 09:00, so 17:30 and 09:00 used exactly 1 h (met); 09:01 used 1 h 1 min (breached).
CASES = [
    (_at(3, 17, 30), "met"),
    (_at(4, 9, 0), "met"),
    (_at(4, 9, 1), "breached"),
    (_at(3, 17, 0), "met"),
    (_at(4, 9, 0, 1), "breached"),
]


@pytest.mark.parametrize(("responded", "state"), CASES)
def test_ticket_status_decides_by_open_time(mini: Policy, responded: datetime, state: str) -> None:
    status = mini.ticket_status("basic", "p1", _at(3, 16), responded)
    assert status.state == state
    assert status.deadline == _at(3, 17)


def test_report_shows_the_closing_and_counts_by_open_time(mini: Policy) -> None:
    rows: list[Any] = [(f"t{k}", "a", "p1", _at(3, 16).isoformat(), r.isoformat()) for k, (r, _) in enumerate(CASES)]
    events = make_events([("a", "basic", "100")], tickets=rows)
    entry = evaluate(mini, events, period="2026-03")["customers"][0]
    assert [b["id"] for b in entry["breaches"]] == ["t2", "t4"]
    assert {b["deadline"] for b in entry["breaches"]} == {"2026-03-03T17:00:00+00:00"}
    # Lateness stays wall-clock time past the deadline: 09:01 − 17:00 the day before = 16 h 1 min.
    assert entry["breaches"][0]["lateness_seconds"] == 16 * 3600 + 60
    assert entry["total"] == "20.00"  # 2 missed responses × 10 USD


def test_unanswered_ticket_is_open_until_open_time_passes(mini: Policy) -> None:
    opened = _at(3, 16)
    # At Wed 09:00 exactly 1 h of open time has passed: still open, nothing left; a second later breached.
    at_nine = mini.ticket_status("basic", "p1", opened, as_of=_at(4, 9))
    assert at_nine.state == "open" and at_nine.time_left == timedelta(0)
    assert mini.ticket_status("basic", "p1", opened, as_of=_at(4, 9, 0, 1)).state == "breached"
    rows: list[Any] = [("t", "a", "p1", opened.isoformat(), None)]
    events = make_events([("a", "basic", "100")], tickets=rows)
    tickets = evaluate(mini, events, period="2026-03", as_of=_at(4, 9))["customers"][0]["tickets"]
    assert (tickets["open"], tickets["breached"]) == (1, 0)
    tickets = evaluate(mini, events, period="2026-03", as_of=_at(4, 9, 0, 1))["customers"][0]["tickets"]
    assert (tickets["open"], tickets["breached"]) == (0, 1)
