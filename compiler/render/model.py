"""Policy → document model (`doc.DocModel`) in one language.

The structure (which sections, clauses, rows and numbers exist) depends only on the policy, never on
the language, so every edition of a contract has the same clause numbering and two editions can be
zipped clause by clause into a bilingual one. `DocBuilder` holds the policy, the catalogue and the
formatter of one language and the shared wording helpers; each section is written by a function of
`sections/` (`sections.SECTIONS` is their order).
"""

from __future__ import annotations

import re
from typing import Any

from .doc import Block, DocClause, DocLink, DocModel, DocSection, Inline, Items, Para, Table, anchor_of, clause_anchors
from .formats import Formatter
from .parties import Party, parties
from .parties import values as party_values
from .sections import SECTIONS
from .strings import Catalogue, load

__all__ = ["Block", "DocBuilder", "DocLink", "DocModel", "Items", "Para", "Table", "build_document"]

_MARK = re.compile("\x00(\\d+)\x00")


class DocBuilder:
    """What every section's builder reads: the policy `p`, catalogue `c`, formatter `f`, numbers."""

    def __init__(self, policy: dict[str, Any], lang: str, results: dict[int, Any] | None) -> None:
        self.p = policy
        self.lang = lang
        self.c: Catalogue = load(lang)
        locale = (policy.get("locales") or {}).get(lang)
        self.f = Formatter(self.c, timezone=policy["timezone"] or "UTC", locale=locale)
        # The contract's own terms for the parties and the service (see `parties`); every catalogue
        # sentence may name them as {provider}, {customer}, {service} ({Provider}… at a sentence start).
        self.parties: dict[str, Party] = parties(policy, lang)
        self.party_values = party_values(self.parties)
        self.results = results or {}
        self.tiers = {t["id"]: t for t in policy["tiers"]}
        self.priorities = {p["id"]: p for p in policy["priorities"]}
        self.channels = {c["id"]: c for c in policy["channels"]}
        self.calendars = {c["id"]: c for c in policy["calendars"]}
        self.numbers: dict[str, str] = {}
        self.anchors: dict[tuple[str, str], str] = {}  # (section, clause id) → the anchor it was given
        self.placed: list[list[str]] = []  # each section's clause anchors, in order (see `place`)
        self.clause_numbers: dict[tuple[str, str], str] = {}  # (section, clause id) → its number, for later sections
        # A contract measured per calendar quarter or year reads "quarterly uptime": `windowed.quarter.KEY`.
        window = (policy.get("availability") or {}).get("window") or "calendar_month"
        self.window = window.removeprefix("calendar_")

    def text(self, texts: dict[str, str] | None, fallback: str = "") -> str:
        if not texts:
            return fallback
        # The checks guarantee every declared language; the original is the safe fallback.
        return texts.get(self.lang) or texts[self.p["languages"][0]]

    def t(self, key: str, **values: object) -> str:
        if self.window != "month" and self.c.has(f"windowed.{self.window}.{key}"):
            key = f"windowed.{self.window}.{key}"
        return self.c.t(key, **self.party_values, **values)

    def plural(self, key: str, count: object, **values: object) -> str:
        return self.c.plural(key, count, **self.party_values, **values)

    def plural_para(self, key: str, count: object, **values: Inline | list[DocLink]) -> Para:
        """`para` with the plural form of `key` for `count`."""
        from .strings import _locale

        form = _locale(self.c.locale).plural_form(count)
        return self.para(f"{key}.{form}" if self.c.has(f"{key}.{form}") else f"{key}.other", **values)

    def para(self, key: str, **values: Inline | list[DocLink]) -> Para:
        """A catalogue sentence whose placeholders may be links."""
        links: dict[str, DocLink] = {}
        plain: dict[str, object] = {}
        for k, v in values.items():
            if isinstance(v, DocLink):
                links[k] = v
            elif isinstance(v, list):  # several links, listed as the language lists things
                listed, pos = self.f.items([link.text for link in v]), 0
                for n, link in enumerate(v):  # each item's text becomes its link's mark, in order
                    links[f"{k}.{n}"] = link
                    at = listed.index(link.text, pos)
                    mark = f"\x00{k}.{n}\x00"
                    listed = listed[:at] + mark + listed[at + len(link.text) :]
                    pos = at + len(mark)
                plain[k] = listed
            else:
                plain[k] = v
        order = list(links)
        index = {k: i for i, k in enumerate(order)}
        text = self.t(key, **plain, **{k: f"\x00{i}\x00" for i, k in enumerate(order) if "." not in k})
        text = re.sub("\x00([^\x00]+\\.\\d+)\x00", lambda m: f"\x00{index[m.group(1)]}\x00", text)
        parts: list[Inline] = []
        for i, piece in enumerate(_MARK.split(text)):
            if i % 2:
                parts.append(links[order[int(piece)]])
            elif piece:
                parts.append(piece)
        return Para(tuple(parts))

    def user(self, text: str) -> tuple[Para, ...]:
        """User text as paragraphs: a blank line starts a paragraph, a single line break continues
        one (a Chinese line joins without a space, other text with one)."""
        paras = []
        for chunk in re.split(r"\n[ \t]*\n", text):
            lines = [line.strip() for line in chunk.split("\n") if line.strip()]
            if lines:
                joined = lines[0]
                for line in lines[1:]:
                    cjk = joined[-1:] >= "\u2e80" or line[:1] >= "\u2e80"
                    joined += ("" if cjk else " ") + line
                paras.append(Para((joined,)))
        return tuple(paras)

    def name(self, thing: dict[str, Any] | None, ident: str) -> str:
        return self.text(thing.get("name") if thing else None, ident)

    def tier_name(self, ident: str) -> str:
        return self.name(self.tiers.get(ident), ident)

    def priority_name(self, ident: str) -> str:
        return self.name(self.priorities.get(ident), ident)

    def calendar_label(self, ident: str) -> str:
        cal = self.calendars.get(ident)
        if cal and cal.get("name"):  # the contract's own defined term (v2 `name` on a calendar)
            return self.name(cal, ident)
        if cal and cal["always_open"]:
            return self.t("calendar.always_open")
        key = f"calendar.names.{ident}"
        return self.t(key) if self.c.has(key) else self.t("calendar.named", name=ident)

    def amount(self, amount: dict[str, Any], *, per_miss: bool = False) -> str:
        """An amount in words; `per_miss`: of a per-miss credit, whose `service_charges` are the customer's
        charges for every scope (the “Total Charges”), not one scope's (the “Applicable Charges”), and
        whose formula stands in a sentence that already says it is an amount."""
        from .sections.v2 import amount as v2_amount

        extended = v2_amount(self, amount, per_miss)  # days of service, formulas (language v2)
        if extended is not None:
            return extended
        if "share" in amount:
            basis = amount["basis"]
            key = f"basis.{basis}_total" if per_miss and basis == "service_charges" else f"basis.{basis}"
            return self.t(
                "amount.share", share=self.f.percent(amount["share"]), basis=self.t(key) if self.c.has(key) else basis
            )
        return self.f.money(amount["money"], amount["currency"])

    def word(self, group: str, value: str) -> str:
        key = f"{group}.{value}"
        return self.t(key) if self.c.has(key) else value.replace("_", " ")

    def known(self, group: str, ident: str, fallback: str) -> str:
        return self.c.get(f"{group}.{ident}", fallback)

    def build(self) -> DocModel:
        # Number first (cross-references need the numbers), then build each section. Whether a
        # section exists never depends on a number, so the probe may run with placeholders.
        self.numbers = {key: "0" for key, _ in SECTIONS}
        present = [(key, fn) for key, fn in SECTIONS if fn(self, probe=True)]
        self.numbers = {key: str(i) for i, (key, _) in enumerate(present, 1)}
        # Which clauses each section has never depends on a clause's number or anchor either: a first build
        # gives them all, so that the second links every reference to its clause, a later one's too (3.1 → 5.2).
        self.place([(key, fn(self)[1]) for key, fn in present])
        sections = []
        for i, (key, fn) in enumerate(present, 1):
            intro, clauses = fn(self)
            numbered = tuple(
                DocClause(number=f"{i}.{j}", heading=heading, blocks=blocks, anchor=anchor)
                for j, ((heading, blocks, *_), anchor) in enumerate(zip(clauses, self.placed[i - 1], strict=True), 1)
            )
            sections.append(DocSection(str(i), key, self.t(f"section.{key}"), tuple(intro), numbered))
        contract = self.p["contract"]
        original = self.p["languages"][0]
        return DocModel(
            lang=self.lang,
            original=original,
            contract_id=contract["id"],
            title=self.text(self.p.get("title"), contract["id"]),
            meta=self.meta(original),
            sections=tuple(sections),
            labels={k: self.t(f"label.{k}") for k in ("contents", "not_measured")},
        )

    def meta(self, original: str) -> tuple[Para, ...]:
        """Version and effective date, then which language is the original."""
        contract = self.p["contract"]
        meta = []
        facts = []
        if contract.get("version"):
            facts.append(self.t("meta.version", version=contract["version"]))
        if contract.get("effective"):
            facts.append(self.t("meta.effective", date=self.f.date(contract["effective"])))
        if facts:
            meta.append(Para((self.t("meta.separator").join(facts),)))
        meta.append(self.para("meta.original", language=self.language_name(original)))
        return tuple(meta)

    def language_name(self, code: str) -> str:
        from babel import Locale

        try:
            return str(Locale.parse(code).get_display_name(self.c.locale))
        except (ValueError, LookupError):
            return code

    def exclusion_ref(self, ident: str) -> str:
        ids = [x["id"] for x in self.p["exclusions"]]
        return f"{self.numbers['limitations']}.{ids.index(ident) + 1}" if ident in ids else ident

    def place(self, sections: list[tuple[str, list[Any]]]) -> None:
        """Number and name the clauses of the sections (key, clauses as the section's builder returns them):
        `placed` holds each section's anchors in order, `anchors` and `clause_numbers` those of clauses with an id."""
        ids = [(key, [ident[0] if ident else None for _, _, *ident in clauses]) for key, clauses in sections]
        self.placed = clause_anchors(ids)
        for i, ((key, names), anchors) in enumerate(zip(ids, self.placed, strict=True), 1):
            for j, (name, anchor) in enumerate(zip(names, anchors, strict=True), 1):
                if name is not None:
                    self.anchors[(key, name)] = anchor
                    self.clause_numbers[(key, name)] = f"{i}.{j}"

    def ref(self, number: str, section: str, ident: str | None = None) -> DocLink:
        """A cross-reference ("第 5.5 条") as a link to clause `ident` of `section`, or to the section itself."""
        if ident is None:
            return DocLink(number, "#" + anchor_of(section))
        return DocLink(number, "#" + self.anchors.get((section, ident), anchor_of(ident)))

    def exclusion_links(self, idents: list[str]) -> list[DocLink]:
        return [self.ref(self.exclusion_ref(x), "limitations", x) for x in idents]


def build_document(policy: dict[str, Any], lang: str, *, results: dict[int, Any] | None = None) -> DocModel:
    """The document model of `policy` in `lang` (results: computed example results by index)."""
    return DocBuilder(policy, lang, results).build()
