"""A frozen, typed view of a loaded policy: what `slac.policy.load` returns.

The typed fields are what consumers look up (ids, zones, currency, targets); `raw` keeps the whole
validated policy as a read-only mapping for the parts only a document needs (texts, lines, examples).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Response:
    """A tier's response target for one priority, in the policy's own units (seconds)."""

    priority: str
    within_seconds: int | float | None  # None when the target is in business days (1.2)
    calendar: str
    line: int
    business_days: int | None = None  # 1.2: `N business_day(s)`


@dataclass(frozen=True, slots=True)
class Resolution:
    """A tier's resolution target for one priority (1.2): seconds of open time, or business days."""

    priority: str
    within_seconds: int | float | None
    business_days: int | None
    calendar: str
    line: int


@dataclass(frozen=True, slots=True)
class UpdateTarget:
    """A tier's update interval for one priority (1.2): seconds of open time, or business days."""

    priority: str
    every_seconds: int | float | None
    business_days: int | None
    calendar: str
    line: int


@dataclass(frozen=True, slots=True)
class TicketClock:
    """`ticket clock` (1.2): the statuses that pause every target, the at-risk share (a decimal string)."""

    pause: tuple[str, ...]
    warn_percent: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Priority:
    id: str
    requires_outage: bool
    downgrade: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    rank: int
    uptime: str | None  # a decimal string ("99.9"), None when the tier promises none
    responses: tuple[Response, ...]
    line: int
    resolutions: tuple[Resolution, ...] = ()  # 1.2; none in an older policy
    updates: tuple[UpdateTarget, ...] = ()  # 1.2


@dataclass(frozen=True, slots=True)
class PolicyView:
    """A checked policy; build one with `slac.policy.load` (or `PolicyView.of` on a trusted dict)."""

    raw: Mapping[str, Any]  # the validated policy, read-only at the top level
    content_hash: str
    format_version: str
    contract_id: str
    timezone: str  # the contract's zone, "UTC" when it names none
    currency: str  # "XXX" when the contract has no currency
    minor_digits: int
    billing: str
    years: tuple[int, int] | None  # the materialised holiday years
    languages: tuple[str, ...]
    priorities: Mapping[str, Priority]
    tiers: Mapping[str, Tier]
    calendars: Mapping[str, Mapping[str, Any]]  # by id, the raw calendar entries
    exclusions: tuple[str, ...]
    downtime_excludes: frozenset[str]  # exclusions that keep downtime from counting
    minimum_outage_seconds: int | float | None
    maintenance_notice_seconds: int | float | None
    ticket_clock: TicketClock | None = None  # 1.2; None when the contract has no `ticket clock`

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> PolicyView:
        """The view of a policy dict that is already checked (by `load`, or built by the compiler)."""
        currency = raw["currency"] or {"code": "XXX", "minor_digits": 2}
        years = raw["materialised"]["years"]
        exclusions = tuple(e["id"] for e in raw["exclusions"])
        av = raw["availability"]
        return cls(
            raw=raw if isinstance(raw, MappingProxyType) else MappingProxyType(raw),
            content_hash=raw["content_hash"],
            format_version=raw["format_version"],
            contract_id=raw["contract"]["id"],
            timezone=raw["timezone"] or "UTC",
            currency=currency["code"],
            minor_digits=currency["minor_digits"],
            billing=raw["billing"],
            years=(years[0], years[1]) if years else None,
            languages=tuple(raw.get("languages") or ()),
            priorities=MappingProxyType(
                {p["id"]: Priority(p["id"], p["requires_outage"], p["downgrade"], p["line"]) for p in raw["priorities"]}
            ),
            tiers=MappingProxyType({t["id"]: _tier(t) for t in raw["tiers"]}),
            calendars=MappingProxyType({c["id"]: c for c in raw["calendars"]}),
            exclusions=exclusions,
            # Without an availability block every declared exclusion keeps downtime from counting.
            downtime_excludes=frozenset(av["excludes"] if av else exclusions),
            minimum_outage_seconds=av["minimum_outage_seconds"] if av else None,
            maintenance_notice_seconds=av["maintenance_notice_seconds"] if av else None,
            ticket_clock=_ticket_clock(raw.get("ticket_clock")),
        )


def _tier(t: Mapping[str, Any]) -> Tier:
    responses = tuple(
        Response(r["priority"], r.get("within_seconds"), r["calendar"], r["line"], r.get("business_days"))
        for r in t["responses"]
    )
    resolutions = tuple(
        Resolution(r["priority"], r.get("within_seconds"), r.get("business_days"), r["calendar"], r["line"])
        for r in t.get("resolutions", ())
    )
    updates = tuple(
        UpdateTarget(u["priority"], u.get("every_seconds"), u.get("business_days"), u["calendar"], u["line"])
        for u in t.get("updates", ())
    )
    return Tier(t["id"], t["rank"], t["uptime"], responses, t["line"], resolutions, updates)


def _ticket_clock(clock: Mapping[str, Any] | None) -> TicketClock | None:
    if clock is None:
        return None
    return TicketClock(tuple(clock["pause"]), clock["warn_percent"], clock["line"])
