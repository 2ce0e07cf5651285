"""A loaded policy with the runtime's lookups, and the per-ticket questions (deadline, status).

`load_policy` is `slac.policy.load` (the one loader, which refuses invalid, incompatible, edited
or hostile policies with a `PolicyError`) wrapped in a `Policy`: the typed view plus what
evaluation needs compiled once (calendars, targets in µs, effective priorities).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, NamedTuple

from ..policy.codec import us_of_seconds
from ..policy.load import load
from ..policy.schema import PolicyError
from ..policy.view import PolicyView
from . import status_lean
from .calendar import Calendar, from_us, to_us

__all__ = ["PLANNED_MAINTENANCE", "Policy", "PolicyError", "Target", "TicketStatus", "load_policy"]

PLANNED_MAINTENANCE = "planned_maintenance"  # the exclusion the maintenance notice period applies to


class TicketStatus(NamedTuple):
    """Where one ticket stands against its response target (a named tuple: fields by name, immutable)."""

    state: Literal["met", "breached", "open", "unmeasured"]
    effective_priority: str | None  # None: the ticket is not measured at any priority
    deadline: datetime | None
    time_left: timedelta | None  # open tickets: until the deadline
    lateness: timedelta | None  # breached tickets: past the deadline (at the response, or at as_of)
    targets: tuple[Any, ...] = ()  # issue 12: status.TargetStatus of each target (response, resolution, update)


@dataclass(frozen=True, slots=True)
class Target:
    """A tier's response target for one priority."""

    within_us: int
    calendar: str
    line: int
    business_days: int = 0  # issue 12: a target in business days (within_us is then 0)


def _targets(raw: Mapping[str, Any], key: str, seconds: str) -> dict[tuple[str, str], Target]:
    """A tier list of targets (`responses`, `resolutions`, `updates`) by (tier, priority)."""
    return {
        (t["id"], r["priority"]): Target(
            us_of_seconds(r.get(seconds, 0)), r["calendar"], r["line"], int(r.get("business_days", 0))
        )
        for t in raw["tiers"]
        for r in t.get(key, ())
    }


def load_policy(source: str | Path | Mapping[str, Any], *, contract: str | Path | None = None) -> Policy:
    """A checked `Policy` from a path, JSON text or dict; `PolicyError` says what is wrong otherwise."""
    view = load(source, contract=contract)
    try:
        return Policy(view)
    except ValueError as exc:
        # A loaded policy can still have a calendar without open hours (if someone recomputed the
        # hash after editing it): a deadline in it would never come.
        raise PolicyError(f"policy cannot be used here: {exc}") from None


