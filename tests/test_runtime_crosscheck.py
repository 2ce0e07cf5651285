"""The fast evaluator agrees exactly with the plain reference on 100k random tickets and thousands of incidents.

Three zones (Asia/Shanghai, Europe/Berlin, America/New_York), months with DST changes
(March, October, November), China's Spring Festival with its make-up Sundays (January,
February), boundaries inside DST gaps and repeated hours (`berlin_night`, `ny_late`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from slac.runtime import load_policy
from slac.runtime.calendar import from_us
from slac.runtime.evaluate import Period, evaluate, ticket_results
from tests.oracle.reference import evaluate_reference

from .runtime_fixtures import random_events, zones_policy_text

PERIODS = ["2025-01", "2025-02", "2025-03", "2025-10", "2025-11"]


@pytest.fixture(scope="module")
def policy():
    return load_policy(zones_policy_text())


@pytest.mark.parametrize("period", PERIODS)
def test_fast_path_equals_reference(policy, period: str) -> None:
    seed = int(period.replace("-", ""))
    events = answer_some_at_the_deadline(
        policy, period, random_events(policy, period, seed=seed, customers=60, tickets=21_000, incidents=600)
    )
    ref = evaluate_reference(policy.raw, events, period)

    per = Period.month(policy, period)
    customer_index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tiers = list(policy.tiers)
    customer_tier = np.array([tiers.index(t) for t in events.customers.tier.tolist()], dtype=np.int64)
    fast = ticket_results(policy, events.tickets, customer_index, customer_tier, per, per.end)
    ids = events.tickets.id[fast.index].tolist()
    assert len(ids) == len(ref.deadlines) > 20_000  # × 5 periods: over 100k tickets compared
    mismatched = _deadline_mismatches(ids, fast, ref.deadlines)
    assert not mismatched, [(i, from_us(a, policy.zone), b and from_us(b, policy.zone)) for i, a, b in mismatched]

    report = evaluate(policy, events, period=period)
    assert len(report["customers"]) == len(ref.customers)
    some_breach = some_credit = False
    bands = set()
    for entry in report["customers"]:
        want = ref.customers[entry["customer"]]
        assert entry["uptime"]["fraction"] == f"{want.uptime.numerator}/{want.uptime.denominator}", entry["customer"]
        assert sorted(b["id"] for b in entry["breaches"]) == list(want.breaches), entry["customer"]
        assert entry["total"] == str(want.total), entry["customer"]
        excluded = {(e["cause"], e["reason"]): round(e["seconds"] * 1_000_000) for e in entry["downtime"]["excluded"]}
        assert excluded == want.excluded, entry["customer"]
        some_breach |= bool(want.breaches)
        some_credit |= want.total > 0
        bands |= {line["threshold"] for line in entry["credits"] if line["kind"] == "band"}
    # The data exercises what is compared: breaches, credits, and more than one credit band.
    assert some_breach and some_credit and len(bands) >= 2


def answer_some_at_the_deadline(policy, period, events):
    """Every fifth measured ticket answered exactly at its deadline or 1 µs after, where ties are decided."""
    from dataclasses import replace

    deadlines = evaluate_reference(policy.raw, events, period).deadlines
    responded = events.tickets.responded.copy()
    for pos, ident in enumerate(events.tickets.id.tolist()):
        due = deadlines.get(ident)
        if due is not None and pos % 5 == 0:
            responded[pos] = due + (pos // 5) % 2
    return replace(events, tickets=replace(events.tickets, responded=responded))


def _deadline_mismatches(ids, fast, ref_deadlines):
    out = []
    for pos, ident in enumerate(ids):
        mine = None if fast.effective[pos] < 0 else int(fast.deadline[pos])
        if mine != ref_deadlines[ident]:
            out.append((ident, mine, ref_deadlines[ident]))
            if len(out) == 5:
                break
    return out


def test_scalar_api_equals_reference(policy) -> None:
    """`response_deadline` (per-year timelines, bisect) agrees with the reference on a sample."""
    from slac.runtime.calendar import to_us

    for period in PERIODS:
        events = random_events(policy, period, seed=7, customers=20, tickets=1500, incidents=0)
        ref = evaluate_reference(policy.raw, events, period)
        t = events.tickets
        tier_of = dict(zip(events.customers.id.tolist(), events.customers.tier.tolist(), strict=True))
        checked = 0
        for k, ident in enumerate(t.id.tolist()):
            if ident not in ref.deadlines:
                continue
            opened = from_us(int(t.opened[k]), policy.zone)
            got = policy.response_deadline(tier_of[t.customer[k]], t.priority[k], opened, outage=bool(t.outage[k]))
            assert (None if got is None else to_us(got)) == ref.deadlines[ident], (ident, opened)
            checked += got is not None
        assert checked > 500


def test_dst_gap_boundary_is_the_transition(policy) -> None:
    # berlin_night opens 02:30 daily; on 2025-03-30 02:30 does not exist in Berlin (02:00 → 03:00 CEST),
    # so it opens at the transition, 03:00 CEST = 01:00 UTC.
    cal = policy.calendars["berlin_night"]
    from datetime import UTC, date

    from slac.runtime.calendar import wall_to_us

    assert from_us(wall_to_us(date(2025, 3, 30), 150, cal.zone), UTC) == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    # In the repeated hour (2025-10-26, 02:00–03:00 twice) 02:30 is its first occurrence (CEST, 00:30 UTC).
    assert from_us(wall_to_us(date(2025, 10, 26), 150, cal.zone), UTC) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
