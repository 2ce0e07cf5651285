"""`slac evaluate --ticket-events FILE` and `resolved_at` (issue 12): the report's missed resolutions and
updates, `--as-of` lists at-risk open tickets, and bad rows name file, row and column with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from slac.cli import main

from .conftest import ROOT
from .tickets_fixtures import harbor_text

CUSTOMERS = "customer,tier,fee\nacme,business,9100\n"
# Business tier. T1 p2 (office, resolve 18 h): opened Tue 04-07 10:00, paused Wed 09:00 → Thu 09:00,
# resolved Fri 10:00: 8 h + 9 h + 1 h = 18 h (met). T2 p2 the same without the pause: 8 + 9 + 9 + 1
# = 27 h (missed). T3 p1 with an outage (always: respond 30 min, update 1 h, resolve 4 h), opened
# 05-20 09:00, responded 09:10, still open.
TICKETS = (
    "id,customer,priority,opened_at,responded_at,outage,resolved_at\n"
    "T1,acme,p2,2026-04-07T10:00+08:00,2026-04-07T10:30+08:00,false,2026-04-10T10:00+08:00\n"
    "T2,acme,p2,2026-04-07T10:00+08:00,2026-04-07T10:30+08:00,false,2026-04-10T10:00+08:00\n"
    "T3,acme,p1,2026-05-20T09:00+08:00,2026-05-20T09:10+08:00,true,\n"
)
EVENTS = (
    "ticket,at,event\n"
    "T1,2026-04-08T09:00+08:00,status:pending_customer\n"
    "T1,2026-04-09T09:00+08:00,status:open\n"
    "T3,2026-05-20T10:00+08:00,update\n"
)
INCIDENTS = "id,start,end\n"


def _valid_customer(entry: dict) -> None:
    """The issue-12 keys of a customer entry against the report schema (missed resolutions, updates, at risk).

    (The whole v2 entry is not: the report schema does not describe v2 quarters and caps yet.)"""
    import jsonschema

    schema = json.loads((ROOT / "compiler" / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    for key in ("missed_resolutions", "missed_updates", "at_risk"):
        sub = {"$defs": schema["$defs"], **schema["$defs"]["customer"]["properties"][key]}
        jsonschema.Draft202012Validator(sub).validate(entry[key])


def _files(tmp_path: Path, events: str = EVENTS) -> dict[str, Path]:
    out = {}
    for name, text in (("policy.json", harbor_text()), ("customers.csv", CUSTOMERS), ("tickets.csv", TICKETS),
                       ("events.csv", events), ("incidents.csv", INCIDENTS)):  # fmt: skip
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


def _run(f: dict[str, Path], *extra: str) -> tuple[int, str, str]:
    args = [
        "evaluate", str(f["policy.json"]), "--period", "2026-Q2", "--customers", str(f["customers.csv"]),
        "--tickets", str(f["tickets.csv"]), "--incidents", str(f["incidents.csv"]),
        "--ticket-events", str(f["events.csv"]), *extra,
    ]  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_report_counts_missed_resolutions_with_pauses(tmp_path: Path) -> None:
    code, out, err = _run(_files(tmp_path))
    assert code == 0, err
    report = json.loads(out)
    [entry] = report["customers"]
    _valid_customer(entry)
    assert [m["id"] for m in entry["missed_resolutions"]] == ["T2", "T3"]  # T3: unresolved at the quarter's end
    assert entry["credits"][0]["count"] == 2 and entry["total"] == "200.00"  # 2 × 1 service_day (9100 / 91)


def test_as_of_lists_at_risk_open_tickets(tmp_path: Path) -> None:
    # At 12:00 T3 has used 3 h of its 4 h resolution (75 %: at risk, 1 h left); its update gap 10:00 →
    # 12:00 used 2 h of 1 h (missed, not at risk).
    code, out, err = _run(_files(tmp_path), "--as-of", "2026-05-20T12:00+08:00")
    assert code == 0, err
    [entry] = json.loads(out)["customers"]
    _valid_customer(entry)
    assert entry["at_risk"] == [
        {"id": "T3", "target": "resolution", "deadline": "2026-05-20T13:00:00+08:00", "used_seconds": 10800,
         "left_seconds": 3600, "row": 4}
    ]  # fmt: skip
    assert "1 open ticket clock at risk at 2026-05-20T12:00:00+08:00" in err
    assert "T3: resolution due 2026-05-20T13:00:00+08:00 (60 min of open time left)" in err


@pytest.mark.parametrize(
    ("row", "column", "needle"),
    [
        ("T9,2026-04-08T09:00+08:00,update", "ticket", "not a ticket id"),
        ("T1,2026-04-07T09:00+08:00,update", "at", "before the ticket's opening"),
        ("T1,2026-04-11T09:00+08:00,status:open", "at", "after the ticket's resolution"),
        ("T1,2026-04-08T10:00+08:00,reply", "event", "not a ticket event"),
        ("T1,2026-04-08T10:00,update", "at", "offset"),
    ],
)
def test_bad_event_rows(tmp_path: Path, row: str, column: str, needle: str) -> None:
    f = _files(tmp_path, EVENTS + row + "\n")
    report = tmp_path / "report.json"
    code, _, err = _run(f, "-o", str(report))
    assert code == 2
    assert f"events.csv, line 5, column `{column}`" in err and needle in err, err
    assert not report.exists()


def test_parquet_events(tmp_path: Path) -> None:
    f = _files(tmp_path)
    lines = [line.split(",") for line in EVENTS.strip().split("\n")[1:]]
    table = pa.table({"ticket": [x[0] for x in lines], "at": [x[1] for x in lines], "event": [x[2] for x in lines]})
    pq.write_table(table, tmp_path / "events.parquet")
    f["events.csv"] = tmp_path / "events.parquet"
    code, out, err = _run(f)
    assert code == 0, err
    assert [m["id"] for m in json.loads(out)["customers"][0]["missed_resolutions"]] == ["T2", "T3"]


def test_markdown_lists_missed_resolutions_updates_and_at_risk(tmp_path: Path) -> None:
    code, out, err = _run(_files(tmp_path), "--format", "md", "--lang", "en", "--as-of", "2026-05-20T12:00+08:00")
    assert code == 0, err
    assert "### Missed resolutions" in out and "| T2 | 1 | 2026-04-07T10:00:00+08:00 |" in out
    # T3's update gap 10:00 → 12:00 used 2 h of clock time: the 11:00 update is missed (ceil(2) − 1 = 1).
    assert "- T3: 1 missed update (contract line 59)" in out
    assert (
        "### At risk at the evaluation time" in out and "| T3 | resolution | 2026-05-20T13:00:00+08:00 | 1 h |" in out
    )
    assert "missed resolution × 1 day of service; ticket T2" in out
    code, out, _ = _run(_files(tmp_path), "--format", "md", "--lang", "zh")
    assert "### 未按时解决" in out and "解决超时 2 次，每次 1 个服务日" in out
