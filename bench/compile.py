"""Compile speed: in-process compile of websoft9.sla and `slac check` as a process.

Run: .venv/bin/python bench/compile.py
Prints medians and ratios against baselines measured in the same run:
- in-process: the full compile (parse → AST → checks → policy → schema validation)
  against Lark's bare parse of the same text (the floor any compile pays);
- process: `slac check contracts/websoft9.sla` against `python -c pass` (interpreter start-up).
Goals (issue 2): compile ≤ 20 ms warm, `slac check` ≤ 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "websoft9.sla"


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    import slac
    from slac import syntax

    source = CONTRACT.read_text(encoding="utf-8")
    file = str(CONTRACT.relative_to(ROOT))
    slac.compile_policy(source, file=file)  # warm: parser built, holidays cached, validator compiled

    compile_ms = median_ms(lambda: slac.policy_json(slac.compile_policy(source, file=file)), 50)
    parse_ms = median_ms(lambda: syntax.parser().parse(source), 50)
    print(
        f"compile websoft9.sla in process (median of 50, warm): {compile_ms:.2f} ms "
        f"(goal ≤ 20 ms: {compile_ms / 20:.2f}× of the budget)"
    )
    print(
        f"  baseline, bare Lark parse of the same text:          {parse_ms:.2f} ms "
        f"(compile = {compile_ms / parse_ms:.1f}× parse)"
    )

    slac_bin = Path(sys.executable).with_name("slac")
    check = [str(slac_bin), "check", str(CONTRACT)]
    subprocess.run(check, check=True, capture_output=True)  # warm the OS cache and Lark's grammar cache
    check_ms = median_ms(lambda: subprocess.run(check, check=True, capture_output=True), 7)
    python_ms = median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 7)
    print(
        f"`slac check contracts/websoft9.sla` as a process (median of 7): {check_ms:.0f} ms "
        f"(goal ≤ 500 ms: {check_ms / 500:.2f}× of the budget)"
    )
    print(
        f"  baseline, `python -c pass`:                                  {python_ms:.0f} ms "
        f"(check = {check_ms / python_ms:.1f}× interpreter start-up)"
    )


if __name__ == "__main__":
    main()
