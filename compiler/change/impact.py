"""Reference-month figures for `slac diff`: what each affected tier is owed under OLD and under NEW.

Every figure comes from the evaluator (`slac.runtime.evaluate.evaluate`) run on the same month
of events under both policies; nothing here computes a credit, an uptime or a deadline by
itself. The month is the user's (`--reference-events DIR` with `--period`) or a synthetic one,
deterministic and identical for both policies:

* the period: `--period`, else the month the new contract takes effect (else the old one's);
* the fee of every reference customer: `--reference-fee`, else the fee of the first example
  for that tier (new contract first), else of the first example at all, else 1000, in the
  contract's currency;
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
    target, each band of a credit that applies to it), one outage that puts the month just
    below X% (the allowed downtime rounded up to the minute, plus a minute, and never shorter
    than either contract's minimum outage plus a minute); no tickets.

A change gets the situations it can move, of the tiers it concerns: response targets and
priority rules the "responses" month, calendars that and the "calendar" one; uptime targets
and bands the "below" months; a credit added, removed or applied to another tier, and the cap, all of them. Terms
that do not change money (names, texts, contacts, features) get no figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .changelog import Diff
from .figures import BELOW, CALENDAR, EVENTS, RESPONSES, Figure, Figures, Reference, scope
from .keys import Key

DEFAULT_FEE = Decimal(1000)  # a round fee when neither the user nor the contracts give one
LATE_US = 60 * 1_000_000  # responses and outages go one minute past the line they probe


class ImpactError(Exception):
    """The reference month cannot be evaluated (bad events, a month outside the holiday data…)."""


def attach(result: Diff, ref: Reference) -> Diff:
    """The diff with each change's reference-month figures and the month they are for."""
    changes = tuple(replace(c, impact=ref.for_change(c.key, result.old, result.new)) for c in result.changes)
    return replace(result, changes=changes, reference=ref)


