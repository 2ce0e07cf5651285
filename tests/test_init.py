"""`slac init`: each starter checks, tests and renders as written, in every choice of languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import main
from slac.driver import compile_source
from slac.fmt import format_source
from slac.render import editions, render
from slac.starters import DEFAULT_LANGUAGES, TEMPLATES, template_text

CASES = [(t, langs) for t in TEMPLATES for langs in (None, "zh,en", "en,zh", "en", "zh")]


@pytest.mark.parametrize("template,languages", CASES)
def test_starter_checks_tests_and_renders(tmp_path: Path, monkeypatch, template: str, languages: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["init", "my-service", "--template", template] + (["--languages", languages] if languages else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "my-service.sla").read_text(encoding="utf-8")
    assert "sla my_service {" in text and "__" not in text
    langs = languages.split(",") if languages else list(DEFAULT_LANGUAGES[template])
    assert f"languages {' '.join(langs)}\n" in text
    for other in {"zh", "en"} - set(langs):
        assert not re.search(rf'(?<![\w"]){other} "', text)  # no text left in a language not chosen
    compiled = compile_source(text, file="my-service.sla")
    assert compiled.ok, compiled.diagnostics  # checks, and every example's expectations hold
    assert not compiled.diagnostics, compiled.diagnostics  # no warning either: a starter is what to copy
    assert compiled.results and all(c.ok for r in compiled.results for c in r.checks)
    assert format_source(text) == text  # written in the canonical layout
    assert compiled.policy is not None
    for edition in editions(compiled.policy):
        for fmt in ("md", "html"):
            assert render(compiled.policy, edition=edition, fmt=fmt, results=compiled.reports)
    # the CLI agrees
    assert CliRunner().invoke(main, ["test", "my-service.sla"]).exit_code == 0


@pytest.mark.parametrize("template", TEMPLATES)
def test_starter_renders_a_bilingual_pdf(tmp_path: Path, template: str) -> None:
    compiled = compile_source(format_source(_default(template)), file="x.sla")
    assert compiled.policy is not None
    pdf = render(compiled.policy, edition="bilingual", fmt="pdf", results=compiled.reports)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")


def _default(template: str) -> str:
    from slac.starters import starter

    return starter(template, "x", DEFAULT_LANGUAGES[template])


BLOCKS = ("define", "calendar", "availability", "channel", "priority", "tier", "credit", "exclude", "clause", "example")


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_block_is_taught_by_a_comment(template: str) -> None:
    lines = template_text(template).split("\n")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        m = re.match(r"  ([a-z_]+)\b", line)
        if not m or m.group(1) not in BLOCKS or m.group(1) in seen:
            continue
        seen.add(m.group(1))
        above = [ln.strip() for ln in lines[max(0, i - 8) : i]]
        assert any(ln.startswith("#") for ln in above), f"{template}: no comment before the first `{m.group(1)}`"
    assert {"tier", "credit", "example"} <= seen


def test_refuses_to_overwrite_and_bad_options(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.sla").write_text("keep\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "mine"])
    assert result.exit_code == 2 and "already exists" in result.output
    assert (tmp_path / "mine.sla").read_text(encoding="utf-8") == "keep\n"
    assert CliRunner().invoke(main, ["init", "x", "--languages", "fr"]).exit_code == 2
    assert CliRunner().invoke(main, ["init", "9lives"]).exit_code == 2
    for empty in ("", ".sla", "  "):  # `init ""` wrote a hidden `.sla` of `sla sla {`
        assert CliRunner().invoke(main, ["init", empty]).exit_code == 2, empty
    assert not (tmp_path / "x.sla").exists() and not (tmp_path / "9lives.sla").exists()
    assert not (tmp_path / ".sla").exists()
