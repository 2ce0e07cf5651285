"""The expected projection of a case, from the independent test oracle (tests/oracle/reference*.py) only.

Language v1 policies go to `reference.evaluate_reference`; language v2 policies (scopes, windows,
formulas, …) to `reference_v2.evaluate_reference_v2`; ticket clocks (pauses, updates, resolution,
business days) to `reference_tickets.reference_ticket`, ticket by ticket (the v2 evaluator counts
the per-miss credits' misses with it too). What none of them has is composed here, plainly and
without the runtime: the claim deadline (calendar arithmetic on the window's last day). A case the
oracle cannot decide raises `OracleLacks`; the generator then leaves it out.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slac.runtime.events import MISSING
from slac.runtime.scoped import needs_scopes
from tests.oracle.reference import evaluate_reference
from tests.oracle.reference_tickets import INF, calendars, history, reference_ticket, ticket_histories
from tests.oracle.reference_v2 import evaluate_reference_v2, window_bounds

from .tables import iso_utc, to_events, us


class OracleLacks(ValueError):
    """The oracle does not decide this case (the generator leaves it out and says why)."""


def seconds_text(micro: int) -> str:
    """µs as a decimal string of seconds without trailing zeros ("5400", "58.5")."""
    text = format(Decimal(micro).scaleb(-6).normalize(), "f")
    return text


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _round(total: Fraction, digits: int) -> Decimal:
    scaled = total * 10**digits
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r > scaled.denominator or (2 * r == scaled.denominator and q % 2):
        q += 1
    return Decimal(q).scaleb(-digits)


def _months(policy: dict[str, Any]) -> int:
    return {"monthly": 1, "quarterly": 3, "annually": 12}[policy["billing"]]


def claim_deadline(policy: dict[str, Any], period: str) -> str | None:
    """When the claim window closes (UTC): `within D` after the window's end on the wall clock; `within N
    billing cycles` at the end (local midnight) of the Nth billing period after the window."""
    claim = policy["claim"]
    if claim is None:
        return None
    zone = zoneinfo.ZoneInfo(policy["timezone"] or "UTC")
    _, _, year, month, months = window_bounds(policy, period)
    if claim.get("within_cycles"):
        index = year * 12 + month - 1 + months + claim["within_cycles"] * _months(policy)
        wall = datetime(index // 12, index % 12 + 1, 1)
    elif claim["within_seconds"] is not None:
        index = year * 12 + month - 1 + months
        wall = datetime(index // 12, index % 12 + 1, 1) + timedelta(seconds=claim["within_seconds"])
    else:
        return None
    return iso_utc(us(wall.replace(tzinfo=zone).isoformat()))


def _clocks(policy: dict[str, Any], events: Any, lo: int, hi: int, as_of: int) -> dict[str, dict[str, Any]]:
    """Per customer: response breaches (id → deadline), missed resolutions (id → deadlines), missed updates."""
    t = events.tickets
    tier_of = dict(zip(events.customers.id.tolist(), events.customers.tier.tolist(), strict=True))
    cals = calendars(policy)
    by_ticket = ticket_histories(events)
    pausing = set((policy.get("ticket_clock") or {}).get("pause") or [])
    out: dict[str, dict[str, Any]] = {
        c: {"breaches": {}, "missed_resolutions": {}, "missed_updates": {}} for c in tier_of
    }
    for k in range(len(t.id)):
        opened = int(t.opened[k])
        if not lo <= opened < hi:
            continue
        if t.cause[k] is not None:
            raise OracleLacks("a ticket with a cause under ticket clocks")
        responded, resolved = int(t.responded[k]), int(t.resolved[k])
        evs = by_ticket.get(k, [])
        tier = tier_of[t.customer[k]]
        ref = reference_ticket(
            policy, cals, tier, t.priority[k], bool(t.outage[k]), opened,
            None if responded == MISSING else responded, None if resolved == MISSING else resolved, evs, as_of,
        )  # fmt: skip
        mine = out[t.customer[k]]
        ident = str(t.id[k])
        if ref.response == "breached":
            mine["breaches"][ident] = iso_utc(_response_deadline(policy, cals, tier, k, t, evs, pausing, resolved))
        if ref.missed_resolutions:
            mine["missed_resolutions"][ident] = [iso_utc(d) for d in ref.resolution_deadlines]
        if ref.missed_updates:
            mine["missed_updates"][ident] = ref.missed_updates
    return out


def _response_deadline(policy, cals, tier_id, k, t, evs, pausing, resolved) -> int | None:  # type: ignore[no-untyped-def]
    from tests.oracle.reference_tickets import _d, _effective, _target

    tier = next(x for x in policy["tiers"] if x["id"] == tier_id)
    target = _target(tier, "responses", _effective(policy, t.priority[k], bool(t.outage[k])))
    cal = cals[target["calendar"]]
    opened = int(t.opened[k])
    pauses, _, _ = history(evs, opened, None if resolved == MISSING else resolved, pausing)
    return cal.deadline(
        opened, _d(cal, target, opened, "within_seconds"), pauses, min(INF, opened + 400 * 86_400_000_000)
    )


def _uses_clocks(policy: dict[str, Any], events: Any) -> bool:
    tiers = policy["tiers"]
    return (
        events.ticket_events is not None
        or bool((events.tickets.resolved != MISSING).any())
        or any(t.get("resolutions") or t.get("updates") for t in tiers)
        or any(r.get("business_days") for t in tiers for r in t["responses"])
        or any(c["per_miss"] and c["per_miss"].get("target") for c in policy["credits"])
    )


def expected(
    policy: dict[str, Any], tables: dict[str, list[dict[str, Any]]], period: str, as_of: str | None
) -> dict[str, Any]:
    """The projection (README.md, "The projection") the oracle finds for one case."""
    events = to_events(policy, tables)
    lo, hi, *_ = window_bounds(policy, period)
    as_of_us = hi if as_of is None else us(as_of)
    claim = claim_deadline(policy, period)
    if not needs_scopes(policy):
        if _uses_clocks(policy, events):
            raise OracleLacks("ticket clocks under a language v1 policy (reference.py measures responses only)")
        ref = evaluate_reference(policy, events, period, as_of_us)
        customers = {}
        for cid, rc in ref.customers.items():
            customers[cid] = {
                "scopes": [{"service": None, "region": None, "downtime_seconds": seconds_text(rc.counted_us),
                            "uptime": _fraction(rc.uptime)}],
                "breaches": {i: iso_utc(ref.deadlines[i]) for i in rc.breaches},
                "missed_resolutions": {},
                "missed_updates": {},
                "total": str(rc.total),
                "termination": False,
                "claim_deadline": claim,
            }  # fmt: skip
        return {"customers": customers}
    return {"customers": _v2(policy, events, period, lo, hi, as_of_us, claim)}


def _v2(policy, events, period, lo, hi, as_of_us, claim) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    clocks = _clocks(policy, events, lo, hi, as_of_us)
    ref = evaluate_reference_v2(policy, events, period, as_of_us)  # per-miss lines included
    out = {}
    for cid, rc in ref.items():
        total = rc.total
        mine = clocks[cid]
        out[cid] = {
            "scopes": [
                {"service": s, "region": g, "downtime_seconds": seconds_text(x.counted_us), "uptime": _fraction(x.uptime)}
                for (s, g), x in sorted(rc.scopes.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or ""))
            ],
            **mine,
            "total": str(total),
            "termination": rc.termination,
            "claim_deadline": claim,
        }  # fmt: skip
    return out
