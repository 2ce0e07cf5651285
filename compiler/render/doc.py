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


def clause_anchors(sections: list[tuple[str, list[str | None]]]) -> list[list[str]]:
    """The anchor of every clause of the sections (key, clause ids in order; None: a clause without an id).

    A clause's anchor is its id (`third-party`), or `KEY-N` for the N-th clause of a section without one.
    Each is unique in the document and depends only on the clauses, never on the language: where clauses of
    different kinds share an id, or an id is a section's key, the first in the document keeps it and a later
    one is named by its section too (`compensation-downtime` beside a defined “Downtime”); a number follows
    only if that is taken as well."""
    wanted = [[anchor_of(i) if i else f"{anchor_of(key)}-{j}" for j, i in enumerate(ids, 1)] for key, ids in sections]
    taken = {anchor_of(key) for key, _ in sections}
    owner: dict[str, tuple[int, int]] = {}  # an anchor → the clause (section, position) that keeps it as it is
    for s, names in enumerate(wanted):
        for j, name in enumerate(names):
            if name not in taken and name not in owner:
                owner[name] = (s, j)
    taken |= set(owner)
    out: list[list[str]] = []
    for s, names in enumerate(wanted):
        row = []
        for j, name in enumerate(names):
            if owner.get(name) != (s, j):
                name = base = f"{anchor_of(sections[s][0])}-{name}"
                n = 2
                while name in taken:
                    name, n = f"{base}-{n}", n + 1
                taken.add(name)
            row.append(name)
        out.append(row)
    return out


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
