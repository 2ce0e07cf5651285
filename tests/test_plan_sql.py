"""The plan's SQL for warehouses: `slac.plan.dialects`, `slac.plan.sql`, `slac sql` and `slac calendars`.

Every statement of every bundled policy's plan transpiles to every dialect (and reads back in it);
the DuckDB script runs; BigQuery's rewrites keep DuckDB's meaning (checked by reading the BigQuery
text back and running it in DuckDB); the commands fail with exit 2 and write nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
import sqlglot
from click.testing import CliRunner

from slac.cli import main
from slac.plan.dialects import DIALECTS, DialectError, statements, transpile
from slac.plan.sql import plan_sql
from slac.runtime import load_policy

from .conftest import ROOT

POLICIES = sorted((ROOT / "tests" / "golden" / "policy").glob("*.json"))
ACME = ROOT / "contracts" / "acme-crm.sla"
PERIODS = {"acme-crm": "2026-06", "harbor-desk": "2026-Q2", "nimbus-cloud": "2026-05", "websoft9": "2025-03"}


def us(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_unknown_dialect_is_refused_with_the_choices() -> None:
    with pytest.raises(DialectError, match="unknown SQL dialect 'oracle'; choose one of duckdb, spark, bigquery"):
        transpile("SELECT 1", "oracle")


def test_sql_the_dialect_cannot_express_is_an_error_not_other_sql() -> None:
    # Snowflake has no `QUALIFY`-free rewrite problem, but every dialect refuses an unparsable script.
    with pytest.raises(DialectError, match="cannot be written for spark"):
        statements("SELECT FROM WHERE (", "spark")


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_of_every_plan_transpiles_and_reads_back(path: Path, dialect: str) -> None:
    policy = load_policy(path)
    script = plan_sql(policy, PERIODS[path.stem], dialect=dialect)
    parsed = [s for s in sqlglot.parse(script, read=dialect) if s is not None]
    body = [line for line in script.splitlines() if line.startswith("-- makes")][0]
    made = body.split(": ", 1)[1].split(", ")
    settings = [s for s in parsed if isinstance(s, sqlglot.exp.Set)]
    assert len(settings) == (2 if dialect == "spark" else 0)  # Spark keeps every decimal (sql.SESSION), first
    assert len(parsed) - len(settings) == len(made) >= 2  # one statement per view named in the header
    assert parsed[: len(settings)] == settings


# The input relations as docs/warehouse-sql.md lists them (a warehouse team creates or maps these).
INPUT_TABLES = """
CREATE TABLE customers (customer VARCHAR, tier VARCHAR, fee DECIMAL(38,9));
CREATE TABLE tickets (row BIGINT, id VARCHAR, customer VARCHAR, priority VARCHAR, opened BIGINT, responded BIGINT,
  outage BOOLEAN, cause VARCHAR, resolved BIGINT);
CREATE TABLE ticket_events (ticket VARCHAR, "at" BIGINT, event VARCHAR);
CREATE TABLE incidents (row BIGINT, id VARCHAR, start BIGINT, "end" BIGINT, customer VARCHAR, cause VARCHAR,
  announced BIGINT, service VARCHAR, region VARCHAR);
