"""Issue 12: `Policy.ticket_status` places events given in the opening's zone from the opening (no
conversion to UTC per event); it must give exactly `to_us`, across DST changes, folds and gaps."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from slac.runtime.calendar import to_us
from slac.runtime.status import _timed


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai"])
def test_events_in_the_openings_zone_are_placed_exactly(zone: str) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    rng = np.random.default_rng(5)
    # Around the 2026 DST changes (March/April and October/November): wall times in folds and gaps too.
    base = [datetime(2026, 3, 29, 1, tzinfo=tz), datetime(2026, 10, 25, 1, tzinfo=tz),
            datetime(2026, 3, 8, 1, tzinfo=tz), datetime(2026, 11, 1, 0, 30, tzinfo=tz),
            datetime(2026, 4, 5, 1, tzinfo=tz), datetime(2026, 10, 4, 1, tzinfo=tz)]  # fmt: skip
    for opened_at in base:
        for _ in range(50):
            minutes = sorted(rng.integers(0, 4 * 60, 8).tolist())
            events = [
                ((opened_at + timedelta(minutes=m)).replace(fold=int(rng.integers(0, 2))), "update") for m in minutes
            ]
            events.append((datetime(2026, 6, 1, tzinfo=UTC), "status:open"))  # another tzinfo
            events.append((datetime(2026, 6, 1, 3, tzinfo=timezone(timedelta(hours=3))), "update"))
            opened_at = opened_at.replace(fold=int(rng.integers(0, 2)))
            got = _timed(events, to_us(opened_at), opened_at)
            assert got == [(to_us(m), e) for m, e in events]


def test_a_naive_event_is_refused_as_to_us_refuses_it() -> None:
    opened_at = datetime(2026, 3, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with pytest.raises(ValueError, match="no UTC offset"):
        _timed([(datetime(2026, 3, 1, 1), "update")], to_us(opened_at), opened_at)
