"""`slac evaluate` and `slac test`: exit codes, formats, schema-valid JSON, nothing written on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slac.cli import main

from .conftest import CONTRACTS, ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
BAD_EXAMPLE = ROOT / "tests" / "cases" / "bad" / "sem-example-expectation-fails.sla"

# The sample month shipped beside the contracts (the README's `slac evaluate` example):
# T1: high with an outage, answered after 3.5 h against 3 h: one breach, 5 % of 1000 CNY.
# T2: high without an outage is measured as normal (12 h): met. T3: premium normal, never answered.
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"
CUSTOMERS, TICKETS, INCIDENTS = (
    (EVENTS / f"{n}.csv").read_text(encoding="utf-8") for n in ("customers", "tickets", "incidents")
)


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def evaluate(
    source: str | Path, inputs: dict[str, Path], *extra: str | Path, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    args = ["--customers", inputs["customers"], "--tickets", inputs["tickets"], "--incidents", inputs["incidents"]]
    return run("evaluate", source, "--period", "2025-03", *args, *extra, env=env)


def validate(report: dict) -> None:
    import jsonschema

    schema = json.loads((ROOT / "compiler" / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)


def test_evaluate_a_contract_gives_a_valid_report(inputs: dict[str, Path]) -> None:
    code, out, err = evaluate(WEBSOFT9, inputs)
    assert code == 0, err
    report = json.loads(out)
    validate(report)
    assert report["period"] == "2025-03" and report["currency"] == "CNY"
    acme, beta = report["customers"]
    assert (acme["customer"], acme["tickets"]["breached"], acme["total"]) == ("acme", 1, "50.00")
    [breach] = acme["breaches"]
    assert (breach["id"], breach["effective_priority"], breach["row"]) == ("T1", "high", 2)
    assert breach["deadline"] == "2025-03-03T12:00:00+08:00" and breach["lateness_seconds"] == 1800
    # T3 is never answered: at the end of the period it has long breached its 2 h target.
    assert [b["id"] for b in beta["breaches"]] == ["T3"] and beta["breaches"][0]["response"] is None
    assert beta["total"] == "10.00"  # 5 % of 200 CNY


def test_policy_json_and_contract_give_the_same_bytes(tmp_path: Path, inputs: dict[str, Path]) -> None:
    policy = tmp_path / "policy.json"
    assert run("compile", WEBSOFT9, "-o", policy)[0] == 0
    first = evaluate(WEBSOFT9, inputs)
    second = evaluate(policy, inputs)
    assert first[0] == second[0] == 0
    assert first[1] == second[1] == evaluate(policy, inputs)[1]  # deterministic too


def test_as_of_keeps_an_unanswered_ticket_open(inputs: dict[str, Path]) -> None:
    code, out, err = evaluate(WEBSOFT9, inputs, "--as-of", "2025-03-04T10:00+08:00")
    assert code == 0, err
    beta = json.loads(out)["customers"][1]
    assert beta["tickets"]["open"] == 1 and beta["breaches"] == []
    assert json.loads(out)["as_of"] == "2025-03-04T10:00:00+08:00"


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_as_of_without_warn_at_reads_the_report_once(
    inputs: dict[str, Path], engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # websoft9 has no `warn at`: no clock can be at risk, so the at-risk summary does not read the
    # report's customers a second time (the duckdb engine's report is made as it is written).
    import importlib

    cli = importlib.import_module("slac.cli.evaluate")
    summaries: list[object] = []
    monkeypatch.setattr(cli, "_say_at_risk", summaries.append)
    code, out, err = evaluate(WEBSOFT9, inputs, "--as-of", "2025-03-04T10:00+08:00", "--engine", engine)
    assert code == 0, err
    assert json.loads(out)["as_of"] == "2025-03-04T10:00:00+08:00" and summaries == []


def test_json_lines_and_parquet_inputs_give_the_same_report(tmp_path: Path, inputs: dict[str, Path]) -> None:
    import csv

    expected = evaluate(WEBSOFT9, inputs)[1]
    jsonl, parquet = {}, {}
    for name, path in inputs.items():
        records = list(csv.DictReader(path.open(encoding="utf-8")))
        jsonl[name] = tmp_path / f"{name}.jsonl"
        jsonl[name].write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        parquet[name] = tmp_path / f"{name}.parquet"
        pq.write_table(pa.Table.from_pylist(records), parquet[name])
    for paths in (jsonl, parquet):
        code, out, err = evaluate(WEBSOFT9, paths)
        assert code == 0, err
        a, b = json.loads(out), json.loads(expected)
        for report in (a, b):  # the same events; only the files they came from differ
            for c in report["customers"]:
                for x in c["breaches"]:
                    x.pop("row")
            for i in report["platform_incidents"]:
                i.pop("row")
        assert a == b


def test_csv_and_markdown_formats(tmp_path: Path, inputs: dict[str, Path]) -> None:
    code, out, _ = evaluate(WEBSOFT9, inputs, "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("period,customer,tier,") and lines[1].startswith("2025-03,acme,standard,CNY,1000.00,")
    code, zh, _ = evaluate(WEBSOFT9, inputs, "--format", "md")  # websoft9 is written in Chinese first
    assert code == 0 and zh.startswith("# 服务补偿报告：服务等级协议") and "标准支持" in zh
    code, en, _ = evaluate(WEBSOFT9, inputs, "--format", "md", "--lang", "en")
    assert code == 0 and en.startswith("# Service credit report: Service Level Agreement") and "Standard Support" in en


def test_output_file_is_written_atomically(tmp_path: Path, inputs: dict[str, Path]) -> None:
    target = tmp_path / "out" / "report.md"
    code, out, err = evaluate(WEBSOFT9, inputs, "--format", "md", "-o", target)
    assert code == 0 and out == "" and f"wrote {target}" in err
    assert target.read_text(encoding="utf-8") == evaluate(WEBSOFT9, inputs, "--format", "md")[1]
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]


def test_a_bad_row_exits_2_names_it_and_writes_nothing(tmp_path: Path, inputs: dict[str, Path]) -> None:
    inputs["tickets"].write_text(TICKETS.replace("2025-03-04T09:00+08:00", "2025-03-04T09:00"), encoding="utf-8")
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    code, out, err = evaluate(WEBSOFT9, inputs, "-o", target)
    assert code == 2 and out == ""
    assert f"{inputs['tickets']}, line 4, column `opened_at`: " in err and "no UTC offset" in err
    assert "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.json", *(p.name for p in inputs.values())])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--period", "2025-13"), "is not a period"),
        (("--period", "March"), "is not a period"),
        (("--as-of", "2025-03-04T10:00"), "no UTC offset"),
        (("--as-of", "yesterday"), "not an ISO 8601 timestamp"),
        (("--format", "pdf"), "'pdf' is not one of"),
        (("--lang", "fr"), "'fr' is not one of"),
    ],
)
def test_usage_errors_exit_2(inputs: dict[str, Path], args: tuple[str, ...], words: str) -> None:
    code, out, err = evaluate(WEBSOFT9, inputs, *args)
    assert code == 2 and out == "" and words in err


def test_an_evaluation_error_exits_2(inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import slac.runtime.evaluate

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("2040-03-01 is outside the holidays materialised in the policy (2025-2030)")

    monkeypatch.setattr(slac.runtime.evaluate, "evaluate", refuse)
    monkeypatch.setattr(slac.runtime.evaluate, "evaluate_for_json", refuse)  # the JSON report's path
    code, out, err = evaluate(WEBSOFT9, inputs)
    assert code == 2 and out == "" and "Traceback" not in err
    assert "cannot evaluate 2025-03: 2040-03-01 is outside the holidays materialised" in err


def test_unusable_policies_exit_2(tmp_path: Path, inputs: dict[str, Path]) -> None:
    policy = tmp_path / "policy.json"
    assert run("compile", WEBSOFT9, "-o", policy)[0] == 0
    raw = json.loads(policy.read_text(encoding="utf-8"))
    raw["tiers"][0]["name"]["en"] = "Edited by hand"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(raw), encoding="utf-8")
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    for path, words in (
        (tampered, "tampered.json: cannot use this policy"),
        (garbage, "garbage.json"),
        (tmp_path / "none.json", "no such file"),
    ):
        code, out, err = evaluate(path, inputs)
        assert code == 2 and out == "" and words in err, err


def test_a_contract_with_errors_exits_1(inputs: dict[str, Path]) -> None:
    code, out, err = evaluate(ROOT / "tests/cases/bad/syn-missing-during.sla", inputs)
    assert code == 1 and out == "" and "error[E0110]" in err
    code, out, err = evaluate(BAD_EXAMPLE, inputs)
    assert code == 1 and "error[E0712]" in err


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from slac.cli import _io

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    assert _io.show_progress()
    monkeypatch.setenv("CI", "true")
    assert not _io.show_progress()


def test_the_progress_bar_goes_to_stderr_only(inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from slac.cli import evaluate as cli_eval

    monkeypatch.setattr(cli_eval, "show_progress", lambda: True)
    code, out, err = evaluate(WEBSOFT9, inputs)
    assert code == 0 and "evaluating" in err
    assert out == evaluate(WEBSOFT9, inputs, env={"CI": "true"})[1]  # the report itself is unchanged


def test_no_progress_bar_when_piped(inputs: dict[str, Path]) -> None:
    code, _, err = evaluate(WEBSOFT9, inputs, env={"CI": ""})
    assert code == 0 and "evaluating" not in err and err == ""


# ---- slac test -------------------------------------------------------------------------------


def test_bundled_examples_pass() -> None:
    code, out, err = run("test", *CONTRACTS)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[-1].endswith("passed, 0 failed")
    assert sum(" ok    " in line for line in lines) == int(lines[-1].split()[0]) >= 7
    assert f"{WEBSOFT9}:137: ok    one missed high-priority response on Standard support" in lines


def test_a_failing_example_shows_expected_and_actual_and_exits_1() -> None:
    code, out, _ = run("test", BAD_EXAMPLE)
    assert code == 1
    assert out.splitlines() == [
        f"{BAD_EXAMPLE}:21: FAIL  a late answer",
        f"  {BAD_EXAMPLE}:26: expect credit: expected 0.00 USD, actual 10.00 USD",
        f"  {BAD_EXAMPLE}:27: expect uptime: expected 99.9%, actual 100.0%",
        "1 example: 0 passed, 1 failed",
    ]


def test_test_reports_contract_errors_and_missing_files() -> None:
    code, out, err = run("test", ROOT / "tests/cases/bad/syn-missing-during.sla")
    assert code == 1 and "error[E0110]" in err
    code, out, err = run("test", ROOT / "nope.sla")
    assert code == 2 and "no such file" in err


def test_check_fails_on_a_wrong_expectation() -> None:
    code, _, err = run("check", BAD_EXAMPLE)
    assert code == 1
    assert f"{BAD_EXAMPLE}:26:19: error[E0712]: " in err and "expects credit 0.00 USD" in err
    assert "computes 10.00 USD" in err


def test_the_cli_loads_the_evaluator_only_when_asked() -> None:
    import subprocess
    import sys

    heavy = ("pyarrow", "numpy", "orjson", "jsonschema", "slac.runtime")
    code = f"import sys, slac.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_compile_fails_on_a_wrong_expectation_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "policy.json"
    code, out, _ = run("compile", BAD_EXAMPLE, "-o", target, "--format", "json")
    assert code == 1 and not target.exists()
    found = json.loads(out)  # one JSON document with every diagnostic
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E0712", 26, 19), ("E0712", 27, 19)]


def test_compile_policy_api_raises_on_a_wrong_expectation() -> None:
    import slac

    with pytest.raises(slac.SlaError) as info:
        slac.compile_policy(BAD_EXAMPLE.read_text(encoding="utf-8"), file="x.sla")
    assert [d.code for d in info.value.diagnostics] == ["E0712", "E0712"]


def test_a_contract_without_examples_says_so(tmp_path: Path) -> None:
    source = BAD_EXAMPLE.read_text(encoding="utf-8")
    plain = tmp_path / "plain.sla"
    plain.write_text(source[: source.index("  example")] + "}\n", encoding="utf-8")
    code, out, err = run("test", plain, WEBSOFT9)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{plain}: no examples" and lines[-1] == "3 examples: 3 passed, 0 failed"


def test_missing_input_and_unwritable_output_exit_2(tmp_path: Path, inputs: dict[str, Path]) -> None:
    code, out, err = evaluate(WEBSOFT9, {**inputs, "incidents": tmp_path / "nope.csv"})
    assert code == 2 and out == "" and "nope.csv: no such file" in err
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, _, err = evaluate(WEBSOFT9, inputs, "-o", blocker / "report.json")
    assert code == 2 and "cannot write" in err and "Traceback" not in err


_SOURCES = [p.read_text(encoding="utf-8") for p in CONTRACTS]


@st.composite
def _example_digits_changed(draw: st.DrawFn) -> str:
    """A bundled contract whose example blocks have some digits changed: other dates, times, fees, counts."""
    text = draw(st.sampled_from(_SOURCES))
    start = text.index("  example ")
    digits = [i for i in range(start, len(text)) if text[i].isdigit()]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.sampled_from(digits))
        text = text[:i] + draw(st.sampled_from("0123456789")) + text[i + 1 :]
    return text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_example_digits_changed())
def test_changed_examples_give_diagnostics_not_exceptions(source: str) -> None:
    import slac

    for d in slac.check(source, file="fuzz.sla"):
        assert d.span.line >= 1 and d.message


@pytest.mark.parametrize(
    ("fmt", "lang", "suffix"), [("md", "zh", "zh.md"), ("md", "en", "en.md"), ("csv", "en", "csv")]
)
def test_report_goldens(inputs: dict[str, Path], golden, fmt: str, lang: str, suffix: str) -> None:
    code, out, err = evaluate(WEBSOFT9, inputs, "--format", fmt, "--lang", lang)
    assert code == 0, err
    golden(ROOT / "tests" / "golden" / "report" / f"websoft9-2025-03.{suffix}", out)
