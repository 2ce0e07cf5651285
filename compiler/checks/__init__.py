"""Semantic checks: one check per module, all listed in `CHECKS`, run in that order.

Each check is a function `check(ctx: Context) -> Iterable[Diagnostic]`. Checks
never raise for a bad contract and never stop at the first problem; `run`
collects everything and sorts it by position.
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..errors import Diagnostic
from ..nodes import Document
from .context import Context

Check = Callable[[Context], Iterable[Diagnostic]]

# Filled in below, in the order the checks run (structure first: the others rely on it less).
CHECKS: tuple[Check, ...] = ()


def run(doc: Document) -> list[Diagnostic]:
    """All diagnostics of all checks for one document, sorted by position."""
    ctx = Context.of(doc)
    found: list[Diagnostic] = []
    for check in CHECKS:
        found.extend(check(ctx))
    return sorted(set(found), key=Diagnostic.sort_key)
