"""The plan's credit SQL (slac.plan.credits_sql) agrees with the numpy engine, decimal for decimal.

The relations come from tests/test_plan_availability.py's `load_relations`; `scope_downtime` is the
plan's own (checked there), `ticket_results` is built from the numpy report's breaches (it is an
input here: tests/test_plan_tickets*.py check D15's SQL for it).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("duckdb")

from slac.plan.availability_sql import scope_downtime_sql  # noqa: E402
from slac.plan.credits_sql import Unsupported, customer_credit_sql, scope_credit_sql  # noqa: E402
from slac.runtime.engines import Inputs, read_events_any  # noqa: E402
from slac.runtime.evaluate import evaluate  # noqa: E402
from slac.runtime.events import Events  # noqa: E402
from slac.runtime.examples import example_events, example_period  # noqa: E402
from slac.runtime.scoped_credits import money_text  # noqa: E402
from tests.hand_contracts import header, variant  # noqa: E402
from tests.test_plan_availability import load_policy, load_relations  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


CAP_USED = (
    "CREATE TABLE cap_used (period VARCHAR, customer VARCHAR, service VARCHAR, region VARCHAR,"
    " amount DECIMAL(38,18), slack BIGINT)"
)


def plan_credits(
    policy: Any, events: Events, period: str, report: dict[str, Any], used: list[tuple[Any, ...]] | None = None
) -> tuple[Any, Any]:
    """(scope rows, customer rows) of the plan's credit SQL over the events, with the report's breaches.

    `used`: with a cap over a longer span, the cap_used rows the earlier windows' cap_ledger made
    (appended to with this window's, so a caller walks the span's windows in order)."""
    from slac.plan.credits_sql import cap_ledger_sql
    from slac.plan.sql import ledger_of, period_span

    con = load_relations(policy, events, period)
    ledger = ledger_of(policy, period_span(policy, period))
    if ledger is not None:
        assert used is not None, "a cap over a longer span reads the earlier windows' cap_ledger rows"
        con.execute(CAP_USED)
        if used:
            con.executemany("INSERT INTO cap_used VALUES (?, ?, ?, ?, ?, ?)", used)
    con.execute(f"CREATE TABLE scope_downtime AS {scope_downtime_sql(policy)}")
    con.execute(
        "CREATE TABLE ticket_results (row BIGINT, customer VARCHAR, effective VARCHAR, deadline BIGINT,"
        " state TINYINT, excluded BOOLEAN, line INTEGER, known BOOLEAN)"
    )
    for c in report["customers"]:
        for b in c["breaches"]:
            con.execute(
                "INSERT INTO ticket_results VALUES (?, ?, ?, NULL, 1, FALSE, ?, TRUE)",
                [b["row"], c["customer"], b["effective_priority"], b["target_line"]],
            )
    con.execute(f"CREATE VIEW scope_credit AS {scope_credit_sql(policy, ledger)}")
    con.execute(f"CREATE VIEW customer_credit AS {customer_credit_sql(policy, ledger)}")
    scopes = {(r[0], r[1], r[2]): r[3:] for r in con.execute("SELECT * FROM scope_credit").fetchall()}
    customers = {r[0]: r[1:] for r in con.execute("SELECT * FROM customer_credit").fetchall()}
    if ledger is not None:
        assert used is not None
        used += con.execute(cap_ledger_sql(policy, ledger)).fetchall()
    assert not any(row[-1] for row in scopes.values()), "no scope's cap comparison is ambiguous"
    assert not any(row[-1] for row in customers.values()), "no customer's total is ambiguous"
    return scopes, customers


def agree(policy: Any, events: Events, period: str, used: list[tuple[Any, ...]] | None = None) -> int:
    """Assert every customer's total (and each scope's subtotal) equals the numpy report's; how many compared.

    `used`: as `plan_credits`'s (the numpy engine evaluates the span's earlier windows itself)."""
    report = evaluate(policy, events, period=period)
    scopes, customers = plan_credits(policy, events, period, report, used)
    cur = policy.currency
    assert set(customers) == {c["customer"] for c in report["customers"]}
    for c in report["customers"]:
        scopes_w, per_miss_w, subtotal_w, d, total, _ = customers[c["customer"]]
        assert total == Decimal(c["total"]), (c["customer"], total, c["total"])
        if c.get("scopes"):
            assert money_text(Fraction(subtotal_w) / d, cur) == c["subtotal"], c["customer"]
            for s in c["scopes"]:
                sub, _capped, sd, _, _ = scopes[(c["customer"], s["service"], s["region"])]
                assert money_text(Fraction(sub) / sd, cur) == s["subtotal"], (c["customer"], s)
        else:  # v1: the report's subtotal is the lines' sum before the cap
            assert Fraction(scopes_w + per_miss_w) / d == Fraction(Decimal(c["subtotal"])), c["customer"]
    return len(customers)


def test_bundled_events_agree() -> None:
    cases = [("websoft9", "websoft9-2025-03", "2025-03"), ("nimbus-cloud", "nimbus-cloud-2026-05", "2026-05")]
    for contract, folder, period in cases:
        policy = load_policy((ROOT / "contracts" / f"{contract}.sla").read_text(), f"{contract}.sla")
        d = ROOT / "contracts" / "events" / folder
        files = {p.stem: str(p) for p in d.glob("*.csv")}
        inputs = Inputs(
            customers=files["customers"], incidents=files["incidents"], tickets=files.get("tickets"),
            charges=files.get("charges"), requests=files.get("requests"),
        )  # fmt: skip
        assert agree(policy, read_events_any(policy, inputs), period) >= 2


@pytest.mark.parametrize("contract", ["acme-crm", "websoft9", "nimbus-cloud"])
def test_contract_examples_agree(contract: str) -> None:
    policy = load_policy((ROOT / "contracts" / f"{contract}.sla").read_text(), f"{contract}.sla")
    for ex in policy.raw["examples"]:
        tier = ex["tier"] or next(iter(policy.tiers))
        assert agree(policy, example_events(policy, ex, tier), example_period(policy, ex)) == 1


def test_unsupported_terms_are_refused_not_approximated() -> None:
    """harbor-desk billed monthly keeps its cap per quarter: a cap over earlier windows, not in SQL."""
    from tests.test_engine_v2 import _variant
    from tests.test_engine_v2_clocks import BARE, MONTHLY

    policy = load_policy(_variant(BARE, MONTHLY), "harbor-monthly.sla")
    with pytest.raises(Unsupported, match="cap per quarter over shorter windows"):
        customer_credit_sql(policy)


# ---- random corpora ------------------------------------------------------------------------------

QUARTERLY_SHARES = (
    "\n"
    + header("desk", 'en "Desk SLA"', zone="Europe/Berlin", currency="EUR", billing="quarterly")
    + """  service api { name en "API" }
  service portal { name en "Portal" }
  availability {
    window calendar quarter
    minimum outage 5min
    excludes maint
  }
  tier basic { name en "Basic"
    uptime 99.5% }
  tier business { name en "Business"
    uptime 99.9%
    uptime 99.5% for portal }
  condition paid { en "invoices paid" }
  credit downtime {
    requires paid
    when uptime below target 7.5% of monthly_fee
    when uptime at or below 99.0% 2 service_days
    when uptime below 98.0% 33.3% of window_fee
  }
  credit flat {
    applies business
    when uptime at or below 99.95% 12.34 EUR
  }
  minimum credit 5 EUR per month
  cap 9 service_days per quarter
  exclude maint { maintenance notice 72h limit 2h per year
    en "maintenance" }
}
"""
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_v1_events_agree(seed: int) -> None:
    """A v1 policy in three zones: bands of the monthly fee, per-miss responses, a cap on the fee."""
    from slac.runtime import load_policy as load_json
    from tests.runtime_fixtures import random_events, zones_policy_text

    policy = load_json(zones_policy_text())
    events = random_events(policy, "2026-03", seed=seed, customers=40, tickets=3000, incidents=300)
    assert agree(policy, events, "2026-03") == 40


@pytest.mark.parametrize(("period", "seed"), [("2026-03", 21), ("2026-05", 22)])
def test_random_scoped_month_agrees(period: str, seed: int) -> None:
    """Shares of service charges per region, a condition, an inclusive band, a cap per scope, a minimum credit."""
    from tests.test_v2_crosscheck import NIMBUS_LIKE, random_scoped_events

    policy = load_policy(NIMBUS_LIKE)
    events = random_scoped_events(policy, period, seed=seed, customers=40, incidents=1500, requests=20_000)
    assert agree(policy, events, period) == 40


@pytest.mark.parametrize(("period", "seed"), [("2026-Q1", 31), ("2026-Q2", 32), ("2026-Q4", 33)])
def test_random_quarter_agrees(period: str, seed: int) -> None:
    """Monthly fee ÷ 3, days of service ÷ 90…92, money, a cap in days of service: exact after the one rounding."""
    from tests.test_v2_crosscheck import random_scoped_events

    policy = load_policy(QUARTERLY_SHARES)
    events = random_scoped_events(policy, period, seed=seed, customers=60, incidents=1200, requests=0)
    assert agree(policy, events, period) == 60


# ---- hand-computed cases -------------------------------------------------------------------------


def test_half_even_at_half_a_cent() -> None:
    """10 % of the monthly fee: 0.25 → 0.025 → 0.02; 0.35 → 0.035 → 0.04; 0.45 → 0.045 → 0.04 (half-even).

    Every customer is below 99.95 %: 2460 s (a, c) and 2580 s (b) of 31 × 86400 s (test_plan_availability).
    """
    from tests.test_plan_availability import HAND, hand_events

    policy = load_policy(HAND)
    events = hand_events()
    report = evaluate(policy, events, period="2026-05")
    _, customers = plan_credits(policy, events, "2026-05", report)
    assert {c: row[-2] for c, row in customers.items()} == {
        "a": Decimal("0.02"),
        "b": Decimal("0.04"),
        "c": Decimal("0.04"),
    }
    assert agree(policy, events, "2026-05") == 3


MONEY = (
    "\n"
    + header("money", 'en "Money"')
    + """  service compute { name en "Compute"
    measured per region }
  availability {
    window calendar month
  }
  tier standard { name en "Standard"
    uptime 99.9% }
  condition good { en "in good standing" }
  credit downtime {
    requires good
    when uptime below target 10% of monthly_fee
    when uptime at or below 95.0% 50% of service_charges
  }
  credit severe {
    when uptime below 99.0% 40% of service_charges
  }
  minimum credit 1 USD per month
  cap 60% of service_charges per month
}
"""
)


def test_caps_minimum_condition_inclusive_band() -> None:
    """May 2026 has 2 678 400 s.

    x: us down 2 days (172 800 s, uptime 93.55 % ≤ 95 %) → 50 % of 80 = 40 and `severe` 40 % of 80 = 32,
       72 capped at 60 % of 80 = 48; eu down 1 h (99.87 % < 99.9 %) → 10 % of the fee 5 = 0.50 (cap 18
       does not bind) → 48.50.
    y: eu down 1 h → 0.50, below the minimum credit of 1 → 0.
    z: not in good standing: `downtime` pays nothing, `severe` (no condition) 32 → 32.00.
    w: ap down exactly 5 % (133 920 s = 37 h 12 min): `at or below 95.0%` pays 50 % of 20 = 10, `severe`
       8, 18 capped at 12 → 12.00.
    """
    from tests.test_plan_availability import make_events

    policy = load_policy(MONEY)
    events = make_events(
        [("x", "standard", "5", {"good": True}), ("y", "standard", "5", {"good": True}),
         ("z", "standard", "5", {"good": False}), ("w", "standard", "5", {"good": True})],
        [
            ("u1", "2026-05-10T00:00", "2026-05-12T00:00", None, None, None, "compute", "us"),
            ("e1", "2026-05-10T00:00", "2026-05-10T01:00", None, None, None, "compute", "eu"),
            ("a1", "2026-05-10T00:00", "2026-05-11T13:12", None, None, None, "compute", "ap"),
        ],
        charges=[("x", "compute", "us", "80"), ("x", "compute", "eu", "30"), ("y", "compute", "eu", "10"),
                 ("z", "compute", "us", "80"), ("w", "compute", "ap", "20")],
    )  # fmt: skip
    report = evaluate(policy, events, period="2026-05")
    scopes, customers = plan_credits(policy, events, "2026-05", report)
    assert {c: row[-2] for c, row in customers.items()} == {
        "x": Decimal("48.50"),
        "y": Decimal("0"),
        "z": Decimal("32.00"),
        "w": Decimal("12.00"),
    }
    sub, capped, d, _, _ = scopes[("x", "compute", "us")]
    assert (Fraction(sub) / d, Fraction(capped) / d) == (72, 48)
    assert agree(policy, events, "2026-05") == 4


def test_credit_sql_transpiles_strictly() -> None:
    import sqlglot
    from sqlglot.errors import ErrorLevel

    from tests.test_plan_availability import HAND
    from tests.test_v2_crosscheck import QUARTERLY

    for source in (HAND, MONEY, QUARTERLY_SHARES, FORMULA, QUARTERLY):
        policy = load_policy(source)
        for sql in (scope_downtime_sql(policy), scope_credit_sql(policy), customer_credit_sql(policy)):
            for dialect in ("spark", "bigquery", "snowflake", "postgres"):
                assert sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE)


FORMULA = (
    "\n"
    + header("formula", 'en "Formula"')
    + """  availability {
    window calendar month
  }
  tier standard { name en "Standard"
    uptime 99.99% }
  credit downtime {
    applies standard
    when uptime below target 10 * window_fee * downtime / window
  }
}
"""
)


def test_formula_exact_ties_and_non_terminating_division() -> None:
    """1 h down in May: 10 × fee × 3600 / 2 678 400 = fee × 5/372.

    0.372 → 0.005 exactly, a tie: half-even 0.00; 1.116 → 0.015, a tie: 0.02; 1 → 0.0134408… (does not
    terminate: slack 1) → 0.01; 0.373 → 0.0050134… just above the tie → 0.01.
    """
    from tests.test_plan_availability import make_events

    policy = load_policy(FORMULA)
    fees = {"t1": "0.372", "t2": "1.116", "t3": "1", "t4": "0.373"}
    events = make_events(
        [(c, "standard", fee, {}) for c, fee in fees.items()],
        [("i1", "2026-05-10T00:00", "2026-05-10T01:00", None, None, None, None, None)],
    )
    report = evaluate(policy, events, period="2026-05")
    scopes, customers = plan_credits(policy, events, "2026-05", report)
    assert {c: row[-2] for c, row in customers.items()} == {
        "t1": Decimal("0.00"),
        "t2": Decimal("0.02"),
        "t3": Decimal("0.01"),
        "t4": Decimal("0.01"),
    }
    slack = {key[0]: row[3] for key, row in scopes.items()}
    assert slack == {"t1": 0, "t2": 0, "t3": 1, "t4": 1}
    assert agree(policy, events, "2026-05") == 4


@pytest.mark.parametrize(("period", "seed"), [("2026-Q1", 41), ("2026-Q4", 43)])
def test_random_formula_quarter_agrees(period: str, seed: int) -> None:
    """`10 * window_fee * downtime / window` and `min(window_fee, 20 * …)` over a quarter across DST, capped in days."""
    from tests.test_v2_crosscheck import QUARTERLY, random_scoped_events

    policy = load_policy(QUARTERLY)
    events = random_scoped_events(policy, period, seed=seed, customers=60, incidents=1500, requests=0)
    assert agree(policy, events, period) == 60


def test_a_cap_over_a_longer_span_needs_the_earlier_windows_ledger() -> None:
    """A quarterly cap over monthly windows reads what the quarter's earlier months used of it: without
    their ledger the plan refuses rather than cap each month alone."""
    policy = load_policy(
        MONEY.replace("cap 60% of service_charges per month", "cap 60% of service_charges per quarter")
    )
    with pytest.raises(Unsupported, match="cap per quarter over shorter windows needs the ledger"):
        scope_credit_sql(policy)


def test_a_cap_per_quarter_over_months_is_what_the_earlier_months_left() -> None:
    """x's us scope is down 8 h in each month of 2026-Q2 (uptime below 99 % and below the 99.9 % target):
    `severe` 40 % of the 80 USD charges = 32 and `downtime` 10 % of the 5 USD fee = 0.50, 32.50 a month.
    The cap is 60 % of 80 = 48 for the quarter: April 32.50; May what is left, 48 − 32.50 = 15.50; June 0
    (its total is 0, below the minimum credit, so it uses nothing either). Each month's cap_ledger row is
    the next month's cap_used; the numpy engine, which evaluates the earlier months itself, agrees."""
    from tests.test_plan_availability import make_events

    policy = load_policy(
        MONEY.replace("cap 60% of service_charges per month", "cap 60% of service_charges per quarter")
    )
    events = make_events(
        [("x", "standard", "5", {"good": True})],
        [(f"u{m}", f"2026-0{m}-10T00:00", f"2026-0{m}-10T08:00", None, None, None, "compute", "us") for m in (4, 5, 6)],
        charges=[("x", "compute", "us", "80")],
    )
    used: list[tuple[Any, ...]] = []
    totals = {}
    for period in ("2026-04", "2026-05", "2026-06"):
        report = evaluate(policy, events, period=period)
        totals[period] = plan_credits(policy, events, period, report, used)[1]["x"][-2]
    assert totals == {"2026-04": Decimal("32.50"), "2026-05": Decimal("15.50"), "2026-06": Decimal("0")}
    # April's capped credit and May's, exact (slack 0); June paid nothing, so it has no row
    assert [(r[0], r[4], r[5]) for r in used] == [("2026-04", Decimal("32.5"), 0), ("2026-05", Decimal("15.5"), 0)]
    used.clear()
    for period in ("2026-04", "2026-05", "2026-06"):
        assert agree(policy, events, period, used) == 1


