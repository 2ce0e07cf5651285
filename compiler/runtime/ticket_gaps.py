"""The update gaps of the ticket clocks (issue 12): each cycle's gaps between its arming instant, its
public updates and its stop, laid out so that each instant's clock time is computed once.

The gaps of a cycle are [arm, u1), [u1, u2), …, [uk, stop) over its updates u1 … uk in
[arm, end) (`tickets` says which instants arm and stop a cycle). They are kept as two lists,
without listing the gaps themselves: per armed cycle (a *row*) its arming instant and stop, and
per update inside a window its row, in row order. The gap that ends at update i starts at its row's
arming instant when it is the row's first update, else at update i − 1; a row's last gap ends at
its stop and starts at its last update, else at its arming instant (`before_updates`,
`before_stops`). So the clock time of a gap is the difference of two instants' clock times
(`clocks.clock_times`), each instant's computed once, and no array of gaps is built.

No sort and no (cycle × update) pairs: each update is placed in the one cycle whose window
[arm, end) can hold it (the ticket's last cycle started at or before it, `History.upd_cycle`; the
windows of a ticket are disjoint and in time order), so the updates of a row are a contiguous run
of the ticket's sorted updates.
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
    """Every armed cycle (row: position, arming instant, stop, open) and the updates inside their windows."""

    pos: I64  # per row: the position (measured ticket)
    arm: I64
    stop: I64  # the cycle's end, `as_of` when it is not resolved
    open: Bools  # the cycle is not resolved: its last gap stops at `as_of`
    u_row: I64  # per update inside a window, in row order: its row
    u_at: I64
    u_first: Bools  # the row's first update
    u_last: Bools  # the row's last update

    def before_updates(self, at_arm: I64, at_upd: I64) -> I64:
        """Per update, the value at the start of the gap that ends at it, from the values at the rows'
        arming instants (`at_arm`) and at the updates (`at_upd`): the arming instant's or the previous update's."""
        prev = np.empty_like(at_upd)
        prev[1:] = at_upd[:-1]  # a row's first update takes its arming instant's instead
        return np.where(self.u_first, at_arm[self.u_row], prev)

    def before_stops(self, at_arm: I64, at_upd: I64) -> I64:
        """Per row, the value at the start of its last gap: its last update's, else its arming instant's."""
        out = at_arm.copy()
        out[self.u_row[self.u_last]] = at_upd[self.u_last]
        return out


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
    row, u_at = _updates_in_windows(hist, row_of, arm, end)
    unresolved = end == MISSING
    first = np.ones(len(row), dtype=bool)  # the runs of a row are contiguous: a new row starts a run
    first[1:] = row[1:] != row[:-1]
    last = np.ones(len(row), dtype=bool)
    last[:-1] = first[1:]
    return Gaps(pos, arm, np.where(unresolved, as_of, end), unresolved, row, u_at, first, last)


def _updates_in_windows(hist: History, row_of: I64, arm: I64, end: I64) -> tuple[I64, I64]:
    """(armed row, instant) of every update inside an armed cycle's window [arm, end) (end MISSING: no end)."""
    u_at = hist.upd_at
    row = row_of[hist.upd_cycle]  # the ticket's last cycle that started at or before the update
    j = np.flatnonzero(row >= 0)
    row = row[j]
    a = u_at[j]
    e = end[row]
    inside = (a >= arm[row]) & ((e == MISSING) | (a < e))
    return row[inside], a[inside]
