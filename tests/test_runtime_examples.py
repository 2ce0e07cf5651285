"""Every bundled example holds under the real evaluator; a wrong expectation fails with expected vs actual."""

from __future__ import annotations

import json

import pytest

from slac.policy import content_hash
from slac.runtime import load_policy
from slac.runtime.examples import ExampleResult, run_examples

from .runtime_fixtures import policy_text


@pytest.mark.parametrize("name", ["websoft9", "acme-crm"])
def test_bundled_examples_hold(name: str) -> None:
    results = run_examples(load_policy(policy_text(name)))
    assert results, "the bundled contracts have examples"
    for result in results:
        assert isinstance(result, ExampleResult)
        assert result.checks, result.title
        for check in result.checks:
            assert check.ok, f"{result.title}: line {check.line}: expected {check.expected}, got {check.actual}"


def test_example_results_carry_period_tier_and_report() -> None:
    results = run_examples(load_policy(policy_text("acme-crm")))
    first = results[0]
    assert (first.index, first.period, first.tier) == (0, "2026-06", "starter")
    assert first.report["uptime"]["fraction"] == "479/480"  # 718.5 of 720 hours
    assert [(c.kind, c.expected, c.actual) for c in first.checks] == [
        ("uptime", "99.79%", "99.79%"),
        ("credit", "50.00 USD", "50.00 USD"),
    ]
    # A period taken from the first event when the example gives none.
    ws = run_examples(load_policy(policy_text("websoft9")))
    assert [r.period for r in ws] == ["2025-03"] * 3


@pytest.mark.parametrize(
    ("kind", "wrong", "expected", "actual"),
    [
        ("uptime", {"percent": "99.8", "decimals": 2}, "99.80%", "99.79%"),
        ("credit", {"amount": "40.00", "currency": "USD"}, "40.00 USD", "50.00 USD"),
        ("breaches", {"count": 3}, "3", "0"),
    ],
)
def test_a_wrong_expectation_fails_with_expected_and_actual(kind: str, wrong: dict, expected: str, actual: str) -> None:
    raw = json.loads(policy_text("acme-crm"))
    expect = raw["examples"][0]["expect"]
    line = expect["uptime"]["line"]
    expect[kind] = {**wrong, "line": line}
    raw["content_hash"] = content_hash(raw)
    result = run_examples(load_policy(raw))[0]
    (check,) = [c for c in result.checks if c.kind == kind]
    assert (check.ok, check.expected, check.actual, check.line) == (False, expected, actual, line)
    assert not result.ok


def test_examples_do_not_load_arrow() -> None:
    """A handful of example events stay on the plain-Python path: no pyarrow (nor the pandas it pulls in)."""
    import subprocess
    import sys

    code = (
        "import sys; from slac.runtime import load_policy; from slac.runtime.examples import run_examples; "
        "r = run_examples(load_policy(sys.stdin.read())); assert all(x.ok for x in r); "
        "print(' '.join(m for m in ('pyarrow', 'pandas') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], input=policy_text("acme-crm"), capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == ""
