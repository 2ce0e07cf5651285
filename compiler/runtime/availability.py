"""Downtime per customer for one period: which incidents count, their union, clipped to the period (vectorised).

Rules (SPEC "Evaluator semantics" and, for the minimum outage, "Downtime rules"), in order:

1. an incident whose cause is the exclusion named `planned_maintenance` (when the
   availability block excludes it and sets a notice period) counts unless it was
   announced at least the notice period before it started; announced in time it is
   excluded (`announced_maintenance`);
2. another cause listed in the availability block's `excludes` (every declared exclusion
   when the contract has no availability block) is excluded (`excluded_cause`);
3. the rest are merged as a union (overlaps never count twice; adjacent incidents join, as
   language v2 merges them): changed, a merged period shorter than the minimum outage is
   not downtime (`below_minimum`), so back-to-back blips can add up to an outage. A
   customer's periods are the union of the platform's and its own incidents, those started
   before the period's end (a period reaching back into the previous one is as long as it is);
4. the rest count, clipped to the period, so an incident crossing a period boundary is split.

An incident without a customer list is platform-wide and applies to every customer.
The platform's periods P are merged once; a customer's own incidents are widened by the
platform periods they touch, those widened intervals merged per customer (each customer its own
stretch of one axis), and the customer's downtime is P's with the touched periods replaced by
its own merged periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from .calendar import Timeline
from .columns import codes, sort_order
from .events import MISSING, Incidents
from .policy import PLANNED_MAINTENANCE, Policy

# Why an incident does not count, as codes (0: it counts) and as the report writes them.
COUNTED, EXCLUDED_CAUSE, ANNOUNCED, BELOW_MINIMUM = 0, 1, 2, 3
REASONS = (None, "excluded_cause", "announced_maintenance", "below_minimum")

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Downtime:
    """Downtime of every customer (indexes as in the customers table) for one period, in µs."""

    counted: I64  # per customer
    reason: npt.NDArray[np.int8]  # per incident: COUNTED or why it does not count (REASONS)
    seconds_in_period: I64  # per incident: its own length inside the period
    platform: list[int]  # platform-wide incidents overlapping the period, by start then id
    platform_counted: I64  # per customer: how many of them count for it (its own incidents can lengthen one)
    own_incident: I64  # incidents naming a customer, grouped by customer ...
    own_counts: npt.NDArray[np.bool_]  # ... whether each counts for that customer ...
    own_bounds: I64  # ... customer c's are own_incident[own_bounds[c]:own_bounds[c + 1]]
    keys: list[tuple[str | None, str | None]]  # (cause, reason) of downtime that does not count
    excluded: npt.NDArray[np.int64]  # [customer, key]: µs of that key (a union per key)


def classify(policy: Policy, incidents: Incidents) -> npt.NDArray[np.int8]:
    """Per incident: COUNTED, or the code of the reason it does not count by its cause (vectorised)."""
    names = sorted(policy.downtime_excludes)
    excluded = codes(incidents.cause, names, "cause", unknown_ok=True) >= 0
    out = np.full(len(incidents.id), COUNTED, dtype=np.int8)
    notice = policy.maintenance_notice_us
    if notice is not None and PLANNED_MAINTENANCE in policy.downtime_excludes:
        planned = incidents.cause == PLANNED_MAINTENANCE
        in_time = (incidents.announced != MISSING) & (incidents.start - incidents.announced >= notice)
        out[planned & in_time] = ANNOUNCED
        excluded &= ~planned  # announced too late (or never): planned maintenance counts
    out[excluded] = EXCLUDED_CAUSE
    return out


def union(starts: I64, ends: I64) -> Timeline:
    """The union of intervals as a timeline (sorted, disjoint, with cumulative length)."""
    order = np.argsort(starts, kind="stable")
    pairs = list(zip(starts[order].tolist(), ends[order].tolist(), strict=True))
    return Timeline.of([(s, e) for s, e in pairs if e > s], 0, 0)


def grouped_extra(groups: I64, starts: I64, ends: I64, base: Timeline, n_groups: int, lo: int, hi: int) -> I64:
    """Per group g: |union of its intervals \\ base|, every interval already clipped to [lo, hi]."""
    out = np.zeros(n_groups, dtype=np.int64)
    keep = ends > starts
    if not keep.any():
        return out
    g, s, e, first, _ = grouped_merge(groups[keep], starts[keep], ends[keep])
    extra = (e - s) - (base.open_before(e) - base.open_before(s))
    np.add.at(out, g, extra)
    return out


def grouped_merge(groups: I64, starts: I64, ends: I64) -> tuple[I64, I64, I64, I64, I64]:
    """Each group's intervals merged (touching ones join, empty ones kept as points).

    Returns (group, start, end) of every merged period, the index of each period's first
    input and each input's period. Each group gets its own stretch of one axis, wider than
    the intervals' span, so one sort and one running maximum merge every group at once.
    """
    base_t = int(starts.min())
    span = int(ends.max()) - base_t + 1
    wide = (int(groups.max()) + 1) * span >= 2**62  # then exact Python integers
    g = groups.astype(object) if wide else groups
    key_start = g * span + (starts - base_t)
    key_end = g * span + (ends - base_t)
    order = np.argsort(key_start, kind="stable")
    key_start, key_end = key_start[order], key_end[order]
    reach = np.maximum.accumulate(key_end)
    first = np.ones(len(key_start), dtype=bool)
    first[1:] = key_start[1:] > reach[:-1]
    first_idx = np.flatnonzero(first)
    last_idx = np.append(first_idx[1:] - 1, len(key_start) - 1)
    piece_group = groups[order][first_idx]
    s = starts[order][first_idx]
    e = (reach[last_idx] - (piece_group.astype(object) if wide else piece_group) * span + base_t).astype(np.int64)
    of_input = np.empty(len(order), dtype=np.int64)
    of_input[order] = np.cumsum(first) - 1
    return piece_group, s, e, order[first_idx], of_input


def _clip(s: I64, e: I64, lo: int, hi: int) -> I64:
    return np.maximum(0, np.minimum(e, hi) - np.maximum(s, lo))


@dataclass(frozen=True)
class _Periods:
    """Counted and below-minimum µs per customer, and which (customer, incident) rows count."""

    counted: I64
    below: I64
    row_counts: npt.NDArray[np.bool_]  # per named row
    platform_short: I64  # platform incidents in a platform period shorter than the minimum
    platform_counted: I64  # per customer: platform incidents inside the period that count for it


def _periods(
    minimum: int, start: I64, end: I64, plat: I64, plat_inside: npt.NDArray[np.bool_], r_cust: I64, r_inc: I64,
    n: int, lo: int, hi: int,
) -> _Periods:  # fmt: skip
    """Rule 3 for counted incidents (platform `plat`, named rows `r_cust`/`r_inc`), all started before `hi`.

    `plat_inside` marks the platform incidents inside the period, which the per-customer count reports.
    """
    counted, below = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    platform_counted = np.zeros(n, dtype=np.int64)
    ps = pe = np.zeros(0, dtype=np.int64)
    p_long = np.zeros(0, dtype=bool)
    platform_short = np.zeros(0, dtype=np.int64)
    per_piece = np.zeros(0, dtype=np.int64)  # platform incidents inside the period, per platform period
    if len(plat):
        _, ps, pe, _, p_of = grouped_merge(np.zeros(len(plat), dtype=np.int64), start[plat], end[plat])
        p_long = (pe - ps) >= minimum
        p_clip = _clip(ps, pe, lo, hi)
        counted += int(p_clip[p_long].sum())
        below += int(p_clip[~p_long].sum())
        platform_short = plat[~p_long[p_of]]
        per_piece = np.bincount(p_of[plat_inside], minlength=len(ps))
        platform_counted += int(per_piece[p_long].sum())
    if len(r_inc) == 0:
        return _Periods(counted, below, np.zeros(0, dtype=bool), platform_short, platform_counted)
    s, e = start[r_inc], end[r_inc]
    # The platform periods each row touches: [a, b); the row widened to cover them (it and they are one outage).
    a = np.searchsorted(pe, s, side="left")
    b = np.searchsorted(ps, e, side="right")
    touches = b > a
    if len(ps):
        s = np.where(touches, np.minimum(s, ps[np.minimum(a, len(ps) - 1)]), s)
        e = np.where(touches, np.maximum(e, pe[np.maximum(b - 1, 0)]), e)
    g, cs, ce, _, of_row = grouped_merge(r_cust, s, e)
    c_long = (ce - cs) >= minimum
    c_clip = _clip(cs, ce, lo, hi)
    many = np.where(touches, b - a, 0)
    total = int(many.sum())
    if total:  # the touched platform periods give way to the customer's own periods
        step = np.arange(total) - np.repeat(np.cumsum(many) - many, many)
        key = np.repeat(r_cust, many) * len(ps) + np.repeat(a, many) + step
        pair, first = np.unique(key, return_index=True)  # each touched period once per customer
        tc, tp = pair // len(ps), pair % len(ps)
        t_clip = _clip(ps[tp], pe[tp], lo, hi)
        np.subtract.at(counted, tc[p_long[tp]], t_clip[p_long[tp]])
        np.subtract.at(below, tc[~p_long[tp]], t_clip[~p_long[tp]])
        # A platform period below the minimum that a customer's incidents lengthen counts for that customer.
        now_long = c_long[np.repeat(of_row, many)[first]] & ~p_long[tp]
        np.add.at(platform_counted, tc[now_long], per_piece[tp[now_long]])
    np.add.at(counted, g[c_long], c_clip[c_long])
    np.add.at(below, g[~c_long], c_clip[~c_long])
    return _Periods(counted, below, c_long[of_row], platform_short, platform_counted)


def _named_rows(incidents: Incidents, customer_index: dict[str, int]) -> tuple[I64, I64]:
    """Incidents naming customers as (customer, incident) rows, the names coded in one lookup."""
    lists = incidents.customers
    named = np.array([i for i, names in enumerate(lists) if names is not None], dtype=np.int64)
    named_lists = [lists[i] for i in named.tolist()]
    lengths = np.fromiter(map(len, named_lists), dtype=np.int64, count=len(named_lists))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(chain.from_iterable(named_lists))
    # A customer outside this evaluation (not in the customers table) is not reported.
    flat_codes = codes(flat, list(customer_index), "customer", unknown_ok=True)
    keep = flat_codes >= 0
    return flat_codes[keep], np.repeat(named, lengths)[keep]


def downtime(policy: Policy, incidents: Incidents, customer_index: dict[str, int], lo: int, hi: int) -> Downtime:
    """Counted and excluded downtime of every customer in the period [lo, hi) (µs)."""
    n_customers = len(customer_index)
    reason = classify(policy, incidents)
    start = np.clip(incidents.start, lo, hi)
    end = np.clip(incidents.end, lo, hi)
    in_period = ((incidents.end > lo) & (incidents.start < hi)) | (
        (incidents.start == incidents.end) & (incidents.start >= lo) & (incidents.start < hi)
    )
    is_platform = np.fromiter((names is None for names in incidents.customers), dtype=bool, count=len(reason))
    all_cust, all_inc = _named_rows(incidents, customer_index)
    # Rule 3 over every counted incident started before the period's end.
    counts = (reason == COUNTED) & (incidents.start < hi)
    rows = counts[all_inc]
    plat_counts = np.flatnonzero(is_platform & counts)
    per = _periods(
        policy.minimum_outage_us, incidents.start, incidents.end, plat_counts, in_period[plat_counts],
        all_cust[rows], all_inc[rows], n_customers, lo, hi,
    )  # fmt: skip
    reason[per.platform_short] = BELOW_MINIMUM
    row_counts = np.zeros(len(all_inc), dtype=bool)
    row_counts[rows] = per.row_counts

    # Each kind of downtime that does not count by its cause, (cause, reason), gets a code; the rest -1.
    selected = np.flatnonzero(in_period)
    causes = incidents.cause[selected].tolist()
    why = reason[selected].tolist()
    by_cause = {(c, REASONS[r]) for c, r in zip(causes, why, strict=True) if r in (EXCLUDED_CAUSE, ANNOUNCED)}
    below_key = (None, REASONS[BELOW_MINIMUM])
    keys = sorted(by_cause | ({below_key} if per.below.any() else set()), key=lambda k: (str(k[0]), str(k[1])))
    key_index = {k: j for j, k in enumerate(keys)}
    key_code = np.full(len(reason), -2, dtype=np.int64)
    key_code[selected] = [
        key_index[(c, REASONS[r])] if r in (EXCLUDED_CAUSE, ANNOUNCED) else -1 for c, r in zip(causes, why, strict=True)
    ]
    inside = in_period[all_inc]
    r_cust, r_inc, r_counts = all_cust[inside], all_inc[inside], row_counts[inside]
    ids = incidents.id
    platform = sorted(
        np.flatnonzero(in_period & is_platform).tolist(), key=lambda i: (int(incidents.start[i]), str(ids[i]))
    )
    plat = np.array(platform, dtype=np.int64)
    # Grouped by customer, each group in start order then id (the report's order, whatever the rows' order).
    order = sort_order(r_cust, incidents.start[r_inc], ids[r_inc]) if len(r_inc) else np.zeros(0, dtype=np.int64)

    excluded = np.zeros((n_customers, len(keys)), dtype=np.int64)
    for key, j in key_index.items():
        if key == below_key:
            excluded[:, j] = per.below
            continue
        p = plat[key_code[plat] == j]
        base = union(start[p], end[p])
        mask = key_code[r_inc] == j
        r = r_inc[mask]
        extra = grouped_extra(r_cust[mask], start[r], end[r], base, n_customers, lo, hi)
        excluded[:, j] = (int(base.through[-1]) if len(base.through) else 0) + extra
    return Downtime(
        counted=per.counted,
        reason=reason,
        seconds_in_period=np.where(in_period, end - start, 0),
        platform=platform,
        platform_counted=per.platform_counted,
        own_incident=r_inc[order],
        own_counts=r_counts[order],
        own_bounds=np.searchsorted(r_cust[order], np.arange(n_customers + 1)),
        keys=keys,
        excluded=excluded,
    )
