"""Evaluator speed: deadlines, breaches and credits for a month of 1M tickets, and per-ticket answers.

Run: .venv/bin/python bench/evaluate.py        (needs the bench extra: pip install -e '.[bench]')
Prints, each against a baseline measured in the same run:
- tickets/s of the vectorised deadline + breach + downtime + credit computation over 1M tickets,
  10k customers and 50k incidents (acme-crm, June 2026), against pandas `CustomBusinessHour`
  deadlines applied per ticket on a sample (goals: ≥ 2M tickets/s and ≥ 150× pandas);
- µs per `Policy.response_deadline` call (goal: ≤ 20 µs), against a bare `datetime + timedelta`;
- wall time and peak RSS of the `slac evaluate` command on the same data written as CSV (goals:
  ≤ 5 s; issue 15: ≤ 8× a process that only reads those CSVs with pyarrow, ≤ 1 GiB), each the
  median of 3 runs taken in turns with that bare read;
- the ticket clocks of issue 12 (bench/tickets.py: 1M tickets with 4 status events each on average);
- wall and CPU time and peak RSS of evaluate() over language v2's scoped month (bench/scoped.py),
  against the plain month, each in a fresh process (goals: ≤ 3× the plain month, ≤ 1.5 GiB).
The functions are separate so other measurements (the `slac evaluate` process) can reuse the data.
`python bench/evaluate.py --cli` runs only the `slac evaluate` measurement.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
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


def _coded(names: list[Any], picks: np.ndarray) -> np.ndarray:
    """`names[picks]` as objects, its codes remembered as the readers remember those of the columns they read."""
    from slac.runtime.columns import remember_codes

    values = _objects(np.array(names, dtype=object)[picks].tolist())
    remember_codes(values, list(names), picks)
    return values


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
    tier_pick = rng.integers(0, len(tiers), customers)
    cust = Customers(
        id=_objects(cust_ids),
        tier=_coded(tiers, tier_pick),
        fee=tuple(Decimal(int(f)) for f in rng.integers(10, 5000, customers)),
        row=np.arange(2, customers + 2, dtype=np.int64),
    )
    opened = np.sort(rng.integers(per.start, per.end, tickets, dtype=np.int64))
    delay = rng.exponential(4 * HOUR, tickets).astype(np.int64)
    responded = np.where(rng.random(tickets) < 0.2, MISSING, opened + delay)
    caused = rng.random(tickets) < 0.02
    cust_pick = rng.integers(0, customers, tickets)
    prio_pick = rng.integers(0, len(prios), tickets)
    tick = Tickets(
        id=_objects([f"t{i}" for i in range(tickets)]),
        customer=_coded(cust_ids, cust_pick),
        priority=_coded(prios, prio_pick),
        opened=opened,
        responded=responded,
        outage=rng.random(tickets) < 0.5,
        cause=_coded([None, "customer_caused"], caused.astype(np.int64)),
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
    from slac.runtime.evaluate import BREACHED, Period, ticket_results
    from slac.runtime.report_text import Plan, owed, settle

    per = Period.month(policy, PERIOD)
    index = {c: i for i, c in enumerate(events.customers.id.tolist())}
    tier_index = {t: i for i, t in enumerate(policy.tiers)}
    tiers = events.customers.tier.tolist()
    cust_tier = np.array([tier_index[t] for t in tiers], dtype=np.int64)
    res = ticket_results(policy, events.tickets, index, cust_tier, per, per.end)
    down = downtime(policy, events.incidents, index, per.start, per.end)
    breached = np.bincount(res.customer[(res.state == BREACHED) & ~res.excluded], minlength=len(index)).tolist()
    length = per.end - per.start
    up = (length - down.counted).tolist()
    plan, fees = Plan.of(policy, None).for_fees(events.customers.fee)
    total = 0
    for c in range(len(index)):
        lines = owed(plan.tiers[tiers[c]], fees[c], up[c], length, lambda _target, n=breached[c]: n)
        total += settle(plan, fees[c], sum(amount for *_, amount in lines))[1]
    return Decimal(total).scaleb(-plan.minor)


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


# ---- `slac evaluate` end to end: wall time and peak RSS of the command on CSV files ------------------


def write_csv(events: Any, directory: Path) -> dict[str, Path]:
    """The generated events as the three CSV files `slac evaluate` reads (times ISO 8601 with Z)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from slac.runtime.events import MISSING

    def iso(us: np.ndarray) -> pa.Array:
        # Naive UTC through Arrow's fast cast, then "T" and "Z": formatting with a zone is 30× slower.
        stamps = pa.array(np.where(us == MISSING, 0, us).view("datetime64[us]"))
        text = pc.replace_substring(pc.cast(stamps, pa.string()), " ", "T", max_replacements=1)
        text = pc.binary_join_element_wise(text, "Z", "")
        return pc.if_else(pa.array(us == MISSING), "", text)

    def texts(values: np.ndarray) -> pa.Array:
        return pa.array(values, pa.string())  # None becomes null, written empty

    c, t, i = events.customers, events.tickets, events.incidents
    tables = {
        "customers": pa.table({"customer": texts(c.id), "tier": texts(c.tier), "monthly_fee": [str(f) for f in c.fee]}),
        "tickets": pa.table(
            {
                "id": texts(t.id),
                "customer": texts(t.customer),
                "priority": texts(t.priority),
                "opened_at": iso(t.opened),
                "responded_at": iso(t.responded),
                "outage": pa.array(t.outage),
                "cause": texts(t.cause),
            }
        ),
        "incidents": pa.table(
            {
                "id": texts(i.id),
                "start": iso(i.start),
                "end": iso(i.end),
                "cause": texts(i.cause),
                "announced_at": iso(i.announced),
                "customers": ["" if x is None else ";".join(x) for x in i.customers],
            }
        ),
    }
    paths = {}
    for name, table in tables.items():
        paths[name] = directory / f"{name}.csv"
        pcsv.write_csv(table, paths[name], pcsv.WriteOptions(quoting_style="none"))
    return paths


_MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
if proc.returncode != 0:
    sys.exit(proc.stderr.decode())
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one command, under a fresh Python whose only child it is.

    CPU time is printed beside wall time because a shared machine stretches the wall clock.
    """
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True, env=env)
    wall, cpu, kib = out.stdout.split()
    return float(wall), float(cpu), int(kib) / 1024  # Linux reports ru_maxrss in KiB


def installed_env(cache: Path) -> dict[str, str]:
    """The environment of an installed slac: its modules' bytecode compiled once and reused.

    pip compiles an installed package's bytecode; a checkout run with PYTHONDONTWRITEBYTECODE (as
    some containers set it) would compile ~300 modules on every run (≈0.4 s) and measure that.
    """
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def bench_cli(policy: Any, events: Any, repeat: int = 3) -> None:
    """`slac evaluate` on the generated month written as CSV, against a bare pyarrow read of the same files.

    Issue 15's goal for the numpy path end to end: at most 8× the bare read's wall time, 1 GiB peak
    RSS (issue 11's: 5 s). Each is the median of `repeat` runs, taken in turns. `slac evaluate`
    never imports pandas (installed here for the pandas baseline above): it hides it from pyarrow
    (`runtime.columns.hide_pandas`), so this is also the figure of a plain install.
    """
    import tempfile

    import slac

    exe = str(Path(sys.executable).with_name("slac"))
    with tempfile.TemporaryDirectory(prefix="slac-bench-") as tmp:
        paths = write_csv(events, Path(tmp))
        policy_path = Path(tmp) / "policy.json"
        policy_path.write_text(slac.policy_json(policy.raw), encoding="utf-8")
        size = sum(p.stat().st_size for p in paths.values()) / 2**20
        cmd = [exe, "evaluate", str(policy_path), "--period", PERIOD, "-o", str(Path(tmp) / "report.json")]
        cmd += [f"--{name}={path}" for name, path in paths.items()]
        floor = [sys.executable, "-c", "import sys, pyarrow.csv as c; [c.read_csv(p) for p in sys.argv[1:]]"]
        floor += [str(p) for p in paths.values()]
        env = installed_env(Path(tmp) / "pycache")
        measure(cmd, env)  # bytecode compiled, files in the page cache
        runs, floors = [], []
        for _ in range(repeat):
            runs.append(measure(cmd, env))
            floors.append(measure(floor, env))
    wall, cpu, rss = (statistics.median(r[k] for r in runs) for k in range(3))
    floor_wall, floor_cpu, floor_rss = (statistics.median(r[k] for r in floors) for k in range(3))
    print(
        f"slac evaluate (a process), {len(events.tickets.id):,} tickets / {len(events.customers.id):,} customers / "
        f"{len(events.incidents.id):,} incidents as CSV ({size:.0f} MiB) to a JSON report, median of {repeat}:"
    )
    print(f"  wall time {wall:.2f} s (goal ≤ 5 s: {wall / 5:.2f}× the budget); CPU time {cpu:.2f} s")
    print(f"  peak RSS  {rss:.0f} MiB (goal ≤ 1 GiB: {rss / 1024:.2f}× the budget)")
    print(
        f"  baseline, a bare pyarrow read of the same CSVs in a process: {floor_wall:.2f} s (CPU {floor_cpu:.2f} s), "
        f"{floor_rss:.0f} MiB"
    )
    print(
        f"  evaluate = {wall / floor_wall:.1f}× the bare read's wall time (goal ≤ 8×: "
        f"{wall / floor_wall / 8:.2f}× the goal), {cpu / floor_cpu:.1f}× its CPU time, {rss / floor_rss:.1f}× its memory"
    )
    print("  runs (wall s, CPU s, MiB):", "; ".join(f"{w:.2f} {c:.2f} {m:.0f}" for w, c, m in runs))


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
    bench_cli(policy, events)
    bench_scoped()
    bench_tickets()


def bench_tickets() -> None:
    """Issue 12's ticket clocks (bench/tickets.py): 1M tickets, 4 status events each on average, 3 targets."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import tickets

    tickets.main()


_SCOPED = """
import sys, time
sys.path.insert(0, sys.argv[1])
import scoped
policy = scoped.load()
events = scoped.generate()
from slac.runtime.evaluate import evaluate
t0, c0 = time.perf_counter(), time.process_time()
report = evaluate(policy, events, period=scoped.PERIOD)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
import resource
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(wall, rss, cpu, len(report["customers"]), sum(len(c["scopes"]) for c in report["customers"]))
"""

_PLAIN = """
import sys, time
sys.path.insert(0, sys.argv[1])
import evaluate as bench
policy = bench.load()
events = bench.generate(policy)
from slac.runtime.evaluate import evaluate
t0, c0 = time.perf_counter(), time.process_time()
evaluate(policy, events, period=bench.PERIOD)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
import resource
print(wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, cpu)
"""


def _run(script: str) -> list[str]:
    """A script's printed figures (its evaluate() time and its own peak RSS first), in a fresh process."""
    here = str(Path(__file__).resolve().parent)
    out = subprocess.run([sys.executable, "-c", script, here], capture_output=True, text=True, check=True)
    return out.stdout.split()


def bench_scoped() -> None:
    """Language v2's scoped month (bench/scoped.py) against the plain month, each evaluate() in its own process.

    Wall time and CPU time of each: on a shared machine the CPU time is the fairer ratio.
    """
    plain = _run(_PLAIN)
    figures = _run(_SCOPED)
    plain_wall, plain_rss, plain_cpu = (float(x) for x in plain[:3])
    wall, scoped_rss, cpu = (float(x) for x in figures[:3])
    print(
        f"scoped month (language v2): {figures[3]} customers × 2 services × 4 regions ({figures[4]} scopes), "
        "1M request intervals, 50k incidents, 3 months of termination history:"
    )
    print(
        f"  evaluate() {wall:.2f} s against the plain month's {plain_wall:.2f} s ({wall / plain_wall:.1f}×; goal ≤ 3×); "
        f"CPU {cpu:.2f} s against {plain_cpu:.2f} s ({cpu / plain_cpu:.1f}×); "
        f"peak RSS {scoped_rss:.0f} MiB against {plain_rss:.0f} MiB ({scoped_rss / plain_rss:.1f}×; goal ≤ 1.5 GiB)"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--cli"]:
        plain = load()
        bench_cli(plain, generate(plain))
    else:
        main()
