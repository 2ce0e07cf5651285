"""A calendar's `holidays` region is a country (`"CN"`) or subdivision (`"US-NY"`) the `holidays` package supports (E0502)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache, lru_cache

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context


@lru_cache(maxsize=1)
def supported() -> dict[str, tuple[str, ...]]:
    """Country code → its subdivision codes (imports every country module: only for error messages)."""
    import holidays

    return {code: tuple(subdivs) for code, subdivs in holidays.list_supported_countries().items()}


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """Lower-cased country names and ISO alpha-3 codes → alpha-2 code, for suggestions."""
    out: dict[str, str] = {}
    try:
        from holidays.registry import COUNTRIES
    except ImportError:  # pragma: no cover - the registry is not public API
        return out
    for module, entry in COUNTRIES.items():
        if len(entry) >= 3:
            cls, alpha2, alpha3 = entry[0], entry[1], entry[2]
            out[module.replace("_", "").lower()] = alpha2
            out[cls.lower()] = alpha2
            out[alpha3.lower()] = alpha2
    return out


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    """ISO alpha-2 and alpha-3 country codes the `holidays` package has (from its registry, without importing them)."""
    from holidays.registry import COUNTRIES

    return frozenset(code for entry in COUNTRIES.values() for code in entry[1:3])


@cache
def is_supported(region: str) -> bool:
    """Whether `holidays` knows the region.

    The country is looked up in the package's registry; only a subdivision needs
    the country's class, and getting a class imports every country (~0.15 s).
    """
    country, _, subdiv = region.partition("-")
    if country not in _codes():
        return False
    if not subdiv:
        return True
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdiv)
    except NotImplementedError:
        return False
    return True


def closest(region: str) -> str | None:
    known = supported()
    country, sep, subdiv = region.partition("-")
    upper = country.upper()
    if upper not in known:
        key = country.lower().replace(" ", "").replace("_", "")
        upper = _aliases().get(key, "")
        if not upper:
            close = difflib.get_close_matches(key, list(_aliases()), n=1, cutoff=0.8)
            upper = _aliases()[close[0]] if close else ""
    if upper not in known:
        return None
    if not sep:
        return upper
    subdivs = known[upper]
    if subdiv.upper() in subdivs:
        return f"{upper}-{subdiv.upper()}"
    close = difflib.get_close_matches(subdiv.upper(), list(subdivs), n=1, cutoff=0.6)
    return f"{upper}-{close[0]}" if close else upper


def check(ctx: Context) -> Iterator[Diagnostic]:
    for cal in ctx.blocks(n.Calendar):
        for stmt in cal.all(n.Holidays):
            region = stmt.region.value
            if is_supported(region):
                continue
            country = region.partition("-")[0]
            if "-" in region and country in supported():
                subdivs = supported()[country]
                message = f'"{region}" is not a subdivision of {country} known to the holidays package'
                close = closest(region)
                if close and close != country:
                    hint = f'did you mean "{close}"?'
                elif subdivs:
                    hint = f"{country} has subdivisions {', '.join(subdivs[:12])}{' …' if len(subdivs) > 12 else ''}"
                else:
                    hint = f'{country} has no subdivisions; write "{country}"'
            else:
                message = f'unknown holiday region "{region}" (calendar `{cal.name.value}`)'
                close = closest(region)
                hint = (
                    f'did you mean "{close}"?'
                    if close
                    else 'write an ISO 3166 country code like "CN" or "US", or "US-NY" for a subdivision'
                )
            yield error("E0502", message, stmt.region.span, hint)
