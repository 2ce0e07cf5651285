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

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from ..policy.codec import us_of_seconds
from .events import Events, Requests
from .policy import PLANNED_MAINTENANCE, Policy
from .scopes import I64, Base, DowntimeRules, Measure, Table, base, error_rate_down, measure, split, year_start
from .v2_terms import needs_scopes  # noqa: F401 - kept here for its importers

Scope = tuple[str | None, str | None]  # (service, region)


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
        self.table = Table.of(
            comp.downtime, [str(i) for i in inc.id.tolist()], inc.start, inc.end, inc.announced, inc.cause.tolist()
        )
        self.svc: list[str | None] = inc.service.tolist() if inc.service is not None else [None] * n
        self.reg: list[str | None] = inc.region.tolist() if inc.region is not None else [None] * n
        self.own: dict[str, list[int]] = {}  # customer → its own incidents, in table order
        platform = np.ones(n, dtype=bool)
        for i, names in enumerate(inc.customers):
            if names is not None:
                platform[i] = False
                for c in names:
                    self.own.setdefault(c, []).append(i)
        self.platform = platform
        self.requests: dict[Scope, tuple[I64, I64, I64]] = {}
        if events.requests is not None and len(events.requests.start):
            self.requests = _requests_by_scope(events.requests)
        self.charges: dict[tuple[str, str | None, str | None], Fraction] = {}
        self.charged: dict[str, set[Scope]] = {}  # customer → the scopes it has charges in
        if events.charges is not None:
            ch = events.charges
            for c, s, g, amount in zip(
                ch.customer.tolist(), ch.service.tolist(), ch.region.tolist(), ch.amount, strict=True
            ):
                key = (str(c), s, g)
                value = Fraction(amount)
                found = self.charges.get(key)
                self.charges[key] = value if found is None else found + value
                self.charged.setdefault(key[0], set()).add((s, g))
        self.comp = comp
        self.zone = policy.zone
        self._platform_cache: dict[tuple[Scope, int, int], Measure] = {}
        self._scope_incidents: dict[Scope, I64] = {}
        self._base_cache: dict[tuple[Scope, int, int], Base] = {}
        self._years: dict[int, int] = {}

    def scopes(self, customer: str) -> list[Scope]:
        out: list[Scope] = []
        for sid, spec in self.comp.services.items():
            if not spec["per_region"]:
                out.append((sid, None))
                continue
            regions = {g for (s, g) in self.charged.get(customer, ()) if s == sid and g is not None}
            regions |= {g for i in self.own.get(customer, ()) if self.svc[i] == sid and (g := self.reg[i]) is not None}
            out.extend((sid, g) for g in sorted(regions))
        return out

    def has_own(self, customer: str, scope: Scope) -> bool:
        """Whether incidents naming the customer apply to the scope."""
        return any(_applies(self.svc[i], self.reg[i], scope) for i in self.own.get(customer, ()))

    def measure(self, customer: str, scope: Scope, lo: int, hi: int, *, ids: bool = True) -> Measure:
        mine = self.own.get(customer)
        own = [i for i in mine if _applies(self.svc[i], self.reg[i], scope)] if mine else None
        if not own:
            key = (scope, lo, hi)
            found = self._platform_cache.get(key)
            if found is None:
                platform = self._base(scope, lo, hi)
                found = self._platform_cache[key] = measure(self.comp.downtime, self.table, platform, None, lo, hi)
            return found
        platform = self._base(scope, lo, hi)
        part = split(self.table, np.array(own, dtype=np.int64), lo, hi, self._year(lo))
        return measure(self.comp.downtime, self.table, platform, part, lo, hi, ids=ids)

    def _year(self, lo: int) -> int:
        found = self._years.get(lo)
        if found is None:
            found = self._years[lo] = year_start(lo, self.zone)
        return found

    def _platform_of(self, scope: Scope) -> I64:
        """The platform-wide incidents that apply to a scope, in table order (kept: every customer reads them)."""
        found = self._scope_incidents.get(scope)
        if found is None:
            mask = self.platform.copy()
            if scope[0] is not None:
                mask &= np.fromiter(
                    (_applies(s, g, scope) for s, g in zip(self.svc, self.reg, strict=True)),
                    dtype=bool,
                    count=len(mask),
                )
            found = self._scope_incidents[scope] = np.flatnonzero(mask)
        return found

    def _base(self, scope: Scope, lo: int, hi: int) -> Base:
        """The scope's platform part of the window, error-rate intervals included: once for every customer."""
        key = (scope, lo, hi)
        found = self._base_cache.get(key)
        if found is None:
            down = self._error_down(scope, lo, hi)
            found = base(self.comp.downtime, self.table, self._platform_of(scope), down, lo, hi, self._year(lo))
            self._base_cache[key] = found
        return found

    def _error_down(self, scope: Scope, lo: int, hi: int) -> tuple[I64, I64]:
        """The scope's error-rate intervals that are down in [lo, hi)."""
        rule = self.comp.services[scope[0]]["error_rate"]
        reqs = self.requests.get(scope)
        if rule is None or reqs is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        above = Fraction(Decimal(rule["above"]))
        return error_rate_down(*reqs, above, us_of_seconds(rule["per_seconds"]), lo, hi)


def _requests_by_scope(r: Requests) -> dict[Scope, tuple[I64, I64, I64]]:
    """Request counts grouped by (service, region): (start, total, failed) arrays of each."""
    services, svc = _distinct(r.service)
    regions, reg = _distinct(r.region)
    code = svc * len(regions) + reg
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(len(services) * len(regions) + 1))
    out = {}
    for i, s in enumerate(services):
        for j, g in enumerate(regions):
            k = i * len(regions) + j
            if bounds[k] < bounds[k + 1]:
                rows = order[bounds[k] : bounds[k + 1]]
                out[(s, g)] = (r.start[rows], r.total[rows], r.failed[rows])
    return out


def _distinct(values: np.ndarray) -> tuple[list[str | None], I64]:
    """(the distinct values, each row's index among them) of an object column (None is a value).

    The reader's remembered codes when it has them (`columns.remember_codes`), else Arrow's
    dictionary encoding for a big column: a Python loop over 1M rows costs ~0.3 s.
    """
    from .columns import _CODED, SMALL

    known = _CODED.get(values)
    if known is not None:
        return list(known[0]), np.asarray(known[1], dtype=np.int64)
    if len(values) < SMALL:
        seen: dict[str | None, int] = {}
        rows = np.array([seen.setdefault(x, len(seen)) for x in values.tolist()], dtype=np.int64)
        return list(seen), rows
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(pa.array(values, type=pa.string(), from_pandas=True))
    names: list[str | None] = encoded.dictionary.to_pylist()
    idx = encoded.indices
    if idx.null_count:  # None: one more value after the named ones
        idx = pc.fill_null(idx, len(names))
        names.append(None)
    return names, np.asarray(idx.to_numpy(zero_copy_only=False), dtype=np.int64)


def _applies(service: str | None, region: str | None, scope: Scope) -> bool:
    if scope[0] is None:
        return True  # the implicit service: every incident
    return (service is None or service == scope[0]) and (region is None or region == scope[1])
