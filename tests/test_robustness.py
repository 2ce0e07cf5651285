"""No input makes `slac check` raise: mutated contracts give diagnostics, never tracebacks."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slac

from .conftest import CONTRACTS

SOURCES = [p.read_text(encoding="utf-8") for p in CONTRACTS]
# Characters that matter to the lexer, plus some that do not belong at all.
ALPHABET = st.sampled_from(list('{}"#\n %:-.,0123456789hdminsT+Zxabc_zhen\t\\') + ["\u200b", "é", "服"])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if action == "truncate":
            text = text[:pos]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)) :]
        else:
            chunk = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=6)))
            end = pos + (len(chunk) if action == "replace" else 0)
            text = text[:pos] + chunk + text[end:]
    return text


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_contracts_give_diagnostics_not_exceptions(source: str) -> None:
    diagnostics = slac.check(source, file="fuzz.sla")
    for d in diagnostics:
        assert d.span.line >= 1 and d.span.column >= 1
        assert d.message


@settings(max_examples=100)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(source: str) -> None:
    slac.check(source, file="fuzz.sla")