CREATE TABLE requests (service VARCHAR, region VARCHAR, start BIGINT, total BIGINT, failed BIGINT);
CREATE TABLE charges (customer VARCHAR, service VARCHAR, region VARCHAR, amount DECIMAL(38,9));
"""


def test_the_duckdb_script_runs_over_the_documented_inputs_with_the_hand_computed_calendar() -> None:
    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "acme-crm.json")
    con = duckdb.connect()
    con.execute(INPUT_TABLES)
    con.execute(
        "INSERT INTO customers VALUES ('c1', 'starter', 1000);"
        # Opened Monday 2026-06-01 10:00 New York (14:00Z), `starter` high: 16 h of Mon–Fri 09:00–17:00:
        # Monday 7 h + Tuesday 8 h + Wednesday 1 h, due Wednesday 10:00 EDT = 14:00Z; never answered, so
        # breached at the period's end.
        f"INSERT INTO tickets VALUES (0, 'T1', 'c1', 'high', {us(2026, 6, 1, 14)}, NULL, FALSE, NULL, NULL)"
    )
    for statement in statements(plan_sql(policy, "2026-06"), "duckdb"):
        con.execute(statement)
    # June 2026 in UTC (the contract's zone): 2026-06-01T00:00Z to 2026-07-01T00:00Z.
    assert con.execute("SELECT * FROM params").fetchall() == [(us(2026, 6, 1), us(2026, 7, 1), us(2026, 7, 1))]
    rows = con.execute(
        "SELECT open_start, open_end, cum_before FROM calendar_open WHERE calendar = 'business' "
        "ORDER BY open_start LIMIT 3"
    ).fetchall()
    # `business` is Mon–Fri 09:00–17:00 America/New_York; 2026-06-01 is a Monday (151 days after
    # Thursday 1 January: 151 = 21 × 7 + 4), EDT is UTC−4: 13:00Z–21:00Z, then 8 h = 28.8e9 µs before
    # Tuesday's opening. The table begins the day before the period's first local date (2026-06-01T00:00Z
    # is Sunday 31 May 20:00 EDT): Saturday 30 May 00:00 EDT = 04:00Z, closed, so a mark of no length.
    assert rows == [
        (us(2026, 5, 30, 4), us(2026, 5, 30, 4), 0),
        (us(2026, 6, 1, 13), us(2026, 6, 1, 21), 0),
        (us(2026, 6, 2, 13), us(2026, 6, 2, 21), 8 * 3600 * 1_000_000),
    ]
    got = con.execute('SELECT "row", customer, deadline, state FROM ticket_results').fetchall()
    assert got == [(0, "c1", us(2026, 6, 3, 14), 1)]
    assert con.execute("SELECT customer FROM customer_credit").fetchall() == [("c1",)]
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE calendar_open)").fetchall())
    assert types == {"calendar": "VARCHAR", "open_start": "BIGINT", "open_end": "BIGINT", "cum_before": "BIGINT"}


def test_calendars_as_a_table_leave_calendar_open_to_the_warehouse() -> None:
    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "acme-crm.json")
    script = plan_sql(policy, "2026-06", dialect="snowflake", calendars="table")
    assert "VIEW calendar_open" not in script
    assert "-- reads: customers, tickets, ticket_events, incidents, requests, charges, calendar_open" in script


WINDOW = """
SELECT k, v, SUM(v) OVER (PARTITION BY g ORDER BY k, v DESC ROWS UNBOUNDED PRECEDING) AS running,
       ROW_NUMBER() OVER (PARTITION BY g ORDER BY k DESC NULLS FIRST, v) AS rn
FROM (VALUES (1, 1, 10), (1, NULL, 20), (1, 3, NULL), (1, NULL, 5), (2, 2, 7), (2, NULL, 1)) AS t(g, k, v)
ORDER BY g, k NULLS LAST, v NULLS LAST
"""


def test_bigquery_windows_keep_duckdb_null_order() -> None:
    # BigQuery sorts NULLs first ascending and cannot say NULLS LAST in a window: the key becomes
    # `k IS NULL, k`. Read the BigQuery text back (with BigQuery's own NULL order) and run it in
    # DuckDB: the same rows as the original, NULL keys last in each running sum.
    (bigquery,) = statements(WINDOW, "bigquery")
    assert "NULLS LAST" not in bigquery.split("ORDER BY g")[0]
    back = sqlglot.transpile(bigquery, read="bigquery", write="duckdb")[0]
    con = duckdb.connect()
    assert con.execute(back).fetchall() == con.execute(WINDOW).fetchall()
    # By hand, group 1's running sum ordered by k (NULLs last), then v descending: (1,10) 10,
    # (3,NULL) 10, (NULL,20) 30, (NULL,5) 35; listed by k, then v ascending: 10, 10, 35, 30.
    assert [r[2] for r in con.execute(WINDOW).fetchall()[:4]] == [10, 10, 35, 30]


def test_bigquery_gets_temporary_tables_for_temporary_views() -> None:
    (statement,) = statements("CREATE OR REPLACE TEMPORARY VIEW x AS SELECT 1 AS a", "bigquery")
    assert statement.startswith("CREATE OR REPLACE TEMPORARY TABLE x AS")


# ---- the commands ----------------------------------------------------------------------------------


def test_slac_sql_prints_the_plan_for_snowflake() -> None:
    code, out, err = run("sql", ACME, "--dialect", "snowflake", "--period", "2026-06")
    assert code == 0, err
    assert out.startswith("-- slac plan of acme_crm (policy ")
    assert "snowflake dialect" in out.splitlines()[0]
    assert "CREATE OR REPLACE TEMPORARY VIEW params AS" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dialect", "oracle", "--period", "2026-06"], "Invalid value for '--dialect'"),
        (["--period", "2040-01"], "outside the years whose holidays the policy lists (2026–2031)"),
        (["--period", "2026-13"], "is not a month"),
        (["--period", "2026-06", "--as-of", "2026-07-01T00:00"], "has no UTC offset"),
    ],
)
def test_slac_sql_fails_with_exit_2_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "plan.sql"
    code, stdout, stderr = run("sql", ACME, *args, "-o", out)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr + stdout
    assert not out.exists()


def test_slac_sql_refuses_a_policy_that_cannot_be_used(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"format_version": "1.0"', encoding="utf-8")
    code, _, stderr = run("sql", bad, "--period", "2026-06", "-o", tmp_path / "x.sql")
    assert code == 2 and "Traceback" not in stderr
    assert not (tmp_path / "x.sql").exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_slac_calendars_writes_the_calendar_open_table(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"cal.{fmt}"
    code, _, err = run("calendars", ACME, "--format", fmt, "--from", "2026-06-01", "--to", "2026-06-30", "-o", out)
    assert code == 0, err
    table = pcsv.read_csv(out) if fmt == "csv" else pq.read_table(out)
    assert table.column_names == ["calendar", "open_start", "open_end", "cum_before"]
    business = [r for r in table.to_pylist() if r["calendar"] == "business"]
    # From 2026-06-01T00:00Z (the contract's zone is UTC; in New York Sunday 31 May 20:00 EDT): the table
    # starts the day before that local date, Saturday 30 May 00:00 EDT = 04:00Z, closed, so with a mark of
    # no length there; then Monday's opening 13:00Z, 8 h before Tuesday's: as in the plan's VALUES.
    assert business[0] == {"calendar": "business", "open_start": us(2026, 5, 30, 4), "open_end": us(2026, 5, 30, 4),
                           "cum_before": 0}  # fmt: skip
    assert (business[1]["open_start"], business[2]["cum_before"]) == (us(2026, 6, 1, 13), 8 * 3600 * 1_000_000)
    # Mon–Fri of June 2026 alone are 22 days (30 days, 4 weekends and a Monday 29th…: 8 weekend days):
    # the table reaches past the 30th for the longest target, so it has more.
    assert len(business) > 22


def test_slac_calendars_defaults_to_the_holiday_years(tmp_path: Path) -> None:
    out = tmp_path / "cal.csv"
    code, _, err = run("calendars", ACME, "--format", "csv", "-o", out)
    assert code == 0, err
    business = [r for r in pcsv.read_csv(out).to_pylist() if r["calendar"] == "business"]
    # The policy lists the holidays of 2026–2031; in New York 2026 starts at 05:00Z (the table's mark:
    # the calendar is closed then), and Friday 2 January 2026 is the first working day (New Year's Day
    # is a holiday): 14:00Z (EST, UTC−5).
    assert [business[0]["open_start"], business[0]["open_end"]] == [us(2026, 1, 1, 5)] * 2
    assert business[1]["open_start"] == us(2026, 1, 2, 14)
    assert business[-1]["open_end"] <= us(2032, 1, 1, 5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2020-01-01"], "2019-12-31 is outside the years whose holidays the policy lists"),
        (["--from", "2027-01-01", "--to", "2026-01-01"], "--to is before --from"),
        (["--from", "2026-02-30"], "is not a date"),
        (["--table", "calendar_days"], "the policy has no target in business days, so its plan reads no calendar_days"),
    ],
)
def test_slac_calendars_fails_with_exit_2_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "cal.parquet"
    code, stdout, stderr = run("calendars", ACME, *args, "-o", out)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr + stdout
    assert not out.exists()


def test_help_texts() -> None:
    for command in ("sql", "calendars"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "calendar_open" in out


# A warehouse team's mapping of its own tables (here: the bundled websoft9 CSV files read by DuckDB
# itself, times as text with offsets) onto the plan's input relations, as docs/warehouse-sql.md shows.
MAPPING = """
CREATE TABLE customers AS SELECT customer, tier, CAST(monthly_fee AS DECIMAL(38,9)) AS fee
  FROM read_csv('{d}/customers.csv', all_varchar = true);
