"""The stages chained: source → tree → AST → checks → policy, with diagnostics collected."""

from __future__ import annotations

from typing import Any

from . import limits
from . import nodes as n
from .errors import Diagnostic, SlaError, error, has_errors


def analyse(source: str, *, file: str) -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse and check; returns the document (None on a syntax error) and every diagnostic."""
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


def check(source: str, *, file: str) -> list[Diagnostic]:
    return analyse(source, file=file)[1]


def compile_policy(source: str, *, file: str, **options: Any) -> dict[str, Any]:
    from .policy import build

    doc, diagnostics = analyse(source, file=file)
    if doc is None or has_errors(diagnostics):
        raise SlaError(diagnostics)
    return build(doc, **options)
