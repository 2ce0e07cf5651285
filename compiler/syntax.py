"""Source text → Lark parse tree, with friendly, positioned syntax errors.

The parser is LALR(1) with Lark's contextual lexer, built once per process and
cached on disk by Lark. A syntax error becomes one `Diagnostic`: the message
comes from the table of known mistakes in `grammar/syntax_errors.toml` (matched
by parser state, the way Lark's `match_examples` works) or, failing that, from
a plain-words description of what the parser expected at that point.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, SlaError, Span, error

if TYPE_CHECKING:  # pragma: no cover
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

# What each terminal means, in the words of a contract editor.
TERMINALS: dict[str, str] = {
    "NAME": "a name like `business`",
    "STRING": 'a quoted text like `"…"`',
    "DURATION": "a duration like `3h`, `30min` or `1h30min`",
    "PERCENT": "a percentage like `99.9%`",
    "DATE": "a date like `2025-01-01`",
    "TIMESTAMP": "a timestamp with an offset like `2025-03-03T09:00+08:00`",
    "PERIOD": "a period like `2026-05`, `2026-Q2` or `2026`",
    "CLOCK": "a clock time like `08:00`",
    "CURRENCY": "a currency code like `CNY`",
    "NUMBER": "a number like `1000`",
    "INT": "a whole number like `3`",
    "AIM": "an aim like `24x7x365`",
    "BELOW_TARGET": "`target`",
    "BUSINESS_DAYS": "business days like `2 business_days`",
    "FUNC": "`min(…)` or `max(…)`",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}

# Wrappers that put a one-line example from the error table into a contract.
_CONTEXTS = {
    "sla": "sla x {{\n  {0}\n}}\n",
    "tier": "sla x {{\n  tier t {{\n    {0}\n  }}\n}}\n",
    "calendar": "sla x {{\n  calendar c {{\n    {0}\n  }}\n}}\n",
    "availability": "sla x {{\n  availability {{\n    {0}\n  }}\n}}\n",
    "credit": "sla x {{\n  credit c {{\n    {0}\n  }}\n}}\n",
    "priority": "sla x {{\n  priority p {{\n    {0}\n  }}\n}}\n",
    "channel": "sla x {{\n  channel c {{\n    {0}\n  }}\n}}\n",
    "example": 'sla x {{\n  example "e" {{\n    {0}\n  }}\n}}\n',
    "objective": "sla x {{\n  objective o {{\n    {0}\n  }}\n}}\n",
    "file": "{0}\n",
    "service": "sla x {{\n  service s {{\n    {0}\n  }}\n}}\n",
    "exclude": 'sla x {{\n  exclude m {{\n    {0}\n    en "x"\n  }}\n}}\n',
}


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return resources.files("slac.grammar").joinpath("sla.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The process-wide LALR parser; the analysed tables are cached on disk (0.25 s → 0.03 s)."""
    import lark

    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=_cache_file(lark.__version__),
    )


def _cache_file(lark_version: str) -> str | bool:
    """A per-user cache file for the parser tables, named by grammar and Lark version.

    Lark's default (`cache=True`) puts a pickle in the shared temporary directory;
    the user's own cache directory is not writable by others. Without one, no cache.
    """
    import hashlib
    import os
    import sys
    from pathlib import Path

    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home directory to be found
        return False
    digest = hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()[:16]
    folder = base / "slac"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return False
    return str(folder / f"parser-{digest}-lark{lark_version}-py{sys.version_info[0]}{sys.version_info[1]}.pickle")


@lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """Every keyword of the language (the grammar's quoted literals)."""
    return frozenset(re.findall(r'"([a-z_]+)"', grammar_text()))


@lru_cache(maxsize=1)
def error_table() -> tuple[dict[str, Any], ...]:
    """The known-mistakes table, each entry's examples wrapped into whole contracts."""
    raw = resources.files("slac.grammar").joinpath("syntax_errors.toml").read_text(encoding="utf-8")
    entries = []
    for entry in tomllib.loads(raw)["error"]:
        wrap = _CONTEXTS[entry.get("context", "sla")]
        entries.append({**entry, "sources": [wrap.format(e) for e in entry["examples"]]})
    return tuple(entries)


