"""The command line: exit codes, diagnostics formats, atomic outputs, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import slac
from slac.cli import main

from .conftest import BAD_CASES, CONTRACTS, ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_check_ok() -> None:
    code, out, err = run("check", *map(str, CONTRACTS))
    assert code == 0, err
    assert f"{len(CONTRACTS)} contracts ok" in err


def test_check_reports_errors_with_position_and_exit_1() -> None:
    case = ROOT / "tests/cases/bad/syn-missing-during.sla"
    code, out, err = run("check", str(case))
    assert code == 1
    assert f"{case}:4:27: error[E0110]" in err
    assert "^" in err and "hint:" in err and err.rstrip().endswith("1 error")


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda p: p.stem)
def test_every_bad_case_exits_1_without_traceback(case: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(case)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_json_diagnostics() -> None:
    case = ROOT / "tests/cases/bad/syn-unknown-day.sla"
    code, out, err = run("check", "--format", "json", str(case))
    assert code == 1
    [diag] = json.loads(out)
    assert diag["code"] == "E0208" and diag["line"] == 4 and diag["column"] == 15 and diag["end_column"] == 18
    assert diag["severity"] == "error" and diag["hint"] == "did you mean `fri`?"


def test_github_annotations() -> None:
    case = ROOT / "tests/cases/bad/syn-unknown-day.sla"
    code, out, err = run("check", "--format", "github", str(case))
    assert code == 1
    assert out.startswith(f"::error file={case},line=4,col=15,endLine=4,endColumn=18,title=E0208::")


def test_missing_file_is_a_usage_error() -> None:
    code, out, err = run("check", "no/such/file.sla")
    assert code == 2 and "no such file" in err


def test_not_utf8_is_an_io_error(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.sla"
    bad.write_bytes('sla x { title en "Caf\xe9" }'.encode("latin-1"))
    code, out, err = run("check", str(bad))
    assert code == 2 and "not UTF-8" in err


def test_nul_byte_is_an_io_error(tmp_path: Path) -> None:
    bad = tmp_path / "nul.sla"
    bad.write_bytes(b"sla x {\x00}")
    code, out, err = run("check", str(bad))
    assert code == 2 and "NUL" in err


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["check", "--nope", str(WEBSOFT9)])
    assert result.exit_code == 2


def test_compile_writes_the_canonical_policy(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "policy.json"
    code, _, err = run("compile", str(WEBSOFT9), "-o", str(out))
    assert code == 0, err
    first = out.read_bytes()
    expected = slac.policy_json(slac.compile_policy(WEBSOFT9.read_text(encoding="utf-8"), file=str(WEBSOFT9)))
    assert first == expected.encode("utf-8")
    code, _, _ = run("compile", str(WEBSOFT9), "-o", str(out))
    assert out.read_bytes() == first
    assert [p.name for p in out.parent.iterdir()] == ["policy.json"]  # no temporary files left


def test_compile_to_stdout() -> None:
    code, out, err = run("compile", str(WEBSOFT9))
    assert code == 0, err
    assert json.loads(out)["contract"]["id"] == "websoft9"


def test_failed_compile_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "policy.json"
    code, _, err = run("compile", str(ROOT / "tests/cases/bad/syn-missing-during.sla"), "-o", str(out))
    assert code == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_failed_compile_keeps_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "policy.json"
    out.write_text("old", encoding="utf-8")
    code, _, _ = run("compile", str(ROOT / "tests/cases/bad/syn-missing-during.sla"), "-o", str(out))
    assert code == 1 and out.read_text(encoding="utf-8") == "old"


def test_unwritable_output_is_an_io_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run("compile", str(WEBSOFT9), "-o", str(blocker / "policy.json"))
    assert code == 2 and "cannot write" in err


def test_bad_holiday_years_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["compile", str(WEBSOFT9), "--holiday-years", "2030-2020"])
    assert result.exit_code == 2


def test_schema_command_prints_the_shipped_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "slac", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == f"slac, version {slac.__version__}"