def wanted(terms: Iterable[Key | str], old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether any change can have figures (so the evaluator is loaded only when it is needed).

    `terms` are the changes' keys, or their `term` strings.
    """
    keys = (t if isinstance(t, Key) else Key.parse(t) for t in terms)
    return any(scope(key, old, new) is not None for key in keys)


# ---- the month ------------------------------------------------------------------------------------


def default_period(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """The month the new contract takes effect (else the old one's), or None when neither says."""
    for policy in (new, old):
        effective = policy.get("contract", {}).get("effective")
        if effective:
            return str(effective)[:7]
    return None


def parse_fee(text: str) -> Decimal:
    """A reference fee as the user writes it (`800`, `99.90`); ValueError with what to write otherwise."""
    try:
        fee = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number; write the monthly fee like 1000 or 99.90") from None
    if not fee.is_finite() or fee < 0:
        raise ValueError(f"{text!r} is not a fee; write a number of zero or more, like 1000")
    return fee


def reference(
    old_raw: dict[str, Any],
    new_raw: dict[str, Any],
    *,
    period: str,
    fee: Decimal | None = None,
    events_dir: str | None = None,
) -> Reference:
    """Evaluate the reference month under both policies; ImpactError says why when it cannot."""
    from ..runtime import PolicyError, load_policy

    try:
        old, new = load_policy(old_raw), load_policy(new_raw)
    except PolicyError as exc:
        raise ImpactError(f"the policy cannot be evaluated: {exc}") from None
    if any(p.raw.get("services") for p in (old, new)):  # its figures are one uptime per customer (v1)
        raise ImpactError(
            "no reference-month figures for a contract with services yet: each service has its own uptime"
        )
    tiers = [t for t in new.tiers if t in old.tiers]
    try:
        if events_dir is not None:
            return _given_month(old, new, tiers, period, events_dir)
        return _synthetic_month(old, new, tiers, period, fee)
    except ImpactError:
        raise
    except ValueError as exc:  # a month outside the holiday data, a billing the evaluator does not handle…
        raise ImpactError(str(exc)) from None


def _synthetic_month(old: Any, new: Any, tiers: list[str], period: str, fee: Decimal | None) -> Reference:
    from ..policy import money_str
    from ..runtime.calendar import from_us, to_us, wall_to_us
    from ..runtime.evaluate import Period, evaluate

    periods = [Period.month(p, period) for p in (old, new)]
    length_us = max(p.end - p.start for p in periods)
    year, month = (int(x) for x in period.split("-"))
    first = date(year, month, 1)
    wednesday = first + timedelta(days=(2 - first.weekday()) % 7 + 7)
    opened_us = min(wall_to_us(wednesday, 9 * 60, p.zone) for p in (old, new))  # symmetric in OLD and NEW
    opened = from_us(opened_us, new.zone)
    outage_start = max(p.start for p in periods) + 86400 * 1_000_000  # a day in, inside both periods
    minimum_us = max(old.minimum_outage_us, new.minimum_outage_us)
    priorities = [p for p in new.priorities if p in old.priorities]

    fees = {t: fee if fee is not None else _example_fee(new.raw, old.raw, t) for t in tiers}
    cust: list[tuple[str, str, Decimal]] = []
    tickets: list[tuple[str, str, str, int, int, bool]] = []
    incidents: list[tuple[str, int, int, str]] = []
    keys: dict[str, tuple[str, str, str | None]] = {}  # customer id → (tier, situation, threshold)
    changed = _first_changed_day(old, new, first, date(year + month // 12, month % 12 + 1, 1))
    starts = [(RESPONSES, opened_us)]
    if changed is not None:
        starts.append((CALENDAR, changed))

    for tier in tiers:
        for situation, start_us in starts:
            ident = f"{tier}/{situation}"
            cust.append((ident, tier, fees[tier]))
            keys[ident] = (tier, situation, None)
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
                        tickets.append((name, ident, prio, start_us, due[deadline], outage))
        for threshold in _thresholds(old.raw, new.raw, tier):
            allowed_us = Decimal(length_us) * (100 - Decimal(threshold)) / 100
            if allowed_us >= length_us:
                continue  # no month is below 0 %
            minutes = math.ceil(allowed_us / LATE_US)
            down = min(max(minutes * LATE_US + LATE_US, minimum_us + LATE_US), length_us)
            ident = f"{tier}/{BELOW}/{threshold}"
            cust.append((ident, tier, fees[tier]))
            keys[ident] = (tier, BELOW, threshold)
            incidents.append((f"{ident}/outage", outage_start, outage_start + down, ident))

    events = _events(cust, tickets, incidents)
    reports = [evaluate(p, events, period=period) for p in (old, new)]
    figures: dict[str, list[Figure]] = {t: [] for t in tiers}
    by_id = [{c["customer"]: c for c in r["customers"]} for r in reports]
    for customer, (tier, situation, probe) in keys.items():
        a, b = (_figures([by[customer]], with_uptime=True) for by in by_id)
        figures[tier].append(Figure(tier, new.tiers[tier].get("name"), situation, probe, 1, a, b))
    return Reference(
        period=reports[1]["period"],
        source="synthetic",
        fees={t: money_str(f, new.currency) for t, f in fees.items()},
        names={t: new.tiers[t].get("name") for t in tiers},
        currency=new.currency,
        opened=opened.isoformat(timespec="minutes"),
        calendar_opened=None if changed is None else from_us(changed, new.zone).isoformat(timespec="minutes"),
        figures=figures,
    )


def _events(cust: list[Any], tickets: list[Any], incidents: list[Any]) -> Any:
    """The reference month's customers, tickets and incidents as the evaluator's columns."""
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


def _given_month(old: Any, new: Any, tiers: list[str], period: str, directory: str) -> Reference:
    from ..runtime.evaluate import evaluate
    from ..runtime.inputs import EventError, read_events

    files = {name: _one_file(Path(directory), name) for name in ("customers", "tickets", "incidents")}
    reports = []
    for which, policy in (("old", old), ("new", new)):
        try:
            events = read_events(policy, **files)
        except EventError as exc:
            raise ImpactError(f"{exc} (reading the reference events for the {which} contract)") from None
        reports.append(evaluate(policy, events, period=period))
    figures: dict[str, list[Figure]] = {}
    for tier in tiers:
        groups = [[c for c in r["customers"] if c["tier"] == tier] for r in reports]
        if groups[0]:
            a, b = (_figures(g, with_uptime=False) for g in groups)
            figures[tier] = [Figure(tier, new.tiers[tier].get("name"), EVENTS, None, len(groups[0]), a, b)]
    return Reference(
        period=reports[1]["period"],
        source=directory,
        fees={},
        names={t: new.tiers[t].get("name") for t in tiers},
        currency=new.currency,
        opened=None,
        calendar_opened=None,
        figures=figures,
    )


def _one_file(directory: Path, name: str) -> str:
    from ..runtime.inputs import FORMATS

    if not directory.is_dir():
        raise ImpactError(f"{directory}: not a directory; give the folder holding customers, tickets and incidents")
    found = sorted(p for p in directory.iterdir() if p.stem == name and p.suffix in FORMATS)
    if len(found) != 1:
        kinds = ", ".join(f"{name}{ext}" for ext in FORMATS)
        what = "no" if not found else "more than one"
        raise ImpactError(f"{directory}: {what} {name} file; put exactly one of {kinds} there")
    return str(found[0])


def _figures(entries: list[dict[str, Any]], *, with_uptime: bool) -> Figures:
    total = sum((Decimal(e["total"]) for e in entries), Decimal(0))
    return Figures(
        credit=format(total, "f"),
        currency=entries[0]["currency"],
        # The exact uptime cut (not rounded up) to four places: "just below 99.9 %" must not read 99.90.
        uptime=str(Decimal(entries[0]["uptime"]["percent"]).quantize(Decimal("0.0001"), ROUND_DOWN))
        if with_uptime
        else None,
        missed=sum(e["tickets"]["breached"] for e in entries),
    )


def _thresholds(old: dict[str, Any], new: dict[str, Any], tier: str) -> list[str]:
    """Every uptime threshold either contract sets for the tier, highest first, as the contracts write them."""
    found: dict[Decimal, str] = {}
    for policy in (new, old):
        spec = next((t for t in policy["tiers"] if t["id"] == tier), None)
        if spec is None:
            continue
        texts = [spec["uptime"]] if spec["uptime"] else []
        for credit in policy["credits"]:
            if tier in credit["applies"]:
                texts += [spec["uptime"] if b["threshold"] == "target" else b["threshold"] for b in credit["bands"]]
        for text in texts:
            if text is not None:
                found.setdefault(Decimal(text), text)
    return [found[k] for k in sorted(found, reverse=True)]


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
