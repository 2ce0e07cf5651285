"""The post-policy check stage: each example's `expect` against what the evaluator computes (E0712).

Unlike the other checks this one needs the compiled policy and the evaluator's results, so the
driver calls it after building the policy and running the examples on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import nodes as n
from ..errors import Diagnostic, error

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.examples import ExampleResult

_EXPECTS: dict[str, tuple[type[n.Node], ...]] = {
    "uptime": (n.ExpectUptime, n.ExpectScopeUptime),
    "credit": (n.ExpectCredit,),
    "breaches": (n.ExpectBreaches,),
    "claim": (n.ExpectClaimBy,),
    "termination": (n.ExpectTermination,),
    "missed_resolutions": (n.ExpectMissedResolutions,),
    "missed_updates": (n.ExpectMissedUpdates,),
}


def examples_hold(doc: n.Document, results: list[ExampleResult]) -> list[Diagnostic]:
    """E0712 at the value of each `expect` that does not hold, saying expected and actual."""
    return list(_failed(doc, results))


def unevaluable(doc: n.Document, why: str) -> Diagnostic:
    """E0712 at the first example when the examples cannot be run at all (`why` says what stopped them)."""
    blocks = doc.sla.all(n.Example)
    return error(
        "E0712",
        f"the examples cannot be evaluated: {why}",
        blocks[0].title.span,
        "fix the problem named, then run `slac test` on this file",
    )


def _failed(doc: n.Document, results: list[ExampleResult]) -> Iterator[Diagnostic]:
    blocks = doc.sla.all(n.Example)
    for result in results:
        block = blocks[result.index]
        for check in result.checks:
            if check.ok:
                continue
            stmts = [x for x in block.body if isinstance(x, _EXPECTS[check.kind])]
            stmt = next((x for x in stmts if x.span.line == check.line), stmts[0] if stmts else None)
            value = getattr(stmt, "value", None) if stmt is not None else None
            span = value.span if isinstance(value, n.Node) else stmt.span if stmt is not None else block.title.span
            yield error(
                "E0712",
                f'example "{block.label}" expects {check.kind.replace("_", " ")} {check.expected}, '
                f"but the evaluator computes {check.actual}",
                span,
                _hint(check.kind, check.actual, check.written),
            )


def _hint(kind: str, actual: str, written: str | None = None) -> str:
    """What to write when the contract's terms are right and the expectation is not (`written`: the line,
    when it is not `expect KIND ACTUAL`, as for a service's uptime)."""
    if kind == "termination":
        return "if the contract's terms are right, remove `expect termination right`; `slac test` shows every example"
    if kind == "claim" and not actual[:1].isdigit():  # "no claim deadline": the contract has no `claim … within`
        return (
            "the contract sets no claim deadline: add one (`claim within 30d`), or, if the contract's terms are "
            "right, remove `expect claim by`; `slac test` shows every example"
        )
    if not re.fullmatch(r"[\d.]+%?|[\d.]+ [A-Z]{3}|\d{4}-\d{2}-\d{2}", actual):
        # "no scope compute us_east", "3 scopes: say which, …": no value to write in its place
        return "check the service and region the `expect` names, or remove it; `slac test` shows every example"
    if written is None:
        written = f"expect claim by {actual}" if kind == "claim" else f"expect {kind.replace('_', ' ')} {actual}"
    return f"if the contract's terms are right, write `{written}`; `slac test` shows every example"
