"""Durations that must let time pass (E0225): a target, an update interval, a live session, a claim period or a
probe interval of no time, and an error-rate interval shorter than a minute.

Each is a contract nobody means to sign (`respond p1 within 0min` is met only by an answer at the instant of
opening; `update p1 every 0h` misses an update every microsecond, which no evaluator can count out), and the
error-rate interval sets how many intervals a window is cut into: a minute keeps a year's window at 525,600
per scope, as downtime is counted in whole minutes anyway. A zero that is meant (`minimum outage 0min`,
`maintenance notice 0min`) stays allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

MINUTE_MS = 60_000

Length = n.Duration | n.BusinessDays


def check(ctx: Context) -> Iterator[Diagnostic]:
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
