"""Ticket clocks (language v2, issue 12): targets that contradict each other, the at-risk share, and durations
in days on a calendar that is not open around the clock, and later tiers promising less (E0730, E0731, E0308,
W0810, W0811, W0812).

Statuses are not declared: they come from the help desk's data, so an unknown status is fine. Targets are
compared only when they are measured alike (the same calendar, both in open time or both in business days):
`4h during office` and `2h during always` trade one for the other and are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error, warning
from .context import Context, earlier

_DAYS = re.compile(r"(\d+)d")
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

Length = n.Duration | n.BusinessDays


def check(ctx: Context) -> Iterator[Diagnostic]:
    for clock in ctx.blocks(n.TicketClock):
        yield from _clock(clock)
    for ex in ctx.blocks(n.Example):
        for stmt in ex.body:
            ticket = stmt.event if isinstance(stmt, n.Repeat) else stmt
            if isinstance(ticket, n.Ticket):
                yield from _ticket_events(ticket)
    tiers = ctx.blocks(n.Tier)
    for i, tier in enumerate(tiers):
        yield from _tier(tier)
        yield from _later_tier(tier, tiers[:i])
        for stmt in tier.body:
            if isinstance(stmt, (n.Respond, n.Resolve, n.Update)):
                yield from _days_trap(ctx, stmt)


def _clock(clock: n.TicketClock) -> Iterator[Diagnostic]:
    for warn in clock.all(n.WarnAt):
        if not 0 < warn.percent.value < 100:
            yield error(
                "E0731",
                f"`warn at {warn.percent.raw}` is not a share of a target's time",
                warn.percent.span,
                "a ticket is at risk once a share between 0% and 100% of its time is used, e.g. `warn at 75%`",
            )
    statuses = [s for p in clock.all(n.PauseWhen) for s in p.statuses]
    for status, prev in earlier(statuses, lambda s: s.value):
        if prev is not None:
            yield error(
                "E0308",
                f"status `{status.value}` is listed twice",
                status.span,
                f"remove the second `{status.value}`",
                related=(prev.span, "first listed here"),
            )


def _ticket_events(ticket: n.Ticket) -> Iterator[Diagnostic]:
    """An example ticket's updates, pauses and resolution fall between its opening and its resolution (E0709)."""
    opened, resolved = ticket.opened, ticket.resolved
    moments = [("updated", u) for u in ticket.updates] + [("paused", p.at) for p in ticket.pauses]
    if resolved is not None:
        moments.append(("resolved", resolved))
    for word, at in moments:
        if at.value < opened.value:
            yield error(
                "E0709",
                f"this ticket is {word} before it is opened",
                at.span,
                "check the two timestamps and their offsets",
                related=(opened.span, "opened here"),
            )
        elif resolved is not None and word != "resolved" and at.value > resolved.value:
            yield error(
                "E0709",
                f"this ticket is {word} after it is resolved",
                at.span,
                "a resolved ticket has no more updates or pauses: check the timestamps, or move `resolved`",
                related=(resolved.span, "resolved here"),
            )


def _comparable(a: Length, a_during: n.Ident, b: Length, b_during: n.Ident) -> tuple[int, int] | None:
    """The two lengths in one unit when they are measured alike, else None."""
    if a_during.value != b_during.value or type(a) is not type(b):
        return None
    if isinstance(a, n.BusinessDays) and isinstance(b, n.BusinessDays):
        return a.count.value, b.count.value
    assert isinstance(a, n.Duration) and isinstance(b, n.Duration)
    return a.milliseconds, b.milliseconds


