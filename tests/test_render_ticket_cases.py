"""Goldens of ticket-clock variants that no normative contract has (review 6 of the document): targets
in business days, one pausing status, update intervals in business days and in office hours, credits per
missed response, update and resolution. The examples' computed results are part of the golden; a failed
example stops the render, so each example's counts (arithmetic in the contract's comments) are checked too."""

from __future__ import annotations

import pytest

from slac.driver import compile_policy
from slac.render import render_markdown

from .conftest import ROOT

CASES = ROOT / "tests" / "cases" / "tickets"
GOLDEN = ROOT / "tests" / "golden" / "render" / "cases"


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_business_days_and_one_pausing_status(golden, edition: str) -> None:
    path = CASES / "bizdesk.sla"
    policy = compile_policy(path.read_text(encoding="utf-8"), file=path.name)
    golden(GOLDEN / f"bizdesk.{edition}.md", render_markdown(policy, edition))
