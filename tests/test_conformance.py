"""The conformance suite (tests/conformance/): every case through the oracle and every registered engine.

Per engine and feature file, every case's projected report must equal its `expected` (unless
known-broken.json lists it, and that list must stay empty); an engine that refuses a case with
UsageError is skipped for it as "unsupported", never counted as a pass. Beside the runs: the
suite's size and files, the clauses named by the cases, the hand-worked values, `--reset` and the
generator leaving the committed files byte for byte as they are, and a wrong expectation failing.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from slac.runtime.engines import ENGINES
from tests.conformance import run, suite
from tests.conformance.build import squash, subset

ENGINE_NAMES = [run.ORACLE, *ENGINES]
FILES = suite.files()


# Spark computes a language v2 plan one step at a time (each CTE read more than once a checkpointed
# stage of several Spark jobs, 0.2–2 s each: ~200 jobs for the nimbus-cloud month), so one v2 case
# takes 7–40 s in local Spark: the suite's 648 v2 cases under Spark would take hours. Here Spark
# runs every v1 case and, of each feature file, its first and last v2 case (`spark_sample`), so
# every v2 feature is checked under Spark on every run; all cases run with
# `python -m tests.conformance.run --engine spark`.
SPARK_V1_ONLY = "spark"


def spark_sample(cases: list[suite.Case]) -> set[str]:
    """The ids of the first and the last language v2 case of a feature file's `cases`."""
    from slac.runtime.v2_terms import needs_scopes

    v2 = [c.id for c in cases if needs_scopes(c.policy)]
    return {v2[0], v2[-1]} if v2 else set()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_cases(engine: str, path: Path) -> None:
    from slac.runtime.v2_terms import needs_scopes

    broken = set(suite.known_broken())
    failed, unsupported, passed, left = [], [], 0, 0
    cases = list(suite.cases([path]))
    sample = spark_sample(cases)
    for case in cases:
        if engine == SPARK_V1_ONLY and needs_scopes(case.policy) and case.id not in sample:
            left += 1
            continue
        outcome, got = run.run_case(case, engine)
        if outcome == "fail" and case.id not in broken:
            failed.append(f"{case.id}: " + "; ".join(run.differences(case.data["expected"], got)[:4]))
        elif outcome == "unsupported":
            unsupported.append(case.id)
        else:
            passed += 1
    assert not failed, f"{len(failed)} case(s) of {path.name} fail on {engine}:\n" + "\n".join(failed[:10])
    if unsupported or left:
        pytest.skip(
            f"{engine}: {len(unsupported)} case(s) of {path.name} unsupported, {left} of language v2 left to "
            f"`python -m tests.conformance.run --engine spark`, {passed} pass"
        )


def test_size_and_files() -> None:
    assert {p.stem for p in FILES} == set(suite.FEATURES)
    ids = [c.id for c in suite.cases()]
    assert len(ids) >= 500
    assert len(ids) == len(set(ids))
    for path in FILES:  # every feature has hand-worked cases (the examples: the contracts' `expect credit`)
        doc = suite.load_file(path)
        assert doc["feature"] == path.stem
        assert any("hand" in c for g in doc["groups"] for c in g["cases"]), path.name


def test_known_broken_is_empty() -> None:
    assert suite.known_broken() == []


def test_every_clause_is_in_its_contract() -> None:
    for case in suite.cases():
        assert squash(case.data["clause"]) in squash(case.contract), case.id


def test_hand_values_agree_with_the_expectations() -> None:
    hand = 0
    for case in suite.cases():
        if "hand" in case.data:
            hand += 1
            assert case.data.get("comment"), case.id  # the arithmetic is written down
            assert not subset(case.data["hand"], case.data["expected"]), case.id
    assert hand >= 60


def test_reset_on_an_unchanged_tree_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copies = []
    for path in FILES:
        shutil.copy(path, tmp_path / path.name)
        copies.append(tmp_path / path.name)
    assert run.reset(copies) == (0, 0)
    assert "0 expectation(s) changed" in capsys.readouterr().out
    for path in FILES:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_generator_writes_the_committed_files() -> None:
    from tests.conformance.generate import texts

    for feature, (text, _) in texts().items():
        assert text == (suite.CASES / f"{feature}.json").read_text(encoding="utf-8"), f"regenerate {feature}.json"


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_a_wrong_expectation_fails(engine: str) -> None:
    case = next(c for c in suite.cases() if c.id == "caps/v1-per-miss")
    outcome, _ = run.run_case(case, engine)
    if outcome == "unsupported":
        pytest.skip(f"{engine} does not cover {case.id}")
    assert outcome == "pass"
    wrong = copy.deepcopy(case.data)
    wrong["expected"]["customers"]["a"]["total"] = "999.99"
    outcome, got = run.run_case(suite.Case(case.feature, wrong, case.policy, case.contract), engine)
    assert outcome == "fail" and got["customers"]["a"]["total"] == "1000.00"


def test_runner_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--feature", "formulas", "--engine", "numpy"]) == 0
    n = sum(1 for _ in suite.cases([suite.CASES / "formulas.json"]))
    assert f"numpy: {n} pass" in capsys.readouterr().out


def test_files_are_plain_json() -> None:
    for path in FILES:
        json.loads(path.read_text(encoding="utf-8"))  # no comments, no trailing commas: any JSON reader loads them


def _refuse(policy, inputs, *, period, as_of, progress):  # type: ignore[no-untyped-def]
    from slac.runtime.engines import UsageError

    raise UsageError("the refusing engine does not evaluate anything yet; use --engine numpy")


def test_an_engine_that_refuses_is_unsupported_not_passing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(ENGINES, "refusing", "tests.test_conformance:_refuse")
    case = next(iter(suite.cases([suite.CASES / "formulas.json"])))
    assert run.run_case(case, "refusing")[0] == "unsupported"
    assert run.main(["--feature", "formulas", "--engine", "refusing"]) == 0
    out = capsys.readouterr().out
    assert "refusing: " in out and " unsupported" in out and " pass" not in out


def test_files_follow_the_case_schema() -> None:
    import jsonschema

    schema = json.loads((suite.HERE / "case.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in FILES:
        errors = sorted(validator.iter_errors(suite.load_file(path)), key=lambda e: list(e.path))
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].path)}"


def test_the_spark_sample_is_the_first_and_last_v2_case_of_a_file() -> None:
    from slac.runtime.v2_terms import needs_scopes

    by_stem = {p.stem: list(suite.cases([p])) for p in FILES}
    assert spark_sample(by_stem["calendars"]) == set()  # a file of v1 cases only
    scopes = [c.id for c in by_stem["scopes"] if needs_scopes(c.policy)]
    assert len(scopes) > 2
    assert spark_sample(by_stem["scopes"]) == {scopes[0], scopes[-1]}
