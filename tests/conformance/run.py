"""Run the conformance suite: every case through the oracle and through every engine of `ENGINES`.

    python -m tests.conformance.run [--engine NAME]… [--feature NAME]… [--reset] [-v]
    python tests/conformance/run.py …

Each case's events are written to CSV files in a temporary folder and evaluated with
`slac.runtime.engines.evaluate_files(policy, Inputs(...), period=, as_of=, engine=)`; the report is
projected (project.py) and compared with the case's `expected`. An engine that raises `UsageError`
does not cover the case yet: "unsupported", not a pass. `--reset` rewrites every `expected` from
the oracle and prints which cases changed. Exit status 1 when a case fails that known-broken.json
does not list, or when the oracle itself disagrees with a file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `tests.conformance` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.conformance"

from slac.runtime import load_policy  # noqa: E402
from slac.runtime.engines import ENGINES, Inputs, UsageError, evaluate_files  # noqa: E402
from slac.runtime.readers import EventError  # noqa: E402

from .build import subset  # noqa: E402
from .oracle import expected as oracle_expected  # noqa: E402
from .project import canonical, project  # noqa: E402
from .suite import Case, cases, dump, files, known_broken, load_file  # noqa: E402
from .tables import write_csv  # noqa: E402

ORACLE = "oracle"
_POLICIES: dict[int, Any] = {}


def _policy(case: Case) -> Any:
    key = id(case.policy)
    if key not in _POLICIES:
        _POLICIES[key] = (load_policy(case.policy), case.policy)  # keep the dict alive while its id is a key
    return _POLICIES[key][0]


def engine_projection(case: Case, engine: str) -> dict[str, Any]:
    """The projection of the engine's report of the case (UsageError: the engine does not cover it)."""
    data = case.data
    with tempfile.TemporaryDirectory(prefix="slac-conformance-") as tmp:
        paths = write_csv(data["events"], Path(tmp))
        inputs = Inputs(
            customers=paths["customers"],
            incidents=paths["incidents"],
            tickets=paths.get("tickets"),
            charges=paths.get("charges"),
            requests=paths.get("requests"),
            ticket_events=paths.get("ticket_events"),
        )
        as_of = datetime.fromisoformat(data["as_of"]) if data["as_of"] else None
        report = evaluate_files(_policy(case), inputs, period=data["period"], as_of=as_of, engine=engine)
    return canonical(project(report))


def oracle_projection(case: Case) -> dict[str, Any]:
    data = case.data
    return canonical(oracle_expected(case.policy, data["events"], data["period"], data["as_of"]))


def run_case(case: Case, engine: str) -> tuple[str, Any]:
    """("pass" | "fail" | "unsupported", what was found)."""
    try:
        got = oracle_projection(case) if engine == ORACLE else engine_projection(case, engine)
    except UsageError as e:
        return "unsupported", str(e)
    except EventError as e:  # the case's events are refused: a broken case or a broken reader, never a pass
        return "fail", f"EventError: {e}"
    return ("pass" if got == case.data["expected"] else "fail"), got


def differences(want: Any, got: Any, path: str = "") -> list[str]:
    """Where two projections differ, as `path: want → got` lines."""
    if isinstance(got, str) and isinstance(want, dict):
        return [got]
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for key in sorted(set(want) | set(got), key=str):
            out += differences(want.get(key, "<absent>"), got.get(key, "<absent>"), f"{path}.{key}" if path else key)
        return out
    return [] if want == got else [f"{path}: {want!r} → {got!r}"]


def reset(paths: list[Path]) -> tuple[int, int]:
    """Rewrite every `expected` from the oracle; print the cases that changed.

    Returns (cases whose expectation changed, cases whose hand-worked values the oracle contradicts).

    A case the oracle cannot decide any more (OracleLacks) stops the reset before anything is written."""
    changed = disagree = 0
    for path in paths:
        doc = load_file(path)
        for group in doc["groups"]:
            for data in group["cases"]:
                shared = doc["policies"][data["policy"]]
                case = Case(doc["feature"], data, shared["policy"], "\n".join(shared["contract"]))
                new = oracle_projection(case)
                wrong = subset(data["hand"], new) if "hand" in data else []
                if wrong:  # the oracle no longer agrees with the values worked out by hand: say so loudly
                    disagree += 1
                    print(f"HAND-WORKED VALUES DISAGREE {case.id}: " + "; ".join(wrong))
                if new != data["expected"]:
                    changed += 1
                    print(f"changed {case.id}")
                    for line in differences(data["expected"], new)[:10]:
                        print(f"    {line}")
                    data["expected"] = new
        text = dump(doc)
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
    print(f"--reset: {changed} expectation(s) changed in {len(paths)} file(s)")
    if disagree:
        print(f"--reset: the oracle contradicts the hand-worked values of {disagree} case(s)")
    return changed, disagree


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.conformance.run", description=__doc__.split("\n")[0])
    ap.add_argument("--engine", action="append", help=f"oracle or one of {', '.join(ENGINES)} (default: all)")
    ap.add_argument("--feature", action="append", help="only this feature file (repeatable)")
    ap.add_argument("--reset", action="store_true", help="rewrite the expectations from the oracle")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every failing case's differences")
    args = ap.parse_args(argv)
    paths = [p for p in files() if not args.feature or p.stem in args.feature]
    if args.reset:
        return 1 if reset(paths)[1] else 0
    engines = args.engine or [ORACLE, *ENGINES]
    broken = set(known_broken())
    bad = 0
    for engine in engines:
        tally: Counter[str] = Counter()
        for case in cases(paths):
            outcome, got = run_case(case, engine)
            if outcome == "fail" and case.id in broken:
                outcome = "known-broken"
            tally[outcome] += 1
            if outcome == "fail":
                bad += 1
                print(f"FAIL {engine} {case.id}: {case.data['description']}")
                for line in differences(case.data["expected"], got)[: None if args.verbose else 5]:
                    print(f"    {line}")
        summary = ", ".join(f"{tally[k]} {k}" for k in ("pass", "fail", "unsupported", "known-broken") if tally[k])
        print(f"{engine}: {summary or 'no cases'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
