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


def test_an_expected_claim_deadline_of_a_contract_without_one_is_told_to_add_one() -> None:
    """The hint used to say to write `expect claim by no claim deadline`, which is no statement."""
    nimbus = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    claim = '  claim within 2 billing cycles via "https://console.nimbus.example/support"\n'
    assert nimbus.count(claim) == 1 and "expect claim by" in nimbus
    compiled = compile_source(nimbus.replace(claim, ""), file="nimbus-cloud.sla")
    errors = [d for d in compiled.diagnostics if d.code == "E0712"]
    assert errors and all("but the evaluator computes no claim deadline" in d.message for d in errors)
    assert all(
        "add one (`claim within 30d`)" in (d.hint or "") and "write `expect" not in (d.hint or "") for d in errors
    )


def test_a_services_uptime_expectation_is_told_to_keep_its_service() -> None:
    """`expect uptime 99.95% for compute us_east` was told to write `expect uptime 99.99%` (dropping the
    scope), and one for a scope the example has not, to write `expect uptime no scope compute ap_south`."""
    nimbus = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    line = "    expect uptime 99.89% for compute eu_west\n"
    assert nimbus.count(line) == 1
    wrong = compile_source(nimbus.replace(line, "    expect uptime 99.95% for compute eu_west\n"), file="n.sla")
    (d,) = [d for d in wrong.diagnostics if d.code == "E0712"]
    assert "write `expect uptime 99.89% for compute eu_west`" in (d.hint or ""), d.hint
    missing = compile_source(nimbus.replace(line, "    expect uptime 99.89% for compute ap_south\n"), file="n.sla")
    (d,) = [d for d in missing.diagnostics if d.code == "E0712"]
    assert "no scope compute ap_south" in d.message and "write `expect" not in (d.hint or ""), d.hint
