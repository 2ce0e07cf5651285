"""The ticket clocks' fast path agrees with the scalar oracle (tests/oracle/reference_tickets.py) on
random tickets with random status histories: pauses, updates, business days, reopenings, in
calendars of three zones (Asia/Shanghai, Europe/Berlin, America/New_York)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from slac.runtime import Policy
from slac.runtime.evaluate import Period, ticket_results
from slac.runtime.tickets import history

from .tickets_oracle import STATE, oracle_disagreements
from .tickets_random import random_clock_events, zones_clock_policy

# ≥ 100k tickets over the three months below (SLAC_CLOCK_TICKETS lowers it for a quick local run).
PER_MONTH = int(os.environ.get("SLAC_CLOCK_TICKETS", "34000"))


def _fast(policy: Policy, events: Any, period: str, as_of: int) -> Any:
    per = Period.month(policy, period)
    index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tiers = list(policy.tiers)
    cust_tier = np.array([tiers.index(t) for t in events.customers.tier.tolist()], dtype=np.int64)
    hist = history(events.tickets, events.ticket_events, policy.pause_statuses)
    return ticket_results(policy, events.tickets, index, cust_tier, per, as_of, history=hist), cust_tier


@pytest.mark.parametrize(("period", "seed"), [("2025-03", 1), ("2025-10", 2), ("2025-06", 3)])
def test_fast_path_agrees_with_the_oracle(period: str, seed: int) -> None:
    raw = zones_clock_policy()
    policy = Policy(raw)
    events = random_clock_events(policy, period, seed=seed, tickets=PER_MONTH)
    per = Period.month(policy, period)
    as_of = per.end - 5 * 86_400_000_000  # some tickets still running, some not yet opened by as_of
    res, _ = _fast(policy, events, period, as_of)
    clocks = res.clocks
    disagree = oracle_disagreements(raw, events, res, as_of)
    assert disagree == [], f"{len(disagree)} of {len(res.index)} disagree, e.g. {disagree[:3]}"
    # The random histories reach every rule: pauses, reopenings, misses of each kind, business days.
    assert clocks.missed_resolutions.sum() > 0 and clocks.missed_updates.sum() > 0
    assert (clocks.res_cycle > 0).any()  # reopened cycles that missed
    assert set(STATE.values()) <= {STATE.get(int(s)) for s in res.state}
