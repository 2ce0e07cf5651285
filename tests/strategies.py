"""Hypothesis strategies that generate contracts from the grammar: whole contracts, re-valued and mutated ones.

Three sources, each meant to reach a different depth of the compiler:

- `grammar_contracts()`: strings derived from `grammar/sla.lark` itself by
  `hypothesis.extra.lark.from_lark`, with a strategy per terminal so that every
  token is lexable (tokens are separated by a space) and values are drawn from
  realistic *and* hostile ranges. Syntactically valid by construction; they
  exercise the AST builder and the semantic checks.
- `revalued_contracts()`: a real contract lexed with slac's own lexer, with some
  value tokens (durations, percentages, amounts, dates, texts, names …) replaced
  by drawn values of the same terminal. Most stay meaningful, so they get
  through the checks into the policy stage.
- `mutated_contracts()`: either of the above, or a bundled contract, with raw
  character edits (insert, delete, replace, truncate) that break the syntax.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from hypothesis import strategies as st

from .conftest import CONTRACTS

SOURCES = tuple(p.read_text(encoding="utf-8") for p in CONTRACTS)

# Names a contract refers to, so that generated references sometimes resolve.
VOCABULARY = (
    "zh en fr standard advanced premium basic pro always business extended normal high urgent "
    "live ticket email portal monthly_fee month monthly acknowledgement voucher credit next_invoice "
    "missed_response downtime planned_maintenance force_majeure third_party_cloud calendar "
    "mon tue wed thu fri sat sun p95 p99 error_rate target tier sla"
).split()

# Text that must stay data: markup, template syntax, scripts and invisible or unusual characters.
HOSTILE_TEXTS = (
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% include '/etc/passwd' %}",
    "{# comment #}",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[click](javascript:alert(1))",
    "![x](file:///etc/passwd)",
    "<img src=x onerror=alert(1)>",
    "&amp; &lt; &#x41;",
    "\\",
    '"',
    "\u202eevil",
    "zero\u200bwidth",
    "\x1b[2J",
    "\x00",
    "服务等级协议",
    "a" * 300,
)

# Printable text; the unprintable characters come from HOSTILE_TEXTS and the character edits,
# so that most generated texts get past the character screen into the later stages.
_UNICODE = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"))


def _quote(text: str) -> str:
    """`text` as a contract string literal (escapes the backslash, the quote, newline and tab)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def _digits(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=lo, max_size=hi)


def _pad(n: int) -> st.SearchStrategy[str]:
    return st.integers(0, 10**n - 1).map(lambda v: str(v).zfill(n))


_year = st.one_of(st.sampled_from(["2025", "2024", "1969", "1970", "2199", "2200", "0001", "9999"]), _pad(4))
_month = st.one_of(st.sampled_from(["01", "02", "03", "12"]), _pad(2))
_day = st.one_of(st.sampled_from(["01", "28", "29", "30", "31"]), _pad(2))
_time = st.tuples(_pad(2), _pad(2)).map(":".join)
_offset = st.sampled_from(["Z", "+08:00", "-05:00", "+14:00", "+0800", "+08", "", "+99:00", "-00:00"])