CREATE TABLE tickets AS SELECT CAST(ROW_NUMBER() OVER () - 1 AS BIGINT) AS "row", id, customer, priority,
  epoch_us(CAST(opened_at AS TIMESTAMPTZ)) AS opened, epoch_us(CAST(NULLIF(responded_at, '') AS TIMESTAMPTZ)) AS responded,
  CAST(outage AS BOOLEAN) AS outage, CAST(NULL AS VARCHAR) AS cause, CAST(NULL AS BIGINT) AS resolved
  FROM read_csv('{d}/tickets.csv', all_varchar = true);
CREATE TABLE incidents AS SELECT CAST(ROW_NUMBER() OVER () - 1 AS BIGINT) AS "row", id,
  epoch_us(CAST(start AS TIMESTAMPTZ)) AS start, epoch_us(CAST("end" AS TIMESTAMPTZ)) AS "end",
  CAST(NULLIF(customers, '') AS VARCHAR) AS customer, NULLIF(cause, '') AS cause, CAST(NULL AS BIGINT) AS announced,
  CAST(NULL AS VARCHAR) AS service, CAST(NULL AS VARCHAR) AS region
  FROM read_csv('{d}/incidents.csv', all_varchar = true);
CREATE TABLE ticket_events (ticket VARCHAR, "at" BIGINT, event VARCHAR);
CREATE TABLE requests (service VARCHAR, region VARCHAR, start BIGINT, total BIGINT, failed BIGINT);
CREATE TABLE charges (customer VARCHAR, service VARCHAR, region VARCHAR, amount DECIMAL(38,9));
"""


@pytest.mark.parametrize("calendars", ["values", "table"])
def test_a_warehouse_mapping_gets_the_totals_of_slac_evaluate(tmp_path: Path, calendars: str) -> None:
    events = ROOT / "contracts" / "events" / "websoft9-2025-03"
    contract = ROOT / "contracts" / "websoft9.sla"
    code, script, err = run("sql", contract, "--period", "2025-03", "--calendars", calendars)
    assert code == 0, err
    con = duckdb.connect()
    con.execute(MAPPING.format(d=events))
    if calendars == "table":
        code, _, err = run("calendars", contract, "--from", "2025-03-01", "--to", "2025-03-31", "-o", tmp_path / "c.pq")
        assert code == 0, err
        con.execute(f"CREATE TABLE calendar_open AS SELECT * FROM read_parquet('{tmp_path / 'c.pq'}')")
    con.execute(script)
    got = dict(con.execute("SELECT customer, CAST(total AS VARCHAR) FROM customer_credit").fetchall())
    # The sample month: acme's T1 (high, outage) answered after 3.5 h against 3 h, one breach: 5 % of
    # 1000 CNY = 50.00; beta's T3 (premium, normal) is never answered, one breach: 5 % of 200 CNY = 10.00.
    assert got == {"acme": "50.000000000", "beta": "10.000000000"}
    args = [f"--{n}={events / n}.csv" for n in ("customers", "tickets", "incidents")]
    code, report, err = run("evaluate", contract, "--period", "2025-03", *args)
    assert code == 0, err
    owed = {c["customer"]: c["total"] for c in json.loads(report)["customers"]}
    assert {k: str(Decimal(v).quantize(Decimal("0.01"))) for k, v in got.items()} == owed


# The same for a contract with services (language v2): nimbus-cloud's sample month, no tickets.
NIMBUS_MAPPING = """
CREATE TABLE customers AS SELECT customer, tier, CAST(fee AS DECIMAL(38,9)) AS fee,
  CAST(good_standing AS BOOLEAN) AS good_standing FROM read_csv('{d}/customers.csv', all_varchar = true);
