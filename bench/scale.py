"""Scale: `slac evaluate --engine duckdb` against `--engine numpy` on the same Parquet month, in one run.

Run: .venv/bin/python bench/scale.py [--tickets 1000000] [--customers 10000] [--incidents 20000]
     [--late 0.4] [--engines numpy,duckdb] [--keep DIR]
Generates one month of acme-crm events (June 2026) as Parquet (tickets written in chunks, so the
generator never holds them all), then runs `slac evaluate` once per engine, each in a child
process, and prints per engine: wall time, tickets/s, peak RSS (the child's ru_maxrss from
wait4), and the ratio duckdb / numpy; the reports must be byte-identical (their SHA-256 is
compared). With --engines duckdb alone it measures sizes the numpy engine cannot hold (it refuses
files over 10M rows). With --engines numpy,spark the spark engine (local[2], reading the Parquet
tickets itself) is checked against numpy the same way: wall time stated, no goal.
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


def run(folder: Path, policy_path: Path, engine: str) -> tuple[float, int, str]:
    """(wall seconds, peak RSS bytes, SHA-256 of the report) of one `slac evaluate` child process."""
    out = folder / f"report-{engine}.json"
    args = [sys.executable, "-m", "slac", "evaluate", str(policy_path), "--period", PERIOD, "--engine", engine,
            "--customers", str(folder / "customers.parquet"), "--tickets", str(folder / "tickets.parquet"),
            "--incidents", str(folder / "incidents.parquet"), "-o", str(out)]  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    assert child.stderr is not None
    err = child.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{engine} failed: {err.strip()}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.unlink()
    return wall, usage.ru_maxrss * 1024, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--engines", default="numpy,duckdb")
    parser.add_argument("--late", type=float, default=0.4, help="fraction of slow or unanswered tickets")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        policy_path, policy = write_policy(folder)
        if not (folder / "tickets.parquet").exists():
            began = time.perf_counter()
            generate(folder, policy, args.tickets, args.customers, args.incidents, args.late)
            print(f"generated {args.tickets:,} tickets in {time.perf_counter() - began:.1f} s", flush=True)
        results = {}
        for engine in args.engines.split(","):
            wall, rss, digest = run(folder, policy_path, engine)
            results[engine] = (wall, digest)
            print(
                f"{engine:7s} {wall:6.2f} s  {args.tickets / wall / 1e6:5.2f} M tickets/s  peak RSS {rss / 2**20:6.0f} MiB",
                flush=True,
            )
        if "numpy" in results and "duckdb" in results:
            same = results["numpy"][1] == results["duckdb"][1]
            print(
                f"duckdb / numpy wall time: {results['duckdb'][0] / results['numpy'][0]:.2f}x  reports identical: {same}"
            )
            if not same:
                raise SystemExit("the engines' reports differ")
        if "numpy" in results and "spark" in results:  # Spark local[2]: correctness and wall time, no goal
            same = results["numpy"][1] == results["spark"][1]
            print(
                f"spark / numpy wall time: {results['spark'][0] / results['numpy'][0]:.2f}x  reports identical: {same}"
                f"  (load average {os.getloadavg()[0]:.2f})"
            )
            if not same:
                raise SystemExit("the spark engine's report differs from numpy's")


if __name__ == "__main__":
    main()
