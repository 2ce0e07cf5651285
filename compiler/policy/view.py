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
    within_seconds: int | float
    calendar: str
    line: int
    business_days: int = 0  # issue 12: a target in business days (then within_seconds is 0)


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
    pause_statuses: frozenset[str] = frozenset()  # issue 12: `ticket clock { pause when status … }`
    warn_percent: str | None = None  # issue 12: `warn at P%`, a decimal string

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
            pause_statuses=frozenset((raw.get("ticket_clock") or {}).get("pause") or ()),
            warn_percent=(raw.get("ticket_clock") or {}).get("warn_percent"),
        )


def _tier(t: Mapping[str, Any]) -> Tier:
    responses = tuple(
        Response(r["priority"], r.get("within_seconds", 0), r["calendar"], r["line"], r.get("business_days", 0))
        for r in t["responses"]
    )
    return Tier(t["id"], t["rank"], t["uptime"], responses, t["line"])
