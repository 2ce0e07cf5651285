"""The DuckDB ticket queries' calendar lookups (issue 15): bucketed equality joins against range joins.

Run: .venv/bin/python bench/clocks_sql.py [--sizes 1M,5M] [--runs 3] [--rev 5f9a334] [--v1-only]
For each size it generates the month of bench/evaluate.py (acme-crm, response targets) and the
ticket clocks of bench/tickets.py (4 status events or updates per ticket, resolution and update
targets, pauses, `warn at`), registers the plan's relations in one DuckDB session (the engine's
memory limit and 2 threads) and runs, in turns:
- `ticket_results_sql` (the response query the duckdb engine runs for language v1);
- the clock queries as the duckdb engine runs them (`clock_steps` materialised, then the ticket
  clock results, the missed resolutions and the at-risk clocks);
each with the bucketed calendar lookups (the default) and with `buckets=False`, the plain range
joins, as the baseline; with `--rev`, also the queries of that git revision (read with `git show`,
so the baseline is the SQL as it was). Prints the median CPU µs per ticket of this process (DuckDB's
threads included) and the wall time, the ratio to each baseline, and checks that every variant's
rows are the same.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import evaluate as plain  # bench/evaluate.py
import tickets as clocks_bench  # bench/tickets.py

ROOT = Path(__file__).resolve().parent.parent


def old_modules(rev: str) -> tuple[Any, Any]:
    """(tickets_sql, clocks_sql) of git revision `rev`, loaded beside the current ones."""
    import slac.plan

    loaded = []
    for name in ("tickets_sql", "clocks_sql"):
        text = subprocess.run(
            ["git", "show", f"{rev}:compiler/plan/{name}.py"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        text = text.replace("from .tickets_sql import", f"from .q15_{rev}_tickets_sql import")
        module = types.ModuleType(f"slac.plan.q15_{rev}_{name}")
        module.__package__ = "slac.plan"
        sys.modules[module.__name__] = module
        exec(compile(text, f"{rev}:{name}.py", "exec"), module.__dict__)
        setattr(slac.plan, f"q15_{rev}_{name}", module)
        loaded.append(module)
    return loaded[0], loaded[1]


def v1_variants(policy: Any, old: Any) -> dict[str, Callable[[Any], Any]]:
    from slac.plan.duck import arrow_table
    from slac.plan.tickets_sql import ticket_results_sql

    queries = {"bucketed": ticket_results_sql(policy), "range joins": ticket_results_sql(policy, buckets=False)}
    if old is not None:
        queries["git rev"] = old.ticket_results_sql(policy)
    return {name: (lambda con, q=q: arrow_table(con.sql(q)).sort_by("row")) for name, q in queries.items()}


def clock_variants(policy: Any, old: Any) -> dict[str, Callable[[Any], Any]]:
    import slac.plan.clocks_sql as new
    from slac.plan.duck import arrow_table

    def runner(module: Any, **kw: Any) -> Callable[[Any], Any]:
        def run(con: Any) -> Any:
            for name, query in module.clock_steps(policy, **kw):
                con.execute(f"CREATE OR REPLACE TEMPORARY TABLE {name} AS {query}")
            out = [arrow_table(con.sql(module.ticket_clock_results_sql(policy, True, **kw))).sort_by("row")]
            missed = arrow_table(con.sql(module.missed_resolutions_sql(policy, True, **kw)))
            out.append(missed.sort_by([("row", "ascending"), ("cycle", "ascending")]))
            risk = arrow_table(con.sql(module.at_risk_sql(policy, True, **kw)))
            out.append(risk.sort_by([("row", "ascending"), ("kind", "ascending"), ("deadline", "ascending")]))
            return out

        return run

    variants = {"bucketed": runner(new), "range joins": runner(new, buckets=False)}
    if old is not None:
        variants["git rev"] = runner(old)
    return variants


def measure(con: Any, variants: dict[str, Callable[[Any], Any]], n: int, runs: int) -> None:
    """Runs every variant `runs` times in turns; prints median CPU µs per ticket and wall, checks equal rows."""
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    wall: dict[str, list[float]] = {k: [] for k in variants}
    first: dict[str, Any] = {}
    for name, fn in variants.items():  # warm, and the rows to compare
        first[name] = fn(con)
    for _ in range(runs):
        for name, fn in variants.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn(con)
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    same = all(first[k] == first["bucketed"] for k in variants) if isinstance(first["bucketed"], list) else None
    if same is None:
        same = all(first[k].equals(first["bucketed"]) for k in variants)
    mine = statistics.median(cpu["bucketed"])
    for name in variants:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        ratio = "" if name == "bucketed" else f"  bucketed = {mine / c:.2f}× this"
        print(f"    {name:12} {c / n * 1e6:6.3f} CPU-µs/ticket  ({c:.2f} CPU-s, wall {w:.2f} s){ratio}")
    print(f"    same rows in every variant: {same}")
    if not same:
        raise SystemExit("the variants' rows differ")


def one_size(n: int, runs: int, old: tuple[Any, Any] | None, clocks: bool = True) -> None:
    from slac.plan.calendars import calendar_table
    from slac.plan.duck import session
    from slac.plan.inputs import customers_table, params_table, tickets_table
    from slac.plan.results import clock_relations
    from slac.runtime.evaluate import Period

    v1 = plain.load()
    base = plain.generate(v1, tickets=n)
    per = Period.month(v1, plain.PERIOD)
    print(f"{n:,} tickets, acme-crm response targets (ticket_results_sql):")
    with session() as con:
        con.register("customers", customers_table(base.customers))
        con.register("tickets", tickets_table(base.tickets))
        con.register("params", params_table(per.start, per.end, per.end))
        con.register("calendar_open", calendar_table(v1, per.start, per.end, strict=False))
        measure(con, v1_variants(v1, old and old[0]), n, runs)
    if not clocks:
        return
    policy = clocks_bench.load()
    events = clocks_bench.generate(policy, base)
    k = len(events.ticket_events.ticket)
    print(f"{n:,} tickets with {k:,} status events and updates, 3 targets, pauses (the clock queries):")
    with session() as con:
        for name, relation in clock_relations(policy, events, per, per.end).items():
            con.register(name, relation)
        measure(con, clock_variants(policy, old and old[1]), n, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,5M", help="ticket counts, e.g. 1M,5M or 200k")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rev", help="also run the queries of this git revision (e.g. 5f9a334)")
    parser.add_argument("--v1-only", action="store_true", help="only the response query, not the clock queries")
    args = parser.parse_args()
    old = old_modules(args.rev) if args.rev else None
    for size in args.sizes.split(","):
        scale = {"k": 1_000, "M": 1_000_000}.get(size[-1], 1)
        one_size(int(float(size.rstrip("kM")) * scale), args.runs, old, clocks=not args.v1_only)


if __name__ == "__main__":
    main()
