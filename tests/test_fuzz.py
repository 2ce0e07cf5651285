"""Grammar-generated, re-valued and mutated contracts: only slac diagnostics, never an exception, each in under 1 s.

Short by default and in CI (the `ci` profile); a long campaign is
`HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz.py` (20k examples per test).
The coverage-guided harness is `tests/fuzz/fuzz_compile.py` (atheris).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slac
from slac.errors import Diagnostic, SlaError, format_github, format_json, format_text

from .strategies import grammar_contracts, mutated_contracts, revalued_contracts

# The bound: no input may take a second. Hypothesis re-runs a slow example before failing.
BOUND = settings(
    deadline=timedelta(seconds=1), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

CODE = re.compile(r"[EW]\d{4}")


def _well_formed(diagnostics: list[Diagnostic], source: str) -> None:
    lines = source.count("\n") + 1
    for d in diagnostics:
        assert CODE.fullmatch(d.code), d
        assert d.severity == ("warning" if d.code.startswith("W") else "error"), d
        assert d.message.strip(), d
        for span in d.spans:
            assert 1 <= span.line <= lines + 1 and span.column >= 1, (d, lines)
    # Every output format works on them, and the text is printable UTF-8.
    format_text(diagnostics, {"fuzz.sla": source}).encode("utf-8")
    json.loads(format_json(diagnostics))
    format_github(diagnostics).encode("utf-8")


def _compile(source: str) -> None:
    """compile_policy either returns a policy that serialises, or raises SlaError with errors."""
    try:
        policy = slac.compile_policy(source, file="fuzz.sla")
    except SlaError as exc:
        assert any(d.severity == "error" for d in exc.diagnostics), exc.diagnostics
        return
    text = slac.policy_json(policy)
    assert json.loads(text) == json.loads(slac.policy_json(json.loads(text)))


@BOUND
@given(grammar_contracts())
def test_grammar_generated_contracts(source: str) -> None:
    _well_formed(slac.check(source, file="fuzz.sla"), source)
    _compile(source)


@BOUND
@given(revalued_contracts())
def test_revalued_contracts(source: str) -> None:
    _well_formed(slac.check(source, file="fuzz.sla"), source)
    _compile(source)


@BOUND
@given(mutated_contracts())
def test_mutated_contracts(source: str) -> None:
    _well_formed(slac.check(source, file="fuzz.sla"), source)
    _compile(source)


@BOUND
@given(st.text(max_size=300))
def test_arbitrary_text(source: str) -> None:
    _well_formed(slac.check(source, file="fuzz.sla"), source)


def test_generated_contracts_reach_every_stage() -> None:
    """The generators are worth running: they produce syntax errors, semantic errors and compiled policies."""
    reached: set[str] = set()

    @settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(revalued_contracts(), grammar_contracts()))
    def collect(source: str) -> None:
        found = slac.check(source, file="fuzz.sla")
        errors = [d for d in found if d.severity == "error"]
        if not errors:
            reached.add("policy")
        for d in errors:
            reached.add("syntax" if d.code < "E0200" else "values" if d.code < "E0300" else "semantics")

    collect()
    assert reached >= {"syntax", "values", "semantics", "policy"}, reached
