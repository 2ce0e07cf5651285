"""A count that must be at least 1 (termination months, billing cycles to claim) is E0224 at the number, not a
policy that fails its schema later with no position (found by tests/test_fuzz.py)."""

from __future__ import annotations

import pytest

from slac.driver import compile_source

from .conftest import ROOT

SOURCE = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("written", "zero"),
    [
        ("for 3 consecutive months", "for 0 consecutive months"),
        ("claim within 2 billing cycles", "claim within 0 billing cycles"),
    ],
)
def test_a_zero_count_is_named_at_the_number(written: str, zero: str) -> None:
    assert SOURCE.count(written) == 1
    source = SOURCE.replace(written, zero)
    start = source.index(zero)
    line = source[:start].count("\n") + 1
    column = start - source.rfind("\n", 0, start) + zero.index("0")
    compiled = compile_source(source, file="nimbus-cloud.sla")
    assert compiled.policy is None
    errors = [d for d in compiled.diagnostics if d.severity == "error"]
    assert [(d.code, d.span.line, d.span.column) for d in errors] == [("E0224", line, column)]


def test_one_is_enough() -> None:
    source = SOURCE.replace("for 3 consecutive months", "for 1 consecutive months")
    assert not [
        d for d in compile_source(source, file="nimbus-cloud.sla", examples=False).diagnostics if d.code == "E0224"
    ]


@pytest.mark.parametrize(
    ("written", "over"),
    [
        ("for 3 consecutive months", "for 121 consecutive months"),
        ("claim within 2 billing cycles", "claim within 1000000 billing cycles"),
    ],
)
def test_a_count_over_ten_years_of_months_is_named_at_the_number(written: str, over: str) -> None:
    """Not 'the examples cannot be evaluated: year -81307 is out of range' (a million months)."""
    source = SOURCE.replace(written, over)
    start = source.index(over) + over.index("1")
    line = source[:start].count("\n") + 1
    column = start - source.rfind("\n", 0, start)
    errors = [d for d in compile_source(source, file="nimbus-cloud.sla").diagnostics if d.severity == "error"]
    assert [(d.code, d.span.line, d.span.column) for d in errors] == [("E0226", line, column)]
    assert "over the limit of 120" in errors[0].message


@pytest.mark.parametrize(
    ("written", "most"),
    [("for 3 consecutive months", "for 120 consecutive months"), ("within 2 billing", "within 120 billing")],
)
def test_ten_years_of_months_is_allowed(written: str, most: str) -> None:
    source = SOURCE.replace(written, most)
    assert not [
        d for d in compile_source(source, file="nimbus-cloud.sla", examples=False).diagnostics if d.code == "E0226"
    ]
