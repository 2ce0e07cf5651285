"""Scale of language v2: `slac evaluate --engine duckdb` against `--engine numpy` on nimbus-cloud months, in one run.

Run: .venv/bin/python bench/scale_v2.py [--requests 1M,5M,20M] [--engines numpy,duckdb] [--customers 2000]
Per size, generates one month of nimbus-cloud events (May 2026) as Parquet under a temporary folder:
the request intervals of object_storage in four regions (written in chunks, so the generator never
holds them all; one hour in 97 with 20 % failed, so its 5-minute intervals are down at every size), customers with
a charge per service and region, and a few hundred incidents. Runs `slac evaluate` once per engine,
each in a child process, and prints per engine wall time, CPU time (user + sys), peak RSS (the
child's ru_maxrss from wait4) and the load. numpy runs at the sizes it holds (≤
limits.MAX_ROWS_PER_FILE request rows; beyond, its reader refuses the file); where both ran, their
reports must be byte-identical (SHA-256) and the ratios duckdb / numpy of wall and CPU time are
printed. The duckdb engine reads the requests itself at every size (slac.plan.native_v2).
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
from scale import _size  # bench/scale.py (run as the docstring says: bench/ is on the path)

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "nimbus-cloud.sla"
PERIOD = "2026-05"
MAY = 1_777_593_600_000_000  # 2026-05-01T00:00Z in µs
MONTH = 31 * 86_400_000_000
REGIONS = ("us_east", "us_west", "eu_west", "ap_south")
SERVICES = ("compute", "object_storage")
CHUNK = 2_000_000


def write_policy(folder: Path) -> Path:
    import slac

    text = slac.policy_json(slac.compile_policy(CONTRACT.read_text(encoding="utf-8"), file=str(CONTRACT)))
    path = folder / "policy.json"
    path.write_text(text, encoding="utf-8")
    return path


def generate(folder: Path, requests: int, customers: int, incidents: int, seed: int = 15) -> None:
    """customers, charges, incidents and requests (.parquet) of one month (valid rows only)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    ts = pa.timestamp("us", tz="UTC")
    ids = pc.binary_join_element_wise("c", pc.cast(pa.array(np.arange(customers)), pa.string()), "")
    pq.write_table(pa.table({"customer": ids, "tier": pa.array(["standard"] * customers),
                             "fee": pa.array(["0"] * customers),
                             "good_standing": pa.array(rng.random(customers) > 0.05)}),
                   folder / "customers.parquet")  # fmt: skip
    scopes = [(s, r) for s in SERVICES for r in REGIONS]
    pq.write_table(pa.table({"customer": ids.take(pa.array(np.repeat(np.arange(customers), len(scopes)))),
                             "service": pa.array([s for _ in range(customers) for s, _r in scopes]),
                             "region": pa.array([r for _ in range(customers) for _s, r in scopes]),
                             "amount": pc.cast(pa.array(rng.integers(1, 5000, customers * len(scopes))), pa.string())}),
                   folder / "charges.parquet")  # fmt: skip
    start = MAY + rng.integers(0, MONTH, incidents, dtype=np.int64)
    pq.write_table(pa.table({"id": pc.binary_join_element_wise("i", pc.cast(pa.array(np.arange(incidents)), pa.string()), ""),
                             "start": pa.array(start, ts), "end": pa.array(start + rng.integers(1, 3600, incidents) * 1_000_000, ts),
                             "service": pa.array(np.array(SERVICES, dtype=object)[rng.integers(0, 2, incidents)], pa.string()),
                             "region": pa.array(np.array(REGIONS, dtype=object)[rng.integers(0, 4, incidents)], pa.string())}),
                   folder / "incidents.parquet")  # fmt: skip
    regions = pa.array(REGIONS, pa.string())
    schema = pa.schema([("service", pa.string()), ("region", pa.string()), ("start", ts),
                        ("total", pa.int64()), ("failed", pa.int64())])  # fmt: skip
    with pq.ParquetWriter(folder / "requests.parquet", schema) as writer:
        for lo in range(0, requests, CHUNK):
            n = min(CHUNK, requests - lo)
            total = rng.integers(1, 1000, n)
            start = MAY + rng.integers(0, MONTH, n, dtype=np.int64)
            bad = (start // 3_600_000_000) % 97 == 0  # an hour in 97 with 20 % failed: down at every size
            failed = np.where(bad, total // 5, np.where(rng.random(n) < 0.02, total // 50, 0))
            writer.write_table(pa.table({"service": pa.array(["object_storage"] * n, pa.string()),
                                         "region": regions.take(pa.array(rng.integers(0, 4, n))),
                                         "start": pa.array(start, ts),
                                         "total": pa.array(total), "failed": pa.array(failed)}, schema=schema))  # fmt: skip


def run(folder: Path, policy_path: Path, engine: str) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS bytes, SHA-256 of the report) of one `slac evaluate` child."""
    out = folder / f"report-{engine}.json"
    files = [f"--{name}={folder / f'{name}.parquet'}" for name in ("customers", "incidents", "charges", "requests")]
    args = [sys.executable, "-m", "slac", "evaluate", str(policy_path), "--period", PERIOD, "--engine", engine,
            *files, "-o", str(out)]  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    assert child.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{engine} failed: {child.stderr.read().decode().strip()}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.unlink()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, digest


def one_size(requests: int, engines: list[str], customers: int) -> dict[str, tuple[float, float, int, str]]:
    from slac import limits

    with tempfile.TemporaryDirectory(prefix="slac-scale-v2-") as tmp:
        folder = Path(tmp)
        policy_path = write_policy(folder)
        began = time.perf_counter()
        generate(folder, requests, customers, incidents=500)
        print(f"generated {requests:,} request intervals, {customers:,} customers in "
              f"{time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
        results = {}
        for engine in engines:
            if engine == "numpy" and requests > limits.MAX_ROWS_PER_FILE:
                continue  # numpy's reader refuses a file over its row ceiling
            wall, cpu, rss, digest = results[engine] = run(folder, policy_path, engine)
            print(f"{requests:>12,} {engine:7s} wall {wall:7.2f} s  CPU {cpu:7.2f} s  peak RSS {rss / 2**20:6.0f} MiB"
                  f"  (load average {os.getloadavg()[0]:.2f})", flush=True)  # fmt: skip
        if "numpy" in results and "duckdb" in results:
            same = results["numpy"][3] == results["duckdb"][3]
            wall_ratio = results["duckdb"][0] / results["numpy"][0]
            cpu_ratio = results["duckdb"][1] / results["numpy"][1]
            rss_ratio = results["duckdb"][2] / results["numpy"][2]
            print(f"{requests:>12,} duckdb / numpy: wall {wall_ratio:.2f}x  CPU {cpu_ratio:.2f}x  "
                  f"peak RSS {rss_ratio:.2f}x  reports identical: {same}", flush=True)  # fmt: skip
            if not same:
                raise SystemExit("the engines' reports differ")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", default="1M,5M,20M", help="request-interval counts, e.g. 1M,5M,20M")
    parser.add_argument("--engines", default="numpy,duckdb")
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    for size in (_size(s) for s in args.requests.split(",")):
        one_size(size, args.engines.split(","), args.customers)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
