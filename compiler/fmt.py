"""`slac fmt`: the canonical layout of a contract, with every comment kept in place.

The formatter works on the parser's own token stream (so it can never disagree
with the grammar about where a token starts or ends) and rewrites only what is
inside a line: indentation, the spaces between tokens, column alignment and the
place of trailing comments. It never adds, removes or reorders lines, so every
line number in a diagnostic, a compiled policy or a report stays valid after
formatting; only trailing blank lines at the end of the file are dropped.

The canonical style is the one the bundled contracts are written in:

* two spaces of indentation per open block; blank lines and comment lines kept;
* one space between tokens, none around `-` and `,` (`mon-fri 08:00-18:00`);
  a credit amount written as a formula is one cell, spaced as arithmetic is written
  (`min(window_fee, 20 * window_fee * downtime / window)`, `(window_fee - 5) / 2`);
* runs of consecutive "key value" statements (`title`, `version`, `name`,
  `features`, `uptime`, `hours`, `window`, …) pad their keyword so the values
  start in one column, and a line of texts continuing `title`/`name`/`features`
  starts in that column too;
* runs of consecutive table-like statements of the same shape (`respond`, `resolve`
  and `update` together, their `within D` / `every D` one cell,
  `when uptime below`, `uptime P for SERVICE`, `link`, and one-line blocks such as
  `channel email { name en "Email" zh "电子邮件" }`) are aligned cell by cell;
  a cell is a token, a `lang "text"` pair, an amount (`10% of monthly_fee`) or
  money (`1000 CNY`), and the last cell is never padded;
* trailing comments on consecutive lines start in one column, two spaces after
  the longest code among those lines.

Widths are display widths: a CJK character takes two columns, as in an editor.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import SlaError

if TYPE_CHECKING:  # pragma: no cover
    from .syntax import Token  # lark is imported by syntax.py and to_ast/ only

INDENT = "  "

# Token types that carry a value; every other named token is a keyword or punctuation.
_VALUES = frozenset(
    {
        "NAME",
        "STRING",
        "CURRENCY",
        "TIMESTAMP",
        "DATE",
        "PERIOD",
        "CLOCK",
        "DURATION",
        "PERCENT",
        "AIM",
        "INT",
        "NUMBER",
        "BUSINESS_DAYS",  # issue 12: `2 business_days`, one token
    }
)

# Statements whose keyword is padded so that the values of a run line up.
_KEY_VALUE = frozenset(
    {
        "title",
        "version",
        "effective",
        "languages",
        "timezone",
        "currency",
        "billing",
        "name",
        "features",
        "support",
        "uptime",
        "live",
        "hours",
        "holidays",
        "url",
        "window",
        "monitor",
        "status_page",
        "minimum",
        "maintenance",
        "excludes",
        "objective",
        # language v2
        "measured",
        "downtime",
        "description",
    }
)
# Statements aligned cell by cell with their neighbours of the same shape.
_TABLE = frozenset({"respond", "when", "link", "resolve", "update"})
# Ticket targets (issue 12) form one table whatever their keyword, `within D` / `every D` one cell:
#     respond p1 within 30min during always
#     update  p1 every 1h     during always
_TARGETS = frozenset({"respond", "resolve", "update"})
# Blocks whose statements are never aligned: an example reads as a sequence of events.
_PLAIN_BLOCKS = frozenset({"example"})
# Blocks holding only lines of texts (each line a translation, not a continuation).
_TEXT_BLOCKS = frozenset({"define", "clause", "exclude"})
# Statements a line of texts may continue.
_CONTINUED = frozenset({"title", "name", "features"})


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal or editor: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class FormatError(RuntimeError):
    """The formatter's own safety check failed: its output would not mean what the input means."""


@dataclass
class _Line:
    """One source line as the formatter sees it."""

    number: int
    cells: list[str] = field(default_factory=list)
    comment: str | None = None
    depth: int = 0  # open blocks around the line's first token
    block: str = "sla"  # keyword of the innermost block the line is in
    kind: str = ""  # "blank", "comment", "code", "verbatim" (inside a multi-line text)
    keyword: str = ""  # first keyword of a statement, or "text" for a line of texts
    verbatim: str | None = None  # the line as it stands (inside a multi-line text)
    continues: bool = False  # the line ends inside a multi-line text
    one_line_block: bool = False
    prefix: str = ""  # leading text that must stay as written (the end of a multi-line text)
    key_width: int = 0
    widths: list[int] = field(default_factory=list)
    comment_column: int = 0


