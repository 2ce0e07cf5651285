"""The generic comparators of `slac diff`: a row of the table of terms, a presence, a multilingual text, an entity.

Each takes where the term is (`At`: its key, its subject, its lines in OLD and NEW) and the two
values, and yields at most one `Change`. `Pair` holds the two policies and what several
comparators need of both: display names, items matched by id, the original language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .changelog import Change, Kind
from .keys import Key
from .strings import Msg, document_credit_names, msg, plain, user_text, word
from .terms import Presence, Row

Lines = tuple[int | None, int | None]
Show = Callable[[Any], Any]


@dataclass(frozen=True)
class At:
    """Where a term is: its key, its subject line, and its source lines in OLD and NEW."""

    key: Key
    subject: Msg
    lines: Lines = (None, None)


class Pair:
    """The two policies being compared."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]):
        self.old = old
        self.new = new
        self.original = (new.get("languages") or old.get("languages") or ["en"])[0]
        # The new contract's measurement window: the allowed downtime and a formula's words are stated for it.
        self.window: str = (new.get("availability") or {}).get("window") or "calendar_month"

    def name(self, section: str, ident: str) -> Msg:
        """The display name of a tier / priority / channel / objective, from the newer policy first."""
        for policy in (self.new, self.old):
            item = by_id(policy.get(section)).get(ident)
            if item and item.get("name"):
                return user_text(item["name"], ident)
        return user_text(None, ident)

    def label(self, section: str, ident: str) -> Msg:
        """What the contract calls an entity in the reader's language: its name, a clause's title, an
        exclusion's text (`Load above the documented rate limits`), else its identifier."""
        for policy in (self.new, self.old):
            item = by_id(policy.get(section)).get(ident)
            if item:
                for field in ("name", "title", "text"):
                    if item.get(field) and (field != "text" or section == "exclusions"):
                        return user_text(item[field], ident)
        return user_text(None, ident)

    def credit(self, ident: str) -> Msg:
        """A credit as the contract calls it (`name en "Downtime credit"`), else as the document heads it
        ("Credit for downtime"), else `Credit “late”`."""
        for policy in (self.new, self.old):
            item = by_id(policy.get("credits")).get(ident)
            if item and item.get("name"):
                return user_text(item["name"], ident)
        unnamed = msg("subject", "credit_unnamed", name=ident)
        return lambda s: document_credit_names(s.lang).get(ident) or unnamed(s)

    def keyed(
        self, section: str, key: str = "id"
    ) -> Iterator[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        """Items of a list section matched by id, in the new policy's order, removed ones after."""
        yield from matched(by_id(self.old.get(section), key), by_id(self.new.get(section), key))


def by_id(items: Iterable[dict[str, Any]] | None, key: str = "id") -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items or ()}


def matched(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(key, old, new) for every key of either, the new order first, removed ones after."""
    for ident in [*new, *(i for i in old if i not in new)]:
        yield ident, old.get(ident), new.get(ident)


def members(old: list[str], new: list[str]) -> Iterator[tuple[str, str | None, str | None]]:
    """(item, item if in OLD, item if in NEW) for the items of two lists (languages, exclusions, channels)."""
    for item in [*new, *(x for x in old if x not in new)]:
        yield item, item if item in old else None, item if item in new else None


def measured_services(old: dict[str, Any], new: dict[str, Any]) -> list[str | None]:
    """The services either policy measures, the new one's first (a service removed counts: its credits are
    what the customer loses); [None] for policies without any (one uptime per tier)."""
    found = [s["id"] for p in (new, old) for s in p.get("services") or ()]
    return list(dict.fromkeys(found)) or [None]


def service_target(tier: dict[str, Any] | None, service: str | None) -> str | None:
    """A tier's uptime commitment for one service (language v2: its own `uptime P for SERVICE`, else the
    tier's `uptime P`); for None, the tier's."""
    if tier is None:
        return None
    own = {u["service"]: u["uptime"] for u in tier.get("service_uptime") or ()}
    return own.get(service, tier.get("uptime")) if service is not None else tier.get("uptime")


def line(item: dict[str, Any] | None) -> int | None:
    return item.get("line") if item else None


def lines_of(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Lines:
    return line(old), line(new)


def sign(old: Any, new: Any) -> int:
    """1 when new > old, -1 when new < old, 0 when equal."""
    return (new > old) - (new < old)


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def no_lines(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "line"}


def change(
    at: At, kind: Kind, detail: Msg, reason: Msg, *, ambiguous: bool = False, old: Any = None, new: Any = None
) -> Change:
    return Change(at.key, kind, at.subject, detail, reason, ambiguous, old, new, at.lines[0], at.lines[1])


def with_extra(detail: Msg, extra: Msg | None) -> Msg:
    if extra is None:
        return detail
    return lambda s: s.text("unit", "sep").join((detail(s), extra(s)))


# ---- the row comparator ---------------------------------------------------------------------------


def compare_row(row: Row, at: At, old: Any, new: Any) -> Iterator[Change]:
    """One row of the table of terms: its two values, compared the way the row's direction says."""
    if old is None or new is None:
        if isinstance(row.absent, Presence):
            yield from presence(at, old, new, row.absent, show=row.absent.show)
            return
        if row.absent == "skip":
            return
    if row.direction in ("neutral", "unranked"):
        yield from changed(at, old, new, row.show, row.reasons[0], unranked=row.direction == "unranked")
        return
    a, b = (row.rank(v) if v is not None else None for v in (old, new))
    if a is not None and b is not None and row.unit is not None and row.unit(old) != row.unit(new):
        yield from changed(at, old, new, row.show, "credit_incomparable", unranked=True)  # 100 JPY → 1 USD
        return
    if a is None or b is None:
        direction, reason = row.absent if isinstance(row.absent, tuple) else ("unranked", row.reasons[0])
        yield from changed(at, old, new, row.show, reason, unranked=direction == "unranked")
        return
    extra = row.extra(old, new) if row.extra is not None else None
    yield from ordered(at, (a, b), (old, new), row.show, row.reasons, higher=row.direction == "higher", extra=extra)


