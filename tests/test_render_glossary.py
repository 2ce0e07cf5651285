"""Legal glossary (issue 14): the document's own sentences name the parties, the service and the
credit only with the contract's defined terms or the glossary's (templates/strings/glossary.*.toml),
and never with a rendering the glossary rules out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from slac import compile_policy
from slac.render import render_markdown
from slac.render.parties import glossary, parties, quoted_terms
from slac.render.strings import load

from .conftest import CONTRACTS, ROOT

# Words for a party that no catalogue sentence may write out: a party is always a placeholder
# filled from the contract's definitions (or the glossary's term, which the document then defines).
PARTY_WORDS = {
    "zh": ["服务提供方", "服务提供商", "提供方", "供应商", "客户", "用户", "您"],
    "en": [r"\bprovider\b", r"\bcustomers?\b", r"\busers?\b", r"\byou\b", r"(?-i:\bthe Services?\b)"],
}
CREDIT = {"zh": ("服务补偿", ["抵免", "赔偿"]), "en": ("service credit", ["compensation credit", "refund credit"])}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue_sentences_name_parties_only_through_placeholders(lang: str) -> None:
    strings = load(lang).strings
    found = []
    for key, text in strings.items():
        literal = re.sub(r"{\w+}", "", text)
        if key.startswith(("zone.", "region.", "calendar.names", "credit.names", "clause.names")):
            continue
        for pattern in PARTY_WORDS[lang]:
            if re.search(pattern, literal, re.I if lang == "en" else 0):
                found.append((key, text))
    assert not found, found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_credit_has_one_rendering(lang: str) -> None:
    term, avoided = CREDIT[lang]
    g = glossary(lang)
    assert g["credit"]["term"] == term
    strings = load(lang).strings.values()
    assert any(term in s for s in strings)
    for word in [*avoided, *g["avoid"]["terms"]]:
        assert not any(word in s for s in strings), word


def _user_texts(policy: dict[str, Any], lang: str) -> list[str]:
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if lang in value and isinstance(value[lang], str):
                out.append(value[lang])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(policy)
    return sorted(out, key=len, reverse=True)


@pytest.mark.parametrize("contract", [p.stem for p in CONTRACTS])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_generated_text_uses_only_defined_party_terms(contract: str, lang: str) -> None:
    # websoft9 defines provider and customer; acme-crm defines neither (the document defines the glossary's).
    path = ROOT / "contracts" / f"{contract}.sla"
    policy = compile_policy(path.read_text(encoding="utf-8"), file=path.name)
    md = render_markdown(policy, lang)
    generated = md
    for text in _user_texts(policy, lang):
        generated = generated.replace(text, "")
    terms = parties(policy, lang)
    defined = {role: p for role, p in terms.items()}
    for role, party in defined.items():
        if party.defined:
            definition = next(d for d in policy["definitions"] if d["id"] == role)["text"][lang]
            assert party.term in quoted_terms(definition)
        else:
            # The glossary's term: the document states its definition.
            assert f"“{party.term}”" in md, (role, party.term)
    g = glossary(lang)
    for word in g["avoid"]["terms"]:
        assert word not in generated, (contract, lang, word)
    fallback = g["party"]
    for role in ("provider", "customer"):
        if defined[role].defined:
            # A contract that defines the party: the glossary's generic word never stands in for it.
            assert not re.search(
                rf"\b{re.escape(fallback[role])}\b" if lang == "en" else fallback[role], generated
            ) or (fallback[role].casefold() == defined[role].term.casefold()), (contract, lang, role)
