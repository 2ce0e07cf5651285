"""Issue 12: `slac evaluate --format csv` has the ticket-clock columns a finance team reconciles the
per-miss credits with: per customer the missed resolutions and updates, the tickets behind them,
the amount of each and the credit they earn (before the cap). Expected values computed by hand.

Rules used (README *Ticket clocks*): one missed resolution per cycle past its target; an update gap
that used L of clock time against an interval D misses ceil(L / D) − 1 updates, the first gap from
the first response. The calendar is open around the clock in UTC: clock time is wall time.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from slac.cli import main
from slac.render.report import CSV_COLUMNS
from slac.render.report_tickets import CLOCK_COLUMNS
from slac.render.report_v2 import CSV_COLUMNS_V2

from .hand_contracts import header

V1 = (
    "\n"
    + header("k", 'en "K"')
    + """  calendar always {
    hours mon-sun 00:00-24:00
  }
  priority p1 { name en "P1" }
  tier basic { name en "B"
    uptime 99%
    respond p1 within 1h during always
    resolve p1 within 4h during always }
  tier t { name en "T"
    uptime 99.9%
    respond p1 within 1h during always
    update  p1 every 1h during always
    resolve p1 within 4h during always }
  credit late_resolution { per missed resolution 5% of monthly_fee }
  credit late_update { applies t
    per missed update 10 USD }
  credit late_update_extra { applies t
    per missed update 2.5 USD }
}
"""
)

# acme (t, fee 1000): a1 opened 10:00, responded 10:30, resolved 16:00: 6 h > 4 h, 1 missed resolution;
#   one gap 10:30 → 16:00 = 5.5 h: ceil(5.5) − 1 = 5 missed updates.
#   a2 opened 10:00, responded 10:30, updated 11:30, resolved 12:00 (cycle 1: 2 h, met), reopened
#   (status:open) at 13:00, resolved again at 18:00: cycle 2 took 5 h > 4 h, 1 missed resolution; gaps
#   10:30 → 11:30 (1 h: 0), 11:30 → 12:00 (0), 13:00 → 18:00 (5 h: ceil(5) − 1 = 4 missed updates).
#   Missed resolutions 2 (tickets a1, a2) × 5 % of 1000 = 50 → 100.00; missed updates 5 + 4 = 9 on 2
#   tickets: 9 × 10 = 90.00 and 9 × 2.50 = 22.50, together 112.50.
# bravo (basic, fee 400, no update target): b1 opened 10:00, responded 10:20, resolved 15:00: 5 h,
#   1 missed resolution: 5 % of 400 = 20.00. The update credits do not apply to its tier.
# carol (t, fee 2000): c1 resolved in 3 h, updated on the hour: nothing missed, no per-miss line.
TICKETS = (
    "id,customer,priority,opened_at,responded_at,resolved_at\n"
    "a1,acme,p1,2026-03-10T10:00:00Z,2026-03-10T10:30:00Z,2026-03-10T16:00:00Z\n"
    "a2,acme,p1,2026-03-11T10:00:00Z,2026-03-11T10:30:00Z,2026-03-11T18:00:00Z\n"
    "b1,bravo,p1,2026-03-10T10:00:00Z,2026-03-10T10:20:00Z,2026-03-10T15:00:00Z\n"
    "c1,carol,p1,2026-03-12T10:00:00Z,2026-03-12T10:30:00Z,2026-03-12T13:00:00Z\n"
)
EVENTS = (
    "ticket,at,event\n"
    "a2,2026-03-11T11:30:00Z,update\n"
    "a2,2026-03-11T12:00:00Z,status:resolved\n"
    "a2,2026-03-11T13:00:00Z,status:open\n"
    "c1,2026-03-12T11:30:00Z,update\n"
    "c1,2026-03-12T12:30:00Z,update\n"
)


def _write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _csv(tmp: Path, sla: str, customers: str, period: str, tickets: str = TICKETS, events: str = EVENTS) -> list:
    args = [
        "evaluate", _write(tmp, "k.sla", sla), "--period", period, "--format", "csv",
        "--customers", _write(tmp, "customers.csv", customers), "--tickets", _write(tmp, "tickets.csv", tickets),
        "--incidents", _write(tmp, "incidents.csv", "id,start,end,customers\n"),
        "--ticket-events", _write(tmp, "events.csv", events),
    ]  # fmt: skip
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    return list(csv.DictReader(io.StringIO(out.stdout)))


def test_v1_csv_has_the_clock_columns(tmp_path: Path) -> None:
    rows = _csv(tmp_path, V1, "customer,tier,monthly_fee\nacme,t,1000\nbravo,basic,400\ncarol,t,2000\n", "2026-03")
    assert tuple(rows[0]) == CSV_COLUMNS + CLOCK_COLUMNS
    got = {r["customer"]: tuple(r[k] for k in CLOCK_COLUMNS) for r in rows}
    assert got["acme"] == ("2", "2", "50.00", "100.00", "9", "2", "10.00;2.50", "112.50")
    # bravo's tier has no update target: 0 missed, and no update credit applies to it.
    assert got["bravo"] == ("1", "1", "20.00", "20.00", "0", "0", "", "")
    assert got["carol"] == ("0", "0", "", "", "0", "0", "", "")
    # The columns reconcile with the total: no cap, no uptime credit: 100 + 112.50 = 212.50.
    assert {r["customer"]: r["total"] for r in rows} == {"acme": "212.50", "bravo": "20.00", "carol": "0.00"}


def test_a_report_without_clock_targets_keeps_its_columns(tmp_path: Path) -> None:
    plain = V1.replace("    update  p1 every 1h during always\n", "")
    plain = plain.replace("    resolve p1 within 4h during always }", "}")
    plain = plain.split("  credit late_resolution")[0] + "}\n"
    customers = "customer,tier,monthly_fee\nacme,t,1000\nbravo,basic,400\ncarol,t,2000\n"
    rows = _csv(tmp_path, plain, customers, "2026-03")
    assert tuple(rows[0]) == CSV_COLUMNS


V2 = (
    "\n"
    + header("q", 'en "Q"', billing="quarterly")
    + """  availability { window calendar quarter }
  calendar always {
    hours mon-sun 00:00-24:00
  }
  priority p1 { name en "P1" }
  tier t { name en "T"
    uptime 99.9%
    respond p1 within 1h during always
    update  p1 every 2h during always
    resolve p1 within 8h during always }
  credit late_resolution { per missed resolution 1 service_day }
  credit late_update { per missed update 50 USD }
  cap 400 USD per quarter
}
"""
)


def test_v2_csv_has_the_clock_columns_on_each_scope_row(tmp_path: Path) -> None:
    # Fee 9000 per quarter, Q1 has 90 days: 1 service_day = 100 USD.
    # a1 opened 01-15 00:00, responded 00:30, resolved 12:00: 12 h > 8 h, 1 missed resolution (100);
    # one gap 00:30 → 12:00 = 11.5 h against 2 h: ceil(5.75) − 1 = 5 missed updates (5 × 50 = 250).
    # Together 350, under the cap of 400.
    tickets = (
        "id,customer,priority,opened_at,responded_at,resolved_at\n"
        "a1,acme,p1,2026-01-15T00:00:00Z,2026-01-15T00:30:00Z,2026-01-15T12:00:00Z\n"
    )
    rows = _csv(tmp_path, V2, "customer,tier,fee\nacme,t,9000\n", "2026-Q1", tickets, "ticket,at,event\n")
    assert tuple(rows[0]) == CSV_COLUMNS_V2 + CLOCK_COLUMNS
    (row,) = rows
    assert tuple(row[k] for k in CLOCK_COLUMNS) == ("1", "1", "100.00", "100.00", "5", "1", "50.00", "250.00")
    assert row["total"] == "350.00"
