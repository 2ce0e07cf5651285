"""The key of a changed term: a structured value (section, id, part, argument), shown as `tier:gold/response:high`.

The string form is what the changelog's JSON calls `term`; code that needs to know what a
change is about (the reference-month figures, `slac.change.figures`) reads the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, order=True)
class Key:
    """`section:ident/part:arg`, each piece optional after the section (`cap`, `cap/per`, `contract:language:en`)."""

    section: str  # contract, tier, priority, channel, objective, calendar, credit, cap, claim, …
    ident: str | None = None  # the entity's id (a tier, a credit…) or the term of a section (`version`)
    part: str | None = None  # the term of that entity (`response`, `uptime`, `bands`…)
    arg: str | None = None  # what the part is about (a priority, a tier, a metric, a language…)

    def __str__(self) -> str:
        text = self.section
        if self.ident is not None:
            text += f":{self.ident}"
        if self.part is not None:
            text += f"/{self.part}"
        if self.arg is not None:
            text += f":{self.arg}"
        return text

    def of(self, ident: str) -> Key:
        """This key for one entity (a row of the table of terms names the part, the entity comes later)."""
        return replace(self, ident=ident)

    @classmethod
    def parse(cls, text: str) -> Key:
        """The key of a `term` string, for callers that hold strings (ids holding `:` or `/` stay in `ident`)."""
        head, slash, tail = text.partition("/")
        section, colon, ident = head.partition(":")
        if not slash:
            return cls(section, ident if colon else None)
        part, colon2, arg = tail.partition(":")
        return cls(section, ident if colon else None, part, arg if colon2 else None)