class Policy:
    """A loaded policy: its view (`view`, `raw`) plus lookups for evaluation (built once).

    `Policy(view)` wraps a view from `slac.policy.load`; `Policy(raw)` takes a policy dict the
    compiler has just built (trusted, unchecked: use `load_policy` for anything read from outside).
    """

    def __init__(self, source: PolicyView | Mapping[str, Any]):
        import zoneinfo

        view = source if isinstance(source, PolicyView) else PolicyView.of(source)
        raw = view.raw
        self.view = view
        self.raw: Mapping[str, Any] = raw
        self.hash: str = view.content_hash
        self.zone_name: str = view.timezone
        self.zone = zoneinfo.ZoneInfo(self.zone_name)
        self.currency: str = view.currency
        self.minor_digits: int = view.minor_digits
        self.years: tuple[int, int] | None = view.years
        self.calendars = {c["id"]: Calendar(c, self.years) for c in raw["calendars"]}
        self.priorities: dict[str, dict[str, Any]] = {p["id"]: p for p in raw["priorities"]}
        self.tiers: dict[str, dict[str, Any]] = {t["id"]: t for t in raw["tiers"]}
        self.targets: dict[tuple[str, str], Target] = _targets(raw, "responses", "within_seconds")
        # Issue 12: resolution and update targets, the statuses that pause every clock, `warn at`.
        self.resolutions: dict[tuple[str, str], Target] = _targets(raw, "resolutions", "within_seconds")
        self.updates: dict[tuple[str, str], Target] = _targets(raw, "updates", "every_seconds")
        clock = view.ticket_clock
        self.pause_statuses: frozenset[str] = frozenset(clock.pause) if clock is not None else frozenset()
        self.warn_percent: str | None = clock.warn_percent if clock is not None else None
        warn = Fraction(Decimal(self.warn_percent)) / 100 if self.warn_percent is not None else None
        self.warn_ratio = None if warn is None else (warn.numerator, warn.denominator)
        self._clocked = bool(
            self.resolutions
            or self.updates
            or self.pause_statuses
            or any(t.business_days for t in self.targets.values())
        )
        self.exclusions = list(view.exclusions)
        self.downtime_excludes = view.downtime_excludes
        minimum = view.minimum_outage_seconds
        self.minimum_outage_us = us_of_seconds(minimum) if minimum else 0
        notice = view.maintenance_notice_seconds
        self.maintenance_notice_us: int | None = us_of_seconds(notice) if notice is not None else None
        self.uptime_decimals = _display_decimals(raw)
        self.credit_rules: Any = None  # credits.Rules, compiled on first use
        self.scoped_rules: Any = None  # scoped.Compiled (language v2), compiled on first use
        self._effective: dict[tuple[str, bool], str | None] = {}
        self._answers: dict[tuple[str, str, bool], tuple[Target, str] | None] = {}
        self._lean: dict[tuple[str, str, bool], Any] = {}  # status_lean.plan by (tier, priority, outage)
        self._events: dict[str, int] = {}  # status_lean._replay: event kinds by text

    # ---- priorities and targets -----------------------------------------------------------------

    def effective_priority(self, priority: str, outage: bool) -> str | None:
        """The priority a ticket is measured at: down the `downgrade` chain while `requires outage` is unmet."""
        key = (priority, outage)
        if key in self._effective:
            return self._effective[key]
        if priority not in self.priorities:
            raise ValueError(f"unknown priority {priority!r}; the policy has {', '.join(self.priorities)}")
        current: str | None = priority
        seen: set[str] = set()
        while current is not None and self.priorities[current]["requires_outage"] and not outage:
            if current in seen:  # the checks refuse downgrade cycles; a hand-made policy could still have one
                current = None
                break
            seen.add(current)
            current = self.priorities[current]["downgrade"]
        self._effective[key] = current
        return current

    def target(self, tier: str, priority: str, outage: bool) -> tuple[Target, str] | None:
        """(target, effective priority) for a ticket, or None when the tier does not measure it."""
        key = (tier, priority, outage)
        try:
            return self._answers[key]
        except KeyError:
            pass
        if tier not in self.tiers:
            raise ValueError(f"unknown tier {tier!r}; the policy has {', '.join(self.tiers)}")
        effective = self.effective_priority(priority, outage)
        target = self.targets.get((tier, effective)) if effective is not None else None
        answer = (target, effective) if target is not None and effective is not None else None
        self._answers[key] = answer
        return answer

    # ---- per-ticket API -------------------------------------------------------------------------

    def response_deadline(
        self, tier: str, priority: str, opened_at: datetime, *, outage: bool = False
    ) -> datetime | None:
        """When the first response is due (in `opened_at`'s zone), or None when the tier does not measure it."""
        found = self.target(tier, priority, outage)
        if found is None:
            return None
        target = found[0]
        if target.business_days:  # issue 12: the same clock time on the Nth following open day
            response = self._targets(tier, priority, opened_at, None, None, outage, (), opened_at)[0]
            return None if response.deadline is None else response.deadline.astimezone(opened_at.tzinfo)
        due = self.calendars[target.calendar].deadline(to_us(opened_at), target.within_us)
        return from_us(due, opened_at.tzinfo)

    def response_decision(
        self, tier: str, priority: str, opened_at: datetime, *, outage: bool = False
    ) -> tuple[datetime, datetime] | None:
        """(deadline, the last instant a response still meets it): they differ when the deadline falls
        at a closing, since no open time passes until the next opening. None when the tier does not
        measure the ticket."""
        found = self.target(tier, priority, outage)
        if found is None:
            return None
        target = found[0]
        if target.business_days:
            status = self._targets(tier, priority, opened_at, None, None, outage, (), opened_at)[0]
            assert status.deadline is not None
            due_us = to_us(status.deadline)
            cal = self.calendars[target.calendar]
            decided = cal.deadline_decided(due_us, 0)[1]
        else:
            due_us, decided = self.calendars[target.calendar].deadline_decided(to_us(opened_at), target.within_us)
        return from_us(due_us, opened_at.tzinfo), from_us(decided, opened_at.tzinfo)

    def resolution_deadline(
        self,
        tier: str,
        priority: str,
        opened_at: datetime,
        *,
        outage: bool = False,
        events: Sequence[tuple[datetime, str]] = (),
        as_of: datetime | None = None,
    ) -> datetime | None:
        """When the resolution of the ticket's current cycle is due, given its events so far (pauses,
        reopenings); None when the tier does not measure it or the clock is paused with no end."""
        now = as_of if as_of is not None else datetime.now(UTC)
        for t in self._statuses(tier, priority, opened_at, None, None, outage, events, now)[1]:
            if t.target == "resolution":
                return t.deadline
        return None

    def _statuses(
        self, tier: str, priority: str, opened_at: datetime, responded_at: datetime | None,
        resolved_at: datetime | None, outage: bool, events: Sequence[tuple[datetime, str]], as_of: datetime | None,
    ) -> tuple[str | None, tuple[Any, ...]]:  # fmt: skip
        """(effective priority, each target's status) by the lean path (`status_lean`) when it can answer,
        else by the general one (which also says what is wrong with the input)."""
        plan = self._lean.get((tier, priority, outage), False)
        if plan is False:
            plan = _lean_plan(self, tier, priority, outage)
        if plan is not None and as_of is not None:
            got = status_lean.statuses(self, plan, opened_at, responded_at, resolved_at, as_of, events)
            if got is not None:
                return plan[0], got
        targets = self._targets(tier, priority, opened_at, responded_at, resolved_at, outage, events, as_of)
        return self.effective_priority(priority, outage), targets

    def _targets(
        self, tier: str, priority: str, opened_at: datetime, responded_at: datetime | None,
        resolved_at: datetime | None, outage: bool, events: Sequence[tuple[datetime, str]], as_of: datetime | None,
    ) -> tuple[Any, ...]:  # fmt: skip
        from .status import target_statuses

        if tier not in self.tiers:
            raise ValueError(f"unknown tier {tier!r}; the policy has {', '.join(self.tiers)}")
        effective = self.effective_priority(priority, outage)
        if effective is None:
            return ()
        now = to_us(as_of if as_of is not None else datetime.now(UTC))
        opened = to_us(opened_at)
        responded = to_us(responded_at) if responded_at is not None else None
        resolved = to_us(resolved_at) if resolved_at is not None else None
        for value, what in ((responded, "response"), (resolved, "resolution")):
            if value is not None and value < opened:
                raise ValueError(f"the {what} is before the opening")
        return target_statuses(self, tier, effective, opened, responded, resolved, events, now, opened_at)

    def ticket_status(
        self,
        tier: str,
        priority: str,
        opened_at: datetime,
        responded_at: datetime | None = None,
        *,
        outage: bool = False,
        as_of: datetime | None = None,
        resolved_at: datetime | None = None,
        events: Sequence[tuple[datetime, str]] = (),
    ) -> TicketStatus:
        """Met, breached, open (with time left) or unmeasured; `as_of` defaults to now.

        Issue 12: with `events` ((at, "update" | "status:NAME"), …), `resolved_at`, or a policy with
        resolution, update, business-day or pausing terms, `targets` holds each target's status
        (met / breached / running / paused / at_risk, deadline, open time left), and the response
        state follows the pauses.
        """
        if events or resolved_at is not None or self._clocked:
            effective, targets = self._statuses(
                tier, priority, opened_at, responded_at, resolved_at, outage, events, as_of
            )
            return _from_targets(effective, targets, responded_at, as_of)
        found = self.target(tier, priority, outage)
        if found is None:
            return TicketStatus("unmeasured", self.effective_priority(priority, outage), None, None, None)
        target, effective = found
        due, decided = self.calendars[target.calendar].deadline_decided(to_us(opened_at), target.within_us)
        deadline = from_us(due, opened_at.tzinfo)
        # Decided by open time elapsed: at or before `decided` no more open time than the target passed.
        if responded_at is not None:
            if to_us(responded_at) < to_us(opened_at):
                raise ValueError("the response is before the opening")
            if to_us(responded_at) <= decided:
                return TicketStatus("met", effective, deadline, None, None)
            return TicketStatus("breached", effective, deadline, None, responded_at - deadline)
        now = as_of if as_of is not None else datetime.now(UTC)
        if to_us(now) > decided:  # to_us refuses a naive as_of
            return TicketStatus("breached", effective, deadline, None, now - deadline)
        return TicketStatus("open", effective, deadline, max(deadline - now, timedelta(0)), None)


