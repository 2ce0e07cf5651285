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

Everything is integer µs in numpy arrays: an incident is its index into the incidents table
(`Table`), a set of intervals two int64 arrays (starts, ends). The platform-wide part of a scope
(incidents without a customer list, error-rate intervals) is the same for every customer, so
`scoped._Data` splits and merges it once per scope and window (`Base`); a customer's own incidents
are merged into it (the union of unions is the union).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from .calendar import wall_to_us
from .events import MISSING
from .windows import local_date

MINUTE = 60_000_000
I64 = npt.NDArray[np.int64]
Intervals = tuple[I64, I64]  # (starts, ends)
Key = tuple[str | None, str]  # (cause, reason) of downtime that does not count
_EMPTY = np.zeros(0, dtype=np.int64)
# Kinds of cause: counts, excluded, a maintenance exclusion (excluded when announced in time).
COUNTS, EXCLUDED, MAINTENANCE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class DowntimeRules:
    excludes: frozenset[str]
    maintenance: dict[str, tuple[int, int | None]]  # exclusion → (notice µs, yearly limit µs or None)
    minimum_us: int
    whole_minutes: bool


@dataclass(frozen=True)
class Table:
    """The incidents as arrays; `cause` codes index `causes` (-1: no cause), `kind`/`notice` by cause code + 1."""

    ids: list[str]
    start: I64
    end: I64
    announced: I64
    cause: I64
    causes: list[str]
    kind: I64
    notice: I64

    @classmethod
    def of(
        cls, rules: DowntimeRules, ids: list[str], start: I64, end: I64, announced: I64, cause: list[str | None]
    ) -> Table:
        names = sorted({c for c in cause if c is not None})
        index = {c: k for k, c in enumerate(names)}
        codes = np.fromiter((-1 if c is None else index[c] for c in cause), dtype=np.int64, count=len(cause))
        kind = np.zeros(len(names) + 1, dtype=np.int64)
        notice = np.zeros(len(names) + 1, dtype=np.int64)
        for k, name in enumerate(names):
            if name in rules.excludes:
                rule = rules.maintenance.get(name)
                kind[k + 1] = EXCLUDED if rule is None else MAINTENANCE
                notice[k + 1] = 0 if rule is None else rule[0]
        return cls(ids, start, end, announced, codes, names, kind, notice)


@dataclass(slots=True)
class Measure:
    """A scope's downtime in one window (µs) and what did not count, by (cause, reason)."""

    counted: int = 0
    excluded: dict[Key, int] = field(default_factory=dict)
    incidents: list[str] = field(default_factory=list)  # the customer's own counted incident ids, by start then id
    platform_counted: int = 0  # counted incidents without a customer list
    excluded_incidents: list[str] = field(default_factory=list)
    error_intervals: int = 0  # error-rate intervals that are down


def merge(starts: I64, ends: I64) -> Intervals:
    """The union as sorted disjoint intervals; touching intervals join (an outage that goes on)."""
    keep = ends > starts
    s, e = starts[keep], ends[keep]
    if len(s) == 0:
        return _EMPTY, _EMPTY
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    reach = np.maximum.accumulate(e)
    first = np.ones(len(s), dtype=bool)
    first[1:] = s[1:] > reach[:-1]
    idx = np.flatnonzero(first)
    last = np.append(idx[1:] - 1, len(s) - 1)
    return s[idx], reach[last]


def _cat(parts: Sequence[Intervals]) -> Intervals:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def clipped(iv: Intervals, lo: int, hi: int) -> int:
    """The length inside [lo, hi) of disjoint intervals."""
    return int(np.maximum(0, np.minimum(iv[1], hi) - np.maximum(iv[0], lo)).sum())


def year_start(lo: int, zone: tzinfo) -> int:
    day = local_date(lo, zone)
    return wall_to_us(date(day.year, 1, 1), 0, zone)  # type: ignore[arg-type]


def error_rate_down(start: I64, total: I64, failed: I64, above: Fraction, per_us: int, lo: int, hi: int) -> Intervals:
    """The intervals of [lo, hi), cut every per_us from lo, whose failed/total exceeds `above` percent."""
    inside = (start >= lo) & (start < hi)
    if not inside.any():
        return _EMPTY, _EMPTY
    slot = (start[inside] - lo) // per_us
    tot, bad = total[inside], failed[inside]
    order = np.argsort(slot, kind="stable")
    slot, tot, bad = slot[order], tot[order], bad[order]
    heads = np.flatnonzero(np.diff(slot, prepend=slot[0] - 1))
    num, den = above.numerator, above.denominator
    # Exact in int64 unless the sums could overflow (counts are at most 15 digits): then Python ints.
    if int(tot.sum()) * 100 * max(num, den, 1) >= 2**62:
        tot, bad = tot.astype(object), bad.astype(object)
    t_sum, f_sum = np.add.reduceat(tot, heads), np.add.reduceat(bad, heads)
    down = (t_sum > 0) & (f_sum * (100 * den) > t_sum * num)
    k = slot[heads][down.astype(bool)].astype(np.int64)
    return lo + k * per_us, np.minimum(lo + (k + 1) * per_us, hi)


@dataclass(frozen=True)
class Split:
    """Incidents sorted by what becomes of them, before the allowance and the merge."""

    counted: I64  # incident indexes
    excluded: dict[Key, Intervals]  # (cause, "excluded_cause") → intervals
    excluded_ids: I64  # excluded incidents inside the window, in table order
    maint: dict[str, Intervals]  # announced in time, clipped to the calendar year


