"""Evaluation of a language-v2 policy: one window per billing period, per customer and scope (report format 1.1).

A policy that uses a v2 term (services, conditions, a window other than a calendar month,
formulas, days of service, inclusive bands, a minimum credit, termination, claims in billing
cycles, maintenance allowances, whole minutes) is evaluated here; a v1 policy by `evaluate`, whose
report it keeps. Tickets are measured as in v1 (`evaluate.ticket_results`); availability and
credits per scope (`scopes`, `scoped_credits`).

A customer's scopes: one per service not measured per region; for a service measured per region,
one per region the customer has charges in (or an incident naming the customer in); without
`service` blocks, one scope for the implicit service. An incident with an empty service (region)
applies to every service (region). Incidents and requests without a customer list are the same for
every customer of a scope, so their downtime is computed once per scope and window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..policy.codec import us_of_seconds
from .events import Events
from .policy import PLANNED_MAINTENANCE, Policy
from .scopes import DowntimeRules, Inc, Measure, Req, Split, error_rate_down, measure_parts, split, year_start

Scope = tuple[str | None, str | None]  # (service, region)


def needs_scopes(raw: Mapping[str, Any]) -> bool:
    """Whether a policy uses a term of language v2 (and is evaluated here)."""
    if any(k in raw for k in ("services", "conditions", "minimum_credit", "termination")):
        return True
    av = raw["availability"] or {}
    if raw["billing"] != "monthly" or av.get("window", "calendar_month") != "calendar_month" or av.get("whole_minutes"):
        return True
    if raw["claim"] and raw["claim"].get("within_cycles"):
        return True
    if any("maintenance" in e for e in raw["exclusions"]):
        return True
    amounts = [b["amount"] for c in raw["credits"] for b in c["bands"]]
    amounts += [c["per_miss"]["amount"] for c in raw["credits"] if c["per_miss"]]
    amounts += [raw["cap"]["amount"]] if raw["cap"] else []
    if any("formula" in a or "service_days" in a for a in amounts):
        return True
    return any(b.get("inclusive") for c in raw["credits"] for b in c["bands"]) or any(
        t.get("service_uptime") for t in raw["tiers"]
    )


@dataclass(frozen=True)
class Compiled:
    """What evaluation needs of a v2 policy, built once per policy."""

    services: dict[str | None, dict[str, Any]]  # None: the implicit service of a contract without `service`
    downtime: DowntimeRules
    targets: dict[tuple[str, str | None], str | None]  # (tier, service) → uptime percent
    window_months: int


def compiled(policy: Policy) -> Compiled:
    if policy.scoped_rules is None:
        raw = policy.raw
        services: dict[str | None, dict[str, Any]] = {s["id"]: s for s in raw.get("services", [])}
        if not services:
            services = {None: {"id": None, "per_region": False, "error_rate": None, "name": None}}
        maint: dict[str, tuple[int, int | None]] = {}
        for e in raw["exclusions"]:
            m = e.get("maintenance")
            if m is not None:
                limit = us_of_seconds(m["limit_seconds"]) if m["limit_seconds"] is not None else None
                maint[e["id"]] = (us_of_seconds(m["notice_seconds"]), limit)
        if policy.maintenance_notice_us is not None and PLANNED_MAINTENANCE not in maint:
            maint[PLANNED_MAINTENANCE] = (policy.maintenance_notice_us, None)  # v1's `maintenance notice`
        av = raw["availability"] or {}
        rules = DowntimeRules(
            frozenset(policy.downtime_excludes), maint, policy.minimum_outage_us, bool(av.get("whole_minutes"))
        )
        targets: dict[tuple[str, str | None], str | None] = {}
        for t in raw["tiers"]:
            per = {u["service"]: u["uptime"] for u in t.get("service_uptime", [])}
            for sid in services:
                targets[(t["id"], sid)] = per.get(sid, t["uptime"]) if sid is not None else t["uptime"]
        months = {"calendar_month": 1, "calendar_quarter": 3, "calendar_year": 12}[av.get("window", "calendar_month")]
        policy.scoped_rules = Compiled(services, rules, targets, months)
    assert isinstance(policy.scoped_rules, Compiled)
    return policy.scoped_rules


class _Data:
    """The event tables regrouped by scope: platform incidents, each customer's own, requests, charges."""

    def __init__(self, policy: Policy, events: Events, comp: Compiled):
        inc = events.incidents
        n = len(inc.id)
        svc = inc.service.tolist() if inc.service is not None else [None] * n
        reg = inc.region.tolist() if inc.region is not None else [None] * n
        ids, starts, ends = inc.id.tolist(), inc.start.tolist(), inc.end.tolist()
        causes, announced = inc.cause.tolist(), inc.announced.tolist()
        self.platform: list[tuple[str | None, str | None, Inc]] = []
        self.own: dict[str, list[tuple[str | None, str | None, Inc]]] = {}
        for i in range(n):
            item = (svc[i], reg[i], Inc(str(ids[i]), starts[i], ends[i], causes[i], announced[i]))
            names = inc.customers[i]
            if names is None:
                self.platform.append(item)
            else:
                for c in names:
                    self.own.setdefault(c, []).append(item)
        self.requests: dict[Scope, list[Req]] = {}
        if events.requests is not None:
            r = events.requests
            for s, g, t0, tot, bad in zip(
                r.service.tolist(),
                r.region.tolist(),
                r.start.tolist(),
                r.total.tolist(),
                r.failed.tolist(),
                strict=True,
            ):
                self.requests.setdefault((s, g), []).append(Req(t0, tot, bad))
        self.charges: dict[tuple[str, str | None, str | None], Fraction] = {}
        self.charged: dict[str, set[Scope]] = {}  # customer → the scopes it has charges in
        if events.charges is not None:
            ch = events.charges
            for c, s, g, amount in zip(
                ch.customer.tolist(), ch.service.tolist(), ch.region.tolist(), ch.amount, strict=True
            ):
                key = (str(c), s, g)
                self.charges[key] = self.charges.get(key, Fraction(0)) + Fraction(amount)
                self.charged.setdefault(str(c), set()).add((s, g))
        self.comp = comp
        self.zone = policy.zone
        self._platform_cache: dict[tuple[Scope, int, int], Measure] = {}
        self._scope_incidents: dict[Scope, list[Inc]] = {}
        self._error_cache: dict[tuple[Scope, int, int], list[tuple[int, int]]] = {}
        self._split_cache: dict[tuple[Scope, int, int], Split] = {}

    def scopes(self, customer: str) -> list[Scope]:
        out: list[Scope] = []
        for sid, spec in self.comp.services.items():
            if not spec["per_region"]:
                out.append((sid, None))
                continue
            regions = {g for (s, g) in self.charged.get(customer, ()) if s == sid and g is not None}
            regions |= {g for s, g, _ in self.own.get(customer, ()) if s == sid and g is not None}
            out.extend((sid, g) for g in sorted(regions))
        return out

    def measure(self, customer: str, scope: Scope, lo: int, hi: int, *, ids: bool = True) -> Measure:
        own = [i for s, g, i in self.own.get(customer, ()) if _applies(s, g, scope)]
        if not own:
            key = (scope, lo, hi)
            if key not in self._platform_cache:
                self._platform_cache[key] = self._measure([], scope, lo, hi, True)
            return self._platform_cache[key]
        return self._measure(own, scope, lo, hi, ids)

    def _platform_of(self, scope: Scope) -> list[Inc]:
        """The platform-wide incidents that apply to a scope (kept: every customer of the scope reads them)."""
        found = self._scope_incidents.get(scope)
        if found is None:
            found = self._scope_incidents[scope] = [i for s, g, i in self.platform if _applies(s, g, scope)]
        return found

    def _measure(self, own: list[Inc], scope: Scope, lo: int, hi: int, ids: bool) -> Measure:
        ystart = year_start(lo, self.zone)
        key = (scope, lo, hi)
        platform = self._split_cache.get(key)
        if platform is None:
            platform = self._split_cache[key] = split(self.comp.downtime, self._platform_of(scope), lo, hi, ystart)
        parts = [platform, split(self.comp.downtime, own, lo, hi, ystart)] if own else [platform]
        down = self._error_down(scope, lo, hi)
        return measure_parts(self.comp.downtime, parts, down, lo, hi, own=frozenset(i.id for i in own), ids=ids)

    def _error_down(self, scope: Scope, lo: int, hi: int) -> list[tuple[int, int]]:
        """The scope's error-rate intervals that are down in [lo, hi): the same for every customer, so kept."""
        key = (scope, lo, hi)
        found = self._error_cache.get(key)
        if found is None:
            rule = self.comp.services[scope[0]]["error_rate"]
            found = []
            if rule is not None:
                above = Fraction(Decimal(rule["above"]))
                found = error_rate_down(self.requests.get(scope, []), above, us_of_seconds(rule["per_seconds"]), lo, hi)
            self._error_cache[key] = found
        return found


def _applies(service: str | None, region: str | None, scope: Scope) -> bool:
    if scope[0] is None:
        return True  # the implicit service: every incident
    return (service is None or service == scope[0]) and (region is None or region == scope[1])
