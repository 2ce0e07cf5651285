"""Tiers are declared from lowest to highest; a later tier that promises less than an earlier one is a warning (W0802–W0805).

Each tier is compared with the strongest earlier tier for each promise:
uptime (W0802), the response target of each priority (W0803), the live-session
limit (W0804) and whether a priority is measured at all (W0805).

Response targets run on calendars, and a duration on a calendar open fewer
hours a week lasts longer in real time. So a target counts as weaker only when
it is no shorter *and* on a calendar open no more hours a week, and strictly
one of the two; two targets that trade one for the other (4h on a business
calendar against 8h around the clock) are not compared.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, warning
from .context import Context

UNLIMITED = float("inf")


def _open_minutes(cal: n.Calendar | None) -> int:
    """Minutes a week the calendar is open (holidays ignored); an unknown calendar counts as always open."""
    if cal is None:
        return 7 * 24 * 60
    minutes: list[set[int]] = [set() for _ in range(7)]
    for h in cal.all(n.Hours):
        if h.start.minutes < h.end.minutes:
            for day in h.weekdays():
                minutes[day].update(range(h.start.minutes, h.end.minutes))
    return sum(len(m) for m in minutes)


def _length(within: n.Duration | n.BusinessDays) -> tuple[int, int]:
    """(kind, amount): open time in ms (kind 0) or business days (kind 1), comparable within one kind."""
    if isinstance(within, n.BusinessDays):
        return 1, within.count.value
    return 0, within.milliseconds


def _warn(code: str, message: str, later: n.Node, earlier: n.Node, hint: str, label: str) -> Diagnostic:
    return warning(code, message, later.span, hint, related=(earlier.span, label))


def check(ctx: Context) -> Iterator[Diagnostic]:
    tiers = list(ctx.tiers.values())
    open_minutes = {name: _open_minutes(cal) for name, cal in ctx.calendars.items()}
    for i, tier in enumerate(tiers):
        earlier = tiers[:i]
        if not earlier:
            continue
        yield from _uptime(tier, earlier)
        yield from _live(tier, earlier)
        yield from _respond(tier, earlier, open_minutes, set(ctx.priorities))


def _uptime(tier: n.Tier, earlier: list[n.Tier]) -> Iterator[Diagnostic]:
    best: tuple[n.Tier, n.Uptime] | None = None
    for t in earlier:
        up = t.first(n.Uptime)
        if up is None or up.value.value > 100:  # above 100 % is E0606: no tier is asked to match it
            continue
        if best is None or up.value.value > best[1].value.value:
            best = (t, up)
    if best is None:
        return
    other, up = best
    mine = tier.first(n.Uptime)
    if mine is None:
        yield _warn(
            "W0802",
            f"tier `{tier.name.value}` promises no uptime, but the lower tier `{other.name.value}` promises {up.value.raw}",
            tier.name,
            up.value,
            "tiers go from lowest to highest: give this tier an `uptime` of at least "
            f"{up.value.raw}, or move it above `{other.name.value}`",
            f"tier `{other.name.value}`'s uptime",
        )
    elif mine.value.value < up.value.value:
        yield _warn(
            "W0802",
            f"tier `{tier.name.value}` promises {mine.value.raw} uptime, less than the lower tier "
            f"`{other.name.value}` ({up.value.raw})",
            mine.value,
            up.value,
            f"tiers go from lowest to highest: raise it to at least {up.value.raw}, or reorder the tiers",
            f"tier `{other.name.value}`'s uptime",
        )


def _live(tier: n.Tier, earlier: list[n.Tier]) -> Iterator[Diagnostic]:
    def limit(live: n.Live) -> float:
        return UNLIMITED if live.max_session is None else live.max_session.milliseconds

    best: tuple[n.Tier, n.Live] | None = None
    for t in earlier:
        live = t.first(n.Live)
        if live is not None and (best is None or limit(live) > limit(best[1])):
            best = (t, live)
    if best is None:
        return
    other, live = best
    theirs = "unlimited" if live.max_session is None else live.max_session.raw
    mine = tier.first(n.Live)
    if mine is None:
        yield _warn(
            "W0804",
            f"tier `{tier.name.value}` offers no live sessions, but the lower tier `{other.name.value}` does ({theirs})",
            tier.name,
            live,
            "tiers go from lowest to highest: add a `live` line at least as generous, or reorder the tiers",
            f"tier `{other.name.value}`'s live sessions",
        )
    elif limit(mine) < limit(live):
        assert mine.max_session is not None
        yield _warn(
            "W0804",
            f"tier `{tier.name.value}` limits live sessions to {mine.max_session.raw}, less than the lower tier "
            f"`{other.name.value}` ({theirs})",
            mine.max_session,
            live.max_session or live,
            f"tiers go from lowest to highest: allow at least {theirs}, or reorder the tiers",
            f"tier `{other.name.value}`'s limit",
        )


def _respond(
    tier: n.Tier, earlier: list[n.Tier], open_minutes: dict[str, int], known: set[str]
) -> Iterator[Diagnostic]:
    # Unknown priorities are reported by the names check; comparing them would only echo it.
    mine = {r.priority.value: r for r in tier.all(n.Respond) if r.priority.value in known}
    week = 7 * 24 * 60

    def weaker(a: n.Respond, b: n.Respond) -> bool:
        """Is `a` a weaker promise than `b`?"""
        a_open = open_minutes.get(a.during.value, week)
        b_open = open_minutes.get(b.during.value, week)
        a_len, b_len = _length(a.within), _length(b.within)
        if a_len[0] != b_len[0]:  # business days against open time (issue 12): not compared
            return False
        no_better = a_len >= b_len and a_open <= b_open
        return no_better and (a_len > b_len or a_open < b_open)

    missing: dict[str, tuple[n.Tier, n.Respond]] = {}
    for t in earlier:
        for r in t.all(n.Respond):
            prio = r.priority.value
            if prio not in mine and prio in known:
                missing.setdefault(prio, (t, r))
    for prio, (other, r) in missing.items():
        yield _warn(
            "W0805",
            f"tier `{tier.name.value}` has no response target for `{prio}`, but the lower tier "
            f"`{other.name.value}` has one",
            tier.name,
            r.priority,
            f"tiers go from lowest to highest: add `respond {prio} within … during …`, or reorder the tiers",
            f"tier `{other.name.value}`'s target",
        )
    for prio, r in mine.items():
        for t in earlier:
            theirs = next((x for x in t.all(n.Respond) if x.priority.value == prio), None)
            if theirs is not None and weaker(r, theirs):
                yield _warn(
                    "W0803",
                    f"tier `{tier.name.value}` answers `{prio}` within {r.within.raw} during `{r.during.value}`, "
                    f"slower than the lower tier `{t.name.value}` ({theirs.within.raw} during `{theirs.during.value}`)",
                    r.within,
                    theirs.within,
                    "tiers go from lowest to highest: shorten this target, or reorder the tiers",
                    f"tier `{t.name.value}`'s target",
                )
                break
