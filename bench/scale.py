"""Scale: `slac evaluate --engine duckdb` against `--engine numpy` on the same Parquet months, in one run.

Run: .venv/bin/python bench/scale.py [--sizes 1M,5M,12M,25M,50M] [--engines numpy,duckdb] [--late 0.4]
     [--customers-per 50] [--incidents-per 25] [--keep DIR]
Per size, generates one month of acme-crm events (June 2026) as Parquet under a temporary folder
(tickets written in chunks, so the generator never holds them all; customers = tickets /
customers-per, incidents = tickets / incidents-per: 50M tickets, 1M customers, 2M incidents), runs
`slac evaluate` once per engine, each in a child process, prints per engine wall time, tickets/s,
peak RSS (the child's ru_maxrss from wait4), the peak PSS of its process tree and its CPU time
(`--split`: the duckdb engine run once more in a child that times the SQL, up to its stage "the
report", apart from the assembly after it, and the SQL in its stages: customers read and tickets
view, record check, measuring, incidents read), and deletes the data. numpy runs at the sizes it
holds (≤ limits.MAX_ROWS_PER_FILE rows); at each size both ran, their reports must be
byte-identical (SHA-256) and the ratio duckdb / numpy is printed, and the summary gives tickets/s
per size and the ratio at the largest size numpy held. `uptime` is printed before and after (the
machine may be shared). Request intervals are not generated: acme-crm is a contract of language
v1, which reads none (bench/scale_v2.py measures a v2 month with up to 20M request rows).
With --engines numpy,spark the spark engine (local[2], reading the Parquet tickets itself) is
checked against numpy the same way: wall time stated, no goal.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "acme-crm.sla"
PERIOD = "2026-06"
HOUR = 3_600_000_000
CHUNK = 2_000_000


def write_policy(folder: Path) -> tuple[Path, object]:
    import slac
    from slac.runtime import load_policy

    text = slac.policy_json(slac.compile_policy(CONTRACT.read_text(encoding="utf-8"), file=str(CONTRACT)))
    path = folder / "policy.json"
    path.write_text(text, encoding="utf-8")
    return path, load_policy(text)


def generate(
    folder: Path, policy: object, tickets: int, customers: int, incidents: int, late: float, seed: int = 15
) -> None:
    """customers.parquet, tickets.parquet, incidents.parquet of one month (valid rows only).

    A fraction `late` of the tickets is unanswered or answered hours later (most of them breach);
    the others are answered within a minute.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from slac.runtime.evaluate import Period

    rng = np.random.default_rng(seed)
    per = Period.month(policy, PERIOD)  # type: ignore[arg-type]
    tiers = list(policy.tiers)  # type: ignore[attr-defined]
    prios = pa.array(list(policy.priorities), pa.string())  # type: ignore[attr-defined]
    cust_ids = pc.binary_join_element_wise("c", pc.cast(pa.array(np.arange(customers)), pa.string()), "")
    pq.write_table(
        pa.table(
            {
                "customer": cust_ids,
                "tier": pa.array(np.array(tiers, dtype=object)[rng.integers(0, len(tiers), customers)], pa.string()),
                "monthly_fee": pc.cast(pa.array(rng.integers(10, 5000, customers)), pa.string()),
            }
        ),
        folder / "customers.parquet",
    )
    ts = pa.timestamp("us", tz="UTC")
    schema = pa.schema(
        [("id", pa.string()), ("customer", pa.string()), ("priority", pa.string()), ("opened_at", ts),
         ("responded_at", ts), ("outage", pa.bool_()), ("cause", pa.string())]
    )  # fmt: skip
    with pq.ParquetWriter(folder / "tickets.parquet", schema) as writer:
        for lo in range(0, tickets, CHUNK):
            n = min(CHUNK, tickets - lo)
            opened = rng.integers(per.start, per.end, n, dtype=np.int64)
            slow = rng.random(n) < late
            answered = ~slow | (rng.random(n) >= 0.5)
            delay = np.where(slow, rng.exponential(8 * HOUR, n), rng.integers(0, 60_000_000, n)).astype(np.int64)
            responded = opened + delay
            cause = pa.array(np.where(rng.random(n) < 0.02, "customer_caused", None), pa.string())
            writer.write_table(
                pa.table(
                    {
                        "id": pc.binary_join_element_wise(
                            "t", pc.cast(pa.array(np.arange(lo, lo + n)), pa.string()), ""
                        ),
                        "customer": cust_ids.take(pa.array(rng.integers(0, customers, n))),
                        "priority": prios.take(pa.array(rng.integers(0, len(prios), n))),
                        "opened_at": pa.array(opened, ts),
                        "responded_at": pa.array(responded, ts, mask=~answered),
                        "outage": pa.array(rng.random(n) < 0.5),
                        "cause": cause,
                    },
                    schema=schema,
                )
            )
    start = rng.integers(per.start - 24 * HOUR, per.end, incidents, dtype=np.int64)
    length = rng.integers(0, 2 * HOUR, incidents, dtype=np.int64)
    pq.write_table(
        pa.table(
            {
                "id": pc.binary_join_element_wise("i", pc.cast(pa.array(np.arange(incidents)), pa.string()), ""),
                "start": pa.array(start, ts),
                "end": pa.array(start + length, ts),
                "customers": cust_ids.take(pa.array(rng.integers(0, customers, incidents))),
            }
        ),
        folder / "incidents.parquet",
    )


