"""A calendar's `holidays` region is a country (`"CN"`) or subdivision (`"US-NY"`) the `holidays` package supports (E0502)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import lru_cache

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context


@lru_cache(maxsize=1)
def supported() -> dict[str, tuple[str, ...]]:
    """Country code → its subdivision codes. Imported lazily: `holidays` loads slowly."""
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


def is_supported(region: str) -> bool:
    country, _, subdiv = region.partition("-")
    known = supported()
    if country not in known:
        return False
    return not subdiv or subdiv in known[country]


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
                    hint = f'{country} has subdivisions {", ".join(subdivs[:12])}{" …" if len(subdivs) > 12 else ""}'
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
