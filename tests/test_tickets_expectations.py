"""A failing `expect missed resolutions|updates` is an E0712 at its own line, in the words the editor wrote."""

from __future__ import annotations

import pytest

from slac.driver import compile_source

from .conftest import ROOT

SOURCE = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("written", "wrong", "actual"),
    [
        ("expect missed updates 1", "expect missed updates 2", "1"),  # 10:15 → 11:30 is the one gap over 1h
        ("expect missed resolutions 20", "expect missed resolutions 19", "20"),  # 20 tickets resolved 3h after opening
    ],
)
def test_a_wrong_ticket_expectation_is_named_at_its_line(written: str, wrong: str, actual: str) -> None:
    assert SOURCE.count(written) == 1
    source = SOURCE.replace(written, wrong)
    line = source[: source.index(wrong)].count("\n") + 1
    compiled = compile_source(source, file="harbor-desk.sla")
    errors = [d for d in compiled.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["E0712"]
    assert errors[0].span.line == line
    kind = wrong.rsplit(" ", 1)[0].removeprefix("expect ")
    assert f"expects {kind} {wrong.rsplit(' ', 1)[1]}, but the evaluator computes {actual}" in errors[0].message
    assert f"`expect {kind} {actual}`" in (errors[0].hint or "")


def test_an_example_moved_out_of_its_tickets_period_gives_diagnostics() -> None:
    # The ticket of the last example is opened in 2026-Q2; in 2036-Q2 it is not in the period at all.
    source = SOURCE.replace(
        "period 2026-Q2\n    ticket p1 opened 2026-05-20", "period 2036-Q2\n    ticket p1 opened 2026-05-20"
    )
    assert source != SOURCE
    compiled = compile_source(source, file="harbor-desk.sla")
    assert compiled.diagnostics and all(d.code.startswith(("E", "W")) for d in compiled.diagnostics)