CREATE TABLE tickets (row BIGINT, id VARCHAR, customer VARCHAR, priority VARCHAR, opened BIGINT, responded BIGINT,
  outage BOOLEAN, cause VARCHAR, resolved BIGINT);
CREATE TABLE ticket_events (ticket VARCHAR, "at" BIGINT, event VARCHAR);
CREATE TABLE incidents AS SELECT CAST(ROW_NUMBER() OVER () - 1 AS BIGINT) AS "row", id,
  epoch_us(CAST(start AS TIMESTAMPTZ)) AS start, epoch_us(CAST("end" AS TIMESTAMPTZ)) AS "end",
  CAST(NULLIF(customers, '') AS VARCHAR) AS customer, NULLIF(cause, '') AS cause,
  epoch_us(CAST(NULLIF(announced_at, '') AS TIMESTAMPTZ)) AS announced,
  NULLIF(service, '') AS service, NULLIF(region, '') AS region
  FROM read_csv('{d}/incidents.csv', all_varchar = true);
CREATE TABLE requests AS SELECT service, NULLIF(region, '') AS region, epoch_us(CAST(start AS TIMESTAMPTZ)) AS start,
  CAST(total AS BIGINT) AS total, CAST(failed AS BIGINT) AS failed FROM read_csv('{d}/requests.csv', all_varchar = true);
CREATE TABLE charges AS SELECT customer, service, NULLIF(region, '') AS region, CAST(amount AS DECIMAL(38,9)) AS amount
  FROM read_csv('{d}/charges.csv', all_varchar = true);
