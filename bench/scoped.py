"""The scoped month of language v2 for bench/evaluate.py: 10k customers × 2 services × 4 regions,
1M request intervals, 50k incidents, over a nimbus-cloud-like contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

CONTRACT = """
sla bench_cloud {
  title en "Bench cloud"
  version "1"
  effective 2026-01-01
  languages en
  timezone "UTC"
  currency USD
  billing monthly
  service compute { name en "Compute"
    measured per region }
  service storage { name en "Storage"
    measured per region
    downtime when error_rate above 5% per 5min }
  availability {
    window calendar month
    minimum outage 1min
    downtime counted in whole minutes
    excludes maint customer_caused
  }
  tier standard { name en "Standard"
    uptime 99.99% for compute
    uptime 99.9% for storage }
  condition good { en "in good standing" }
  credit downtime {
    requires good
    when uptime below target 10% of service_charges
    when uptime below 99.0% 30% of service_charges
    when uptime at or below 95.0% 100% of service_charges
  }
  minimum credit 1 USD per month
  cap 100% of service_charges per month
  terminate when uptime below 99.0% for 3 consecutive months
  exclude maint { maintenance notice 5d limit 8h per year
    en "maintenance" }
  exclude customer_caused { en "customer" }
}
"""
PERIOD = "2026-05"
REGIONS = ("us_east", "us_west", "eu_west", "ap_south")
SERVICES = ("compute", "storage")


def _objects(values: Any) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _coded(names: tuple[str, ...], picks: np.ndarray) -> np.ndarray:
    """`names[picks]` as objects, its codes remembered as the v2 readers remember those of `service` and `region`."""
    from slac.runtime.columns import remember_codes

    values = _objects(np.array(names, dtype=object)[picks].tolist())
    remember_codes(values, list(names), picks)
    return values


def load() -> Any:
    from slac.driver import compile_policy
    from slac.runtime import load_policy

    return load_policy(compile_policy(CONTRACT, file="bench.sla"))


def generate(customers: int = 10_000, requests: int = 1_000_000, incidents: int = 50_000, seed: int = 5) -> Any:
    from slac.runtime.events import MISSING, Charges, Customers, Events, Incidents, Requests, Tickets

    rng = np.random.default_rng(seed)
    ids = [f"c{k:05d}" for k in range(customers)]
    cust = Customers(
        id=_objects(ids),
        tier=_objects(["standard"] * customers),
        fee=tuple(Decimal(0) for _ in ids),
        row=np.arange(2, customers + 2),
        conditions={"good": rng.random(customers) > 0.05},
    )
    scopes = [(s, r) for s in SERVICES for r in REGIONS]
    charges = Charges(
        customer=_objects([c for c in ids for _ in scopes]),
        service=_objects([s for _ in ids for s, _r in scopes]),
        region=_objects([r for _ in ids for _s, r in scopes]),
        amount=tuple(Decimal(int(a)) / 100 for a in rng.integers(0, 200_000, customers * len(scopes))),
        row=np.arange(2, customers * len(scopes) + 2),
    )
    month = 1_777_593_600_000_000  # 2026-05-01T00:00Z in µs
    history = month - 120 * 86_400_000_000
    span = 31 * 86_400_000_000 + (month - history)
    start = history + rng.integers(0, span, incidents)
    length = rng.integers(1, 3600, incidents) * 1_000_000
    causes = rng.choice(np.array([None, None, None, "maint", "customer_caused"], dtype=object), incidents)
    announced = np.where(causes == "maint", start - 6 * 86_400_000_000, MISSING)
    who = [None if rng.random() > 0.01 else (ids[int(rng.integers(customers))],) for _ in range(incidents)]
    inc = Incidents(
        id=_objects([f"i{k}" for k in range(incidents)]),
        start=start.astype(np.int64),
        end=(start + length).astype(np.int64),
        cause=causes,
        announced=announced.astype(np.int64),
        customers=tuple(who),
        row=np.arange(2, incidents + 2),
        service=rng.choice(np.array(SERVICES, dtype=object), incidents),
        region=rng.choice(np.array(REGIONS, dtype=object), incidents),
    )
    per_region = requests // len(REGIONS)
    r_start = np.concatenate([month + np.arange(per_region, dtype=np.int64) % 8928 * 300_000_000] * len(REGIONS))
    total = rng.integers(100, 10_000, len(r_start))
    failed = (total * rng.choice([0.0, 0.01, 0.05, 0.2], len(r_start), p=[0.6, 0.3, 0.09, 0.01])).astype(np.int64)
    reqs = Requests(
        service=_coded(("storage",), np.zeros(len(r_start), dtype=np.int64)),
        region=_coded(REGIONS, np.repeat(np.arange(len(REGIONS)), per_region)),
        start=r_start,
        total=total.astype(np.int64),
        failed=failed,
        row=np.arange(2, len(r_start) + 2),
    )
    empty = _objects([])
    none = np.zeros(0, dtype=np.int64)
    tickets = Tickets(empty, empty, empty, none, none, np.zeros(0, dtype=bool), empty, none)
    return Events(cust, tickets, inc, charges, reqs)


def duckdb_vs_numpy(customers: int = 10_000, requests: int = 1_000_000) -> tuple[float, float]:
    """Wall seconds of the scoped month by the numpy engine and by the duckdb engine (issue 15), same events.

    Both from the same validated tables (no file reading): numpy's `evaluate` against
    `slac.plan.scoped_engine.duckdb_report` (the scopes' downtime in SQL, the runtime's assembly);
    the two reports are compared, so the ratio is of equal answers.
    """
    import time

    from slac.plan.scoped_engine import duckdb_report
    from slac.runtime.evaluate import evaluate
    from slac.runtime.windows import parse_period

    policy = load()
    events = generate(customers=customers, requests=requests)
    window = parse_period(PERIOD, policy.raw["billing"], policy.zone)
    t0 = time.perf_counter()
    want = evaluate(policy, events, period=PERIOD)
    numpy_s = time.perf_counter() - t0
    policy = load()  # a fresh policy: nothing the numpy run cached
    t0 = time.perf_counter()
    got = duckdb_report(policy, events, window, window.end)
    duck_s = time.perf_counter() - t0
    if got != want:
        raise SystemExit("the duckdb engine's scoped report differs from the numpy engine's")
    return numpy_s, duck_s


if __name__ == "__main__":  # python bench/scoped.py: the duckdb-vs-numpy ratio of the scoped month
    import os

    numpy_s, duck_s = duckdb_vs_numpy()
    print(
        f"scoped month, 10k customers × 2 services × 4 regions, 1M request intervals: numpy {numpy_s:.2f} s, "
        f"duckdb {duck_s:.2f} s, ratio duckdb/numpy {duck_s / numpy_s:.2f} (load {os.getloadavg()[0]:.1f})"
    )