def token_stream(text: str) -> list[Token]:
    """Every token the parser reads, in order, including the newlines (`_NL`); for the formatter."""
    interactive = parser().parse_interactive(text)
    tokens = list(interactive.iter_parse())
    interactive.feed_eof()
    return tokens


def parse_tree(text: str, file: str) -> Tree:
    """Parse `text`; raise `SlaError` with one friendly diagnostic on a syntax error."""
    from lark.exceptions import UnexpectedInput

    try:
        return parser().parse(text)
    except UnexpectedInput as exc:
        raise SlaError([syntax_diagnostic(exc, text, file)]) from None


def _error_key(exc: UnexpectedInput) -> tuple[int, str | None]:
    """The LALR state an error happened in, and the kind of token found there.

    Lark's own `match_examples` compares whole parser stacks, so the same slip
    one block deeper would not match; the state on top of the stack is what
    identifies the mistake.
    """
    from lark.exceptions import UnexpectedToken

    state = exc.state
    position = state if isinstance(state, int) else getattr(state, "position", -1)
    token_type = exc.token.type if isinstance(exc, UnexpectedToken) else None
    return int(position), token_type


@lru_cache(maxsize=1)
def _table_index() -> dict[tuple[int, str | None], list[tuple[int, str]]]:
    """(entry, the statement word its example starts with) of every example, by the error's key."""
    from lark.exceptions import UnexpectedInput

    exact: dict[tuple[int, str | None], list[tuple[int, str]]] = {}
    for i, entry in enumerate(error_table()):
        for source in entry["sources"]:
            try:
                parser().parse(source)
            except UnexpectedInput as exc:
                found = exact.setdefault(_error_key(exc), [])
                lines = source.splitlines()
                word = _first_word(lines[exc.line - 1]) if 0 < (exc.line or 0) <= len(lines) else ""
                if (i, word) not in found:
                    found.append((i, word))
    return exact


def _first_word(line: str) -> str:
    m = re.match(r"\s*([a-z_]+)", line)
    return m.group(1) if m else ""


def _match_table(exc: UnexpectedInput, line_text: str) -> dict[str, Any] | None:
    """The known-mistakes entry whose examples fail in the same state on the same kind of token, in a
    statement of the same word (`languages en zh-CN` fails where `window calendar-month` does: each
    has its own entry), else the first such entry when no example names the statement's word."""
    found = _table_index().get(_error_key(exc), [])
    word = _first_word(line_text)
    same = [i for i, w in found if w == word]
    if same:
        return error_table()[same[0]]
    if not found:
        return None
    table = error_table()
    # A mistake the table words alike in several statements is a general one (`a, b` in any list).
    general = (
        len({(table[i].get("code"), table[i]["message"]) for i, _w in found}) == 1 and len({w for _i, w in found}) > 1
    )
    if not general and word in set().union(*statement_keywords().values()):
        return None  # entries of this state about other statements, each its own: the parser's own words
    return table[found[0][0]]  # one mistake whatever the statement (`a, b` in any list)


def _describe(expected: set[str]) -> str:
    names = []
    # A duration is what most targets are: named before business days (issue 12).
    for term in sorted(expected, key=lambda t: (t.startswith("_") or t == "$END", t == "BUSINESS_DAYS", t)):
        if term in TERMINALS:
            names.append(TERMINALS[term])
        elif term == "RBRACE":
            names.append("`}`")
        elif term == "LBRACE":
            names.append("`{`")
        else:
            names.append(f"`{_literal(term)}`")
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return names[0]
    if len(names) == 2 and " or " in names[0]:  # `a duration like `3h` or `1h30min`, or business days …`
        return f"{names[0]}, or {names[1]}"
    if len(names) <= 6:
        return ", ".join(names[:-1]) + " or " + names[-1]
    return ", ".join(names[:6]) + " or another statement"


@lru_cache(maxsize=1)
def _literal_names() -> dict[str, str]:
    p = parser()
    return {t.name: t.pattern.value for t in p.terminals if t.pattern.type == "str"}


def _literal(term: str) -> str:
    return _literal_names().get(term, term.lower())


def _word_at(text: str, pos: int) -> str:
    m = re.compile(r'"[^"\n]*"?|[^\s{}]+|.').match(text, pos)
    return m.group(0) if m else ""


def _span_at(file: str, line: int, column: int, width: int) -> Span:
    return Span(file, line, column, line, column + max(width, 1))


