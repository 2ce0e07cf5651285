"""Two real public SLAs written in slac from their published text (examples/public/*.sla).

Each must compile without a diagnostic, and each of its examples must hold under the real evaluator. The
examples' expected numbers were worked out by hand from the published terms (the arithmetic is beside
each example); here they are worked out once more, independently, with exact fractions, so that a number
copied from the evaluator into the contract would be caught. docs/public-slas.md lists every published
term and what became of it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest

from slac import compile_policy
from slac.driver import compile_source
from slac.errors import SlaError
from slac.runtime import load_policy
from slac.runtime.examples import run_examples

from .conftest import ROOT

PUBLIC = ROOT / "examples" / "public"
SLAS = sorted(PUBLIC.glob("*.sla"))


def source(name: str) -> str:
    return (PUBLIC / name).read_text(encoding="utf-8")


def test_there_are_two_public_slas_and_their_table() -> None:
    assert [p.name for p in SLAS] == ["aws-compute.sla", "slack.sla"]
    table = (ROOT / "docs" / "public-slas.md").read_text(encoding="utf-8")
    for heading in ("## Amazon Compute", "## Slack"):
        assert heading in table
    assert "not expressible" in table  # the table says what could not be written, not only what could


@pytest.mark.parametrize("path", SLAS, ids=lambda p: p.name)
def test_compiles_without_any_diagnostic(path) -> None:
    compiled = compile_source(path.read_text(encoding="utf-8"), file=path.name)
    assert compiled.policy is not None, compiled.diagnostics
    assert not compiled.diagnostics, compiled.diagnostics


@pytest.mark.parametrize("path", SLAS, ids=lambda p: p.name)
def test_every_example_holds(path) -> None:
    policy = compile_policy(path.read_text(encoding="utf-8"), file=path.name)
    results = run_examples(load_policy(policy))
    assert len(results) == 7
    for result in results:
        assert result.checks, result.title
        for check in result.checks:
            assert check.ok, f"{result.title}: line {check.line}: expected {check.expected}, got {check.actual}"


def money(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def expected_credits(name: str) -> dict[str, Decimal]:
    policy = compile_policy(source(name), file=name)
    return {
        ex["title"]: Decimal(ex["expect"]["credit"]["amount"]) for ex in policy["examples"] if "credit" in ex["expect"]
    }


# 2026-Q2 (UTC): April 1 to July 1 = 30 + 31 + 30 days.
Q2_MINUTES = (30 + 31 + 30) * 24 * 60


def slack_credit(fee: int, down_minutes: int) -> Decimal:
    """Slack: below 99.99 % in the quarter, 10 × what the workspace paid for the time it was down."""
    if Fraction(Q2_MINUTES - down_minutes, Q2_MINUTES) >= Fraction(9999, 10000):
        return Decimal("0.00")
    return money(10 * Fraction(fee) * Fraction(down_minutes, Q2_MINUTES))


def test_slack_credits_recomputed() -> None:
    got = expected_credits("slack.sla")
    assert got["an hour down in the quarter: ten times what the hour cost"] == slack_credit(3000, 60)
    assert got["13 minutes are within the commitment, 14 are not"] == slack_credit(3000, 14)
    assert got["13 minutes in the quarter earn nothing"] == slack_credit(3000, 13) == Decimal("0.00")
    # announced 24 h ahead of a 48 h notice: all 4 h count
    assert got["maintenance announced a day ahead is downtime"] == slack_credit(3000, 4 * 60)
    # 10 h a year: February used 6 h, so 4 of May's 6 h are excluded and 2 h count
    assert got["maintenance beyond 10 hours in the year is downtime"] == slack_credit(3000, (6 + 6 - 10) * 60)


MAY_MINUTES = 31 * 24 * 60


def aws_credit(charges: int, down_minutes: int, month_minutes: int = MAY_MINUTES) -> Decimal:
    """AWS Region-Level SLA: 10 % below 99.99 %, 30 % below 99.0 %, 100 % below 95.0 %; nothing under 1 USD."""
    uptime = Fraction(month_minutes - down_minutes, month_minutes)
    share = next((s for limit, s in ((Fraction(95, 100), 100), (Fraction(99, 100), 30)) if uptime < limit), None)
    if share is None:
        share = 10 if uptime < Fraction(9999, 10000) else 0
    credit = Fraction(charges * share, 100)
    return money(credit) if credit >= 1 else Decimal("0.00")


def test_aws_credits_recomputed() -> None:
    got = expected_credits("aws-compute.sla")
    assert got["an hour down in one region: 10 % of that region's charges"] == aws_credit(1000, 60) + aws_credit(500, 0)
    assert got["ten hours down: 30 %"] == aws_credit(200, 600)
    assert got["two days down: 100 %"] == aws_credit(50, 2 * 24 * 60)
    assert got["a credit under one dollar is not issued"] == aws_credit(8, 10) == Decimal("0.00")
    june = 30 * 24 * 60
    assert got["a long outage at the end of June: the claim is due by the end of August"] == aws_credit(400, 240, june)


def test_a_wrong_hand_computed_number_fails_the_example() -> None:
    # The examples are checked, not decorative: one cent off fails the contract at that `expect` line.
    text = source("slack.sla").replace("expect credit 13.74 USD", "expect credit 13.73 USD")
    line = text[: text.index("expect credit 13.73 USD")].count("\n") + 1
    with pytest.raises(SlaError) as info:
        compile_policy(text, file="slack.sla")
    (diag,) = info.value.diagnostics
    assert diag.span.line == line
    assert "expects credit 13.73 USD, but the evaluator computes 13.74 USD" in diag.message


@pytest.mark.parametrize("path", SLAS, ids=lambda p: p.name)
def test_is_in_the_canonical_layout(path) -> None:
    from slac.fmt import format_source

    text = path.read_text(encoding="utf-8")
    assert format_source(text, file=path.name) == text
