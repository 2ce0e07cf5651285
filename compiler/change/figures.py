"""Reference-month figures as data, and which figures a change can move (see `slac.change.impact`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .keys import Key

RESPONSES, CALENDAR, BELOW, EVENTS = "responses", "calendar", "below", "events"


@dataclass(frozen=True)
class Figures:
    """One situation of one tier under one contract: the evaluator's total, uptime and missed responses."""

    credit: str  # the report's `total`, rounded to the currency's minor unit
    currency: str
    uptime: str | None  # the report's exact uptime cut to 4 places (None for a sum over several customers)
    missed: int

    def to_json(self) -> dict[str, Any]:
        return {"credit": self.credit, "currency": self.currency, "uptime": self.uptime, "missed": self.missed}


@dataclass(frozen=True)
class Figure:
    """One situation of one tier, evaluated under OLD and under NEW."""

    tier: str
    name: dict[str, str] | None  # the tier's name in the new contract, per language
    situation: str  # RESPONSES, CALENDAR, BELOW or EVENTS
    threshold: str | None  # the uptime threshold a BELOW month probes
    customers: int
    old: Figures
    new: Figures
    service: str | None = None  # the service a BELOW period probes (language v2), None for the tier's uptime
    service_name: dict[str, str] | None = None  # its name in the contract, per language
    by_period: bool = False  # of a quarter or a year (language v2's billing): "the reference period"

    @property
    def same(self) -> bool:
        return (self.old.credit, self.old.currency, self.old.missed) == (
            self.new.credit,
            self.new.currency,
            self.new.missed,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "situation": self.situation,
            "threshold": self.threshold,
            "service": self.service,
            "customers": self.customers,
            "same": self.same,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
        }


@dataclass(frozen=True)
class Reference:
    """The month the figures are for, and every figure by (tier, situation, threshold)."""

    period: str
    source: str  # "synthetic" or the events directory
    fees: dict[str, str]  # tier → its reference customers' monthly fee, "1000.00" (synthetic month)
    names: dict[str, dict[str, str] | None]  # tier → its name in the new contract
    currency: str
    opened: str | None  # when the reference tickets open (synthetic month)
    calendar_opened: str | None  # when the CALENDAR tickets open: the first day a calendar differs
    figures: dict[str, list[Figure]]  # tier → its situations
    per_service: bool = False  # language v2 with services: each service charged the fee, probed on its own
    by_period: bool = False  # language v2 billing by the quarter or year: a reference period, not a month
    conditions: bool = False  # language v2: the reference customers meet the contract's conditions
    tickets: bool = True  # reference tickets were opened (the contracts share a priority)
    unresolved: bool = False  # and the contracts have resolution or update targets, which they never meet

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "source": self.source,
            "fees": self.fees,
            "currency": self.currency,
            "tickets_opened": self.opened,
            "calendar_tickets_opened": self.calendar_opened,
        }

    def for_change(self, key: Key, old: dict[str, Any], new: dict[str, Any]) -> tuple[Figure, ...]:
        """The figures a change can move (see `slac.change.impact`); () for terms without money."""
        found = scope(key, old, new)
        if found is None:
            return ()
        tiers, situations = found
        service = _service(key)
        out: list[Figure] = []
        for tier in self.figures:  # the evaluation's order: the new contract's tiers
            if tier in tiers:
                out += [
                    f
                    for f in self.figures[tier]
                    if (f.situation in situations and (service is None or f.service == service))
                    or f.situation == EVENTS
                ]
        return tuple(out)


def _service(key: Key) -> str | None:
    """The one service a change is about (`tier:gold/uptime:compute`, `credit:c/bands:gold:compute`), if any."""
    if key.section == "tier" and key.part == "uptime":
        return key.arg
    if key.section == "credit" and key.part == "bands" and key.arg and ":" in key.arg:
        return key.arg.split(":", 1)[1]
    return None


def scope(key: Key, old: dict[str, Any], new: dict[str, Any]) -> tuple[set[str], set[str]] | None:
    """(tiers, situations) whose figures a change of `key` can move; None for terms without money."""
    every = {RESPONSES, BELOW}
    all_tiers = {t["id"] for t in old.get("tiers", [])} | {t["id"] for t in new.get("tiers", [])}
    section, ident, part = key.section, key.ident or "", key.part
    if section == "tier":
        if part == "response":
            return {ident}, {RESPONSES}
        if part == "uptime":
            return {ident}, {BELOW}
        return None
    if section == "credit":
        applies = {t for p in (old, new) for c in p.get("credits", []) if c["id"] == ident for t in c["applies"]}
        if part == "bands":
            return {(key.arg or "").split(":", 1)[0]}, {BELOW}
        if part == "applies":
            return {key.arg or ""}, every
        if part == "per_miss":
            return applies, {RESPONSES}
        if part is None:
            return applies, every
        return None
    if section in ("cap", "minimum_credit"):
        return all_tiers, every
    if section == "availability" and ident in ("minimum_outage", "whole_minutes"):
        return all_tiers, {BELOW}
    if section == "calendar":
        users = {
            t["id"] for p in (old, new) for t in p.get("tiers", []) for r in t["responses"] if r["calendar"] == ident
        }
        return users, {RESPONSES, CALENDAR}
    if section == "priority" and part in ("downgrade", "requires_outage"):
        return all_tiers, {RESPONSES}
    return None