def _unclosed_brace(text: str) -> tuple[int, int] | None:
    """Line and column of the last `{` that has no matching `}` (ignoring strings and comments)."""
    stack: list[tuple[int, int]] = []
    token = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}]|\n')
    line, line_start = 1, 0
    for m in token.finditer(text):
        s = m.group(0)
        if s == "\n":
            line, line_start = line + 1, m.end()
        elif s == "{":
            stack.append((line, m.start() - line_start + 1))
        elif s == "}":
            if stack:
                stack.pop()
        elif s.startswith('"'):
            newlines = s.count("\n")
            if newlines:
                line += newlines
                line_start = m.start() + s.rfind("\n") + 1
    return stack[-1] if stack else None


def syntax_diagnostic(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            where = _unclosed_brace(text)
            lines = text.splitlines() or [""]
            end_line = len(lines)
            span = Span(file, end_line, len(lines[-1]) + 1, end_line, len(lines[-1]) + 2)
            if where:
                return Diagnostic(
                    "error",
                    "E0102",
                    "the file ends inside a block",
                    (span, Span(file, where[0], where[1], where[0], where[1] + 1)),
                    hint="add the missing `}`",
                    labels=("this `{` is never closed",),
                )
            return error("E0102", "the file ends too early", span, f"expected {_describe(exc.expected)}")
        found = tok.value
        line, column = tok.line or 1, tok.column or 1
        width = len(found.split("\n", 1)[0]) or 1
        expected = set(exc.accepts or exc.expected)
        found_desc = "the end of the line" if tok.type == "_NL" else f"`{found}`"
        if tok.type == "_NL":
            width = 1
    else:
        assert isinstance(exc, UnexpectedCharacters)
        line, column = exc.line, exc.column
        pos = exc.pos_in_stream or 0
        found = _word_at(text, pos)
        width = len(found)
        expected = set(exc.allowed or ())
        found_desc = f"`{found}`"
        if found.startswith('"') and (len(found) == 1 or not found.endswith('"')):
            return error(
                "E0103",
                "this text has no closing quote",
                _span_at(file, line, column, 1),
                'close it with `"` on the same line, or use `"""…"""` for text over several lines',
            )
    span = _span_at(file, line, column, width)
    lines = text.splitlines()
    line_text = lines[line - 1] if 0 < line <= len(lines) else ""
    share = _bare_share(file, line, line_text[: column - 1], found)
    if share is not None:
        return share
    entry = _match_table(exc, line_text)
    if entry is not None:
        hint = entry.get("hint")
        if hint is not None:  # the table's examples of money are in CNY: in the contract's own currency
            hint = hint.replace(" CNY`", f" {_currency(text)}`")
        return error(entry.get("code", "E0101"), entry["message"], span, hint)
    unknown = _unknown_statement(text, file, line, column, expected)
    if unknown is not None:
        return unknown
    if found_desc == "the end of the line":
        message = f"the statement ends too early: expected {_describe(expected)}"
    else:
        message = f"unexpected {found_desc}: expected {_describe(expected)}"
    hint = _hint(found, expected, line_text[column - 1 :], _currency(text), _zone(text))
    return error("E0101", message, span, hint)


# A number and `of` before the basis the parser stopped on: `0.3 of service_charges` reads as 0.3 days of service
# named `of`, in the parser state of `10 service days`, so the table cannot tell the two apart.
_BARE_SHARE = re.compile(r"(?<![\w.%])(\d+(?:\.\d+)?)\s+of\s+$")


def _bare_share(file: str, line: int, before: str, basis: str) -> Diagnostic | None:
    """A share written as a bare number (`0.3 of service_charges`): write it as a percentage, `30% of …`."""
    m = _BARE_SHARE.search(before)
    if m is None or not re.fullmatch(r"[a-z_][a-z0-9_]*", basis):
        return None
    number = m.group(1)
    if re.fullmatch(r"0\.\d+", number):  # a fraction: 0.3 is most likely 30 %, as with `below 0.99`
        from decimal import Decimal

        share = format((Decimal(number) * 100).normalize(), "f")
        hint = f"write `{share}% of {basis}` for the fraction {number} (or `{number}% of {basis}` if you mean it)"
    else:
        hint = f"write `{number}% of {basis}`"
    span = _span_at(file, line, m.start(1) + 1, len(number))
    return error("E0101", "a share of an amount is written as a percentage, with `%`", span, hint)


# ---- unknown statements ----------------------------------------------------------------------------

# The block keyword of each statement context (for "… is a statement of `availability { … }`").
_BLOCK_OF_CONTEXT = {
    "sla": "sla",
    "tier": "tier",
    "calendar": "calendar",
    "availability": "availability",
    "credit": "credit",
    "priority": "priority",
    "channel": "channel",
    "example": "example",
    "objective": "objective",
    "service": "service",
    "exclude": "exclude",
}


def _accepted_keywords(prefix: str) -> frozenset[str]:
    """The keywords that may start the next statement after `prefix` (a text that parses so far)."""
    from lark.exceptions import UnexpectedInput

    interactive = parser().parse_interactive(prefix)
    try:
        for _ in interactive.iter_parse():
            pass
    except UnexpectedInput:
        return frozenset()
    names = _literal_names()
    return frozenset(names[t] for t in interactive.accepts() if t in names and re.fullmatch(r"[a-z_]+", names[t]))


@lru_cache(maxsize=1)
def statement_keywords() -> dict[str, frozenset[str]]:
    """Each block's statement keywords (the words a line inside it may start with), from the parser itself."""
    blocks: dict[str, frozenset[str]] = {}
    for context, block in _BLOCK_OF_CONTEXT.items():
        wrap = _CONTEXTS[context]
        blocks[block] = _accepted_keywords(wrap.split("{0}")[0].replace("{{", "{"))
    return blocks


def _unknown_statement(text: str, file: str, line: int, column: int, expected: set[str]) -> Diagnostic | None:
    """E0104 when the line does not start with a statement of its block: `unknown statement `minimum`; …`.

    Two shapes reach here: a block that takes text lines read the word as a language code and wanted a
    quoted text after it; a block without text lines stopped on the word itself.
    """
    lines = text.splitlines()
    line_text = lines[line - 1] if line - 1 < len(lines) else ""
    m = re.match(r"(\s*)([a-z_][a-z0-9_]*)(?![a-z0-9_])", line_text)
    if m is None:
        return None
    word, start = m.group(2), len(m.group(1)) + 1
    at_word = column == start
    if not (at_word or (expected <= {"STRING"} and line_text[: column - 1].strip() == word)):
        return None
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + len(m.group(1))
    here = _accepted_keywords(text[:offset])
    if not here or word in here:
        return None
    span = Span(file, line, start, line, start + len(word))
    close = difflib.get_close_matches(word, sorted(here), n=1, cutoff=0.6)
    if close:
        return error("E0104", f"unknown statement `{word}`", span, f"did you mean `{close[0]}`?")
    blocks = statement_keywords()
    if not (len(word) <= 3 and not at_word):  # a short word before a non-text is most likely a language code
        everywhere = sorted(set().union(*blocks.values()))
        near = word if word in everywhere else next(iter(difflib.get_close_matches(word, everywhere, n=1)), None)
        elsewhere = sorted(b for b, words in blocks.items() if near in words)
        if near and elsewhere:
            where = " or ".join(f"`{b} {{ … }}`" for b in elsewhere)
            return error(
                "E0104",
                f"unknown statement `{word}` here; did you mean the `{near}` statement of {where}?",
                span,
                f"move the line into {where}; " + _statements_hint(here),
            )
    hint = _statements_hint(here)
    if not at_word:
        hint = f"a line that starts with a language code (`{word}`) must continue with a quoted text; {hint}"
    return error("E0104", f"unknown statement `{word}`", span, hint)


def _statements_hint(here: frozenset[str]) -> str:
    return "the statements allowed here are " + ", ".join(f"`{w}`" for w in sorted(here))


def _currency(text: str) -> str:
    """The contract's currency (`currency USD`), for the examples of a hint; CNY when it states none yet."""
    m = re.search(r"^\s*currency\s+([A-Z]{3})\b", text, re.M)
    return m.group(1) if m else "CNY"


_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "￥": "CNY", "US$": "USD"}


