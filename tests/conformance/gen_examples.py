"""Cases from the contracts' `example` blocks (contracts/*.sla), their events as the runtime's example reader builds them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from slac.driver import compile_policy
from slac.runtime import load_policy
from slac.runtime.examples import example_events, example_period
from slac.runtime.scoped import needs_scopes

from .build import SuiteFile, event_rows

ROOT = Path(__file__).resolve().parents[2]


def examples() -> SuiteFile:
    f = SuiteFile(
        "examples", "Every `example` block of the four sample contracts, as an evaluation of its one customer."
    )
    for path in sorted((ROOT / "contracts").glob("*.sla")):
        source = path.read_text(encoding="utf-8")
        raw = compile_policy(source, file=path.name)
        name = f.policy(path.stem, source, compiled=raw)
        policy = load_policy(raw)
        group = f.group(f"the examples of {path.name}")
        lines = source.split("\n")
        for k, ex in enumerate(raw["examples"]):
            tier = ex["tier"] or next(iter(policy.tiers))
            events = event_rows(raw, example_events(policy, ex, tier), v2=needs_scopes(raw))
            credit = ex["expect"].get("credit")
            hand = comment = None
            if credit is not None:  # the contract's own `expect credit`, worked out by its authors
                digits = raw["currency"]["minor_digits"] if raw["currency"] else 2
                total = format(Decimal(credit["amount"]).quantize(Decimal(1).scaleb(-digits)), "f")
                hand = {"customers": {"example": {"total": total}}}
                comment = f"the contract's line {credit['line']}: {lines[credit['line'] - 1].strip()}"
            f.case(
                group,
                f"{path.stem}-{k + 1}",
                f"{path.name}: {ex['title']}",
                clause=lines[ex["line"] - 1].strip(" {"),
                policy=name,
                period=example_period(policy, ex),
                events=events,
                comment=comment,
                hand=hand,
            )
    return f