"""


def test_a_contract_with_services_gets_its_ticket_results_and_the_totals_of_slac_evaluate() -> None:
    events = ROOT / "contracts" / "events" / "nimbus-cloud-2026-05"
    contract = ROOT / "contracts" / "nimbus-cloud.sla"
    code, script, err = run("sql", contract, "--period", "2026-05")
    assert code == 0, err
    assert "-- not in SQL yet (use slac evaluate): nothing" in script.splitlines()
    con = duckdb.connect()
    con.execute(NIMBUS_MAPPING.format(d=events))
    con.execute(script)
    assert con.execute("SELECT count(*) FROM ticket_results").fetchall() == [(0,)]  # made, over no tickets
    got = dict(con.execute("SELECT customer, CAST(total AS VARCHAR) FROM customer_credit").fetchall())
    args = [f"--{n}={events / n}.csv" for n in ("customers", "incidents", "charges", "requests")]
    code, report, err = run("evaluate", contract, "--period", "2026-05", *args)
    assert code == 0, err
    owed = {c["customer"]: c["total"] for c in json.loads(report)["customers"]}
    # By hand (tests/test_v2_cases.py::test_sample_month_report_by_hand): acme 10 % of its 200 USD of
    # compute in eu_west (inc-1, 50 min: 99.89 %), borealis 10 % of 1200, cobalt not in good standing.
    assert {k: str(Decimal(v).quantize(Decimal("0.01"))) for k, v in got.items()} == owed
    assert owed == {"acme": "20.00", "borealis": "120.00", "cobalt": "0.00"}


def test_a_contract_with_services_and_ticket_clocks_gets_the_misses_and_credits_its_examples_state() -> None:
    """harbor-desk (language v2, billed quarterly, ticket clocks, a credit per missed resolution): the
    printed plan's ticket_results count the missed resolutions and updates each of its examples
    states, and customer_credit is each example's stated credit (the contract's own numbers)."""
    from slac.runtime.examples import example_events, example_period

    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "harbor-desk.json")
    checked = []
    for ex in policy.raw["examples"]:
        expect = ex["expect"]
        con = _run_plan(policy, example_events(policy, ex, ex["tier"]), example_period(policy, ex))
        got = con.execute("SELECT sum(missed_resolutions), sum(missed_updates), bool_and(known) FROM ticket_results")
        resolutions, updates, known = got.fetchone()
        if "missed_resolutions" in expect:
            assert known and resolutions == expect["missed_resolutions"]["count"], ex["title"]
        if "missed_updates" in expect:
            assert updates == expect["missed_updates"]["count"], ex["title"]
        [(total, ambiguous)] = con.execute("SELECT total, ambiguous FROM customer_credit").fetchall()
        assert total == Decimal(expect["credit"]["amount"]) and not ambiguous, ex["title"]
        checked.append(ex["line"])
    # 3 h down: 41.21 CNY; 20 missed resolutions capped at 15 days of service: 1500; one missed with a
    # pause: 100; one missed update and none missed: 0.
    assert len(checked) == 4


def _run_plan(policy: Any, events: Any, period: str, calendars: str | None = None) -> Any:
    """A DuckDB connection that has run `slac sql`'s script of `period` over the events' relations
    (`calendars`: a calendar_open Parquet file the script reads, instead of its VALUES)."""
    from slac.plan.inputs import charges_table, incidents_table, requests_table
    from slac.plan.results import clock_relations
    from slac.runtime.evaluate import Period

    inputs = clock_relations(policy, events, Period("", 0, 1), 1)  # ticket_events with their `row`
    tables = {name: inputs[name] for name in ("customers", "tickets", "ticket_events")} | {
        "incidents": incidents_table(events.incidents),
        "requests": requests_table(events.requests),
        "charges": charges_table(events.charges),
    }  # params and calendar_open: the script makes them
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    if calendars is not None:
        con.execute(f"CREATE TABLE calendar_open AS SELECT * FROM read_parquet('{calendars}')")
    script = plan_sql(policy, period, calendars="values" if calendars is None else "table")
    for statement in statements(script, "duckdb"):
        con.execute(statement)
    return con


@pytest.mark.parametrize(("seed", "target"), [(5, "resolution"), (6, "resolution"), (7, "update")])
def test_credits_per_miss_in_sql_are_the_numpy_engines_on_random_quarters(seed: int, target: str) -> None:
    """Random harbor-desk quarters (status histories with pauses and reopenings, excluded causes), its
    credit per missed resolution (or, in a variant, per missed update): every customer's total from the
    printed plan is the numpy report's, its misses counted as the report lists them."""
    from dataclasses import replace

    from slac.runtime.evaluate import evaluate
    from tests.test_engine_v2 import _variant
    from tests.test_engine_v2_clocks import BARE, clock_quarter
    from tests.test_v2_crosscheck import load_policy as load_source

    # Small amounts, so the 15 days' cap does not hide a miscount.
    each = [("per missed resolution 1 service_day", f"per missed {target} 0.05 service_day"),
            ("target 10 * window_fee", "target 0.01 * window_fee")]  # fmt: skip
    policy = load_source(_variant(BARE, each))
    events = clock_quarter(policy, ("2026-04", "2026-05"), seed=seed, tickets=300)
    cause = events.tickets.cause.copy()
    cause[::7] = policy.raw["exclusions"][0]["id"]  # every 7th ticket excluded: its misses earn nothing
    events = replace(events, tickets=replace(events.tickets, cause=cause))
    report = evaluate(policy, events, period="2026-Q2")
    con = _run_plan(policy, events, "2026-Q2")
    got = {c: (t, a) for c, t, a in con.execute("SELECT customer, total, ambiguous FROM customer_credit").fetchall()}
    assert {c["customer"]: (Decimal(c["total"]), False) for c in report["customers"]} == got
    lines = [line for c in report["customers"] for line in c["credits"] if line.get("target") == target]
    assert lines, f"some customer is credited for missed {target}s"
    assert any(c["cap"] is None or not c["cap"]["applied"] for c in report["customers"] if c["credits"])
    [(excluded_misses,)] = con.execute(
        'SELECT sum(r.missed_resolutions + r.missed_updates) FROM ticket_results r JOIN tickets k ON k."row" = r."row"'
        " WHERE k.cause IS NOT NULL"
    ).fetchall()
    assert excluded_misses > 0  # tickets with an excluded cause missed targets too, and were not credited


