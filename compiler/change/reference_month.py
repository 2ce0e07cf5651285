"""The synthetic reference period of `slac diff`'s figures (`slac.change.impact`), deterministic and
identical for both policies; every figure is the evaluator's (`slac.runtime.evaluate.evaluate`) on it:

* the period: `--period`, else the billing period the new contract takes effect in (else the old
  one's): a month, or for a contract of language v2 billing by the quarter or the year that
  quarter (`2026-Q2`) or year; the two contracts must bill alike;
* the fee of every reference customer (for the billing period): `--reference-fee`, else the fee of
  the first example for that tier (new contract first), else of the first example at all, else
  1000, in the contract's currency; language v2: every reference customer meets every condition
  (`requires good_standing`) and is charged that fee for each service (a service measured per
  region: in one region, `REGION`), so a credit on `service_charges` pays on it;
* for every tier both contracts have, one customer per situation:
  - "responses": for every priority both contracts have, one ticket opened on the second
    Wednesday of the period at 09:00 (in whichever of the two contracts' zones comes first)
    and answered one minute of open time after each deadline the two contracts give it (so a moved target
    or calendar shows as a response on time under one contract and late under the other);
    with the outage flag, and also without it for a priority that requires one in either
    contract; no downtime;
  - "calendar": when a calendar both contracts have opens differently on some day of the
    period, the same tickets opened at midnight of the first such day (the earlier of the two
    calendars' midnights), so a holiday, a make-up day, other hours or another zone moves
    their deadlines;
  - "below X%": for every uptime threshold either contract sets for the tier (its uptime
    target, each band of a credit that applies to it), one outage that puts the period just
    below X% (the allowed downtime rounded up to the minute, plus a minute, and never shorter
    than either contract's minimum outage plus a minute); no tickets. With services (language
    v2), one such customer per service and threshold of the tier for it (its commitment for the
    service, `below target` meaning that commitment), the outage that service's alone; the
    figure's uptime is the service's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from .compare import measured_services, service_target
from .figures import BELOW, CALENDAR, RESPONSES, Figure, Figures, Reference

DEFAULT_FEE = Decimal(1000)  # a round fee when neither the user nor the contracts give one
LATE_US = 60 * 1_000_000  # responses and outages go one minute past the line they probe
REGION = "REGION"  # the one region of a reference customer's service measured per region


class ImpactError(Exception):
    """The reference month cannot be evaluated (bad events, a month outside the holiday data…)."""


def period_of(billing: str, month: str) -> str:
    """The name of the billing period holding `month` (`2026-05`): `2026-05`, `2026-Q2` or `2026`."""
    year, number = (int(x) for x in month.split("-"))
    if billing == "quarterly":
        return f"{year}-Q{(number - 1) // 3 + 1}"
    if billing == "annually":
        return str(year)
    return month


@dataclass
class _Month:
    """The reference customers, tickets and incidents as they are made, and what each customer probes:
    (tier, situation, threshold, service) by customer id."""

    cust: list[tuple[str, str, Decimal]] = field(default_factory=list)
    tickets: list[tuple[str, str, str, int, int, bool]] = field(default_factory=list)
    incidents: list[tuple[str, int, int, str, str | None]] = field(default_factory=list)
    keys: dict[str, tuple[str, str, str | None, str | None]] = field(default_factory=dict)


def synthetic(old: Any, new: Any, tiers: list[str], period: str, fee: Decimal | None) -> Reference:
    """The figures of the synthetic reference period under both policies."""
    from ..policy import money_str
    from ..runtime.calendar import from_us, wall_to_us
    from ..runtime.evaluate import evaluate
    from ..runtime.windows import add_months, parse_period

    billings = [p.raw["billing"] for p in (old, new)]
    if billings[0] != billings[1]:
        raise ImpactError(
            f"the two contracts bill in different periods ({billings[0]}, {billings[1]}): "
            "no reference period is one billing period of both"
        )
    windows = [parse_period(period, p.raw["billing"], p.zone) for p in (old, new)]
    first = windows[1].first
    wednesday = first + timedelta(days=(2 - first.weekday()) % 7 + 7)
    opened_us = min(wall_to_us(wednesday, 9 * 60, p.zone) for p in (old, new))  # symmetric in OLD and NEW
    changed = _first_changed_day(old, new, first, add_months(first, windows[1].months))
    starts = [(RESPONSES, opened_us)] + ([(CALENDAR, changed)] if changed is not None else [])
    fees = {t: fee if fee is not None else _example_fee(new.raw, old.raw, t) for t in tiers}
    services = measured_services(old.raw, new.raw)
    length_us = max(w.end - w.start for w in windows)
    outage_start = max(w.start for w in windows) + 86400 * 1_000_000  # a day in, inside both periods
    month = _Month()
    for tier in tiers:
        _responses(month, old, new, tier, fees[tier], starts)
        _below(month, old, new, tier, fees[tier], services, length_us, outage_start)
    reports = [evaluate(p, _events(p, month), period=period) for p in (old, new)]
    figures: dict[str, list[Figure]] = {t: [] for t in tiers}
    by_id = [{c["customer"]: c for c in r["customers"]} for r in reports]
    names = {s: _service_name(new, old, s) for s in services}
    by_period = windows[1].months > 1
    for customer, (tier, situation, probe, service) in month.keys.items():
        a, b = (_figures(by[customer], situation == BELOW, service) for by in by_id)
        name = new.tiers[tier].get("name")
        figures[tier].append(Figure(tier, name, situation, probe, 1, a, b, service, names.get(service), by_period))
    return Reference(
        period=reports[1]["period"],
        source="synthetic",
        fees={t: money_str(f, new.currency) for t, f in fees.items()},
        names={t: new.tiers[t].get("name") for t in tiers},
        currency=new.currency,
        opened=from_us(opened_us, new.zone).isoformat(timespec="minutes"),
        calendar_opened=None if changed is None else from_us(changed, new.zone).isoformat(timespec="minutes"),
        figures=figures,
        per_service=any(s is not None for s in services),
        by_period=by_period,
        conditions=any(p.raw.get("conditions") for p in (old, new)),
        tickets=bool(month.tickets),
        unresolved=bool(month.tickets) and any(p.resolutions or p.updates for p in (old, new)),
    )


def _responses(month: _Month, old: Any, new: Any, tier: str, fee: Decimal, starts: list[tuple[str, int]]) -> None:
    """The "responses" (and "calendar") customers of a tier and their tickets."""
    from ..runtime.calendar import from_us, to_us

    priorities = [p for p in new.priorities if p in old.priorities]
    for situation, start_us in starts:
        ident = f"{tier}/{situation}"
        month.cust.append((ident, tier, fee))
        month.keys[ident] = (tier, situation, None, None)
        start = from_us(start_us, new.zone)
        for prio in priorities:
            flags = [True] + ([False] if any(p.priorities[prio]["requires_outage"] for p in (old, new)) else [])
            for outage in flags:
                # One minute of open time past each deadline: past the next opening when it falls at a closing.
                due = {
                    to_us(d[0]): to_us(d[1]) + LATE_US
                    for p in (old, new)
                    if (d := p.response_decision(tier, prio, start, outage=outage))
                }
                for k, deadline in enumerate(sorted(due)):
                    name = f"{ident}/{prio}{'' if outage else '/no-outage'}/{k + 1}"
                    month.tickets.append((name, ident, prio, start_us, due[deadline], outage))


def _below(
    month: _Month, old: Any, new: Any, tier: str, fee: Decimal, services: list[str | None], length_us: int,
    outage_start: int,
) -> None:  # fmt: skip
    """The "below X%" customers of a tier, one per service and threshold, each with its outage."""
    minimum_us = max(old.minimum_outage_us, new.minimum_outage_us)
    for service in services:
        for threshold in _thresholds(old.raw, new.raw, tier, service):
            allowed_us = Decimal(length_us) * (100 - Decimal(threshold)) / 100
            if allowed_us >= length_us:
                continue  # no period is below 0 %
            minutes = math.ceil(allowed_us / LATE_US)
            down = min(max(minutes * LATE_US + LATE_US, minimum_us + LATE_US), length_us)
            ident = f"{tier}/{BELOW}/{threshold}" if service is None else f"{tier}/{BELOW}/{service}/{threshold}"
            month.cust.append((ident, tier, fee))
            month.keys[ident] = (tier, BELOW, threshold, service)
            month.incidents.append((f"{ident}/outage", outage_start, outage_start + down, ident, service))


def _service_name(new: Any, old: Any, service: str | None) -> dict[str, str] | None:
    for p in (new, old):
        for s in p.raw.get("services") or ():
            if s["id"] == service:
                name: dict[str, str] | None = s.get("name")
                return name
    return None


def _thresholds(old: dict[str, Any], new: dict[str, Any], tier: str, service: str | None) -> list[str]:
    """Every uptime threshold either contract sets for the tier (and service), highest first, as the
    contracts write them."""
    found: dict[Decimal, str] = {}
    for policy in (new, old):
        spec = next((t for t in policy["tiers"] if t["id"] == tier), None)
        if spec is None:
            continue
        target = service_target(spec, service)
        texts: list[str | None] = [target] if target else []
        for credit in policy["credits"]:
            if tier in credit["applies"]:
                texts += [target if b["threshold"] == "target" else b["threshold"] for b in credit["bands"]]
        for text in texts:
            if text is not None:
                found.setdefault(Decimal(text), text)
    return [found[k] for k in sorted(found, reverse=True)]


def _events(policy: Any, month: _Month) -> Any:
    """The reference period's events for one policy: its conditions met, each service charged the fee."""
    import numpy as np

    from ..runtime.events import Charges
    from ..runtime.v2_terms import needs_scopes

    cust, incidents = month.cust, month.incidents
    base = _columns(cust, month.tickets, [i[:4] for i in incidents])

    if not needs_scopes(policy.raw):
        return base  # language v1: its columns
    n = len(cust)
    conditions = {c["id"]: np.ones(n, dtype=bool) for c in policy.raw.get("conditions") or ()}
    customers = replace(base.customers, conditions=conditions)
    per_region = {s["id"]: bool(s.get("per_region")) for s in policy.raw.get("services") or ()}
    # An outage of a service this contract does not measure: of its whole service when it has no services
    # (language v1's one uptime), else of nothing it covers (the incident is left out).
    kept = [i for i in incidents if i[4] is None or not per_region or i[4] in per_region]
    where = [i[4] if per_region else None for i in kept]
    base = _columns(cust, month.tickets, [i[:4] for i in kept])
    scoped = replace(base.incidents, service=_objects(where), region=_objects([None] * len(kept)))
    charges = None
    if per_region:
        rows = [(c[0], s, REGION if per_region[s] else None, c[2]) for c in cust for s in per_region]
        charges = Charges(
            customer=_objects([r[0] for r in rows]),
            service=_objects([r[1] for r in rows]),
            region=_objects([r[2] for r in rows]),
            amount=tuple(r[3] for r in rows),
            row=np.arange(1, len(rows) + 1, dtype=np.int64),
        )
    return replace(base, customers=customers, incidents=scoped, charges=charges)


