"""`slac diff`: compare two policies term by term and classify each change from the customer's side.

Every change is a **reduction** (worse for the customer), an **improvement**, a
**neutral** change (a version, an address, an example) or a **wording** change
(a label, or a translation whose original text is unchanged), with the reason
and, where it can be computed exactly, its size: a response target in time, an
uptime target as allowed downtime per 30-day month, a credit as the amount owed
over each range of uptime. Direction is defined per term; a change that moves
in two directions at once (a calendar that gains hours on one day and loses
them on another), a change slac cannot rank (another payout form), and a change
to the original-language text of a clause, definition or exclusion are
reductions unless proven otherwise, marked `ambiguous`, and say why.

The package, one way:

    keys       the structured key of a term (`tier:gold/response:high` as data)
    strings    the changelog's words in each language, durations, percents, amounts
    terms      the table of simple terms (key, how to read it, how to show it, direction)
    compare    the generic comparators: a row, a presence, a text, an entity
    calendars  money      entities   the comparators of the terms with more than one dimension
    changelog  the result (`Change`, `Diff`) as Markdown and JSON
    figures    impact     reference-month figures from the evaluator (`slac.change.impact`)
    diff       this entry point

Changes are computed on compiled policies, never on source text, so layout,
comments and statement order do not matter. Texts come from
`templates/strings/diff.{en,zh}.toml` (identical keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .calendars import calendars
from .changelog import KINDS, LANGS, Change, Diff, Kind
from .compare import At, Pair, by_id, compare_row, lines_of, members, presence, texts
from .entities import ENTITY_KINDS, entities
from .keys import Key
from .money import cap_and_payout, credits, others
from .strings import Strings, duration, msg, user_text
from .terms import TABLE, Presence
from .terms_tickets import changes_tickets
from .terms_v2 import changes_v2

__all__ = ["KINDS", "LANGS", "Change", "Diff", "Key", "Kind", "Strings", "allowed_downtime", "diff", "duration"]


def allowed_downtime(uptime: Decimal) -> Decimal:
    """Seconds of downtime a 30-day month allows at `uptime` percent (`slac.runtime.rules.allowed_downtime`)."""
    from ..runtime.rules import allowed_downtime as rule

    return rule(uptime)


def diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Every term that differs between two policies, classified; empty when they mean the same."""
    changes = list(_changes(Pair(old, new)))
    order = {kind: i for i, kind in enumerate(KINDS)}
    changes.sort(key=lambda c: (order[c.kind], c.new_line or c.old_line or 0, c.term))
    return Diff(old, new, tuple(changes))


def _changes(pair: Pair) -> Iterator[Change]:
    for row in TABLE:
        at = At(row.key, msg("subject", row.subject), (row.line(pair.old), row.line(pair.new)))
        yield from compare_row(row, at, row.read(pair.old), row.read(pair.new))
    yield from _header(pair)
    yield from _text_blocks(pair)
    yield from calendars(pair)
    yield from _excludes(pair)
    for kind in ENTITY_KINDS:
        yield from entities(pair, kind)
    yield from credits(pair)
    yield from cap_and_payout(pair)
    yield from others(pair)
    yield from changes_v2(pair)  # language v2: services, whole minutes, minimum credit, termination, maintenance
    yield from changes_tickets(pair)  # issue 12: resolution and update targets, pausing statuses, at-risk share


def _header(pair: Pair) -> Iterator[Change]:
    """The contract's title and languages (its scalar terms are rows of the table)."""
    o, n = pair.old, pair.new
    ol, nl = o["contract"].get("lines", {}), n["contract"].get("lines", {})
    at = At(Key("contract", "title"), msg("subject", "contract_title"), (ol.get("title"), nl.get("title")))
    yield from texts(pair, at, o.get("title"), n.get("title"), legal=False)
    rule = Presence(("improvement", "language_added"), ("reduction", "language_removed"))
    for lang, a, b in members(o.get("languages", []), n.get("languages", [])):
        subject = msg("subject", "contract_language", lang=lang)
        yield from presence(
            At(Key("contract", "language", arg=lang), subject, (ol.get("languages"), nl.get("languages"))), a, b, rule
        )


# (section, subject, added, removed): a definition or clause added or removed is an ambiguous reduction.
_TEXT_BLOCKS = (
    (
        "definitions",
        "definition",
        Presence(("reduction", "definition_added"), ("reduction", "definition_removed"), ambiguous=True),
    ),
    ("clauses", "clause", Presence(("reduction", "clause_added"), ("reduction", "clause_removed"), ambiguous=True)),
    ("exclusions", "exclusion", Presence(("reduction", "exclusion_added"), ("improvement", "exclusion_removed"))),
)


def _text_blocks(pair: Pair) -> Iterator[Change]:
    for section, subject, rule in _TEXT_BLOCKS:
        for ident, old, new in pair.keyed(section):
            name = pair.label(section, ident) if section != "definitions" else user_text(None, ident)
            at = At(Key(subject, ident), msg("subject", subject, name=name), lines_of(old, new))
            if old is None or new is None:
                yield from presence(at, old and old["text"], new and new["text"], rule)
            else:
                yield from texts(pair, at, old["text"], new["text"], legal=True)


def _excludes(pair: Pair) -> Iterator[Change]:
    """An exclusion that starts or stops excluding downtime. One added or removed with it is one change, the
    exclusion's own (`_text_blocks`): the `excludes` line only lets the new exclusion do what it says."""
    old, new = pair.old.get("availability") or {}, pair.new.get("availability") or {}
    rule = Presence(("reduction", "excludes_added"), ("improvement", "excludes_removed"))
    came_or_went = by_id(pair.old.get("exclusions")).keys() ^ by_id(pair.new.get("exclusions")).keys()
    for name, a, b in members(old.get("excludes", []), new.get("excludes", [])):
        if name in came_or_went:
            continue
        at = At(
            Key("availability", "excludes", arg=name),
            msg("subject", "availability_excludes", name=pair.label("exclusions", name)),
            lines_of(old, new),
        )
        yield from presence(at, a, b, rule)