def split(table: Table, idx: I64, lo: int, hi: int, ystart: int) -> Split:
    """Rules 1–2 of the module docstring for the incidents `idx` (table order) of one scope and window."""
    idx = idx[table.start[idx] < hi]
    s, e, a = table.start[idx], table.end[idx], table.announced[idx]
    code = table.cause[idx]
    kind, notice = table.kind[code + 1], table.notice[code + 1]
    inside = (e > lo) | ((s == e) & (s >= lo))
    plain = kind == EXCLUDED
    known = a != MISSING
    in_time = (kind == MAINTENANCE) & known & (s - np.where(known, a, 0) >= notice)
    excluded: dict[Key, Intervals] = {}
    maint: dict[str, Intervals] = {}
    for c in np.unique(code[plain | in_time]).tolist():
        name = table.causes[c]
        mine = code == c
        if table.kind[c + 1] == EXCLUDED:
            excluded[(name, "excluded_cause")] = (s[mine], e[mine])
        else:
            late = mine & in_time & (e > ystart)
            maint[name] = (np.maximum(s[late], ystart), e[late])
    return Split(idx[~(plain | in_time)], excluded, idx[inside & (plain | in_time)], maint)


def allowance(rules: DowntimeRules, maint: Mapping[str, Sequence[Intervals]]) -> tuple[dict[Key, Intervals], Intervals]:
    """The yearly maintenance allowance, in time order: (excluded by key, the part beyond it, which counts)."""
    excluded: dict[Key, Intervals] = {}
    beyond: list[Intervals] = []
    for cause, parts in maint.items():
        s, e = merge(*_cat(parts))
        limit = rules.maintenance[cause][1]
        length = e - s
        if limit is None:
            take = length
        else:
            used = np.minimum(np.cumsum(length), limit)
            take = np.diff(used, prepend=0)
        some = take > 0
        if some.any():
            excluded[(cause, "announced_maintenance")] = (s[some], s[some] + take[some])
        rest = take < length
        beyond.append((s[rest] + take[rest], e[rest]))
    return excluded, _cat(beyond) if beyond else (_EMPTY, _EMPTY)


@dataclass(frozen=True)
class Base:
    """A scope's platform-wide part in one window, split and merged once for every customer."""

    split: Split
    counted: Intervals  # merged: the split's counted incidents ∪ error-rate intervals
    announced: dict[Key, Intervals]  # the allowance applied to the platform's maintenance alone
    beyond: Intervals
    error_intervals: int


def base(rules: DowntimeRules, table: Table, idx: I64, error_down: Intervals, lo: int, hi: int, ystart: int) -> Base:
    part = split(table, idx, lo, hi, ystart)
    announced, beyond = allowance(rules, {c: [iv] for c, iv in part.maint.items()})
    counted = merge(*_cat([(table.start[part.counted], table.end[part.counted]), error_down]))
    return Base(part, counted, announced, beyond, len(error_down[0]))


def measure(
    rules: DowntimeRules, table: Table, platform: Base, own: Split | None, lo: int, hi: int, *, ids: bool = True
) -> Measure:
    """The downtime of one scope in the window [lo, hi): its platform part and a customer's own incidents."""
    pieces = [platform.counted]
    excluded = dict(platform.split.excluded)
    announced, beyond = platform.announced, platform.beyond
    if own is not None:
        pieces.append((table.start[own.counted], table.end[own.counted]))
        for key, iv in own.excluded.items():
            excluded[key] = _cat([excluded[key], iv]) if key in excluded else iv
        if own.maint:
            causes = set(own.maint) | set(platform.split.maint)
            together = {c: [p[c] for p in (platform.split.maint, own.maint) if c in p] for c in sorted(causes)}
            announced, beyond = allowance(rules, together)
    excluded.update(announced)
    s, e = merge(*_cat([*pieces, beyond]))
    out = Measure(error_intervals=platform.error_intervals)
    long = (e - s) >= rules.minimum_us
    cs, ce = np.maximum(s, lo), np.minimum(e, hi)
    kept = long & (ce > cs)
    length = (ce - cs)[kept]
    partial = 0
    if rules.whole_minutes:
        partial = int((length % MINUTE).sum())
    out.counted = int(length.sum()) - partial
    # What does not count is reported inside the window, each kind as its own union.
    lengths = {key: clipped(merge(*iv), lo, hi) for key, iv in excluded.items()}
    lengths[(None, "below_minimum")] = clipped((s[~long], e[~long]), lo, hi)
    lengths[(None, "partial_minute")] = partial
    out.excluded = {k: v for k, v in sorted(lengths.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])) if v}
    if ids:
        _incidents(out, table, platform, own, (s[kept], e[kept]), lo, hi)
    return out


def _hits(table: Table, idx: I64, kept: Intervals, lo: int, hi: int) -> I64:
    """The incidents of `idx` inside the window that overlap a kept period (sorted and disjoint)."""
    s, e = table.start[idx], table.end[idx]
    idx = idx[(e > lo) & (s < hi)]
    if len(idx) == 0 or len(kept[0]) == 0:
        return _EMPTY
    s, e = table.start[idx], table.end[idx]
    k = np.searchsorted(kept[1], s, side="right")
    ok = k < len(kept[1])
    ok[ok] = kept[0][k[ok]] < e[ok]
    return idx[ok]


def _incidents(
    out: Measure, table: Table, platform: Base, own: Split | None, kept: Intervals, lo: int, hi: int
) -> None:
    """An incident counts when it overlaps a kept period: the customer's own by id, the platform's as a number."""
    out.platform_counted = len(_hits(table, platform.split.counted, kept, lo, hi))
    if own is None:
        return
    mine = _hits(table, own.counted, kept, lo, hi).tolist()
    out.incidents = [table.ids[i] for i in sorted(mine, key=lambda i: (int(table.start[i]), table.ids[i]))]
    out.excluded_incidents = [table.ids[i] for i in own.excluded_ids.tolist()]