def _objects(values: list[Any]) -> Any:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _figures(entry: dict[str, Any], probe: bool, service: str | None) -> Figures:
    """A customer's total and missed responses, and its uptime: language v1's, or (a "below" customer,
    `probe`) the probed service's (the one uptime of a contract without services; None for a service the
    contract does not measure)."""
    uptime = None
    scopes = entry.get("scopes")
    if probe or scopes is None:
        measured = entry["uptime"]
        if scopes:
            own = [s for s in scopes if s["service"] == service] or [s for s in scopes if s["service"] is None]
            measured = own[0]["uptime"] if own else None
        if measured is not None:
            # The exact uptime cut (not rounded up) to four places: "just below 99.9 %" must not read 99.90.
            uptime = str(Decimal(measured["percent"]).quantize(Decimal("0.0001"), ROUND_DOWN))
    return Figures(
        credit=entry["total"], currency=entry["currency"], uptime=uptime, missed=entry["tickets"]["breached"]
    )


def _columns(cust: list[Any], tickets: list[Any], incidents: list[Any]) -> Any:
    """The reference period's customers, tickets and incidents as the evaluator's columns."""
    import numpy as np

    from ..runtime.events import MISSING, Customers, Events, Incidents, Tickets

    def objects(values: list[Any]) -> Any:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    def rows(n: int) -> Any:
        return np.arange(1, n + 1, dtype=np.int64)

    return Events(
        Customers(
            objects([c[0] for c in cust]), objects([c[1] for c in cust]), tuple(c[2] for c in cust), rows(len(cust))
        ),
        Tickets(
            id=objects([t[0] for t in tickets]),
            customer=objects([t[1] for t in tickets]),
            priority=objects([t[2] for t in tickets]),
            opened=np.array([t[3] for t in tickets], dtype=np.int64),
            responded=np.array([t[4] for t in tickets], dtype=np.int64),
            outage=np.array([t[5] for t in tickets], dtype=bool),
            cause=objects([None] * len(tickets)),
            row=rows(len(tickets)),
        ),
        Incidents(
            id=objects([i[0] for i in incidents]),
            start=np.array([i[1] for i in incidents], dtype=np.int64),
            end=np.array([i[2] for i in incidents], dtype=np.int64),
            cause=objects([None] * len(incidents)),
            announced=np.full(len(incidents), MISSING, dtype=np.int64),
            customers=tuple((i[3],) for i in incidents),
            row=rows(len(incidents)),
        ),
    )


