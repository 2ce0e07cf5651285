"""Downtime of one scope (a service, in a region when it is measured per region) over one window (language v2).

Rules, in the order applied (SPEC "Language v2", *Downtime rules*):

1. an incident applies to a scope when its service is empty or the scope's, its region empty or the
   scope's, and its customer list empty or naming the customer;
2. a cause listed in the availability block's `excludes` (every exclusion without an availability
   block) does not count (`excluded_cause`), except a maintenance exclusion (`exclude NAME {
   maintenance notice D … }`, or v1's `maintenance notice` for `planned_maintenance`): its downtime
   is excluded only when announced at least D ahead (`announced_maintenance`), and with `limit L per
   year` only until the scope's excluded maintenance of the calendar year reaches L, in time order;
   the rest counts;
3. error-rate downtime: the window is cut into intervals of the service's D from its start; an
   interval whose failed/total requests exceed P is down for its whole length;
4. counted incidents, maintenance beyond the allowance and error-rate intervals are merged as one
   union (overlapping and adjacent periods join); a merged period shorter than `minimum outage`
   does not count (`below_minimum`); the rest is clipped to the window and, with `downtime counted
   in whole minutes`, each period is cut down to whole minutes (`partial_minute`).

Everything here is integers (µs); the per-scope lists are short, so plain loops do.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from fractions import Fraction

from .calendar import wall_to_us
from .events import MISSING
from .windows import local_date

MINUTE = 60_000_000


@dataclass(frozen=True, slots=True)
class Inc:
    """One incident as a scope sees it."""

    id: str
    start: int
    end: int
    cause: str | None
    announced: int


@dataclass(frozen=True, slots=True)
class Req:
    start: int
    total: int
    failed: int


@dataclass(frozen=True, slots=True)
class DowntimeRules:
    excludes: frozenset[str]
    maintenance: dict[str, tuple[int, int | None]]  # exclusion → (notice µs, yearly limit µs or None)
    minimum_us: int
    whole_minutes: bool


@dataclass(slots=True)
class Measure:
    """A scope's downtime in one window (µs) and what did not count, by (cause, reason)."""

    counted: int = 0
    excluded: dict[tuple[str | None, str], int] = field(default_factory=dict)
    incidents: list[str] = field(default_factory=list)  # the customer's own counted incident ids, by start then id
    platform_counted: int = 0  # counted incidents without a customer list
    excluded_incidents: list[str] = field(default_factory=list)
    error_intervals: int = 0  # error-rate intervals that are down


def merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union as sorted disjoint intervals; touching intervals join (an outage that goes on)."""
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _clipped_length(intervals: Iterable[tuple[int, int]], lo: int, hi: int) -> int:
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in merge(intervals))


def year_start(lo: int, zone: tzinfo) -> int:
    day = local_date(lo, zone)
    return wall_to_us(date(day.year, 1, 1), 0, zone)  # type: ignore[arg-type]


def error_rate_down(reqs: Sequence[Req], above: Fraction, per_us: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The intervals of [lo, hi), cut every per_us from lo, whose failed/total exceeds `above` percent."""
    totals: dict[int, list[int]] = {}
    for r in reqs:
        if lo <= r.start < hi:
            slot = totals.setdefault((r.start - lo) // per_us, [0, 0])
            slot[0] += r.total
            slot[1] += r.failed
    num, den = above.numerator, above.denominator
    out = []
    for k in sorted(totals):
        total, failed = totals[k]
        if total > 0 and failed * 100 * den > num * total:
            out.append((lo + k * per_us, min(lo + (k + 1) * per_us, hi)))
    return out


@dataclass(frozen=True, slots=True)
class Split:
    """Incidents sorted by what becomes of them, before the allowance and the merge (cached per scope)."""

    counted: list[tuple[int, int, str | None]]
    excluded: dict[tuple[str | None, str], list[tuple[int, int]]]
    excluded_ids: list[str]
    maint: dict[str, list[tuple[int, int]]]  # announced in time, clipped to the calendar year


def split(rules: DowntimeRules, incs: Sequence[Inc], lo: int, hi: int, ystart: int) -> Split:
    """Rules 1–2 of the module docstring for the incidents of one scope and window."""
    counted: list[tuple[int, int, str | None]] = []
    excluded: dict[tuple[str | None, str], list[tuple[int, int]]] = {}
    excluded_ids: list[str] = []
    maint: dict[str, list[tuple[int, int]]] = {}
    for inc in incs:
        if inc.start >= hi:
            continue
        inside = inc.end > lo or (inc.start == inc.end and inc.start >= lo)
        cause = inc.cause
        if cause is not None and cause in rules.excludes:
            rule = rules.maintenance.get(cause)
            if rule is None:
                excluded.setdefault((cause, "excluded_cause"), []).append((inc.start, inc.end))
                if inside:
                    excluded_ids.append(inc.id)
                continue
            if inc.announced != MISSING and inc.start - inc.announced >= rule[0]:
                if inc.end > ystart:
                    maint.setdefault(cause, []).append((max(inc.start, ystart), inc.end))
                if inside:
                    excluded_ids.append(inc.id)
                continue
        counted.append((inc.start, inc.end, inc.id))
    return Split(counted, excluded, excluded_ids, maint)


def _combine(
    rules: DowntimeRules, parts: Sequence[Split]
) -> tuple[list[tuple[int, int, str | None]], dict[tuple[str | None, str], list[tuple[int, int]]], list[str]]:
    """The parts together, the yearly allowance applied: (counted, excluded by key, excluded ids)."""
    counted = [c for part in parts for c in part.counted]
    excluded: dict[tuple[str | None, str], list[tuple[int, int]]] = {}
    maint: dict[str, list[tuple[int, int]]] = {}
    excluded_ids = []
    for part in parts:
        for key, ivs in part.excluded.items():
            excluded.setdefault(key, []).extend(ivs)
        for cause, ivs in part.maint.items():
            maint.setdefault(cause, []).extend(ivs)
        excluded_ids += part.excluded_ids
    for cause, intervals in maint.items():
        limit = rules.maintenance[cause][1]
        used = 0
        for s, e in merge(intervals):  # in time order, from the start of the calendar year
            take = e - s if limit is None else max(0, min(e - s, limit - used))
            used += take
            if take:
                excluded.setdefault((cause, "announced_maintenance"), []).append((s, s + take))
            if s + take < e:
                counted.append((s + take, e, None))  # beyond the yearly allowance: it counts
    return counted, excluded, excluded_ids


def measure(
    rules: DowntimeRules,
    incs: Sequence[Inc],
    error_down: Sequence[tuple[int, int]],
    lo: int,
    hi: int,
    ystart: int,
) -> Measure:
    """The downtime of one scope in the window [lo, hi), `ystart` the start of its calendar year."""
    return measure_parts(rules, [split(rules, incs, lo, hi, ystart)], error_down, lo, hi, own=frozenset())


def measure_parts(
    rules: DowntimeRules,
    parts: Sequence[Split],
    error_down: Sequence[tuple[int, int]],
    lo: int,
    hi: int,
    *,
    own: frozenset[str],
    ids: bool = True,
) -> Measure:
    """`measure` of incidents already split (the platform's part cached); `own` names the customer's own ids."""
    counted, excluded, excluded_ids = _combine(rules, parts)
    out = Measure(error_intervals=len(error_down))
    pieces = merge([(s, e) for s, e, _ in counted] + list(error_down))
    kept: list[tuple[int, int]] = []
    below: list[tuple[int, int]] = []
    partial = 0
    for s, e in pieces:
        if e - s < rules.minimum_us:
            below.append((s, e))
            continue
        cs, ce = max(s, lo), min(e, hi)
        if ce <= cs:
            continue
        kept.append((s, e))
        length = ce - cs
        if rules.whole_minutes:
            partial += length % MINUTE
            length -= length % MINUTE
        out.counted += length
    # What does not count is reported inside the window, each kind as its own union.
    lengths = {key: _clipped_length(ivs, lo, hi) for key, ivs in excluded.items()}
    lengths[(None, "below_minimum")] = _clipped_length(below, lo, hi)
    lengths[(None, "partial_minute")] = partial
    out.excluded = {k: v for k, v in sorted(lengths.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])) if v}
    # An incident counts when it overlaps a kept period (the kept periods are sorted and disjoint).
    if not ids:
        return out
    ends = [ke for _, ke in kept]
    inside = [c for c in counted if c[2] is not None and c[1] > lo and c[0] < hi]
    for s, e, ident in sorted(inside, key=lambda c: (c[0], str(c[2]))):
        k = bisect_right(ends, s)
        if k < len(kept) and kept[k][0] < e:
            if ident in own:
                out.incidents.append(str(ident))
            else:
                out.platform_counted += 1
    out.excluded_incidents = [i for i in excluded_ids if i in own]
    return out
