"""What the `slac evaluate` process loads: no pandas (pyarrow would import it, ≈1 s) and, for JSON, no renderer.

Issue 15's numpy path end to end: a plain install has no pandas, and the bench extra's pandas must
not slow the command down (`columns.hide_pandas`); the JSON report is written by
`runtime.report_json`, so Jinja2 and the document model are not imported for it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from slac.runtime.columns import hide_pandas

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"

_RUN = """
import json, sys
from slac.cli import main
try:
    main(sys.argv[1:], prog_name="slac")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("pandas", "jinja2")
    or m.startswith("slac.render"))}), file=sys.stderr)
"""


def _evaluate(tmp_path: Path, fmt: str) -> tuple[int, list[str]]:
    out = tmp_path / f"report.{fmt}"
    args = [
        "evaluate",
        str(ROOT / "contracts" / "websoft9.sla"),
        "--period",
        "2025-03",
        "--format",
        fmt,
        "-o",
        str(out),
    ]
    args += [f"--{name}={EVENTS / f'{name}.csv'}" for name in ("customers", "tickets", "incidents")]
    proc = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, check=True)
    found = json.loads(proc.stderr.strip().splitlines()[-1])
    assert out.exists()
    return found["code"], found["loaded"]


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed: nothing to hide")
def test_evaluate_imports_no_pandas_even_when_installed(tmp_path: Path) -> None:
    code, loaded = _evaluate(tmp_path, "json")
    assert code in (0, None)
    assert not [m for m in loaded if m.split(".")[0] == "pandas"]


def test_a_json_report_imports_no_renderer(tmp_path: Path) -> None:
    code, loaded = _evaluate(tmp_path, "json")
    assert code in (0, None)
    assert not [m for m in loaded if m.startswith("slac.render") or m.startswith("jinja2")]
    # the Markdown report does need it: the check above can fail
    code, loaded = _evaluate(tmp_path, "md")
    assert "slac.render.report" in loaded


def test_hide_pandas_hides_and_undoes() -> None:
    if "pandas" in sys.modules:  # imported already by another test: nothing is hidden
        assert hide_pandas()() is None
        return
    undo = hide_pandas()
    try:
        with pytest.raises(ModuleNotFoundError):
            import pandas  # noqa: F401
    finally:
        undo()
    assert not [f for f in sys.meta_path if type(f).__name__ == "_WithoutPandas"]


_MODULES = """
import sys
from slac.cli import main
try:
    main(sys.argv[1:], prog_name="slac")
except SystemExit as exc:
    assert not exc.code, exc.code
print(sorted(m for m in ("slac.runtime.scoped", "slac.plan.duckdb_engine", "slac.plan.inputs") if m in sys.modules))
"""


def test_a_v1_evaluation_imports_no_v2_evaluator_and_no_duckdb_engine(tmp_path: Path) -> None:
    """A v1 policy over small CSV files: neither the v2 evaluator nor the duckdb engine is imported
    only to learn that neither is needed (≈0.2 s of every run)."""
    from .runtime_fixtures import policy_text
    from .test_inputs import write

    paths = write(tmp_path)
    policy = tmp_path / "policy.json"
    policy.write_text(policy_text("acme-crm"), encoding="utf-8")
    args = ["evaluate", str(policy), "--period", "2026-06", "-o", str(tmp_path / "report.json")]
    args += [f"--{name}={path}" for name, path in paths.items()]
    out = subprocess.run([sys.executable, "-c", _MODULES, *args], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
    assert (tmp_path / "report.json").stat().st_size > 0
