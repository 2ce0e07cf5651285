"""AST → policy for ticket clocks (language v2, issue 12): resolution and update targets, business days,
the `ticket clock` block, per-miss credits for resolutions and updates, and the example ticket's events.

Every key is written only when the contract uses the term (a policy without them reads as v1/1.1; see
`policy/view.py` for the defaults), in the shape documented in the policy schema (format 1.2).
"""

from __future__ import annotations

from typing import Any

from .. import nodes as n
from .codec import decimal_str, seconds_of_ms


def target_length(value: n.Duration | n.BusinessDays, key: str) -> dict[str, Any]:
    """`{key: seconds}` for a duration, `{"business_days": N}` for `N business_day(s)`."""
    if isinstance(value, n.BusinessDays):
        return {"business_days": value.count.value}
    return {key: seconds_of_ms(value.milliseconds)}


def in_priority_order(stmts: tuple[Any, ...], priorities: tuple[n.Priority, ...]) -> list[Any]:
    """Targets in priority declaration order, then source order (as the responses are)."""
    order = {p.name.value: i for i, p in enumerate(priorities)}
    return sorted(stmts, key=lambda s: (order.get(s.priority.value, len(order)), s.span.line))


def response(r: n.Respond) -> dict[str, Any]:
    return {
        "priority": r.priority.value,
        **target_length(r.within, "within_seconds"),
        "calendar": r.during.value,
        "line": r.span.line,
    }


def tier_terms(tier: n.Tier, priorities: tuple[n.Priority, ...], out: dict[str, Any]) -> None:
    resolves = in_priority_order(tier.all(n.Resolve), priorities)
    if resolves:
        out["resolutions"] = [_target(r, r.within, "within_seconds") for r in resolves]
    updates = in_priority_order(tier.all(n.Update), priorities)
    if updates:
        out["updates"] = [_target(u, u.every, "every_seconds") for u in updates]


def _target(stmt: n.Resolve | n.Update, length: n.Duration | n.BusinessDays, key: str) -> dict[str, Any]:
    """One resolution or update target: its priority, calendar, line and length (`key` or business days)."""
    return {
        "priority": stmt.priority.value,
        "calendar": stmt.during.value,
        "line": stmt.span.line,
        **target_length(length, key),
    }


def contract_terms(sla: n.Sla, policy: dict[str, Any]) -> None:
    clock = sla.first(n.TicketClock)
    if clock is None:
        return
    warn = clock.first(n.WarnAt)
    policy["ticket_clock"] = {
        "line": clock.span.line,
        # In the order written, each status once.
        "pause": list(dict.fromkeys(s.value for p in clock.all(n.PauseWhen) for s in p.statuses)),
        "warn_percent": decimal_str(warn.percent.value) if warn is not None else None,
    }


def per_miss(pm: n.PerMiss, entry: dict[str, Any]) -> dict[str, Any]:
    if pm.target != "response":  # absent means the response target (v1)
        entry["target"] = pm.target
    return entry


def ticket_events(ev: n.Ticket, out: dict[str, Any]) -> None:
    if ev.updates:
        out["updates"] = [u.value.isoformat() for u in ev.updates]
    if ev.pauses:
        out["pauses"] = [
            {"at": p.at.value.isoformat(), "duration_seconds": seconds_of_ms(p.duration.milliseconds)}
            for p in ev.pauses
        ]
    if ev.resolved is not None:
        out["resolved"] = ev.resolved.value.isoformat()


def expectations(ex: n.Example, expect: dict[str, Any]) -> None:
    resolutions = ex.first(n.ExpectMissedResolutions)
    if resolutions is not None:
        expect["missed_resolutions"] = {"count": resolutions.value.value, "line": resolutions.span.line}
    updates = ex.first(n.ExpectMissedUpdates)
    if updates is not None:
        expect["missed_updates"] = {"count": updates.value.value, "line": updates.span.line}
