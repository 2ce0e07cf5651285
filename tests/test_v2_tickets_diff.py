"""`slac diff` on ticket clocks (issue 12): each change with its direction as the customer sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

import slac
from slac.change.diff import diff
from slac.change.strings import Strings

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")
BASE = SOURCE[: SOURCE.index("  example ")] + "}\n"


def changes(old: str, new: str) -> dict[str, object]:
    a = slac.compile_policy(old, file="old.sla")
    b = slac.compile_policy(new, file="new.sla")
    return {c.term: c for c in diff(a, b).changes}


def kinds(old: str, new: str) -> dict[str, str]:
    return {term: c.kind for term, c in changes(old, new).items()}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("old", "new", "term", "kind"),
    [
        # Resolution targets: longer gives the provider more time.
        ("resolve p1 within 4h ", "resolve p1 within 6h ", "tier:business/resolution:p1", "reduction"),
        ("resolve p1 within 4h ", "resolve p1 within 3h ", "tier:business/resolution:p1", "improvement"),
        # The same 4h counted in office hours (45 open hours a week) instead of around the clock: a reduction.
        ("resolve p1 within 4h    during always", "resolve p1 within 4h during office", "tier:business/resolution:p1", "reduction"),
        # Update intervals: longer lets more time pass without news.
        ("update  p1 every 1h ", "update  p1 every 2h ", "tier:business/update:p1", "reduction"),
        ("update  p1 every 30min ", "update  p1 every 15min ", "tier:enterprise/update:p1", "improvement"),
        ("    update  p1 every 1h     during always\n", "", "tier:business/update:p1", "reduction"),
        ("    resolve p2 within 18h   during office\n", "", "tier:business/resolution:p2", "reduction"),
        ("    respond p2 within 4h    during office\n", "    respond p2 within 4h during office\n    update p2 every 4h during office\n", "tier:business/update:p2", "improvement"),
        # Business days: more of them is longer; open time against business days cannot be ranked.
        ("resolve p2 within 18h   during office", "resolve p2 within 2 business_days during office", "tier:business/resolution:p2", "reduction"),
        ("respond p2 within 4h    during office", "respond p2 within 1 business_day during office", "tier:business/response:p2", "reduction"),
        # Pausing statuses: a new one stops the clock more often.
        ("pending_customer on_hold", "pending_customer on_hold awaiting_vendor", "ticket_clock/pause:awaiting_vendor", "reduction"),
        ("pending_customer on_hold", "pending_customer", "ticket_clock/pause:on_hold", "improvement"),
        # The at-risk share promises the customer nothing.
        ("warn at 75%", "warn at 50%", "ticket_clock:warn_percent", "neutral"),
        # Per-miss credits: a lower amount is a reduction; paying for another kind of miss is unranked.
        ("per missed resolution 1 service_day", "per missed resolution 0.5 service_day", "credit:late_resolution/per_miss", "reduction"),
        ("per missed resolution 1 service_day", "per missed resolution 2 service_days", "credit:late_resolution/per_miss", "improvement"),
        ("per missed resolution 1 service_day", "per missed update 1 service_day", "credit:late_resolution/per_miss_target", "reduction"),
    ],
)  # fmt: skip
def test_direction_of_each_ticket_term(old: str, new: str, term: str, kind: str) -> None:
    assert old in BASE
    found = kinds(BASE, BASE.replace(old, new, 1))
    assert found.get(term) == kind, found


def test_the_ticket_clock_added_makes_each_status_a_reduction_and_removed_an_improvement() -> None:
    without = BASE.replace(BASE[BASE.index("  ticket clock {") : BASE.index("  tier business")], "")
    added = kinds(without, BASE)
    assert added["ticket_clock/pause:pending_customer"] == "reduction"
    assert added["ticket_clock/pause:on_hold"] == "reduction"
    assert added["ticket_clock:warn_percent"] == "neutral"
    removed = kinds(BASE, without)
    assert removed["ticket_clock/pause:on_hold"] == "improvement"


def test_ambiguous_changes_say_why_and_need_review() -> None:
    found = changes(BASE, BASE.replace("resolve p2 within 18h", "resolve p2 within 2 business_days"))
    change = found["tier:business/resolution:p2"]
    assert change.ambiguous  # type: ignore[attr-defined]
    en, zh = Strings("en"), Strings("zh")
    assert "business days" in change.reason(en)  # type: ignore[attr-defined]
    assert change.detail(en) == "18 h (office) → 2 business days (office)"  # type: ignore[attr-defined]
    assert "工作日" in change.detail(zh)  # type: ignore[attr-defined]


def test_words_of_a_resolution_credit_are_not_those_of_a_response_credit() -> None:
    found = changes(BASE, BASE.replace("per missed resolution 1 service_day", "per missed resolution 0.5 service_day"))
    change = found["credit:late_resolution/per_miss"]
    en = Strings("en")
    # The credit as the contract names it (`name en "Late resolution credit"`), not its identifier.
    assert change.subject(en) == "Late resolution credit: per missed resolution"  # type: ignore[attr-defined]
    assert change.subject(Strings("zh")) == "解决超时补偿：每次解决超时"  # type: ignore[attr-defined]
    assert change.reason(en) == "a smaller credit per missed resolution"  # type: ignore[attr-defined]


def test_same_contract_has_no_changes() -> None:
    assert kinds(BASE, BASE) == {}
