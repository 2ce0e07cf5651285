"""Downtime per customer for one period: which incidents count, their union, clipped to the period (vectorised).

Rules (SPEC "Evaluator semantics"), in the order applied to each incident:

1. an incident whose cause is the planned-maintenance exclusion counts unless it was
   announced at least the maintenance notice period before it started; announced in
   time it is excluded (`announced_maintenance`);
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

import numpy as np
import numpy.typing as npt

from .calendar import Timeline
from .events import MISSING, Incidents
from .policy import PLANNED_MAINTENANCE, Policy

COUNTED, EXCLUDED_CAUSE, ANNOUNCED, BELOW_MINIMUM = "", "excluded_cause", "announced_maintenance", "below_minimum"

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Downtime:
    """Downtime of every customer (indexes as in the customers table) for one period, in µs."""

    counted: I64  # per customer
    reason: list[str]  # per incident: COUNTED or why it does not count
    seconds_in_period: I64  # per incident: its own length inside the period
    in_period: npt.NDArray[np.bool_]  # per incident: overlaps the period
    platform: list[int]  # platform-wide incidents overlapping the period, by start
    platform_counted: int  # how many of them count
    own: list[list[int]]  # per customer: its own incidents overlapping the period
    excluded: list[dict[tuple[str | None, str], int]]  # per customer: (cause, reason) → µs (a union per key)


def classify(policy: Policy, incidents: Incidents) -> list[str]:
    """Per incident: COUNTED, or the reason it does not count."""
    notice = policy.maintenance_notice_us
    minimum = policy.minimum_outage_us
    excludes = policy.downtime_excludes
    out: list[str] = []
    for cause, start, end, announced in zip(
        incidents.cause.tolist(),
        incidents.start.tolist(),
        incidents.end.tolist(),
        incidents.announced.tolist(),
        strict=True,
    ):
        if cause is not None and cause in excludes:
            if cause == PLANNED_MAINTENANCE and notice is not None:
                if announced != MISSING and start - announced >= notice:
                    out.append(ANNOUNCED)
                    continue
            else:
                out.append(EXCLUDED_CAUSE)
                continue
        out.append(BELOW_MINIMUM if end - start < minimum else COUNTED)
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
    inside = end - start
    in_period = (incidents.end > lo) & (incidents.start < hi) | (
        (incidents.start == incidents.end) & (incidents.start >= lo) & (incidents.start < hi)
    )
    causes = incidents.cause.tolist()

    platform: list[int] = []
    own: list[list[int]] = [[] for _ in range(n_customers)]
    rows: list[tuple[int, int]] = []  # (customer, incident) for own incidents in the period
    for i in np.flatnonzero(in_period).tolist():
        listed = incidents.customers[i]
        if listed is None:
            platform.append(i)
            continue
        for cust in listed:
            c = customer_index.get(cust)
            if c is not None:  # an incident naming only customers outside this evaluation
                own[c].append(i)
                rows.append((c, i))
    platform.sort(key=lambda i: (int(incidents.start[i]), i))

    keys = sorted(
        {(causes[i], reason[i]) for i in range(len(reason)) if reason[i] != COUNTED and in_period[i]}, key=str
    )
    plat_arr = np.array(platform, dtype=np.int64)
    row_cust = np.array([r[0] for r in rows], dtype=np.int64)
    row_inc = np.array([r[1] for r in rows], dtype=np.int64)
    reasons = np.array(reason, dtype=object) if reason else np.zeros(0, dtype=object)

    def part(key: tuple[str | None, str] | None) -> tuple[int, I64]:
        """(platform µs, per-customer extra µs) for counted incidents (key None) or one excluded (cause, reason)."""
        if key is None:
            pmask = reasons[plat_arr] == COUNTED if len(plat_arr) else np.zeros(0, dtype=bool)
            rmask = reasons[row_inc] == COUNTED if len(row_inc) else np.zeros(0, dtype=bool)
        else:
            pmask = np.array([(causes[i], reason[i]) == key for i in platform], dtype=bool)
            rmask = np.array([(causes[i], reason[i]) == key for i in row_inc.tolist()], dtype=bool)
        p = plat_arr[pmask] if len(plat_arr) else plat_arr
        base = union(start[p], end[p])
        r = row_inc[rmask] if len(row_inc) else row_inc
        extra = grouped_extra(
            row_cust[rmask] if len(row_cust) else row_cust, start[r], end[r], base, n_customers, lo, hi
        )
        return int(base.through[-1]) if len(base.through) else 0, extra

    total, extra = part(None)
    counted = extra + total
    excluded: list[dict[tuple[str | None, str], int]] = [{} for _ in range(n_customers)]
    for key in keys:
        p_us, extra = part(key)
        for c in range(n_customers) if p_us else np.flatnonzero(extra).tolist():
            us = p_us + int(extra[c])
            if us:
                excluded[c][key] = us
    return Downtime(
        counted=counted,
        reason=reason,
        seconds_in_period=np.where(in_period, inside, 0),
        in_period=in_period,
        platform=platform,
        platform_counted=sum(1 for i in platform if reason[i] == COUNTED),
        own=own,
        excluded=excluded,
    )