def test_a_ticket_whose_calendar_the_table_lacks_makes_its_customers_credit_ambiguous(tmp_path: Path) -> None:
    """harbor-desk's pause example with a calendar_open table that leaves out its tickets' calendars:
    their clocks are not `known`, so customer_credit says `ambiguous`, not a number to pay."""
    import pyarrow.compute as pc

    from slac.plan.calendars import calendar_table
    from slac.runtime.examples import example_events
    from slac.runtime.windows import parse_period

    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "harbor-desk.json")
    [ex] = [e for e in policy.raw["examples"] if e["line"] == 114]
    window = parse_period("2026-Q2", policy.raw["billing"], policy.zone)
    table = calendar_table(policy, window.start, window.end)
    used = {t.calendar for t in (*policy.targets.values(), *policy.resolutions.values())}
    kept = table.filter(pc.invert(pc.is_in(table.column("calendar"), value_set=pa.array(sorted(used)))))
    pq.write_table(kept, tmp_path / "calendar_open.parquet")
    con = _run_plan(policy, example_events(policy, ex, ex["tier"]), "2026-Q2", str(tmp_path / "calendar_open.parquet"))
    assert not any(k for (k,) in con.execute("SELECT known FROM ticket_results").fetchall())
    assert con.execute("SELECT ambiguous FROM customer_credit").fetchall() == [(True,)]


def test_a_table_that_ends_before_a_tickets_instants_makes_its_customers_credit_ambiguous(tmp_path: Path) -> None:
    """harbor-desk's pause example (tickets opened 2026-04-07, resolved 2026-04-10) with a
    calendar_open table whose rows stop at 2026-04-08T00:00+08:00: the resolutions lie past the
    table's last row, where its closed time is not known, so no clock is `known` and customer_credit
    says `ambiguous` (it used to read the time after the last row as closed and pay a number). The
    same table uncut: every clock known, the example's 100 CNY. A miss the table already shows is
    known however late the ticket is resolved."""
    import pyarrow.compute as pc

    from slac.plan.calendars import calendar_table
    from slac.runtime.calendar import to_us
    from slac.runtime.examples import example_events
    from slac.runtime.windows import parse_period

    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "harbor-desk.json")
    [ex] = [e for e in policy.raw["examples"] if e["line"] == 114]
    window = parse_period("2026-Q2", policy.raw["billing"], policy.zone)
    table = calendar_table(policy, window.start, window.end)
    cut = to_us(datetime(2026, 4, 8, tzinfo=policy.zone))
    for name, rows in (("whole", table), ("cut", table.filter(pc.less_equal(table.column("open_end"), cut)))):
        pq.write_table(rows, tmp_path / f"{name}.parquet")
    events = example_events(policy, ex, ex["tier"])
    whole = _run_plan(policy, events, "2026-Q2", str(tmp_path / "whole.parquet"))
    assert all(k for (k,) in whole.execute("SELECT known FROM ticket_results").fetchall())
    assert whole.execute("SELECT total, ambiguous FROM customer_credit").fetchall() == [(Decimal("100"), False)]
    cut_con = _run_plan(policy, events, "2026-Q2", str(tmp_path / "cut.parquet"))
    assert not any(k for (k,) in cut_con.execute("SELECT known FROM ticket_results").fetchall())
    assert cut_con.execute("SELECT ambiguous FROM customer_credit").fetchall() == [(True,)]
    # Cut at 2026-04-10T00:00+08:00 instead: the table holds 8 + 9 + 9 = 26 h of office time after the
    # opening, past the 18 h resolution target, so the unpaused ticket's miss is certain (known); the
    # paused one has 8 + 9 = 17 h there (Apr 8 09:00 to Apr 9 09:00 paused): not yet past it, unknown.
    later = to_us(datetime(2026, 4, 10, tzinfo=policy.zone))
    pq.write_table(table.filter(pc.less_equal(table.column("open_end"), later)), tmp_path / "later.parquet")
    later_con = _run_plan(policy, events, "2026-Q2", str(tmp_path / "later.parquet"))
    rows = later_con.execute('SELECT known, missed_resolutions FROM ticket_results ORDER BY "row"').fetchall()
    assert rows == [(False, 0), (True, 1)]


