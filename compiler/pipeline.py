"""The stages chained: source → tree → AST → checks → policy, with diagnostics collected."""

from __future__ import annotations

from typing import Any

from . import nodes as n
from .errors import Diagnostic, SlaError, has_errors


def analyse(source: str, *, file: str) -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse and check; returns the document (None on a syntax error) and every diagnostic."""
    from .checks import run
    from .syntax import parse_tree
    from .to_ast import to_ast

    try:
        tree = parse_tree(source, file)
    except SlaError as exc:
        return None, list(exc.diagnostics)
    doc, diagnostics = to_ast(tree, file=file, source=source)
    # A bad value (a 25:00 clock, a 30 February) is replaced by a placeholder so that
    # conversion can go on; semantic checks on placeholders would only report noise.
    if not has_errors(diagnostics):
        diagnostics = diagnostics + run(doc)
    return doc, sorted(set(diagnostics), key=Diagnostic.sort_key)


def check(source: str, *, file: str) -> list[Diagnostic]:
    return analyse(source, file=file)[1]


def compile_policy(source: str, *, file: str, **options: Any) -> dict[str, Any]:
    from .policy import build

    doc, diagnostics = analyse(source, file=file)
    if doc is None or has_errors(diagnostics):
        raise SlaError(diagnostics)
    return build(doc, **options)
