"""Reference-month figures for `slac diff`: what each affected tier is owed under OLD and under NEW.

Every figure comes from the evaluator (`slac.runtime.evaluate.evaluate`) run on the same period
of events under both policies; nothing here computes a credit, an uptime or a deadline by
itself. The period is the user's (`--reference-events DIR` with `--period`: its customers and
incidents, and its tickets, charges, request counts and ticket events when the directory has them)
or a synthetic one (`slac.change.reference_month`: one customer per tier and situation).

A change gets the situations it can move, of the tiers it concerns: response targets and
priority rules the "responses" month, calendars that and the "calendar" one; uptime targets
and bands the "below" months (of the one service a change is about, when it is about one); the
minimum outage and whole minutes the "below" months; a credit added, removed or applied to another
tier, the cap and the minimum credit, all of them. Terms that do not change money (names, texts,
contacts, features) get no figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .changelog import Diff
from .figures import EVENTS, Figure, Figures, Reference, scope
from .keys import Key
from .reference_month import ImpactError, period_of

__all__ = ["ImpactError", "attach", "default_period", "parse_fee", "reference", "wanted"]


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
    """The billing period (a month, or a quarter or year for a contract billing so) the new contract
    takes effect in (else the old one's), or None when neither says."""
    for policy in (new, old):
        effective = policy.get("contract", {}).get("effective")
        if effective:
            return period_of(str(new.get("billing") or "monthly"), str(effective)[:7])
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
    from .reference_month import synthetic

    tiers = [t for t in new.tiers if t in old.tiers]
    try:
        if events_dir is not None:
            return _given_month(old, new, tiers, period, events_dir)
        return synthetic(old, new, tiers, period, fee)
    except ImpactError:
        raise
    except ValueError as exc:  # a month outside the holiday data, a billing the evaluator does not handle…
        raise ImpactError(str(exc)) from None


def _given_month(old: Any, new: Any, tiers: list[str], period: str, directory: str) -> Reference:
    from ..runtime.engines import Inputs, UsageError, read_events_any
    from ..runtime.evaluate import evaluate
    from ..runtime.inputs import EventError

    customers, incidents = (_one_file(Path(directory), name) for name in ("customers", "incidents"))
    assert customers is not None and incidents is not None  # needed: found, or ImpactError
    # The other files are read when they are there (language v2 reads charges and request counts;
    # tickets are needed by a contract that measures responses: the reader says so).
    from ..runtime.v2_terms import needs_scopes

    v1 = not any(needs_scopes(p.raw) for p in (old, new))  # language v1 reads tickets always
    more = {name: _one_file(Path(directory), name, needed=v1 and name == "tickets") for name in OPTIONAL_FILES}
    inputs = Inputs(customers, incidents, **more)
    reports = []
    for which, policy in (("old", old), ("new", new)):
        try:
            events = read_events_any(policy, inputs)
        except (EventError, UsageError) as exc:
            raise ImpactError(f"{exc} (reading the reference events for the {which} contract)") from None
        reports.append(evaluate(policy, events, period=period))
    figures: dict[str, list[Figure]] = {}
    for tier in tiers:
        groups = [[c for c in r["customers"] if c["tier"] == tier] for r in reports]
        if groups[0]:
            a, b = (_figures(g) for g in groups)
            name, by_period = new.tiers[tier].get("name"), new.raw["billing"] != "monthly"
            figures[tier] = [Figure(tier, name, EVENTS, None, len(groups[0]), a, b, by_period=by_period)]
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


OPTIONAL_FILES = ("tickets", "charges", "requests", "ticket_events")


def _one_file(directory: Path, name: str, *, needed: bool = True) -> str | None:
    from ..runtime.inputs import FORMATS

    if not directory.is_dir():
        raise ImpactError(f"{directory}: not a directory; give the folder holding customers, tickets and incidents")
    found = sorted(p for p in directory.iterdir() if p.stem == name and p.suffix in FORMATS)
    if not found and not needed:
        return None
    if len(found) != 1:
        kinds = ", ".join(f"{name}{ext}" for ext in FORMATS)
        what = "no" if not found else "more than one"
        raise ImpactError(f"{directory}: {what} {name} file; put exactly one of {kinds} there")
    return str(found[0])


def _figures(entries: list[dict[str, Any]]) -> Figures:
    """The customers' total credit and missed responses (no one uptime: they are many customers)."""
    total = sum((Decimal(e["total"]) for e in entries), Decimal(0))
    return Figures(
        credit=format(total, "f"),
        currency=entries[0]["currency"],
        uptime=None,
        missed=sum(e["tickets"]["breached"] for e in entries),
    )
