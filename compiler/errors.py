"""Source spans, diagnostics and their text / JSON / GitHub formats."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .text import BIDI, FORBIDDEN, INVISIBLE, display_width, showable

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a contract; `spans[0]` is where it is reported."""

    severity: Severity
    code: str
    message: str
    spans: tuple[Span, ...]
    hint: str | None = None
    # Secondary spans get a short label ("first declared here").
    labels: tuple[str, ...] = field(default=())

    @property
    def span(self) -> Span:
        return self.spans[0]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        s = self.span
        return (s.file, s.line, s.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            **self.span.to_json(),
            "related": [{**s.to_json(), "label": label} for s, label in zip(self.spans[1:], self.labels, strict=False)],
        }


def error(
    code: str, message: str, span: Span, hint: str | None = None, *, related: tuple[Span, str] | None = None
) -> Diagnostic:
    """An error at `span`; `related` is a second place and its label ("first declared here")."""
    return _diagnostic("error", code, message, span, hint, related)


def warning(
    code: str, message: str, span: Span, hint: str | None = None, *, related: tuple[Span, str] | None = None
) -> Diagnostic:
    return _diagnostic("warning", code, message, span, hint, related)


def _diagnostic(
    severity: Severity, code: str, message: str, span: Span, hint: str | None, related: tuple[Span, str] | None
) -> Diagnostic:
    if related is None:
        return Diagnostic(severity, code, message, (span,), hint)
    return Diagnostic(severity, code, message, (span, related[0]), hint, (related[1],))


class SlaError(Exception):
    """Raised by a pipeline stage when a contract has errors; carries all of them."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(
            f"{first.span.file}:{first.span.line}:{first.span.column}: {first.message}" if first else "contract error"
        )


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


# ---- formatting ----------------------------------------------------------------------------


# Characters of a source line shown in an excerpt (longer lines are cut around the caret).
_MAX_EXCERPT = 400


def _excerpt(span: Span, lines: Sequence[str], label: str | None = None) -> list[str]:
    if not 1 <= span.line <= len(lines):
        return []
    # Control, bidi and invisible characters are shown as U+FFFD: printed as they are, they
    # would reorder the line, move the caret or send escape sequences to the terminal.
    line = showable(lines[span.line - 1].rstrip("\r\n"))
    gutter = str(span.line)
    pad = " " * len(gutter)
    start = max(span.column - 1, 0)
    if span.end_line == span.line and span.end_column > span.column:
        stop = min(span.end_column - 1, len(line))
    else:
        stop = len(line)
    stop = max(stop, start + 1)
    if len(line) > _MAX_EXCERPT:
        # A very long line is shown around the caret; printing it whole under each of its
        # diagnostics would make the output grow with the square of the line's length.
        lo = max(0, min(start - _MAX_EXCERPT // 4, len(line) - _MAX_EXCERPT))
        hi = lo + _MAX_EXCERPT
        before, after = ("…" if lo > 0 else ""), ("…" if hi < len(line) else "")
        line = before + line[lo:hi] + after
        start, stop = start - lo + len(before), min(stop, hi) - lo + len(before)
    marks = " " * display_width(line[:start]) + "^" * max(display_width(line[start:stop]), 1)
    if label:
        marks += f" {label}"
    return [f"{pad} |", f"{gutter} | {line}", f"{pad} | {marks}"]


# What a message must not print as it is: a newline from contract text (`url "…\n::error …"`)
# would start a line that CI reads as a command of its own; controls and bidi characters could
# rewrite the terminal. Each is shown as its escape (`\n`, `\x1b`, `\u202e`).
_UNPRINTABLE = re.compile(f"[\n\r{BIDI}{FORBIDDEN}{INVISIBLE}]")


def printable(text: str) -> str:
    """`text` on one line, with control, bidi and invisible characters written as escapes."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def format_text(diagnostics: Iterable[Diagnostic], sources: dict[str, str]) -> str:
    """`file:line:col: error[CODE]: message`, the line, a caret line and a hint."""
    out: list[str] = []
    # Split each source once: a file with thousands of diagnostics must not be split thousands of times.
    split: dict[str, list[str]] = {}

    def lines_of(file: str) -> list[str] | None:
        if file not in split:
            text = sources.get(file)
            if text is None:
                return None
            # Lines as the parser counts them: only "\n" ends one (splitlines() would also split at
            # U+2028, form feeds and lone carriage returns, and show the wrong line).
            split[file] = text.split("\n")
        return split[file]

    for d in diagnostics:
        s = d.span
        out.append(f"{printable(s.file)}:{s.line}:{s.column}: {d.severity}[{d.code}]: {printable(d.message)}")
        lines = lines_of(s.file)
        if lines is not None:
            out.extend(_excerpt(s, lines))
            for extra, label in zip(d.spans[1:], d.labels, strict=False):
                other = lines_of(extra.file)
                if other is not None:
                    out.append(f"  {printable(extra.file)}:{extra.line}:{extra.column}: {printable(label)}")
                    out.extend(_excerpt(extra, other))
        if d.hint:
            out.append(f"  = hint: {printable(d.hint)}")
        out.append("")
    return "\n".join(out)


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], ensure_ascii=False, indent=2) + "\n"


def _gh_escape(value: str, *, prop: bool) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, one annotation per diagnostic."""
    out = []
    for d in diagnostics:
        s = d.span
        props = (
            f"file={_gh_escape(s.file, prop=True)},line={s.line},col={s.column},"
            f"endLine={s.end_line},endColumn={s.end_column},"
            f"title={_gh_escape(d.code, prop=True)}"
        )
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        out.append(f"::{d.severity} {props}::{_gh_escape(message, prop=False)}")
    return "\n".join(out) + ("\n" if out else "")


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) if parts else "no problems"
