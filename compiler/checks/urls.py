"""Addresses printed as links are plain `https://` web addresses, or `mailto:` for a channel (E0406).

The code sits with the texts (E04xx) because these addresses are part of what
readers see, in a published page: a rendered SLA must not send them over plain
`http://`, to a relative path that only works on one site, or to a `file:`,
`javascript:` or `data:` address. An address is also refused when it could
mislead a reader or break out of an HTML attribute: user information before
the host (`https://bank.example@evil.example`), and characters RFC 3986 does not
allow unencoded (spaces, quotes, `<`, `>`, non-ASCII letters of look-alike hosts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

# RFC 3986 characters; anything else must be percent-encoded.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_HTTPS = re.compile(r"https://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?(?:[/?#][^\s]*)?")
_MAILTO = re.compile(r"mailto:[^\s@/:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EMAIL = re.compile(r"[^\s@:/]+@[^\s@]+\.[^\s@]+")


def check(ctx: Context) -> Iterator[Diagnostic]:
    for stmt in ctx.sla.body:
        if isinstance(stmt, n.Channel):
            for url in stmt.all(n.Url):
                yield from _url(url.value, "a channel `url`", mail=True)
        elif isinstance(stmt, n.Availability):
            for page in stmt.all(n.StatusPage):
                yield from _url(page.url, "the `status_page`", mail=False)
        elif isinstance(stmt, n.ThirdParty):
            for link in stmt.all(n.Link):
                yield from _url(link.url, "a link", mail=False)


def _url(value: n.Str, what: str, *, mail: bool) -> Iterator[Diagnostic]:
    text = value.value
    if _URI_CHARS.fullmatch(text) and (_HTTPS.fullmatch(text) or (mail and _MAILTO.fullmatch(text))):
        return
    accepted = "an https:// or mailto: address" if mail else "an https:// address"
    shown = text if len(text) <= 80 else text[:77] + "…"
    if not _URI_CHARS.fullmatch(text):
        bad = next(ch for ch in text if not _URI_CHARS.fullmatch(ch))
        hint = f"`{bad}` (U+{ord(bad):04X}) cannot appear in an address as it is: percent-encode it" + (
            ", and write a non-ASCII host name in its `xn--` form" if ord(bad) > 127 else ""
        )
    elif text.startswith("http://"):
        hint = f"use `https://{text[len('http://') :]}`"
    elif re.match(r"https://[^/?#]*@", text):
        hint = "remove the `user@` part: readers would take what comes before `@` for the site"
    elif _EMAIL.fullmatch(text):
        hint = (
            f"write an e-mail address as `mailto:{text}`"
            if mail
            else "a link is a web page: write its https:// address"
        )
    elif text.startswith("mailto:"):
        hint = "only a channel may be an e-mail address" if not mail else "write it as `mailto:name@example.com`"
    elif re.match(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$", text):
        hint = f"write the full address, `https://{text}`"
    else:
        hint = "write a full `https://…` address" + (" or a `mailto:…` e-mail address" if mail else "")
    yield error("E0406", f"`{shown}` is not {accepted} ({what})", value.span, hint)
