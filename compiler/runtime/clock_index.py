"""Faster lookups in one calendar timeline for the ticket clocks' large vectorised questions.

`np.searchsorted` into a timeline's few hundred boundaries costs a binary search per query, and
an evaluation asks millions of them. `Sorted` answers the same counts from a table of buckets of
a power-of-two width no wider than the smallest spacing of the boundaries, so a bucket holds at
most one boundary past its left edge: one shift, two gathers and a compare per query. It is
exact for every int64 (queries are clipped into the table's span first, which does not change
their counts) and falls back to `np.searchsorted` when the table would be large.

`TimelineIndex` puts the timeline's questions on top of it (open time before an instant, the next
opening, the instant the open time reaches a target), each equal to `Timeline`'s own answer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .calendar import Timeline

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_MAX = np.iinfo(np.int64).max
_FAR = -(2**62)  # below every instant slac computes with (years 1970–2199); see `open_before`
_TABLE = 1 << 16  # the most buckets a table may have
SMALL = 2048  # fewer queries than this: numpy's own search (building the index costs more)


class Sorted:
    """`np.searchsorted(a, t, side)` of one sorted array of distinct values, by buckets."""

    def __init__(self, a: I64):
        self.a = a
        self.table: I64 | None = None
        if len(a) < 2:
            return
        spacing = int(np.diff(a).min())
        if spacing < 1:
            return
        self.shift = spacing.bit_length() - 1  # 2**shift ≤ spacing
        self.lo = int(a[0]) - 1
        buckets = ((int(a[-1]) - self.lo) >> self.shift) + 1
        if buckets > _TABLE:
            return
        self.hi = self.lo + (buckets << self.shift) - 1  # ≥ a[-1]
        edges = self.lo + (np.arange(buckets, dtype=np.int64) << self.shift)
        self.table = np.searchsorted(a, edges, side="right")  # values ≤ each bucket's left edge
        self.next = np.append(a, _MAX)  # the first value past a bucket's left edge (none: _MAX)

    def right(self, t: I64) -> I64:
        """How many values are ≤ each t."""
        if self.table is None:
            return np.searchsorted(self.a, t, side="right")
        tc = np.clip(t, self.lo, self.hi)  # below a[0] / at or past a[-1]: the same count
        k = self.table[(tc - self.lo) >> self.shift]
        k += self.next[k] <= tc  # at most one value lies in (left edge, tc]
        return k

    def left(self, t: I64) -> I64:
        """How many values are < each t (for integers: ≤ t − 1, clipped first so it cannot overflow)."""
        if self.table is None:
            return np.searchsorted(self.a, t, side="left")
        return self.right(np.clip(t, self.lo + 1, self.hi + 1) - 1)


class TimelineIndex:
    """`Timeline.open_before`, `next_open` and the deadline search of a non-empty timeline, by `Sorted`."""

    def __init__(self, tl: Timeline):
        assert len(tl.start)
        self.n = len(tl.start)
        self.starts, self.ends, self.throughs = Sorted(tl.start), Sorted(tl.end), Sorted(tl.through)
        # open_before(t) = base[k] + min(max(t, _FAR), end[k]) with k = starts ≤ t: slot 0 gives 0.
        self.ob_end = np.concatenate(([_FAR], tl.end)).astype(np.int64)
        self.ob_base = np.concatenate(([-_FAR], tl.before - tl.start)).astype(np.int64)
        # Past the last interval the answers of `Timeline` use the last one's values (beyond anyway).
        self.start_at = np.append(tl.start, tl.start[-1])
        self.end_at = np.append(tl.end, tl.end[-1])
        at = tl.start - tl.before  # a deadline in interval j is at[j] + its open-time target
        self.deadline_at = np.append(at, at[-1])

    def open_before(self, t: I64) -> I64:
        """Open time before each instant (`Timeline.open_before`)."""
        if self.n == 1:  # a calendar open around the clock: one interval [s, e)
            s = int(self.start_at[0])
            return np.clip(t, s, int(self.end_at[0])) - s
        k = self.starts.right(t)
        return self.ob_base[k] + np.minimum(np.maximum(t, _FAR), self.ob_end[k])

    def next_open(self, t: I64) -> tuple[I64, Bools]:
        """The first instant at or after each t from which open time passes, beyond (`Timeline.next_open`)."""
        if self.n == 1:
            return np.maximum(t, int(self.start_at[0])), t >= int(self.end_at[0])
        k = self.ends.right(t)
        return np.maximum(t, self.start_at[k]), k >= self.n

    def reach(self, cur: I64, cur_open: I64, rem: I64) -> tuple[I64, Bools, I64]:
        """(instant, beyond, interval) where the open time reaches cur_open + rem, never in an interval that
        ends at or before `cur` (cur_open is the open time before cur).

        With rem > 0 the first interval whose cumulative end reaches the target ends after `cur`
        already (its cumulative end exceeds the open time before cur), so only rem ≤ 0 needs the
        second search of `Timeline.deadlines`.
        """
        target = cur_open + rem
        j = self.throughs.left(target)
        flat = np.flatnonzero(rem <= 0)
        if len(flat):
            j[flat] = np.maximum(j[flat], self.ends.right(cur[flat]))
        return self.deadline_at[j] + target, j >= self.n, j

    def open_after(self, due: I64, j: I64) -> tuple[I64, Bools]:
        """`next_open(due)` of deadlines `reach` put strictly inside interval j < n (start[j] < due ≤ end[j]):
        the deadline itself, or the next opening when it falls on the interval's end."""
        k = j + (due == self.end_at[j])
        return np.maximum(due, self.start_at[k]), k >= self.n
