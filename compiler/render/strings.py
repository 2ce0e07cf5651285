"""Per-language string catalogues (templates/strings/<lang>.toml) with Babel plural rules."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

CATALOGUE_PACKAGE = "slac.templates"
# Report catalogues (strings/report.*.toml) belong to the evaluator's report, not to the document.
_NOT_DOCUMENT = "report."


class MissingLanguage(LookupError):
    """No catalogue ships for a language the contract declares."""


def available_languages() -> list[str]:
    """Languages with a document catalogue, sorted."""
    folder = resources.files(CATALOGUE_PACKAGE).joinpath("strings")
    return sorted(
        p.name[: -len(".toml")]
        for p in folder.iterdir()
        if p.name.endswith(".toml") and not p.name.startswith(_NOT_DOCUMENT)
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


@functools.cache
def load(lang: str) -> Catalogue:
    """The catalogue for `lang`, read once per process."""
    path = resources.files(CATALOGUE_PACKAGE).joinpath("strings", f"{lang}.toml")
    if not path.is_file():
        have = ", ".join(available_languages())
        raise MissingLanguage(
            f"no document strings for language '{lang}' (have: {have}); add templates/strings/{lang}.toml"
        )
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Catalogue(lang=lang, locale=str(data["meta"]["locale"]), strings=_flatten(data))


@dataclass(frozen=True)
class Catalogue:
    """One language's strings; `t(key, **values)` fills `{name}` placeholders."""

    lang: str
    locale: str
    strings: dict[str, str]

    def has(self, key: str) -> bool:
        return key in self.strings

    def t(self, key: str, **values: object) -> str:
        try:
            text = self.strings[key]
        except KeyError:
            raise KeyError(f"templates/strings/{self.lang}.toml has no key '{key}'") from None
        # str.format only reads the placeholders of our own catalogue text: user text passed as a
        # value is inserted verbatim and never interpreted.
        return text.format(**values) if values else text

    def plural(self, key: str, count: object, **values: object) -> str:
        """`key.one` / `key.other` (CLDR categories of the locale) for `count`."""
        form = _locale(self.locale).plural_form(count)
        name = f"{key}.{form}" if f"{key}.{form}" in self.strings else f"{key}.other"
        return self.t(name, **values)


@functools.cache
def _locale(code: str) -> Any:
    from babel import Locale

    return Locale.parse(code)
