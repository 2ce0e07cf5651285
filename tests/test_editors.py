"""Editor support: the TextMate grammar knows every keyword of grammar/sla.lark and tokenises the
bundled contracts with nothing left unrecognised; the VS Code extension starts `slac lsp`.

The tokenizer below is a small TextMate engine in Python `re` (match rules, begin/end rules with
inner patterns, `include`s; the leftmost match wins, ties go to the first rule), enough for this grammar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from slac import syntax

ROOT = Path(__file__).resolve().parent.parent
TM = ROOT / "editors" / "sla.tmLanguage.json"
CONTRACTS = sorted((ROOT / "contracts").glob("*.sla"))


def grammar() -> dict:
    return json.loads(TM.read_text(encoding="utf-8"))


def flatten(rules: list[dict], repo: dict) -> list[dict]:
    out: list[dict] = []
    for rule in rules:
        if "include" in rule:
            target = repo[rule["include"].lstrip("#")]
            out += flatten(target["patterns"], repo) if "patterns" in target and "match" not in target else [target]
        else:
            out.append(rule)
    return out


def _end_of(rule: dict, line: str, pos: int) -> tuple[int, bool]:
    """Where a begin/end rule closes on this line (and whether it does): inner patterns (escapes) are
    skipped, the leftmost match wins."""
    inner = [re.compile(r["match"]) for r in rule.get("patterns", [])]
    end = re.compile(rule["end"])
    while pos <= len(line):
        e = end.search(line, pos)
        skips = [m for m in (p.search(line, pos) for p in inner) if m and (e is None or m.start() < e.start())]
        if skips:
            pos = min(skips, key=lambda m: m.start()).end()
            continue
        return (e.end(), True) if e else (len(line), False)
    return len(line), False


def tokenize(text: str, g: dict) -> list[tuple[str, str]]:
    """(token text, scope) for every non-blank piece of `text`; scope "" for what no rule matched."""
    top = flatten(g["patterns"], g["repository"])
    tokens: list[tuple[str, str]] = []
    inside = None  # the begin/end rule of an open string; a triple-quoted one goes on over lines
    for line in text.split("\n"):
        pos = 0
        if inside is not None:
            tokens.append(("", inside["name"]))
        while pos < len(line):
            if inside is not None:
                stop, closed = _end_of(inside, line, pos)
                tokens[-1] = (tokens[-1][0] + line[pos:stop], inside["name"])
                pos, inside = stop, (None if closed else inside)
                continue
            best = None
            for rule in top:
                m = re.compile(rule.get("match") or rule["begin"], re.M).search(line, pos)
                if m and m.end() > m.start() and (best is None or m.start() < best[0].start()):
                    best = (m, rule)
            if best is None:
                tokens.append((line[pos:], ""))
                break
            m, rule = best
            gap = line[pos : m.start()]
            if gap.strip():
                tokens.append((gap.strip(), ""))
            if "begin" in rule:
                tokens.append((m.group(0), rule["name"]))
                pos, inside = m.end(), rule
            else:
                tokens.append((m.group(0), rule["name"]))
                pos = m.end()
    return [(t, s) for t, s in tokens if t.strip()]


def test_keywords_are_the_grammars() -> None:
    # Read from grammar/sla.lark: a keyword added there fails here until `python editors/generate.py` runs.
    assert grammar()["keywords"] == sorted(syntax.keywords())
    words = re.search(r"\(\?:(.*?)\)", grammar()["repository"]["keyword"]["match"]).group(1).split("|")  # type: ignore[union-attr]
    assert sorted(words) == sorted(syntax.keywords())


def test_generated_file_is_current_and_the_vscode_copy_identical() -> None:
    import runpy

    module = runpy.run_path(str(ROOT / "editors" / "generate.py"))
    expected = json.dumps(module["tm_language"](syntax.grammar_text()), indent=2, ensure_ascii=False) + "\n"
    assert TM.read_text(encoding="utf-8") == expected
    assert (ROOT / "editors" / "vscode" / "syntaxes" / "sla.tmLanguage.json").read_text(encoding="utf-8") == expected


def _texts() -> list[tuple[str, str]]:
    from slac.starters import DEFAULT_LANGUAGES, TEMPLATES, starter

    found = [(p.name, p.read_text(encoding="utf-8")) for p in CONTRACTS]
    return found + [(f"starter-{t}", starter(t, "demo", DEFAULT_LANGUAGES[t])) for t in TEMPLATES]


@pytest.mark.parametrize("name,text", _texts(), ids=[n for n, _ in _texts()])
def test_contract_tokenises_with_no_unrecognised_keyword(name: str, text: str) -> None:
    tokens = tokenize(text, grammar())
    unscoped = [t for t, s in tokens if not s]
    assert not unscoped, f"no rule matched: {unscoped[:10]}"
    keywords = syntax.keywords()
    as_names = sorted({t for t, s in tokens if t in keywords and not s.startswith("keyword")})
    assert not as_names, f"keywords not highlighted as keywords: {as_names}"
    used = {t for t, s in tokens if s.startswith("keyword")}
    assert used <= keywords and len(used) > 20


def test_tokenizer_sees_the_kinds_of_value() -> None:
    line = 'respond high within 1h30min during always  # a target\n  outage 2025-03-03T09:00+08:00 for 90min\n  name en "Premium \\"plus\\""'
    scopes = dict(tokenize(line, grammar()))
    assert scopes["respond"] == "keyword.control.sla" and scopes["high"] == "variable.other.sla"
    assert scopes["1h30min"] == "constant.numeric.duration.sla"
    assert scopes["2025-03-03T09:00+08:00"] == "constant.numeric.timestamp.sla"
    assert scopes["# a target"] == "comment.line.number-sign.sla"
    assert scopes["en"] == "entity.name.tag.language.sla"
    assert scopes['"Premium \\"plus\\""'] == "string.quoted.double.sla"


def test_vscode_extension_starts_slac_lsp() -> None:
    manifest = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    assert manifest["contributes"]["languages"][0]["extensions"] == [".sla"]
    assert manifest["contributes"]["grammars"][0]["path"] == "./syntaxes/sla.tmLanguage.json"
    assert manifest["main"] == "./extension.js"
    script = (ROOT / "editors" / "vscode" / "extension.js").read_text(encoding="utf-8")
    assert '"lsp"' in script and "LanguageClient" in script
