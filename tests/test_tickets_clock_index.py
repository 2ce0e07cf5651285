"""The ticket clocks' bucket index (runtime/clock_index.py) answers exactly what numpy's searchsorted and
the calendar Timeline answer: at every boundary, one microsecond either side, far outside the
timeline, at the int64 extremes, in three zones across both DST changes and holidays."""

from __future__ import annotations

import json

import numpy as np
import pytest

from slac.runtime import Policy
from slac.runtime.calendar import Timeline
from slac.runtime.clock_index import SMALL, Sorted, TimelineIndex
from slac.runtime.clocks import NEVER, Clock, Pauses
from slac.runtime.events import MISSING

from .runtime_fixtures import zones_policy_text

DAY = 86_400_000_000
I64 = np.iinfo(np.int64)


def _probes(values: np.ndarray, rng: np.random.Generator, lo: int, hi: int) -> np.ndarray:
    """Every value, ±1 µs of it, random instants inside and around [lo, hi], and the int64 extremes."""
    extreme = np.array([I64.min, I64.min + 1, I64.max, I64.max - 1, MISSING, NEVER, 0, -1], dtype=np.int64)
    inside = rng.integers(lo - DAY, hi + DAY, 20_000)
    return np.concatenate([values, values - 1, values + 1, inside, extreme]).astype(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_sorted_counts_equal_searchsorted(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Spacings from 1 µs to days: some tables are built, some fall back (too many buckets).
    scale = [1, 7, 3_600_000_000, DAY][seed % 4]
    a = np.cumsum(rng.integers(1, 50, 300) * scale).astype(np.int64) + 1_700_000_000_000_000
    idx = Sorted(a)
    t = _probes(a, rng, int(a[0]), int(a[-1]))
    assert (idx.right(t) == np.searchsorted(a, t, side="right")).all()
    assert (idx.left(t) == np.searchsorted(a, t, side="left")).all()
    if seed % 4 >= 2:
        assert idx.table is not None  # hours and days apart: the bucket table answers


def test_sorted_edge_cases() -> None:
    one = np.array([5], dtype=np.int64)
    t = np.array([I64.min, 4, 5, 6, I64.max], dtype=np.int64)
    assert Sorted(one).right(t).tolist() == [0, 0, 1, 1, 1]
    assert Sorted(one).left(t).tolist() == [0, 0, 0, 1, 1]
    pair = np.array([10, 11], dtype=np.int64)  # spacing 1: buckets of 1 µs
    t = np.arange(5, 16, dtype=np.int64)
    assert (Sorted(pair).right(t) == np.searchsorted(pair, t, side="right")).all()
    assert (Sorted(pair).left(t) == np.searchsorted(pair, t, side="left")).all()
    # Far apart values would need too many buckets of the smallest spacing: numpy's search.
    wide = np.array([0, 1, 10**15], dtype=np.int64)
    assert Sorted(wide).table is None
    assert Sorted(wide).right(np.array([1, 2], dtype=np.int64)).tolist() == [2, 2]


def _clocks() -> list[Clock]:
    """zones.sla's calendars: open around the clock (a timeline of one interval), Shanghai with a lunch
    break, Berlin with Saturdays, a Berlin night shift across the DST changes."""
    policy = Policy(json.loads(zones_policy_text()))
    lo = 1_711_000_000_000_000  # 2024-03-21, a month before the spring DST changes until past the autumn ones
    return [Clock(cal, lo, lo + 230 * DAY) for cal in policy.calendars.values()]


def _timelines() -> list[Timeline]:
    """The three zones' calendars, and timelines of one interval (a calendar open around the clock) and of two."""
    lo = 1_711_000_000_000_000
    one = Timeline.of([(lo + DAY, lo + 90 * DAY)], lo, lo + 100 * DAY)
    two = Timeline.of([(lo + DAY, lo + 2 * DAY), (lo + 2 * DAY + 1, lo + 9 * DAY)], lo, lo + 10 * DAY)
    return [c.tl for c in _clocks()] + [one, two]


@pytest.mark.parametrize("which", range(len(_timelines())))
def test_timeline_index_equals_timeline(which: int) -> None:
    tl = _timelines()[which]
    ix = TimelineIndex(tl)
    rng = np.random.default_rng(which)
    t = _probes(np.concatenate([tl.start, tl.end]), rng, tl.lo, tl.hi)
    assert (ix.open_before(t) == tl.open_before(t)).all()
    nxt, beyond = ix.next_open(t)
    want, want_beyond = tl.next_open(t)
    assert (nxt == want).all() and (beyond == want_beyond).all()
    # reach: targets of 0 (a closed clock waits for the next opening), exactly an interval's length, random.
    cur = np.concatenate([tl.start, tl.end, tl.end - 1, rng.integers(tl.lo, tl.hi, 20_000)]).astype(np.int64)
    rem = rng.choice([0, 1, 8 * 3_600_000_000, 3_600_000_000 * 24 * 5], len(cur)).astype(np.int64)
    rem[: len(tl.start)] = tl.end - tl.start  # from an opening, exactly the interval: its closing
    cur_open = tl.open_before(cur)
    due, beyond, j = ix.reach(cur, cur_open, rem)
    ok = ~beyond
    want_due, want_beyond = tl.deadlines(cur, rem)
    assert (beyond == want_beyond).all() and (due[ok] == want_due[ok]).all()
    # open_after: the decision instant of deadlines strictly inside an interval (rem > 0) is next_open's.
    sure = ok & (rem > 0)
    got, bey = ix.open_after(due[sure], j[sure])
    want, want_bey = tl.next_open(due[sure])
    assert (got == want).all() and (bey == want_bey).all()
    assert (due[sure] == tl.end[np.minimum(j[sure], len(tl.end) - 1)]).any()  # some fall on a closing


def _random_pauses(rng: np.random.Generator, start: np.ndarray) -> Pauses:
    """0–3 sorted, disjoint pauses per clock: some begin before the clock starts, some span several closings,
    some have zero length or touch the next one, some have no end."""
    n = len(start)
    count = rng.integers(0, 4, n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(count, out=ptr[1:])
    owner = np.repeat(np.arange(n), count)
    space = rng.exponential(20 * 3_600_000_000, len(owner)).astype(np.int64)
    space[rng.random(len(owner)) < 0.2] = 0  # a pause right after the previous one
    length = rng.exponential(30 * 3_600_000_000, len(owner)).astype(np.int64)
    length[rng.random(len(owner)) < 0.2] = 0  # zero-length pauses
    step = np.cumsum(space + length)
    step -= np.repeat(step[ptr[:-1][count > 0]] - (space + length)[ptr[:-1][count > 0]], count[count > 0])
    a = start[owner] - 3_600_000_000 + step - length
    b = a + length
    last = ptr[1:][count > 0] - 1
    b[last] = np.where(rng.random(len(last)) < 0.1, NEVER, b[last])
    return Pauses(ptr, a, b)


def test_clock_answers_do_not_depend_on_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock's deadlines, decision instants and elapsed time with pauses are the same with the index as
    with the timeline's own searches (pauses spanning several closings, zero-length ones, pauses with
    no end, clocks starting exactly at a closing or an opening)."""
    import slac.runtime.clocks as clocks_module

    rng = np.random.default_rng(7)
    for clock in _clocks():
        tl = clock.tl
        n = SMALL * 3
        start = rng.integers(tl.lo, tl.lo + 150 * DAY, n).astype(np.int64)
        start[:50], start[50:100] = tl.end[:50], tl.start[:50]
        within = rng.choice([0, 1, 3_600_000_000, 8 * 3_600_000_000, 40 * 3_600_000_000], n).astype(np.int64)
        stop = start + rng.integers(0, 10 * DAY, n)
        pauses = _random_pauses(rng, start)
        ticket = np.arange(n, dtype=np.int64)
        answers = []
        for small in (SMALL, 10**12):  # with the index, then without it
            monkeypatch.setattr(clocks_module, "SMALL", small)
            fresh = Clock(clock.cal, clock.lo, clock.hi)
            p = Pauses(pauses.ptr, pauses.a, pauses.b)  # its open times computed afresh
            answers.append((*fresh.deadlines(start, within, p, ticket), fresh.elapsed(start, stop, p, ticket)))
            assert (fresh._index is None) == (small > n)
        for got, want in zip(*answers, strict=True):
            assert (got == want).all()
        assert (answers[0][0] == NEVER).any() and (answers[0][1] > answers[0][0]).any()
