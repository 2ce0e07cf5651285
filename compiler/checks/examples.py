"""The shape of `example` events: `repeat` at least once, no event after the example's period, responses after openings (E0707–E0709).

Whether an example's expectations hold is decided later, by running the real
evaluator; here only what can be seen without it. An example covers one month
in the contract's time zone: its `period` (a month, quarter or year; events
before it are history), or else the month of its first event as written
(E0708 names which one). An event's `cause` must be a declared
exclusion; the names check reports it (E0305) with the other unknown names.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import datetime, tzinfo

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context
from .zones import is_known


def check(ctx: Context) -> Iterator[Diagnostic]:
    zone: tzinfo | None = None
    if ctx.timezone is not None and is_known(ctx.timezone):
        zone = zoneinfo.ZoneInfo(ctx.timezone)
    for ex in ctx.blocks(n.Example):
        yield from _example(ex, zone, ctx.timezone or "")


def _month(ts: datetime, zone: tzinfo) -> tuple[int, int]:
    local = ts.astimezone(zone)
    return local.year, local.month


def _months(period: n.Period) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last month of a period: a month, a quarter (`2026-Q2`) or a year (`2026`)."""
    if period.month:
        return (period.year, period.month), (period.year, period.month)
    if period.quarter:
        first = 3 * period.quarter - 2
        return (period.year, first), (period.year, first + 2)
    return (period.year, 1), (period.year, 12)


def _example(ex: n.Example, zone: tzinfo | None, zone_name: str) -> Iterator[Diagnostic]:
    period = ex.first(n.Period)
    anchor: tuple[tuple[int, int], n.Node, str] | None = None
    for stmt in ex.body:
        event: n.Node = stmt
        if isinstance(stmt, n.Repeat):
            event = stmt.event
            if stmt.count.value < 1:
                yield error(
                    "E0707",
                    f"`repeat {stmt.count.value}` repeats nothing",
                    stmt.count.span,
                    "repeat an event at least once, or remove the line",
                )
        if isinstance(event, n.Ticket) and event.responded is not None:
            if event.responded.value < event.opened.value:
                yield error(
                    "E0709",
                    "this ticket is responded to before it is opened",
                    event.responded.span,
                    "check the two timestamps and their offsets",
                    related=(event.opened.span, "opened here"),
                )
        if zone is None or not isinstance(event, (n.Ticket, n.Outage, n.Requests)):
            continue
        start = event.opened if isinstance(event, n.Ticket) else event.start
        month = _month(start.value, zone)
        kind = "ticket opens" if isinstance(event, n.Ticket) else "event starts"
        if period is not None:
            # Events before the period are its history (yearly allowances, consecutive months,
            # an outage running into the period); an event after it can change nothing.
            last = _months(period)[1]
            if month > last:
                yield error(
                    "E0708",
                    f"this {kind} in {month[0]:04d}-{month[1]:02d} ({zone_name}), after the example's period {period.raw}",
                    start.span,
                    f"move the event into {period.raw} or before it (history), or change `period`",
                    related=(period.span, "the example's period"),
                )
            continue
        if anchor is None:
            anchor = (month, start, "the example's first event is in")
            continue
        (year, mon), where, what = anchor
        if month != (year, mon):
            yield error(
                "E0708",
                f"this {kind} in {month[0]:04d}-{month[1]:02d} ({zone_name}), but {what} {year:04d}-{mon:02d}",
                start.span,
                "an example covers one month: move the event, give the example a `period`, or split it in two",
                related=(where.span, "the example's first event"),
            )
