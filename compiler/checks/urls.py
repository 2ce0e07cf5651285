"""Addresses printed as links (channel `url`, `status_page`, third-party links) are `https://` or `mailto:` (E0406).

The code sits with the texts (E04xx) because these addresses are part of what
readers see: a rendered SLA must not send them over plain `http://` or to a
relative path that only works on one site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

_HTTPS = re.compile(r"https://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?")
_MAILTO = re.compile(r"mailto:[^\s@]+@[^\s@]+\.[^\s@]+")
_EMAIL = re.compile(r"[^\s@:/]+@[^\s@]+\.[^\s@]+")


def check(ctx: Context) -> Iterator[Diagnostic]:
    for stmt in ctx.sla.body:
        if isinstance(stmt, n.Channel):
            for url in stmt.all(n.Url):
                yield from _url(url.value, "a channel `url`")
        elif isinstance(stmt, n.Availability):
            for page in stmt.all(n.StatusPage):
                yield from _url(page.url, "the `status_page`")
        elif isinstance(stmt, n.ThirdParty):
            for link in stmt.all(n.Link):
                yield from _url(link.url, "a link")


def _url(value: n.Str, what: str) -> Iterator[Diagnostic]:
    text = value.value
    if _HTTPS.fullmatch(text) or _MAILTO.fullmatch(text):
        return
    if text.startswith("http://"):
        hint = f"use `https://{text[len('http://') :]}`"
    elif _EMAIL.fullmatch(text):
        hint = f"write an e-mail address as `mailto:{text}`"
    elif re.match(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$", text):
        hint = f"write the full address, `https://{text}`"
    else:
        hint = "write a full `https://…` address or a `mailto:…` e-mail address"
    yield error("E0406", f"`{text}` is not an https:// or mailto: address ({what})", value.span, hint)
