"""Starter contracts for `slac init`: one per template, bilingual, each block taught by a comment.

`__NAME__` is the contract's name and `__LANGUAGES__` its languages; texts in languages that are
not chosen are dropped (`starter`).
"""

from __future__ import annotations

import re
from importlib import resources

TEMPLATES = ("saas", "cloud", "support")
LANGUAGES = ("zh", "en")  # the languages slac has document strings for
DEFAULT_LANGUAGES = {"saas": ("en", "zh"), "cloud": ("zh", "en"), "support": ("en", "zh")}

_TEXT = re.compile(r'(?<![\w"])(zh|en)[ \t]+"(?:[^"\\\n]|\\.)*"')


def template_text(template: str) -> str:
    return resources.files("slac.starters").joinpath(f"{template}.sla").read_text(encoding="utf-8")


def starter(template: str, name: str, languages: tuple[str, ...]) -> str:
    """The template's text for contract `name` in `languages` (the first is the original)."""
    text = template_text(template).replace("__NAME__", name).replace("__LANGUAGES__", " ".join(languages))
    out = []
    for line in text.split("\n"):
        code, hash_, comment = _split_comment(line)
        if not code.strip():
            out.append(line)
            continue
        kept = _TEXT.sub(lambda m: m.group(0) if m.group(1) in languages else "", code).rstrip()
        if kept.strip():
            out.append(kept + (f"  {hash_}{comment}" if hash_ else ""))
    return "\n".join(out)


def _split_comment(line: str) -> tuple[str, str, str]:
    """A line's code and its trailing `# comment` (a `#` inside a quoted text is not one)."""
    in_text = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_text = not in_text
        elif ch == "#" and not in_text:
            return line[:i], "#", line[i + 1 :]
    return line, "", ""
