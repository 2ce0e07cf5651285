"""Write the TextMate grammar of the contract language from grammar/sla.lark.

    python editors/generate.py        # rewrites editors/sla.tmLanguage.json and the VS Code copy

The keywords are the grammar's quoted literals (the same list `slac.syntax.keywords()` reads), so a
new keyword reaches the editors by running this again; tests/test_editors.py fails until it is.
The value patterns follow the grammar's terminals (DURATION, PERCENT, TIMESTAMP …).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRAMMAR = HERE.parent / "grammar" / "sla.lark"
TARGETS = (HERE / "sla.tmLanguage.json", HERE / "vscode" / "syntaxes" / "sla.tmLanguage.json")
END = r"(?![A-Za-z0-9_])"


def keywords(grammar: str) -> list[str]:
    return sorted(set(re.findall(r'"([a-z_]+)"', grammar)))


def tm_language(grammar: str) -> dict:
    words = "|".join(sorted(keywords(grammar), key=lambda w: (-len(w), w)))
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "SLA contract (slac)",
        "scopeName": "source.sla",
        "fileTypes": ["sla"],
        "keywords": keywords(grammar),  # the grammar's keywords, for tests/test_editors.py
        "patterns": [
            {"include": "#comment"},
            {"include": "#string"},
            {"include": "#value"},
            {"include": "#keyword"},
            {"include": "#language"},
            {"include": "#name"},
            {"include": "#punctuation"},
            {"include": "#operator"},
        ],
        "repository": {
            "comment": {"name": "comment.line.number-sign.sla", "match": "#.*$"},
            "string": {
                "patterns": [
                    {
                        "name": "string.quoted.triple.sla",
                        "begin": '"""',
                        "end": '"""',
                        "patterns": [{"name": "constant.character.escape.sla", "match": r"\\."}],
                    },
                    {
                        "name": "string.quoted.double.sla",
                        "begin": '"',
                        "end": '"|$',
                        "patterns": [{"name": "constant.character.escape.sla", "match": r"\\."}],
                    },
                ]
            },
            "value": {
                "patterns": [
                    {
                        "name": "constant.numeric.timestamp.sla",
                        "match": r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?",
                    },
                    {"name": "constant.numeric.date.sla", "match": r"\b\d{4}-(?:\d{2}(?:-\d{2})?|Q[1-4])" + END},
                    {"name": "constant.numeric.clock.sla", "match": r"\b\d{1,2}:\d{2}" + END},
                    {"name": "constant.numeric.duration.sla", "match": r"\b(?:\d+(?:ms|min|d|h|s))+" + END},
                    {"name": "constant.numeric.percent.sla", "match": r"\b\d+(?:\.\d+)?%"},
                    {"name": "constant.numeric.aim.sla", "match": r"\b\d+x\d+(?:x\d+)?" + END},
                    # `2 business_days` (issue 12): one value, as the grammar's BUSINESS_DAYS token
                    {"name": "constant.numeric.duration.sla", "match": r"\b\d+[ \t]+business_days?" + END},
                    {"name": "constant.numeric.sla", "match": r"\b\d+(?:\.\d+)?" + END},
                    {"name": "constant.other.currency.sla", "match": r"\b[A-Z]{3}" + END},
                ]
            },
            "language": {
                "comment": 'a language code before a text: en "…"',
                "name": "entity.name.tag.language.sla",
                "match": r"\b[a-z]{2,3}(?=[ \t]+\")",
            },
            "keyword": {"name": "keyword.control.sla", "match": rf"\b(?:{words}){END}"},
            "name": {"name": "variable.other.sla", "match": r"\b[a-z_][a-z0-9_]*" + END},
            "punctuation": {"name": "punctuation.sla", "match": r"[{},\-]"},
            "operator": {"name": "punctuation.operator.arithmetic.sla", "match": r"[*/+()]"},
        },
    }


def main() -> None:
    text = json.dumps(tm_language(GRAMMAR.read_text(encoding="utf-8")), indent=2, ensure_ascii=False) + "\n"
    for target in TARGETS:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
