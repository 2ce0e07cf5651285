"""`publish { … }`: at most one block; each language's title complete (see `texts`), a slug that is
a site path, a sidebar position per declared language at most once."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")


def check(ctx: Context) -> Iterator[Diagnostic]:
    blocks = ctx.sla.all(n.Publish)
    for extra in blocks[1:]:
        yield error(
            "E0702",
            "`publish` given more than once",
            extra.span,
            "merge the blocks into one",
            related=(blocks[0].span, "first given here"),
        )
    for block in blocks:
        for kind in (n.PublishTitle, n.PublishSlug, n.PublishPosition):
            found = block.all(kind)
            for again in found[1:]:
                word = {n.PublishTitle: "title", n.PublishSlug: "slug", n.PublishPosition: "position"}[kind]
                yield error("E0702", f"`{word}` given twice in `publish`", again.span, "keep one")
        for slug in block.all(n.PublishSlug):
            values = [slug.value] if slug.value else [] if slug.texts is None else list(slug.texts.items)
            for value in values:
                if not _PATH.fullmatch(value.value):
                    yield error(
                        "E0407",
                        f"slug {value.value!r} is not a site path",
                        value.span,
                        'write a path from the site root such as "/legal/sla" (letters, digits, . _ ~ - and /)',
                    )
        for position in block.all(n.PublishPosition):
            seen: set[str] = set()
            for item in position.by_lang:
                lang = item.lang.value
                if lang not in ctx.languages:
                    yield error(
                        "E0402",
                        f"position for language `{lang}`, which the contract does not declare",
                        item.lang.span,
                        f"declared: {', '.join(ctx.languages)}",
                    )
                elif lang in seen:
                    yield error("E0403", f"position given twice for `{lang}`", item.lang.span, "keep one")
                seen.add(lang)


def locales(ctx: Context) -> Iterator[Diagnostic]:
    """`locale LANG "LL-RR"`: a declared language, once, and a CLDR locale of that language."""
    from babel import Locale, UnknownLocaleError

    seen: set[str] = set()
    for stmt in ctx.sla.all(n.Locale):
        lang, value = stmt.lang.value, stmt.value.value
        if lang not in ctx.languages:
            yield error(
                "E0402",
                f"locale for language `{lang}`, which the contract does not declare",
                stmt.lang.span,
                f"declared: {', '.join(ctx.languages)}",
            )
            continue
        if lang in seen:
            yield error("E0702", f"`locale {lang}` given more than once", stmt.span, "keep one")
        seen.add(lang)
        try:
            parsed = Locale.parse(value.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            parsed = None
        if parsed is None or parsed.language != lang:
            yield error(
                "E0408",
                f"{value!r} is not a locale of `{lang}`",
                stmt.value.span,
                f'write a CLDR locale of the language, such as "{lang}-GB" or "{lang}-US"',
            )
