"""Ticket clocks (language v2, issue 12) in the document: the targets table and how its times are counted.

A contract with resolution or update targets gets one table of every ticket target (tier, priority,
first response, updates, resolution) in place of the response table, and a clause saying what starts,
stops and pauses each time, what an update is and what a business day means — each sentence only when
the contract has the term. The at-risk share (`warn at`) is left out on purpose: it tells the help desk
when to hurry and promises the customer nothing, so stating it would read as a commitment to warn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..doc import Block, Para, Table

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder

# (tier section, column key) in the order a ticket meets them.
_KINDS = (
    ("responses", "tickets.col_response"),
    ("updates", "tickets.col_update"),
    ("resolutions", "tickets.col_resolution"),
)


def applies(b: DocBuilder) -> bool:
    """Whether the contract has a target beyond the first response, or one in business days, which this
    section explains (else the v1 response table stands)."""
    return any(
        t.get("resolutions") or t.get("updates") or any("business_days" in r for r in t["responses"])
        for t in b.p["tiers"]
    )


def _targets(b: DocBuilder) -> list[dict[str, Any]]:
    return [r for t in b.p["tiers"] for kind, _ in _KINDS for r in t.get(kind, ())]


def _length(b: DocBuilder, kind: str, r: dict[str, Any]) -> str:
    if "business_days" in r:
        n = r["business_days"]
        if kind == "updates":  # not "every business day", which reads as "once on each business day"
            return b.plural("tickets.update_within", n, n=b.f.number(n))
        return b.plural("tickets.business_days", n, n=b.f.number(n))
    if kind == "updates":  # "within 1 hour of the previous update", not "every hour" (once in each clock hour)
        return b.t("tickets.update_within_time", duration=b.f.duration(r["every_seconds"]))
    return b.f.duration(r["within_seconds"])


def targets_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]]:
    kinds = [(kind, col) for kind, col in _KINDS if any(t.get(kind) for t in b.p["tiers"])]
    tiers = [t for t in b.p["tiers"] if any(t.get(kind) for kind, _ in kinds)]
    calendars = {r["calendar"] for r in _targets(b)}
    single = len(calendars) == 1
    rows, gaps = [], False
    for t in tiers:
        by_kind = {kind: {r["priority"]: r for r in t.get(kind, ())} for kind, _ in kinds}
        for p in (p["id"] for p in b.p["priorities"] if any(p["id"] in targets for targets in by_kind.values())):
            row = [Para((b.tier_name(t["id"]),)), Para((b.priority_name(p),))]
            for kind, _ in kinds:
                r = by_kind[kind].get(p)
                gaps = gaps or r is None
                text = "—" if r is None else _length(b, kind, r)
                if r is not None and not single:
                    text = b.t("tickets.cell", duration=text, hours=b.calendar_label(r["calendar"]))
                row.append(Para((text,)))
            rows.append(tuple(row))
    head = (b.t("tickets.col_tier"), b.t("tickets.col_priority"), *(b.t(col) for _, col in kinds))
    blocks: list[Block] = [b.para("tickets.intro"), Table(head, tuple(rows))]
    if single:
        only = next(iter(calendars))
        if (b.calendars.get(only) or {}).get("always_open"):  # "counted around the clock", not "during …"
            blocks.append(b.para("tickets.single_calendar_always"))
        else:
            blocks.append(b.para("tickets.single_calendar", hours=b.calendar_label(only)))
    else:
        blocks.append(b.para("tickets.calendars"))
    if gaps:
        blocks.append(b.para("tickets.not_measured"))
    return b.t("tickets.clause_targets"), tuple(blocks)


def clock_clause(b: DocBuilder, targets: str, priorities: str | None = None) -> tuple[str, tuple[Block, ...]] | None:
    """The clause on how ticket times are counted; `targets` is the number of the targets clause,
    `priorities` that of the priorities clause (the downgrade rule cites it)."""
    if not applies(b):
        return None
    tiers = b.p["tiers"]
    clause = b.ref(targets, "standards", "responses")
    # A ticket misses a target when the time measured exceeds the time allowed (runtime: `stop > decided`).
    # The first paragraph that counts from the opening says what the opening is (the ticket data's `opened`).
    opening = [b.t("tickets.opening_defined"), b.t("tickets.opening")]
    blocks: list[Block] = []
    if any(t["responses"] for t in tiers):
        blocks.append(b.para("tickets.response", clause=clause, opening=opening.pop(0)))
    if any(t.get("resolutions") for t in tiers):
        blocks.append(b.para("tickets.resolution", clause=clause, opening=opening[0]))
    pause = (b.p.get("ticket_clock") or {}).get("pause") or []
    used = {r["calendar"] for r in _targets(b)}
    closes = not all(b.calendars[c]["always_open"] for c in used if c in b.calendars)
    # How every time is counted comes right after the times are defined (review 6, H4).
    counted = _counted(b, clause, closes, bool(pause))
    if counted is not None:
        blocks.append(counted)
    if closes:
        blocks.append(b.para("tickets.opened_outside"))
    if any(t.get("resolutions") for t in tiers):
        blocks.append(_reopen(b))
    if any(t.get("updates") for t in tiers):
        blocks += _updates(b, targets, bool(pause))
    if pause:
        blocks.append(_pause(b, pause))
    blocks += _business_days(b, targets, bool(pause))
    no_credit = _no_credit(b)
    if no_credit is not None:
        blocks.append(no_credit)
    for to in dict.fromkeys(p["downgrade"] for p in b.p["priorities"] if p["requires_outage"] and p["downgrade"]):
        # Measured at the effective priority from the opening (runtime: `Policy.effective_priority`).
        if priorities is not None:
            blocks.append(
                b.para("tickets.downgrade", to=b.priority_name(to), clause=b.ref(priorities, "standards", "priorities"))
            )
    return b.t("tickets.clause_clock"), tuple(blocks)


def _business_days(b: DocBuilder, targets: str, paused: bool) -> list[Block]:
    """What a business day is, and how a pause moves the end of a response or resolution period in them."""
    if not any("business_days" in r for r in _targets(b)):
        return []
    days = {r["calendar"] for r in _targets(b) if "business_days" in r}
    if len(days) == 1:  # one calendar: name its hours instead of "the service hours of the time concerned"
        out: list[Block] = [b.para("tickets.business_day_means_one", hours=b.calendar_label(next(iter(days))))]
    else:
        out = [b.para("tickets.business_day_means", clause=b.ref(targets, "standards", "responses"))]
    # Response and resolution targets in business days are open time fixed at the start, which a
    # pause extends (runtime/clocks.py); update intervals step instead (tickets.update_business_days).
    kinds = [
        k
        for k in ("responses", "resolutions")
        if any("business_days" in r for t in b.p["tiers"] for r in t.get(k) or ())
    ]
    if paused and kinds:
        words = b.f.alternatives([b.t(f"tickets.kind_{k}") for k in kinds])
        out.append(b.para("tickets.business_day_pause", kinds=words))
    return out


def _credited(b: DocBuilder) -> set[str]:
    """The ticket targets with a per-miss credit ("response" for v1's response credit)."""
    return {(c["per_miss"] or {}).get("target") or "response" for c in b.p["credits"] if c["per_miss"]}


def _kinds(b: DocBuilder) -> list[str]:
    return [k for k in ("responses", "updates", "resolutions") if any(t.get(k) for t in b.p["tiers"])]


def _no_credit(b: DocBuilder) -> Para | None:
    """The targets whose miss earns no credit, said once (review 6, H9): a reader asks about each."""
    credited = _credited(b)
    kinds = [k for k in _kinds(b) if k[:-1] not in credited]
    if not kinds:
        return None
    text = b.t("tickets.no_credit", misses=b.f.alternatives([b.t(f"tickets.nc_{k}") for k in kinds]))
    return Para((text[:1].upper() + text[1:],))


def _counted(b: DocBuilder, clause: Any, closes: bool, paused: bool) -> Para | None:
    """What the met rule means at a closing and in a pause: a stop is on time until the clock runs again
    after the deadline (runtime/clocks.py, the decision instant; a stop at that instant is met) — only the
    cases the contract has."""
    kinds = _kinds(b)
    acts = b.f.alternatives([b.t(f"tickets.act_{k}") for k in kinds])
    measures = [b.t(f"tickets.measure_{k}") for k in kinds]
    if closes:
        key = "tickets.counted_hours_paused" if paused else "tickets.counted_hours"
        listed = b.f.items(measures)
        return b.plural_para(key, len(kinds), measures=listed[:1].upper() + listed[1:], acts=acts, clause=clause)
    if not paused:
        return None
    return b.para("tickets.counted_always", acts=acts, clause=clause, measures=b.f.alternatives(measures))


def _pause(b: DocBuilder, pause: list[str]) -> Para:
    """The pausing statuses and the times they pause (only those the contract has). One status and
    several are separate sentences, not plural forms: Chinese has one plural form for both. A pause ends
    only at a status that does not pause (runtime/tickets.py), so a move between two of them keeps it."""
    kinds = _kinds(b)
    # The measured times, not the targets: a target is fixed, the time measured against it is paused.
    measures = b.f.alternatives([b.t(f"tickets.measure_{k}") for k in kinds])
    targets = b.plural("tickets.targets", len(kinds), kinds=measures)
    if len(pause) == 1:
        return b.para("tickets.pause_one", statuses=pause[0], targets=targets)
    statuses = b.f.items([b.t("tickets.status", status=s) for s in pause])
    key = "tickets.pause_two" if len(pause) == 2 else "tickets.pause_many"  # "either" of two
    return b.para(key, statuses=statuses, targets=targets)


def _reopen(b: DocBuilder) -> Para:
    """The runtime's resolution cycles: `resolved` resolves, any later status reopens (README, ticket clocks);
    every miss of a ticket counts in the period the ticket was opened in (runtime/evaluate.py takes the
    tickets opened in the period, and its fee, cap and claim are that period's)."""
    from .v2 import window_word

    # The response target is measured once, from the opening: say so where there is one.
    once = b.t("tickets.reopen_response") if any(t["responses"] for t in b.p["tiers"]) else ""
    credited = _credited(b)
    kinds = [k for k in _kinds(b) if k == "resolutions" or k[:-1] in credited]  # a miss that may earn money
    misses = b.f.items([b.t(f"tickets.miss_{k}") for k in kinds])
    window = window_word(b)
    attributed = b.t("tickets.attributed", misses=misses, window=window)
    return b.para("tickets.reopen", no_response=once, attributed=attributed)


def service_days_means(b: DocBuilder, credit: dict[str, Any]) -> Para:
    """'1 day of service' of a ticket credit: the fee of the period its miss is attributed to."""
    from .v2 import window_word

    target = (credit["per_miss"] or {}).get("target") or "response"
    clause = b.ref(b.clause_numbers.get(("standards", "ticket_clock"), ""), "standards", "ticket_clock")
    return b.para(
        "tickets.service_days_means", window=window_word(b), miss=b.t(f"tickets.miss_{target}s"), clause=clause
    )


def _updates(b: DocBuilder, targets: str, paused: bool) -> list[Block]:
    """What an update is and how missed updates are counted (ceil(L / D) − 1 per gap; in business days the
    due times step), each rule only for the kind of interval the contract has."""
    clause = b.ref(targets, "standards", "responses")
    blocks: list[Block] = [b.para("tickets.update", clause=clause, column=b.t("tickets.col_update"))]
    updates = [u for t in b.p["tiers"] for u in t.get("updates") or []]
    if any("business_days" not in u for u in updates):  # intervals of hours: a gap of L misses ceil(L / D) − 1
        hours = {u["calendar"] for u in updates if "business_days" not in u}
        if all((b.calendars.get(c) or {}).get("always_open") for c in hours):
            key, pause = "tickets.update_always", "tickets.update_always_paused"
        else:
            key, pause = "tickets.update_hours", "tickets.update_paused"
        steps = b.t("tickets.update_steps")
        blocks.append(b.para(key, paused=b.t(pause) if paused else "", steps=steps))
    if any("business_days" in u for u in updates):
        blocks.append(b.para("tickets.update_business_days"))  # due times stepped (runtime/clocks.py step_due)
    if any(t.get("resolutions") for t in b.p["tiers"]):
        blocks.append(b.para("tickets.reopen_updates"))
    return blocks


def heading(b: DocBuilder, credit: dict[str, Any]) -> str | None:
    """The default heading of an unnamed per-miss credit of a ticket-clock contract, by what it pays for."""
    if not credit["per_miss"] or not applies(b):
        return None
    return b.t(f"tickets.heading_{credit['per_miss'].get('target') or 'response'}")


def per_miss(b: DocBuilder, credit: dict[str, Any]) -> Para | None:
    """`per missed resolution` / `per missed update`; None for a response credit (v1's sentence)."""
    target = credit["per_miss"].get("target")
    if target is None:
        return None
    return b.para(f"tickets.per_miss_{target}", amount=b.amount(credit["per_miss"]["amount"], per_miss=True))


def excluded_key(credit: dict[str, Any]) -> str:
    target = credit["per_miss"].get("target")
    return f"tickets.excluded_{target}" if target else "credit.excluded_tickets"


def event_parts(b: DocBuilder, ev: dict[str, Any]) -> list[str]:
    """`updated on …`, `in a status that pauses the clock from … for …`, `resolved on …` of an example
    ticket, in the order they happen."""
    parts: list[tuple[str, int, str]] = []  # (when, kind, text)
    if ev.get("updates"):
        parts.append(
            (ev["updates"][0], 0, b.t("tickets.updated", times=b.f.items([b.f.timestamp(u) for u in ev["updates"]])))
        )
    for pause in ev.get("pauses", ()):
        at, duration = b.f.timestamp(pause["at"]), b.f.duration(pause["duration_seconds"])
        parts.append((pause["at"], 1, b.t("tickets.paused", at=at, duration=duration)))
    if ev.get("resolved"):
        parts.append((ev["resolved"], 2, b.t("tickets.resolved", resolved=b.f.timestamp(ev["resolved"]))))
    from datetime import datetime

    return [text for _, _, text in sorted(parts, key=lambda p: (datetime.fromisoformat(p[0]), p[1]))]


def joined(b: DocBuilder, parts: list[str]) -> str:
    """The parts after an example ticket's response, the last one with "and" (English)."""
    return "".join(
        b.t("tickets.last_part" if k == len(parts) - 1 else "tickets.part", part=part) for k, part in enumerate(parts)
    )


def expected(b: DocBuilder, expect: dict[str, Any]) -> list[Para]:
    out = []
    for key in ("missed_resolutions", "missed_updates"):
        if key in expect:
            n = expect[key]["count"]
            out.append(Para((b.plural(f"tickets.expect_{key}", n, n=b.f.number(n)),)))
    return out
