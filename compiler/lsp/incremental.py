"""Incremental analysis: on each change, parse and convert only the top-level statements that changed.

A keystroke changes one statement of `sla NAME { … }`; parsing the other few hundred again is most of
the time a 1,000-line contract takes to check. So the text is split into its top-level statements
(by texts, comments and braces, the way the lexer sees them), each statement is parsed on its own
inside a copy of the contract's header padded with blank lines so that its tokens keep their lines and
columns, and its node and value errors are kept, keyed by its text and column; a statement that only
moved (lines added or removed above it) is moved with it. The document is then assembled as `to_ast`
assembles it, and the checks, the policy and the examples run on the whole of it through the driver,
as for `slac check`.

A statement that does not parse alone is a syntax error: it is found by parsing from the statement
above it on (the parser reaches it in the same state as in the whole file, so the message and the
position are the same). Whatever this cannot vouch for goes to the driver's own parse of the whole
text: a separator between statements that is not exactly what the lexer reads as one newline, a file
that is not plainly one `sla … { … }` (an unclosed brace, a second contract). So the diagnostics are
those of a full compile (tests/test_lsp_incremental.py compares them, positions included, on random
edits of the bundled contracts and starters, on every bad case and on layouts the splitter must read
as the lexer does).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, Span

if TYPE_CHECKING:  # pragma: no cover
    from .. import nodes as n

# The grammar's `_NL` (one newline token: newlines, blank lines, comments and the next line's indent)
# and the whitespace the lexer ignores.
_NL = r"(?:[ \t]*(?:#[^\n]*)?\r?\n)+[ \t]*"
_WS = r"[ \t\f]*"
_HEADER = re.compile(rf"{_WS}(?:{_NL}{_WS})?(sla)[ \t\f]+[a-z_][a-z0-9_]*{_WS}\{{")
_FIRST = re.compile(rf"{_WS}(?:{_NL}{_WS})?")  # `{` … first statement: `_NL?`
_BETWEEN = re.compile(rf"{_WS}{_NL}{_WS}")  # statement … statement: exactly one `_NL`
_LAST = _FIRST  # last statement … `}`: `_NL?`
_TRAILER = re.compile(rf"{_WS}(?:{_NL}{_WS})?(?:#[^\n]*)?")  # `}` … end of file: `_NL?`, a last comment
# What the splitter reads: texts (one token, newlines included; the grammar's STRING, written so that
# Python's `re` reads a long text fast), comments, braces, newlines and a quote that opens no text.
_SCAN = re.compile(r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#[^\n]*|[{}\n"]')
_BLANK = " \t\f\r"
WHOLE_AT = 8  # with more new statements than this (and than half of them), the whole file is parsed at once


@dataclass(frozen=True)
class Piece:
    """One top-level statement: its text, where it starts (offset, 1-based line and column)."""

    text: str
    start: int
    line: int
    column: int


@dataclass(frozen=True)
class Split:
    """A contract cut into its header (up to `{`), its top-level statements and its closing `}`."""

    header: str
    header_line: int  # the line of `{`
    opening: tuple[str, int, int]  # the line of `sla NAME {` up to `{`, and where `sla` is
    sla: tuple[int, int]  # line, column of `sla`
    pieces: list[Piece]
    close: tuple[int, int]  # line, column of the closing `}`
    # False: after the last piece comes what is not plainly statements and the closing `}` (a syntax error,
    # an unclosed block …); the pieces are those before it.
    complete: bool = True


def split(source: str) -> Split | None:
    """The top-level statements of `source`, or None when the text is not plainly one `sla … { … }`."""
    header = _HEADER.match(source)
    if header is None:
        return None
    body, sla_at = header.end(), header.start(1)
    sla = (source.count("\n", 0, sla_at) + 1, sla_at - source.rfind("\n", 0, sla_at))
    found: list[tuple[int, int]] = []  # where each statement starts and ends
    depth, start, end, after = 1, -1, -1, body
    for m in _SCAN.finditer(source, body):
        at = m.start()
        if depth == 1 and after < at:  # words and numbers between the texts, comments and braces
            gap = source[after:at]
            words = gap.strip(_BLANK)
            if words:
                start = start if start >= 0 else after + gap.index(words[0])
                end = after + len(gap.rstrip(_BLANK))
        after = m.end()
        first = source[at]
        if first == "\n":
            if depth == 1 and start >= 0:
                found.append((start, end))
                start = -1
        elif first == "{":
            start = start if start >= 0 else at
            depth += 1
        elif first == "}":
            if depth == 1:
                if start >= 0:
                    found.append((start, end))
                return _pieces(source, header.group(), body, sla, found, at)
            depth, end = depth - 1, after
        elif first == '"' and depth == 1:  # a text (or a quote that opens none)
            start, end = start if start >= 0 else at, after
    return _pieces(source, header.group(), body, sla, found, None)  # never closed


def _pieces(
    source: str, header: str, body: int, sla: tuple[int, int], found: list[tuple[int, int]], close: int | None
) -> Split | None:
    """The statements found, with their lines and columns, and the closing `}` at offset `close` (None:
    the text ended first)."""
    pieces = []
    line, counted = source.count("\n", 0, body) + 1, body
    for start, end in found:
        line, counted = line + source.count("\n", counted, start), start
        pieces.append(Piece(source[start:end], start, line, start - source.rfind("\n", 0, start)))
    header_line = source.count("\n", 0, body) + 1
    opening = (header[header.rfind("\n") + 1 :], *sla)  # the line of `sla NAME {`
    if close is None:
        return _checked(source, Split(header, header_line, opening, sla, pieces, (0, 0), False), body, None)
    at = (line + source.count("\n", counted, close), close - source.rfind("\n", 0, close))
    return _checked(source, Split(header, header_line, opening, sla, pieces, at), body, close)


def _checked(source: str, cut: Split, body: int, close: int | None) -> Split | None:
    """The split with `complete` when what lies between the statements is exactly what the grammar reads
    there; else the pieces up to the first that is followed by something else. None: no piece to keep."""
    pieces = cut.pieces
    if not pieces or _FIRST.fullmatch(source, body, pieces[0].start) is None:
        return None
    good = 1
    while good < len(pieces) and _BETWEEN.fullmatch(source, _end(pieces[good - 1]), pieces[good].start):
        good += 1
    if good == len(pieces) and close is not None:
        last, trailer = _LAST.fullmatch(source, _end(pieces[-1]), close), _TRAILER.fullmatch(source, close + 1)
        if last is not None and trailer is not None:
            return cut
    return dataclasses.replace(cut, pieces=pieces[:good], complete=False)


def _end(piece: Piece) -> int:
    return piece.start + len(piece.text)


Converted = tuple["n.Node", list[Diagnostic]]  # a statement's node and the value errors of its conversion


def shifted(value: Any, lines: int) -> Any:
    """A node (or diagnostic) with every span `lines` further down; the values themselves are shared."""
    if isinstance(value, Span):
        return Span(value.file, value.line + lines, value.column, value.end_line + lines, value.end_column)
    if isinstance(value, tuple):
        return tuple([shifted(v, lines) for v in value])
    names = _FIELDS.get(type(value))
    if names is None:
        names = _FIELDS[type(value)] = _field_names(value)
    if not names:
        return value
    return type(value)(*[shifted(getattr(value, f), lines) for f in names])


def _field_names(value: Any) -> tuple[str, ...]:
    """The fields a dataclass is built from, positionally; () for values that hold no span."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return ()
    fields = dataclasses.fields(value)
    assert all(f.init and not f.kw_only for f in fields), type(value)  # built positionally, field by field
    return tuple(f.name for f in fields)