def test_a_table_that_starts_after_a_tickets_opening_makes_its_customers_credit_ambiguous(tmp_path: Path) -> None:
    """The same pause example (tickets opened 2026-04-07 10:00+08:00) over the calendar_open that
    `slac calendars --from 2026-04-09` writes, a table for a later span: its rows begin with a mark of no
    length on 8 April 00:00+08:00 (the day before; `office` is closed then, `always` opens then). The
    tickets' instants before each calendar's first row used to be read as closed time, every clock
    `known` and a number paid; now no clock is known and the customer's credit is `ambiguous`. The
    quarter's own table begins before the tickets: the example's 100 CNY (the test above)."""
    import pyarrow.compute as pc

    from slac.plan.calendars import calendar_table
    from slac.runtime.calendar import to_us
    from slac.runtime.examples import example_events
    from slac.runtime.windows import parse_period

    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "harbor-desk.json")
    [ex] = [e for e in policy.raw["examples"] if e["line"] == 114]
    window = parse_period("2026-Q2", policy.raw["billing"], policy.zone)
    later = calendar_table(policy, to_us(datetime(2026, 4, 9, tzinfo=policy.zone)), window.end)
    office = later.filter(pc.equal(later.column("calendar"), "office")).slice(0, 1).to_pylist()
    mark = to_us(datetime(2026, 4, 8, tzinfo=policy.zone))
    assert office == [{"calendar": "office", "open_start": mark, "open_end": mark, "cum_before": 0}]
    pq.write_table(later, tmp_path / "later.parquet")
    con = _run_plan(policy, example_events(policy, ex, ex["tier"]), "2026-Q2", str(tmp_path / "later.parquet"))
    assert not any(k for (k,) in con.execute("SELECT known FROM ticket_results").fetchall())
    assert con.execute("SELECT ambiguous FROM customer_credit").fetchall() == [(True,)]


def test_a_v1_ticket_opened_before_the_calendar_table_is_not_known(tmp_path: Path) -> None:
    """acme-crm's hand-computed ticket (opened Monday 2026-06-01 14:00Z, due Wednesday 14:00Z, never
    answered) over the calendar_open written for a span from Thursday 4 June 00:00Z (it begins the day
    before that date in New York, Tuesday 2 June 00:00 EDT): the opening lies before the table, so the ticket is not `known` (its deadline used to be counted from the table's first
    opening, as if Monday and Tuesday were closed) and customer_credit is `ambiguous`; over June's own
    table it is known and breached."""
    from slac.plan.calendars import calendar_table
    from slac.runtime.evaluate import Period

    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "acme-crm.json")
    per = Period.month(policy, "2026-06")
    pq.write_table(calendar_table(policy, per.start, per.end), tmp_path / "june.parquet")
    pq.write_table(calendar_table(policy, us(2026, 6, 4), per.end), tmp_path / "later.parquet")
    got = {}
    for name in ("june", "later"):
        con = duckdb.connect()
        con.execute(INPUT_TABLES)
        con.execute(
            "INSERT INTO customers VALUES ('c1', 'starter', 1000);"
            f"INSERT INTO tickets VALUES (0, 'T1', 'c1', 'high', {us(2026, 6, 1, 14)}, NULL, FALSE, NULL, NULL)"
        )
        con.execute(f"CREATE TABLE calendar_open AS SELECT * FROM read_parquet('{tmp_path / name}.parquet')")
        for statement in statements(plan_sql(policy, "2026-06", calendars="table"), "duckdb"):
            con.execute(statement)
        got[name] = (
            con.execute("SELECT deadline, known FROM ticket_results").fetchall(),
            con.execute("SELECT ambiguous FROM customer_credit").fetchall(),
        )
    assert got["june"] == ([(us(2026, 6, 3, 14), True)], [(False,)])
    assert got["later"] == ([(None, False)], [(True,)])


