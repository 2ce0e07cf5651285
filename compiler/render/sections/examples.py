"""Worked examples: the given facts, the expected figures and the evaluator's computed result."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..doc import Block, Inline, Items, Para
from .result_lines import breach_lines, shown_uptime

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def examples(b: DocBuilder, probe: bool = False) -> Any:
    examples = b.p["examples"]
    if probe:
        return bool(examples)
    key = "examples.intro_computed" if b.results else "examples.intro"
    clauses = [(title(b, ex), example_blocks(b, i, ex), f"example-{i + 1}") for i, ex in enumerate(examples)]
    return [b.para(key)], clauses


def title(b: DocBuilder, ex: dict[str, Any]) -> str:
    """An example's title: a v1 single string as written, a v2 per-language title in this language."""
    return b.text(ex.get("titles"), ex["title"])


def example_blocks(b: DocBuilder, index: int, ex: dict[str, Any]) -> tuple[Block, ...]:
    facts: list[Para] = []
    if ex["tier"]:
        facts.append(b.para("examples.tier", tier=b.tier_name(ex["tier"])))
    if ex["fee"]:
        facts.append(b.para("examples.fee", fee=b.f.money(ex["fee"]["amount"], ex["fee"]["currency"])))
    if ex["period"]:
        from . import v2

        other = v2.period_text(b, ex["period"])  # a quarter or a year (language v2)
        if other is not None:
            facts.append(other)
        else:
            year, month = ex["period"].split("-")
            facts.append(b.para("examples.period", period=period(b, int(year), int(month))))
    for ev in ex["events"]:
        facts.append(event(b, ev))
    from . import v2

    facts += v2.conditions_unmet(b, ex)  # a condition the customer does not meet is a fact (language v2)
    blocks: list[Block] = [b.para("examples.given"), Items(tuple(facts))]
    expect = ex["expect"]
    from . import v2

    expected: list[Para] = v2.expected(b, ex)
    if "uptime" in expect:
        expected.append(b.para("examples.expect_uptime", uptime=b.f.percent(expect["uptime"]["percent"])))
    if "breaches" in expect:
        n = expect["breaches"]["count"]
        expected.append(Para((b.plural("examples.expect_breaches", n, n=b.f.number(n)),)))
    from . import tickets

    expected += tickets.expected(b, expect)  # missed resolutions and updates (issue 12)
    if "credit" in expect:
        expected.append(
            b.para(
                "examples.expect_credit",
                credit=b.f.money(expect["credit"]["amount"], expect["credit"]["currency"]),
            )
        )
    result = b.results.get(index)
    if result is not None:
        # The result as computed, once: the example's `expect` lines were checked against it before the
        # document was written (a failed example stops the render), so they would only say the same again.
        blocks += result_blocks(b, result)
    elif expected:
        blocks += [b.para("examples.expected"), Items(tuple(expected))]
    return tuple(blocks)


def period(b: DocBuilder, year: int, month: int) -> str:
    import datetime as dt

    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=b.f.locale)


def event(b: DocBuilder, ev: dict[str, Any]) -> Para:
    from . import v2

    extended = v2.event(b, ev)  # charges, requests (language v2)
    if extended is not None:
        return extended
    times = b.plural("examples.times", ev["repeat"], n=b.f.number(ev["repeat"])) if ev["repeat"] > 1 else ""
    if ev["kind"] == "ticket":
        from . import tickets

        parts = tickets.event_parts(b, ev)  # updated, paused, resolved (issue 12)
        key = "examples.ticket" if ev["responded"] else "examples.ticket_open"
        if ev["repeat"] > 1:  # "25 张普通优先工单，均于…", not "一张…（共 25 次）"
            key, times = key.replace("ticket", "tickets"), ""
        if parts and ev["responded"]:  # "opened on …, responded to on …, and resolved on …"
            key += "_then"
        text = b.t(
            key,
            n=b.f.number(ev["repeat"]),
            priority=b.priority_name(ev["priority"]),
            opened=b.f.timestamp(ev["opened"]),
            responded=b.f.timestamp(ev["responded"]) if ev["responded"] else "",
        )
        text += tickets.joined(b, parts)
        if ev["outage"]:
            text += outage_words(b, ev["priority"], ev["repeat"] > 1)
    else:
        text = b.t("examples.outage", start=b.f.timestamp(ev["start"]), duration=b.f.duration(ev["duration_seconds"]))
        text += v2.outage_scope(b, ev)
        if ev["announced"]:
            text += b.t("examples.announced", at=b.f.timestamp(ev["announced"]))
    cause: tuple[Inline, ...] = ()
    if ev["cause"]:
        cause = b.para("examples.cause", clause=b.exclusion_links([ev["cause"]])[0]).parts
    return Para((text, *cause, times) if times else (text, *cause))