def format_source(source: str, *, file: str = "<string>") -> str:
    """The canonical text of `source`; raises `SlaError` when it does not parse.

    The result has exactly the tokens of the input, so it compiles to the same
    policy; only the source hash differs when the layout changed.
    """
    from .syntax import parse_tree

    text = source.replace("\r\n", "\n")
    parse_tree(text, file)  # friendly syntax errors first
    tokens = _tokens(text)
    lines = _lines(text, tokens)
    _align_key_values(lines)
    _align_tables(lines)
    _align_comments(lines)
    out = [_render(line) for line in lines]
    while out and out[-1] == "":
        out.pop()
    result = "\n".join(out) + "\n"
    if _signature(_tokens(result)) != _signature(tokens):  # pragma: no cover - a bug, not bad input
        raise FormatError(f"{file}: formatting would change the contract's tokens; the file is left as it is")
    return result


# ---- tokens and lines ----------------------------------------------------------------------------


def _tokens(text: str) -> list[Token]:
    """Every token the parser reads, in order, including the newlines (`_NL`)."""
    from .syntax import token_stream

    return token_stream(text)


def _signature(tokens: Sequence[Token]) -> list[tuple[str, str]]:
    """What a contract means at the token level: the tokens, and where lines break (not how).

    A newline at the very end is not part of it: the formatter ends every file with one.
    """
    # `2   business_days` is one token (issue 12) whose inner spacing is layout, not meaning.
    out = [(t.type, "" if t.type == "_NL" else _text(t)) for t in tokens]
    while out and out[-1][0] == "_NL":
        out.pop()
    return out


def _text(tok: Token) -> str:
    return " ".join(str(tok).split()) if tok.type == "BUSINESS_DAYS" else str(tok)


def _is_keyword(tok: Token) -> bool:
    return tok.type not in _VALUES and tok.type not in ("_NL", "LBRACE", "RBRACE", "MINUS", "COMMA")


def _lines(text: str, tokens: list[Token]) -> list[_Line]:
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    lines = [_Line(i + 1) for i in range(len(raw))]
    by_line: dict[int, list[Token]] = {}
    for tok in tokens:
        if tok.type != "_NL":
            by_line.setdefault(tok.line or 1, []).append(tok)

    depth = 0
    blocks: list[str] = []
    pending_header = "sla"  # keyword of the statement whose `{` opens the next block
    skip_until = 0  # last line covered by a multi-line text
    for line in lines:
        number = line.number
        toks = by_line.get(number, [])
        if number <= skip_until:
            line.kind = "verbatim"
            if number < skip_until:
                line.verbatim = raw[number - 1]
                continue
            # The line where a multi-line text ends: keep it up to the closing quotes.
            closing = max((t for t in tokens if t.end_line == number and (t.line or 0) < number), key=_end)
            line.prefix = raw[number - 1][: (closing.end_column or 1) - 1]
            rest_from = (closing.end_column or 1) - 1
        else:
            rest_from = 0
        line.depth = depth - (1 if toks and toks[0].type == "RBRACE" else 0)
        line.block = blocks[-1] if blocks else "file"
        end_col = max(((t.end_column or 1) - 1 for t in toks if t.end_line == number), default=rest_from)
        tail = raw[number - 1][end_col:].strip()
        line.comment = tail if tail.startswith("#") else None
        if not toks and not line.prefix:
            line.kind = "comment" if line.comment else "blank"
            continue
        if not line.prefix:
            line.kind = "code"
        line.cells = _cells(toks)
        if toks and _is_keyword(toks[0]):
            line.keyword = str(toks[0])
        elif len(toks) > 1 and toks[0].type == "NAME" and toks[1].type == "STRING":
            line.keyword = "text"
        # The statement that opens a block on this line names it (`calendar always {`).
        if line.keyword and line.keyword != "text":
            pending_header = line.keyword
        for tok in toks:
            if tok.type == "LBRACE":
                depth += 1
                blocks.append(pending_header)
            elif tok.type == "RBRACE":
                depth = max(depth - 1, 0)
                if blocks:
                    blocks.pop()
        line.one_line_block = (
            bool(toks) and toks[-1].type == "RBRACE" and any(t.type == "LBRACE" for t in toks) and not line.prefix
        )
        last = toks[-1] if toks else None
        if last is not None and (last.end_line or 0) > number:
            # Only the opening of a multi-line text is on this line; its other lines stay verbatim.
            line.cells[-1] = line.cells[-1].split("\n", 1)[0]
            line.continues = True
            skip_until = last.end_line or number
    return lines


