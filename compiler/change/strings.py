"""The changelog's words: one language's strings (`templates/strings/diff.{en,zh}.toml`) and its formatting.

A message (`Msg`) is a function of the `Strings` it is written in, so a change is described
once and written in every language. Durations are exact (fractional seconds kept), percents
are the contract's decimals, user text is escaped for Markdown only when writing Markdown.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any


class Strings:
    """The changelog strings of one language; `markdown` escapes user text for Markdown."""

    def __init__(self, lang: str, *, markdown: bool = False):
        self.lang = lang
        self.markdown = markdown
        self.table = catalogue(lang)

    def text(self, section: str, key: str, **params: Any) -> str:
        template: str = self.table[section][key]
        values = {k: render(v, self) if callable(v) or not self.markdown else escape(str(v)) for k, v in params.items()}
        return template.format(**values)


Msg = Callable[[Strings], str]


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    raw = resources.files("slac.templates").joinpath(f"strings/diff.{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def formula_words(text: str, lang: str, window: str = "calendar_month") -> str:
    """A formula as the document words it (`10 × the fee for the calendar quarter × the downtime ÷ …`),
    each quantity by the document's own words for the contract's window (`policy.codec.formula_in_words`)."""
    from ..policy.codec import formula_in_words

    doc = _document(lang)
    words: dict[str, str] = dict(doc.get("v2", {}).get("quantity", {}))
    kind = {"calendar_quarter": "quarter", "calendar_year": "year"}.get(window)
    if kind is not None:
        words.update(doc.get("windowed", {}).get(kind, {}).get("v2", {}).get("quantity", {}))
    return formula_in_words(text, lambda name: str(words.get(name, name)))


@cache
def _document(lang: str) -> dict[str, Any]:
    raw = resources.files("slac.templates").joinpath(f"strings/{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


@cache
def document_credit_names(lang: str) -> dict[str, str]:
    """The document's own headings of the credits it knows by id (`credit.names`: "Credit for downtime"),
    from the document's strings, so that the changelog calls an unnamed credit what the document does."""
    names: dict[str, str] = _document(lang).get("credit", {}).get("names", {})
    return names


def render(value: Any, s: Strings) -> str:
    return value(s) if callable(value) else str(value)


def msg(section: str, key: str, **params: Any) -> Msg:
    return lambda s: s.text(section, key, **params)


def escape(text: str) -> str:
    """User text made inert in Markdown (names come from contracts)."""
    out = []
    for ch in text:
        out.append("\\" + ch if ch in "\\`*_[]<>#|" else ch)
    return "".join(out)


def user_text(texts: dict[str, str] | None, fallback: str) -> Msg:
    """A text of the contract in the reader's language (or the first one there is)."""

    def show(s: Strings) -> str:
        value = (texts or {}).get(s.lang) or next(iter((texts or {}).values()), None) or fallback
        return escape(value) if s.markdown else value

    return show


def duration(seconds: Any) -> Msg:
    """`5400` → "1 h 30 min" / "1 小时 30 分钟"; exact, fractional seconds kept ("4 min 19.2 s")."""
    total = Decimal(str(seconds))

    def show(s: Strings) -> str:
        if total == 0:
            return s.text("unit", "zero")
        rest = total
        parts = []
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            whole = int(rest // size)
            if whole:
                parts.append(s.text("unit", unit, n=whole))
                rest -= whole * size
        if rest:
            if rest < 1 and not parts:
                parts.append(s.text("unit", "ms", n=plain(rest * 1000)))
            else:
                parts.append(s.text("unit", "s", n=plain(rest)))
        return s.text("unit", "join").join(parts)

    return show


def percent(value: str | Decimal) -> str:
    return f"{plain(Decimal(str(value)))}%"


def amount(value: dict[str, Any] | None) -> Msg:
    """A share (`10% of the monthly fee`) or money (`50.00 CNY`)."""

    def show(s: Strings) -> str:
        if value is None:
            return s.text("unit", "none")
        if "share" in value:
            basis = s.table["basis"].get(value["basis"], value["basis"])
            return s.text("unit", "share", share=plain(Decimal(value["share"])), basis=basis)
        if "service_days" in value:  # v2 amounts: days of service, a formula
            days = Decimal(value["service_days"])
            return s.text("unit", "service_day" if days == 1 else "service_days", n=plain(days))
        if "formula" in value:
            return formula_words(str(value["text"]), s.lang, str(value.get("window") or "calendar_month"))
        return f"{value['money']} {value['currency']}"

    return show


def word(key: str) -> Msg:
    return msg("unit", key)


def joined(items: Iterable[Msg]) -> Msg:
    parts = list(items)
    return lambda s: s.text("unit", "and").join(render(p, s) for p in parts)


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (`2.50` → `2.5`)."""
    return format(value.normalize(), "f")
