"""One period of a policy over event tables → the report (compiler/schema/report.schema.json).

Periods are calendar months in the contract's zone. Tickets belong to the period they
are opened in; incidents are clipped to it. A ticket is measured at its effective
priority (`Policy.effective_priority`); it is met when the open time from its opening to
the first response is at most the target (so a deadline at a closing is met by a response
before the next opening), breached when more or, unanswered, when more open time than the
target has passed by `as_of` (default: the end of the period), otherwise open. A ticket with an excluded
cause is measured but never a breach and earns nothing.

The heavy part is vectorised (numpy): ticket codes, deadlines per calendar
(`Calendar.deadlines`), states, breach counts; downtime in `availability`. Only the
per-customer money (`credits`) and the report's dicts are plain Python.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import limits
from ..policy.codec import seconds_of_us
from .availability import COUNTED, REASONS, Downtime, downtime
from .breaches import BreachColumns, breach_columns
from .calendar import from_us, to_us, wall_to_us
from .columns import codes, truthy
from .entries import claim_within, header
from .events import MISSING, Events, Incidents, Tickets
from .policy import Policy
from .v2_terms import needs_scopes

REPORT_FORMAT = "1.0"
MET, BREACHED, OPEN, UNMEASURED = 0, 1, 2, 3

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Period:
    """A billing period: [start, end) in µs, and its name."""

    name: str
    start: int
    end: int

    @classmethod
    def month(cls, policy: Policy, name: str) -> Period:
        billing = policy.raw["billing"]
        if billing != "monthly":
            raise ValueError(f"billing {billing!r} is not supported by this evaluator; it evaluates calendar months")
        try:
            year, month = (int(part) for part in name.split("-"))
            first = date(year, month, 1)
        except ValueError:
            raise ValueError(f"period {name!r} is not a month; write it as YYYY-MM, e.g. 2025-03") from None
        if not limits.MIN_YEAR <= year <= limits.MAX_YEAR:  # year 1 overflowed the time-zone arithmetic
            raise ValueError(f"period {name!r} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return cls(f"{year:04d}-{month:02d}", wall_to_us(first, 0, policy.zone), wall_to_us(nxt, 0, policy.zone))


@dataclass(frozen=True)
class TicketResults:
    """Tickets opened in the period (indexes into the tickets table) and what became of them."""

    index: I64
    customer: I64  # customer index
    effective: I64  # priority index, -1 when not measured
    deadline: I64  # µs, MISSING when not measured
    state: npt.NDArray[np.int8]
    excluded: npt.NDArray[np.bool_]  # measured with an excluded cause
    line: I64  # contract line of the target, 0 when not measured
    clocks: Any = None  # issue 12: tickets.ClockResults (resolution and update targets), None without them


def ticket_results(
    policy: Policy,
    tickets: Tickets,
    customer_index: dict[str, int],
    customer_tier: I64,
    period: Period,
    as_of: int,
    progress: Callable[[int], None] | None = None,
    history: Any = None,
) -> TicketResults:
    """Deadlines and states of every ticket opened in the period (vectorised per calendar)."""
    inside = (tickets.opened >= period.start) & (tickets.opened < period.end)
    index = np.flatnonzero(inside)
    n = len(index)
    whole = n == len(inside)  # the usual case, a month's export: no copies of the object columns

    def take(column: Any) -> Any:
        return column if whole else column[index]

    customer = codes(take(tickets.customer), list(customer_index), "customer")
    prio_names = list(policy.priorities)
    prio_index = {p: i for i, p in enumerate(prio_names)}
    prio = codes(take(tickets.priority), prio_names, "priority")
    outage = take(tickets.outage).astype(np.int64)

    # Small tables indexed by codes: effective priority by (priority, outage); target by (tier, effective).
    eff_table = np.full((len(prio_names), 2), -1, dtype=np.int64)
    for p, name in enumerate(prio_names):
        for flag in (0, 1):
            eff = policy.effective_priority(name, bool(flag))
            eff_table[p, flag] = -1 if eff is None else prio_index[eff]
    within, cal, lines = _response_tables(policy)

    effective = eff_table[prio, outage]
    tier = customer_tier[customer]
    eff0 = np.maximum(effective, 0)
    ticket_cal = np.where(effective >= 0, cal[tier, eff0], -1)
    ticket_within = within[tier, eff0]
    opened = take(tickets.opened)
    from .tickets import needs_response_clocks

    # Issue 12: with pauses or business days the response clocks below compute them (not twice).
    paused = history is not None and needs_response_clocks(policy, history)
    # decided: met iff answered at or before it (open time elapsed ≤ target)
    deadline, decided = _response_deadlines(policy, np.where(paused, -1, ticket_cal), opened, ticket_within, progress)
    measured = ticket_cal >= 0
    responded = take(tickets.responded)
    clocks = None
    if history is not None:  # issue 12: pauses, business days, resolution and update targets
        from .tickets import measure, response_clocks

        allowed = ticket_within
        if paused:
            deadline, decided, allowed = response_clocks(policy, history, index, tier, effective, opened, as_of)
            if progress is not None:
                progress(n)
        response = (ticket_cal, opened, deadline, allowed)
        clocks = measure(policy, history, index, tier, effective, responded, as_of, response)
    answered = responded != MISSING
    late = np.where(answered, responded > decided, decided < as_of)
    state = np.full(n, UNMEASURED, dtype=np.int8)
    state[measured & late] = BREACHED
    state[measured & ~late & answered] = MET
    state[measured & ~late & ~answered] = OPEN
    # A cause is an exclusion name (never empty) or None, so its truth tells them apart (by the reader's codes).
    excluded = measured & take(truthy(tickets.cause))
    return TicketResults(
        index=index,
        customer=customer,
        effective=np.where(measured, effective, -1),
        deadline=deadline,
        state=state,
        excluded=excluded,
        line=np.where(measured, lines[tier, eff0], 0),
        clocks=clocks,
    )


def _response_deadlines(
    policy: Policy, ticket_cal: I64, opened: I64, within: I64, progress: Callable[[int], None] | None
) -> tuple[I64, I64]:
    """(deadline, decision instant) of each response target without pauses, per calendar; MISSING without one."""
    deadline = np.full(len(opened), MISSING, dtype=np.int64)
    decided = np.full(len(opened), MISSING, dtype=np.int64)
    done = 0
    for c, name in enumerate(policy.calendars):
        mask = ticket_cal == c
        if mask.any():
            deadline[mask], decided[mask] = policy.calendars[name].deadlines_decided(opened[mask], within[mask])
            done += int(mask.sum())
            if progress is not None:
                progress(done)
    return deadline, decided


def _response_tables(policy: Policy) -> tuple[I64, I64, I64]:
    """(within µs, calendar index or -1, contract line) of the response targets by (tier, priority)."""
    tier_names, prio_names, cal_names = list(policy.tiers), list(policy.priorities), list(policy.calendars)
    within = np.zeros((len(tier_names), len(prio_names)), dtype=np.int64)
    cal = np.full((len(tier_names), len(prio_names)), -1, dtype=np.int64)
    lines = np.zeros((len(tier_names), len(prio_names)), dtype=np.int64)
    for (tier_name, pname), target in policy.targets.items():
        t, p = tier_names.index(tier_name), prio_names.index(pname)
        within[t, p], cal[t, p], lines[t, p] = target.within_us, cal_names.index(target.calendar), target.line
    return within, cal, lines


def evaluate(
    policy: Policy,
    events: Events,
    *,
    period: str,
    as_of: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The report of one period (a JSON-ready dict valid against report.schema.json)."""
    return _evaluate(policy, events, period, as_of, progress, json_runs=False)


