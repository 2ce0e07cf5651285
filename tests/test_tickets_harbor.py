"""harbor-desk.sla's four examples pass on the runtime (policy in the issue-12 shape, tests/tickets_fixtures.py).

Hand arithmetic of each example (Q2 2026 has 30 + 31 + 30 = 91 days, so 1 service_day of a
9,100 CNY quarter is 100 CNY):
1. 3 h down in a quarter of 2,184 h: uptime 99.86 %, credit 10 × 3000 × 3/2184 = 41.21 CNY.
2. enterprise p1 resolve within 2 h: opened 10:00, resolved 13:00 = 3 h > 2 h, ×20 = 20 missed
   resolutions × 100 CNY = 2,000 CNY, capped at 15 service_days = 1,500 CNY.
3. business p2 resolve within 18 h during office (Mon–Fri 09–18): opened Tue 04-07 10:00 →
   8 h that day; the paused ticket is paused Wed 09:00 to Thu 09:00 (Wed's 9 h do not count),
   9 h Thu, 0.5 h Fri = 17.5 h ≤ 18 h (met); the other counts 8 + 9 + 9 + 0.5 = 26.5 h (missed):
   1 missed resolution = 100 CNY.
4. business p1 update every 1 h: gaps 09:20→10:15 (55 min), 10:15→11:30 (75 min, missed),
   11:30→resolution 12:00 (30 min): 1 missed update; resolved after 3 h ≤ 4 h; responded after 20 min.
"""

from __future__ import annotations

import pytest

from slac.runtime import load_policy
from slac.runtime.examples import run_examples

from .runtime_fixtures import policy_text
from .tickets_fixtures import harbor_text


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    return run_examples(load_policy(policy_text("harbor-desk")))  # contracts/harbor-desk.sla, the front end


def test_the_fixture_policy_has_the_front_ends_shape() -> None:
    """tests/tickets_fixtures builds 1.2 policies for the runtime tests; it agrees with the front end."""
    import json

    real, fixture = json.loads(policy_text("harbor-desk")), json.loads(harbor_text())
    for key in ("tiers", "ticket_clock", "credits", "examples"):
        assert _strip_lines(fixture[key]) == _strip_lines(real[key]), key


def _strip_lines(value):  # type: ignore[no-untyped-def]
    """Contract positions aside (the fixture compiles from tests/cases, with another file name)."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in ("column", "file")}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def test_all_four_examples_pass(results) -> None:  # type: ignore[no-untyped-def]
    assert len(results) == 4
    assert [r.ok for r in results] == [True] * 4, [[c for c in r.checks if not c.ok] for r in results]


def test_missed_resolution_lines(results) -> None:  # type: ignore[no-untyped-def]
    third = results[2].report
    [missed] = third["missed_resolutions"]
    assert missed["id"] == "line 119" and missed["cycle"] == 1
    # 18 h of office time from Tue 10:00: 8 h Tue, 9 h Wed, 1 h Thu → Thu 04-09 10:00.
    assert missed["deadline"] == "2026-04-09T10:00:00+08:00"
    [line] = third["credits"]
    assert (line["count"], line["amount"], line["tickets"]) == (1, "100.00", ["line 119"])
    assert line["explanation"].startswith("1 missed resolution × 1 service_day")


def test_missed_update_lines(results) -> None:  # type: ignore[no-untyped-def]
    fourth = results[3].report
    assert fourth["missed_updates"] == [{"id": "line 127", "count": 1, "target_line": 59, "row": 127}]
    assert fourth["missed_resolutions"] == []
