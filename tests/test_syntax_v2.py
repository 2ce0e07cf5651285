"""Friendly syntax errors for the terms of language v2, part 1, in a whole contract.

tests/test_syntax.py proves that every snippet of grammar/syntax_errors.toml maps to its own entry in a
small wrapper; here the same slips are made in nimbus-cloud.sla itself, the way a contract editor would,
and the diagnostic must point at the contract's own line and column and say what to write instead.
"""

from __future__ import annotations

import pytest

import slac
from slac.errors import SlaError, format_text

from .conftest import ROOT

NIMBUS = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")


def broken(old: str, new: str) -> str:
    """nimbus-cloud.sla with the first occurrence of `old` written as `new`."""
    assert old in NIMBUS, old
    return NIMBUS.replace(old, new, 1)


def line_of(source: str, text: str) -> int:
    return source[: source.index(text)].count("\n") + 1


def diagnose(source: str) -> slac.Diagnostic:
    with pytest.raises(SlaError) as info:
        slac.parse(source, file="nimbus-cloud.sla")
    return info.value.diagnostics[0]


# (line of nimbus-cloud.sla, how an editor might write it, the word the error points at, words of the message,
#  words of the hint)
CASES = [
    ("measured per region", "measured by region", "by", "`measured per region`", "own line"),
    (
        "downtime when error_rate above 5% per 5min",
        "downtime when error_rate above 5% every 5min",
        "every",
        "`downtime when error_rate above P per D`",
        "`downtime when error_rate above 5% per 5min`",
    ),
    (
        "downtime when error_rate above 5% per 5min",
        "downtime when error_rate above 0.05 per 5min",
        "0.05",
        "a percentage of the requests",
        "(not `0.05`)",
    ),
    (
        "uptime 99.9%  for object_storage",
        "uptime 99.9% object_storage",
        "object_storage",
        "`uptime P for SERVICE`",
        "`uptime 99.9% for compute`",
    ),
    (
        "downtime    counted in whole minutes",
        "downtime    counted in minutes",
        "minutes",
        "`downtime counted in whole minutes`",
        "cut down to whole minutes",
    ),
    (
        "window      calendar month",
        "window      calendar-month",
        "-month",
        "`window calendar quarter`",
        "without quotes or a hyphen",
    ),
    (
        "maintenance notice 5d limit 8h per year",
        "maintenance notice 5d limit 8h a year",
        "a year",
        "`limit D per year`",
        "announced at least 5 days ahead",
    ),
    (
        "minimum credit 1 USD per month",
        "minimum credit 1 USD a month",
        "a month",
        "the span it applies to",
        "`minimum credit 1 USD per month`",
    ),
    (
        "minimum credit 1 USD per month",
        "minimum credit USD 1 per month",
        "USD",
        "currency code comes after",
        "number first",
    ),
    (
        "claim within 2 billing cycles",
        "claim within 2 billing periods",
        "periods",
        "`within N billing cycles`",
        "second billing period",
    ),
    (
        "terminate when uptime below 99.0% for 3 consecutive months",
        "terminate when uptime below 99.0% for 3 months",
        "months",
        "`terminate when uptime below P for N consecutive months`",
        "for each service in each region",
    ),
    ("when uptime at or below 95.0%", "when uptime at most 95.0%", "most", "`at or below`", "leaves out the threshold"),
    ("requires good_standing", "requires good standing", "standing", "one condition", "`requires good_standing`"),
    (
        "period 2026-05\n    charges compute us_east 800 USD",
        "period 2026-5\n    charges compute us_east 800 USD",
        "2026-5",
        "`2026-Q2` (a quarter)",
        "capital Q",
    ),
    ("charges compute us_east 800 USD", "charges compute us-east 800 USD", "-", "lower case", "`us_east`"),
    (
        "expect claim by 2026-07-31",
        "expect claim before 2026-07-31",
        "before",
        "`expect claim by YYYY-MM-DD`",
        "last day",
    ),
    (
        "expect termination right",
        "expect termination",
        "\n",
        "`expect termination right`",
        "names no service or region",
    ),
    ("condition good_standing unmet", "condition good_standing not met", "not", "`condition NAME unmet`", "is met"),
    (
        "expect uptime 99.89% for compute eu_west",
        "expect uptime 99.89% for compute in eu_west",
        "eu_west",
        "`expect uptime P for SERVICE REGION`",
        "one line per scope",
    ),
    (
        'example en "credits under 1 USD are not paid" zh',
        'example en "credits under 1 USD are not paid"',
        '"不足',
        "one text per language each after its code",
        '`example en "…" zh "…" {`',
    ),
]


@pytest.mark.parametrize("old,new,at,message,hint", CASES, ids=[c[1][:40] for c in CASES])
def test_a_v2_slip_in_the_contract_is_explained_at_its_place(
    old: str, new: str, at: str, message: str, hint: str
) -> None:
    source = broken(old, new)
    diag = diagnose(source)
    line = line_of(source, new)
    text = source.split("\n")[line - 1]
    start = text.index(new.split("\n")[0])
    if at == "\n":  # the statement ends too early: the error is at the end of its line
        column = len(text) + 1
    else:  # `at` is where the error is: the first place in the rewritten line, or just after it
        column = text.index(at, start) + 1
    assert (diag.span.file, diag.span.line) == ("nimbus-cloud.sla", line)
    assert diag.span.column == column, (diag.span, text)
    assert message in diag.message, diag.message
    assert diag.hint is not None and hint in diag.hint, diag.hint


def test_the_formatted_error_names_file_line_column_and_the_fix() -> None:
    source = broken("requires good_standing", "requires good standing")
    line = line_of(source, "requires good standing")
    with pytest.raises(SlaError) as info:
        slac.parse(source, file="nimbus-cloud.sla")
    shown = format_text(info.value.diagnostics, {"nimbus-cloud.sla": source})
    column = source.split("\n")[line - 1].index("standing") + 1
    assert f"nimbus-cloud.sla:{line}:{column}: error" in shown
    assert "requires good standing" in shown  # the offending line is quoted
    assert "`requires good_standing`" in shown  # and the hint says what to write


def test_a_service_block_without_braces() -> None:
    source = broken("service compute {", "service compute")
    diag = diagnose(source)
    assert diag.code == "E0120" and diag.span.line == line_of(source, "service compute")
    assert "`service compute {`" in (diag.hint or "")


def test_the_v2_entries_do_not_change_what_good_contracts_parse() -> None:
    # The bundled contracts still parse: no entry came with a grammar change.
    assert slac.parse(NIMBUS, file="nimbus-cloud.sla").sla.name.value == "nimbus_cloud"


@pytest.mark.parametrize(
    ("block", "line", "where"),
    [
        ("availability", "measured per region", "`service { … }`"),
        ("credit", "measured per region", "`service { … }`"),
        ("tier", "maintenance notice 5d limit 8h per year", "`exclude { … }`"),
    ],
)
def test_a_v2_statement_in_the_wrong_block_says_where_it_belongs(block: str, line: str, where: str) -> None:
    head = {"availability": "availability {", "credit": "credit c {", "tier": "tier t {"}[block]
    source = f"sla x {{\n  {head}\n    {line}\n  }}\n}}\n"
    diag = diagnose(source)
    assert diag.code == "E0104" and (diag.span.line, diag.span.column) == (3, 5)
    assert where in diag.message and "move the line into" in (diag.hint or "")