_FIELDS: dict[type, tuple[str, ...]] = {}


class Pieces:
    """The nodes of one document's statements, kept from its last version to convert the next."""

    def __init__(self, file: str) -> None:
        self.file = file
        # (statement text, column) → line → its node and value errors
        self._kept: dict[tuple[str, int], dict[int, Converted]] = {}
        self._name: tuple[tuple[str, int, int], Any] | None = None  # the `sla NAME {` line → its NAME token
        self.parsed = self.moved = 0  # statements parsed / moved to another line in the last conversion
        self.route = "whole"  # how the last conversion went: "statements", "syntax error" or "whole" (the driver's)

    def convert(self, source: str) -> tuple[n.Document, list[Diagnostic]] | None:
        """The document and value errors of `source`, as `to_ast` finds them, or None to parse it whole."""
        from ..to_ast.pieces import assemble

        cut = split(source)
        broken, self.route = self.route == "syntax error", "whole"
        if cut is None:
            return None
        complete = cut.complete
        kept, self._kept, self.parsed, self.moved = self._kept, {}, 0, 0
        name = self._name[1] if self._name is not None and self._name[0] == cut.opening else None
        nodes: list[n.Node] = []
        diagnostics: list[Diagnostic] = []
        # When the line of `sla NAME {` changed, its NAME comes with the first statement's parse.
        founds = [self._kept_for(kept, p) if i or name is not None else None for i, p in enumerate(cut.pieces)]
        # Many new statements: parse the file at once, unless the last version had a syntax error (the
        # statements after it were not parsed then, and this version most likely has it too).
        many = founds.count(None) > max(WHOLE_AT, len(founds) // 2)
        whole = self._whole(cut, source) if many and complete and not broken else None
        for piece, found in zip(cut.pieces, founds, strict=True):
            if found is None:
                parsed = self._parse(cut, piece, whole.get(piece.start) if whole is not None else None)
                if parsed is None:  # a syntax error in it: found from the statement above it on
                    at = cut.pieces.index(piece)
                    self._keep(kept)
                    self._syntax_error(cut, cut.pieces[at - 1] if at else piece, source)
                    return None
                name, found = parsed
                self.parsed += 1
            self._kept.setdefault((piece.text, piece.column), {})[piece.line] = found
            nodes.append(found[0])
            diagnostics += found[1]
        assert name is not None  # split() found at least one statement, and the first one sets it
        self._name = (cut.opening, name)
        if not complete:  # a syntax error after the last piece: found from that piece on
            self._keep(kept)
            self._syntax_error(cut, cut.pieces[-1], source)
            return None
        span = Span(self.file, *cut.sla, cut.close[0], cut.close[1] + 1)
        doc, folded = assemble(name, nodes, span, file=self.file, source=source)
        self.route = "statements"
        return doc, diagnostics + folded

    def _whole(self, cut: Split, source: str) -> dict[int, list[Any]] | None:
        """The NAME token and each statement's tree from one parse of the whole text, by the statement's
        offset (when most statements are new, one parse of the file costs less than one per statement);
        None if the file does not parse."""
        from ..syntax import parse_piece
        from ..to_ast.pieces import position, sla_children

        tree = parse_piece(source)
        children = sla_children(tree) if tree is not None else []
        if len(children) != len(cut.pieces) + 1:
            return None
        found = {}
        for piece, child in zip(cut.pieces, children[1:], strict=True):
            if position(child) != (piece.line, piece.column):
                return None
            found[piece.start] = [children[0], child]
        return found

    def _keep(self, kept: dict[tuple[str, int], dict[int, Converted]]) -> None:
        """Keep the last version's statements and this one's (the text does not parse: no version wins)."""
        for key, lines in self._kept.items():
            kept.setdefault(key, {}).update(lines)
        self._kept = kept

    def _syntax_error(self, cut: Split, start: Piece, source: str) -> None:
        """Raise the syntax error a full parse finds after the statements above `start`, which all parse.

        A full parse passes them and reaches `start` in the state it is in after any one statement (or
        after the header, for the first), so the text from `start` to the end, under the padded header,
        gives the same error, position and message (the parser stops there) without parsing the whole
        file again. If that text parses after all, the driver parses the whole.
        """
        from ..syntax import parse_tree

        self.route = "syntax error"
        parse_tree(cut.header + self._padding(cut, start) + source[start.start :], self.file)
        self.route = "whole"

    def _kept_for(self, kept: dict[tuple[str, int], dict[int, Converted]], piece: Piece) -> Converted | None:
        """The statement's node as the last version had it, moved to its new line if lines were added above."""
        at = kept.get((piece.text, piece.column))
        if not at:
            return None
        found = at.get(piece.line)
        if found is not None:
            return found
        line, (node, diagnostics) = next(iter(at.items()))
        self.moved += 1
        lines = piece.line - line
        return shifted(node, lines), [shifted(d, lines) for d in diagnostics]

    def _parse(self, cut: Split, piece: Piece, parsed: list[Any] | None = None) -> tuple[Any, Converted] | None:
        """The contract's NAME token and the statement's node and value errors; None if it does not parse alone.

        `parsed`: the NAME token and the statement's tree when the whole file was parsed (`_whole`).
        """
        from ..syntax import parse_piece
        from ..to_ast.pieces import sla_children, statement

        if parsed is None:
            tree = parse_piece(cut.header + self._padding(cut, piece) + piece.text + "\n}\n")
            parsed = sla_children(tree) if tree is not None else []
        children = parsed
        if len(children) != 2:
            return None
        return children[0], statement(children[1], file=self.file)

    @staticmethod
    def _padding(cut: Split, piece: Piece) -> str:
        """Blank lines and spaces that put `piece`, after the header, on its own line and column."""
        if piece.line > cut.header_line:
            return "\n" * (piece.line - cut.header_line) + " " * (piece.column - 1)
        return " " * (piece.start - len(cut.header))
