"""The update gaps of the ticket clocks (issue 12): each cycle's gaps between its arming instant, its
public updates and its stop, laid out so that each instant's clock time is computed once.

The gaps of a cycle are [arm, u1), [u1, u2), …, [uk, stop) over its updates u1 … uk in
[arm, end) (`tickets` says which instants arm and stop a cycle). They are listed cycle-major. The
instants are kept as *points*, k + 2 per cycle (arm, u1 … uk, stop): gap i of the listing starts
at point i + (its cycle's row) and stops at the next point, so the clock time of a gap is the
difference of two points' clock times (`clocks.clock_times`), each point's computed once.

No sort and no (cycle × update) pairs: each update is placed in the one cycle whose window
[arm, end) can hold it (the ticket's last cycle started at or before it, `History.upd_cycle`; the
windows of a ticket are disjoint and in time order), then the updates of a cycle, a contiguous run of the ticket's
sorted updates, are scattered to their slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .events import MISSING

if TYPE_CHECKING:
    from .tickets import History

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Gaps:
    """Every update gap (per gap: position, start, stop, open) and the points they run between."""

    pos: I64
    start: I64
    stop: I64
    open: Bools  # the gap of an unresolved cycle, which stops at `as_of`
    points: I64  # per armed cycle: its arming instant, its updates, its stop
    point_pos: I64  # the position (measured ticket) of each point
    first: I64  # per gap: its start point (its stop is the point after it)
    opens_cycle: Bools  # per point: a cycle's arming instant (only ever a gap's start)
    ends_cycle: Bools  # per point: a cycle's stop (only ever a gap's stop)


def gaps(hist: History, responded: I64, pos: I64, cyc: I64, cyc_rank: I64, uc: I64, as_of: int) -> Gaps:
    """The update gaps of the cycles `cyc` (of positions `pos`, rank in the ticket `cyc_rank`); an open gap
    stops at `as_of`. `uc`: the update target's calendar per position (−1: none)."""
    keep = uc[pos] >= 0
    if not keep.all():
        pos, cyc, cyc_rank = pos[keep], cyc[keep], cyc_rank[keep]
    start, end = hist.cyc_start[cyc], hist.cyc_end[cyc]
    arm = np.where(cyc_rank == 0, responded[pos], start)
    armed = (arm != MISSING) & ((end == MISSING) | (arm < end))
    if not armed.all():
        pos, cyc, arm, end = pos[armed], cyc[armed], arm[armed], end[armed]
    m = len(pos)
    row_of = np.full(len(hist.cyc_start), -1, dtype=np.int64)  # global cycle → its armed row here
    row_of[cyc] = np.arange(m, dtype=np.int64)
    j, row = _updates_in_windows(hist, row_of, arm, end)
    k = np.bincount(row, minlength=m)  # updates inside each cycle's window
    ptr = np.zeros(m + 1, dtype=np.int64)  # points of row r: ptr[r] … ptr[r + 1] − 1 (k + 2 of them)
    np.cumsum(k + 2, out=ptr[1:])
    # Rank of each update in its cycle's run (the runs are contiguous in `j`).
    runs = np.ones(len(row), dtype=bool)
    runs[1:] = row[1:] != row[:-1]
    at = np.arange(len(row), dtype=np.int64)
    rank = at - np.maximum.accumulate(np.where(runs, at, 0)) if len(row) else at
    points = np.empty(int(ptr[-1]), dtype=np.int64)
    points[ptr[:-1]] = arm
    points[ptr[row] + 1 + rank] = hist.upd_at[j]
    last = ptr[1:] - 1
    unresolved = end == MISSING
    points[last] = np.where(unresolved, as_of, end)
    opens_cycle = np.zeros(len(points), dtype=bool)
    opens_cycle[ptr[:-1]] = True
    ends_cycle = np.zeros(len(points), dtype=bool)
    ends_cycle[last] = True
    g_row = np.repeat(np.arange(m, dtype=np.int64), k + 1)
    first = np.arange(len(g_row), dtype=np.int64) + g_row
    g_open = np.zeros(len(g_row), dtype=bool)
    g_open[last - np.arange(1, m + 1)] = unresolved  # a cycle's last gap: its stop point less the rows before
    return Gaps(
        pos[g_row],
        points[first],
        points[first + 1],
        g_open,
        points,
        np.repeat(pos, k + 2),
        first,
        opens_cycle,
        ends_cycle,
    )


def _updates_in_windows(hist: History, row_of: I64, arm: I64, end: I64) -> tuple[I64, I64]:
    """(update index, armed row) of every update inside an armed cycle's window [arm, end) (end MISSING: no end)."""
    u_at = hist.upd_at
    row = row_of[hist.upd_cycle]  # the ticket's last cycle that started at or before the update
    j = np.flatnonzero(row >= 0)
    row = row[j]
    a = u_at[j]
    e = end[row]
    inside = (a >= arm[row]) & ((e == MISSING) | (a < e))
    return j[inside], row[inside]
