"""`slac diff` on the terms of language v2: each change classified with its direction for the customer."""

from __future__ import annotations

from pathlib import Path

import pytest

import slac
from slac.change.diff import diff

ROOT = Path(__file__).resolve().parent.parent


def _without_examples(text: str) -> str:
    return text[: text.index("  example en")] + "}\n"


BASE = _without_examples((ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8"))


def kinds(old: str, new: str) -> dict[str, str]:
    a = slac.compile_policy(old, file="old.sla")
    b = slac.compile_policy(new, file="new.sla")
    return {c.term: c.kind for c in diff(a, b).changes}


@pytest.mark.parametrize(
    ("old", "new", "term", "kind"),
    [
        (
            "error_rate above 5% per 5min",
            "error_rate above 10% per 5min",
            "service:object_storage/error_rate",
            "reduction",
        ),
        (
            "error_rate above 5% per 5min",
            "error_rate above 2% per 5min",
            "service:object_storage/error_rate",
            "improvement",
        ),
        ("minimum     outage 1min", "minimum     outage 3min", "availability:minimum_outage", "reduction"),
        ("limit 8h per year", "limit 4h per year", "exclusion:scheduled_maintenance/maintenance_limit", "improvement"),
        ("limit 8h per year", "limit 12h per year", "exclusion:scheduled_maintenance/maintenance_limit", "reduction"),
        ("minimum credit 1 USD per month", "minimum credit 5 USD per month", "minimum_credit:amount", "reduction"),
        ("for 3 consecutive months", "for 2 consecutive months", "termination:months", "improvement"),
        ("below 99.0% for 3", "below 99.5% for 3", "termination:below", "improvement"),
        ("within 2 billing cycles", "within 1 billing cycle", "claim:within_cycles", "reduction"),
        ("    downtime    counted in whole minutes\n", "", "availability:whole_minutes", "improvement"),
    ],
)
def test_direction_of_each_new_term(old: str, new: str, term: str, kind: str) -> None:
    assert old in BASE
    found = kinds(BASE, BASE.replace(old, new))
    assert found.get(term) == kind, found


def test_termination_removed_is_a_reduction() -> None:
    found = kinds(BASE, BASE.replace("  terminate when uptime below 99.0% for 3 consecutive months\n", ""))
    assert found["termination:below"] == "reduction"


def test_same_contract_has_no_changes() -> None:
    assert kinds(BASE, BASE) == {}
