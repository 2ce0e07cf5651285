"""Durations that must let time pass (E0225) and end within the evaluator's reach (E0227): a target, an update interval, a live session, a claim period or a
probe interval of no time, and an error-rate interval shorter than a minute.

Each is a contract nobody means to sign (`respond p1 within 0min` is met only by an answer at the instant of
opening; `update p1 every 0h` misses an update every microsecond, which no evaluator can count out), and the
error-rate interval sets how many intervals a window is cut into: a minute keeps a year's window at 525,600
per scope, as downtime is counted in whole minutes anyway. A zero that is meant (`minimum outage 0min`,
`maintenance notice 0min`) stays allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

MINUTE_MS = 60_000

Length = n.Duration | n.BusinessDays


def check(ctx: Context) -> Iterator[Diagnostic]:
    yield from _beyond_reach(ctx)
    for stmt in _statements(ctx.sla):
        if isinstance(stmt, n.ErrorRate) and stmt.per.milliseconds < MINUTE_MS:
            yield error(
                "E0225",
                f"an error-rate interval of {stmt.per.raw} is shorter than a minute",
                stmt.per.span,
                "downtime is counted in whole minutes: cut the window into intervals of at least a minute, "
                "e.g. `per 5min`",
            )
            continue
        found = _length(stmt)
        if found is not None and _is_none(found):
            what, hint = _WORDS[type(stmt)]
            span = found.count.span if isinstance(found, n.BusinessDays) else found.span
            yield error("E0225", what, span, hint)


# What each statement's length of no time would mean, and what to write instead.
_WORDS: dict[type[n.Node], tuple[str, str]] = {
    n.Respond: (
        "a response target of no time is met only by a response at the instant the ticket is opened",
        "give the time the provider has to respond, e.g. `within 30min` or `within 1 business_day`",
    ),
    n.Resolve: (
        "a resolution target of no time is met only by a resolution at the instant the ticket is opened",
        "give the time the provider has to resolve, e.g. `within 4h` or `within 2 business_days`",
    ),
    n.Update: (
        "an update interval of no time would miss an update at every instant",
        "give the longest gap between two updates, e.g. `every 1h`",
    ),
    n.Live: (
        "a live session of no time ends as it starts",
        "give the longest session, e.g. `live max 30min per session`, or `live unlimited during …`",
    ),
    n.Claim: (
        "a claim within no time leaves no time to claim",
        "give the time the customer has to claim, e.g. `claim within 30d`",
    ),
    n.Monitor: (
        "a probe interval of no time: no monitor probes without pause",
        "give how often the service is probed, e.g. `monitor every 1min`",
    ),
}


def _length(stmt: n.Node) -> Length | None:
    """The length of a statement that must let time pass, or None."""
    if isinstance(stmt, (n.Respond, n.Resolve)):
        return stmt.within
    if isinstance(stmt, n.Update):
        return stmt.every
    if isinstance(stmt, n.Live):
        return stmt.max_session
    if isinstance(stmt, n.Claim):
        return stmt.within
    if isinstance(stmt, n.Monitor):
        return stmt.every
    return None


def _is_none(length: Length) -> bool:
    return length.count.value < 1 if isinstance(length, n.BusinessDays) else length.milliseconds <= 0


def _statements(block: n.Block) -> Iterator[n.Node]:
    """Every statement of the contract, inside blocks too (examples excepted: their durations are events)."""
    for stmt in block.body:
        if isinstance(stmt, n.Example):
            continue
        yield stmt
        if isinstance(stmt, n.Block):
            yield from _statements(stmt)


WEEK_DAYS = 7


def _beyond_reach(ctx: Context) -> Iterator[Diagnostic]:
    """E0227: a target or update interval whose deadline would fall further after its start than the evaluator
    looks (`limits.MAX_DEADLINE_DAYS`), from the calendar's open time in a week (holidays would only add)."""
    for tier in ctx.blocks(n.Tier):
        for stmt in tier.body:
            if not isinstance(stmt, (n.Respond, n.Resolve, n.Update)):
                continue
            length = stmt.every if isinstance(stmt, n.Update) else stmt.within
            cal = ctx.calendars.get(stmt.during.value)
            if cal is None or _is_none(length):
                continue
            minutes, days = _open_in_a_week(cal)
            if minutes == 0:
                continue  # a calendar without open hours is E0507
            if isinstance(length, n.BusinessDays):
                reach = length.count.value * WEEK_DAYS / days
                span, open_for = length.count.span, f"on {days} day{'s' if days != 1 else ''}"
            else:
                reach = length.milliseconds / 60_000 / minutes * WEEK_DAYS
                span, open_for = length.span, _hours(minutes)
            if reach + WEEK_DAYS > limits.MAX_DEADLINE_DAYS:
                yield error(
                    "E0227",
                    f"`{length.raw} during {stmt.during.value}` would end about {reach:,.0f} days after it starts: "
                    f"slac computes deadlines up to {limits.MAX_DEADLINE_DAYS:,} days ahead",
                    span,
                    "give a shorter target"
                    if minutes == WEEK_DAYS * 1440
                    else f"`{stmt.during.value}` is open {open_for} a week: give a shorter target, or a "
                    "calendar that is open longer",
                )


def _open_in_a_week(cal: n.Calendar) -> tuple[int, int]:
    """(open minutes in a week, weekdays with open hours) of the calendar's `hours`."""
    by_day: list[list[tuple[int, int]]] = [[] for _ in range(WEEK_DAYS)]
    for h in cal.all(n.Hours):
        for day in h.weekdays():
            by_day[day].append((h.start.minutes, h.end.minutes))
    minutes = 0
    for ranges in by_day:
        reach = 0
        for start, end in sorted(ranges):
            if end > max(start, reach):
                minutes += end - max(start, reach)
                reach = end
    return minutes, sum(1 for ranges in by_day if any(end > start for start, end in ranges))


def _hours(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"
