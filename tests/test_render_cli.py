"""`slac render` and `slac build` through click's CliRunner: outputs, exit codes, nothing written on failure."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from slac.cli import main

from .conftest import ROOT

WEBSOFT9 = str(ROOT / "contracts" / "websoft9.sla")
ACME = str(ROOT / "contracts" / "acme-crm.sla")


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_render_writes_the_chosen_editions_and_formats(tmp_path: Path) -> None:
    result = _run("render", WEBSOFT9, "--lang", "zh,bilingual", "--format", "md,html", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "websoft9.bilingual.html",
        "websoft9.bilingual.md",
        "websoft9.zh.html",
        "websoft9.zh.md",
    ]
    assert (tmp_path / "websoft9.zh.md").read_text(encoding="utf-8").startswith('---\ntitle: "服务等级协议"\n')


def test_render_front_matter_options(tmp_path: Path) -> None:
    args = ["render", WEBSOFT9, "--lang", "en", "--format", "md", "-o", str(tmp_path)]
    result = _run(*args, "--title", "Websoft9 SLA", "--slug", "/legal/sla", "--sidebar-position", "4")
    assert result.exit_code == 0, result.output
    head = (tmp_path / "websoft9.en.md").read_text(encoding="utf-8").split("---\n")[1]
    assert head == 'title: "Websoft9 SLA"\nslug: "/legal/sla/en"\nsidebar_position: 4\n'


def test_render_pdf(tmp_path: Path) -> None:
    result = _run("render", ACME, "--lang", "en", "--format", "pdf", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "acme-crm.en.pdf").read_bytes().startswith(b"%PDF-")


def test_unknown_edition_or_format_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run("render", WEBSOFT9, "--lang", "zh,fr", "-o", str(out))
    assert result.exit_code == 2
    assert "no edition fr; this contract has zh, en, bilingual" in result.output
    result = _run("render", WEBSOFT9, "--format", "docx", "-o", str(out))
    assert result.exit_code == 2
    assert "unknown format docx" in result.output
    assert not out.exists()


def test_a_broken_contract_is_exit_1_with_diagnostics_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sla"
    bad.write_text(
        Path(WEBSOFT9).read_text(encoding="utf-8").replace("during business", "during busines", 1), encoding="utf-8"
    )
    out = tmp_path / "out"
    for args in (["render", str(bad)], ["build", WEBSOFT9, str(bad)]):
        result = _run(*args, "-o", str(out))
        assert result.exit_code == 1, result.output
        assert "bad.sla:" in result.output and "busines" in result.output
        assert not out.exists()


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = _run("render", str(tmp_path / "nope.sla"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_build_writes_policy_and_every_edition(tmp_path: Path) -> None:
    result = _run("build", WEBSOFT9, ACME, "--format", "md,html", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "websoft9.policy.json" in names and "acme-crm.policy.json" in names
    for stem in ("websoft9", "acme-crm"):
        for edition in ("zh", "en", "bilingual"):
            for ext in ("md", "html"):
                assert f"{stem}.{edition}.{ext}" in names
    assert "built 2 contracts" in result.output


def test_build_fails_on_an_example_that_does_not_hold(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.sla"
    text = Path(WEBSOFT9).read_text(encoding="utf-8")
    wrong.write_text(text.replace("expect credit 50 CNY", "expect credit 60 CNY", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = _run("build", str(wrong), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "E0712" in result.output and "60" in result.output and "50" in result.output
    assert not out.exists()


def test_rendered_examples_show_the_computed_results(tmp_path: Path) -> None:
    result = _run("render", ACME, "--lang", "en", "--format", "md", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    md = (tmp_path / "acme-crm.en.md").read_text(encoding="utf-8")
    assert "\nResult:\n" in md
    assert "- Monthly uptime: 99.79%, below the commitment of 99.9%" in md


# -- rendering a compiled policy -----------------------------------------------------------------


def _compile(tmp_path: Path, contract: str = WEBSOFT9) -> Path:
    target = tmp_path / "websoft9.policy.json"
    result = _run("compile", contract, "-o", str(target))
    assert result.exit_code == 0, result.output
    return target


def test_render_a_compiled_policy_gives_the_contract_s_documents(tmp_path: Path) -> None:
    policy = _compile(tmp_path)
    from_policy, from_contract = tmp_path / "a", tmp_path / "b"
    for source, out in ((str(policy), from_policy), (WEBSOFT9, from_contract)):
        result = _run("render", source, "--format", "md,html", "-o", str(out))
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in from_policy.iterdir())
    # Named after the contract, not 'websoft9.policy.*'.
    assert names == [f"websoft9.{e}.{x}" for e in ("bilingual", "en", "zh") for x in ("html", "md")]
    for name in names:
        assert (from_policy / name).read_bytes() == (from_contract / name).read_bytes(), name
    # The worked examples' results are computed from the policy too.
    assert "计算示例" in (from_policy / "websoft9.zh.md").read_text(encoding="utf-8")


def test_render_refuses_a_tampered_policy_and_writes_nothing(tmp_path: Path) -> None:
    policy = _compile(tmp_path)
    text = policy.read_text(encoding="utf-8")
    assert '"zh": "服务等级协议"' in text
    policy.write_text(text.replace('"zh": "服务等级协议"', '"zh": "服务等级协议（修订）"', 1), encoding="utf-8")
    out = tmp_path / "out"
    result = _run("render", str(policy), "--format", "md", "-o", str(out))
    assert result.exit_code == 2
    assert f"{policy}: cannot use this policy" in result.output and "content_hash" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_render_refuses_json_that_is_no_policy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format_version": "1.0",\n  oops\n}\n', encoding="utf-8")
    result = _run("render", str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{bad}:3:3: not valid JSON" in result.output
    bad.write_text("[1, 2]\n", encoding="utf-8")
    result = _run("render", str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "a policy is a JSON object, not list" in result.output
    bad.write_text('{"hello": "world"}\n', encoding="utf-8")
    result = _run("render", str(bad), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "not a slac policy" in result.output
    assert not (tmp_path / "out").exists()


def test_render_an_unreadable_policy_is_an_io_error(tmp_path: Path) -> None:
    result = _run("render", str(tmp_path / "missing.policy.json"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no such file" in result.output
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    result = _run("render", str(binary), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_build_reports_every_contract_s_diagnostics_as_one_json_array(tmp_path: Path) -> None:
    import json

    broken = tmp_path / "broken.sla"
    broken.write_text(Path(ACME).read_text(encoding="utf-8").replace("respond urgent", "respond urgnet", 1), "utf-8")
    bad_example = ROOT / "tests" / "cases" / "bad" / "sem-example-expectation-fails.sla"
    out = tmp_path / "out"
    result = _run("build", WEBSOFT9, str(broken), str(bad_example), "-o", str(out), "--diagnostics", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {d["file"] for d in found} == {str(broken), str(bad_example)}
    assert {d["code"] for d in found} >= {"E0303", "E0712"}
    assert not out.exists()


def test_build_github_annotations(tmp_path: Path) -> None:
    bad_example = ROOT / "tests" / "cases" / "bad" / "sem-example-expectation-fails.sla"
    result = _run("build", str(bad_example), "-o", str(tmp_path / "out"), "--diagnostics", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={bad_example},line=")