def _first_changed_day(old: Any, new: Any, first: date, end: date) -> int | None:
    """Midnight (calendar zone) of the period's first date whose open hours differ in a calendar both contracts have."""
    from ..runtime.calendar import wall_to_us

    shared = [(old.calendars[c], new.calendars[c]) for c in new.calendars if c in old.calendars]
    day = first
    while day < end:
        for a, b in shared:
            spans = [
                [(wall_to_us(day, s, c.zone), wall_to_us(day, e, c.zone)) for s, e in c.hours_on(day)] for c in (a, b)
            ]
            if spans[0] != spans[1]:
                # The earlier of the two midnights, so that swapping OLD and NEW gives the same month.
                return min(wall_to_us(day, 0, a.zone), wall_to_us(day, 0, b.zone))
        day += timedelta(days=1)
    return None


def _example_fee(new: dict[str, Any], old: dict[str, Any], tier: str) -> Decimal:
    for policy in (new, old):
        for ex in policy.get("examples", []):
            if ex.get("fee") and (ex.get("tier") or policy["tiers"][0]["id"]) == tier:
                return Decimal(ex["fee"]["amount"])
    for policy in (new, old):
        for ex in policy.get("examples", []):
            if ex.get("fee"):
                return Decimal(ex["fee"]["amount"])
    return DEFAULT_FEE
