"""Duplicate declarations and references to names that are not declared (E03xx).

Each kind of declaration (tier, priority, calendar, exclusion, channel, define,
clause, credit, objective) has its own namespace: `clause force_majeure` and
`exclude force_majeure` may share a name. Example titles must be unique too,
since a failing example is reported by its title.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import KINDS, Context, earlier, suggest

# One code per kind of unknown reference, so that tooling can tell them apart.
UNKNOWN: dict[type[n.Node], str] = {
    n.Tier: "E0302",
    n.Priority: "E0303",
    n.Calendar: "E0304",
    n.Exclude: "E0305",
    n.Channel: "E0306",
}

HOW_TO_DECLARE: dict[type[n.Node], str] = {
    n.Tier: "tier NAME { … }",
    n.Priority: "priority NAME { … }",
    n.Calendar: "calendar NAME { hours … }",
    n.Exclude: "exclude NAME { … }",
    n.Channel: "channel NAME { … }",
}


def check(ctx: Context) -> Iterator[Diagnostic]:
    yield from _duplicates(ctx)
    yield from _languages(ctx)
    for stmt in ctx.sla.body:
        if isinstance(stmt, n.Tier):
            for s in stmt.all(n.Support):
                yield from _refs(ctx, n.Channel, s.channels)
            for r in stmt.all(n.Respond):
                yield from _refs(ctx, n.Priority, (r.priority,))
                yield from _refs(ctx, n.Calendar, (r.during,))
            targets: tuple[n.Resolve | n.Update, ...] = (*stmt.all(n.Resolve), *stmt.all(n.Update))
            for t in targets:  # issue 12
                yield from _refs(ctx, n.Priority, (t.priority,))
                yield from _refs(ctx, n.Calendar, (t.during,))
            for live in stmt.all(n.Live):
                yield from _refs(ctx, n.Calendar, (live.during,))
        elif isinstance(stmt, n.Priority):
            for d in stmt.all(n.Downgrade):
                yield from _refs(ctx, n.Priority, (d.target,))
        elif isinstance(stmt, n.Credit):
            for a in stmt.all(n.Applies):
                yield from _refs(ctx, n.Tier, a.tiers)
        elif isinstance(stmt, n.Availability):
            for e in stmt.all(n.Excludes):
                yield from _refs(ctx, n.Exclude, e.names)
        elif isinstance(stmt, n.Claim) and isinstance(stmt.via, n.Ident):
            yield from _refs(ctx, n.Channel, (stmt.via,))
        elif isinstance(stmt, n.Example):
            yield from _example(ctx, stmt)


def _duplicates(ctx: Context) -> Iterator[Diagnostic]:
    for kind, word in KINDS.items():
        for stmt in ctx.blocks(kind):
            assert isinstance(stmt, (n.NamedBlock, n.TextBlock))
            first = ctx.declared[kind][stmt.name.value]
            if first is not stmt:
                assert isinstance(first, (n.NamedBlock, n.TextBlock))
                yield error(
                    "E0301",
                    f"{word} `{stmt.name.value}` is declared twice",
                    stmt.name.span,
                    f"rename one of them, or merge the two into one {word}",
                    related=(first.name.span, "first declared here"),
                )
    for ex, prev in earlier(ctx.blocks(n.Example), lambda ex: ex.label):
        if prev is not None:
            yield error(
                "E0301",
                f'example "{ex.label}" is declared twice',
                ex.title.span,
                "give each example its own title: a failing example is reported by it",
                related=(prev.title.span, "first declared here"),
            )


def _languages(ctx: Context) -> Iterator[Diagnostic]:
    for stmt in ctx.sla.all(n.Languages):
        for lang, prev in earlier(stmt.langs, lambda i: i.value):
            if prev is not None:
                yield error(
                    "E0307",
                    f"language `{lang.value}` is listed twice",
                    lang.span,
                    "list each language once; the first one is the original",
                    related=(prev.span, "first listed here"),
                )


def _refs(ctx: Context, kind: type[n.Node], idents: Iterable[n.Ident]) -> Iterator[Diagnostic]:
    word = KINDS[kind]
    declared = ctx.names(kind)
    for ident, prev in earlier(idents, lambda i: i.value):
        if prev is not None:
            yield error(
                "E0308",
                f"{word} `{ident.value}` is listed twice",
                ident.span,
                f"remove the second `{ident.value}`",
                related=(prev.span, "first listed here"),
            )
            continue
        if ident.value not in declared:
            hint = suggest(ident.value, declared, word)
            if not declared:
                hint += f"; declare one with `{HOW_TO_DECLARE[kind]}`"
            yield error(UNKNOWN[kind], f"unknown {word} `{ident.value}`", ident.span, hint)


def _example(ctx: Context, ex: n.Example) -> Iterator[Diagnostic]:
    for stmt in ex.body:
        if isinstance(stmt, n.ExampleTier):
            yield from _refs(ctx, n.Tier, (stmt.tier,))
        event = stmt.event if isinstance(stmt, n.Repeat) else stmt
        if isinstance(event, n.Ticket):
            yield from _refs(ctx, n.Priority, (event.priority,))
        if isinstance(event, (n.Ticket, n.Outage)) and event.cause is not None:
            yield from _refs(ctx, n.Exclude, (event.cause,))
