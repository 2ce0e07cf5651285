"""The stages chained: source → tree → AST → checks → policy, with diagnostics collected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import limits
from . import nodes as n
from .errors import Diagnostic, SlaError, error, has_errors

if TYPE_CHECKING:  # pragma: no cover
    from .runtime.examples import ExampleResult


def analyse(source: str, *, file: str, examples: bool = True) -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse and check; returns the document (None on a syntax error) and every diagnostic.

    A contract without other errors then has its `example` blocks run by the evaluator
    (unless `examples=False`): an `expect` that does not hold is an error (E0712).
    """
    from .checks import run
    from .screen import screen
    from .syntax import parse_tree
    from .to_ast import to_ast

    screened = screen(source, file)
    if has_errors(screened):
        # A hidden character or an oversized file is fixed first; parsing it would only add noise.
        return None, screened
    try:
        tree = parse_tree(source, file)
    except SlaError as exc:
        return None, list(exc.diagnostics)
    doc, diagnostics = to_ast(tree, file=file, source=source)
    # A bad value (a 25:00 clock, a 30 February) is replaced by a placeholder so that
    # conversion can go on; semantic checks on placeholders would only report noise.
    if not has_errors(diagnostics):
        diagnostics = diagnostics + run(doc)
    # Examples only run on an otherwise clean contract: the policy they need cannot be built before.
    if examples and not has_errors(diagnostics):
        diagnostics = diagnostics + example_diagnostics(doc)
    diagnostics = screened + diagnostics
    return doc, _at_most(sorted(set(diagnostics), key=Diagnostic.sort_key))


def _at_most(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The first `MAX_DIAGNOSTICS`, then one error saying how many more there are.

    A hostile file can hold a hundred thousand mistakes; nobody reads past the first
    few hundred, and printing them all takes longer than finding them.
    """
    if len(diagnostics) <= limits.MAX_DIAGNOSTICS:
        return diagnostics
    shown = diagnostics[: limits.MAX_DIAGNOSTICS]
    more = len(diagnostics) - len(shown)
    return shown + [
        error(
            "E0140",
            f"{more:,} more problems are not shown",
            shown[-1].span,
            "fix the ones above and check again",
        )
    ]


def example_diagnostics(doc: n.Document, policy: dict[str, Any] | None = None) -> list[Diagnostic]:
    """E0712 for every `expect` the evaluator does not confirm (and for examples it cannot evaluate)."""
    results, problems = example_results(doc, policy)
    return problems + list(_failed_expectations(doc, results))


def example_results(
    doc: n.Document, policy: dict[str, Any] | None = None
) -> tuple[list[ExampleResult], list[Diagnostic]]:
    """Run every example with the evaluator on `policy` (built from `doc` when not given).

    What stops that comes back as diagnostics, never as an exception.
    """
    blocks = doc.sla.all(n.Example)
    if not blocks:
        return [], []
    from .policy import build
    from .runtime.examples import run_examples
    from .runtime.policy import Policy

    try:
        # A policy from build() is the compiler's own (no need for load_policy's checks); built here
        # only to run the examples, it is never written, so its schema check is left to compile.
        return run_examples(Policy(build(doc, validate_schema=False) if policy is None else policy)), []
    except SlaError as exc:
        return [], list(exc.diagnostics)
    except ValueError as exc:  # the policy failed its schema, or an example cannot be evaluated
        return [], [
            error(
                "E0712",
                f"the examples cannot be evaluated: {exc}",
                blocks[0].title.span,
                "fix the problem named, then run `slac test` on this file",
            )
        ]


_EXPECTS: dict[str, type[n.ExpectUptime | n.ExpectCredit | n.ExpectBreaches]] = {
    "uptime": n.ExpectUptime,
    "credit": n.ExpectCredit,
    "breaches": n.ExpectBreaches,
}


def _failed_expectations(doc: n.Document, results: list[ExampleResult]) -> Iterator[Diagnostic]:
    """E0712 at the value of each `expect` that does not hold, saying expected and actual."""
    blocks = doc.sla.all(n.Example)
    for result in results:
        block = blocks[result.index]
        for check in result.checks:
            if check.ok:
                continue
            kind = _EXPECTS[check.kind]
            stmts = block.all(kind)
            stmt = next((x for x in stmts if x.span.line == check.line), stmts[0] if stmts else None)
            span = stmt.value.span if stmt is not None else block.title.span
            yield error(
                "E0712",
                f'example "{block.title.value}" expects {check.kind} {check.expected}, '
                f"but the evaluator computes {check.actual}",
                span,
                f"if the contract's terms are right, write `expect {check.kind} {check.actual}`; "
                "`slac test` shows every example",
            )


def check(source: str, *, file: str) -> list[Diagnostic]:
    return analyse(source, file=file)[1]


def compile_policy(source: str, *, file: str, **options: Any) -> dict[str, Any]:
    from .policy import build

    doc, diagnostics = analyse(source, file=file, examples=False)
    if doc is None or has_errors(diagnostics):
        raise SlaError(diagnostics)
    policy = build(doc, **options)
    problems = example_diagnostics(doc, policy)  # on the policy just built: one build, not two
    if has_errors(problems):
        raise SlaError(diagnostics + problems)
    return policy
