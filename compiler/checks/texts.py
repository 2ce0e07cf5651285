"""One non-empty text per declared language in every human text, and a name where one is shown (E04xx).

The human texts are: the title; the `name` of tiers, channels, priorities and
objectives; tier `features`; the bodies of `define`, `clause` and `exclude`;
and the texts of `third_party` links. The renderer prints each in every
declared language, so a missing translation is an error, not a fallback.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error, warning
from .context import Context, did_you_mean, earlier, listing

# Blocks that are shown to readers under their `name`.
NAMED = (n.Tier, n.Channel, n.Priority, n.Objective, n.Service)


def check(ctx: Context) -> Iterator[Diagnostic]:
    for owner, what, texts in _texts(ctx.sla):
        yield from _one(ctx, owner, what, texts)
    yield from _example_titles(ctx)
    for block in ctx.sla.body:
        if isinstance(block, NAMED) and block.first(n.DisplayName) is None:
            kind = type(block).__name__.lower()
            sample = " ".join(f'{lang} "…"' for lang in ctx.languages) or 'en "…"'
            yield error(
                "E0405",
                f"{kind} `{block.name.value}` has no `name`",
                block.name.span,
                f"readers see a {kind} by its name: add `name {sample}`",
            )


def _example_titles(ctx: Context) -> Iterator[Diagnostic]:
    """W0409: an example titled in one text in a contract of several languages whose other examples are
    titled in each: every edition of the document shows that one as written (the Chinese edition an
    English title). A contract titling every example in one text (language v1's form) is left alone."""
    examples = ctx.sla.all(n.Example)
    if len(ctx.languages) < 2 or not any(isinstance(e.title, n.Texts) for e in examples):
        return
    for example in examples:
        if isinstance(example.title, n.Str):
            sample = " ".join(f'{lang} "…"' for lang in ctx.languages)
            yield warning(
                "W0409",
                f'example "{example.label}" has one title in a contract in {listing(ctx.languages)}: every edition of the document shows it as written',
                example.title.span,
                f"give it a title in each language: `example {sample} {{`",
            )


def _texts(sla: n.Sla) -> Iterator[tuple[str, str, n.Texts]]:
    """(owner, what it is, texts) for every human text list of the contract."""
    for stmt in sla.body:
        if isinstance(stmt, n.Title):
            yield "the title", "text", stmt.texts
        elif isinstance(stmt, n.TextBlock):
            kind = type(stmt).__name__.lower()
            yield f"{kind} `{stmt.name.value}`", "text", stmt.texts
            if isinstance(stmt, n.Clause) and stmt.title is not None:
                yield f"clause `{stmt.name.value}`", "title", stmt.title.texts
        elif isinstance(stmt, n.Example) and isinstance(stmt.title, n.Texts):
            yield f'example "{stmt.label}"', "title", stmt.title
        elif isinstance(stmt, n.NamedBlock):
            kind = type(stmt).__name__.lower()
            for name in stmt.all(n.DisplayName):
                yield f"{kind} `{stmt.name.value}`", "name", name.texts
            for features in stmt.all(n.Features):
                yield f"{kind} `{stmt.name.value}`", "features", features.texts
            for desc in stmt.all(n.Description):
                yield f"{kind} `{stmt.name.value}`", "description", desc.texts
        elif isinstance(stmt, n.Publish):
            for title in stmt.all(n.PublishTitle):
                yield "publish", "title", title.texts
            for slug in stmt.all(n.PublishSlug):
                if slug.texts is not None:
                    yield "publish", "slug", slug.texts
        elif isinstance(stmt, n.ThirdParty):
            for link in stmt.all(n.Link):
                label = link.texts.items[0].value if link.texts.items else link.url.value
                yield f'link "{label}"', "text", link.texts


def _one(ctx: Context, owner: str, what: str, texts: n.Texts) -> Iterator[Diagnostic]:
    if not texts.items:
        return  # to_ast already reported a block with no text at all
    declared = ctx.languages
    for text, prev in earlier(texts.items, lambda t: t.lang.value):
        lang = text.lang.value
        if not text.value.strip():
            yield error(
                "E0404",
                f"the `{lang}` {what} of {owner} is empty",
                text.span,
                "write the text, or remove the language if it is not declared",
            )
        if prev is not None:
            yield error(
                "E0403",
                f"{owner} gives its `{lang}` {what} twice",
                text.lang.span,
                "keep one text per language",
                related=(prev.lang.span, "first given here"),
            )
        elif declared and lang not in declared:
            close = did_you_mean(lang, declared, cutoff=0.5)  # codes are two letters: one typo is half
            yield error(
                "E0402",
                f"`{lang}` is not a language of this contract",
                text.lang.span,
                f"did you mean `{close}`?"
                if close
                else f"the contract declares {listing(declared)}; add `{lang}` to `languages` to translate into it",
            )
    given = {t.lang.value for t in texts.items}
    missing = [lang for lang in declared if lang not in given]
    if missing:
        langs = " or ".join(f"`{lang}`" for lang in missing)
        yield error(
            "E0401",
            f"{owner} has no {langs} {what}",
            texts.span,
            f"every {what} needs one text per declared language ({listing(declared)}); add "
            + " ".join(f'`{lang} "…"`' for lang in missing),
        )