def evaluate_for_json(
    policy: Policy,
    events: Events,
    *,
    period: str,
    as_of: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """`evaluate`'s report for the JSON writer only (`render.report.json_chunks`): the same bytes once written.

    Each customer's breaches are a `breaches.BreachRun` (JSON text cut from one column) instead of
    a list of dicts: a month of 100k+ breaches is written without a dict per breach.
    """
    return _evaluate(policy, events, period, as_of, progress, json_runs=True)


def _evaluate(
    policy: Policy,
    events: Events,
    period: str,
    as_of: datetime | None,
    progress: Callable[[int], None] | None,
    *,
    json_runs: bool,
) -> dict[str, Any]:
    if needs_scopes(policy.raw):  # a term of language v2: windows, scopes, formulas (report format 1.1)
        return _evaluate_scoped(policy, events, period, as_of, progress)
    per = Period.month(policy, period)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    as_of_us = to_us(as_of) if as_of is not None else per.end
    customers = events.customers
    ids = customers.id.tolist()
    customer_index = {c: i for i, c in enumerate(ids)}
    customer_tier = codes(customers.tier, list(policy.tiers), "tier")

    hist = ticket_history(policy, events)
    results = ticket_results(policy, events.tickets, customer_index, customer_tier, per, as_of_us, progress, hist)
    down = downtime(policy, events.incidents, customer_index, per.start, per.end)
    # The report is hundreds of thousands of small dicts and lists, none of them cyclic: the cyclic
    # garbage collector would rescan them again and again while they are built (~1 s per 1M tickets).
    collecting = gc.isenabled()
    gc.disable()
    try:
        report = assemble(policy, events, per, as_of_us, results, down, json_runs=json_runs)
    finally:
        if collecting:
            gc.enable()
    if progress is not None:
        progress(len(results.index))
    return report


def _evaluate_scoped(
    policy: Policy, events: Events, period: str, as_of: datetime | None, progress: Callable[[int], None] | None
) -> dict[str, Any]:
    """A v2 policy: tickets measured here, availability and credits per scope (`scoped_report`)."""
    from .scoped_report import assemble_scoped, cap_history
    from .windows import parse_period

    window = parse_period(period, policy.raw["billing"], policy.zone)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    as_of_us = to_us(as_of) if as_of is not None else window.end
    ids = events.customers.id.tolist()
    customer_index = {c: i for i, c in enumerate(ids)}
    customer_tier = codes(events.customers.tier, list(policy.tiers), "tier")
    per = Period(window.name, window.start, window.end)
    hist = ticket_history(policy, events)
    results = ticket_results(policy, events.tickets, customer_index, customer_tier, per, as_of_us, progress, hist)
    breach_lists = breaches_by_customer(policy, events.tickets, results, as_of_us, len(ids))
    counts = _ticket_counts(results, len(ids))
    from .tickets_report import clocks_by_customer

    clock_lists = clocks_by_customer(policy, events.tickets, results, len(ids))  # issue 12
    per_miss = any(c["per_miss"] for c in policy.raw["credits"])
    # The earlier windows of a cap's longer span, their tickets measured as of the same moment.
    history: list[tuple[Any, ...]] = []
    for w in cap_history(policy, window):
        found = (
            _history_breaches(policy, events, customer_index, customer_tier, w, as_of_us, hist) if per_miss else None
        )
        history.append((w, *found) if found else (w, [[] for _ in ids]))
    collecting = gc.isenabled()
    gc.disable()  # as in `evaluate`: the report's many small acyclic dicts need no cyclic collection
    try:
        report = assemble_scoped(policy, events, window, as_of_us, breach_lists, counts, history, clock_lists)
    finally:
        if collecting:
            gc.enable()
    if progress is not None:
        progress(len(results.index))
    return report


def ticket_history(policy: Policy, events: Events) -> Any:
    """Issue 12: the tickets' histories when the policy or the data has ticket clocks, else None."""
    from .tickets import history, uses_clocks

    t = events.tickets
    if not uses_clocks(policy) and events.ticket_events is None and t.resolved is None:
        return None
    return history(t, events.ticket_events, policy.pause_statuses)


def _history_breaches(
    policy: Policy,
    events: Events,
    customer_index: dict[str, int],
    customer_tier: I64,
    window: Any,
    as_of_us: int,
    hist: Any = None,
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Each customer's breached responses and (issue 12) missed resolutions and updates in an earlier
    window of a cap's span (`scoped_report.cap_history`), its tickets measured as of the same moment."""
    from .tickets_report import clocks_by_customer

    per = Period(window.name, window.start, window.end)
    results = ticket_results(policy, events.tickets, customer_index, customer_tier, per, as_of_us, None, hist)
    n = len(customer_index)
    breaches = breaches_by_customer(policy, events.tickets, results, as_of_us, n)
    return breaches, clocks_by_customer(policy, events.tickets, results, n)


# ---- the report -------------------------------------------------------------------------------------


def assemble(
    policy: Policy,
    events: Events,
    per: Period,
    as_of: int,
    results: TicketResults,
    down: Downtime,
    *,
    json_runs: bool = False,
) -> dict[str, Any]:
    """The report dict from the computed columns: per customer uptime, downtime, tickets, credits, claim.

    With `json_runs`, breaches are `BreachRun`s for the JSON writer (`evaluate_for_json`).
    """
    customers = events.customers
    tickets = events.tickets
    incidents = events.incidents
    n_customers = len(customers.id)

    from .report_text import Columns, Plan, customer_entries
    from .tickets_report import clocks_by_customer

    ticket_entries = _ticket_counts(results, n_customers)
    breach_cols = _breach_columns(policy, tickets, results, as_of, n_customers, for_json=json_runs)
    breach_lists = None if json_runs else breach_cols.dicts()
    clock_lists = clocks_by_customer(policy, tickets, results, n_customers)  # issue 12, empty without targets
    plan = Plan.of(policy, _claim_entry(policy, per))
    cols = Columns(
        [str(i) for i in customers.id.tolist()],
        [str(t) for t in customers.tier],
        customers.fee,
        per.end - per.start,
        down,
        [str(i) for i in incidents.id.tolist()],
        breach_cols,
        ticket_entries,
        clock_lists,
    )
    out_customers = customer_entries(plan, cols, breach_cols.run if breach_lists is None else breach_lists.__getitem__)

    return {
        **header(policy, per.name, per.start, per.end, as_of, REPORT_FORMAT),
        "platform_incidents": _platform_incidents(policy, incidents, down),
        "customers": out_customers,
    }


def _ticket_counts(results: TicketResults, n_customers: int) -> list[dict[str, int]]:
    """Each customer's ticket counts; a ticket with an excluded cause is counted only as excluded."""
    counts = np.zeros((n_customers, 4), dtype=np.int64)
    plain = ~results.excluded
    np.add.at(counts, (results.customer[plain], results.state[plain]), 1)
    excluded_counts = np.bincount(results.customer[results.excluded], minlength=n_customers).tolist()
    opened_counts = np.bincount(results.customer, minlength=n_customers).tolist()
    out = []
    for c, (n_met, n_breached, n_open, n_unmeasured) in enumerate(counts.tolist()):
        out.append(
            {
                "opened": opened_counts[c],
                "measured": n_met + n_breached + n_open + excluded_counts[c],
                "met": n_met,
                "breached": n_breached,
                "open": n_open,
                "unmeasured": n_unmeasured,
                "excluded": excluded_counts[c],
            }
        )
    return out


def _claim_entry(policy: Policy, per: Period) -> dict[str, Any] | None:
    claim = policy.raw["claim"]
    if claim is None:
        return None
    deadline_text = None
    if claim["within_seconds"] is not None:
        deadline_text = claim_within(policy, per.end, claim["within_seconds"])[0]
    via = claim["via"] or {}
    return {
        "required": claim["required"],
        "deadline": deadline_text,
        "channel": via.get("channel"),
        "address": via.get("address"),
        "line": claim["line"],
    }


def _platform_incidents(policy: Policy, incidents: Incidents, down: Downtime) -> list[dict[str, Any]]:
    zone = policy.zone
    return [
        {
            "id": str(incidents.id[i]),
            "start": from_us(int(incidents.start[i]), zone).isoformat(),
            "end": from_us(int(incidents.end[i]), zone).isoformat(),
            "cause": incidents.cause[i],
            "counted": bool(down.reason[i] == COUNTED),
            "reason": REASONS[down.reason[i]],
            "seconds": seconds_of_us(int(down.seconds_in_period[i])),
            "row": int(incidents.row[i]),
        }
        for i in down.platform
    ]


def breaches_by_customer(
    policy: Policy, tickets: Tickets, results: TicketResults, as_of: int, n_customers: int
) -> list[list[dict[str, Any]]]:
    """The report's breaches of each customer, by opening time then id (excluded tickets never breach).

    Built column by column (`breaches.breach_columns`: one sort, vectorised timestamps) since a month
    can have 100k+ breaches.
    """
    return _breach_columns(policy, tickets, results, as_of, n_customers).dicts()


def _breach_columns(
    policy: Policy, tickets: Tickets, results: TicketResults, as_of: int, n_customers: int, *, for_json: bool = False
) -> BreachColumns:
    pos = np.flatnonzero((results.state == BREACHED) & ~results.excluded)
    cols = breach_columns(policy, tickets, results, pos, as_of, n_customers)
    if for_json:  # their JSON text is made in the background while the report's dicts are built
        from .report_json import CUSTOMER_INDENT

        cols.prepare(CUSTOMER_INDENT)
    return cols
