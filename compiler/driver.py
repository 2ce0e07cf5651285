"""The one compile path: source → screen → parse → AST → checks → policy → examples, each built once.

    source ──screen.screen──────▶ E013x: too large, hidden characters (parsing it would only add noise)
           ──syntax.parse_tree──▶ parse tree (E01xx)
           ──to_ast.to_ast──────▶ typed AST with value errors (E02xx)
           ──checks.run─────────▶ limits (E022x), then the semantic checks (not on a contract with errors)
           ──policy.build───────▶ the policy dict (validated by the shipped schema)
           ──runtime examples───▶ the evaluator's result of each `example`
           ──checks.examples_hold (post-policy stage) ▶ E0712 for each `expect` that does not hold

`compile_source` runs all of it and returns a `Compiled`; every command and API function uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import limits
from .errors import Diagnostic, SlaError, error, has_errors

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from . import nodes as n
    from .runtime.examples import ExampleResult

    # Source → (document, value errors) or None (see `front`).
    Convert = Callable[[str], tuple[n.Document, list[Diagnostic]] | None]


@dataclass(frozen=True)
class Compiled:
    """What compiling one contract produced.

    `policy` is None when the contract has errors before the policy stage or the policy cannot be
    built (`failure` then says why); `results` are the examples run on that very policy.
    """

    file: str
    source: str
    doc: n.Document | None
    diagnostics: list[Diagnostic]
    policy: dict[str, Any] | None = None
    results: list[ExampleResult] = field(default_factory=list)
    failure: str | None = None
    expectations: list[Diagnostic] = field(default_factory=list)  # E0712 of the `expect`s, also in diagnostics

    @property
    def ok(self) -> bool:
        """A policy was built and nothing (no check, no example) reported an error."""
        return self.policy is not None and self.failure is None and not has_errors(self.diagnostics)

    @property
    def reports(self) -> dict[int, dict[str, Any]]:
        """The evaluator's report entry of each example, by example index (what render prints)."""
        return {r.index: r.report for r in self.results}


def front(source: str, *, file: str, convert: Convert | None = None) -> tuple[n.Document | None, list[Diagnostic]]:
    """Screen, parse, convert and check; the document (None on a syntax error) and its diagnostics.

    `convert` builds the document and its value errors another way (the language server reuses the
    statements that did not change, `slac.lsp.incremental`); it answers None to leave it to the parser
    and raises `SlaError` for a syntax error, as the parser does.
    """
    from .checks import run
    from .screen import screen
    from .syntax import parse_tree
    from .to_ast import to_ast

    screened = screen(source, file)
    if has_errors(screened):
        return None, screened
    try:
        converted = convert(source) if convert is not None else None
        if converted is None:
            converted = to_ast(parse_tree(source, file), file=file, source=source)
    except SlaError as exc:
        return None, list(exc.diagnostics)
    doc, diagnostics = converted
    # A bad value (a 25:00 clock, a 30 February) is replaced by a placeholder so that conversion can
    # go on; `run` checks the limits of such a document but not its semantics (only noise).
    diagnostics = diagnostics + run(doc, values_ok=not has_errors(diagnostics))
    return doc, _sorted(screened + diagnostics)


def compile_source(
    source: str,
    *,
    file: str,
    examples: bool = True,
    validate_schema: bool = True,
    convert: Convert | None = None,
    **options: Any,
) -> Compiled:
    """Every stage on one contract; never raises for a contract's errors (they are in the result).

    `examples=False` stops after the policy; `convert` goes to `front`; `options` go to `policy.build`
    (`holiday_years`).
    """
    doc, diagnostics = front(source, file=file, convert=convert)
    if doc is None or has_errors(diagnostics):
        return Compiled(file, source, doc, diagnostics)
    return _policy_stage(Compiled(file, source, doc, diagnostics), examples, validate_schema, options)


