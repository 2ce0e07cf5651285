"""The hand-computed availability contract of the plan's and the engines' tests (one service `api` with an
error-rate rule, a 5-minute minimum outage, whole minutes, announced maintenance with a yearly allowance),
written once: tests/test_plan_availability.py uses it as it is, tests/test_engine_v2.py with a
customer-caused exclusion too. Also `LATE_ON_CHARGES`, a variant of the bundled nimbus-cloud that
pays per missed resolution on `service_charges` (tests/test_engine_v2_clocks.py and
tests/test_v2_per_miss_crosscheck.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variant(source: str, edits: list[tuple[str, str]]) -> str:
    """`source` with each (old, new) replaced; every old text must be there."""
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    return source


def bare(name: str) -> str:
    """A bundled contract without its examples (a variant's examples would expect other numbers)."""
    text = (ROOT / "contracts" / name).read_text()
    return text[: text.index("\n  example ")] + "\n}\n"


# nimbus-cloud with a priority, response and resolution targets and a credit per missed resolution on
# `service_charges` (every scope's charges of the customer).
LATE_ON_CHARGES = variant(
    bare("nimbus-cloud.sla"),
    [
        ("  tier standard {", '  priority p1 {\n    name en "P1" zh "P1"\n  }\n\n  tier standard {'),
        ("    uptime 99.9%  for object_storage\n",
         "    uptime 99.9%  for object_storage\n    respond p1 within 1h during always\n    resolve p1 within 4h during always\n"),
        ("  minimum credit 1 USD",
         '  credit late {\n    name en "Late resolution" zh "解决超时"\n    per missed resolution 5% of service_charges\n  }\n'
         "  minimum credit 1 USD"),
    ],
)  # fmt: skip


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
