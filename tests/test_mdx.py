"""Markdown editions as a Docusaurus 3 site reads them (issue 14): every edition of every contract
compiles with @mdx-js/mdx v3 (tests/mdx/compile.mjs, npm; .ci/run installs node and the package),
headings carry stable `{#id}` anchors in every edition, every cross-reference resolves, and the
response table is a real <table> for markdown-it too."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from slac import compile_policy
from slac.render import editions, render_markdown

from .conftest import CONTRACTS, ROOT

MDX = ROOT / "tests" / "mdx"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs nodejs and npm in .ci/run)")


@pytest.fixture(scope="module")
def policies() -> dict[str, dict[str, Any]]:
    return {p.stem: compile_policy(p.read_text(encoding="utf-8"), file=p.name) for p in CONTRACTS}


@pytest.fixture(scope="module")
def compiler() -> Path:
    if not (MDX / "node_modules" / "@mdx-js" / "mdx").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "node without npm: install Debian's npm (.ci/run does)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=MDX, check=True, timeout=600)
    return MDX / "compile.mjs"


@pytest.fixture(scope="module")
def pages(policies, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("md")
    files = {}
    for path in CONTRACTS:
        policy = policies[path.stem]
        for edition in editions(policy):
            target = out / f"{path.stem}.{edition}.md"
            target.write_text(render_markdown(policy, edition), encoding="utf-8")
            files[target.name] = target
    return files


def _compile(compiler: Path, files: list[Path]) -> list[dict[str, Any]]:
    assert NODE is not None
    run = subprocess.run([NODE, str(compiler), *map(str, files)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_every_edition_compiles_as_mdx_v3(compiler: Path, pages: dict[str, Path]) -> None:
    results = _compile(compiler, list(pages.values()))
    assert len(results) == len(pages) >= 6
    failed = [(r["file"], r["error"]) for r in results if not r["ok"]]
    assert not failed, failed
    assert all(r["tables"] > 0 for r in results)


def test_the_compiler_refuses_what_docusaurus_refuses(compiler: Path, tmp_path: Path) -> None:
    # The check can fail: an unescaped brace or angle bracket in text is JSX to MDX.
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: x\n---\n\n## Heading {#ok}\n\nA {placeholder} and <b\n", encoding="utf-8")
    [result] = _compile(compiler, [bad])
    assert not result["ok"] and result["ids"] == ["ok"]


def _targets(md: str) -> tuple[set[str], list[str]]:
    ids = set(re.findall(r"^#{2,3} .* \{#([a-z0-9-]+)\}$", md, re.M)) | set(
        re.findall(r'<a id="([a-z0-9-]+)"></a>', md)
    )
    refs = re.findall(r"\]\(#([^)]+)\)", md)
    return ids, refs


@pytest.mark.parametrize("contract", [p.stem for p in CONTRACTS])
def test_anchors_are_stable_across_editions_and_every_reference_resolves(policies, contract: str) -> None:
    anchors = []
    for edition in editions(policies[contract]):
        md = render_markdown(policies[contract], edition)
        ids, refs = _targets(md)
        assert {"definitions", "standards", "limitations"} <= ids
        assert not set(refs) - ids, (edition, set(refs) - ids)
        anchors.append(sorted(ids))
    assert all(a == anchors[0] for a in anchors), "an edition names its anchors differently"


def test_websoft9_cross_references_are_links(policies) -> None:
    zh = render_markdown(policies["websoft9"], "zh")
    en = render_markdown(policies["websoft9"], "en")
    # 3.1 says the matters of clause 5.5 do not count; 4.1 points at section 5.
    assert "因第 [5.5](#third-party-cloud) 条所列情形导致的不可用" in zh
    assert "in clause [5.5](#third-party-cloud)" in en
    assert "因第 [5](#limitations) 节所列情形导致响应超时的" in zh
    assert '<a id="third-party-cloud"></a>**5.5**' in zh


def test_markdown_it_sees_the_response_table_as_a_table(policies) -> None:
    md = render_markdown(policies["websoft9"], "zh").split("---\n", 2)[2]
    md = re.sub(r" \{#[a-z0-9-]+\}$", "", md, flags=re.M)  # Docusaurus takes the id off the heading text
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    table = re.search(r"<h3>3\.\d+ 首次响应时限</h3>\s*<p>[^<]*</p>\s*(<table>.*?</table>)", html, re.S)
    assert table is not None
    assert "<th>普通优先</th>" in table.group(1) and "<td>10 分钟</td>" in table.group(1)


def test_contract_text_with_braces_and_angle_brackets_compiles(compiler: Path, tmp_path: Path) -> None:
    from .test_render import hostile_source

    policy = compile_policy(hostile_source(), file="hostile.sla")
    files = []
    for edition in editions(policy):
        target = tmp_path / f"hostile.{edition}.md"
        target.write_text(render_markdown(policy, edition), encoding="utf-8")
        files.append(target)
    results = _compile(compiler, files)
    assert all(r["ok"] for r in results), [r["error"] for r in results if not r["ok"]]
