"""slac — SLA-as-code contract compiler.

The pipeline, one module per stage, each callable alone::

    source text ──screen.screen──────▶ refused when over a size limit (limits.py) or hiding characters
                ──syntax.parse_tree──▶ Lark parse tree (LALR, positions kept)
                ──to_ast.to_ast─────▶ typed AST (nodes.Document, frozen dataclasses)
                ──checks.run────────▶ diagnostics (one check per module, listed in checks.CHECKS)
                ──policy.build──────▶ policy (plain, JSON-ready dict, validated by schema/policy.schema.json)

Later stages never see parse trees. Importing `slac` is light: Lark, and
everything the renderer needs, load only inside the stage that uses them.

Public API (keyword-only options)::

    parse(source, file=...)           -> nodes.Document
    check(source, file=...)           -> list[Diagnostic]          (never raises for contract errors)
    compile_policy(source, file=...)  -> dict                      (raises SlaError)
    policy_json(policy)               -> str                       (canonical, byte-stable)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, SlaError, Span

if TYPE_CHECKING:  # pragma: no cover
    from .nodes import Document

__all__ = [
    "Diagnostic",
    "SlaError",
    "Span",
    "parse",
    "check",
    "compile_policy",
    "policy_json",
    "__version__",
]

__version__ = "0.1.0"


def parse(source: str, *, file: str = "<string>") -> Document:
    """Source text → typed AST; raises `SlaError` on syntax or value errors."""
    from .to_ast import parse as _parse

    return _parse(source, file=file)


def check(source: str, *, file: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic for a contract (syntax, values, semantics), sorted by position."""
    from .pipeline import check as _check

    return _check(source, file=file)


def compile_policy(source: str, *, file: str = "<string>", **options: Any) -> dict[str, Any]:
    """Source text → validated policy dict; raises `SlaError` when the contract has errors."""
    from .pipeline import compile_policy as _compile

    return _compile(source, file=file, **options)


def policy_json(policy: dict[str, Any]) -> str:
    """The canonical JSON text of a policy: sorted keys, UTF-8, a final newline."""
    from .policy import to_json

    return to_json(policy)
