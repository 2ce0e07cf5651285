"""The parties' and the service's terms in one language, as the contract defines them.

A contract names its parties with `define provider { … }` and `define customer { … }` (and the
service with `define service { … }`). The document's own sentences call each by the glossary's
term when the definition quotes it (“you”, “user” and “customer” give customer), else by the first
quoted term of the definition that is not a pronoun (“我”/“我们”/“Websoft9” gives Websoft9). A role the contract does not define takes the glossary's term
(templates/strings/glossary.<lang>.toml), and the document then states that term's definition, so
no sentence uses a term the document leaves undefined.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

ROLES = ("provider", "customer", "service")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,80})[”\"」』]")


@functools.cache
def glossary(lang: str) -> dict[str, Any]:
    """templates/strings/glossary.<lang>.toml, or an empty glossary for a language without one."""
    path = resources.files("slac.templates").joinpath("strings", f"glossary.{lang}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def quoted_terms(text: str) -> list[str]:
    """The terms a definition puts in quotation marks, in order."""
    return [m.group(1).strip() for m in _QUOTED.finditer(text) if m.group(1).strip()]


@dataclass(frozen=True)
class Party:
    role: str
    term: str  # as defined: `Websoft9`, `customer`, `客户`
    defined: bool  # False: the glossary's term, which the document defines itself
    article: bool  # English: "the customer" (a common noun), "Websoft9" (a name)

    @property
    def phrase(self) -> str:
        return f"the {self.term}" if self.article else self.term


def short_term(text: str, pronouns: set[str], preferred: str) -> str | None:
    """The glossary's term when the definition is one of its quoted terms (as the contract spells
    it: “customer”, “Services”), else the definition's first quoted term that is not a pronoun."""
    terms = [t for t in quoted_terms(text) if t.casefold() not in pronouns]
    chosen = [t for t in terms if t.casefold() == preferred.casefold()]
    found = chosen or terms
    return found[0] if found else None


def parties(policy: dict[str, Any], lang: str) -> dict[str, Party]:
    """Each role's term in `lang`: from the contract's definition, else from the glossary."""
    g = glossary(lang).get("party", {})
    pronouns = {p.casefold() for p in g.get("pronouns", [])}
    nouns = {n.casefold() for n in g.get("common_nouns", [])}
    defs = {d["id"]: d["text"] for d in policy["definitions"]}
    out = {}
    for role in ROLES:
        texts = defs.get(role) or {}
        text = texts.get(lang) or ""
        term = short_term(text, pronouns, str(g.get(role, role))) if text else None
        defined = term is not None
        if term is None:
            term = str(g.get(role, role))
        out[role] = Party(role, term, defined, term.casefold() in nouns)
    return out


def values(parts: dict[str, Party]) -> dict[str, str]:
    """Catalogue placeholders: `{provider}` ("Websoft9", "the customer") and the same capitalised
    for a sentence's start (`{Customer}`: "The customer")."""
    out: dict[str, str] = {}
    for role, party in parts.items():
        out[role] = party.phrase
        out[role.capitalize()] = party.phrase[:1].upper() + party.phrase[1:]
        out[f"{role}_term"] = party.term
    return out
