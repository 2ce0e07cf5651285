"""Issue 12: a cap over a longer span than the window counts the earlier windows' missed resolutions
and missed updates (their per-miss credits), not only their late responses. Hand-computed.

Rules used below (README *Ticket clocks*): a resolution target is missed when the clock passes it
before the resolution (one per cycle); an update gap that used L of clock time against an interval
D misses ceil(L / D) − 1 updates; the first gap starts at the first response. All calendars are
around the clock in UTC, so clock time is wall time.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from slac.cli import main
from slac.driver import compile_policy
from slac.runtime import load_policy
from slac.runtime.examples import run_examples

from .hand_contracts import header

MONTHLY = (
    "\n"
    + header("k", 'en "K"')
    + """  calendar always {
    hours mon-sun 00:00-24:00
  }
  priority p1 { name en "P1" }
  tier t { name en "T"
    respond p1 within 1h during always
    update  p1 every 1h during always
    resolve p1 within 4h during always }
  ticket clock {
    pause when status pending_customer
  }
  credit late_resolution { per missed resolution 100 USD }
  credit late_update { per missed update 30 USD }
  cap 550 USD per quarter
  $EXAMPLES
}
"""
)


def run(source: str) -> list:
    return run_examples(load_policy(compile_policy(source, file="t.sla")))


# January: opened 10:00, responded 10:30, resolved 16:00. Resolution 6 h > 4 h: 1 missed resolution
# (100 USD). One update gap 10:30 → 16:00 = 5.5 h against 1 h: ceil(5.5) − 1 = 5 missed updates
# (5 × 30 = 150 USD). January owes 250 USD (300 of the quarter's 550 left).
JANUARY = "ticket p1 opened 2026-01-10T10:00Z responded 2026-01-10T10:30Z resolved 2026-01-10T16:00Z"
# February: opened 10:00, responded 10:30, updated 11:30, resolved 13:00. Resolution 3 h ≤ 4 h: met.
# Gaps 10:30 → 11:30 = 1 h (ceil(1) − 1 = 0) and 11:30 → 13:00 = 1.5 h (ceil(1.5) − 1 = 1): 30 USD.
# And opened 10:00, responded 10:10, resolved 15:00: 5 h > 4 h, 1 missed resolution (100 USD); one
# gap 10:10 → 15:00 = 4 h 50 min: ceil(4.83) − 1 = 4 missed updates (120 USD).
# February owes 30 + 100 + 120 = 250 USD (limited to the 300 left: all of it; 50 left).
FEBRUARY = (
    "ticket p1 opened 2026-02-10T10:00Z responded 2026-02-10T10:30Z updated 2026-02-10T11:30Z "
    "resolved 2026-02-10T13:00Z\n"
    "    ticket p1 opened 2026-02-11T10:00Z responded 2026-02-11T10:10Z resolved 2026-02-11T15:00Z"
)
# March: opened 10:00, responded 10:30, updated every hour up to 14:30 (gaps of exactly 1 h: none
# missed; the last, 14:30 → 15:00, 30 min), resolved 15:00: 5 h > 4 h, 1 missed resolution, 100 USD.
MARCH = (
    "ticket p1 opened 2026-03-10T10:00Z responded 2026-03-10T10:30Z updated 2026-03-10T11:30Z "
    "updated 2026-03-10T12:30Z updated 2026-03-10T13:30Z updated 2026-03-10T14:30Z resolved 2026-03-10T15:00Z"
)


def _example(period: str, *tickets: str, expect: str) -> str:
    body = "\n    ".join(tickets)
    return f"""
  example "earlier months' missed resolutions and updates count against the quarter" {{
    tier t
    fee 1000 USD
    period {period}
    {body}
    {expect}
  }}
