"""Evaluator speed: deadlines, breaches and credits for a month of 1M tickets, and per-ticket answers.

Run: .venv/bin/python bench/evaluate.py        (needs the bench extra: pip install -e '.[bench]')
Prints, each against a baseline measured in the same run:
- tickets/s of the vectorised deadline + breach + downtime + credit computation over 1M tickets,
  10k customers and 50k incidents (acme-crm, June 2026), against pandas `CustomBusinessHour`
  deadlines applied per ticket on a sample (goals: ≥ 2M tickets/s and ≥ 150× pandas);
- µs per `Policy.response_deadline` call (goal: ≤ 20 µs), against a bare `datetime + timedelta`.
The functions are separate so other measurements (the `slac evaluate` process) can reuse the data.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "acme-crm.sla"
PERIOD = "2026-06"
HOUR = 3_600_000_000


def load() -> Any:
    """The acme-crm policy, compiled from the bundled contract and loaded by the runtime."""
    import slac
    from slac.runtime import load_policy

    source = CONTRACT.read_text(encoding="utf-8")
    return load_policy(slac.policy_json(slac.compile_policy(source, file=str(CONTRACT))))


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def generate(
    policy: Any, *, tickets: int = 1_000_000, customers: int = 10_000, incidents: int = 50_000, seed: int = 1
) -> Any:
    """Random valid event tables for one month: customers over every tier, tickets, incidents."""
    from slac.runtime.evaluate import Period
    from slac.runtime.events import MISSING, Customers, Events, Incidents, Tickets

    rng = np.random.default_rng(seed)
    per = Period.month(policy, PERIOD)
    tiers = list(policy.tiers)
    prios = list(policy.priorities)
    cust_ids = [f"c{i:05d}" for i in range(customers)]
    cust = Customers(
        id=_objects(cust_ids),
        tier=_objects([tiers[i] for i in rng.integers(0, len(tiers), customers)]),
        fee=tuple(Decimal(int(f)) for f in rng.integers(10, 5000, customers)),
        row=np.arange(2, customers + 2, dtype=np.int64),
    )
    opened = np.sort(rng.integers(per.start, per.end, tickets, dtype=np.int64))
    delay = rng.exponential(4 * HOUR, tickets).astype(np.int64)
    responded = np.where(rng.random(tickets) < 0.2, MISSING, opened + delay)
    cause = _objects([None] * tickets)
    cause[rng.random(tickets) < 0.02] = "customer_caused"
    tick = Tickets(
        id=_objects([f"t{i}" for i in range(tickets)]),
        customer=_objects(np.array(cust_ids, dtype=object)[rng.integers(0, customers, tickets)].tolist()),
        priority=_objects(np.array(prios, dtype=object)[rng.integers(0, len(prios), tickets)].tolist()),
        opened=opened,
        responded=responded,
        outage=rng.random(tickets) < 0.5,
        cause=cause,
        row=np.arange(2, tickets + 2, dtype=np.int64),
    )
    start = rng.integers(per.start - 6 * HOUR, per.end, incidents, dtype=np.int64)
    length = rng.exponential(HOUR // 6, incidents).astype(np.int64)
    pick = rng.random(incidents)
    inc_cause = np.where(pick < 0.8, None, np.where(pick < 0.9, "planned_maintenance", "third_party")).tolist()
    announced = np.where(pick < 0.85, MISSING, start - 96 * HOUR)
    listed: list[tuple[str, ...] | None] = []
    n_listed = rng.integers(1, 4, incidents)
    platform = rng.random(incidents) < 0.02
    who = rng.integers(0, customers, (incidents, 3))
    for i in range(incidents):
        listed.append(None if platform[i] else tuple(cust_ids[j] for j in set(who[i, : n_listed[i]].tolist())))
    inc = Incidents(
        id=_objects([f"i{i}" for i in range(incidents)]),
        start=start,
        end=start + length,
        cause=_objects(inc_cause),
        announced=announced,
        customers=tuple(listed),
        row=np.arange(2, incidents + 2, dtype=np.int64),
    )
    return Events(cust, tick, inc)


def compute(policy: Any, events: Any) -> Decimal:
    """Deadlines, breaches, downtime and credits of every customer (no report dicts); returns the sum owed."""
    from slac.runtime.availability import downtime
    from slac.runtime.credits import rules
    from slac.runtime.evaluate import BREACHED, Period, ticket_results

    per = Period.month(policy, PERIOD)
    index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tier_index = {t: i for i, t in enumerate(policy.tiers)}
    tiers = events.customers.tier.tolist()
    cust_tier = np.array([tier_index[t] for t in tiers], dtype=np.int64)
    res = ticket_results(policy, events.tickets, index, cust_tier, per, per.end)
    down = downtime(policy, events.incidents, index, per.start, per.end)
    breached = np.bincount(res.customer[(res.state == BREACHED) & ~res.excluded], minlength=len(index)).tolist()
    credit = rules(policy)
    length = per.end - per.start
    up = (length - down.counted).tolist()
    fees = events.customers.fee
    owed = Decimal(0)
    for c in range(len(index)):
        owed += credit.settle(fees[c], credit.lines(tiers[c], fees[c], up[c], length, breached[c]))[2]
    return owed


def pandas_deadlines(policy: Any, events: Any, sample: int) -> tuple[float, int, int]:
    """(seconds per ticket, agreeing, compared) for pandas CustomBusinessHour deadlines on a sample.

    The sample is tickets measured on acme's `business` calendar (New York, mon–fri 09–17, US
    holidays), spread over the month; pandas adds the target's hours per ticket, as code without a
    vectorised calendar would. Agreement is in open time: where the open time runs out exactly at
    closing, pandas names the next opening and slac the closing, the same business moment.
    """
    import pandas as pd

    from slac.runtime.calendar import from_us

    cal = policy.calendars["business"]
    holidays = sorted(cal.holidays)
    picked: list[tuple[datetime, int, int]] = []
    t = events.tickets
    tier_of = dict(zip(events.customers.id.tolist(), events.customers.tier.tolist(), strict=True))
    for k in range(0, len(t.id), 7):
        found = policy.target(tier_of[t.customer[k]], t.priority[k], bool(t.outage[k]))
        if found is None or found[0].calendar != "business":
            continue
        target = found[0]
        opened = from_us(int(t.opened[k]), cal.zone)
        picked.append((opened, target.within_us // HOUR, cal.deadline(int(t.opened[k]), target.within_us)))
    step = max(1, len(picked) // sample)
    picked = picked[::step][:sample]
    offsets = {
        hours: pd.offsets.CustomBusinessHour(n=hours, start="09:00", end="17:00", holidays=holidays)
        for hours in {p[1] for p in picked}
    }
    t0 = time.perf_counter()
    answers = [pd.Timestamp(opened) + offsets[hours] for opened, hours, _ in picked]
    elapsed = time.perf_counter() - t0
    theirs = np.array([a.value // 1000 for a in answers], dtype=np.int64)
    mine = np.array([p[2] for p in picked], dtype=np.int64)
    first = cal.local_date(int(min(p[2] for p in picked))) - timedelta(days=40)
    timeline = cal.timeline(first, cal.local_date(int(max(theirs.max(), mine.max()))) + timedelta(days=2))
    agree = int(np.count_nonzero(timeline.open_before(theirs) == timeline.open_before(mine)))
    return elapsed / len(picked), agree, len(picked)


def per_call_us(policy: Any, calls: int = 100_000) -> tuple[float, float]:
    """(µs per response_deadline call, µs per bare datetime + timedelta) over varied tickets."""
    rng = np.random.default_rng(2)
    from slac.runtime.calendar import from_us
    from slac.runtime.evaluate import Period

    per = Period.month(policy, PERIOD)
    tiers = ["starter", "professional", "enterprise"]
    prios = list(policy.priorities)
    cases = [
        (tiers[a], prios[b], from_us(int(o), policy.zone), bool(f))
        for a, b, o, f in zip(
            rng.integers(0, 3, calls),
            rng.integers(0, len(prios), calls),
            rng.integers(per.start, per.end, calls),
            rng.random(calls) < 0.5,
            strict=True,
        )
    ]
    for case in cases[:1000]:  # warm: per-year timelines built, lookups cached
        policy.response_deadline(case[0], case[1], case[2], outage=case[3])
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        for tier, prio, opened, outage in cases:
            policy.response_deadline(tier, prio, opened, outage=outage)
        runs.append((time.perf_counter() - t0) / calls * 1e6)
    hour = timedelta(hours=1)
    t0 = time.perf_counter()
    for _, _, opened, _ in cases:
        opened + hour  # noqa: B018 - the baseline is the bare operation
    bare = (time.perf_counter() - t0) / calls * 1e6
    return statistics.median(runs), bare


def main() -> None:
    policy = load()
    t0 = time.perf_counter()
    events = generate(policy)
    n = len(events.tickets.id)
    print(
        f"generated {n:,} tickets, {len(events.customers.id):,} customers, {len(events.incidents.id):,} incidents "
        f"for {PERIOD} in {time.perf_counter() - t0:.1f} s"
    )
    compute(policy, events)  # warm: timelines built and cached, tables made
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        owed = compute(policy, events)
        runs.append(time.perf_counter() - t0)
    best = statistics.median(runs)
    rate = n / best
    print(
        f"deadline + breach + downtime + credit, 1M tickets (median of 3): {best:.3f} s = {rate / 1e6:.2f}M tickets/s "
        f"(goal ≥ 2M/s: {rate / 2e6:.2f}× the goal); owed in total {owed} {policy.currency}"
    )
    from slac.runtime.evaluate import evaluate

    t0 = time.perf_counter()
    report = evaluate(policy, events, period=PERIOD)
    full = time.perf_counter() - t0
    reported = sum((Decimal(c["total"]) for c in report["customers"]), Decimal(0))
    breaches = sum(len(c["breaches"]) for c in report["customers"])
    print(
        f"  the full report dict (evaluate(), one run): {full:.2f} s, {breaches:,} breaches listed; "
        f"its totals {'agree' if reported == owed else 'DISAGREE'} ({reported} {policy.currency})"
    )
    per_ticket, agree, compared = pandas_deadlines(policy, events, 3000)
    pandas_rate = 1 / per_ticket
    print(
        f"  baseline, pandas CustomBusinessHour per ticket ({compared:,} sample): {pandas_rate:,.0f} tickets/s "
        f"→ {rate / pandas_rate:,.0f}× pandas (goal ≥ 150×); pandas agrees on {agree:,} of {compared:,} deadlines"
    )
    call, bare = per_call_us(policy)
    print(
        f"Policy.response_deadline: {call:.2f} µs per call (median of 3 × 100k; goal ≤ 20 µs: {call / 20:.2f}× the budget)"
    )
    print(f"  baseline, datetime + timedelta: {bare:.2f} µs (response_deadline = {call / bare:.0f}× that)")


if __name__ == "__main__":
    main()
