"""Issue 12 in the document: the ticket targets table and how its times are counted, in both languages.

harbor-desk's goldens, with the examples' computed results, are tests/test_render.py's (one golden per
file); the tests here read the ticket sentences without results."""

from __future__ import annotations

from typing import Any

import pytest

from slac.driver import compile_source
from slac.render import render_markdown

from .conftest import ROOT

HARBOR = ROOT / "contracts" / "harbor-desk.sla"
GOLDEN = ROOT / "tests" / "golden" / "render"
SOURCE = HARBOR.read_text(encoding="utf-8")
BASE = SOURCE[: SOURCE.index("  example ")] + "}\n"


def policy_of(source: str) -> dict[str, Any]:
    compiled = compile_source(source, file="harbor-desk.sla", examples=False)
    assert compiled.policy is not None, compiled.diagnostics
    return compiled.policy


@pytest.fixture(scope="module")
def harbor() -> dict[str, Any]:
    return policy_of(SOURCE)


def test_the_targets_table_has_a_row_per_tier_and_priority(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    assert "| Tier | Priority | First response | Updates | Resolution |" in text
    assert "| Business | P2 Normal | 4 hours (business hours) | — | 18 hours (business hours) |" in text
    assert "| Enterprise | P1 Critical | 15 minutes (around the clock) | every 30 minutes (around the clock) |" in text
    zh = render_markdown(harbor, "zh", results={})
    assert "| 商业版 | P1 紧急 | 30 分钟（全天候） | 每小时（全天候） | 4 小时（全天候） |" in zh


def test_the_clock_clause_says_what_starts_stops_and_pauses_each_time(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    clause = text[text.index("How ticket times are counted") : text.index("## 4 ")]
    assert "until Harbor's first response" in clause
    assert "until the ticket is resolved" in clause
    assert "An update is a message from Harbor on the ticket" in clause
    # The runtime's rule, ceil(L / D) − 1 per gap: up to one interval none, up to two one, up to three two.
    assert "no longer than one update interval therefore counts no missed update" in clause
    assert "longer than two and up to three update intervals counts two" in clause
    assert "Updates are owed only for the priorities for which clause [3.5](#responses) shows" in clause
    assert "A missed update does not give rise to a service credit." in clause  # no `per missed update`
    # `resolved` resolves, any later status reopens; every cycle counts in the ticket's own quarter.
    assert "If the ticket later receives any other status, it is reopened" in clause
    assert "counts in the calendar quarter in which the ticket was opened" in clause
    assert "“pending\\_customer” and “on\\_hold” are statuses in Harbor's ticket system" in clause
    assert "the clock resumes when the ticket leaves them" in clause
    assert "all of its targets are those of that priority" in clause  # p1 downgrades to p2
    # Said only when it applies: no target is in business days, and the at-risk share is internal.
    assert "business day" not in clause and "75" not in text and "risk" not in text


def test_business_days_are_explained_only_when_a_target_uses_them() -> None:
    source = BASE.replace("resolve p2 within 18h   during office", "resolve p2 within 2 business_days during office")
    text = render_markdown(policy_of(source), "en", results={})
    assert "| Business | P2 Normal | 4 hours (business hours) | — | 2 business days (business hours) |" in text
    assert "A time given in business days ends at the same time of day" in text
    zh = render_markdown(policy_of(source), "zh", results={})
    assert "2 个工作日（工作时间）" in zh and "以工作日计的时间" in zh


def test_without_updates_or_pauses_their_sentences_are_left_out() -> None:
    source = BASE.replace("    update  p1 every 1h     during always\n", "").replace(
        "    update  p1 every 30min  during always\n", ""
    )
    source = source.replace(source[source.index("  ticket clock {") : source.index("  tier business")], "")
    text = render_markdown(policy_of(source), "en", results={})
    assert "| Tier | Priority | First response | Resolution |" in text
    assert "An update is" not in text and "pending" not in text and "paused" not in text
    assert "it is reopened" in text  # resolution targets remain, and with them the reopening rule


def test_a_contract_with_only_responses_keeps_the_response_table() -> None:
    source = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")
    text = render_markdown(policy_of(source), "en")
    assert "How ticket times are counted" not in text and "First response" not in text


def test_credits_per_missed_resolution_and_update_say_so() -> None:
    text = render_markdown(policy_of(BASE), "en", results={})
    assert "For each ticket whose resolution target is missed, the Customer is entitled" in text
    assert "where a resolution target is missed because of" in text
    updates = BASE.replace("per missed resolution 1 service_day", "per missed update 1 service_day")
    text = render_markdown(policy_of(updates), "en", results={})
    assert "For each missed update, the Customer is entitled to a service credit of 1 day of service." in text
    assert "A missed update does not give rise" not in text  # it does, here
    assert "One day of service is the fee for the calendar quarter divided by the number of days" in text
    zh = render_markdown(policy_of(updates), "zh", results={})
    assert "每发生一次更新超时，客户有权获得服务补偿，金额为 1 个服务日。" in zh


def test_example_tickets_show_updates_pauses_and_resolution(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    assert (
        "in a status that pauses the clock from April 8, 2026, 09:00 (China Standard Time) for 24 hours, "
        "resolved on April 10, 2026, 09:30 (China Standard Time)" in text
    )
    assert "updated on May 20, 2026, 10:15 (China Standard Time) and May 20, 2026, 11:30" in text
    assert "- Missed resolution targets: 20" in text and "- Missed updates: 1" in text


def test_priorities_are_described_in_the_parties_own_words(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    assert (
        "- P1 Critical: The workspace is unavailable for all of its users. A ticket stated as P1 Critical that "
        "does not meet this description is downgraded to P2 Normal by Harbor." in text
    )
    assert "- P2 Normal: A feature misbehaves, or a question about use." in text
    assert "infrastructure" not in text
    zh = render_markdown(harbor, "zh", results={})
    assert "- P1 紧急：整个工作区无法使用。注明为“P1 紧急”但不符合该描述的工单，海港将其降为“P2 一般”。" in zh
    assert "- P2 一般：部分功能异常或使用咨询。" in zh
    assert "暂停计时" in zh and "停止计算" not in zh
