"""Limitations, general terms and third-party SLAs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..doc import DocLink, Items, Para

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def limitations(b: DocBuilder, probe: bool = False) -> Any:
    if probe:
        return bool(b.p["exclusions"])
    return [b.para("limitations.intro")], [("", b.user(b.text(x["text"]))) for x in b.p["exclusions"]]


def general(b: DocBuilder, probe: bool = False) -> Any:
    if probe:
        return bool(b.p["clauses"])
    # A clause the catalogue has no heading for is a numbered paragraph: its id is not prose.
    return [], [(b.known("clause.names", c["id"], ""), b.user(b.text(c["text"]))) for c in b.p["clauses"]]


def third_party(b: DocBuilder, probe: bool = False) -> Any:
    links = b.p["third_party"]
    if probe:
        return bool(links)
    items = Items(tuple(Para((DocLink(b.text(x["name"]), x["url"]),)) for x in links))
    return [b.para("third_party.intro"), items, b.para("third_party.disclaimer")], []
