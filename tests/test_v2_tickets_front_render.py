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
    # An interval from the previous update, not "every 30 minutes" (once in each half hour of the clock).
    row = (
        "| Enterprise | P1 Critical | 15 minutes (around the clock) | within 30 minutes of the previous update (around"
    )
    assert row in text
    zh = render_markdown(harbor, "zh", results={})
    assert "| 商业版 | P1 紧急 | 30 分钟（全天候） | 上一次更新后 1 小时内（全天候） | 4 小时（全天候） |" in zh


def test_the_clock_clause_says_what_starts_stops_and_pauses_each_time(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    clause = text[text.index("How ticket times are counted") : text.index("## 4 ")]
    assert "from when the ticket is submitted in Harbor's ticket system (its opening) until Harbor's first" in clause
    assert "until the ticket is resolved" in clause
    assert "An update is a message from Harbor on the ticket" in clause
    # The runtime's rule, ceil(L / D) − 1 per gap: up to one interval none, up to two one, up to three two.
    assert "is no longer than one update interval, no update is missed" in clause
    assert "longer than one and up to two update intervals, one update is missed" in clause
    assert "longer than two and up to three update intervals, two are missed" in clause
    assert "Updates are owed only for the tiers and priorities for which clause [3.5](#responses) shows" in clause
    # A target is missed when the time measured exceeds the time allowed (met at exactly D).
    assert (
        "meets its resolution target if its resolution time is no longer than the time shown for it in clause [3.5]"
        in clause
    )
    assert "(#responses), and misses it if its resolution time is longer." in clause
    # Met until the clock runs again after the deadline (the decision instant): at a closing, in a pause.
    assert (
        "The response time, the time between updates, and the resolution time are counted only during the "
        "service hours shown for them in clause [3.5]" in clause
    )
    assert "close is still met by a response, an update, or a resolution given no later than when they next" in clause
    assert (
        "is on time if the time shown for it in clause [3.5](#responses) had not been exceeded when the pause" in clause
    )
    assert "A reopened ticket has no new response target." in clause  # the response clock runs once
    # Harbor's update intervals are all around the clock: no "only during its service hours" for them.
    assert "The time between updates is counted around the clock, except while the clock is paused" in clause
    # Neither has a credit (only `per missed resolution`): said for both, not for updates alone.
    assert "A missed response target or a missed update does not give rise to a service credit." in clause
    # An update sent late starts the next interval (ceil(L / D) − 1): the next one is due after it.
    assert "Once an update is sent, the next update falls due one update interval after it." in clause
    # `resolved` resolves, any later status reopens; every cycle counts in the ticket's own quarter.
    assert "If the ticket is later given any other status, it is reopened" in clause
    assert "For measuring the times under this clause, a ticket is resolved when Harbor gives it the status" in clause
    # Every miss counts in the ticket's own quarter (runtime/evaluate.py takes the tickets opened in it).
    assert (
        "Every missed resolution target of a ticket, including one after a reopening, is attributed to the "
        "calendar quarter in which the ticket was first opened, and any service credit for it is a credit for "
        "that calendar quarter." in clause
    )
    assert "“pending\\_customer” and “on\\_hold” are statuses in Harbor's ticket system" in clause
    assert "While a ticket has either of these statuses" in clause  # two statuses: "either"
    assert "does not count towards the response time, the time between updates, or the resolution time" in clause
    # A pause ends only at a status that does not pause (runtime/tickets.py): on_hold after pending_customer
    # keeps the clock paused.
    assert "The clock runs again only when the ticket is given a status other than these; a change from" in clause
    # p1 without an outage is measured at p2 from its opening (the effective priority).
    assert (
        "A ticket treated as P2 Normal under clause [3.4](#priorities) is measured against the P2 Normal targets "
        "from its opening." in clause
    )
    zh = render_markdown(harbor, "zh", results={})
    assert "工单转为上述状态以外的状态时，方恢复计时，在上述状态之间转换的，不恢复计时。" in zh
    assert "就本条各项时间的计算而言，海港在其工单系统中将工单状态设为“resolved”（已解决）之时，为工单解决之时。" in zh
    assert "为一次“解决超时”；未超过的，为按时解决。" in zh and "达到解决时限" not in zh
    # Said only when it applies: no target is in business days, and the at-risk share is internal.
    assert "business day" not in clause and "75" not in text and "risk" not in text


def test_business_days_are_explained_only_when_a_target_uses_them() -> None:
    source = BASE.replace("resolve p2 within 18h   during office", "resolve p2 within 2 business_days during office")
    text = render_markdown(policy_of(source), "en", results={})
    assert "| Business | P2 Normal | 4 hours (business hours) | — | 2 business days (business hours) |" in text
    assert "A business day is a day on which there are business hours." in text  # the one calendar, named
    assert "ends at the same time of day as it started, on the last of that number of business days after" in text
    zh = render_markdown(policy_of(source), "zh", results={})
    assert "2 个工作日（工作时间）" in zh and "工作日是指有工作时间的日期" in zh
    # Not "every business day", which reads as "once on each business day": the interval runs from the update.
    daily = policy_of(
        source.replace("update  p1 every 1h     during always", "update  p1 every 1 business_day during office")
    )
    assert "| within 1 business day of the previous update (business hours) |" in render_markdown(
        daily, "en", results={}
    )
    assert "| 上一次更新后 1 个工作日内（工作时间） |" in render_markdown(daily, "zh", results={})


def test_a_pause_extends_a_business_day_resolution_and_a_single_status_reads_as_one() -> None:
    # Response and resolution targets in business days are open time fixed at the start, which a pause
    # extends (runtime/clocks.py); the sentence says so only when a pause and such a target both exist.
    source = BASE.replace("resolve p2 within 18h   during office", "resolve p2 within 2 business_days during office")
    source = source.replace("pause when status pending_customer on_hold", "pause when status pending_customer")
    text = render_markdown(policy_of(source), "en", results={})
    assert (
        "Where a resolution target is given in business days, its period starts when the clock starts and ends as "
        "set out above; if the clock is paused before the period ends, its end moves later by the service hours" in text
    )
    assert "“pending\\_customer” is a status in Harbor's ticket system. While a ticket has that status" in text
    zh = render_markdown(policy_of(source), "zh", results={})
    assert "以工作日计的解决时限，自开始计时时起算，按上述规定届满；届满前暂停计时的，届满时点" in zh
    # Chinese has one plural form: one status must not read "其中任一状态" ("any one of them").
    assert "“pending\\_customer”是海港工单系统中的一种工单状态。工单处于该状态期间，暂停计时" in zh
    assert "工单转为其他状态时，恢复计时。" in zh  # one status: "another status" cannot be a pausing one
    assert "其中任一状态" not in zh
    unpaused = source.replace(source[source.index("  ticket clock {") : source.index("  tier business")], "")
    assert "if the clock is paused before the period ends" not in render_markdown(policy_of(unpaused), "en", results={})


def test_one_calendar_reads_during_its_hours_and_a_reopening_counts_in_the_month() -> None:
    # Every ticket target during `office`: "counted only during business hours", not "counted business hours";
    # without an availability window the cycles count in the calendar month (the document's own period).
    source = BASE.replace("during always", "during office").replace("billing   quarterly", "billing   monthly")
    av = source[source.index("  availability {") : source.index("  priority p1")]
    source = source.replace(av, "").replace("    uptime 99.9%\n", "").replace("    uptime 99.99%\n", "")
    source = source.replace(source[source.index("  credit downtime {") : source.index("  credit late_resolution")], "")
    text = render_markdown(policy_of(source), "en", results={})
    assert "All these times are counted only during business hours." in text
    assert "is attributed to the calendar month in which the ticket was first opened" in text
    zh = render_markdown(policy_of(source), "zh", results={})
    assert "上述时间均仅在工作时间内计算。" in zh and "均归入该工单最初提交时所在的自然月，" in zh
    always = render_markdown(policy_of(BASE.replace("during office", "during always")), "en", results={})
    assert "All these times run around the clock." in always


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
    # Per missed target, not per ticket: a reopened ticket can miss its resolution target twice.
    assert "For each missed resolution target, the Customer is entitled" in text
    assert "where a resolution target is missed because of" in text
    updates = BASE.replace("per missed resolution 1 service_day", "per missed update 1 service_day")
    text = render_markdown(policy_of(updates), "en", results={})
    assert "For each missed update, the Customer is entitled to a service credit of 1 day of service." in text
    assert "a missed update does not give rise" not in text  # it does, here
    assert "A missed response target or a missed resolution target does not give rise" in text
    # With an update credit, updates are attributed too (the runtime counts them in the ticket's period).
    assert "Every missed update and missed resolution target of a ticket, including one after a reopening" in text
    assert (
        "One day of service is the fee for the calendar quarter to which the missed update is attributed under "
        "clause [3.6](#ticket-clock), divided by the number of days in that calendar quarter." in text
    )
    zh = render_markdown(policy_of(updates), "zh", results={})
    assert "每发生一次更新超时，客户有权获得金额为 1 个服务日的服务补偿。" in zh


def test_example_tickets_show_updates_pauses_and_resolution(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    assert (
        "in a status that pauses the clock from April 8, 2026, 09:00 (China Standard Time) for 24 hours, "
        "and resolved on April 10, 2026, 09:30 (China Standard Time)" in text
    )
    assert "updated on May 20, 2026, 10:15 (China Standard Time) and May 20, 2026, 11:30" in text
    assert "- Missed resolution targets: 20" in text and "- Missed updates: 1" in text


def test_priorities_are_described_in_the_parties_own_words(harbor) -> None:
    text = render_markdown(harbor, "en", results={})
    assert (
        "- P1 Critical: The workspace is unavailable for all of its users. A ticket stated as P1 Critical that "
        "does not meet this description is treated as a P2 Normal ticket from its opening." in text
    )
    assert "- P2 Normal: A feature misbehaves, or a question about use." in text
    assert "infrastructure" not in text
    zh = render_markdown(harbor, "zh", results={})
    assert "- P1 紧急：整个工作区无法使用。注明为“P1 紧急”但不符合该描述的工单，自提交时起按“P2 一般”工单处理。" in zh
    assert "- P2 一般：部分功能异常或使用咨询。" in zh
    assert "暂停计时" in zh and "停止计算" not in zh
