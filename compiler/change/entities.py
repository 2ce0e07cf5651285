"""Entities in `slac diff`: objectives and their targets, channels, priorities and their downgrade, tiers.

An entity added or removed is one change (`compare.entity`); the simple terms of one that
both policies have are rows of the table (`terms.ENTITY_ROWS`); response targets and live
support move in two dimensions (time and calendar) and have their own comparators here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

from .calendars import relation
from .changelog import Change, Kind
from .compare import (
    At,
    Pair,
    by_id,
    change,
    changed,
    compare_row,
    entity,
    jsonable,
    lines_of,
    matched,
    members,
    no_lines,
    ordered,
    presence,
    service_target,
    sign,
    texts,
)
from .keys import Key
from .strings import Msg, duration, msg, percent, render, word
from .targets import both_ways, length, show_length
from .terms import ENTITY_ROWS, Presence, downtime

# The kinds of entity, and the policy section that lists them.
ENTITY_KINDS = {"objective": "objectives", "channel": "channels", "priority": "priorities", "tier": "tiers"}


def entities(pair: Pair, kind: str) -> Iterator[Change]:
    """Every entity of one kind: added, removed, renamed, then its rows and its own terms."""
    section = ENTITY_KINDS[kind]
    for ident, old, new in pair.keyed(section):
        yield from entity(pair, kind, section, ident, old, new)
        if old is None or new is None:
            continue
        name, lines = pair.name(section, ident), lines_of(old, new)
        for row in ENTITY_ROWS.get(section, ()):
            if kind == "tier" and row.key.part == "uptime" and _uptime_per_service(pair, old, new):
                continue  # a general uptime given or taken with services: judged per service (_service_uptimes)
            if row.extra is not None:  # the allowed downtime, per window of the new contract's length
                row = replace(row, extra=partial(row.extra, window=pair.window))
            at = At(row.key.of(ident), msg("subject", row.subject, name=name), lines)
            yield from compare_row(row, at, row.read(old), row.read(new))
        if kind == "objective":
            yield from _targets(ident, name, old, new)
        elif kind == "priority":
            yield from _downgrade(pair, ident, name, old, new)
        elif kind == "tier":
            yield from _tier(pair, ident, name, old, new)


def _threshold(target: dict[str, Any]) -> tuple[str, Decimal]:
    th = target["threshold"]
    if "seconds" in th:
        return "seconds", Decimal(str(th["seconds"]))
    return "percent", Decimal(th["percent"])


def _show_threshold(value: tuple[str, Decimal]) -> Any:
    unit, number = value
    return duration(number) if unit == "seconds" else percent(number)


def _show_raw_threshold(threshold: dict[str, Any]) -> Any:
    return _show_threshold(_threshold({"threshold": threshold}))


def _targets(ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for metric, a, b in matched(by_id(old["targets"], "metric"), by_id(new["targets"], "metric")):
        key = Key("objective", ident, "target", metric)
        at = At(key, msg("subject", "objective_target", name=name, metric=metric), lines_of(a, b))
        if a is None or b is None:
            rule = Presence(("improvement", "objective_added"), ("reduction", "objective_removed"))
            yield from presence(at, a and _threshold(a), b and _threshold(b), rule, show=_show_threshold)
            continue
        av, bv = _threshold(a), _threshold(b)
        if av[0] != bv[0]:
            yield from changed(at, av, bv, _show_threshold, "objective_higher", unranked=True)
            continue
        ranks = (av[1], bv[1])
        show = _show_raw_threshold
        yield from ordered(
            at, ranks, (a["threshold"], b["threshold"]), show, ("objective_lower", "objective_higher"), higher=False
        )


def response_sign(pair: Pair, a: dict[str, Any] | None, b: dict[str, Any] | None) -> int | None:
    """1 when target b is better for the customer than a, -1 worse, 0 equal, None both ways."""
    if a is None and b is None:
        return 0
    if a is None:
        return 1
    if b is None:
        return -1
    la, lb = length(a), length(b)
    if la[0] != lb[0]:  # open time against business days (issue 12)
        return None
    return _both_ways(-sign(la[1], lb[1]), relation(pair, a["calendar"], b["calendar"]))


_both_ways = both_ways


def _downgrade(pair: Pair, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    od, nd = old.get("downgrade"), new.get("downgrade")
    if od == nd:
        return
    at = At(Key("priority", ident, "downgrade"), msg("subject", "priority_downgrade", name=name), lines_of(old, new))

    def show(p: str | None) -> Any:
        return word("none") if p is None else pair.name("priorities", p)

    if not (old["requires_outage"] and new["requires_outage"]):
        # Without `requires outage` on both sides the downgrade never applies on one of them.
        yield from changed(at, od, nd, show, "informational")
        return
    if od is None or nd is None:
        rule = Presence(("improvement", "downgrade_added"), ("reduction", "downgrade_removed"))
        yield from presence(at, od, nd, rule, show=show)
        return
    # Compare, tier by tier, the old target of the old downgrade with the new target of the new one.
    old_tiers, new_tiers = by_id(pair.old.get("tiers")), by_id(pair.new.get("tiers"))
    signs = {
        response_sign(
            pair,
            by_id(old_tiers[t]["responses"], "priority").get(od),
            by_id(new_tiers[t]["responses"], "priority").get(nd),
        )
        for t in set(old_tiers) & set(new_tiers)
    }
    kind: Kind
    if signs <= {0}:
        kind, reason, ambiguous = "neutral", "downgrade_same", False
    elif None in signs or (1 in signs and -1 in signs):
        kind, reason, ambiguous = "reduction", "downgrade_mixed", True
    elif 1 in signs:
        kind, reason, ambiguous = "improvement", "downgrade_faster", False
    else:
        kind, reason, ambiguous = "reduction", "downgrade_slower", False
    detail = msg("change", "changed", old=show(od), new=show(nd))
    yield change(at, kind, detail, msg("reason", reason), ambiguous=ambiguous, old=od, new=nd)


def _tier(pair: Pair, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    lines = lines_of(old, new)
    at = At(Key("tier", ident, "features"), msg("subject", "tier_features", name=name), lines)
    yield from texts(pair, at, old.get("features"), new.get("features"), legal=True)
    yield from _responses(pair, ident, name, old, new)
    yield from _service_uptimes(pair, ident, name, old, new)
    for ch, a, b in members(old.get("support", []), new.get("support", [])):
        subject = msg("subject", "tier_support", name=name, channel=pair.name("channels", ch))
        rule = Presence(("improvement", "support_added"), ("reduction", "support_removed"))
        yield from presence(At(Key("tier", ident, "support", ch), subject, lines), a, b, rule)
    yield from _live(pair, ident, name, old.get("live"), new.get("live"))


def _service_uptimes(pair: Pair, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    """Language v2: the commitment for each service a tier states one for (`uptime P for SERVICE`), against
    what applies to that service on the other side (its own, else the tier's `uptime P`, compared there)."""
    own = [u["service"] for t in (new, old) for u in t.get("service_uptime") or ()]
    if _uptime_per_service(pair, old, new):  # every service: the general uptime stood for those without their own
        own += [s["id"] for p in (pair.new, pair.old) for s in p.get("services") or ()]
    for service in dict.fromkeys(own):
        a, b = service_target(old, service), service_target(new, service)
        subject = msg("subject", "tier_uptime_service", name=name, service=pair.name("services", service))
        lines = [next((u["line"] for u in t.get("service_uptime") or () if u["service"] == service), None)
                 for t in (old, new)]  # fmt: skip
        at = At(Key("tier", ident, "uptime", service), subject, (lines[0] or old["line"], lines[1] or new["line"]))
        if a is None or b is None:
            rule = Presence(("improvement", "uptime_added"), ("reduction", "uptime_removed"))
            yield from presence(at, a, b, rule, show=percent)
        else:
            yield from ordered(
                at, (Decimal(a), Decimal(b)), (a, b), percent, ("uptime_higher", "uptime_lower"), higher=True,
                extra=downtime(a, b, pair.window),
            )  # fmt: skip


def _uptime_per_service(pair: Pair, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a tier's general uptime is given on one side only in a contract with services: what it
    meant is then each service's commitment, compared service by service (`uptime 99.9%` replaced by
    `uptime 99.99% for compute` and `uptime 99.9% for object_storage` lowers none)."""
    with_services = any(p.get("services") for p in (pair.old, pair.new))
    return with_services and (old.get("uptime") is None) != (new.get("uptime") is None)


def _show_response(r: dict[str, Any]) -> Msg:
    within = show_length(r)
    return lambda s: f"{within(s)} ({r['calendar']})"


def _responses(pair: Pair, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for prio, a, b in matched(by_id(old["responses"], "priority"), by_id(new["responses"], "priority")):
        subject = msg("subject", "tier_response", name=name, priority=pair.name("priorities", prio))
        at = At(Key("tier", ident, "response", prio), subject, lines_of(a, b))
        if a is None or b is None:
            rule = Presence(("improvement", "target_added"), ("reduction", "target_removed"))
            yield from presence(at, a, b, rule, show=_show_response)
            continue
        if length(a) == length(b) and a["calendar"] == b["calendar"]:
            continue
        yield _response(pair, at, a, b)


def _response(pair: Pair, at: At, a: dict[str, Any], b: dict[str, Any]) -> Change:
    way = response_sign(pair, a, b)
    same_calendar = a["calendar"] == b["calendar"]
    show = show_length if same_calendar else _show_response
    kind: Kind = "reduction" if way is None or way < 0 else "improvement"
    if way is None:
        reason = msg("reason", "length_kind_changed" if length(a)[0] != length(b)[0] else "target_ambiguous")
    elif same_calendar or length(a) != length(b):
        reason = msg("reason", "shorter_target" if way > 0 else "longer_target")
    else:
        reason = msg("reason", "hours_more" if way > 0 else "hours_fewer")
    detail = msg("change", "changed", old=show(a), new=show(b))
    values = [{k: v for k, v in r.items() if k not in ("line", "priority")} for r in (a, b)]
    return change(at, kind, detail, reason, ambiguous=way is None, old=values[0], new=values[1])


def _show_live(live: dict[str, Any]) -> Msg:
    limit = word("unlimited") if live.get("max_session_seconds") is None else duration(live["max_session_seconds"])
    return lambda s: f"{render(limit, s)} ({live['calendar']})"


def _live(
    pair: Pair, ident: str, name: Msg, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> Iterator[Change]:
    at = At(Key("tier", ident, "live"), msg("subject", "tier_live", name=name), lines_of(old, new))
    if old is None or new is None:
        rule = Presence(("improvement", "live_added"), ("reduction", "live_removed"))
        yield from presence(at, old, new, rule, show=_show_live)
        return
    # Unlimited sessions beat any limit.
    inf = Decimal("Infinity")
    a = inf if old["max_session_seconds"] is None else Decimal(str(old["max_session_seconds"]))
    b = inf if new["max_session_seconds"] is None else Decimal(str(new["max_session_seconds"]))
    time, cal = sign(a, b), relation(pair, old["calendar"], new["calendar"])
    if time == 0 and cal == 0:
        return
    way = _both_ways(time, cal)
    calendar_reason = msg("reason", "live_calendar", calendar=new["calendar"])
    kind: Kind = "reduction" if way is None or way < 0 else "improvement"
    if way is None:
        reason = msg("reason", "target_ambiguous")
    elif way > 0:
        reason = msg("reason", "live_unlimited" if b == inf else "live_longer") if time else calendar_reason
    else:
        reason = msg("reason", "live_limited" if a == inf else "live_shorter") if time else calendar_reason
    detail = msg("change", "changed", old=_show_live(old), new=_show_live(new))
    yield change(
        at, kind, detail, reason, ambiguous=way is None, old=jsonable(no_lines(old)), new=jsonable(no_lines(new))
    )