def run(folder: Path, policy_path: Path, engine: str) -> tuple[float, int, str, float, int]:
    """(wall seconds, peak RSS bytes, SHA-256 of the report, CPU seconds, peak PSS bytes of the process
    tree) of one `slac evaluate` child process. The RSS is the child's ru_maxrss from wait4 (its
    largest process); the tree's PSS (shared pages split among the
    processes sharing them, sampled every 0.2 s) counts any child processes too."""
    import threading

    out = folder / f"report-{engine}.json"
    args = [sys.executable, "-m", "slac", "evaluate", str(policy_path), "--period", PERIOD, "--engine", engine,
            "--customers", str(folder / "customers.parquet"), "--tickets", str(folder / "tickets.parquet"),
            "--incidents", str(folder / "incidents.parquet"), "-o", str(out)]  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_pss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    done.set()
    sampler.join()
    assert child.stderr is not None
    err = child.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{engine} failed: {err.strip()}")
    digest = hashlib.sha256()
    with out.open("rb") as report:  # in pieces: at 50M tickets the report is several GB
        while piece := report.read(1 << 24):
            digest.update(piece)
    out.unlink()
    return wall, usage.ru_maxrss * 1024, digest.hexdigest(), usage.ru_utime + usage.ru_stime, peak[0]


def run_split(folder: Path, policy_path: Path) -> dict[str, float | str]:
    """The duckdb engine's time split, in a child process (`--split-child`): CPU and wall seconds of
    the native read (DuckDB reads, checks and measures the tickets: the SQL) and of the report after
    it (the runtime's downtime and the report's text, written to a file: the assembly), its peak RSS
    and the SHA-256 of the report (the CLI's, when both are right)."""
    import json

    args = [sys.executable, __file__, "--split-child", str(folder), "--policy", str(policy_path)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the split run failed: {done.stderr.strip()}")
    found: dict[str, float | str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _split_child(folder: Path, policy_path: Path) -> None:
    """What `duckdb_engine.evaluate` does for these inputs, timed in parts (see `run_split`)."""
    import json
    import resource

    from slac.plan import report_stream
    from slac.plan.native import read_natively
    from slac.render.report import json_chunks
    from slac.runtime import load_policy
    from slac.runtime.engines import Inputs
    from slac.runtime.evaluate import Period

    policy = load_policy(policy_path.read_text(encoding="utf-8"))
    inputs = Inputs(customers=str(folder / "customers.parquet"), incidents=str(folder / "incidents.parquet"),
                    tickets=str(folder / "tickets.parquet"))  # fmt: skip
    per = Period.month(policy, PERIOD)
    stages = _Stages()
    cpu, wall = time.process_time(), time.perf_counter()
    found = read_natively(policy, inputs, per, per.end, stages)
    assert found is not None, "the native read handed the tickets back to the runtime's readers"
    out: dict[str, float | str] = {"sql_cpu": time.process_time() - cpu, "sql_wall": time.perf_counter() - wall}
    out.update(stages.split(cpu))

    def assembly() -> tuple[float, float, str]:
        cpu, wall = time.process_time(), time.perf_counter()
        digest = hashlib.sha256()
        with (folder / "report-split.json").open("wb") as written:
            for piece in json_chunks(report_stream.native_report(policy, found, per, per.end, for_json=True)):
                digest.update(piece)
                written.write(piece)
        (folder / "report-split.json").unlink()
        return time.process_time() - cpu, time.perf_counter() - wall, digest.hexdigest()

    out["assembly_cpu"], out["assembly_wall"], out["digest"] = assembly()
    out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out))


class _Stages:
    """A progress callback noting the CPU time at each stage the native read names (`duck.stage`)."""

    def __init__(self) -> None:
        self.at: list[tuple[str, float]] = []

    def __call__(self, done: int, total: int) -> None:
        pass

    def stage(self, text: str) -> None:
        self.at.append((text, time.process_time()))

    def split(self, began: float) -> dict[str, float]:
        """CPU seconds of the read before the check (customers, the view), of the check, and of the
        measuring (`streamed_results`, the breached tickets sorted, then the incidents read), from the stages' times."""
        marks = dict(self.at)
        check = marks["DuckDB checks the tickets"]
        measure = next(t for name, t in self.at if name.startswith("DuckDB measures"))
        return {"before_cpu": check - began, "check_cpu": measure - check, "measure_cpu": time.process_time() - measure}


