"""Every view of the plan's SQL runs in DuckDB (as written) and in Spark (transpiled by sqlglot) with the same rows.

The input relations are the runtime's validated tables of real event files (the bundled months of
websoft9 and nimbus-cloud, language v1 and v2), registered
in both engines; each view of `slac.plan.sql.views` (params, calendar_open as VALUES, ticket_results,
scope_downtime) is compared row for row. That the rows are the numpy engine's is tested per view in
tests/test_plan_tickets.py, test_plan_availability.py and test_engine_*.py.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from slac.plan.inputs import relations
from slac.plan.sql import duckdb_script, period_span, views
from slac.runtime import load_policy
from slac.runtime.engines import Inputs, read_events_any
from tests.runtime_fixtures import policy_text
from tests.spark_local import local_spark

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "contracts" / "events"


@pytest.fixture(scope="module")
def spark() -> Any:
    return local_spark()


def _v2_relations(events: Any) -> dict[str, Any]:
    """`requests` and `charges` (language v2), empty when the events have none."""
    r, ch = events.requests, events.charges
    text, whole, dec = pa.string(), pa.int64(), pa.decimal128(38, 9)
    return {
        "requests": pa.table(
            {
                "service": pa.array(r.service.tolist() if r is not None else [], text),
                "region": pa.array(r.region.tolist() if r is not None else [], text),
                "start": pa.array(r.start.tolist() if r is not None else [], whole),
                "total": pa.array(r.total.tolist() if r is not None else [], whole),
                "failed": pa.array(r.failed.tolist() if r is not None else [], whole),
            }
        ),
        "charges": pa.table(
            {
                "customer": pa.array([str(x) for x in ch.customer] if ch is not None else [], text),
                "service": pa.array(ch.service.tolist() if ch is not None else [], text),
                "region": pa.array(ch.region.tolist() if ch is not None else [], text),
                "amount": pa.array([Decimal(x) for x in ch.amount] if ch is not None else [], dec),
            }
        ),
    }


def _case(name: str, tmp_path: Path) -> tuple[Any, Inputs, str]:
    policy = load_policy(policy_text(name))
    month = {"websoft9": "2025-03", "nimbus-cloud": "2026-05"}[name]
    folder = EVENTS / f"{name}-{month}"
    files = {p.stem: str(p) for p in folder.glob("*.csv")}
    return (
        policy,
        Inputs(
            files["customers"], files["incidents"], files.get("tickets"), files.get("charges"), files.get("requests")
        ),
        month,
    )


def _rows(rows: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((tuple(r) for r in rows), key=repr)


# websoft9 (v1): every view, credits included; nimbus-cloud (v2: services, regions, error-rate
# downtime): up to its downtime (its credit views take Spark minutes on two cores; run in full they
# gave the same rows). Each view is cached once made, so it is computed once.
CASES = [("websoft9", None), ("nimbus-cloud", "scope_downtime")]


@pytest.mark.parametrize(("name", "last"), CASES, ids=[c[0] for c in CASES])
def test_every_view_gives_the_same_rows_in_duckdb_and_spark(
    spark: Any, name: str, last: str | None, tmp_path: Path
) -> None:
    from slac.plan.dialects import statements
    from slac.plan.spark_engine import register

    policy, inputs, period = _case(name, tmp_path)
    events = read_events_any(policy, inputs)
    span = period_span(policy, period)
    tables = {**relations(events, span.start, span.end, span.as_of), **_v2_relations(events)}
    tables.pop("params")  # the script makes it
    parts = list(views(policy, span))
    names = [n for n, _ in parts]
    assert names[:2] == ["params", "calendar_open"] and "scope_downtime" in names
    if last is not None:
        parts = parts[: names.index(last) + 1]

    con = duckdb.connect()
    for table_name, table in tables.items():
        con.register(table_name, table)
    register(spark, tables)
    for view, query in parts:
        script = duckdb_script([(view, query)])
        con.execute(script)
        for statement in statements(script, "spark"):
            spark.sql(statement)
        spark.sql(f"CACHE TABLE {view}")
        want = _rows(con.execute(f"SELECT * FROM {view}").fetchall())
        got = _rows(spark.sql(f"SELECT * FROM {view}").collect())
        assert got == want, view
        # Rows in every view, not a comparison of empty relations (the samples exclude no downtime;
        # nimbus-cloud's month has no tickets, its ticket_results is made over none).
        assert want or view == "scope_excluded" or (view == "ticket_results" and not len(events.tickets.id)), view


def test_cap_ledger_divides_exactly_in_duckdb_and_spark(spark: Any) -> None:
    """`cap_ledger` (a cap over a longer span) writes each scope's capped_w ÷ denominator truncated to 18
    decimals and a slack of 1 where it does not end there, by long division in decimals: the same rows in DuckDB and in
    Spark (whose decimal arithmetic drops decimals from too wide a result), as Python's exact fractions say."""
    from fractions import Fraction

    from slac.plan.credits_sql import Ledger, cap_ledger_sql
    from slac.plan.dialects import statements
    from slac.plan.spark_engine import register

    w18, d38 = pa.decimal128(38, 18), pa.decimal128(38, 9)
    scopes = [  # customer, service, region, capped_w, denominator
        ("a", "compute", "eu", Decimal("3000"), 30),  # 100, exact
        ("a", "compute", "us", Decimal("100.000000000000000001"), 31),  # 3.2258064516129032…, not exact
        ("b", "storage", None, Decimal("12345678901234.123456789012345678"), 4392),  # a year of days × 12
        ("c", "compute", "eu", Decimal("50"), 31),  # c was paid nothing: no row
    ]
    tables = {
        "scope_credit": pa.table({
            "customer": [s[0] for s in scopes], "service": [s[1] for s in scopes], "region": [s[2] for s in scopes],
            "capped_w": pa.array([s[3] for s in scopes], w18), "denominator": pa.array([s[4] for s in scopes], pa.int64()),
            "slack": pa.array([0] * 4, pa.int32()), "ambiguous": [False] * 4,
        }),
        "customer_credit": pa.table({
            "customer": ["a", "b", "c"], "total": pa.array([Decimal("103.23"), Decimal("2811.00"), Decimal("0")], d38),
            "ambiguous": [False, False, False],
        }),
    }  # fmt: skip
    policy = load_policy(policy_text("nimbus-cloud"))  # its cap is on service_charges: a row per scope
    query = cap_ledger_sql(policy, Ledger("2026-05", ("2026-04",)))
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    register(spark, tables)
    (spark_query,) = statements(query, "spark")
    got_duck = _rows(con.execute(query).fetchall())
    got_spark = _rows(spark.sql(spark_query).collect())
    want = []
    for customer, service, region, w, d in scopes[:3]:
        exact = Fraction(w) / d
        truncated = Decimal((exact * 10**18).numerator // (exact * 10**18).denominator).scaleb(-18)
        want.append(("2026-05", customer, service, region, truncated, 0 if exact == Fraction(truncated) else 1))
    assert [r[5] for r in want] == [0, 1, 1]
    assert got_duck == _rows(want)
    assert got_spark == _rows(want)


def test_formula_credits_keep_their_eighteen_decimals_in_spark(spark: Any) -> None:
    """A credit formula's W is its long division to 18 decimals (credits_sql._division). Spark narrowed
    `q + f × 10^-9 + g × 10^-18` of DECIMAL(38,0) digits to 6 decimals, and a sum of two W to 17; with the
    setting the Spark script begins with, the hand-computed formula month of tests/test_plan_credits.py
    (fees 0.372, 1.116, 1, 0.373: two ties, one division that does not end) gives DuckDB's scope_credit
    and customer_credit rows in Spark too, 0.00, 0.02, 0.01, 0.01."""
    from slac.plan.availability_sql import scope_downtime_sql
    from slac.plan.credits_sql import customer_credit_sql, scope_credit_sql
    from slac.plan.dialects import statements
    from slac.plan.duck import arrow_table
    from slac.plan.spark_engine import register
    from slac.plan.sql import SESSION
    from tests.test_plan_availability import load_policy as compiled
    from tests.test_plan_availability import load_relations, make_events
    from tests.test_plan_credits import FORMULA

    policy = compiled(FORMULA)
    fees = {"t1": "0.372", "t2": "1.116", "t3": "1", "t4": "0.373"}
    events = make_events(
        [(c, "standard", fee, {}) for c, fee in fees.items()],
        [("i1", "2026-05-10T00:00", "2026-05-10T01:00", None, None, None, None, None)],
    )
    con = load_relations(policy, events, "2026-05")
    con.execute(f"CREATE TABLE scope_downtime AS {scope_downtime_sql(policy)}")
    con.execute(
        "CREATE TABLE ticket_results (row BIGINT, customer VARCHAR, effective VARCHAR, deadline BIGINT,"
        " state TINYINT, excluded BOOLEAN, line INTEGER, known BOOLEAN)"
    )
    names = ("customers", "charges", "params", "scope_downtime", "ticket_results")
    register(spark, {n: arrow_table(con.sql(f"SELECT * FROM {n}")) for n in names})
    for setting in statements(SESSION["spark"], "spark"):  # what the Spark script says first
        spark.sql(setting)
    for query in (scope_credit_sql(policy), customer_credit_sql(policy)):
        (in_spark,) = statements(query, "spark")
        assert _rows(spark.sql(in_spark).collect()) == _rows(con.execute(query).fetchall())
    totals = {r[0]: r[5] for r in con.execute(customer_credit_sql(policy)).fetchall()}
    assert totals == {"t1": Decimal("0.00"), "t2": Decimal("0.02"), "t3": Decimal("0.01"), "t4": Decimal("0.01")}