def _end(tok: Token) -> int:
    return tok.end_column or 0


# Tokens only an arithmetic credit amount (a formula) has; `-` and `,` also glue `mon-fri` and lists.
_ARITHMETIC = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "LPAR", "RPAR", "FUNC", "COMMA"})


def _formula_span(toks: list[Token]) -> tuple[int, int] | None:
    """Where a credit amount written as a formula lies in its line (`when …`, `cap … per`, `per missed …`)."""
    if not toks or toks[0].type not in ("WHEN", "CAP", "PER"):
        return None
    kinds = [t.type for t in toks]
    if toks[0].type == "WHEN":
        start = kinds.index("BELOW") + 2 if "BELOW" in kinds else len(toks)
    else:
        start = 1 if toks[0].type == "CAP" else 3
    end, depth = start, 0
    while end < len(toks) and not (depth == 0 and kinds[end] == "PER"):
        depth += {"LPAR": 1, "RPAR": -1}.get(kinds[end], 0)
        end += 1
    return (start, end) if any(k in _ARITHMETIC for k in kinds[start:end]) else None


def _expression(toks: Sequence[Token]) -> str:
    """A formula as one cell: `min(window_fee, 20 * window_fee * downtime / window)`."""
    out = ""
    for tok in toks:
        value = _text(tok)
        if not out or tok.type in ("RPAR", "COMMA") or out[-1] == "(" or tok.type == "LPAR" and out[-1].isalpha():
            out += value
        else:
            out += " " + value
    return out


def _cells(toks: list[Token]) -> list[str]:
    """Group a line's tokens into the units that are aligned: see the module docstring."""
    cells: list[str] = []
    glue_next = False
    formula = _formula_span(toks)
    i = 0
    while i < len(toks):
        tok = toks[i]
        value = _text(tok)
        if formula is not None and i == formula[0]:
            cells.append(_expression(toks[formula[0] : formula[1]]))
            i = formula[1]
            continue
        if tok.type in ("MINUS", "COMMA") and cells:
            cells[-1] += value
            glue_next = True
            i += 1
            continue
        if glue_next:
            cells[-1] += value
            glue_next = False
        elif value == "below" and cells and cells[0] == "when" and i + 1 < len(toks):
            # A band's threshold is one cell, `below 99.0%` or `at or below 95.0%`, so amounts align.
            if cells[-2:] == ["at", "or"]:
                cells[-2:] = [f"at or below {toks[i + 1]}"]
            else:
                cells.append(f"below {toks[i + 1]}")
            i += 1
        elif value in ("within", "every") and cells and cells[0] in _TARGETS and i + 1 < len(toks):
            nxt = toks[i + 1]
            cells.append(f"{value} {_text(nxt)}")
            i += 1
        elif tok.type == "OF" and cells and i + 1 < len(toks):
            cells[-1] += f" of {toks[i + 1]}"
            i += 1
        elif tok.type == "STRING" and i > 0 and toks[i - 1].type == "NAME" and cells and _pairs_with_text(toks, i):
            cells[-1] += f" {value}"
        elif tok.type == "CURRENCY" and i > 0 and toks[i - 1].type == "NUMBER":
            cells[-1] += f" {value}"
        else:
            cells.append(value)
        i += 1
    return cells


def _pairs_with_text(toks: list[Token], i: int) -> bool:
    """Whether the NAME before toks[i] is the language of a text (`en "…"`), not a value on its own."""
    before = toks[i - 2] if i >= 2 else None
    # `claim via NAME` and the like never precede a string; a language code is preceded by a
    # keyword (`name`, `title`, `link`, `features`), another text, or starts the line.
    return before is None or before.type in ("STRING", "LBRACE") or _is_keyword(before)


# ---- alignment -------------------------------------------------------------------------------------


