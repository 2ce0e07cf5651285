"""The contract's and each calendar's `timezone` is an IANA zone that `zoneinfo` knows (E0501)."""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Iterator
from functools import lru_cache

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

# Names tzdata lists that are not places: the machine's own zone (`localtime`, `posixrules`), `Factory`,
# and the `posix/` and `right/` copies (leap seconds included) some systems have. A contract's time must
# not depend on the machine that evaluates it.
_NOT_PLACES = ("localtime", "posixrules", "Factory")


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    # Scanning tzdata is slow (tens of ms); one scan per process is enough.
    return frozenset(
        z for z in zoneinfo.available_timezones() if z not in _NOT_PLACES and not z.startswith(("posix/", "right/"))
    )


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    return {z.lower(): z for z in known_zones()}


def is_known(name: str) -> bool:
    return name in known_zones()


def closest(name: str) -> str | None:
    """The zone meant by a misspelt name: same letters in another case first, then the closest spelling."""
    exact = _by_lower().get(name.lower().replace(" ", "_"))
    if exact:
        return exact
    # Compare city names too, so that "Shanghai" or "Asia/Shangai" finds "Asia/Shanghai".
    zones = sorted(known_zones())
    close = difflib.get_close_matches(name, zones, n=1, cutoff=0.8)
    if close:
        return close[0]
    cities = {z.rsplit("/", 1)[-1].lower(): z for z in zones if "/" in z}
    city = name.rsplit("/", 1)[-1].lower().replace(" ", "_")
    close = difflib.get_close_matches(city, list(cities), n=1, cutoff=0.8)
    return cities[close[0]] if close else None


def check(ctx: Context) -> Iterator[Diagnostic]:
    for stmt in ctx.sla.all(n.Timezone):
        yield from _zone(stmt.name, "the contract's")
    for cal in ctx.blocks(n.Calendar):
        for stmt in cal.all(n.Timezone):
            yield from _zone(stmt.name, f"calendar `{cal.name.value}`'s")


def _zone(name: n.Str, whose: str) -> Iterator[Diagnostic]:
    if is_known(name.value):
        return
    if name.value in _NOT_PLACES:
        yield error(
            "E0501",
            f'"{name.value}" is not a place ({whose} `timezone`): the contract\'s times would depend on the machine',
            name.span,
            'use the IANA name of the zone the contract\'s times are in, like "Asia/Shanghai" or "UTC"',
        )
        return
    close = closest(name.value)
    yield error(
        "E0501",
        f'unknown time zone "{name.value}" ({whose} `timezone`)',
        name.span,
        f'did you mean "{close}"?' if close else 'use an IANA time zone name like "Asia/Shanghai" or "UTC"',
    )
