"""Ticket clocks (issue 12) in `slac diff`, each change with its direction for the customer.

* a resolution target or update interval that is longer (or counts fewer open hours), or removed: a
  reduction; shorter, or added: an improvement; open time against business days: ambiguous;
* a new pausing status (the clock stops more often while the customer waits): a reduction; a status
  no longer pausing: an improvement;
* the at-risk share (`warn at`): neutral — it warns the help desk and promises the customer nothing;
* a per-miss credit that now pays for another kind of miss: unranked. (A lower per-miss amount is a
  reduction: `money.py` compares the amounts of every per-miss credit.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .calendars import relation
from .changelog import Change, Kind
from .compare import At, Pair, by_id, change, changed, compare_row, lines_of, matched, members, presence, sign
from .keys import Key
from .strings import msg, percent
from .targets import both_ways, length, plain, show_length
from .terms import Presence, Row

CLOCK_ROWS: tuple[Row, ...] = (
    Row(
        Key("ticket_clock", "warn_percent"),
        "ticket_clock_warn",
        lambda p: (p.get("ticket_clock") or {}).get("warn_percent"),
        "neutral",
        ("at_risk_internal",),
        percent,
        lambda p: (p.get("ticket_clock") or {}).get("line"),
        absent=("neutral", "at_risk_internal"),
        samples=("50", "75"),
    ),
)

# (section of a tier, key part, subject, reasons: (shorter, longer, added, removed))
_TARGETS = (
    (
        "resolutions",
        "resolution",
        "tier_resolution",
        ("resolution_shorter", "resolution_longer", "resolution_added", "resolution_removed"),
    ),
    ("updates", "update", "tier_update", ("update_shorter", "update_longer", "update_added", "update_removed")),
)


def changes_tickets(pair: Pair) -> Iterator[Change]:
    for row in CLOCK_ROWS:
        at = At(row.key, msg("subject", row.subject), (row.line(pair.old), row.line(pair.new)))
        yield from compare_row(row, at, row.read(pair.old), row.read(pair.new))
    yield from _pauses(pair)
    old_tiers, new_tiers = by_id(pair.old.get("tiers")), by_id(pair.new.get("tiers"))
    for ident in [t for t in new_tiers if t in old_tiers]:
        for section, part, subject, reasons in _TARGETS:
            yield from _targets(pair, ident, old_tiers[ident], new_tiers[ident], section, part, subject, reasons)
    old_credits, new_credits = by_id(pair.old.get("credits")), by_id(pair.new.get("credits"))
    for ident in [c for c in new_credits if c in old_credits]:
        a, b = old_credits[ident].get("per_miss"), new_credits[ident].get("per_miss")
        if a is None or b is None:
            continue
        at = At(
            Key("credit", ident, "per_miss_target"),
            msg("subject", "credit_per_miss_target", name=pair.credit(ident)),
        )
        at = At(at.key, at.subject, lines_of(a, b))
        show = lambda t: msg("unit", f"miss_{t}")  # noqa: E731
        yield from changed(
            at, a.get("target", "response"), b.get("target", "response"), show, "per_miss_target", unranked=True
        )


def _pauses(pair: Pair) -> Iterator[Change]:
    old, new = pair.old.get("ticket_clock") or {}, pair.new.get("ticket_clock") or {}
    for status, a, b in members(old.get("pause", []), new.get("pause", [])):
        subject = msg("subject", "ticket_clock_pause", status=status)
        at = At(Key("ticket_clock", None, "pause", status), subject, lines_of(old or None, new or None))
        rule = Presence(("reduction", "pause_added"), ("improvement", "pause_removed"))
        yield from presence(at, a, b, rule)


def _targets(
    pair: Pair,
    ident: str,
    old: dict[str, Any],
    new: dict[str, Any],
    section: str,
    part: str,
    subject: str,
    reasons: tuple[str, str, str, str],
) -> Iterator[Change]:
    name = pair.name("tiers", ident)
    for prio, a, b in matched(by_id(old.get(section), "priority"), by_id(new.get(section), "priority")):
        at = At(
            Key("tier", ident, part, prio),
            msg("subject", subject, name=name, priority=pair.name("priorities", prio)),
            lines_of(a, b),
        )
        if a is None or b is None:
            rule = Presence(("improvement", reasons[2]), ("reduction", reasons[3]))
            yield from presence(at, a and plain(a), b and plain(b), rule, show=_show)
            continue
        la, lb = length(a), length(b)
        if la == lb and a["calendar"] == b["calendar"]:
            continue
        cal = relation(pair, a["calendar"], b["calendar"])
        way = both_ways(-sign(la[1], lb[1]), cal) if la[0] == lb[0] else None
        kind: Kind = "reduction" if way is None or way < 0 else "improvement"
        if way is None:
            reason = msg("reason", "length_kind_changed" if la[0] != lb[0] else "target_ambiguous")
        elif la != lb:
            reason = msg("reason", reasons[0] if way > 0 else reasons[1])
        else:
            reason = msg("reason", "hours_more" if way > 0 else "hours_fewer")
        detail = msg("change", "changed", old=_show(plain(a)), new=_show(plain(b)))
        yield change(at, kind, detail, reason, ambiguous=way is None, old=plain(a), new=plain(b))


def _show(target: dict[str, Any]) -> Any:
    shown = show_length(target)
    return lambda s: f"{shown(s)} ({target['calendar']})"
