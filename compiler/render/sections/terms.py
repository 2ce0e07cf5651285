"""Limitations, general terms and third-party SLAs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..doc import Block, DocLink, Items, Para

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def limitations(b: DocBuilder, probe: bool = False) -> Any:
    if probe:
        return bool(b.p["exclusions"])
    return [limitations_intro(b)], [("", b.user(b.text(x["text"])), x["id"]) for x in b.p["exclusions"]]


def limitations_intro(b: DocBuilder) -> Para:
    """What the exclusions do. When every one is a cause that availability `excludes`, they are matters whose
    unavailability is not downtime (within the maintenance rule of the measurement clause, which may count it),
    not matters "this SLA does not apply to"; otherwise the general lead-in (the Websoft9 original's own)."""
    av = b.p["availability"] or {}
    ids = {x["id"] for x in b.p["exclusions"]}
    if not b.p["credits"]:
        return b.para("limitations.intro_no_credit")
    if not ids or not ids <= set(av.get("excludes") or ()):
        return b.para("limitations.intro")
    ruled = av.get("maintenance_notice_seconds") is not None or any(x.get("maintenance") for x in b.p["exclusions"])
    number = b.clause_numbers.get(("standards", "measurement"))
    if ruled and number is not None:
        return b.para("limitations.intro_downtime_limits", clause=b.ref(number, "standards", "measurement"))
    return b.para("limitations.intro_downtime")


# Clauses of the original that belong beside a generated clause (the original's order): the
# availability scope after availability, the live-to-ticket escalation after live communication,
# the sole-compensation sentence closing the compensation section.
PLACED = {"availability_scope": "availability", "escalation": "live", "sole_remedy": "compensation"}


def clause(b: DocBuilder, c: dict[str, Any]) -> tuple[str, tuple[Block, ...], str]:
    # The contract's own title (language v2: `title en "…"`), else the catalogue's heading for a
    # known id; a clause with neither is a numbered paragraph: its id is not prose.
    heading = b.text(c.get("title")) or b.known("clause.names", c["id"], "")
    return heading, b.user(b.text(c["text"])), c["id"]


def placed(b: DocBuilder, after: str) -> list[tuple[str, tuple[Block, ...], str]]:
    """The contract's clauses placed after the generated clause `after`."""
    return [clause(b, c) for c in b.p["clauses"] if PLACED.get(c["id"]) == after]


def general(b: DocBuilder, probe: bool = False) -> Any:
    rest = [c for c in b.p["clauses"] if c["id"] not in PLACED]
    if probe:
        return bool(rest)
    return [], [clause(b, c) for c in rest]


def third_party(b: DocBuilder, probe: bool = False) -> Any:
    links = b.p["third_party"]
    if probe:
        return bool(links)
    items = Items(tuple(Para((DocLink(b.text(x["name"]), x["url"]),)) for x in links))
    return [b.para("third_party.intro"), items, b.para("third_party.disclaimer")], []
