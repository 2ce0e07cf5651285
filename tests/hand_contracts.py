"""The hand-computed availability contract of the plan's and the engines' tests (one service `api` with an
error-rate rule, a 5-minute minimum outage, whole minutes, announced maintenance with a yearly allowance),
written once: tests/test_plan_availability.py uses it as it is, tests/test_engine_v2.py with a
customer-caused exclusion too."""

from __future__ import annotations


def header(
    name: str, title: str, *, languages: str = "en", zone: str = "UTC", currency: str = "USD", billing: str = "monthly"
) -> str:
    """The opening lines most test contracts share, `sla NAME {` to `billing` (version 1, effective 2026-01-01);
    `title` is the clause's text after `title` (`en "K"`). The caller writes the clauses and the closing brace."""
    return (
        f'sla {name} {{\n  title {title}\n  version "1"\n  effective 2026-01-01\n  languages {languages}\n'
        f'  timezone "{zone}"\n  currency {currency}\n  billing {billing}\n'
    )


def hand_contract(*, customer_exclusion: bool = False) -> str:
    """The contract's source; `customer_exclusion`: `cust` excluded as well (and the credit for every tier)."""
    excludes = "maint cust" if customer_exclusion else "maint"
    applies = "" if customer_exclusion else "\n    applies standard"
    cust = '\n  exclude cust { en "customer" }' if customer_exclusion else ""
    return (
        "\n"
        + header("hand", 'en "Hand"')
        + f"""  service api {{ name en "API"
    downtime when error_rate above 5% per 5min }}
  availability {{
    window calendar month
    minimum outage 5min
    downtime counted in whole minutes
    excludes {excludes}
  }}
  tier standard {{ name en "Standard"
    uptime 99.95% }}
  credit downtime {{{applies}
    when uptime below target 10% of monthly_fee
  }}
  exclude maint {{ maintenance notice 2d limit 2h per year
    en "maintenance" }}{cust}
}}
"""
    )
