"""Positions, value diagnostics and the terminals: each token's text → a checked AST value.

A 30 February, a 25:00 clock, a timestamp without offset, a number out of range: each becomes
a positioned diagnostic and a placeholder value, so that conversion goes on and one run reports them all.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lark import Token
from lark.tree import Meta

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic, Span, error

_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION_PART = re.compile(r"(\d+)(ms|min|d|h|s)")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class Values:
    """The part of the AST builder that turns tokens into values (a mixin of `_AstBuilder`)."""

    file: str
    diagnostics: list[Diagnostic]

    # ---- positions -------------------------------------------------------------------
    def tspan(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)

    def mspan(self, meta: Meta) -> Span:
        if meta.empty:
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def bad(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(error(code, message, span, hint))

    # ---- terminals -------------------------------------------------------------------
    def NAME(self, tok: Token) -> n.Ident:
        if len(tok) > limits.MAX_NAME_CHARS:
            self.bad(
                "E0211",
                f"a name of {len(tok)} characters is too long",
                self.tspan(tok),
                f"names have at most {limits.MAX_NAME_CHARS} characters",
            )
        return n.Ident(self.tspan(tok), str(tok))

    def STRING(self, tok: Token) -> n.Str:
        raw = str(tok)
        body = raw[3:-3] if raw.startswith('"""') else raw[1:-1]
        out: list[str] = []
        i = 0 if "\\" in body else len(body)  # without a backslash the text is its body (no escapes)
        if i:
            out.append(body)
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                else:
                    self.bad(
                        "E0201",
                        f"unknown escape `\\{nxt}` in text",
                        self.tspan(tok),
                        'write `\\\\` for a backslash; `\\"`, `\\n` and `\\t` are the other escapes',
                    )
                    out.append(nxt)
                i += 2
                continue
            out.append(ch)
            i += 1
        value = "".join(out)
        if len(value) > limits.MAX_TEXT_CHARS:
            self.bad(
                "E0210",
                f"a text of {len(value):,} characters is too long",
                Span(self.file, tok.line or 1, tok.column or 1, tok.line or 1, (tok.column or 1) + 1),
                f"a text has at most {limits.MAX_TEXT_CHARS:,} characters: split it into several clauses",
            )
        return n.Str(self.tspan(tok), value)

    def CURRENCY(self, tok: Token) -> n.Str:
        return n.Str(self.tspan(tok), str(tok))

    def DURATION(self, tok: Token) -> n.Duration:
        parts = _DURATION_PART.findall(str(tok))
        # Digits are counted before int() so that a 5000-digit duration costs nothing.
        if any(len(num.lstrip("0")) > 15 for num, _ in parts):
            total = limits.MAX_DURATION_MS + 1
        else:
            total = sum(int(num) * _UNIT_MS[unit] for num, unit in parts)
        if total > limits.MAX_DURATION_MS:
            self.bad(
                "E0213",
                f"`{_short(tok)}` is longer than a century",
                self.tspan(tok),
                f"durations are at most {limits.MAX_DURATION_MS // 86_400_000:,}d; check the number and its unit",
            )
            total = 0
        return n.Duration(self.tspan(tok), total, str(tok))

    def PERCENT(self, tok: Token) -> n.Percent:
        raw = str(tok)[:-1]
        value = self._decimal(tok, raw, "percentage", limits.MAX_PERCENT, f"at most {limits.MAX_PERCENT:,}%")
        return n.Percent(self.tspan(tok), value, str(tok))

    def NUMBER(self, tok: Token) -> tuple[Decimal, Token]:
        limit = 10**limits.MAX_DIGITS
        return self._decimal(tok, str(tok), "amount", limit, f"less than 10^{limits.MAX_DIGITS}"), tok

    def _decimal(self, tok: Token, raw: str, what: str, limit: int, bound: str) -> Decimal:
        """A decimal within its limits, else an error and 0 (the text is checked before conversion)."""
        whole, _, fraction = raw.partition(".")
        if len(whole.lstrip("0")) > len(str(limit)) or len(fraction) > limits.MAX_DECIMALS:
            value = None
        else:
            value = Decimal(raw)
        if value is None or value > limit:
            self.bad(
                "E0212",
                f"`{_short(tok)}` is out of range for {'a' if what[0] not in 'aeiou' else 'an'} {what}",
                self.tspan(tok),
                f"{what}s are {bound}, with at most {limits.MAX_DECIMALS} decimals",
            )
            return Decimal(0)
        return value

    def INT(self, tok: Token) -> n.Int:
        raw = str(tok)
        if len(raw.lstrip("0")) > len(str(limits.MAX_COUNT)) or int(raw) > limits.MAX_COUNT:
            self.bad(
                "E0214",
                f"`{_short(tok)}` is too large",
                self.tspan(tok),
                f"whole numbers here are at most {limits.MAX_COUNT:,}",
            )
            return n.Int(self.tspan(tok), 0)
        return n.Int(self.tspan(tok), int(raw))

    def _year(self, tok: Token, year: int) -> bool:
        """Whether a date's year is one slac computes with; reports E0215 when it is not."""
        if limits.MIN_YEAR <= year <= limits.MAX_YEAR:
            return True
        self.bad(
            "E0215",
            f"`{tok}` is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}",
            self.tspan(tok),
            "check the year",
        )
        return False

    def DATE(self, tok: Token) -> n.DateLit:
        try:
            value = date.fromisoformat(str(tok))
        except ValueError:
            self.bad(
                "E0202", f"`{tok}` is not a date in the calendar", self.tspan(tok), "write a real date as YYYY-MM-DD"
            )
            value = date(1970, 1, 1)
        if not self._year(tok, value.year):
            value = date(1970, 1, 1)
        return n.DateLit(self.tspan(tok), value)

    def TIMESTAMP(self, tok: Token) -> n.Timestamp:
        raw = str(tok)
        span = self.tspan(tok)
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            self.bad(
                "E0203",
                f"`{raw}` is not a valid timestamp",
                span,
                "write it as YYYY-MM-DDThh:mm with an offset, e.g. `2025-03-03T09:00+08:00`",
            )
            value = datetime(1970, 1, 1).astimezone()
        else:
            if value.tzinfo is None:
                self.bad(
                    "E0204",
                    f"timestamp `{raw}` has no UTC offset",
                    span,
                    f"add the offset it was recorded in, e.g. `{raw}+08:00` or `{raw}Z`",
                )
                value = value.replace(tzinfo=datetime(1970, 1, 1).astimezone().tzinfo)
            if not self._year(tok, value.year):
                value = datetime(1970, 1, 1).astimezone()
        return n.Timestamp(span, value, raw)

    def PERIOD(self, tok: Token) -> n.Period:
        """`2026-05` (a month), `2026-Q2` (a quarter) or `2026` (a year)."""
        year_text, _, rest = str(tok).partition("-")
        year, month, quarter = int(year_text), 0, 0
        if rest.startswith("Q"):
            quarter = int(rest[1:])
            if not 1 <= quarter <= 4:
                self.bad(
                    "E0202", f"`{tok}` is not a quarter", self.tspan(tok), "quarters are written `2026-Q1` to `2026-Q4`"
                )
                quarter = 1
        elif rest:
            month = int(rest)
            if not 1 <= month <= 12:
                self.bad(
                    "E0202", f"`{tok}` is not a month", self.tspan(tok), "write the period as YYYY-MM, e.g. `2025-03`"
                )
                month = 1
        if not self._year(tok, year):
            year = 1970
        return n.Period(self.tspan(tok), year, month, str(tok), quarter)

    def CLOCK(self, tok: Token) -> n.Clock:
        h, m = (int(x) for x in str(tok).split(":"))
        if m >= 60 or h > 24 or (h == 24 and m):
            self.bad(
                "E0205", f"`{tok}` is not a time of day", self.tspan(tok), "clock times run from `00:00` to `24:00`"
            )
            h, m = 0, 0
        return n.Clock(self.tspan(tok), h * 60 + m, str(tok))

    def AIM(self, tok: Token) -> str:
        return str(tok)

    def BELOW_TARGET(self, tok: Token) -> None:
        return None

    def _options(self, meta: Meta, c: list[Any], what: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in c:
            if key in seen:
                self.bad("E0209", f"`{what}` says `{key}` twice", self.mspan(meta), f"keep one `{key}`")
            seen[key] = value
        return seen


def _short(tok: Token) -> str:
    """A token as quoted in a message: a 5000-digit number is shown by its first and last digits."""
    text = str(tok)
    return text if len(text) <= 24 else f"{text[:10]}…{text[-10:]}"


def _join(a: Span, b: Span) -> Span:
    return Span(a.file, a.line, a.column, b.end_line, b.end_column)
