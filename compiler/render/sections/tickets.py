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
    """Whether the contract has a target beyond the first response (else the v1 response table stands)."""
    return any(t.get("resolutions") or t.get("updates") for t in b.p["tiers"])


def _targets(b: DocBuilder) -> list[dict[str, Any]]:
    return [r for t in b.p["tiers"] for kind, _ in _KINDS for r in t.get(kind, ())]


def _length(b: DocBuilder, kind: str, r: dict[str, Any]) -> str:
    if "business_days" in r:
        n = r["business_days"]
        if kind == "updates":  # not "every business day", which reads as "once on each business day"
            return b.plural("tickets.update_within", n, n=b.f.number(n))
        return b.plural("tickets.business_days", n, n=b.f.number(n))
    if kind == "updates":
        return b.f.every(r["every_seconds"])
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


def clock_clause(b: DocBuilder, targets: str) -> tuple[str, tuple[Block, ...]] | None:
    """The clause on how ticket times are counted; `targets` is the number of the targets clause."""
    if not applies(b):
        return None
    tiers = b.p["tiers"]
    clause = b.ref(targets, "responses")
    # A ticket misses a target when the time measured exceeds the time allowed (runtime: `stop > decided`).
    blocks: list[Block] = []
    if any(t["responses"] for t in tiers):
        blocks.append(b.para("tickets.response", clause=clause))
    if any(t.get("resolutions") for t in tiers):
        blocks += [b.para("tickets.resolution", clause=clause), _reopen(b)]
    pause = (b.p.get("ticket_clock") or {}).get("pause") or []
    used = {r["calendar"] for r in _targets(b)}
    closes = not all(b.calendars[c]["always_open"] for c in used if c in b.calendars)
    if any(t.get("updates") for t in tiers):
        blocks += _updates(b, targets, bool(pause))
    counted = _counted(b, clause, closes, bool(pause))
    if counted is not None:
        blocks.append(counted)
    if closes:
        blocks.append(b.para("tickets.opened_outside"))
    if pause:
        blocks.append(_pause(b, pause))
    if any("business_days" in r for r in _targets(b)):
        days = {r["calendar"] for r in _targets(b) if "business_days" in r}
        if len(days) == 1:  # one calendar: name its hours instead of "the service hours of the time concerned"
            blocks.append(b.para("tickets.business_day_means_one", hours=b.calendar_label(next(iter(days)))))
        else:
            blocks.append(b.para("tickets.business_day_means"))
        # Response and resolution targets in business days are open time fixed at the start, which a
        # pause extends (runtime/clocks.py); update intervals step instead (tickets.update_business_days).
        kinds = [
            k for k in ("responses", "resolutions") if any("business_days" in r for t in tiers for r in t.get(k) or ())
        ]
        if pause and kinds:
            words = b.f.alternatives([b.t(f"tickets.kind_{k}") for k in kinds])
            blocks.append(b.para("tickets.business_day_pause", kinds=words))
    if any(p["requires_outage"] and p["downgrade"] for p in b.p["priorities"]):
        blocks.append(b.para("tickets.downgrade"))
    return b.t("tickets.clause_clock"), tuple(blocks)


def _counted(b: DocBuilder, clause: Any, closes: bool, paused: bool) -> Para | None:
    """What the met rule means at a closing and in a pause: a stop is on time until the clock runs again
    after the deadline (runtime/clocks.py, the decision instant) — only the cases the contract has."""
    kinds = [k for k in ("responses", "updates", "resolutions") if any(t.get(k) for t in b.p["tiers"])]
    acts = b.f.alternatives([b.t(f"tickets.act_{k}") for k in kinds])
    if closes:
        extra = b.t("tickets.counted_paused", acts=acts) if paused else ""
        return b.para("tickets.counted_hours", clause=clause, acts=acts, paused=extra)
    return b.para("tickets.counted_always", acts=acts) if paused else None


def _pause(b: DocBuilder, pause: list[str]) -> Para:
    """The pausing statuses and the targets they pause (only those the contract has). One status and
    several are separate sentences, not plural forms: Chinese has one plural form for both."""
    kinds = [k for k in ("responses", "updates", "resolutions") if any(t.get(k) for t in b.p["tiers"])]
    # The measured times, not the targets: a target is fixed, the time measured against it is paused.
    targets = b.plural("tickets.targets", len(kinds), kinds=b.f.items([b.t(f"tickets.measure_{k}") for k in kinds]))
    if len(pause) == 1:
        return b.para("tickets.pause_one", statuses=pause[0], targets=targets)
    statuses = b.f.items([b.t("tickets.status", status=s) for s in pause])
    key = "tickets.pause_two" if len(pause) == 2 else "tickets.pause_many"  # "either" of two
    return b.para(key, statuses=statuses, targets=targets)


def _reopen(b: DocBuilder) -> Para:
    """The runtime's resolution cycles: `resolved` resolves, any later status reopens (README, ticket clocks);
    every cycle counts in the period the ticket was opened in (the measurement window, else the month)."""
    from .v2 import window_word

    # The response target is measured once, from the opening: say so where there is one.
    once = b.t("tickets.reopen_response") if any(t["responses"] for t in b.p["tiers"]) else ""
    return b.para("tickets.reopen", window=window_word(b), no_response=once)


def _updates(b: DocBuilder, targets: str, paused: bool) -> list[Block]:
    """What an update is and how missed updates are counted (ceil(L / D) − 1 per gap; in business days the
    due times step), and their credit: each rule only for the kind of interval the contract has."""
    clause = b.ref(targets, "responses")
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
        blocks.append(b.para("tickets.update_business_days"))  # due times stepped (runtime/clocks.py)
    if any(t.get("resolutions") for t in b.p["tiers"]):
        blocks.append(b.para("tickets.reopen_updates"))
    if not any((c["per_miss"] or {}).get("target") == "update" for c in b.p["credits"]):
        blocks.append(b.para("tickets.update_no_credit"))  # the one consequence a reader would ask about
    return blocks


def per_miss(b: DocBuilder, credit: dict[str, Any]) -> Para | None:
    """`per missed resolution` / `per missed update`; None for a response credit (v1's sentence)."""
    target = credit["per_miss"].get("target")
    if target is None:
        return None
    return b.para(f"tickets.per_miss_{target}", amount=b.amount(credit["per_miss"]["amount"]))


def excluded_key(credit: dict[str, Any]) -> str:
    target = credit["per_miss"].get("target")
    return f"tickets.excluded_{target}" if target else "credit.excluded_tickets"


def event_parts(b: DocBuilder, ev: dict[str, Any]) -> str:
    """`, updated on …, in a status that stops the clock from … for …, resolved on …` of an example ticket."""
    text = ""
    if ev.get("updates"):
        text += b.t("tickets.updated", times=b.f.items([b.f.timestamp(u) for u in ev["updates"]]))
    for pause in ev.get("pauses", ()):
        text += b.t("tickets.paused", at=b.f.timestamp(pause["at"]), duration=b.f.duration(pause["duration_seconds"]))
    if ev.get("resolved"):
        text += b.t("tickets.resolved", resolved=b.f.timestamp(ev["resolved"]))
    return text


def expected(b: DocBuilder, expect: dict[str, Any]) -> list[Para]:
    out = []
    for key in ("missed_resolutions", "missed_updates"):
        if key in expect:
            n = expect[key]["count"]
            out.append(Para((b.plural(f"tickets.expect_{key}", n, n=b.f.number(n)),)))
    return out
