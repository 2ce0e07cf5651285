"""Write the suite's JSON files (tests/conformance/cases/*.json) deterministically, expectations from the oracle.

    python -m tests.conformance.generate [FEATURE …]

Cases come from the contracts' examples (gen_examples.py), hand-written edge cases with their
arithmetic (`comment`, checked against the oracle through `hand`) and systematic variations
(gen_*.py). Run it after changing a generator, then review the diff of every changed file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "tests.conformance"

from .build import SuiteFile  # noqa: E402
from .gen_random import EXTRAS  # noqa: E402
from .suite import CASES, dump  # noqa: E402


def builders() -> dict[str, Callable[[], SuiteFile]]:
    from . import gen_examples

    out: dict[str, Callable[[], SuiteFile]] = {"examples": gen_examples.examples}
    for module in ("gen_tickets", "gen_clocks", "gen_availability", "gen_money"):
        try:
            mod = __import__(f"tests.conformance.{module}", fromlist=["BUILDERS"])
        except ModuleNotFoundError:
            continue
        out |= mod.BUILDERS
    return out


def texts(wanted: list[str] | None = None) -> dict[str, tuple[str, SuiteFile]]:
    """feature → (the file's text, its builder's result), for the features wanted (all by default)."""
    out = {}
    for feature, build in builders().items():
        if wanted and feature not in wanted:
            continue
        f = build()
        for extra in EXTRAS.get(feature, []):
            extra(f)
        out[feature] = (dump(f.doc), f)
    return out


def main(argv: list[str] | None = None) -> int:
    wanted = (argv if argv is not None else sys.argv[1:]) or None
    from . import build

    build.VALIDATE = True
    CASES.mkdir(exist_ok=True)
    total = 0
    for feature, (text, f) in texts(wanted).items():
        n = sum(len(g["cases"]) for g in f.doc["groups"])
        total += n
        (CASES / f"{feature}.json").write_text(text, encoding="utf-8")
        print(f"{feature}: {n} cases" + (f" ({len(f.left_out)} left out: {f.left_out[:3]})" if f.left_out else ""))
    print(f"{total} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
