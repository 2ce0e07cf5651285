"""`--engine duckdb` with ticket clocks: the clock queries (slac.plan.clocks_sql) give the numpy report byte for byte.

Random tickets with random status histories (tests/tickets_random.py): pauses, reopenings,
updates, resolutions, in calendars of three zones (Asia/Shanghai, Europe/Berlin,
America/New_York) over months with a DST change (March, October); the expected results are the
numpy runtime's (the reference implementation) and, independently, the scalar oracle's
(tests/oracle/reference_tickets.py).
"""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import slac
from slac.plan import results
from slac.plan.business_sql import business_days, business_updates
from slac.plan.duckdb_engine import assemble_report
from slac.plan.results import sql_ticket_results
from slac.runtime import Policy, load_policy
from slac.runtime.calendar import from_us
from slac.runtime.engines import evaluate_files
from slac.runtime.evaluate import BREACHED, MET, OPEN, Period, evaluate
from slac.runtime.events import MISSING, UPDATE

from .test_engine_duckdb import write_events
from .tickets_oracle import oracle_disagreements
from .tickets_random import random_clock_events, zones_clock_policy

DAY = 86_400_000_000
# Tickets per month of the oracle check (3 months); SLAC_CLOCK_SQL_TICKETS=34000 runs the 100k corpus.
PER_MONTH = int(os.environ.get("SLAC_CLOCK_SQL_TICKETS", "3400"))


KINDS = (("responses", "within_seconds"), ("resolutions", "within_seconds"), ("updates", "every_seconds"))


def in_open_time(raw: dict[str, Any], kinds: tuple[tuple[str, str], ...] = KINDS) -> dict[str, Any]:
    """zones_clock_policy with the business-day targets of `kinds` as 7 h of open time."""
    raw = copy.deepcopy(raw)
    for tier in raw["tiers"]:
        for key, seconds in kinds:
            for target in tier.get(key, []):
                if target.pop("business_days", None):
                    target[seconds] = 7 * 3600
    raw["content_hash"] = slac.policy.content_hash(raw)
    return raw


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False)