TERMINAL_VALUES: dict[str, st.SearchStrategy[str]] = {
    "NAME": st.one_of(st.sampled_from(VOCABULARY), st.from_regex(r"[a-z_][a-z0-9_]{0,70}", fullmatch=True)),
    "CURRENCY": st.one_of(
        st.sampled_from(["CNY", "USD", "EUR", "JPY", "BHD", "XXX"]), st.from_regex(r"[A-Z]{3}", fullmatch=True)
    ),
    "STRING": st.one_of(
        st.sampled_from(HOSTILE_TEXTS).map(_quote),
        st.sampled_from(
            ['"Asia/Shanghai"', '"UTC"', '"CN"', '"US-CA"', '"https://example.com/sla"', '"mailto:a@b.cn"']
        ),
        st.text(_UNICODE, max_size=40).map(_quote),
        st.text(_UNICODE, max_size=40).map(lambda t: '"""' + t.replace('"', "'").replace("\\", "/") + '"""'),
        st.sampled_from(['"\\q"', '"\\u0041"', '"a\\"b"', '""']),
    ),
    "TIMESTAMP": st.tuples(_year, _month, _day, _time, _offset).map(lambda p: f"{p[0]}-{p[1]}-{p[2]}T{p[3]}{p[4]}"),
    "DATE": st.tuples(_year, _month, _day).map("-".join),
    "PERIOD": st.tuples(_year, _month).map("-".join),
    "CLOCK": st.one_of(st.sampled_from(["00:00", "08:00", "18:00", "24:00", "24:01", "23:60"]), _time),
    "DURATION": st.lists(
        st.tuples(
            st.one_of(st.sampled_from(["0", "1", "30", "36600", "36601"]), _digits(1, 25)),
            st.sampled_from(["ms", "s", "min", "h", "d"]),
        ),
        min_size=1,
        max_size=3,
    ).map(lambda parts: "".join(a + b for a, b in parts)),
    "PERCENT": st.one_of(
        st.sampled_from(["0%", "5%", "99.95%", "100%", "100.0000001%", "1000%", "1001%"]),
        st.tuples(_digits(1, 30), st.one_of(st.just(""), _digits(1, 12).map(lambda d: "." + d))).map(
            lambda p: p[0] + p[1] + "%"
        ),
    ),
    "AIM": st.sampled_from(["24x7", "24x7x365", "8x5", "99999999999999999999x1"]),
    "INT": st.one_of(st.sampled_from(["0", "1", "25", "10000", "10001", "1000001"]), _digits(1, 30)),
    "NUMBER": st.one_of(
        st.sampled_from(["0", "50", "1000", "999999999999999", "1000000000000000", "0.000001", "0.0000001"]),
        st.tuples(_digits(1, 30), st.one_of(st.just(""), _digits(1, 10).map(lambda d: "." + d))).map(
            lambda p: p[0] + p[1]
        ),
    ),
    "BELOW_TARGET": st.just("target"),
}


@lru_cache(maxsize=1)
def _lark() -> Any:
    import lark

    from slac.syntax import grammar_text

    return lark.Lark(grammar_text(), parser="lalr", lexer="contextual")


@lru_cache(maxsize=1)
def grammar_contracts() -> st.SearchStrategy[str]:
    """Strings generated from the grammar, one strategy per terminal, tokens separated by a space."""
    from hypothesis.extra.lark import from_lark

    parser = _lark()
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for term in parser.terminals:
        if term.name in TERMINAL_VALUES:
            explicit[term.name] = TERMINAL_VALUES[term.name].map(lambda v: v + " ")
        elif term.name == "_NL":
            explicit[term.name] = st.sampled_from(["\n", "\n  ", "  # a comment\n\n    "])
        elif term.pattern.type == "str":
            explicit[term.name] = st.just(term.pattern.value + " ")
        else:  # ignored whitespace and comments: a plain space keeps the next token on its line
            explicit[term.name] = st.just(" ")
    return from_lark(parser, explicit=explicit)


@cache
def _tokens(source: str) -> tuple[tuple[str, int, int], ...]:
    """(terminal, start, end) of every value token of a source, from slac's own lexer."""
    from slac.syntax import parser

    return tuple(
        (tok.type, tok.start_pos, tok.end_pos)
        for tok in parser().lex(source)
        if tok.type in TERMINAL_VALUES and tok.start_pos is not None and tok.end_pos is not None
    )


@st.composite
def revalued_contracts(draw: st.DrawFn) -> str:
    """A bundled contract with up to five value tokens replaced by drawn values of the same terminal."""
    source = draw(st.sampled_from(SOURCES))
    tokens = _tokens(source)
    chosen = draw(st.lists(st.sampled_from(tokens), min_size=1, max_size=5, unique=True))
    for kind, start, end in sorted(chosen, key=lambda t: -t[1]):  # right to left keeps offsets valid
        source = source[:start] + draw(TERMINAL_VALUES[kind]) + source[end:]
    return source


# Characters that matter to the lexer, plus some that do not belong at all.
_EDIT_ALPHABET = st.sampled_from(
    list('{}"#\n %:-.,0123456789hdminsT+Zxabc_zhen\t\\') + ["\u200b", "\u202e", "é", "服", "\r"]
)


@st.composite
def mutated_contracts(draw: st.DrawFn) -> str:
    """A contract (bundled, re-valued or generated) with one to four raw character edits."""
    text = draw(st.one_of(st.sampled_from(SOURCES), revalued_contracts(), grammar_contracts()))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate"]))
        if action == "truncate":
            text = text[:pos]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)) :]
        elif action == "duplicate":
            end = min(len(text), pos + draw(st.integers(1, 200)))
            text = text[:end] + text[pos:end] + text[end:]
        else:
            chunk = "".join(draw(st.lists(_EDIT_ALPHABET, min_size=1, max_size=6)))
            end = pos + (len(chunk) if action == "replace" else 0)
            text = text[:pos] + chunk + text[end:]
    return text