def ordered(
    at: At,
    ranks: tuple[Any, Any],
    raw: tuple[Any, Any],
    show: Show,
    reasons: tuple[str, ...],
    *,
    higher: bool,
    extra: Msg | None = None,
) -> Iterator[Change]:
    """A one-dimensional term: a higher (`higher=True`) or lower value is better for the customer."""
    c = sign(*ranks)
    if c == 0:
        return
    good = (c > 0) == higher
    better, worse = reasons
    detail = with_extra(msg("change", "changed", old=show(raw[0]), new=show(raw[1])), extra)
    kind: Kind = "improvement" if good else "reduction"
    yield change(at, kind, detail, msg("reason", better if good else worse), old=jsonable(raw[0]), new=jsonable(raw[1]))


def presence(at: At, old: Any, new: Any, rule: Presence, *, show: Show | None = None) -> Iterator[Change]:
    """A term present on one side only: added or removed, each with its kind and reason."""
    if old is None and new is not None:
        kind, reason = rule.added
        detail = msg("change", "added_plain") if show is None else msg("change", "added", new=show(new))
        yield change(at, kind, detail, msg("reason", reason), ambiguous=rule.ambiguous, new=jsonable(new))
    elif old is not None and new is None:
        kind, reason = rule.removed
        detail = msg("change", "removed_plain") if show is None else msg("change", "removed", old=show(old))
        yield change(at, kind, detail, msg("reason", reason), ambiguous=rule.ambiguous, old=jsonable(old))


def changed(at: At, old: Any, new: Any, show: Show, reason: str, *, unranked: bool = False) -> Iterator[Change]:
    """A change that moves no service level (neutral), or one slac cannot rank (an ambiguous reduction)."""
    if old == new:
        return
    none = word("none")
    detail = msg("change", "changed", old=none if old is None else show(old), new=none if new is None else show(new))
    kind: Kind = "reduction" if unranked else "neutral"
    yield change(at, kind, detail, msg("reason", reason), ambiguous=unranked, old=jsonable(old), new=jsonable(new))


def texts(
    pair: Pair, at: At, old: dict[str, str] | None, new: dict[str, str] | None, *, legal: bool
) -> Iterator[Change]:
    """A text in several languages: an original-language change of legal text is a reduction."""
    old, new = old or {}, new or {}
    langs = sorted(lang for lang in set(old) | set(new) if old.get(lang) != new.get(lang))
    if not langs:
        return
    detail = msg("change", "text_changed", langs=", ".join(langs))
    if not legal:
        yield change(at, "wording", detail, msg("reason", "label"), old=old, new=new)
    elif pair.original in langs:
        reason = msg("reason", "text_original", lang=pair.original)
        yield change(at, "reduction", detail, reason, ambiguous=True, old=old, new=new)
    else:
        yield change(at, "wording", detail, msg("reason", "text_translation", lang=pair.original), old=old, new=new)


def entity(
    pair: Pair, kind: str, section: str, ident: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> Iterator[Change]:
    """A named thing (tier, priority, channel, objective) added or removed, or else its name's wording."""
    name, lines = pair.name(section, ident), lines_of(old, new)
    if old is None or new is None:
        rule = Presence(("improvement", f"{kind}_added"), ("reduction", f"{kind}_removed"))
        yield from presence(
            At(Key(kind, ident), msg("subject", kind, name=name), lines), old and ident, new and ident, rule
        )
        return
    at = At(Key(kind, ident, "name"), msg("subject", f"{kind}_name", name=name), lines)
    yield from texts(pair, at, old.get("name"), new.get("name"), legal=False)
