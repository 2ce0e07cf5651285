"""The availability engines' integer paths that random months do not reach: merges over decades for
thousands of customers (Python integers instead of int64), request counts too large for int64 sums,
and money text written without Decimal; each against a plain loop or the slow path it replaces."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from slac.policy.codec import money_str
from slac.runtime import load_policy
from slac.runtime import scoped_credits as sc
from slac.runtime.availability import grouped_merge
from slac.runtime.evaluate import evaluate
from slac.runtime.scopes import error_rate_down, merge
from tests.oracle.reference import evaluate_reference

from .runtime_fixtures import make_events, policy_text

YEAR = 365 * 86_400_000_000
MINUTE = 60_000_000


def _loop_merge(intervals: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """(group, start, end) merged per group by a loop over sorted triples; touching intervals join."""
    out: list[list[int]] = []
    for g, s, e in sorted(intervals):
        if out and out[-1][0] == g and s <= out[-1][2]:
            out[-1][2] = max(out[-1][2], e)
        else:
            out.append([g, s, e])
    return [(g, s, e) for g, s, e in out]


@pytest.mark.parametrize("groups_apart", [1, 10_000])
def test_grouped_merge_agrees_with_a_loop(groups_apart: int) -> None:
    # 10,000 groups over 60 years: (10,000 + 1) × 1.9e15 µs is beyond int64, so Python integers merge them.
    rng = random.Random(groups_apart)
    rows = []
    for _ in range(3000):
        g = rng.randrange(3) * groups_apart
        s = rng.choice([0, 60 * YEAR]) + rng.randrange(0, 50) * MINUTE
        rows.append((g, s, s + rng.choice([0, MINUTE, 3 * MINUTE])))
    g, s, e = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    pg, ps, pe, _, of_input = grouped_merge(g, s, e)
    assert list(zip(pg.tolist(), ps.tolist(), pe.tolist(), strict=True)) == _loop_merge(rows)
    # Every input lies inside the merged period it is said to belong to, of its own group.
    assert (pg[of_input] == g).all() and (ps[of_input] <= s).all() and (e <= pe[of_input]).all()


def test_v1_customers_over_decades_agree_with_the_reference() -> None:
    """3,000 customers, each with an incident in 1971 and two in June 2026: the wide merge path, end to end."""
    acme = load_policy(policy_text("acme-crm"))
    customers = [(f"c{k}", "enterprise", "1000") for k in range(3000)]
    incidents = [("p", "2026-06-10T10:00:00Z", "2026-06-10T10:00:40Z")]  # 40 s platform blip: below 1 min alone
    for k in range(3000):
        name = f"c{k}"
        incidents.append((f"old{k}", "1971-03-01T00:00:00Z", "1971-03-01T01:00:00Z", None, None, (name,)))
        if k % 3 == 0:  # joins the platform blip: 40 s + 30 s = 70 s, which counts
            incidents.append((f"j{k}", "2026-06-10T10:00:40Z", "2026-06-10T10:01:10Z", None, None, (name,)))
        if k % 3 == 1:  # 30 s alone, an hour later: below the minimum
            incidents.append((f"a{k}", "2026-06-10T11:00:00Z", "2026-06-10T11:00:30Z", None, None, (name,)))
    events = make_events(customers, incidents=incidents)
    report = evaluate(acme, events, period="2026-06")
    ref = evaluate_reference(acme.raw, events, "2026-06")
    counted = {}
    for entry in report["customers"]:
        want = ref.customers[entry["customer"]]
        assert entry["downtime"]["counted_seconds"] * 1_000_000 == want.counted_us, entry["customer"]
        excluded = {(x["cause"], x["reason"]): x["seconds"] * 1_000_000 for x in entry["downtime"]["excluded"]}
        assert excluded == want.excluded, entry["customer"]
        counted[entry["downtime"]["counted_seconds"]] = entry["customer"]
    assert set(counted) == {70, 0}  # by hand: 70 s for c0, c3, …; nothing for the others (40 s or 30 s alone)


def test_error_rate_sums_beyond_int64_stay_exact() -> None:
    """Two 5-minute slots of 10 rows of T requests each, above 99.99 %: T·10·9999 is beyond int64.

    Slot 0 fails exactly 99.99 % (9999/10000 of every row): not above. Slot 1 fails one request more: above.
    Slot 2 fails 8 %: far below, yet the wrapped int64 products would compare the other way.
    """
    per = 5 * MINUTE
    big = 999_999_999_990_000  # 15 digits, the most a requests file holds; a multiple of 10,000
    rows = 9999 * (big // 10_000)  # 99.99 % of one row, exactly
    start = np.array([slot * per + k * 20_000_000 for slot in range(3) for k in range(10)], dtype=np.int64)
    total = np.full(30, big, dtype=np.int64)
    failed = np.array([rows] * 20 + [big * 8 // 100] * 10, dtype=np.int64)
    failed[10] += 1
    assert 10 * big * 9999 > 2**63  # an int64 product would wrap
    wrapped = np.array([10 * big * 8 // 100], dtype=np.int64) * 10_000 > np.array([10 * big], dtype=np.int64) * 9999
    assert wrapped.all()  # int64 would call slot 2 down
    down = error_rate_down(start, total, failed, Fraction(9999, 100), per, 0, 3 * per)
    assert down[0].tolist() == [per] and down[1].tolist() == [2 * per]


def test_merge_keeps_touching_periods_together() -> None:
    s = np.array([10, 0, 5, 30, 30], dtype=np.int64)
    e = np.array([20, 5, 5, 30, 40], dtype=np.int64)
    ms, me = merge(s, e)  # [0,5) and [10,20) stay apart; [5,5) and [30,30) are empty and dropped
    assert (ms.tolist(), me.tolist()) == ([0, 10, 30], [5, 20, 40])


@pytest.mark.parametrize("currency", ["USD", "JPY", "BHD"])
def test_money_text_equals_the_decimal_path(currency: str) -> None:
    rng = random.Random(currency)
    for _ in range(20_000):
        value = Fraction(rng.randint(-(10**9), 10**9), rng.choice([1, 2, 3, 4, 7, 8, 10, 100, 1000, 10**6]))
        assert sc.money_text(value, currency) == money_str(sc.decimal_of(value), currency), value
