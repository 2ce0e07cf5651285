"""`calendar.iso_many` and `calendar.iso_arrow` (numpy-made texts, `runtime.isotext`) against `datetime.isoformat`.

The vectorised path (more than `calendar._ISO_PER_VALUE` instants) is checked instant by instant
around every offset change of zones with DST, negative, half-hour and 45-minute offsets, and over
the years slac computes with; a few texts are also written out by hand.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from slac.runtime.calendar import _ISO_PER_VALUE, from_us, iso_arrow, iso_many, to_us

US = 1_000_000
ZONES = [
    "America/New_York",  # negative, DST
    "America/St_Johns",  # negative half-hour, DST
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45 (from 1986; +05:30 before)
    "Australia/Lord_Howe",  # a half-hour DST shift
    "Australia/Adelaide",  # +09:30 / +10:30, southern DST
    "Europe/Dublin",  # negative DST in the rules (winter time is the "saving")
    "Pacific/Apia",  # skipped a whole day (2011-12-30)
    "UTC",
]
SPANS = {"Asia/Kathmandu": (1985, 1987), "Pacific/Apia": (2010, 2012)}  # years with a change (default 2020–2027)


def _changes(zone: zoneinfo.ZoneInfo, first: int, last: int) -> list[int]:
    """The instants (µs) at which the zone's offset changes between two years, probed every 6 hours
    (no zone changes twice in that time) and bisected to the microsecond."""

    def offset(us: int) -> timedelta | None:
        return from_us(us, zone).utcoffset()

    found = []
    t = to_us(datetime(first, 1, 1, tzinfo=UTC))
    end = to_us(datetime(last + 1, 1, 1, tzinfo=UTC))
    before = offset(t)
    while t < end:
        nxt = t + 6 * 3600 * US
        now = offset(nxt)
        if now != before:
            a, b = t, nxt
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if offset(mid) == before else (a, mid)
            found.append(b)
        t, before = nxt, now
    return found


def _expected(us: np.ndarray, zone: zoneinfo.ZoneInfo) -> list[str]:
    return [from_us(u, zone).isoformat() for u in us.tolist()]


@pytest.mark.parametrize("name", ZONES)
def test_around_every_offset_change(name: str) -> None:
    zone = zoneinfo.ZoneInfo(name)
    changes = _changes(zone, *SPANS.get(name, (2020, 2027)))
    if name not in ("UTC", "Asia/Kolkata"):
        assert changes, "the zone changes its offset in these years"
    around = [0, 1, -1, -US, US, -3600 * US, 3600 * US, -1800 * US, 1800 * US, 59 * US, -59 * US - 1]
    points = [c + d for c in changes for d in around] or [to_us(datetime(2026, 1, 1, tzinfo=UTC))]
    us = np.array(sorted(points * max(1, -(-(_ISO_PER_VALUE + 1) // len(points)))), dtype=np.int64)
    assert len(us) > _ISO_PER_VALUE  # the numpy path
    expected = _expected(us, zone)
    assert iso_many(us, zone) == expected
    assert iso_arrow(us, zone, '"').to_pylist() == [f'"{e}"' for e in expected]


@pytest.mark.parametrize("name", ZONES)
@pytest.mark.parametrize("year", [1970, 1999, 2038, 2071, 2100])
def test_over_the_years_slac_computes_with(name: str, year: int) -> None:
    """Two months of random instants in years across 1970–2100 (one array: the offsets are probed over its span)."""
    zone = zoneinfo.ZoneInfo(name)
    rng = np.random.default_rng(year)
    lo = to_us(datetime(year, 1, 1, tzinfo=UTC)) if year > 1970 else 0
    hi = lo + 61 * 86_400 * US
    us = rng.integers(lo, hi, 3000)
    us[::2] = us[::2] // US * US  # whole seconds: written without a fraction
    us[:2] = lo, hi - 1
    if year == 2100:
        us[2] = to_us(datetime(2101, 1, 1, tzinfo=UTC)) - 1  # the year's last microsecond
    expected = _expected(us, zone)
    assert iso_many(us, zone) == expected
    assert iso_arrow(us, zone).to_pylist() == expected


def test_texts_written_by_hand() -> None:
    new_york, kolkata, st_johns = (
        zoneinfo.ZoneInfo(z) for z in ("America/New_York", "Asia/Kolkata", "America/St_Johns")
    )
    # 2026-03-08 07:00Z: New York springs from 02:00 EST (-05:00) to 03:00 EDT (-04:00).
    spring = to_us(datetime(2026, 3, 8, 7, tzinfo=UTC))
    us = np.array([spring - 1, spring] * 200, dtype=np.int64)
    assert iso_many(us, new_york)[:2] == ["2026-03-08T01:59:59.999999-05:00", "2026-03-08T03:00:00-04:00"]
    # The epoch in India: 05:30 ahead. In St. John's 2026-07-01 12:00Z is 09:30 NDT (-02:30).
    epoch = np.zeros(300, dtype=np.int64)
    assert iso_many(epoch, kolkata)[0] == "1970-01-01T05:30:00+05:30"
    july = np.full(300, to_us(datetime(2026, 7, 1, 12, tzinfo=UTC)), dtype=np.int64)
    assert iso_many(july, st_johns)[0] == "2026-07-01T09:30:00-02:30"
    assert iso_arrow(july, st_johns, '"')[0].as_py() == '"2026-07-01T09:30:00-02:30"'


def test_few_and_no_instants() -> None:
    zone = zoneinfo.ZoneInfo("Asia/Kolkata")
    few = np.array([0, 1, 86_400 * US], dtype=np.int64)  # per value, below _ISO_PER_VALUE
    assert iso_many(few, zone) == [
        "1970-01-01T05:30:00+05:30",
        "1970-01-01T05:30:00.000001+05:30",
        "1970-01-02T05:30:00+05:30",
    ]
    assert iso_many(np.zeros(0, dtype=np.int64), zone) == []
    assert iso_arrow(np.zeros(0, dtype=np.int64), zone).to_pylist() == []


def test_texts_past_2_gib_have_64_bit_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether one kind of text or several (plain and with microseconds, two offsets), put together in order."""
    from slac.runtime import isotext

    zone = zoneinfo.ZoneInfo("America/New_York")
    spring = to_us(datetime(2026, 3, 8, 7, tzinfo=UTC))
    mixed = np.array([spring - 1, spring, spring + US, 0] * 100, dtype=np.int64)
    plain = np.full(400, spring, dtype=np.int64)
    monkeypatch.setattr(isotext, "LARGE", 1)  # as if the texts made 2 GiB
    for us in (mixed, plain):
        made = iso_arrow(us, zone, '"')
        assert str(made.type) == "large_string"
        assert made.to_pylist() == [f'"{from_us(int(u), zone).isoformat()}"' for u in us]
