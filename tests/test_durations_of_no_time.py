"""A length that must let time pass (a target, an update interval, a live session, a claim period, a probe
interval) of no time, and an error-rate interval under a minute, are E0225 at the length (`checks/durations.py`),
not an evaluator that counts a missed update at every microsecond (an `update p1 every 0 business_days` took
12 GB and never ended) or a Python message from the examples (`range() arg 3 must not be zero`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slac.driver import compile_source

from .conftest import ROOT


def source(name: str) -> str:
    return (ROOT / "contracts" / name).read_text(encoding="utf-8")


CASES = [
    ("harbor-desk.sla", "respond p1 within 30min", "respond p1 within 0min", "0min"),
    (
        "harbor-desk.sla",
        "respond p2 within 4h    during office",
        "respond p2 within 0 business_days during office",
        "0",
    ),
    ("harbor-desk.sla", "resolve p1 within 4h ", "resolve p1 within 0h ", "0h"),
    ("harbor-desk.sla", "resolve p2 within 18h ", "resolve p2 within 0 business_day ", "0"),
    ("harbor-desk.sla", "update  p1 every 1h ", "update  p1 every 0min ", "0min"),
    ("harbor-desk.sla", "update  p1 every 1h ", "update  p1 every 0 business_days ", "0"),
    ("harbor-desk.sla", "claim within 30d", "claim within 0d", "0d"),
    ("websoft9.sla", "live max 20min per session", "live max 0s per session", "0s"),
    ("nimbus-cloud.sla", "monitor     every 1min", "monitor     every 0ms", "0ms"),
    ("nimbus-cloud.sla", "error_rate above 5% per 5min", "error_rate above 5% per 0min", "0min"),
    ("nimbus-cloud.sla", "error_rate above 5% per 5min", "error_rate above 5% per 59s999ms", "59s999ms"),
]


@pytest.mark.parametrize(("name", "written", "wrong", "at"), CASES)
def test_no_time_is_named_at_the_length(name: str, written: str, wrong: str, at: str) -> None:
    text = source(name)
    assert text.count(written) == 1
    text = text.replace(written, wrong)
    start = text.index(wrong) + wrong.index(at, len(wrong.split()[0]) + len(wrong.split()[1]))
    line = text[:start].count("\n") + 1
    column = start - text.rfind("\n", 0, start)
    compiled = compile_source(text, file=name)
    assert compiled.policy is None
    errors = [(d.code, d.span.line, d.span.column) for d in compiled.diagnostics if d.severity == "error"]
    assert errors == [("E0225", line, column)]


@pytest.mark.parametrize(
    ("name", "written", "allowed"),
    [
        ("harbor-desk.sla", "respond p1 within 30min", "respond p1 within 1ms"),
        ("nimbus-cloud.sla", "error_rate above 5% per 5min", "error_rate above 5% per 1min"),
        ("nimbus-cloud.sla", "monitor     every 1min", "monitor     every 1s"),
    ],
)
def test_the_shortest_lengths_pass_the_check(name: str, written: str, allowed: str) -> None:
    text = source(name).replace(written, allowed)
    codes = {d.code for d in compile_source(text, file=name, examples=False).diagnostics}
    assert "E0225" not in codes


def test_an_update_interval_of_a_millisecond_counts_its_misses_without_listing_each(tmp_path: Path) -> None:
    """The shortest interval E0225 allows: tens of millions of missed updates are a count per update gap in
    the scoped report's assembly (`scoped_report._misses`), not a list of one ticket id per miss (an update
    gap of a month took 12 GB). Expected by hand (tests/test_tickets_csv.py's v2 month, without its cap):
    a1's one gap 00:30 → 12:00 is 41,400,000 ms: ceil(41,400,000) − 1 = 41,399,999 missed updates, × 50 USD
    = 2,069,999,950.00; with the missed resolution (1 service_day = 100.00) the total is 2,070,000,050.00."""
    import tracemalloc

    from .test_tickets_csv import V2, _csv

    sla = V2.replace("update  p1 every 2h during always", "update  p1 every 1ms during always")
    sla = sla.replace("  cap 400 USD per quarter\n", "")
    tickets = (
        "id,customer,priority,opened_at,responded_at,resolved_at\n"
        "a1,acme,p1,2026-01-15T00:00:00Z,2026-01-15T00:30:00Z,2026-01-15T12:00:00Z\n"
    )
    tracemalloc.start()
    try:
        (row,) = _csv(tmp_path, sla, "customer,tier,fee\nacme,t,9000\n", "2026-Q1", tickets, "ticket,at,event\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (row["missed_updates"], row["missed_update_credit"], row["total"]) == (
        "41399999",
        "2069999950.00",
        "2070000050.00",
    )
    assert peak < 100 * 1024**2, peak  # a list of an id per miss alone is 330 MB


@pytest.mark.parametrize(
    ("name", "edits", "at", "words"),
    [
        # Always open: 5000 days of open time is 5000 days.
        ("websoft9.sla", [("respond normal within 12h", "respond normal within 5000d")], "5000d", "about 5,000 days"),
        # One minute a week: 12 h of open time is 720 weeks, 5,040 days.
        ("websoft9.sla", [("hours mon-sun 00:00-24:00", "hours mon 23:59-24:00")], "12h", "about 5,040 days"),
        # 3000 business days on 5 days a week: 4,200 days.
        ("harbor-desk.sla", [("resolve p2 within 18h ", "resolve p2 within 3000 business_days ")], "3000", "4,200"),
    ],
)
def test_a_target_beyond_the_evaluators_reach_is_named_at_the_target(
    name: str, edits: list[tuple[str, str]], at: str, words: str
) -> None:
    """Not a contract that passes `slac check` and then fails every evaluation with 'the deadline of a ticket
    … falls after …, more than 3,660 days later' (found by a tester)."""
    text = source(name)
    for old, new in edits:
        assert text.count(old) == 1
        text = text.replace(old, new)
    found = [d for d in compile_source(text, file=name, examples=False).diagnostics if d.code == "E0227"]
    assert found and all(d.severity == "error" for d in found)
    assert words in found[0].message
    start = text.index(at, text.index("within", text.index("tier ")))
    assert (found[0].span.line, found[0].span.column) == (
        text[:start].count("\n") + 1,
        start - text.rfind("\n", 0, start),
    )


def test_ten_years_of_open_time_is_within_reach() -> None:
    text = source("websoft9.sla").replace("respond normal within 12h", "respond normal within 3650d")
    assert "E0227" not in {d.code for d in compile_source(text, file="websoft9.sla", examples=False).diagnostics}


def test_an_example_request_line_past_its_window_is_cut_at_the_window() -> None:
    """`requests … for 36600d` in a month's example made a row per 5-minute interval for a century (10.5M rows,
    2 GB, 12 s; found by a tester). Rows after the window change nothing, so they are not made. By hand: down
    from May 10 08:00 to the end of May is 31,200 of the month's 44,640 minutes: 13,440 / 44,640 = 30.11 % up."""
    import tracemalloc

    text = source("nimbus-cloud.sla")
    line = "from 2026-05-10T08:00Z for 60min failing 8%"
    assert text.count(line) == 1
    tracemalloc.start()
    try:
        compiled = compile_source(text.replace(line, "from 2026-05-10T08:00Z for 36600d failing 8%"), file="n.sla")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    messages = [d.message for d in compiled.diagnostics if d.code == "E0712"]
    assert any("expects uptime 99.87%, but the evaluator computes 30.11%" in m for m in messages), messages
    assert peak < 300 * 1024**2, peak
