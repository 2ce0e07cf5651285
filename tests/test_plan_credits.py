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
from tests.test_plan_availability import load_policy, load_relations  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def plan_credits(policy: Any, events: Events, period: str, report: dict[str, Any]) -> tuple[Any, Any]:
    """(scope rows, customer rows) of the plan's credit SQL over the events, with the report's breaches."""
    con = load_relations(policy, events, period)
    con.execute(f"CREATE TABLE scope_downtime AS {scope_downtime_sql(policy)}")
    con.execute(
        "CREATE TABLE ticket_results (row BIGINT, customer VARCHAR, effective VARCHAR, deadline BIGINT,"
        " state TINYINT, excluded BOOLEAN, line INTEGER)"
    )
    for c in report["customers"]:
        for b in c["breaches"]:
            con.execute(
                "INSERT INTO ticket_results VALUES (?, ?, ?, NULL, 1, FALSE, ?)",
                [b["row"], c["customer"], b["effective_priority"], b["target_line"]],
            )
    scopes = {(r[0], r[1], r[2]): r[3:] for r in con.execute(scope_credit_sql(policy)).fetchall()}
    customers = {r[0]: r[1:] for r in con.execute(customer_credit_sql(policy)).fetchall()}
    return scopes, customers


def agree(policy: Any, events: Events, period: str) -> int:
    """Assert every customer's total (and each scope's subtotal) equals the numpy report's; how many compared."""
    report = evaluate(policy, events, period=period)
    scopes, customers = plan_credits(policy, events, period, report)
    cur = policy.currency
    assert set(customers) == {c["customer"] for c in report["customers"]}
    for c in report["customers"]:
        scopes_w, per_miss_w, subtotal_w, d, total = customers[c["customer"]]
        assert total == Decimal(c["total"]), (c["customer"], total, c["total"])
        if c.get("scopes"):
            assert money_text(Fraction(subtotal_w) / d, cur) == c["subtotal"], c["customer"]
            for s in c["scopes"]:
                sub, _capped, sd = scopes[(c["customer"], s["service"], s["region"])]
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


def test_formulas_are_refused_not_approximated() -> None:
    policy = load_policy((ROOT / "contracts" / "harbor-desk.sla").read_text(), "harbor-desk.sla")
    with pytest.raises(Unsupported, match="formula|cap per|missed"):
        customer_credit_sql(policy)
