"""Per-language string catalogues (templates/strings/<lang>.toml) with Babel plural rules."""

from __future__ import annotations

import functools
import string
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

CATALOGUE_PACKAGE = "slac.templates"
# Two catalogues per language, read by this one loader: `<lang>.toml` for the document (and the
# formatter's units, dates and lists) and `report.<lang>.toml` for the evaluation report
# (`slac.render.report`). `diff.<lang>.toml` belongs to `slac.change`.


class MissingLanguage(LookupError):
    """No catalogue ships for a language the contract declares."""


def available_languages() -> list[str]:
    """Languages with a document catalogue, sorted."""
    folder = resources.files(CATALOGUE_PACKAGE).joinpath("strings")
    return sorted(
        p.name[: -len(".toml")]
        for p in folder.iterdir()
        # `<lang>.toml` only: `report.<lang>.toml` and `diff.<lang>.toml` belong to other stages.
        if p.name.endswith(".toml") and "." not in p.name[: -len(".toml")]
    )


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = str(value)
    return out


def _read(name: str) -> dict[str, Any] | None:
    path = resources.files(CATALOGUE_PACKAGE).joinpath("strings", f"{name}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@functools.cache
def load(lang: str) -> Catalogue:
    """The document catalogue for `lang`, read once per process."""
    data = _read(lang)
    if data is None:
        have = ", ".join(available_languages())
        raise MissingLanguage(
            f"no document strings for language '{lang}' (have: {have}); add templates/strings/{lang}.toml"
        )
    return Catalogue(
        lang=lang,
        locale=str(data["meta"]["locale"]),
        strings=_flatten(data),
        cjk_spacing=data["meta"]["cjk_spacing"] is True,
    )


@functools.cache
def load_report(lang: str) -> Catalogue:
    """The evaluation report's catalogue for `lang` (`report.<lang>.toml`), in the document's locale.

    Its strings are filled as written (no Chinese spacing at placeholders: the report's own
    text places its spaces)."""
    data = _read(f"report.{lang}")
    if data is None:
        raise MissingLanguage(f"no report strings for language '{lang}'; add templates/strings/report.{lang}.toml")
    return Catalogue(lang=lang, locale=load(lang).locale, strings=_flatten(data), name=f"report.{lang}")


LINK_MARK = "\x00"


def _ideograph(c: str) -> bool:
    return unicodedata.east_asian_width(c) == "W" and unicodedata.category(c) == "Lo"


def _wide(c: str) -> bool:
    """Full-width text or punctuation: a space beside it is never wanted in Chinese."""
    return unicodedata.east_asian_width(c) in ("W", "F") or c in "“”‘’"


def _narrow(c: str) -> bool:
    """Half-width letters, digits, % and currency signs: set off from Chinese by a space."""
    return not _wide(c) and (c.isalnum() or c == "%" or unicodedata.category(c) == "Sc")


def _tight(a: str, b: str) -> bool:
    """No space between `a` and `b`: neither is a number or Latin word, and one is full-width.

    A link's placeholder (`\0n\0`, see `model.DocBuilder.para`) hides its text, so the catalogue's
    spacing next to it is kept as written."""
    if LINK_MARK in (a, b):
        return False
    return not _narrow(a) and not _narrow(b) and (_wide(a) or _wide(b))


def cjk_fill(template: str, values: dict[str, object]) -> str:
    """`template.format(**values)` with the spacing of Chinese text at each placeholder's edges: a
    space between a Chinese character and a number or Latin word (`月服务费 5% 的`), none between
    full-width text or punctuation (`2025年1月1日起`, `（UTC）起`). Only the catalogue's own text
    around a placeholder is adjusted; the values, which may be contract text, are inserted as given."""
    formatter = string.Formatter()
    pieces: list[tuple[bool, str]] = []  # (is_value, text); parse never yields two literals in a row
    for literal, field, spec, conversion in formatter.parse(template):
        if literal:
            pieces.append((False, literal))
        if field is not None:
            obj, _ = formatter.get_field(field, (), values)
            pieces.append((True, formatter.format_field(formatter.convert_field(obj, conversion), spec or "")))
    out: list[str] = []
    for k, (is_value, text) in enumerate(pieces):
        if not is_value:
            prev = pieces[k - 1][1] if k > 0 else ""
            after = pieces[k + 1][1] if k + 1 < len(pieces) else ""
            if prev and text.startswith(" "):
                b = text[1:2] or after[:1]
                if b and _tight(prev[-1], b):
                    text = text[1:]
            if after and text.endswith(" "):
                a = text[-2:-1] or prev[-1:]
                if a and _tight(a, after[0]):
                    text = text[:-1]
        # Between a value and the catalogue's text, or two values side by side (`{provider}{every}`:
        # "Nimbus 每分钟").
        if out and out[-1] and text:
            a, b = out[-1][-1], text[0]
            if (_ideograph(a) and _narrow(b)) or (_narrow(a) and _ideograph(b)):
                text = " " + text
        out.append(text)
    return "".join(out)


@dataclass(frozen=True)
class Catalogue:
    """One language's strings; `t(key, **values)` fills `{name}` placeholders."""

    lang: str
    locale: str
    strings: dict[str, str]
    # Chinese spacing at placeholders (see `cjk_fill`); `meta.cjk_spacing` in the catalogue.
    cjk_spacing: bool = False
    # The file's stem under templates/strings/ (default: the language), for error messages.
    name: str = ""

    def has(self, key: str) -> bool:
        return key in self.strings

    def get(self, key: str, default: str) -> str:
        """The string of `key` as written, or `default` when the catalogue has none."""
        return self.strings.get(key, default)

    def t(self, key: str, **values: object) -> str:
        try:
            text = self.strings[key]
        except KeyError:
            raise KeyError(f"templates/strings/{self.name or self.lang}.toml has no key '{key}'") from None
        # str.format only reads the placeholders of our own catalogue text: user text passed as a
        # value is inserted verbatim and never interpreted.
        if not values:
            return text
        return cjk_fill(text, values) if self.cjk_spacing else text.format(**values)

    def plural(self, key: str, count: object, /, **values: object) -> str:
        """`key.one` / `key.other` (CLDR categories of the locale) for `count` (which the text may also
        take as a value of its own, `count=`)."""
        form = _locale(self.locale).plural_form(count)
        name = f"{key}.{form}" if f"{key}.{form}" in self.strings else f"{key}.other"
        return self.t(name, **values)


@functools.cache
def _locale(code: str) -> Any:
    from babel import Locale

    return Locale.parse(code)