def _tree_pss(pid: int) -> int:
    """The proportional set size (bytes) of a process and its descendants now (0 where unreadable)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def _size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def _one_size(args: argparse.Namespace, tickets: int, engines: list[str]) -> dict[str, tuple[float, int, str]]:
    """Generate one size, run the engines on it, delete it; {engine: (wall, rss, digest)}."""
    from slac import limits

    customers, incidents = max(tickets // args.customers_per, 10), max(tickets // args.incidents_per, 10)
    with tempfile.TemporaryDirectory(prefix="slac-scale-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        policy_path, policy = write_policy(folder)
        if not (folder / "tickets.parquet").exists():
            began = time.perf_counter()
            generate(folder, policy, tickets, customers, incidents, args.late)
            print(f"generated {tickets:,} tickets, {customers:,} customers, {incidents:,} incidents "
                  f"in {time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
        results = {}
        for engine in engines:
            if engine == "numpy" and tickets > limits.MAX_ROWS_PER_FILE:
                continue  # numpy refuses files over its row ceiling
            wall, rss, digest, cpu, pss = run(folder, policy_path, engine)
            results[engine] = (wall, rss, digest)
            print(f"{tickets:>12,} {engine:7s} {wall:7.2f} s  {tickets / wall / 1e6:5.2f} M tickets/s  "
                  f"peak RSS {rss / 2**20:6.0f} MiB  tree PSS {pss / 2**20:6.0f} MiB  CPU {cpu:7.2f} s  "
                  f"(load average {os.getloadavg()[0]:.2f})", flush=True)  # fmt: skip
        if args.split and "duckdb" in engines:
            split = run_split(folder, policy_path)
            same_as_cli = "duckdb" not in results or split["digest"] == results["duckdb"][2]
            print(f"{tickets:>12,} duckdb split (in process): SQL {split['sql_cpu']:.2f} CPU-s "
                  f"({split['sql_wall']:.2f} s wall, {tickets / float(split['sql_cpu']) / 1e6:.2f} M tickets/CPU-s)"
                  f"  assembly {split['assembly_cpu']:.2f} CPU-s ({split['assembly_wall']:.2f} s wall, "
                  f"{float(split['assembly_cpu']) * 1e6 / customers:.1f} CPU-µs/customer)  "
                  f"peak RSS {float(split['rss']) / 2**20:.0f} MiB  report as the CLI's: {same_as_cli}"
                  f"  (load average {os.getloadavg()[0]:.2f})", flush=True)  # fmt: skip
            print(f"{tickets:>12,} duckdb SQL stages: customers and view {split['before_cpu']:.2f} CPU-s, record check "
                  f"{split['check_cpu']:.2f} CPU-s, measuring (ticket results streamed, breached sorted, incidents read) "
                  f"{split['measure_cpu']:.2f} CPU-s", flush=True)  # fmt: skip
        if "numpy" in results and "duckdb" in results:
            same = results["numpy"][2] == results["duckdb"][2]
            ratio = results["duckdb"][0] / results["numpy"][0]
            print(f"{tickets:>12,} duckdb / numpy wall time: {ratio:.2f}x  reports identical: {same}", flush=True)
            if not same:
                raise SystemExit("the engines' reports differ")
        if "numpy" in results and "spark" in results:  # Spark local[2]: correctness and wall time, no goal
            same = results["numpy"][2] == results["spark"][2]
            ratio = results["spark"][0] / results["numpy"][0]
            print(f"{tickets:>12,} spark / numpy wall time: {ratio:.2f}x  reports identical: {same}"
                  f"  (load average {os.getloadavg()[0]:.2f})", flush=True)  # fmt: skip
            if not same:
                raise SystemExit("the spark engine's report differs from numpy's")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,5M,12M,25M,50M", help="ticket counts, e.g. 1M,5M or 250000")
    parser.add_argument("--tickets", type=int, help="one size (instead of --sizes)")
    parser.add_argument("--customers-per", type=int, default=50, help="tickets per customer")
    parser.add_argument("--incidents-per", type=int, default=25, help="tickets per incident")
    parser.add_argument("--engines", default="numpy,duckdb")
    parser.add_argument("--late", type=float, default=0.4, help="fraction of slow or unanswered tickets")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder (one size only)")
    parser.add_argument("--split", action="store_true", help="also time the duckdb engine's SQL and assembly apart")
    parser.add_argument("--split-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--policy", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.split_child:
        _split_child(args.split_child, args.policy)
        return
    sizes = [args.tickets] if args.tickets else [_size(s) for s in args.sizes.split(",")]
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    table = {size: _one_size(args, size, args.engines.split(",")) for size in sizes}
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    for engine in args.engines.split(","):
        rates = [f"{size / 1e6:g}M: {size / r[engine][0] / 1e6:.2f}" for size, r in table.items() if engine in r]
        print(f"{engine} M tickets/s by size: {', '.join(rates)}")
    both = [size for size, r in table.items() if "numpy" in r and "duckdb" in r]
    if both:
        top = max(both)
        ratio = table[top]["duckdb"][0] / table[top]["numpy"][0]
        print(f"duckdb / numpy at {top:,} tickets (the largest numpy held): {ratio:.2f}x")


if __name__ == "__main__":
    main()
