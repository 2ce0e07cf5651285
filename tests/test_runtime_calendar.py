"""Calendars and timelines: wall-clock boundaries across DST, open-time arithmetic at the edges, ISO text."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import numpy as np
import pytest

from slac.runtime.calendar import US, Calendar, OutsideSpan, Timeline, from_us, iso_many, merge_hours, to_us, wall_to_us

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
HOUR = 3600 * US


def test_merge_hours() -> None:
    assert merge_hours([(600, 720), (480, 600), (780, 1080), (700, 730)]) == ((480, 730), (780, 1080))
    assert merge_hours([(0, 0)]) == ()


def test_wall_clock_boundaries_across_dst() -> None:
    # A normal day, the spring-forward gap (02:30 does not exist: the transition, 01:00 UTC),
    # the repeated hour (02:30 twice: the first, 00:30 UTC) and 24:00 as the next midnight.
    assert from_us(wall_to_us(date(2025, 3, 29), 150, BERLIN), UTC) == datetime(2025, 3, 29, 1, 30, tzinfo=UTC)
    assert from_us(wall_to_us(date(2025, 3, 30), 150, BERLIN), UTC) == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    assert from_us(wall_to_us(date(2025, 10, 26), 150, BERLIN), UTC) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert wall_to_us(date(2025, 3, 30), 1440, BERLIN) == wall_to_us(date(2025, 3, 31), 0, BERLIN)
    # A 00:00–24:00 day lasts as long as the clock says.
    day = lambda d: wall_to_us(d, 1440, BERLIN) - wall_to_us(d, 0, BERLIN)  # noqa: E731
    assert (day(date(2025, 3, 30)), day(date(2025, 10, 26)), day(date(2025, 6, 1))) == (23 * HOUR, 25 * HOUR, 24 * HOUR)


def test_timeline_edges() -> None:
    # Two open intervals: [10, 20) and [30, 40) (in µs, as a timeline sees them).
    tl = Timeline.of([(10, 20), (30, 40)], 0, 50)
    opened = np.array([10, 15, 20, 25, 5, 19, 30], dtype=np.int64)
    within = np.array([0, 5, 0, 3, 10, 1, 10], dtype=np.int64)
    got, beyond = tl.deadlines(opened, within)
    # Running out exactly at a closing is that closing; opened while closed waits for the opening;
    # a zero target opened at a closing is due at the next opening.
    assert got.tolist() == [10, 20, 30, 33, 20, 20, 40]
    assert not beyond.any()
    assert [tl.deadline(int(o), int(w)) for o, w in zip(opened, within, strict=True)] == got.tolist()
    assert tl.deadline(35, 6) is None and tl.deadlines(np.array([35]), np.array([6]))[1].all()
    # Touching intervals merge into one.
    assert Timeline.of([(0, 5), (5, 9)], 0, 9).start.tolist() == [0]


def test_outside_the_materialised_years() -> None:
    raw = {
        "id": "work",
        "timezone": "Europe/Berlin",
        "hours": [{"day": "mon", "start": 480, "end": 1020, "line": 1}],
        "holidays": {"region": "DE", "dates": [], "workdays": [], "line": 2},
        "line": 1,
    }
    cal = Calendar(raw, (2025, 2025))
    with pytest.raises(
        OutsideSpan, match=r"2026-01-05 is outside the years whose holidays the policy lists \(2025–2025\)"
    ):
        cal.deadline(to_us(datetime(2026, 1, 5, 9, tzinfo=BERLIN)), HOUR)
    # A deadline that would need holidays past the span is refused, not guessed.
    with pytest.raises(OutsideSpan, match="falls after 2025-12-31"):
        cal.deadline(to_us(datetime(2025, 12, 29, 9, tzinfo=BERLIN)), 20 * HOUR)
    # Without holidays there is no span to leave.
    free = Calendar({**raw, "holidays": None}, (2025, 2025))
    assert free.deadline(to_us(datetime(2031, 1, 6, 9, tzinfo=BERLIN)), HOUR) == to_us(
        datetime(2031, 1, 6, 10, tzinfo=BERLIN)
    )


def test_a_calendar_that_never_opens_is_refused() -> None:
    with pytest.raises(ValueError, match="has no open hours"):
        Calendar({"id": "never", "timezone": "UTC", "hours": [], "holidays": None, "line": 1}, None)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "UTC", "Australia/Lord_Howe"])
def test_iso_many_is_isoformat(zone: str) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    rng = np.random.default_rng(5)
    lo = to_us(datetime(2025, 1, 1, tzinfo=UTC))
    us = rng.integers(lo, lo + 400 * 86400 * US, 20_000)
    us[::3] = us[::3] // US * US  # whole seconds print without a fraction
    assert iso_many(us, tz) == [from_us(int(u), tz).isoformat() for u in us]
    assert iso_many(np.zeros(0, dtype=np.int64), tz) == []
