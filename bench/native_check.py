"""The duckdb engine's record check (issue 15): this tree's `tickets_problems_sql` against a git revision's.

Run: .venv/bin/python bench/native_check.py [--tickets 5M] [--runs 5] [--rev main] [--keep DIR]
Generates the Parquet month of bench/scale.py (acme-crm; or reuses `--keep DIR` of a scale run), opens
one DuckDB session as the engine does (its memory limit, 2 threads), registers the customers and the
tickets view, and runs in turns the check query of this tree and of `--rev` (plan/inputs.py read
with `git show`). Prints the median CPU seconds of this process per query (DuckDB's threads
included), CPU-µs per ticket, wall seconds, the ratio, and checks both return the same row.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import scale  # bench/scale.py

ROOT = Path(__file__).resolve().parent.parent


def old_inputs(rev: str) -> Any:
    """plan/inputs.py of git revision `rev`, loaded beside the current one."""
    text = subprocess.run(
        ["git", "show", f"{rev}:compiler/plan/inputs.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    module = types.ModuleType("slac.plan.d15_old_inputs")
    module.__package__ = "slac.plan"
    sys.modules[module.__name__] = module
    exec(compile(text, f"{rev}:inputs.py", "exec"), module.__dict__)
    return module


def measure(folder: Path, runs: int, rev: str) -> None:
    from slac.plan import inputs as new
    from slac.plan.duck import session
    from slac.plan.native import _with_positions
    from slac.runtime import load_policy
    from slac.runtime.inputs import read_customers

    policy = load_policy((folder / "policy.json").read_text(encoding="utf-8"))
    customers = read_customers(str(folder / "customers.parquet"), policy.raw)
    queries = {"this tree": new.tickets_problems_sql(policy), rev: old_inputs(rev).tickets_problems_sql(policy)}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in queries}
    found = {}
    with session() as con:
        con.register("customers", _with_positions(customers))
        new.parquet_tickets_view(con, str(folder / "tickets.parquet"))
        for _ in range(runs):
            for name, query in queries.items():
                cpu, wall = time.process_time(), time.perf_counter()
                found[name] = con.execute(query).fetchall()
                times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    assert found["this tree"] == found[rev], f"the check queries differ: {found}"
    n = int(found[rev][0][0])
    cpu = {name: statistics.median(c for c, _ in runs_) for name, runs_ in times.items()}
    for name, runs_ in times.items():
        print(f"{name:10s} {cpu[name]:6.2f} CPU-s  {cpu[name] * 1e6 / n:6.3f} CPU-µs/ticket  "
              f"{statistics.median(w for _, w in runs_):6.2f} s wall")  # fmt: skip
    print(f"{rev} / this tree: {cpu[rev] / cpu['this tree']:.2f}x  (same rows: {found[rev]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", default="5M")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rev", default="main")
    parser.add_argument("--keep", type=Path, help="a folder of bench/scale.py --keep (generated when empty)")
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    with tempfile.TemporaryDirectory(prefix="slac-check-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "tickets.parquet").exists():
            tickets = scale._size(args.tickets)
            _, policy = scale.write_policy(folder)
            scale.generate(folder, policy, tickets, max(tickets // 50, 10), max(tickets // 25, 10), 0.4)
        measure(folder, args.runs, args.rev)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
