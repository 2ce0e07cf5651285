"""The VS Code extension as VS Code would run it, short of VS Code itself (which cannot run here).

- The TextMate grammar tokenised by VS Code's own engine (vscode-textmate on Oniguruma, npm, in
  tests/vscode/; .ci/run installs node and the packages): every bundled contract and starter, nothing
  unscoped, every keyword a keyword, and the same keywords in the same order as the Python engine of
  tests/test_editors.py finds (so that engine's checks hold for the real one).
- extension.js loaded by node with stand-ins for the `vscode` API and `vscode-languageclient/node`:
  activating it starts one client on `slac lsp` over stdio (or the configured command) for `sla` files;
  deactivating it stops the client.
- package.json agrees with the grammar, the language configuration and the script it names.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from slac import syntax

from .test_editors import _texts, grammar, tokenize

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
CHECK = ROOT / "tests" / "vscode"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (CI installs nodejs and npm in .ci/run)")


@pytest.fixture(scope="module")
def engine() -> Path:
    if not (CHECK / "node_modules" / "vscode-textmate").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "node without npm: install Debian's npm (.ci/run does)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=CHECK, check=True, timeout=600)
    return CHECK / "tokenize.cjs"


def node(*args: str) -> list[dict[str, Any]]:
    assert NODE is not None
    run = subprocess.run([NODE, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@needs_node
def test_vscode_engine_tokenises_every_contract(engine: Path, tmp_path: Path) -> None:
    texts = dict(_texts())
    files = []
    for name, text in texts.items():
        files.append(tmp_path / f"{name}.sla")
        files[-1].write_text(text, encoding="utf-8")
    results = node(str(engine), str(VSCODE / "syntaxes" / "sla.tmLanguage.json"), *map(str, files))
    assert [Path(r["file"]).stem for r in results] == list(texts)
    keywords = syntax.keywords()
    for result, (name, text) in zip(results, texts.items(), strict=True):
        tokens = [(t, s) for t, s in result["tokens"]]
        assert [t for t, s in tokens if not s] == [], name  # no text that no rule of the grammar matched
        assert sorted({t for t, s in tokens if t in keywords and not s.startswith("keyword")}) == [], name
        real = [t for t, s in tokens if s.startswith("keyword")]
        ours = [t for t, s in tokenize(text, grammar()) if s.startswith("keyword")]
        assert real == ours and len(set(real)) > 20, name


@needs_node
def test_vscode_engine_sees_the_kinds_of_value(engine: Path, tmp_path: Path) -> None:
    line = 'respond high within 1h30min during always  # a target\n  outage 2025-03-03T09:00+08:00 for 90min\n  name en "Premium \\"plus\\""'
    (tmp_path / "line.sla").write_text(line, encoding="utf-8")
    (result,) = node(str(engine), str(VSCODE / "syntaxes" / "sla.tmLanguage.json"), str(tmp_path / "line.sla"))
    scopes = dict(result["tokens"])
    assert scopes["respond"] == "keyword.control.sla" and scopes["high"] == "variable.other.sla"
    assert scopes["1h30min"] == "constant.numeric.duration.sla"
    assert scopes["2025-03-03T09:00+08:00"] == "constant.numeric.timestamp.sla"
    assert scopes["# a target"] == "comment.line.number-sign.sla"
    assert scopes["en"] == "entity.name.tag.language.sla"
    assert scopes['\\"'] == "constant.character.escape.sla"  # the escaped quotes stay inside the text


@needs_node
@pytest.mark.parametrize(
    ("configured", "command", "args"),
    [(None, "slac", ["lsp"]), (["/opt/venv/bin/slac", "lsp"], "/opt/venv/bin/slac", ["lsp"]), ([], "slac", ["lsp"])],
)
def test_the_extension_starts_slac_lsp(configured: list[str] | None, command: str, args: list[str]) -> None:
    extra = [json.dumps(configured)] if configured is not None else []
    (result,) = node(str(CHECK / "activate.cjs"), str(VSCODE / "extension.js"), *extra)
    (client,) = result["clients"]
    stdio = 0  # TransportKind.stdio
    server = {"command": command, "args": args, "transport": stdio}
    assert client["serverOptions"] == {"run": server, "debug": server}
    assert client["clientOptions"]["documentSelector"] == [{"scheme": "file", "language": "sla"}]
    assert client["started"] and client["stopped"] and result["subscriptions"] == 1


def test_the_manifest_agrees_with_the_grammar_and_the_script() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    (tm,) = manifest["contributes"]["grammars"]
    tm_language = json.loads((VSCODE / tm["path"]).read_text(encoding="utf-8"))
    assert tm["language"] == language["id"] and tm["scopeName"] == tm_language["scopeName"]
    assert manifest["activationEvents"] == [f"onLanguage:{language['id']}"]
    assert set(language["extensions"]) == {f".{e}" for e in tm_language["fileTypes"]}
    assert (VSCODE / manifest["main"]).is_file()
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"]) and manifest["publisher"]
    assert re.fullmatch(r"\^1\.\d+\.\d+", manifest["engines"]["vscode"])
    # The script needs `vscode-languageclient/node`, which exists from version 7 on.
    script = (VSCODE / manifest["main"]).read_text(encoding="utf-8")
    assert 'require("vscode-languageclient/node")' in script
    assert int(re.search(r"\d+", manifest["dependencies"]["vscode-languageclient"]).group(0)) >= 7  # type: ignore[union-attr]
    # The editor's comment and bracket settings are the language's: `#` comments, `{ }` blocks.
    configuration = json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"] == {"lineComment": "#"} and configuration["brackets"] == [["{", "}"]]
    assert re.fullmatch(tm_language["repository"]["comment"]["match"], "# a comment")
    default = manifest["contributes"]["configuration"]["properties"]["slac.command"]["default"]
    assert default == ["slac", "lsp"]