"""


def test_march_owes_only_what_january_and_february_left() -> None:
    # 550 − (250 + 250) = 50 USD left for March, which earns 100 USD: 50 USD owed. Counting only the
    # earlier months' late responses (none: every response within 1 h) would have left 550 − 0 = 550
    # and March would owe its whole 100.
    source = MONTHLY.replace(
        "$EXAMPLES",
        _example("2026-03", JANUARY, FEBRUARY, MARCH, expect="expect missed resolutions 1\n    expect credit 50 USD"),
    )
    (result,) = run(source)
    assert result.ok, result.checks
    cap = result.report["cap"]
    assert cap["windows_before"] == ["2026-01", "2026-02"]
    assert (cap["limit"], cap["used_before"], cap["remaining"], cap["applied"]) == ("550.00", "500.00", "50.00", True)
    assert result.report["total"] == "50.00"
    # March's own lines are untouched by the history: 1 missed resolution × 100 USD, no missed update.
    lines = {x["credit"]: x for x in result.report["credits"]}
    assert (lines["late_resolution"]["count"], lines["late_resolution"]["amount"]) == (1, "100.00")
    assert "late_update" not in lines


def test_february_alone_is_limited_by_january() -> None:
    # February's 250 USD (above) after January's 250: 550 − 250 = 300 left, not reached: 250 owed.
    source = MONTHLY.replace(
        "$EXAMPLES", _example("2026-02", JANUARY, FEBRUARY, expect="expect missed updates 5\n    expect credit 250 USD")
    )
    (result,) = run(source)
    assert result.ok, result.checks
    assert (result.report["cap"]["used_before"], result.report["cap"]["remaining"]) == ("250.00", "300.00")


def test_a_cap_that_january_alone_reaches() -> None:
    # Cap 200 USD: January owes min(250, 200) = 200 (its own cap), nothing is left for February,
    # whose 250 USD is limited to 200 − 200 = 0.
    source = MONTHLY.replace("cap 550 USD", "cap 200 USD").replace(
        "$EXAMPLES", _example("2026-02", JANUARY, FEBRUARY, expect="expect credit 0 USD")
    )
    (result,) = run(source)
    assert result.ok, result.checks
    assert (result.report["cap"]["used_before"], result.report["cap"]["remaining"]) == ("200.00", "0.00")


def test_a_pause_in_an_earlier_month_is_counted_there() -> None:
    # January, as JANUARY but pending_customer from 11:00 to 13:00: the resolution clock shows
    # 6 h − 2 h = 4 h at 16:00, met. The update gap 10:30 → 16:00 stops counting in the pause:
    # 30 min + 3 h = 3.5 h: ceil(3.5) − 1 = 3 missed updates, 90 USD. January owes 90 (460 left);
    # February 250 (210 left); March's 100 is under it: 100 owed.
    paused = JANUARY.replace("resolved", "paused 2026-01-10T11:00Z for 2h resolved")
    source = MONTHLY.replace("$EXAMPLES", _example("2026-03", paused, FEBRUARY, MARCH, expect="expect credit 100 USD"))
    (result,) = run(source)
    assert result.ok, result.checks
    assert (result.report["cap"]["used_before"], result.report["cap"]["remaining"]) == ("340.00", "210.00")


QUARTERLY = (
    "\n"
    + header("q", 'en "Q"', billing="quarterly")
    + """  availability { window calendar quarter }
  calendar always {
    hours mon-sun 00:00-24:00
  }
  priority p1 { name en "P1" }
  tier t { name en "T"
    respond p1 within 1h during always
    update  p1 every 2h during always
    resolve p1 within 8h during always }
  credit late_resolution { per missed resolution 1 service_day }
  credit late_update { per missed update 50 USD }
  cap 400 USD per year
}
"""
)


def _write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_yearly_cap_over_quarterly_windows_from_event_files(tmp_path: Path) -> None:
    # Fee 9000 USD per quarter. 1 service_day = fee / days of the quarter.
    # Q1 (90 days): a1 opened 01-15 00:00, responded 00:30, resolved 12:00: 12 h > 8 h, 1 missed
    #   resolution = 9000 / 90 = 100 USD; one gap 00:30 → 12:00 = 11.5 h against 2 h: ceil(5.75) − 1 = 5
    #   missed updates = 250 USD. Q1 owes 350 (50 of the year's 400 left).
    # Q2 (91 days): b1 opened 04-15 00:00, responded 00:30, updates at 02:30, 04:30, 06:30 (gaps of
    #   exactly 2 h), resolved 07:00: met, nothing missed; then status:open at 09:00 reopens it (cycle 2
    #   from 09:00), still unresolved at the end of Q3: cycle 2 misses its resolution (1 × 9000 / 91 =
    #   98.901… USD) and its one open gap, 09:00 → the end of Q3, misses far more than one update.
    #   Q2 owes min(98.90 + ..., 50 left) = 50: the year's cap is used up.
    # Q3 (92 days): c1 opened 07-15 00:00, responded 00:30, resolved 12:00: 1 missed resolution
    #   (9000 / 92 = 97.83) and 5 missed updates (250): 347.83 USD, of which 400 − 400 = 0 is owed.
    #   b1's cycle-2 misses count in Q2, the period b1 was opened in, never in Q3.
    sla = _write(tmp_path, "q.sla", QUARTERLY)
    customers = _write(tmp_path, "customers.csv", "customer,tier,fee\nacme,t,9000\nbravo,t,9000\n")
    tickets = _write(
        tmp_path,
        "tickets.csv",
        "id,customer,priority,opened_at,responded_at,resolved_at\n"
        "a1,acme,p1,2026-01-15T00:00:00Z,2026-01-15T00:30:00Z,2026-01-15T12:00:00Z\n"
        "b1,acme,p1,2026-04-15T00:00:00Z,2026-04-15T00:30:00Z,\n"
        "c1,acme,p1,2026-07-15T00:00:00Z,2026-07-15T00:30:00Z,2026-07-15T12:00:00Z\n"
        "z1,bravo,p1,2026-07-15T00:00:00Z,2026-07-15T00:30:00Z,2026-07-15T12:00:00Z\n",
    )
    events = _write(
        tmp_path,
        "events.csv",
        "ticket,at,event\n"
        "b1,2026-04-15T02:30:00Z,update\n"
        "b1,2026-04-15T04:30:00Z,update\n"
        "b1,2026-04-15T06:30:00Z,update\n"
        "b1,2026-04-15T07:00:00Z,status:resolved\n"
        "b1,2026-04-15T09:00:00Z,status:open\n",
    )
    incidents = _write(tmp_path, "incidents.csv", "id,start,end,customers\n")
    args = [
        "evaluate",
        sla,
        "--period",
        "2026-Q3",
        "--customers",
        customers,
        "--tickets",
        tickets,
        "--incidents",
        incidents,
    ]
    out = CliRunner().invoke(main, [*args, "--ticket-events", events])
    assert out.exit_code == 0, out.output
    report = {c["customer"]: c for c in json.loads(out.stdout)["customers"]}
    acme = report["acme"]
    assert acme["cap"]["windows_before"] == ["2026-Q1", "2026-Q2"]
    assert (acme["cap"]["used_before"], acme["cap"]["remaining"], acme["total"]) == ("400.00", "0.00", "0.00")
    # Q3's own misses: c1's resolution (97.83) and 5 updates (250); b1 is Q2's.
    assert [m["id"] for m in acme["missed_resolutions"]] == ["c1"]
    assert [(u["id"], u["count"]) for u in acme["missed_updates"]] == [("c1", 5)]
    # A v2 credit line shows its exact amount to 12 places: 9000 / 92 = 97.826086956521739…
    lines = {x["credit"]: x["amount"] for x in acme["credits"]}
    assert lines == {"late_resolution": "97.826086956522", "late_update": "250.00"}
    # bravo has no earlier quarters: its 347.83 is under the year's 400.
    assert (report["bravo"]["cap"]["used_before"], report["bravo"]["total"]) == ("0.00", "347.83")


def test_the_same_quarter_without_the_reopening(tmp_path: Path) -> None:
    # As above without b1's reopening: b1 misses nothing, so Q2 owes 0 and the year has 400 − 350 = 50
    # left for Q3, whose 347.83 is limited to 50.
    sla = _write(tmp_path, "q.sla", QUARTERLY)
    customers = _write(tmp_path, "customers.csv", "customer,tier,fee\nacme,t,9000\n")
    tickets = _write(
        tmp_path,
        "tickets.csv",
        "id,customer,priority,opened_at,responded_at,resolved_at\n"
        "a1,acme,p1,2026-01-15T00:00:00Z,2026-01-15T00:30:00Z,2026-01-15T12:00:00Z\n"
        "b1,acme,p1,2026-04-15T00:00:00Z,2026-04-15T00:30:00Z,2026-04-15T07:00:00Z\n"
        "c1,acme,p1,2026-07-15T00:00:00Z,2026-07-15T00:30:00Z,2026-07-15T12:00:00Z\n",
    )
    events = _write(
        tmp_path,
        "events.csv",
        "ticket,at,event\n"
        "b1,2026-04-15T02:30:00Z,update\n"
        "b1,2026-04-15T04:30:00Z,update\n"
        "b1,2026-04-15T06:30:00Z,update\n",
    )
    incidents = _write(tmp_path, "incidents.csv", "id,start,end,customers\n")
    args = [
        "evaluate",
        sla,
        "--period",
        "2026-Q3",
        "--customers",
        customers,
        "--tickets",
        tickets,
        "--incidents",
        incidents,
    ]
    out = CliRunner().invoke(main, [*args, "--ticket-events", events])
    assert out.exit_code == 0, out.output
    (acme,) = json.loads(out.stdout)["customers"]
    assert (acme["cap"]["used_before"], acme["cap"]["remaining"], acme["total"]) == ("350.00", "50.00", "50.00")