@pytest.mark.parametrize("seed", [51, 52])
def test_random_quarters_of_monthly_windows_under_a_yearly_or_quarterly_cap_agree(seed: int) -> None:
    """Random months of 2026 under a per-scope cap per quarter, and a customer cap per year: each month's
    totals are the numpy engine's, the earlier months' use of the cap carried by the ledger alone."""
    from tests.test_v2_crosscheck import random_scoped_events

    quarterly = ("cap 60% of service_charges per month", "cap 60% of service_charges per quarter")
    days = ("when uptime below 99.0% 40% of service_charges", "when uptime below 99.0% 1 service_day")
    for edits in ([quarterly], [("cap 60% of service_charges per month", "cap 30 USD per year")], [quarterly, days]):
        # the last: a day of service is the fee ÷ 30 or 31, whose capped credit does not end in 18 decimals:
        # its ledger rows carry a slack, and the next months must still not be ambiguous (plan_credits says)
        policy = load_policy(variant(MONEY, edits))
        # one history for every month: January to July 2026
        events = random_scoped_events(policy, "2026-07", seed=seed, customers=25, incidents=900, requests=0,
                                      history_days=181)  # fmt: skip
        used: list[tuple[Any, ...]] = []
        bound = 0
        for month in range(1, 8):
            period = f"2026-{month:02d}"
            assert agree(policy, events, period, used) == 25
            report = evaluate(policy, events, period=period)
            caps = [c["cap"] for c in report["customers"]] + [
                s["cap"] for c in report["customers"] for s in c["scopes"]
            ]
            bound += sum(1 for cap in caps if cap and cap.get("windows_before") and cap["applied"])
        assert bound > 0, edits  # some month's cap was left smaller by the earlier months and bound
