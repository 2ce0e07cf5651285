"""A slow, plain reference evaluator: loops over days, datetimes and lists; the tests hold the fast path to it.

It reads only the policy dict and the event tables and shares no code with the fast
path beyond the rules themselves (see `calendar`, `availability`, `credits`,
`evaluate` for them): calendar days are walked one by one, boundaries in a DST gap
are found by bisection instead of stepping, incident unions are merged by a loop over
sorted pairs, money is summed per line. Never used for real evaluations.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from slac.runtime.events import MISSING, Events

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class RefCustomer:
    """What the reference finds for one customer."""

    counted_us: int
    uptime: Fraction
    breaches: tuple[str, ...]  # ticket ids, sorted
    total: Decimal
    excluded: dict[tuple[str | None, str], int]  # (cause, reason) → µs that does not count, non-zero only


@dataclass(frozen=True)
class RefResult:
    deadlines: dict[str, int | None]  # ticket id → deadline µs (None: not measured), tickets of the period
    customers: dict[str, RefCustomer]


class RefCalendar:
    def __init__(self, raw: dict[str, Any], years: list[int] | None):
        self.zone = zoneinfo.ZoneInfo(raw["timezone"] or "UTC")
        self.week: dict[int, list[tuple[int, int]]] = {i: [] for i in range(7)}
        for h in raw["hours"]:
            self.week[_DAYS.index(h["day"])].append((h["start"], h["end"]))
        hol = raw["holidays"]
        self.holidays = {date.fromisoformat(d) for d in hol["dates"]} if hol else set()
        self.workdays = {date.fromisoformat(d) for d in hol["workdays"]} if hol else set()
        self.limited = hol is not None
        self.years = years
        self._days: dict[date, list[tuple[int, int]]] = {}
        self.makeup: list[tuple[int, int]] = []
        for weekday in range(5):
            if self.week[weekday]:
                self.makeup = self.week[weekday]
                break

    def instant(self, day: date, minute: int) -> int:
        """The first instant the wall clock shows `day` + `minute` (or later), in µs."""
        day = day + timedelta(days=minute // 1440)
        minute %= 1440
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
        first = local.replace(tzinfo=self.zone, fold=0)
        if first.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) == local:
            return _us(first)
        # A gap: the answer lies between the fold=1 and fold=0 readings; bisect on seconds.
        lo = _us(local.replace(tzinfo=self.zone, fold=1)) // 1_000_000
        hi = _us(first) // 1_000_000
        if lo > hi:
            lo, hi = hi, lo
        while lo < hi:
            mid = (lo + hi) // 2
            if _dt(mid * 1_000_000).astimezone(self.zone).replace(tzinfo=None) >= local:
                hi = mid
            else:
                lo = mid + 1
        return lo * 1_000_000

    def intervals(self, day: date) -> list[tuple[int, int]]:
        if day not in self._days:
            self._days[day] = self._intervals(day)
        return self._days[day]

    def _intervals(self, day: date) -> list[tuple[int, int]]:
        if self.limited and (self.years is None or not self.years[0] <= day.year <= self.years[1]):
            raise ValueError(f"{day} is outside the materialised years")
        if day in self.holidays:
            hours: list[tuple[int, int]] = []
        elif day in self.workdays:
            hours = self.makeup
        else:
            hours = self.week[day.weekday()]
        return sorted((self.instant(day, s), self.instant(day, e)) for s, e in hours)

    def deadline(self, opened: int, within: int) -> int:
        day = _dt(opened).astimezone(self.zone).date() - timedelta(days=1)
        if self.limited and self.years is not None:
            day = max(day, date(self.years[0], 1, 1))
        remaining = within
        for _ in range(5000):
            for start, end in self.intervals(day):
                if end <= opened:
                    continue
                start = max(start, opened)
                if remaining <= end - start:
                    return start + remaining
                remaining -= end - start
            day += timedelta(days=1)
        raise ValueError("no deadline within 5000 days")

    def open_between(self, a: int, b: int) -> int:
        """Open time in [a, b), by walking the days from the one before `a`."""
        if b <= a:
            return 0
        day = _dt(a).astimezone(self.zone).date() - timedelta(days=1)
        if self.limited and self.years is not None:
            day = max(day, date(self.years[0], 1, 1))
        total = 0
        while True:
            for start, end in self.intervals(day):
                if start >= b:
                    return total
                total += max(0, min(end, b) - max(start, a))
            day += timedelta(days=1)


def _effective(policy: dict[str, Any], priority: str, outage: bool) -> str | None:
    prios = {p["id"]: p for p in policy["priorities"]}
    current: str | None = priority
    for _ in range(len(prios) + 1):
        if current is None or not prios[current]["requires_outage"] or outage:
            return current
        current = prios[current]["downgrade"]
    return None


def _seconds_us(value: int | float) -> int:
    return round(Decimal(repr(value)) * 1_000_000)


def _amount(amount: dict[str, Any], fee: Decimal) -> Decimal:
    if "share" in amount:
        return fee * Decimal(amount["share"]) / Decimal(100)
    return Decimal(amount["money"])


def evaluate_reference(policy: dict[str, Any], events: Events, period: str, as_of: int | None = None) -> RefResult:
    """The same period evaluated the slow way."""
    zone = zoneinfo.ZoneInfo(policy["timezone"] or "UTC")
    year, month = (int(x) for x in period.split("-"))
    lo = _us(datetime(year, month, 1, tzinfo=zone))
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    hi = _us(datetime(nxt[0], nxt[1], 1, tzinfo=zone))
    as_of = hi if as_of is None else as_of
    cust_tier = dict(zip(events.customers.id.tolist(), events.customers.tier.tolist(), strict=True))
    cust_fee = dict(zip(events.customers.id.tolist(), events.customers.fee, strict=True))
    deadlines, breaches = _tickets(policy, events, cust_tier, lo, hi, as_of)
    per_customer, not_counted = _downtime(policy, events, cust_tier, hi)
    av = policy["availability"]
    minimum = _seconds_us(av["minimum_outage_seconds"]) if av and av["minimum_outage_seconds"] else 0
    tiers = {t["id"]: t for t in policy["tiers"]}
    out: dict[str, RefCustomer] = {}
    for c, pieces in per_customer.items():
        # changed (SPEC "Downtime rules"): the minimum outage applies to each merged period, not to each incident.
        periods = _periods(pieces)
        counted = _union_length([p for p in periods if p[1] - p[0] >= minimum], lo, hi)
        excluded = {key: _union_length(p, lo, hi) for key, p in not_counted[c].items()}
        short = _union_length([p for p in periods if p[1] - p[0] < minimum], lo, hi)
        excluded[(None, "below_minimum")] = excluded.get((None, "below_minimum"), 0) + short
        uptime = Fraction(hi - lo - counted, hi - lo)
        total = _credit(policy, tiers[cust_tier[c]], cust_fee[c], uptime, len(breaches[c]))
        out[c] = RefCustomer(
            counted, uptime, tuple(sorted(breaches[c])), total, {k: v for k, v in excluded.items() if v}
        )
    return RefResult(deadlines, out)


def _tickets(
    policy: dict[str, Any], events: Events, cust_tier: dict[str, str], lo: int, hi: int, as_of: int
) -> tuple[dict[str, int | None], dict[str, list[str]]]:
    """Each ticket's deadline (None when unmeasured) and each customer's breached ticket ids."""
    cals = {c["id"]: RefCalendar(c, policy["materialised"]["years"]) for c in policy["calendars"]}
    tiers = {t["id"]: t for t in policy["tiers"]}
    t = events.tickets
    deadlines: dict[str, int | None] = {}
    breaches: dict[str, list[str]] = {c: [] for c in cust_tier}
    for k in range(len(t.id)):
        opened = int(t.opened[k])
        if not lo <= opened < hi:
            continue
        ident = str(t.id[k])
        tier = tiers[cust_tier[t.customer[k]]]
        eff = _effective(policy, t.priority[k], bool(t.outage[k]))
        target = next((r for r in tier["responses"] if r["priority"] == eff), None)
        if target is None:
            deadlines[ident] = None
            continue
        cal = cals[target["calendar"]]
        within = _seconds_us(target["within_seconds"])
        deadlines[ident] = cal.deadline(opened, within)
        # Decided by the open time elapsed from the opening to the response (or to as_of).
        responded = int(t.responded[k])
        late = cal.open_between(opened, responded if responded != MISSING else as_of) > within
        if late and t.cause[k] is None:
            breaches[t.customer[k]].append(ident)
    return deadlines, breaches


def _downtime(
    policy: dict[str, Any], events: Events, cust_tier: dict[str, str], hi: int
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, dict[tuple[str | None, str], list[tuple[int, int]]]]]:
    """Per customer: the counted incident intervals (the minimum outage not yet applied), the others by (cause, reason)."""
    av = policy["availability"]
    excludes = set(av["excludes"]) if av else {e["id"] for e in policy["exclusions"]}
    notice = av["maintenance_notice_seconds"] if av else None
    inc = events.incidents
    per_customer: dict[str, list[tuple[int, int]]] = {c: [] for c in cust_tier}
    not_counted: dict[str, dict[tuple[str | None, str], list[tuple[int, int]]]] = {c: {} for c in cust_tier}
    for k in range(len(inc.id)):
        start, end, cause = int(inc.start[k]), int(inc.end[k]), inc.cause[k]
        why = None
        if cause in excludes:
            if cause == "planned_maintenance" and notice is not None:
                announced = int(inc.announced[k])
                if announced != MISSING and start - announced >= _seconds_us(notice):
                    why = "announced_maintenance"
            else:
                why = "excluded_cause"
        listed = inc.customers[k]
        who = list(cust_tier) if listed is None else [c for c in listed if c in cust_tier]
        for c in who:
            if why is None:
                if start < hi:  # an incident after the period never joins one of it (as language v2 reads it)
                    per_customer[c].append((start, end))
            else:
                not_counted[c].setdefault((cause, why), []).append((start, end))
    return per_customer, not_counted


def _credit(policy: dict[str, Any], tier: dict[str, Any], fee: Decimal, uptime: Fraction, n_breaches: int) -> Decimal:
    """The customer's credit: the lowest band its uptime falls below, per-miss amounts, the cap, rounded."""
    credit = Decimal(0)
    for cr in policy["credits"]:
        if tier["id"] not in cr["applies"]:
            continue
        chosen = None
        for band in cr["bands"]:
            thr = tier["uptime"] if band["threshold"] == "target" else band["threshold"]
            if thr is None:
                continue
            if uptime * 100 < Fraction(Decimal(thr)) and (chosen is None or Decimal(thr) <= chosen[0]):
                chosen = (Decimal(thr), band)
        if chosen is not None:
            credit += _amount(chosen[1]["amount"], fee)
        if cr["per_miss"] is not None:
            for _ in range(n_breaches):
                credit += _amount(cr["per_miss"]["amount"], fee)
    if policy["cap"] is not None:
        credit = min(credit, _amount(policy["cap"]["amount"], fee))
    digits = policy["currency"]["minor_digits"] if policy["currency"] else 2
    return credit.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)


def _periods(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged downtime periods: overlapping and adjacent intervals joined, by a loop over them in start order."""
    out: list[list[int]] = []
    for start, end in sorted(pieces):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _union_length(pieces: list[tuple[int, int]], lo: int, hi: int) -> int:
    """Length of the union of intervals inside [lo, hi), by a loop over them in order."""
    total = 0
    reach: int | None = None
    for start, end in sorted(pieces):
        start, end = max(start, lo), min(end, hi)
        if end <= start:
            continue
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total