def _zone(text: str) -> str | None:
    """The contract's time zone (`timezone "Asia/Shanghai"`), for the offset in a hint's example."""
    m = re.search(r'^\s*timezone\s+"([^"\n]+)"', text, re.M)
    return m.group(1) if m else None


def _offset(zone: str | None, day: str, clock: str) -> str:
    """The UTC offset of `day` `clock` in `zone` (`+08:00`, `Z`); `Z` when the zone is unknown or absent."""
    import datetime as dt
    import zoneinfo

    try:
        moment = dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zoneinfo.ZoneInfo(zone or "UTC"))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return "Z"
    offset = moment.isoformat(timespec="minutes")[16:]  # `2026-05-04T10:00` is 16 characters
    return "Z" if offset == "+00:00" else offset


def _hint(found: str, expected: set[str], rest: str = "", currency: str = "CNY", zone: str | None = None) -> str | None:
    """A concrete fix for the common slips: a missing unit, `%`, quotes or offset. `rest`: the line from
    the unexpected token on; `currency`: the contract's, for examples of money."""
    if re.fullmatch(r"\d+", found) and "DURATION" in expected:
        if "BUSINESS_DAYS" in expected:  # a ticket target (issue 12)
            return f"add a unit: `{found}h`, `{found}min`, `{found}d` or `{found} business_days`"
        return f"add a unit: `{found}h`, `{found}min` or `{found}d`"
    if re.fullmatch(r"\d+[a-z]+", found) and "DURATION" in expected:
        return "the units are `ms`, `s`, `min`, `h` and `d`, as in `3h`, `30min` or `1h30min`"
    if re.fullmatch(r"\d+(\.\d+)?", found) and "PERCENT" in expected:
        if re.fullmatch(r"0\.\d+", found):  # a fraction: 0.99 is most likely 99 %
            from decimal import Decimal

            share = format((Decimal(found) * 100).normalize(), "f")
            return f"write the percentage with `%`: `{share}%` for the fraction {found} (or `{found}%` if you mean it)"
        return f"write `{found}%`"
    if re.fullmatch(r"\d+(\.\d+)?", found) and "CURRENCY" in expected:
        return f"add the currency, e.g. `{found} {currency}`"
    symbol = next((sym for sym in sorted(_SYMBOLS, key=len, reverse=True) if found.startswith(sym)), None)
    if symbol is not None and ({"NUMBER", "CURRENCY"} & expected):
        amount = found[len(symbol) :]
        if not amount:  # `currency US$`
            return f"write the currency's three-letter code, `{_SYMBOLS[symbol]}`, not a symbol"
        example = f"{amount} {_SYMBOLS[symbol]}" if re.fullmatch(r"\d+(\.\d+)?", amount) else _SYMBOLS[symbol]
        return f"money is written as a number and a currency code, without a symbol: `{example}`"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", found) and "TIMESTAMP" in expected:
        time = re.match(r"\d{4}-\d{2}-\d{2}[ ]+(\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?", rest)
        if time:  # `2026-05-04 10:00Z`: the date and time are one word, joined by `T`
            offset = time.group(2) or _offset(zone, found, time.group(1))
            return f"join the date and the time with `T`, with an offset: `{found}T{time.group(1)}{offset}`"
        return f"add a time and an offset, e.g. `{found}T09:00{_offset(zone, found, '09:00')}`"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+", found) and "TIMESTAMP" in expected:
        return f"add the UTC offset, e.g. `{found}+08:00` or `{found}Z`"
    if expected <= {"STRING"} or ("STRING" in expected and not re.fullmatch(r"[a-z_][a-z0-9_]*", found)):
        if found and not found.startswith('"'):
            return f'put the text in quotes: `"{found}"`'
    words = [_literal(t) for t in expected if t not in TERMINALS]
    close = difflib.get_close_matches(found, words, n=1, cutoff=0.6)
    if close and re.fullmatch(r"[a-z_]+", found):
        return f"did you mean `{close[0]}`?"
    return None


# ---- pieces, for the language server's incremental analysis (slac.lsp.incremental) -----------------


def parse_piece(text: str) -> Tree | None:
    """The parse tree of `text`, or None when it does not parse (the caller then finds the syntax error)."""
    from lark.exceptions import UnexpectedInput

    try:
        return parser().parse(text)
    except UnexpectedInput:
        return None


def keywords_after(prefix: str) -> frozenset[str]:
    """The keywords a statement may start with after `prefix` (a text that parses so far); for completion."""
    return _accepted_keywords(prefix)