def _tier(tier: n.Tier) -> Iterator[Diagnostic]:
    responds = {r.priority.value: r for r in reversed(tier.all(n.Respond))}
    resolves = {r.priority.value: r for r in reversed(tier.all(n.Resolve))}
    for prio, res in resolves.items():
        resp = responds.get(prio)
        pair = _comparable(res.within, res.during, resp.within, resp.during) if resp is not None else None
        if resp is not None and pair is not None and 0 < pair[0] < pair[1]:  # no time at all: E0225
            yield error(
                "E0730",
                f"tier `{tier.name.value}` resolves `{prio}` within {res.within.raw}, sooner than it responds "
                f"({resp.within.raw})",
                res.within.span,
                "a resolution answers the ticket too, so the response target never applies: make the resolution "
                "target at least as long as the response target",
                related=(resp.within.span, "the response target"),
            )
    for upd in tier.all(n.Update):
        target = resolves.get(upd.priority.value)
        pair = _comparable(upd.every, upd.during, target.within, target.during) if target is not None else None
        if target is not None and pair is not None and pair[0] > pair[1]:
            yield warning(
                "W0810",
                f"tier `{tier.name.value}` updates `{upd.priority.value}` every {upd.every.raw}, longer than it "
                f"takes to resolve it ({target.within.raw})",
                upd.every.span,
                "an update falls due only on a ticket already past its resolution target; if that is not meant, "
                "make the update interval shorter than the resolution target",
                related=(target.within.span, "the resolution target"),
            )


def _later_tier(tier: n.Tier, earlier_tiers: tuple[n.Tier, ...]) -> Iterator[Diagnostic]:
    """A later tier resolving or updating slower than an earlier one, measured alike (W0812; cf. W0803)."""

    def targets(t: n.Tier) -> tuple[n.Resolve | n.Update, ...]:
        return (*t.all(n.Resolve), *t.all(n.Update))

    for mine in targets(tier):
        others = [
            o
            for t in earlier_tiers
            for o in targets(t)
            if type(o) is type(mine) and o.priority.value == mine.priority.value
        ]
        for other in others:
            a, b = _length_of(mine), _length_of(other)
            pair = _comparable(a, mine.during, b, other.during)
            if pair is not None and pair[0] > pair[1]:
                verb = "updates" if isinstance(mine, n.Update) else "resolves"
                yield warning(
                    "W0812",
                    f"tier `{tier.name.value}` {verb} `{mine.priority.value}` "
                    f"{'every' if verb == 'updates' else 'within'} {a.raw}, slower than the lower tier ({b.raw})",
                    a.span,
                    "tiers are declared from the lowest to the highest: a higher tier should promise at least as much",
                    related=(b.span, "the lower tier's target"),
                )
                break


def _length_of(stmt: n.Resolve | n.Update) -> Length:
    return stmt.every if isinstance(stmt, n.Update) else stmt.within


def _always_open(cal: n.Calendar) -> bool:
    if cal.first(n.Holidays) is not None:
        return False
    reach = [0] * 7
    for h in sorted(cal.all(n.Hours), key=lambda h: h.start.minutes):
        for day in h.weekdays():
            if h.start.minutes <= reach[day]:
                reach[day] = max(reach[day], h.end.minutes)
    return all(r >= 1440 for r in reach)


def _days_trap(ctx: Context, stmt: n.Respond | n.Resolve | n.Update) -> Iterator[Diagnostic]:
    """`2d during office` counts 48 open hours of `office`, not two of its working days (W0811)."""
    length = stmt.every if isinstance(stmt, n.Update) else stmt.within
    cal = ctx.calendars.get(stmt.during.value)
    if not isinstance(length, n.Duration) or cal is None or not _DAYS.search(length.raw) or _always_open(cal):
        return
    hours = length.milliseconds / 3_600_000
    shown = f"{hours:g}"
    whole_days = _DAYS.fullmatch(length.raw)
    if whole_days:
        days = int(whole_days.group(1))
        said = _WORDS[days] if days < len(_WORDS) else str(days)
        unit = "business_day" if days == 1 else "business_days"
        message = f"not {said} working day{'' if days == 1 else 's'}"
        hint = f"write `{days} {unit}` for working days, or `{shown}h` if open hours are meant"
    else:
        message = "not working days"
        hint = f"write `{shown}h` if open hours are meant, or whole working days as `N business_days`"
    yield warning(
        "W0811",
        f"`{length.raw} during {stmt.during.value}` counts {shown} open hours of `{stmt.during.value}`, {message}",
        length.span,
        hint,
    )
