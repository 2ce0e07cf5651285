"""Before parsing: refuse oversized sources and characters that hide or disguise contract text.

A contract passes through many hands before it is signed, and what a reviewer
sees must be what slac compiles. So, anywhere in the source:

- Unicode bidirectional embedding, override and isolate controls (U+202A–U+202E,
  U+2066–U+2069) are errors: they reorder how text *looks* without changing what
  it *is* (the "Trojan Source" trick, CVE-2021-42574), which in a legal text is
  a way to show one clause and sign another;
- control characters other than tab and newline, lone surrogates, non-characters
  and the Unicode line / paragraph separators are errors: they are invisible or
  break the line numbers that every diagnostic relies on;
- other invisible formatting characters (zero-width space and joiners, word
  joiner, soft hyphen, bidi *marks*, a BOM after the start …) are errors outside
  quoted texts, where they can only disguise a name or a number, and warnings
  inside texts and comments, where copy-pasted prose sometimes carries them;
  the warning names the code point so that an editor can find it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from . import limits
from .errors import Diagnostic, Span, error, warning
from .text import BIDI, FORBIDDEN, INVISIBLE, UNSHOWABLE

# Characters that are never right in a contract (the classes are in `slac.text`).
_SUSPECT = re.compile(f"[{BIDI}{FORBIDDEN}{INVISIBLE}]|\r(?!\n)")
_BIDI_RE = re.compile(f"[{BIDI}]")
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

__all__ = ["UNSHOWABLE", "screen"]
# Quoted texts and comments, as the lexer sees them (an unclosed quote runs to the end of its line).
_TEXTS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"?|#[^\n]*')

# Texts count as one token each and comments as none; then every run of letters, digits, `_`,
# `.` and `%`, and every other character, counts as one: never fewer than the lexer makes.
_TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[A-Za-z0-9_.%]+|\S')


def screen(text: str, file: str) -> list[Diagnostic]:
    """Diagnostics for a source that must not be parsed as it is (errors) or deserves a look (warnings)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.MAX_SOURCE_BYTES:
        return [
            error(
                "E0130",
                f"the contract is {_kib(size)}; slac reads contracts of at most {_kib(limits.MAX_SOURCE_BYTES)}",
                Span(file, 1, 1, 1, 2),
                "split long texts into several clauses, or check that this is the contract you meant",
            )
        ]
    lines = text.count("\n") + 1
    if lines > limits.MAX_LINES:
        return [
            error(
                "E0130",
                f"the contract has {lines:,} lines; slac reads contracts of at most {limits.MAX_LINES:,} lines",
                Span(file, limits.MAX_LINES + 1, 1, limits.MAX_LINES + 1, 2),
                "check that this is the contract you meant",
            )
        ]
    found = list(_characters(text, file))
    if any(d.severity == "error" for d in found):
        return found  # a NUL-filled file is reported for its NULs, not for its length
    if _tokens(text) > limits.MAX_TOKENS:
        return [
            error(
                "E0130",
                f"the contract has more than {limits.MAX_TOKENS:,} tokens (names, numbers, texts and symbols); "
                "slac reads no more",
                Span(file, 1, 1, 1, 2),
                "check that this is the contract you meant",
            )
        ]
    deep = _too_deep(text)
    if deep is not None:
        return [
            error(
                "E0130",
                f"parentheses are nested more than {limits.MAX_NESTING} deep here",
                _span(text, file, deep),
                "write the formula with fewer nested parentheses and `min(`/`max(` calls",
            )
        ]
    return found


def _too_deep(text: str) -> int | None:
    """The offset of the first parenthesis opened past `limits.MAX_NESTING` others (texts and comments
    not counted), or None."""
    depth = 0
    for m in _TOKEN.finditer(text):
        symbol = m.group()
        if symbol == "(":
            depth += 1
            if depth > limits.MAX_NESTING:
                return m.start()
        elif symbol == ")":
            depth = max(0, depth - 1)
    return None


def _tokens(text: str) -> int:
    """About as many tokens as the lexer will make (a little more), counted up to just past the limit.

    Parsing time grows with tokens, not bytes: 256 KiB of one-letter names took 4 s.
    """
    count = 0
    for m in _TOKEN.finditer(text):
        if not m.group().startswith("#"):
            count += 1
            if count > limits.MAX_TOKENS:
                break
    return count


def _characters(text: str, file: str) -> Iterator[Diagnostic]:
    reported = 0
    in_text: list[tuple[int, int]] | None = None
    for m in _SUSPECT.finditer(text):
        if reported >= limits.MAX_CHARACTER_REPORTS:
            return
        ch = m.group(0)
        pos = m.start()
        span = _span(text, file, pos)
        name = _name(ch)
        if _BIDI_RE.fullmatch(ch):
            yield error(
                "E0132",
                f"bidirectional control character {name}: it changes how the text around it is displayed",
                span,
                "delete it; a text in a right-to-left language needs no control characters",
            )
        elif _INVISIBLE_RE.fullmatch(ch):
            if in_text is None:
                in_text = [(t.start(), t.end()) for t in _TEXTS.finditer(text)]
            if _inside(in_text, pos):
                yield warning(
                    "W0806",
                    f"invisible character {name} in a text or comment",
                    span,
                    "delete it unless the text needs it: readers cannot see it, but it changes the text",
                )
            else:
                yield error(
                    "E0133",
                    f"invisible character {name} outside a text",
                    span,
                    "delete it: names, numbers and keywords are plain ASCII",
                )
        else:
            yield error(
                "E0131",
                f"character {name} is not allowed in a contract",
                span,
                "delete it; if the file was not saved as plain UTF-8 text, save it again as UTF-8",
            )
        reported += 1


def _inside(ranges: list[tuple[int, int]], pos: int) -> bool:
    import bisect

    i = bisect.bisect_right(ranges, pos, key=lambda r: r[0]) - 1
    return i >= 0 and pos < ranges[i][1]


def _span(text: str, file: str, pos: int) -> Span:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Span(file, line, column, line, column + 1)


def _name(ch: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`."""
    code = ord(ch)
    try:
        label = unicodedata.name(ch)
    except ValueError:
        label = {0x00: "NUL", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE"}.get(code, "")
        if not label and 0xD800 <= code <= 0xDFFF:
            label = "lone surrogate"
        elif not label:
            label = "control character" if unicodedata.category(ch) == "Cc" else "non-character"
    return f"U+{code:04X} ({label})"


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size >= 10 * 1024 else f"{size:,} bytes"