def _policy_stage(checked: Compiled, examples: bool, validate_schema: bool, options: dict[str, Any]) -> Compiled:
    """A checked contract (no errors so far) → its policy, and the examples run on it."""
    from .policy import build

    file, source, doc, diagnostics = checked.file, checked.source, checked.doc, checked.diagnostics
    assert doc is not None
    try:
        policy = build(doc, validate_schema=validate_schema, **options)
    except SlaError as exc:
        return Compiled(file, source, doc, _sorted(diagnostics + list(exc.diagnostics)))
    except ValueError as exc:  # PolicyError included: the built policy failed its schema (a slac bug)
        return Compiled(file, source, doc, diagnostics, failure=str(exc))
    if not examples:
        return Compiled(file, source, doc, diagnostics, policy)
    from .checks import examples_hold

    results, problems = _run_examples(doc, policy)
    failed = examples_hold(doc, results)  # the post-policy check stage (E0712)
    return Compiled(file, source, doc, _sorted(diagnostics + problems + failed), policy, results, None, failed)


def _run_examples(doc: n.Document, policy: dict[str, Any]) -> tuple[list[ExampleResult], list[Diagnostic]]:
    """The examples run by the evaluator on `policy`; what stops that comes back as diagnostics."""
    from . import nodes as n

    if not doc.sla.all(n.Example):
        return [], []
    from .checks import unevaluable
    from .runtime.examples import run_examples
    from .runtime.policy import Policy

    try:
        # A policy from build() is the compiler's own: load_policy's checks are not needed to run it.
        return run_examples(Policy(policy)), []
    except SlaError as exc:
        return [], list(exc.diagnostics)
    except ValueError as exc:  # an example that cannot be evaluated
        return [], [unevaluable(doc, str(exc))]


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return _at_most(sorted(set(diagnostics), key=Diagnostic.sort_key))


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


# ---- the API on top of compile_source ------------------------------------------------------------


def parse(source: str, *, file: str = "<string>") -> n.Document:
    """Source text → AST. Raises `SlaError` on syntax or value errors, or a contract over a size limit."""
    from .checks import sizes
    from .checks.context import Context
    from .screen import screen
    from .syntax import parse_tree
    from .to_ast import to_ast

    screened = screen(source, file)
    if has_errors(screened):
        raise SlaError(screened)
    doc, diagnostics = to_ast(parse_tree(source, file), file=file, source=source)
    diagnostics += sizes.check(Context.of(doc))
    if has_errors(diagnostics):
        raise SlaError(diagnostics)
    return doc


def analyse(source: str, *, file: str, examples: bool = True) -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse and check; returns the document (None on a syntax error) and every diagnostic.

    A contract without other errors then has its `example` blocks run by the evaluator
    (unless `examples=False`): an `expect` that does not hold is an error (E0712).
    """
    if not examples:
        return front(source, file=file)
    from . import nodes as n

    doc, diagnostics = front(source, file=file)
    if doc is None or has_errors(diagnostics) or not doc.sla.all(n.Example):
        return doc, diagnostics
    # Built only to run the examples and never written: its schema check is left to compile.
    compiled = _policy_stage(Compiled(file, source, doc, diagnostics), True, False, {})
    if compiled.failure is not None:
        from .checks import unevaluable

        return doc, _sorted(diagnostics + [unevaluable(doc, compiled.failure)])
    return compiled.doc, compiled.diagnostics


def example_results(
    doc: n.Document, policy: dict[str, Any] | None = None
) -> tuple[list[ExampleResult], list[Diagnostic]]:
    """Run every example with the evaluator on `policy` (built from `doc` when not given).

    What stops that comes back as diagnostics, never as an exception; the `expect`s are not judged here.
    """
    from . import nodes as n

    if not doc.sla.all(n.Example):
        return [], []
    if policy is None:
        from .policy import build

        try:
            policy = build(doc, validate_schema=False)
        except ValueError as exc:
            from .checks import unevaluable

            return [], [unevaluable(doc, str(exc))]
    return _run_examples(doc, policy)


def check(source: str, *, file: str) -> list[Diagnostic]:
    return analyse(source, file=file)[1]


def compile_policy(source: str, *, file: str, **options: Any) -> dict[str, Any]:
    """The validated policy of a contract; raises `SlaError` when it has errors or a failing example."""
    compiled = compile_source(source, file=file, **options)
    if compiled.failure is not None:
        raise ValueError(f"cannot build the policy: {compiled.failure}")
    if not compiled.ok or compiled.policy is None:
        raise SlaError(compiled.diagnostics)
    return compiled.policy
