"""Unknown words at the start of a statement: `unknown statement`, with a suggestion from the keyword list."""

from __future__ import annotations

import pytest

import slac
from slac import syntax
from slac.errors import SlaError


def first_error(source: str) -> slac.Diagnostic:
    with pytest.raises(SlaError) as info:
        slac.parse(source, file="t.sla")
    return info.value.diagnostics[0]


def block(kind: str, line: str) -> str:
    head = {"sla": "", "tier": "tier t {", "credit": "credit c {", "calendar": "calendar c {"}[kind]
    if not head:
        return f'sla x {{\n  title en "X"\n  {line}\n}}\n'
    return f"sla x {{\n  {head}\n    {line}\n  }}\n}}\n"


def test_a_statement_of_another_block_is_an_unknown_statement_not_a_missing_quote() -> None:
    # The v1 answer to `minimum credit 1 USD` was "expected a quoted text"; language v2 made
    # `minimum credit MONEY per month` a contract statement, so `window` (availability's) stands in.
    diag = first_error(block("sla", "window calendar month"))
    assert diag.code == "E0104"
    assert diag.message.startswith("unknown statement `window`")
    assert "did you mean" in diag.message and "`availability { … }`" in diag.message
    assert "quoted" not in diag.message and diag.hint is not None and '"' not in diag.hint
    # The underline is the unknown word: line 3, columns 3-9 ("  window").
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (3, 3, 9)


def test_minimum_credit_without_its_period_names_what_is_missing() -> None:
    diag = first_error(block("sla", "minimum credit 1 USD"))
    assert diag.code == "E0101" and "`per`" in diag.message


@pytest.mark.parametrize(
    "kind,line,suggestion",
    [
        ("sla", "tierr premium {", "did you mean `tier`?"),
        ("credit", "wehn uptime below 99% 10% of monthly_fee", "did you mean `when`?"),  # a block without texts
        ("calendar", "hour mon-fri 09:00-17:00", "did you mean `hours`?"),
    ],
)
def test_misspelt_statement_gets_the_nearest_statement_of_its_block(kind: str, line: str, suggestion: str) -> None:
    diag = first_error(block(kind, line))
    word = line.split()[0]
    assert diag.code == "E0104" and diag.message == f"unknown statement `{word}`"
    assert diag.hint == suggestion


def test_language_code_without_text_keeps_its_hint() -> None:
    diag = first_error(block("tier", "fr foo"))
    assert diag.code == "E0104" and diag.message == "unknown statement `fr`"
    assert diag.hint is not None and "language code" in diag.hint and "`respond`" in diag.hint


def test_statement_keywords_come_from_the_parser() -> None:
    blocks = syntax.statement_keywords()
    assert {"respond", "uptime", "name"} <= blocks["tier"]
    assert "minimum" in blocks["availability"] and "minimum" in blocks["sla"]  # v2: `minimum credit`
    assert "window" in blocks["availability"] and "window" not in blocks["sla"]
    # Every statement keyword is one of the grammar's keywords.
    assert set().union(*blocks.values()) <= syntax.keywords()