def _lean_plan(self: Policy, tier: str, priority: str, outage: bool) -> Any:
    """The lean path's `status_lean.plan` of a ticket, kept by (tier, priority, outage); None: the
    general path answers (a target in business days, an unmeasured ticket, an unknown tier or priority)."""
    if tier not in self.tiers or priority not in self.priorities:
        return None  # the general path says what is unknown (not kept: any text could come)
    effective = self.effective_priority(priority, outage)
    plan = self._lean[(tier, priority, outage)] = None if effective is None else status_lean.plan(self, tier, effective)
    return plan


def _from_targets(
    effective: str | None, targets: tuple[Any, ...], responded_at: datetime | None, as_of: datetime | None
) -> TicketStatus:
    """The v1 fields (the response, always the first target when there is one) from the status of every
    target: the one place that builds a `TicketStatus` with targets (of the lean and the general path)."""
    response = targets[0] if targets and targets[0].target == "response" else None
    if response is None:
        return TicketStatus("unmeasured", effective, None, None, None, targets)
    deadline = response.deadline
    state = response.state
    if state == "met":
        return TicketStatus("met", effective, deadline, None, None, targets)
    if state == "breached":
        lateness = None if deadline is None else (responded_at or as_of or datetime.now(UTC)) - deadline
        return TicketStatus("breached", effective, deadline, None, lateness, targets)
    return TicketStatus("open", effective, deadline, response.time_left, None, targets)


def _display_decimals(raw: Mapping[str, Any]) -> int:
    """Decimals to show uptime with: as many as the contract writes in any uptime or band threshold, at least 2."""
    texts = [t["uptime"] for t in raw["tiers"] if t["uptime"]]
    texts += [u["uptime"] for t in raw["tiers"] for u in t.get("service_uptime", [])]
    texts += [b["threshold"] for c in raw["credits"] for b in c["bands"] if b["threshold"] != "target"]
    return max([2] + [len(t.partition(".")[2]) for t in texts])
