"""The document model: numbered sections and clauses of text, lists and tables in one language.

These are the renderer's own layer, built from the policy dict by `model.build_document` and
read by the templates and `markup`; they are not the contract's AST (`slac.nodes`), hence the
`Doc` prefix on the names the AST also uses (`DocModel`, `DocClause`, `DocLink`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class DocLink:
    """A hyperlink inside a paragraph; both parts are user text and escaped on output."""

    text: str
    url: str
    kind: ClassVar[str] = "link"


Inline = str | DocLink


@dataclass(frozen=True)
class Para:
    parts: tuple[Inline, ...]
    kind: ClassVar[str] = "para"

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else f"{p.text} ({p.url})" for p in self.parts)


@dataclass(frozen=True)
class Items:
    items: tuple[Para, ...]
    kind: ClassVar[str] = "items"


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[Para, ...], ...]
    kind: ClassVar[str] = "table"


Block = Para | Items | Table


def anchor_of(ident: str) -> str:
    """A heading anchor from an id or key: `third_party` → `third-party`."""
    return re.sub(r"[^a-z0-9-]+", "-", ident.lower().replace("_", "-")).strip("-") or "clause"


@dataclass(frozen=True)
class DocClause:
    number: str
    heading: str
    blocks: tuple[Block, ...]
    anchor: str = ""  # stable in every edition: from the clause's id or key, never its number


@dataclass(frozen=True)
class DocSection:
    number: str
    key: str
    heading: str
    intro: tuple[Block, ...]
    clauses: tuple[DocClause, ...]

    @property
    def anchor(self) -> str:
        return anchor_of(self.key)


@dataclass(frozen=True)
class DocModel:
    lang: str
    original: str
    contract_id: str
    title: str
    meta: tuple[Para, ...]
    sections: tuple[DocSection, ...]
    labels: dict[str, str] = field(default_factory=dict)
