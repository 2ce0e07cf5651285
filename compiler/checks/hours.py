"""Calendar opening hours: every calendar has some, and each range is non-empty, forward and disjoint (E05xx).

Clock values themselves (`25:00`, `08:61`) are rejected earlier, in to_ast (E0205).
A range over midnight must be written as two ranges on two days: the evaluator
reads each `hours` line as times within one day.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from ..policy.codec import DAYS
from .context import Context, join


def check(ctx: Context) -> Iterator[Diagnostic]:
    for cal in ctx.blocks(n.Calendar):
        hours = cal.all(n.Hours)
        if not hours:
            yield error(
                "E0507",
                f"calendar `{cal.name.value}` has no `hours`",
                cal.name.span,
                "a calendar is its opening hours: add a line like `hours mon-fri 09:00-17:00`",
            )
        good: list[n.Hours] = []
        for h in hours:
            problem = _range(h)
            if problem is not None:
                yield problem
            else:
                good.append(h)
        yield from _overlaps(cal, good)


def _range(h: n.Hours) -> Diagnostic | None:
    span = join(h.start.span, h.end.span)
    if h.start.minutes == 24 * 60:
        return error(
            "E0505",
            "`24:00` can only end a range",
            h.start.span,
            "a day starts at `00:00`; `24:00` is its end, as in `00:00-24:00`",
        )
    if h.start.minutes == h.end.minutes:
        return error(
            "E0503",
            f"the hours `{h.start.raw}-{h.end.raw}` are empty",
            span,
            "for a whole day write `00:00-24:00`; otherwise remove the line",
        )
    if h.end.minutes < h.start.minutes:
        days = h.weekdays()
        first = DAYS[days[0]] if days else "mon"
        after = DAYS[(days[0] + 1) % 7] if days else "tue"
        return error(
            "E0504",
            f"the hours `{h.start.raw}-{h.end.raw}` end before they start",
            span,
            "a range over midnight is two ranges on two days, e.g. "
            f"`hours {first} {h.start.raw}-24:00` and `hours {after} 00:00-{h.end.raw}`",
        )
    return None


def _overlaps(cal: n.Calendar, hours: list[n.Hours]) -> Iterator[Diagnostic]:
    by_day: dict[int, list[n.Hours]] = {}
    reported: set[tuple[int, int]] = set()
    for h in hours:
        for day in h.weekdays():
            for other in by_day.get(day, []):
                pair = (id(other), id(h))
                # One report per pair of lines, naming the first day they share.
                if pair in reported or not (
                    h.start.minutes < other.end.minutes and other.start.minutes < h.end.minutes
                ):
                    continue
                reported.add(pair)
                shared = [DAYS[d] for d in h.weekdays() if d in other.weekdays()]
                days = f"`{shared[0]}`" if len(shared) == 1 else f"`{shared[0]}` (and {len(shared) - 1} more days)"
                yield error(
                    "E0506",
                    f"calendar `{cal.name.value}`: on {days} the hours `{h.start.raw}-{h.end.raw}` "
                    f"overlap `{other.start.raw}-{other.end.raw}`",
                    join(h.start.span, h.end.span),
                    "opening hours of one day must not overlap: merge them into one range or move one",
                    related=(join(other.start.span, other.end.span), "overlapping hours given here"),
                )
            by_day.setdefault(day, []).append(h)