def outage_words(b: DocBuilder, priority: str, many: bool) -> str:
    """An example ticket's outage flag: for a priority that requires one, the ticket meets its description
    (it is not downgraded); "reporting an outage" would sit oddly beside an uptime of 100%."""
    prio = next((p for p in b.p["priorities"] if p["id"] == priority), None)
    number = b.clause_numbers.get(("standards", "priorities"))
    if prio is None or not prio["requires_outage"] or number is None:
        return b.t("examples.reports_outage")
    key = "examples.meets_description" if prio.get("description") else "examples.meets_requirement"
    key += "_each" if many else ""
    return b.t(key, priority=b.priority_name(priority), clause=number)


def result_blocks(b: DocBuilder, entry: dict[str, Any]) -> list[Block]:
    """The evaluator's report entry for the example, read as a reader would check it."""
    currency = entry["currency"]
    if "scopes" in entry:  # a v2 report entry: per service and region
        from . import v2

        return v2.result_blocks(b, entry)
    lines: list[Para] = []
    uptime = entry["uptime"]
    if (
        uptime["target"] is not None
        or entry["downtime"]["counted_seconds"]
        or any(c["kind"] == "band" for c in entry["credits"])
    ):
        if uptime["target"] is not None:
            key = "examples.result_uptime_met" if uptime["met"] else "examples.result_uptime_missed"
            lines.append(b.para(key, uptime=shown_uptime(b, uptime), target=b.f.percent(uptime["target"])))
        else:
            lines.append(b.para("examples.result_uptime", uptime=shown_uptime(b, uptime)))
    if entry["tickets"]["measured"]:
        lines += breach_lines(b, entry)
    from . import tickets

    clocks = tickets.applies(b)
    if clocks:  # missed resolutions and updates, as the v2 result shows them (review 6, V3 / ZH S8)
        from .v2 import ticket_result_lines

        lines += ticket_result_lines(b, entry)
    for credit in entry["credits"] if not clocks else [c for c in entry["credits"] if c["kind"] != "per_miss"]:
        name = b.known("credit.names", credit["credit"], b.t("credit.heading"))
        amount = b.f.money(credit["amount"], currency)
        if credit["kind"] == "band":
            threshold = (
                b.t("credit.below_target")
                if credit["threshold_is_target"]
                else b.t("credit.below", percent=b.f.percent(credit["threshold"]))
            )
            share = (
                b.amount(credit["band"]) if "share" in credit["band"] else b.f.money(credit["band"]["money"], currency)
            )
            lines.append(b.para("examples.result_band", credit=name, threshold=threshold, share=share, amount=amount))
        else:
            lines.append(
                b.para(
                    "examples.result_per_miss",
                    credit=name,
                    count=b.f.number(credit["count"]),
                    each=b.f.money(credit["each_amount"], currency),
                    amount=amount,
                )
            )
    if entry["cap"] and entry["cap"]["applied"] and not clocks:  # with clocks: in ticket_result_lines
        lines.append(b.para("examples.result_cap", limit=b.f.money(entry["cap"]["limit"], currency)))
    if clocks:
        lines.append(b.para("v2.result_total", amount=b.f.money(entry["total"], currency)))
    else:
        lines.append(b.para("examples.expect_credit", credit=b.f.money(entry["total"], currency)))
    claim = entry.get("claim")
    if claim and claim["required"] and claim["deadline"] and Decimal(entry["total"]) > 0:
        lines.append(b.para("examples.result_claim_by", deadline=b.f.timestamp(claim["deadline"])))
    return [b.para("examples.computed"), Items(tuple(lines))]
