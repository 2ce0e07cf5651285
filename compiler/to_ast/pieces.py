"""The AST of a contract assembled from separately parsed top-level statements (for `slac.lsp.incremental`).

Each top-level statement of `sla NAME { … }` is parsed on its own, inside a copy of the contract's
header padded so that its tokens keep their lines and columns; `statement` converts one such parse
and `assemble` folds the statements into the `Sla` node exactly as `to_ast` does for the whole tree.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Tree

from .. import nodes as n
from ..errors import Diagnostic, Span
from . import _AstBuilder


def sla_children(tree: Tree[Token]) -> list[Any]:
    """The `sla` rule's children of a parsed piece: its NAME token, then each statement's tree; [] when a
    statement is not a tree of its own (a grammar that inlines one: the caller parses the whole file)."""
    sla = tree.children[0]
    assert isinstance(sla, Tree) and sla.data == "sla"
    children = list(sla.children)
    return children if all(isinstance(c, Tree) for c in children[1:]) else []


def position(tree: Tree[Token]) -> tuple[int, int]:
    """The line and column where a statement's tree starts."""
    return tree.meta.line, tree.meta.column


def statement(tree: Tree[Token], *, file: str) -> tuple[n.Node, list[Diagnostic]]:
    """One top-level statement's tree → its node and the value errors found converting it."""
    builder = _AstBuilder(file)
    return builder.transform(tree), builder.diagnostics


def assemble(
    name: Token, statements: list[n.Node], span: Span, *, file: str, source: str
) -> tuple[n.Document, list[Diagnostic]]:
    """The document of `sla NAME { statements }` (span: `sla` … `}`); the diagnostics of the folding."""
    builder = _AstBuilder(file)
    sla = n.Sla(span, builder._fold(statements, "contract"), builder.NAME(name))
    return n.Document(sla.span, file, source, sla), builder.diagnostics
