"""Downtime per customer for one period: which incidents count, their union, clipped to the period (vectorised).

Rules (SPEC "Evaluator semantics"), in the order applied to each incident:

1. an incident whose cause is the exclusion named `planned_maintenance` (when the
   availability block excludes it and sets a notice period) counts unless it was
   announced at least the notice period before it started; announced in time it is
   excluded (`announced_maintenance`);
2. another cause listed in the availability block's `excludes` (every declared exclusion
   when the contract has no availability block) is excluded (`excluded_cause`);
3. an incident shorter than the minimum outage is not downtime (`below_minimum`): each
   incident is one outage as the monitor reported it, so two short overlapping
   incidents do not add up to a long one;
4. the rest count. Counted incidents are merged as a union (overlaps never count twice)
   and clipped to the period, so an incident crossing a period boundary is split.

An incident without a customer list is platform-wide and applies to every customer.
A customer's downtime is |P ∪ O| = |P| + |O \\ P| for the platform union P and the
union O of its own incidents; O is merged for all customers at once by giving each
customer its own stretch of a shared time axis.
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
    platform_counted: int  # how many of them count
    own_incident: I64  # incidents naming a customer, grouped by customer ...
    own_bounds: I64  # ... customer c's are own_incident[own_bounds[c]:own_bounds[c + 1]]
    keys: list[tuple[str | None, str | None]]  # (cause, reason) of downtime that does not count
    excluded: npt.NDArray[np.int64]  # [customer, key]: µs of that key (a union per key)

    def own(self, customer: int) -> list[int]:
        """A customer's own incidents overlapping the period, by start then id."""
        return self.own_incident[self.own_bounds[customer] : self.own_bounds[customer + 1]].tolist()


def classify(policy: Policy, incidents: Incidents) -> npt.NDArray[np.int8]:
    """Per incident: COUNTED, or the code of the reason it does not count (vectorised)."""
    names = sorted(policy.downtime_excludes)
    excluded = codes(incidents.cause, names, "cause", unknown_ok=True) >= 0
    out = np.full(len(incidents.id), COUNTED, dtype=np.int8)
    out[incidents.end - incidents.start < policy.minimum_outage_us] = BELOW_MINIMUM
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
    groups, starts, ends = groups[keep], starts[keep], ends[keep]
    # Each group gets its own stretch of one axis, wider than the period, so one sort and one
    # running maximum merge every group's intervals without ever joining two groups.
    span = hi - lo + 1
    key_start = groups * span + (starts - lo)
    key_end = groups * span + (ends - lo)
    order = np.argsort(key_start, kind="stable")
    key_start, key_end = key_start[order], key_end[order]
    reach = np.maximum.accumulate(key_end)
    first = np.ones(len(key_start), dtype=bool)
    first[1:] = key_start[1:] > reach[:-1]
    first_idx = np.flatnonzero(first)
    piece_start = key_start[first_idx]
    last_idx = np.append(first_idx[1:] - 1, len(key_start) - 1)
    piece_end = reach[last_idx]
    piece_group = piece_start // span
    s = piece_start - piece_group * span + lo
    e = piece_end - piece_group * span + lo
    extra = (e - s) - (base.open_before(e) - base.open_before(s))
    np.add.at(out, piece_group, extra)
    return out


def downtime(policy: Policy, incidents: Incidents, customer_index: dict[str, int], lo: int, hi: int) -> Downtime:
    """Counted and excluded downtime of every customer in the period [lo, hi) (µs)."""
    n_customers = len(customer_index)
    reason = classify(policy, incidents)
    start = np.clip(incidents.start, lo, hi)
    end = np.clip(incidents.end, lo, hi)
    in_period = ((incidents.end > lo) & (incidents.start < hi)) | (
        (incidents.start == incidents.end) & (incidents.start >= lo) & (incidents.start < hi)
    )
    # Each kind of downtime that does not count, (cause, reason), gets a code; counted incidents -1.
    selected = np.flatnonzero(in_period)
    causes = incidents.cause[selected].tolist()
    why = reason[selected].tolist()
    keys = sorted(
        {(c, REASONS[r]) for c, r in zip(causes, why, strict=True) if r != COUNTED},
        key=lambda k: (str(k[0]), str(k[1])),
    )
    key_index = {k: j for j, k in enumerate(keys)}
    key_code = np.full(len(reason), -2, dtype=np.int64)
    key_code[selected] = [-1 if r == COUNTED else key_index[(c, REASONS[r])] for c, r in zip(causes, why, strict=True)]

    # Incidents naming customers become (customer, incident) rows, the names coded in one lookup.
    lists = incidents.customers
    platform = [i for i in selected.tolist() if lists[i] is None]
    named = np.array([i for i in selected.tolist() if lists[i] is not None], dtype=np.int64)
    named_lists = [lists[i] for i in named.tolist()]
    lengths = np.fromiter(map(len, named_lists), dtype=np.int64, count=len(named_lists))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(chain.from_iterable(named_lists))
    # A customer outside this evaluation (not in the customers table) is not reported.
    flat_codes = codes(flat, list(customer_index), "customer", unknown_ok=True)
    keep = flat_codes >= 0
    r_cust = flat_codes[keep]
    r_inc = np.repeat(named, lengths)[keep]
    ids = incidents.id
    platform.sort(key=lambda i: (int(incidents.start[i]), str(ids[i])))
    plat = np.array(platform, dtype=np.int64)
    # Grouped by customer, each group in start order then id (the report's order, whatever the rows' order).
    order = sort_order(r_cust, incidents.start[r_inc], ids[r_inc]) if len(r_inc) else np.zeros(0, dtype=np.int64)
    own_incident = r_inc[order]
    own_bounds = np.searchsorted(r_cust[order], np.arange(n_customers + 1))

    def part(code: int) -> tuple[int, I64]:
        """(platform-wide µs, per-customer extra µs) of the incidents with one key code."""
        p = plat[key_code[plat] == code]
        base = union(start[p], end[p])
        mask = key_code[r_inc] == code
        r = r_inc[mask]
        extra = grouped_extra(r_cust[mask], start[r], end[r], base, n_customers, lo, hi)
        return (int(base.through[-1]) if len(base.through) else 0), extra

    total, extra = part(-1)
    excluded = np.zeros((n_customers, len(keys)), dtype=np.int64)
    for j in range(len(keys)):
        p_us, more = part(j)
        excluded[:, j] = p_us + more
    return Downtime(
        counted=extra + total,
        reason=reason,
        seconds_in_period=np.where(in_period, end - start, 0),
        platform=platform,
        platform_counted=int(np.count_nonzero(reason[plat] == COUNTED)) if len(plat) else 0,
        own_incident=own_incident,
        own_bounds=own_bounds,
        keys=keys,
        excluded=excluded,
    )