def _quarter_capped() -> Any:
    """nimbus-cloud's month credits under `cap 100% of service_charges per quarter` (not per month)."""
    from slac import compile_policy

    source = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    source = source[: source.index("\n  example ")] + "\n}\n"  # its examples expect the monthly cap
    assert "cap 100% of service_charges per month" in source
    quarterly = source.replace("cap 100% of service_charges per month", "cap 100% of service_charges per quarter")
    return load_policy(compile_policy(quarterly, file="q.sla"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_cap_over_a_longer_span_reads_cap_used_and_makes_cap_ledger_in_every_dialect(dialect: str) -> None:
    policy = _quarter_capped()
    script = plan_sql(policy, "2026-05", dialect=dialect)
    assert "-- reads: customers, tickets, ticket_events, incidents, requests, charges, cap_used\n" in script
    made = [line for line in script.splitlines() if line.startswith("-- makes")][0]
    assert made.endswith("scope_credit, customer_credit, cap_ledger") and "cap per quarter" not in script
    parsed = [s for s in sqlglot.parse(script, read=dialect) if s is not None and not isinstance(s, sqlglot.exp.Set)]
    assert len(parsed) == len(made.split(": ")[1].split(", "))


def test_the_script_of_each_month_carries_what_it_used_of_a_quarterly_cap_to_the_next(tmp_path: Path) -> None:
    """acme's compute eu_west (charges 1000 USD a month, commitment 99.99 %) under a cap of 100 % of the
    charges per quarter, by hand: April (30 days) down 6 h, 99.17 %: below the commitment, above 99 %, 10 % =
    100 USD; May down 20 days, ≤ 95 %: 100 % = 1000, capped at what April left, 900; June down 20 days
    too: nothing is left, 0 (below the 1 USD minimum credit, so June uses nothing). Each month's script
    reads the earlier months' cap_ledger rows from cap_used; the numpy engine gives the same totals."""
    from slac.runtime.engines import Inputs, evaluate_files

    policy = _quarter_capped()
    con = duckdb.connect()
    con.execute(INPUT_TABLES.replace("fee DECIMAL(38,9))", "fee DECIMAL(38,9), good_standing BOOLEAN)"))
    con.execute("CREATE TABLE cap_used (period VARCHAR, customer VARCHAR, service VARCHAR, region VARCHAR,"
                " amount DECIMAL(38,18), slack BIGINT)")  # fmt: skip
    con.execute("INSERT INTO customers VALUES ('acme', 'standard', 0, TRUE)")
    con.execute("INSERT INTO charges VALUES ('acme', 'compute', 'eu_west', 1000)")
    downs = [
        (us(2026, 4, 10), us(2026, 4, 10, 6)),
        (us(2026, 5, 1), us(2026, 5, 21)),
        (us(2026, 6, 1), us(2026, 6, 21)),
    ]
    for k, (start, end) in enumerate(downs):
        con.execute(
            f"INSERT INTO incidents VALUES ({k}, 'i{k}', {start}, {end}, NULL, NULL, NULL, 'compute', 'eu_west')"
        )
    totals = {}
    for period in ("2026-04", "2026-05", "2026-06"):
        for statement in statements(plan_sql(policy, period), "duckdb"):
            con.execute(statement)
        totals[period] = con.execute("SELECT total, ambiguous FROM customer_credit").fetchall()[0]
        con.execute("INSERT INTO cap_used SELECT * FROM cap_ledger")
    assert totals == {"2026-04": (Decimal("100"), False), "2026-05": (Decimal("900"), False),
                      "2026-06": (Decimal("0"), False)}  # fmt: skip
    rows = con.execute("SELECT period, service, region, amount, slack FROM cap_used ORDER BY period").fetchall()
    assert rows == [("2026-04", "compute", "eu_west", Decimal("100"), 0),
                    ("2026-05", "compute", "eu_west", Decimal("900"), 0)]  # fmt: skip
    # The numpy engine, from files, evaluates each month's earlier months itself.
    iso = [(datetime.fromtimestamp(a / 1e6, UTC).isoformat(), datetime.fromtimestamp(b / 1e6, UTC).isoformat())
           for a, b in downs]  # fmt: skip
    texts = {
        "customers": "customer,tier,fee,good_standing\nacme,standard,0,true\n",
        "charges": "customer,service,region,amount\nacme,compute,eu_west,1000\n",
        "incidents": "id,start,end,service,region\n"
        + "".join(f"i{k},{a},{b},compute,eu_west\n" for k, (a, b) in enumerate(iso)),
    }
    files = {}
    for name, text in texts.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        files[name] = str(tmp_path / f"{name}.csv")
    inputs = Inputs(files["customers"], files["incidents"], charges=files["charges"])
    engine = {p: evaluate_files(policy, inputs, period=p)["customers"][0]["total"] for p in totals}
    assert engine == {"2026-04": "100.00", "2026-05": "900.00", "2026-06": "0.00"}


@pytest.mark.parametrize("mark_first", [True, False])
def test_a_mark_at_the_instant_of_an_opening_changes_nothing_whatever_the_row_order(mark_first: bool) -> None:
    """A hand-built calendar_open may hold a mark of no length at the very instant of an opening (the docs
    say not to): the next row of the mark is the opening, whichever order the rows come in, so acme's
    hand-computed ticket (opened 2026-06-01 14:00Z) stays due Wednesday 14:00Z. It was due Tuesday 17:00Z
    with the opening first, when the two rows tied on open_start."""
    import pyarrow as pa

    from slac.plan.calendars import calendar_table
    from slac.runtime.evaluate import Period

    policy = load_policy(ROOT / "tests" / "golden" / "policy" / "acme-crm.json")
    per = Period.month(policy, "2026-06")
    rows = calendar_table(policy, per.start, per.end).to_pylist()
    business = [r for r in rows if r["calendar"] == "business"]
    rows.remove(business[0])  # slac's own mark, on Saturday
    opening = business[1]  # Monday 13:00Z
    mark = {**opening, "open_end": opening["open_start"]}
    rows.insert(rows.index(opening) + (0 if mark_first else 1), mark)
    con = duckdb.connect()
    con.execute(INPUT_TABLES)
    con.execute("INSERT INTO customers VALUES ('c1', 'starter', 1000)")
    con.execute(f"INSERT INTO tickets VALUES (0, 'T1', 'c1', 'high', {us(2026, 6, 1, 14)}, NULL, FALSE, NULL, NULL)")
    con.register("hand_built", pa.Table.from_pylist(rows))
    con.execute("CREATE TABLE calendar_open AS SELECT * FROM hand_built")
    for statement in statements(plan_sql(policy, "2026-06", calendars="table"), "duckdb"):
        con.execute(statement)
    assert con.execute("SELECT deadline, known FROM ticket_results").fetchall() == [(us(2026, 6, 3, 14), True)]