def _runs(lines: list[_Line], member: str) -> Iterator[list[_Line]]:
    """Maximal runs of consecutive lines of one kind in one block; comment lines do not break a run."""
    run: list[_Line] = []
    signature: object = None
    for line in lines:
        if line.kind == "comment" and run:
            continue
        sig = _signature_of(line, member)
        if sig is None or sig != signature:
            if run:
                yield run
            run = []
        if sig is not None:
            if member == "kv" and line.keyword == "text" and not run:
                sig = None  # a line of texts continues a run; it never starts one
            else:
                run.append(line)
        signature = sig
    if run:
        yield run


def _signature_of(line: _Line, member: str) -> object:
    if line.kind != "code" or line.continues or line.block in _PLAIN_BLOCKS:
        return None
    if member == "kv":
        if line.block in _TEXT_BLOCKS or line.one_line_block or "{" in line.cells:
            return None
        if line.keyword in _KEY_VALUE or line.keyword == "text":
            return ("kv", line.depth)
        return None
    if line.one_line_block:
        inner = line.cells[line.cells.index("{") + 1] if line.cells.index("{") + 1 < len(line.cells) else ""
        return ("block", line.depth, line.keyword, inner, len(line.cells))
    if line.keyword in _TABLE and "{" not in line.cells:
        family = "target" if line.keyword in _TARGETS else line.keyword
        return ("table", line.depth, family, len(line.cells))
    if line.keyword == "uptime" and "for" in line.cells:  # `uptime 99.9% for SERVICE`, one per service
        return ("table", line.depth, line.keyword, len(line.cells))
    return None


def _align_key_values(lines: list[_Line]) -> None:
    for run in _runs(lines, "kv"):
        keys = [line for line in run if line.keyword != "text"]
        width = max(display_width(line.cells[0]) for line in keys)
        previous: str | None = None
        for line in run:
            if line.keyword == "text":
                # A line of texts continues the statement above only when that one takes texts.
                if previous in _CONTINUED:
                    line.key_width = -(width + 1)  # indent past the keyword column
                continue
            line.key_width = width
            previous = line.keyword


def _align_tables(lines: list[_Line]) -> None:
    for run in _runs(lines, "table"):
        if len(run) < 2:
            continue
        columns = len(run[0].cells)
        widths = [max(display_width(line.cells[c]) for line in run) for c in range(columns)]
        for line in run:
            line.widths = widths


def _align_comments(lines: list[_Line]) -> None:
    group: list[_Line] = []

    def flush() -> None:
        if group:
            column = max(display_width(_code(line)) for line in group) + 2
            for line in group:
                line.comment_column = column
        group.clear()

    # A group is a stretch of consecutive lines that all end with a comment (gofmt's rule).
    for line in lines:
        if line.kind == "code" and line.comment is not None and not line.continues and not line.prefix:
            group.append(line)
        else:
            flush()
    flush()


# ---- rendering -------------------------------------------------------------------------------------


def _code(line: _Line) -> str:
    """The line without its trailing comment, indentation included."""
    if line.kind == "verbatim" and not line.prefix:
        return line.verbatim or ""
    cells = line.cells
    if line.widths:
        last = len(cells) - 1
        if line.one_line_block:
            last = len(cells) - 2  # the closing `}` follows the last statement cell after one space
        parts = [_pad(c, line.widths[i]) if i < last else c for i, c in enumerate(cells)]
        body = " ".join(parts)
    elif line.key_width > 0 and cells:
        body = " ".join([_pad(cells[0], line.key_width), *cells[1:]]) if len(cells) > 1 else cells[0]
    else:
        body = " ".join(cells)
    if line.prefix:
        return line.prefix + (" " + body if body else "")
    indent = INDENT * line.depth
    if line.key_width < 0:
        indent += " " * -line.key_width
    return indent + body


def _pad(cell: str, width: int) -> str:
    return cell + " " * (width - display_width(cell))


def _render(line: _Line) -> str:
    if line.kind == "blank":
        return ""
    if line.kind == "comment":
        return INDENT * line.depth + (line.comment or "")
    code = _code(line)
    if line.comment is None:
        return code.rstrip() if line.kind == "code" else code
    column = max(line.comment_column, display_width(code) + 2)
    return code + " " * (column - display_width(code)) + line.comment


__all__ = ["FormatError", "SlaError", "display_width", "format_source"]