def sql_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the engine hands the ticket clocks back to the runtime: the SQL must measure them all."""

    def refuse(*args: Any) -> Any:
        raise AssertionError("the clock queries handed the tickets back to the runtime")

    monkeypatch.setattr(results, "runtime_ticket_results", refuse)


def _reports(policy: Policy, events: Any, period: str, as_of: int) -> tuple[str, str]:
    per = Period.month(policy, period)
    numpy = evaluate(policy, events, period=period, as_of=from_us(as_of, UTC))
    duck = assemble_report(policy, events, per, as_of, sql_ticket_results(policy, events, per, as_of))
    return _canonical(numpy), _canonical(duck)


@pytest.mark.parametrize(("period", "seed", "days_left"), [("2025-03", 1, 5), ("2025-10", 2, 12), ("2025-06", 3, 0)])
def test_the_clock_queries_give_the_numpy_report(
    monkeypatch: pytest.MonkeyPatch, period: str, seed: int, days_left: int
) -> None:
    sql_only(monkeypatch)
    policy = load_policy(in_open_time(zones_clock_policy()))
    events = random_clock_events(policy, period, seed=seed, tickets=2500)
    as_of = Period.month(policy, period).end - days_left * DAY
    numpy, duck = _reports(policy, events, period, as_of)
    assert duck == numpy
    found = json.loads(numpy)["customers"]
    # The histories reach every kind of entry: missed resolutions (reopened cycles too), updates, at risk.
    assert any(m["cycle"] > 1 for c in found for m in c["missed_resolutions"])
    assert sum(len(c["missed_updates"]) for c in found) > 0
    assert sum(len(c["at_risk"]) for c in found) > 0 or days_left == 0


@pytest.mark.parametrize(("period", "seed"), [("2025-03", 4), ("2025-10", 7)])
def test_business_day_responses_and_resolutions_in_sql_give_the_numpy_report(
    monkeypatch: pytest.MonkeyPatch, period: str, seed: int
) -> None:
    sql_only(monkeypatch)
    # Business days from each start in SQL (over calendar_days and calendar_zone), pauses and the rest too;
    # March and October: a business day across Berlin's and New York's DST changes.
    policy = load_policy(in_open_time(zones_clock_policy(), KINDS[2:]))
    assert business_days(policy)
    events = random_clock_events(policy, period, seed=seed, tickets=2500)
    numpy, duck = _reports(policy, events, period, Period.month(policy, period).end - 3 * DAY)
    assert duck == numpy


@pytest.mark.parametrize("calendars", ["values", "table"])
def test_slac_sql_counts_business_days_as_the_runtime(tmp_path: Path, calendars: str) -> None:
    """`slac sql` of a policy with response and resolution targets in business days: its script has
    calendar_days and calendar_zone (as VALUES, or read from `slac calendars --table` files), and its
    ticket_results are the runtime's clocks ticket by ticket (October: New York's and Berlin's DST ends)."""
    import duckdb
    from click.testing import CliRunner

    from slac.cli import main
    from slac.plan.dialects import statements
    from slac.plan.results import clock_relations, runtime_ticket_results

    raw = in_open_time(zones_clock_policy(), KINDS[2:])
    policy = load_policy(raw)
    (tmp_path / "policy.json").write_text(json.dumps(raw), encoding="utf-8")
    period, per = "2025-10", Period.month(policy, "2025-10")
    as_of = per.end - 3 * DAY
    events = random_clock_events(policy, period, seed=11, tickets=1500)
    when = from_us(as_of, UTC).isoformat()
    args = ["sql", str(tmp_path / "policy.json"), "--period", period, "--as-of", when, "--calendars", calendars]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    head = done.stdout.splitlines()[:4]
    assert "ticket_results" in head[2] and head[3].endswith("nothing"), head
    con = duckdb.connect()
    relations = clock_relations(policy, events, per, as_of)
    for name in ("customers", "tickets", "ticket_events"):
        con.register(name, relations[name])
    con.execute("CREATE TABLE incidents (row BIGINT, id VARCHAR, start BIGINT, \"end\" BIGINT, customer VARCHAR,"
                " cause VARCHAR, announced BIGINT, service VARCHAR, region VARCHAR);"
                "CREATE TABLE requests (service VARCHAR, region VARCHAR, start BIGINT, total BIGINT, failed BIGINT);"
                "CREATE TABLE charges (customer VARCHAR, service VARCHAR, region VARCHAR, amount DECIMAL(38,9))")  # fmt: skip
    if calendars == "table":
        assert head[1].endswith("calendar_open, calendar_days, calendar_zone"), head
        for table in ("calendar_open", "calendar_days", "calendar_zone"):
            out = tmp_path / f"{table}.parquet"
            args = ["calendars", str(tmp_path / "policy.json"), "--table", table, "-o", str(out)]
            made = CliRunner().invoke(main, [*args, "--from", "2025-10-01", "--to", "2025-10-31"])
            assert made.exit_code == 0, made.output
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{out}')")
            beyond = CliRunner().invoke(main, [*args, "--from", "2025-10-01", "--to", "2040-10-31"])
            assert beyond.exit_code == 2 and "is outside the years" in beyond.output, table  # as calendar_open
    else:
        assert "calendar_days, calendar_zone" in head[2], head
    for statement in statements(done.stdout, "duckdb"):
        con.execute(statement)
    rows = con.execute(
        'SELECT "row", state, deadline, missed_resolutions, missed_updates, known FROM ticket_results ORDER BY "row"'
    ).fetchall()
    want = runtime_ticket_results(policy, events, per, as_of)
    clocks = want.clocks
    assert clocks is not None
    expected = list(zip(want.index.tolist(), want.state.tolist(), want.deadline.tolist(),
                        clocks.missed_resolutions.tolist(), clocks.missed_updates.tolist(), strict=True))  # fmt: skip
    got = [(r, s, MISSING if d is None else d, m, u) for r, s, d, m, u, known in rows if known]
    assert len(got) == len(rows) > 1000 and got == expected
    assert sum(m for *_, m, _ in expected) > 0


