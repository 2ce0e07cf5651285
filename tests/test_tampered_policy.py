"""A policy JSON that cannot be trusted is refused the same way by `slac diff`, `slac render` and `slac evaluate`.

All three read policy JSON through the one loader: the same message on stderr, exit 2, nothing written.
Once `slac diff` checked the schema only, so a hand-edited policy was diffed as genuine and a NaN gave
"No change to the terms" with exit 0.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac.cli import main
from slac.policy import content_hash

from .runtime_fixtures import policy_text

CUSTOMERS = "customer,tier,monthly_fee\nacme,enterprise,1000\n"
TICKETS = "id,customer,priority,opened_at,responded_at,outage\nT1,acme,high,2025-03-03T09:00+08:00,,true\n"
INCIDENTS = "id,start,end\nI1,2025-03-05T01:00Z,2025-03-05T02:00Z\n"


def _enterprise_high_in_one_second(p: dict[str, Any]) -> str:
    tier = next(t for t in p["tiers"] if t["id"] == "enterprise")
    next(r for r in tier["responses"] if r["priority"] == "high")["within_seconds"] = 1
    return json.dumps(p)  # content_hash left as it was


def _truncated(p: dict[str, Any]) -> str:
    text = json.dumps(p, indent=2)
    return text[: len(text) // 2]


def _nan_minimum_outage(p: dict[str, Any]) -> str:
    p["availability"]["minimum_outage_seconds"] = float("nan")
    return json.dumps(p)  # Python writes the NaN literal, which json.loads reads back


def _other_major(p: dict[str, Any]) -> str:
    p["format_version"] = "2.0"
    p["content_hash"] = content_hash(p)  # recomputed: the version alone is refused
    return json.dumps(p)


CASES: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "tampered": (_enterprise_high_in_one_second, "content_hash does not match"),
    "truncated": (_truncated, "not valid JSON"),
    "nan": (_nan_minimum_outage, ""),
    "other-major": (_other_major, "policy format 2.0 is not supported"),
}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def _commands(tmp: Path, good: Path, bad: Path) -> dict[str, tuple[list[str], Path]]:
    events = []
    for name, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        path = tmp / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        events += [f"--{name}", str(path)]
    return {
        "diff": (["diff", str(good), str(bad), "-o", str(tmp / "changes.md")], tmp / "changes.md"),
        "render": (["render", str(bad), "--format", "md", "-o", str(tmp / "docs")], tmp / "docs"),
        "evaluate": (["evaluate", str(bad), "--period", "2025-03", *events, "-o", str(tmp / "r.json")], tmp / "r.json"),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_diff_render_and_evaluate_refuse_alike(tmp_path: Path, case: str) -> None:
    edit, words = CASES[case]
    good = tmp_path / "good.policy.json"
    good.write_text(policy_text("acme-crm"), encoding="utf-8")
    bad = tmp_path / "bad.policy.json"
    bad.write_text(edit(json.loads(policy_text("acme-crm"))), encoding="utf-8")
    refusals = {}
    for command, (args, output) in _commands(tmp_path, good, bad).items():
        code, out, err = _run(*args)
        assert code == 2, (command, err)
        assert out == "" and not output.exists(), command
        assert err.startswith(f"slac: error: {bad}: cannot use this policy: ") and words in err, (command, err)
        assert "Traceback" not in err
        refusals[command] = err
    assert len(set(refusals.values())) == 1, refusals


def test_the_genuine_policy_is_accepted_by_all_three(tmp_path: Path) -> None:
    good = tmp_path / "good.policy.json"
    good.write_text(policy_text("acme-crm"), encoding="utf-8")
    for command, (args, output) in _commands(tmp_path, good, good).items():
        code, _, err = _run(*args)
        assert code == 0, (command, err)
        assert output.exists(), command
    assert "No change" in (tmp_path / "changes.md").read_text(encoding="utf-8")
