"""What every check gets: the document plus indexes of its declarations."""

from __future__ import annotations

from dataclasses import dataclass

from .. import nodes as n


@dataclass(frozen=True)
class Context:
    doc: n.Document
    sla: n.Sla
    languages: tuple[str, ...]

    @classmethod
    def of(cls, doc: n.Document) -> "Context":
        langs = doc.sla.first(n.Languages)
        return cls(doc, doc.sla, tuple(i.value for i in langs.langs) if langs else ())