def test_business_day_updates_are_measured_in_sql_with_the_same_report() -> None:
    policy = load_policy(zones_clock_policy())
    assert business_updates(policy)  # the SQL steps their due times (business_sql), pauses aside
    events = random_clock_events(policy, "2025-03", seed=4, tickets=1500)
    numpy, duck = _reports(policy, events, "2025-03", Period.month(policy, "2025-03").end - 3 * DAY)
    assert duck == numpy


def _write_clock_events(events: Any, folder: Path, policy: Policy) -> Any:
    """write_events' files with `resolved_at` on the tickets and the ticket events file."""
    from dataclasses import replace

    inputs = write_events(events, folder, policy)
    t, ev = events.tickets, events.ticket_events

    def iso(us: int) -> str:
        return "" if us == MISSING else from_us(us, UTC).isoformat()

    lines = (folder / "tickets.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",resolved_at"] + [
        f"{line},{iso(int(r))}" for line, r in zip(lines[1:], t.resolved, strict=True)
    ]
    (folder / "tickets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["ticket,at,event"] + [
        f"{t.id[k]},{iso(int(a))},{'update' if kind == UPDATE else 'status:' + str(s)}"
        for k, a, kind, s in zip(ev.ticket.tolist(), ev.at.tolist(), ev.kind.tolist(), ev.status.tolist(), strict=True)
    ]
    (folder / "ticket_events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return replace(inputs, ticket_events=str(folder / "ticket_events.csv"))


def test_slac_evaluate_engine_duckdb_with_clocks_reads_the_files_and_prints_the_numpy_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sql_only(monkeypatch)
    policy = load_policy(in_open_time(zones_clock_policy()))
    events = random_clock_events(policy, "2025-03", seed=9, tickets=1500)
    inputs = _write_clock_events(events, tmp_path, policy)
    as_of = datetime(2025, 3, 27, 10, 0, tzinfo=UTC)
    numpy = _canonical(evaluate_files(policy, inputs, period="2025-03", as_of=as_of))
    assert _canonical(evaluate_files(policy, inputs, period="2025-03", as_of=as_of, engine="duckdb")) == numpy
    assert any(c["missed_resolutions"] for c in json.loads(numpy)["customers"])


@pytest.mark.parametrize(("period", "seed"), [("2025-03", 1), ("2025-10", 2), ("2025-06", 3)])
def test_the_clock_queries_agree_with_the_oracle(monkeypatch: pytest.MonkeyPatch, period: str, seed: int) -> None:
    sql_only(monkeypatch)
    raw = in_open_time(zones_clock_policy())
    policy = Policy(raw)
    events = random_clock_events(policy, period, seed=seed, tickets=PER_MONTH)
    per = Period.month(policy, period)
    as_of = per.end - 5 * DAY
    res = sql_ticket_results(policy, events, per, as_of)
    clocks = res.clocks
    disagree = oracle_disagreements(raw, events, res, as_of)
    assert disagree == [], f"{len(disagree)} of {len(res.index)} disagree, e.g. {disagree[:3]}"
    assert clocks.missed_resolutions.sum() > 0 and clocks.missed_updates.sum() > 0
    assert (clocks.res_cycle > 0).any()
    assert np.isin(res.state, [MET, BREACHED, OPEN]).any()


def test_slac_sql_prints_the_clock_views_in_every_dialect() -> None:
    from slac.plan.dialects import statements
    from slac.plan.sql import plan_sql

    policy = load_policy(in_open_time(zones_clock_policy()))
    script = plan_sql(policy, "2025-03", calendars="table")  # calendar_open read, not inlined: quick to transpile
    makes = next(line for line in script.splitlines() if line.startswith("-- makes"))
    assert "ticket_results, missed_resolutions, at_risk" in makes
    for dialect in ("spark", "postgres"):
        assert statements(script, dialect)  # sqlglot transpiles every statement (DialectError otherwise)
    with_days = plan_sql(load_policy(zones_clock_policy()), "2025-03", calendars="table")
    head = with_days.splitlines()[:4]  # update targets in business days: stepped in SQL, over calendar_days
    assert head[1].endswith("calendar_open, calendar_days, calendar_zone") and head[3].endswith("nothing"), head
    assert "ticket_results, missed_resolutions, at_risk" in head[2]
    for dialect in ("spark", "postgres", "bigquery", "snowflake"):
        assert statements(with_days, dialect)  # the stepped due times transpile too
    business = plan_sql(load_policy(in_open_time(zones_clock_policy(), KINDS[2:])), "2025-03", calendars="table")
    assert business.splitlines()[1].endswith("calendar_open, calendar_days, calendar_zone")
    for dialect in ("spark", "postgres", "bigquery", "snowflake"):
        assert statements(business, dialect)  # the business-day counting transpiles too


@pytest.mark.parametrize("period", ["2025-03", "2025-10"])
def test_business_days_in_sql_equal_the_runtime_calendars(monkeypatch: pytest.MonkeyPatch, period: str) -> None:
    """bd_allowed (business_sql.business_ctes) against `Clock.business_within`, start by start.

    Starts: random instants of the month, every opening and closing of each calendar and 1 µs either
    side, and instants around the DST changes (Berlin's and New York's in March and October), so the
    next opening, the local date, a wall time in a gap or twice over and the day count all meet
    their edge cases: every calendar of zones.sla (its night calendars open at 00:00 and 02:30, in
    the hours DST skips or repeats) counts 1, 2 and 3 business days. The SQL's row is missing only
    where the runtime says beyond or no open time.
    """
    import duckdb

    from slac.plan import business_sql
    from slac.plan.business_sql import business_ctes
    from slac.plan.calendars import calendar_days_tables, calendar_table
    from slac.plan.tickets_sql import calendar_ctes, calendar_numbers
    from slac.runtime.clocks import clock_for

    policy = load_policy(in_open_time(zones_clock_policy(), KINDS[2:]))
    every = [(name, days) for name in sorted(policy.calendars) for days in (1, 2, 3)]
    monkeypatch.setattr(business_sql, "business_days", lambda policy: every)
    per = Period.month(policy, period)
    reach = per.end + 30 * DAY  # the tables reach a month past the last start: 3 business days fit
    rng = np.random.default_rng(5)
    number = calendar_numbers(policy)
    con = duckdb.connect()
    con.register("calendar_open", calendar_table(policy, per.start, reach, strict=False))
    days_table, zone_table = calendar_days_tables(policy, per.start, reach)
    con.register("calendar_days", days_table)
    con.register("calendar_zone", zone_table)
    expected: dict[tuple[int, int, int], int] = {}
    rows = []
    dst_changes = 0
    for name, days in every:
        opens = con.sql(f"SELECT open_start, open_end FROM calendar_open WHERE calendar = '{name}'").fetchnumpy()
        edges = np.concatenate([opens["open_start"], opens["open_end"]])
        edges = edges[(edges >= per.start) & (edges < per.end)]
        zone = con.sql(f"SELECT utc_from FROM calendar_zone WHERE calendar = '{name}' ORDER BY utc_from").fetchnumpy()
        changes = zone["utc_from"][1:]  # the first row is the span's start, the others offset changes
        dst_changes += len(changes)
        near = np.concatenate([c + np.arange(-3, 4) * 1_800_000_000 for c in changes]) if len(changes) else edges[:0]
        starts = np.unique(
            np.concatenate([rng.integers(per.start, per.end, 400), edges, edges - 1, edges + 1, near])
        ).astype(np.int64)
        clock = clock_for(policy.calendars[name], int(starts.min()), int(starts.max()) + (days * 14 + 40) * DAY)
        allowed, beyond = clock.business_within(starts, np.full(len(starts), days, dtype=np.int64))
        for s, a, b in zip(starts.tolist(), allowed.tolist(), beyond.tolist(), strict=True):
            if not b and a > 0:
                expected[(number[name], days, s)] = a
            rows.append(f"({number[name]}, {days}, {s})")
    start_cte = f"bd_start AS (SELECT * FROM (VALUES {', '.join(rows)}) AS v(cal_no, days, start))"
    tail = business_ctes(policy).split("bd_open AS (", 1)[1]
    sql = f"WITH {calendar_ctes(policy)},\n{start_cte},\nbd_open AS ({tail}\nSELECT * FROM bd_allowed WHERE allowed > 0"
    got = {(c, d, s): a for c, d, s, a in con.sql(sql).fetchall()}
    assert len(expected) > 1000 and dst_changes > 0
    assert got == expected
