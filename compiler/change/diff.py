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

Changes to money terms can carry reference-month figures (`slac.impact`): the credit
the evaluator computes for the same month of events under OLD and under NEW.

Changes are computed on compiled policies, never on source text, so layout,
comments and statement order do not matter. Texts come from
`templates/strings/diff.{en,zh}.toml` (identical keys).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .impact import Figure, Reference

Kind = Literal["reduction", "improvement", "neutral", "wording"]
KINDS: tuple[Kind, ...] = ("reduction", "improvement", "neutral", "wording")
LANGS = ("en", "zh")  # languages the changelog can be written in

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK_MINUTES = 7 * 1440
MONTH_SECONDS = Decimal(30 * 86400)  # the reference month for allowed downtime
RESPONSE_ORDER = ("acknowledgement", "resolution")  # a later meaning asks more of the provider


# ---- localised messages --------------------------------------------------------------------------


class Strings:
    """The changelog strings of one language; `markdown` escapes user text for Markdown."""

    def __init__(self, lang: str, *, markdown: bool = False):
        self.lang = lang
        self.markdown = markdown
        self.table = catalogue(lang)

    def text(self, section: str, key: str, **params: Any) -> str:
        template: str = self.table[section][key]
        values = {k: render(v, self) if callable(v) or not self.markdown else escape(str(v)) for k, v in params.items()}
        return template.format(**values)


Msg = Callable[[Strings], str]


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    raw = resources.files("slac.templates").joinpath(f"strings/diff.{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def render(value: Any, s: Strings) -> str:
    return value(s) if callable(value) else str(value)


def msg(section: str, key: str, **params: Any) -> Msg:
    return lambda s: s.text(section, key, **params)


def escape(text: str) -> str:
    """User text made inert in Markdown (names come from contracts)."""
    out = []
    for ch in text:
        out.append("\\" + ch if ch in "\\`*_[]<>#|" else ch)
    return "".join(out)


def user_text(texts: dict[str, str] | None, fallback: str) -> Msg:
    """A text of the contract in the reader's language (or the first one there is)."""

    def show(s: Strings) -> str:
        value = (texts or {}).get(s.lang) or next(iter((texts or {}).values()), None) or fallback
        return escape(value) if s.markdown else value

    return show


def duration(seconds: Any) -> Msg:
    """`5400` → "1 h 30 min" / "1 小时 30 分钟"; exact, fractional seconds kept ("4 min 19.2 s")."""
    total = Decimal(str(seconds))

    def show(s: Strings) -> str:
        if total == 0:
            return s.text("unit", "zero")
        rest = total
        parts = []
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            whole = int(rest // size)
            if whole:
                parts.append(s.text("unit", unit, n=whole))
                rest -= whole * size
        if rest:
            if rest < 1 and not parts:
                parts.append(s.text("unit", "ms", n=_plain(rest * 1000)))
            else:
                parts.append(s.text("unit", "s", n=_plain(rest)))
        return s.text("unit", "join").join(parts)

    return show


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def percent(value: str | Decimal) -> str:
    return f"{_plain(Decimal(str(value)))}%"


def amount(value: dict[str, Any] | None) -> Msg:
    """A share (`10% of the monthly fee`) or money (`50.00 CNY`)."""

    def show(s: Strings) -> str:
        if value is None:
            return s.text("unit", "none")
        if "share" in value:
            basis = s.table["basis"].get(value["basis"], value["basis"])
            return s.text("unit", "share", share=_plain(Decimal(value["share"])), basis=basis)
        return f"{value['money']} {value['currency']}"

    return show


def word(key: str) -> Msg:
    return msg("unit", key)


def joined(items: Iterable[Msg]) -> Msg:
    parts = list(items)
    return lambda s: s.text("unit", "and").join(render(p, s) for p in parts)


# ---- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed term: what, which way, why, and the old and new values."""

    term: str  # a stable key, e.g. "tier:premium/response:high"
    kind: Kind
    subject: Msg
    detail: Msg
    reason: Msg
    ambiguous: bool = False
    old: Any = None
    new: Any = None
    old_line: int | None = None
    new_line: int | None = None
    impact: tuple[Figure, ...] = ()  # reference-month figures from the evaluator (`slac.impact`)

    def text(self, s: Strings) -> dict[str, str]:
        return {"subject": self.subject(s), "detail": self.detail(s), "reason": self.reason(s)}

    def to_json(self, langs: Iterable[str]) -> dict[str, Any]:
        texts = {lang: self.text(Strings(lang)) for lang in langs}
        return {
            "term": self.term,
            "kind": self.kind,
            "ambiguous": self.ambiguous,
            "old": self.old,
            "new": self.new,
            "line": {"old": self.old_line, "new": self.new_line},
            "text": texts,
            "impact": [
                {**f.to_json(), "text": {lang: _figure_text(f, Strings(lang)) for lang in langs}} for f in self.impact
            ],
        }


@dataclass(frozen=True)
class Diff:
    old: dict[str, Any]
    new: dict[str, Any]
    changes: tuple[Change, ...]
    reference: Reference | None = None  # the month the changes' figures are for, when computed

    def count(self, kind: Kind) -> int:
        return sum(c.kind == kind for c in self.changes)

    @property
    def reductions(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == "reduction")

    def langs(self) -> list[str]:
        """The changelog's languages: the new contract's, in its order, that slac has strings for."""
        declared = [lang for lang in self.new.get("languages", []) if lang in LANGS]
        return declared or ["en"]

    def to_json(self, *, allowed: str | None = None, langs: list[str] | None = None) -> dict[str, Any]:
        return {
            "old": _meta(self.old),
            "new": _meta(self.new),
            "summary": {kind: self.count(kind) for kind in KINDS},
            "allowed_reduction": allowed,
            "reference": self.reference.to_json() if self.reference else None,
            "changes": [c.to_json(langs or self.langs()) for c in self.changes],
        }

    def to_markdown(self, *, allowed: str | None = None, langs: list[str] | None = None) -> str:
        """One section per language (the new contract's languages by default), separated by a rule."""
        sections = [self._markdown(Strings(lang, markdown=True), allowed) for lang in langs or self.langs()]
        return "\n---\n\n".join(sections)

    def _markdown(self, s: Strings, allowed: str | None) -> str:
        old, new = _label(self.old), _label(self.new)
        out = [f"# {s.text('heading', 'title', old=old, new=new)}", ""]
        counts = {kind: self.count(kind) for kind in KINDS}
        out += [s.text("heading", "summary", **counts), ""]
        if allowed:
            out += [f"> {s.text('heading', 'allowed', reason=allowed)}", ""]
        if self.reference is not None and any(c.impact for c in self.changes):
            out += [_reference_text(self.reference, s), ""]
        if not self.changes:
            out += [s.text("heading", "none"), ""]
        for kind in KINDS:
            items = [c for c in self.changes if c.kind == kind]
            if not items:
                continue
            out += [f"## {s.text('heading', kind)}", ""]
            for c in items:
                flag = f" *({s.text('heading', 'review')})*" if c.ambiguous else ""
                out.append(f"- {s.text('heading', 'item', subject=c.subject, detail=c.detail)}{flag}  ")
                out.append(f"  {s.text('heading', 'why', reason=c.reason)}")
                out += [f"  - {line}" for line in _impact_lines(c.impact, s)]
            out.append("")
        return "\n".join(out)


def _situation(f: Figure) -> Msg:
    tier = user_text(f.name, f.tier)
    if f.situation == "responses":
        return msg("impact", "responses", tier=tier)
    if f.situation == "calendar":
        return msg("impact", "calendar", tier=tier)
    if f.situation == "below":
        return msg("impact", "below", tier=tier, uptime=f.new.uptime, threshold=f.threshold)
    return msg("impact", "given", tier=tier, customers=f.customers)


def _figure_text(f: Figure, s: Strings) -> str:
    """One figure as a sentence: the situation, the credit old → new and the missed responses."""
    credit = msg("impact", "credit", old=f"{f.old.credit} {f.old.currency}", new=f"{f.new.credit} {f.new.currency}")
    if not (f.old.missed or f.new.missed):  # a month without tickets: missed responses say nothing
        return s.text("impact", "line_credit", situation=_situation(f), credit=credit)
    missed = msg("impact", "missed", old=f.old.missed, new=f.new.missed)
    return s.text("impact", "line", situation=_situation(f), credit=credit, missed=missed)


def _impact_lines(figures: tuple[Figure, ...], s: Strings) -> list[str]:
    """The figures that differ; when none does, one line saying so (the change did not bite this month)."""
    differ = [_figure_text(f, s) for f in figures if not f.same]
    if differ or not figures:
        return differ
    return [s.text("impact", "same", count=len(figures))]


def _reference_text(ref: Reference, s: Strings) -> str:
    if ref.source != "synthetic":
        return s.text("impact", "events", period=ref.period, source=ref.source)
    fees = joined(
        msg("impact", "fee", tier=user_text(ref.names.get(tier), tier), fee=f"{fee} {ref.currency}")
        for tier, fee in ref.fees.items()
    )
    text = s.text("impact", "synthetic", period=ref.period, fees=fees, opened=ref.opened)
    if ref.calendar_opened is not None:
        text += s.text("impact", "synthetic_calendar", opened=ref.calendar_opened)
    return text


def _meta(policy: dict[str, Any]) -> dict[str, Any]:
    contract = policy.get("contract", {})
    return {
        "id": contract.get("id"),
        "version": contract.get("version"),
        "effective": contract.get("effective"),
        "file": contract.get("source", {}).get("file"),
        "sha256": contract.get("source", {}).get("sha256"),
    }


def _label(policy: dict[str, Any]) -> str:
    meta = _meta(policy)
    return f"{meta['id']} {meta['version']}" if meta["version"] else str(meta["id"])


# ---- entry point ---------------------------------------------------------------------------------


def diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Every term that differs between two policies, classified; empty when they mean the same."""
    d = _Differ(old, new)
    changes = list(d.run())
    order = {kind: i for i, kind in enumerate(KINDS)}
    changes.sort(key=lambda c: (order[c.kind], c.new_line or c.old_line or 0, c.term))
    return Diff(old, new, tuple(changes))


def _by_id(items: Iterable[dict[str, Any]] | None, key: str = "id") -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items or ()}


def _line(item: dict[str, Any] | None) -> int | None:
    return item.get("line") if item else None


def _cmp(old: Any, new: Any) -> int:
    return (new > old) - (new < old)


class _Differ:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]):
        self.old = old
        self.new = new
        self.original = (new.get("languages") or old.get("languages") or ["en"])[0]

    # -- helpers ------------------------------------------------------------------------------------

    def name(self, section: str, ident: str, prefer_new: bool = True) -> Msg:
        """The display name of a tier / priority / channel / objective, from the newer policy first."""
        first, second = (self.new, self.old) if prefer_new else (self.old, self.new)
        for policy in (first, second):
            item = _by_id(policy.get(section)).get(ident)
            if item and item.get("name"):
                return user_text(item["name"], ident)
        return user_text(None, ident)

    def change(self, term: str, kind: Kind, subject: Msg, detail: Msg, reason: Msg, **extra: Any) -> Change:
        return Change(term, kind, subject, detail, reason, **extra)

    def ordered(
        self,
        term: str,
        subject: Msg,
        old: Any,
        new: Any,
        show: Callable[[Any], Any],
        better: str,
        worse: str,
        *,
        higher_is_better: bool,
        lines: tuple[int | None, int | None],
        raw: tuple[Any, Any] | None = None,
        extra: Msg | None = None,
    ) -> Iterator[Change]:
        """A one-dimensional term: a higher (or lower) value is better for the customer."""
        c = _cmp(old, new)
        if c == 0:
            return
        good = (c > 0) == higher_is_better
        detail = msg("change", "changed", old=show(old), new=show(new))
        if extra is not None:
            base = detail
            detail = lambda s: s.text("unit", "sep").join((base(s), extra(s)))  # noqa: E731
        old_raw, new_raw = raw if raw is not None else (old, new)
        yield self.change(
            term,
            "improvement" if good else "reduction",
            subject,
            detail,
            msg("reason", better if good else worse),
            old=_jsonable(old_raw),
            new=_jsonable(new_raw),
            old_line=lines[0],
            new_line=lines[1],
        )

    def presence(
        self,
        term: str,
        subject: Msg,
        old: Any,
        new: Any,
        show: Callable[[Any], Any] | None,
        added: tuple[Kind, str],
        removed: tuple[Kind, str],
        lines: tuple[int | None, int | None],
        *,
        ambiguous: bool = False,
    ) -> Iterator[Change]:
        if old is None and new is not None:
            kind, reason = added
            yield self.change(
                term,
                kind,
                subject,
                msg("change", "added_plain") if show is None else msg("change", "added", new=show(new)),
                msg("reason", reason),
                ambiguous=ambiguous,
                new=_jsonable(new),
                new_line=lines[1],
            )
        elif old is not None and new is None:
            kind, reason = removed
            yield self.change(
                term,
                kind,
                subject,
                msg("change", "removed_plain") if show is None else msg("change", "removed", old=show(old)),
                msg("reason", reason),
                ambiguous=ambiguous,
                old=_jsonable(old),
                old_line=lines[0],
            )

    def entity(
        self,
        kind: str,
        ident: str,
        name: Msg,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        lines: tuple[int | None, int | None],
    ) -> Iterator[Change]:
        """A named thing (tier, priority, channel, objective) added or removed, or else its name's wording."""
        if old is None or new is None:
            yield from self.presence(
                f"{kind}:{ident}",
                msg("subject", kind, name=name),
                old and ident,
                new and ident,
                None,
                ("improvement", f"{kind}_added"),
                ("reduction", f"{kind}_removed"),
                lines,
            )
            return
        yield from self.texts(
            f"{kind}:{ident}/name",
            msg("subject", f"{kind}_name", name=name),
            old.get("name"),
            new.get("name"),
            lines,
            legal=False,
        )

    def texts(
        self,
        term: str,
        subject: Msg,
        old: dict[str, str] | None,
        new: dict[str, str] | None,
        lines: tuple[int | None, int | None],
        *,
        legal: bool,
    ) -> Iterator[Change]:
        """A text in several languages: an original-language change of legal text is a reduction."""
        old, new = old or {}, new or {}
        changed = sorted(lang for lang in set(old) | set(new) if old.get(lang) != new.get(lang))
        if not changed:
            return
        detail = msg("change", "text_changed", langs=", ".join(changed))
        if not legal:
            kind: Kind = "wording"
            reason = msg("reason", "label")
            ambiguous = False
        elif self.original in changed:
            kind, reason, ambiguous = "reduction", msg("reason", "text_original", lang=self.original), True
        else:
            kind, reason, ambiguous = "wording", msg("reason", "text_translation", lang=self.original), False
        yield self.change(
            term,
            kind,
            subject,
            detail,
            reason,
            ambiguous=ambiguous,
            old=old,
            new=new,
            old_line=lines[0],
            new_line=lines[1],
        )

    def neutral(
        self, term: str, subject: Msg, old: Any, new: Any, show: Callable[[Any], Any], reason: str, lines: tuple
    ) -> Iterator[Change]:
        """A change that moves no service level either way (a contact, an informational aim)."""
        yield from self._changed("neutral", term, subject, old, new, show, reason, lines)

    def ambiguous(
        self, term: str, subject: Msg, old: Any, new: Any, show: Callable[[Any], Any], reason: str, lines: tuple
    ) -> Iterator[Change]:
        """A change slac cannot rank: counted as a reduction unless proven otherwise."""
        yield from self._changed("reduction", term, subject, old, new, show, reason, lines, ambiguous=True)

    def _changed(
        self,
        kind: Kind,
        term: str,
        subject: Msg,
        old: Any,
        new: Any,
        show: Callable[[Any], Any],
        reason: str,
        lines: tuple,
        *,
        ambiguous: bool = False,
    ) -> Iterator[Change]:
        if old == new:
            return
        none = word("none")
        detail = msg(
            "change", "changed", old=none if old is None else show(old), new=none if new is None else show(new)
        )
        yield self.change(
            term,
            kind,
            subject,
            detail,
            msg("reason", reason),
            ambiguous=ambiguous,
            old=_jsonable(old),
            new=_jsonable(new),
            old_line=lines[0],
            new_line=lines[1],
        )

    def keyed(
        self, section: str, key: str = "id"
    ) -> Iterator[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        """Items of a list section matched by id, in the new policy's order, removed ones after."""
        old, new = _by_id(self.old.get(section), key), _by_id(self.new.get(section), key)
        for ident in [*new, *(i for i in old if i not in new)]:
            yield ident, old.get(ident), new.get(ident)

    def _links(self) -> Iterator[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        def keyed(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for link in policy.get("third_party") or ():
                out[f"{link['url']} {(link.get('name') or {}).get(self.original, '')}"] = link
            return out

        old, new = keyed(self.old), keyed(self.new)
        for key in [*new, *(k for k in old if k not in new)]:
            yield key, old.get(key), new.get(key)

    # -- the terms ------------------------------------------------------------------------------------

    def run(self) -> Iterator[Change]:
        yield from self.header()
        yield from self.text_blocks()
        yield from self.calendars()
        yield from self.availability()
        yield from self.objectives()
        yield from self.channels()
        yield from self.priorities()
        yield from self.tiers()
        yield from self.credits()
        yield from self.compensation()
        yield from self.others()

    def header(self) -> Iterator[Change]:
        o, n = self.old, self.new
        ol, nl = o["contract"].get("lines", {}), n["contract"].get("lines", {})

        def at(key: str) -> tuple[int | None, int | None]:
            return ol.get(key), nl.get(key)

        yield from self.neutral(
            "contract:version",
            msg("subject", "contract_version"),
            o["contract"].get("version"),
            n["contract"].get("version"),
            str,
            "informational",
            at("version"),
        )
        yield from self.neutral(
            "contract:effective",
            msg("subject", "contract_effective"),
            o["contract"].get("effective"),
            n["contract"].get("effective"),
            str,
            "informational",
            at("effective"),
        )
        yield from self.texts(
            "contract:title", msg("subject", "contract_title"), o.get("title"), n.get("title"), at("title"), legal=False
        )
        yield from self.neutral(
            "contract:timezone",
            msg("subject", "contract_timezone"),
            o.get("timezone"),
            n.get("timezone"),
            str,
            "zone_contract",
            at("timezone"),
        )
        yield from self.ambiguous(
            "contract:currency",
            msg("subject", "contract_currency"),
            (o.get("currency") or {}).get("code"),
            (n.get("currency") or {}).get("code"),
            str,
            "currency_changed",
            at("currency"),
        )
        yield from self.ambiguous(
            "contract:billing",
            msg("subject", "contract_billing"),
            o.get("billing"),
            n.get("billing"),
            str,
            "billing_changed",
            at("billing"),
        )
        old_langs, new_langs = o.get("languages", []), n.get("languages", [])
        for lang in [*new_langs, *(x for x in old_langs if x not in new_langs)]:
            yield from self.presence(
                f"contract:language:{lang}",
                msg("subject", "contract_language", lang=lang),
                lang if lang in old_langs else None,
                lang if lang in new_langs else None,
                None,
                ("improvement", "language_added"),
                ("reduction", "language_removed"),
                at("languages"),
            )
        om, nm = o.get("response_means"), n.get("response_means")
        if om != nm:
            subject = msg("subject", "response_means")
            if om in RESPONSE_ORDER and nm in RESPONSE_ORDER:
                yield from self.ordered(
                    "contract:response_means",
                    subject,
                    RESPONSE_ORDER.index(om),
                    RESPONSE_ORDER.index(nm),
                    lambda i: RESPONSE_ORDER[i],
                    "response_stricter",
                    "response_looser",
                    higher_is_better=True,
                    lines=at("response_means"),
                    raw=(om, nm),
                )
            else:
                yield from self.ambiguous(
                    "contract:response_means", subject, om, nm, str, "response_changed", at("response_means")
                )

    def text_blocks(self) -> Iterator[Change]:
        for section, subject_key, legal_added, legal_removed, term in (
            ("definitions", "definition", "definition_added", "definition_removed", "definition"),
            ("clauses", "clause", "clause_added", "clause_removed", "clause"),
        ):
            for ident, old, new in self.keyed(section):
                subject = msg("subject", subject_key, name=ident)
                lines = (_line(old), _line(new))
                if old is None or new is None:
                    yield from self.presence(
                        f"{term}:{ident}",
                        subject,
                        old and old["text"],
                        new and new["text"],
                        None,
                        ("reduction", legal_added),
                        ("reduction", legal_removed),
                        lines,
                        ambiguous=True,
                    )
                else:
                    yield from self.texts(f"{term}:{ident}", subject, old["text"], new["text"], lines, legal=True)
        for ident, old, new in self.keyed("exclusions"):
            subject = msg("subject", "exclusion", name=ident)
            lines = (_line(old), _line(new))
            if old is None or new is None:
                yield from self.presence(
                    f"exclusion:{ident}",
                    subject,
                    old and old["text"],
                    new and new["text"],
                    None,
                    ("reduction", "exclusion_added"),
                    ("improvement", "exclusion_removed"),
                    lines,
                )
            else:
                yield from self.texts(f"exclusion:{ident}", subject, old["text"], new["text"], lines, legal=True)

    # -- calendars --------------------------------------------------------------------------------------

    def calendars(self) -> Iterator[Change]:
        for ident, old, new in self.keyed("calendars"):
            if old is None or new is None:
                # A calendar matters only through what uses it; those terms report the change.
                yield from self.presence(
                    f"calendar:{ident}",
                    msg("subject", "calendar", name=ident),
                    old and ident,
                    new and ident,
                    None,
                    ("neutral", "informational"),
                    ("neutral", "informational"),
                    (_line(old), _line(new)),
                )
                continue
            yield from self.calendar_pair(ident, old, new)

    def calendar_pair(self, ident: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
        lines = (_line(old), _line(new))
        ow, nw = _week(old), _week(new)
        if old.get("timezone") != new.get("timezone"):
            full = frozenset(range(WEEK_MINUTES))
            if ow == nw == full:
                yield from self.neutral(
                    f"calendar:{ident}/timezone",
                    msg("subject", "calendar_timezone", name=ident),
                    old.get("timezone"),
                    new.get("timezone"),
                    str,
                    "zone_always_open",
                    lines,
                )
            else:
                yield from self.ambiguous(
                    f"calendar:{ident}/timezone",
                    msg("subject", "calendar_timezone", name=ident),
                    old.get("timezone"),
                    new.get("timezone"),
                    str,
                    "zone_changed",
                    lines,
                )
        if ow != nw:
            gained, lost = nw - ow, ow - nw
            parts = []
            if gained:
                parts.append(msg("change", "gains", hours=_hours_text(gained)))
            if lost:
                parts.append(msg("change", "loses", hours=_hours_text(lost)))
            if gained and lost:
                kind: Kind = "reduction"
                reason, ambiguous = "hours_mixed", True
            elif gained:
                kind, reason, ambiguous = "improvement", "hours_more", False
            else:
                kind, reason, ambiguous = "reduction", "hours_fewer", False
            yield self.change(
                f"calendar:{ident}/hours",
                kind,
                msg("subject", "calendar_hours", name=ident),
                joined(parts),
                msg("reason", reason),
                ambiguous=ambiguous,
                old=_hours_json(old),
                new=_hours_json(new),
                old_line=lines[0],
                new_line=lines[1],
            )
        yield from self.holidays(ident, old, new, lines)

    def holidays(self, ident: str, old: dict[str, Any], new: dict[str, Any], lines: tuple) -> Iterator[Change]:
        oh, nh = old.get("holidays") or {}, new.get("holidays") or {}
        if oh.get("region") == nh.get("region") and oh.get("dates") == nh.get("dates"):
            return
        span = _common_years(self.old, self.new)
        # A closure matters only on a day the calendar opens, a make-up working day only on one it does not.
        od, nd = _dates(oh.get("dates"), span, old, True), _dates(nh.get("dates"), span, new, True)
        ow, nw = _dates(oh.get("workdays"), span, old, False), _dates(nh.get("workdays"), span, new, False)
        worse = bool(nd - od) or bool(ow - nw)
        better = bool(od - nd) or bool(nw - ow)
        if not worse and not better:
            return
        if worse and better:
            kind: Kind = "reduction"
            reason, ambiguous = "holidays_mixed", True
        elif worse:
            kind, reason, ambiguous = "reduction", "holidays_more", False
        else:
            kind, reason, ambiguous = "improvement", "holidays_fewer", False
        first, last = span if span else ("", "")
        region = msg(
            "change",
            "changed",
            old=oh.get("region") or word("none"),
            new=nh.get("region") or word("none"),
        )
        counts = msg(
            "change",
            "holiday_dates",
            added=len(nd - od),
            removed=len(od - nd),
            workdays_added=len(nw - ow),
            workdays_removed=len(ow - nw),
            first=first,
            last=last,
        )
        yield self.change(
            f"calendar:{ident}/holidays",
            kind,
            msg("subject", "calendar_holidays", name=ident),
            lambda s: s.text("unit", "sep").join((region(s), counts(s))),
            msg("reason", reason),
            ambiguous=ambiguous,
            old=oh.get("region"),
            new=nh.get("region"),
            old_line=oh.get("line", lines[0]),
            new_line=nh.get("line", lines[1]),
        )

    def calendar_relation(self, old_id: str, new_id: str) -> int | None:
        """How open the new calendar is against the old one: 1 more, -1 less, 0 same, None both ways.

        Calendars with the same id are compared by their own term; here they count as the same.
        """
        if old_id == new_id:
            return 0
        old = _by_id(self.old.get("calendars")).get(old_id)
        new = _by_id(self.new.get("calendars")).get(new_id)
        if old is None or new is None:
            return None
        ow, nw = _week(old), _week(new)
        full = frozenset(range(WEEK_MINUTES))
        if old.get("timezone") != new.get("timezone") and not (ow == nw == full):
            return None
        span = _common_years(self.old, self.new)
        oh, nh = old.get("holidays") or {}, new.get("holidays") or {}
        od, nd = _dates(oh.get("dates"), span, old, True), _dates(nh.get("dates"), span, new, True)
        more = bool(nw - ow) or bool(od - nd)
        less = bool(ow - nw) or bool(nd - od)
        if more and less:
            return None
        return 1 if more else -1 if less else 0

    # -- availability and objectives ----------------------------------------------------------------------

    def availability(self) -> Iterator[Change]:
        old, new = self.old.get("availability") or {}, self.new.get("availability") or {}
        lines = (_line(old), _line(new))
        yield from self.ambiguous(
            "availability:window",
            msg("subject", "availability_window"),
            old.get("window", "calendar_month"),
            new.get("window", "calendar_month"),
            str,
            "window_changed",
            lines,
        )
        om, nm = old.get("monitor_interval_seconds"), new.get("monitor_interval_seconds")
        if om is not None and nm is not None:
            yield from self.ordered(
                "availability:monitor",
                msg("subject", "availability_monitor"),
                om,
                nm,
                duration,
                "monitor_faster",
                "monitor_slower",
                higher_is_better=False,
                lines=lines,
            )
        else:
            yield from self.neutral(
                "availability:monitor", msg("subject", "availability_monitor"), om, nm, duration, "informational", lines
            )
        yield from self.neutral(
            "availability:status_page",
            msg("subject", "availability_status_page"),
            old.get("status_page"),
            new.get("status_page"),
            str,
            "contact",
            lines,
        )
        # No `minimum outage` means every outage counts; no notice means any announcement excludes maintenance.
        yield from self.ordered(
            "availability:minimum_outage",
            msg("subject", "availability_minimum_outage"),
            old.get("minimum_outage_seconds") or 0,
            new.get("minimum_outage_seconds") or 0,
            duration,
            "minimum_outage_shorter",
            "minimum_outage_longer",
            higher_is_better=False,
            lines=lines,
        )
        yield from self.ordered(
            "availability:maintenance_notice",
            msg("subject", "availability_maintenance_notice"),
            old.get("maintenance_notice_seconds") or 0,
            new.get("maintenance_notice_seconds") or 0,
            duration,
            "notice_longer",
            "notice_shorter",
            higher_is_better=True,
            lines=lines,
        )
        oe, ne = old.get("excludes", []), new.get("excludes", [])
        for name in [*ne, *(x for x in oe if x not in ne)]:
            yield from self.presence(
                f"availability:excludes:{name}",
                msg("subject", "availability_excludes", name=name),
                name if name in oe else None,
                name if name in ne else None,
                None,
                ("reduction", "excludes_added"),
                ("improvement", "excludes_removed"),
                lines,
            )
        yield from self.neutral(
            "availability:aim",
            msg("subject", "availability_aim"),
            old.get("aim"),
            new.get("aim"),
            str,
            "informational",
            lines,
        )

    def objectives(self) -> Iterator[Change]:
        for ident, old, new in self.keyed("objectives"):
            name = self.name("objectives", ident)
            lines = (_line(old), _line(new))
            yield from self.entity("objective", ident, name, old, new, lines)
            if old is None or new is None:
                continue
            ot, nt = _by_id(old["targets"], "metric"), _by_id(new["targets"], "metric")
            for metric in [*nt, *(m for m in ot if m not in nt)]:
                a, b = ot.get(metric), nt.get(metric)
                subject = msg("subject", "objective_target", name=name, metric=metric)
                tl = (_line(a), _line(b))
                if a is None or b is None:
                    yield from self.presence(
                        f"objective:{ident}/target:{metric}",
                        subject,
                        a and _threshold(a),
                        b and _threshold(b),
                        _show_threshold,
                        ("improvement", "objective_added"),
                        ("reduction", "objective_removed"),
                        tl,
                    )
                    continue
                av, bv = _threshold(a), _threshold(b)
                if av[0] != bv[0]:
                    yield from self.ambiguous(
                        f"objective:{ident}/target:{metric}", subject, av, bv, _show_threshold, "objective_higher", tl
                    )
                    continue
                yield from self.ordered(
                    f"objective:{ident}/target:{metric}",
                    subject,
                    av[1],
                    bv[1],
                    _threshold_in(av[0]),
                    "objective_lower",
                    "objective_higher",
                    higher_is_better=False,
                    lines=tl,
                    raw=(a["threshold"], b["threshold"]),
                )

    # -- channels, priorities, tiers ----------------------------------------------------------------------

    def channels(self) -> Iterator[Change]:
        for ident, old, new in self.keyed("channels"):
            name = self.name("channels", ident)
            lines = (_line(old), _line(new))
            yield from self.entity("channel", ident, name, old, new, lines)
            if old is None or new is None:
                continue
            yield from self.neutral(
                f"channel:{ident}/url",
                msg("subject", "channel_url", name=name),
                old.get("url"),
                new.get("url"),
                str,
                "contact",
                lines,
            )

    def priorities(self) -> Iterator[Change]:
        for ident, old, new in self.keyed("priorities"):
            name = self.name("priorities", ident)
            lines = (_line(old), _line(new))
            yield from self.entity("priority", ident, name, old, new, lines)
            if old is None or new is None:
                continue
            yield from self.ordered(
                f"priority:{ident}/requires_outage",
                msg("subject", "priority_requires_outage", name=name),
                bool(old["requires_outage"]),
                bool(new["requires_outage"]),
                lambda v: word("yes" if v else "no"),
                "requires_outage_removed",
                "requires_outage_added",
                higher_is_better=False,
                lines=lines,
            )
            yield from self.downgrade(ident, name, old, new, lines)

    def downgrade(
        self, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any], lines: tuple
    ) -> Iterator[Change]:
        od, nd = old.get("downgrade"), new.get("downgrade")
        if od == nd:
            return
        subject = msg("subject", "priority_downgrade", name=name)
        term = f"priority:{ident}/downgrade"

        def show(p: str | None) -> Any:
            return word("none") if p is None else self.name("priorities", p)

        if not (old["requires_outage"] and new["requires_outage"]):
            # Without `requires outage` on both sides the downgrade never applies on one of them.
            yield from self.neutral(term, subject, od, nd, show, "informational", lines)
            return
        if od is None or nd is None:
            yield from self.presence(
                term,
                subject,
                od,
                nd,
                show,
                ("improvement", "downgrade_added"),
                ("reduction", "downgrade_removed"),
                lines,
            )
            return
        # Compare, tier by tier, the old target of the old downgrade with the new target of the new one.
        signs = set()
        old_tiers, new_tiers = _by_id(self.old.get("tiers")), _by_id(self.new.get("tiers"))
        for tier_id in set(old_tiers) & set(new_tiers):
            a = _by_id(old_tiers[tier_id]["responses"], "priority").get(od)
            b = _by_id(new_tiers[tier_id]["responses"], "priority").get(nd)
            signs.add(self.response_sign(a, b))
        if signs <= {0}:
            kind: Kind = "neutral"
            reason, ambiguous = "downgrade_same", False
        elif None in signs or (1 in signs and -1 in signs):
            kind, reason, ambiguous = "reduction", "downgrade_mixed", True
        elif 1 in signs:
            kind, reason, ambiguous = "improvement", "downgrade_faster", False
        else:
            kind, reason, ambiguous = "reduction", "downgrade_slower", False
        yield self.change(
            term,
            kind,
            subject,
            msg("change", "changed", old=show(od), new=show(nd)),
            msg("reason", reason),
            ambiguous=ambiguous,
            old=od,
            new=nd,
            old_line=lines[0],
            new_line=lines[1],
        )

    def response_sign(self, a: dict[str, Any] | None, b: dict[str, Any] | None) -> int | None:
        """1 when target b is better for the customer than a, -1 worse, 0 equal, None both ways."""
        if a is None and b is None:
            return 0
        if a is None:
            return 1
        if b is None:
            return -1
        time = -_cmp(a["within_seconds"], b["within_seconds"])  # shorter is better
        cal = self.calendar_relation(a["calendar"], b["calendar"])
        if cal is None:
            return None
        if time == 0 or cal == 0 or time == cal:
            return time or cal
        return None

    def tiers(self) -> Iterator[Change]:
        for ident, old, new in self.keyed("tiers"):
            name = self.name("tiers", ident)
            lines = (_line(old), _line(new))
            yield from self.entity("tier", ident, name, old, new, lines)
            if old is None or new is None:
                continue
            yield from self.texts(
                f"tier:{ident}/features",
                msg("subject", "tier_features", name=name),
                old.get("features"),
                new.get("features"),
                lines,
                legal=True,
            )
            yield from self.uptime(ident, name, old, new, lines)
            yield from self.responses(ident, name, old, new)
            os_, ns = old.get("support", []), new.get("support", [])
            for ch in [*ns, *(c for c in os_ if c not in ns)]:
                yield from self.presence(
                    f"tier:{ident}/support:{ch}",
                    msg("subject", "tier_support", name=name, channel=self.name("channels", ch)),
                    ch if ch in os_ else None,
                    ch if ch in ns else None,
                    None,
                    ("improvement", "support_added"),
                    ("reduction", "support_removed"),
                    lines,
                )
            yield from self.live(ident, name, old.get("live"), new.get("live"), lines)

    def uptime(self, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any], lines: tuple) -> Iterator[Change]:
        ou, nu = old.get("uptime"), new.get("uptime")
        subject = msg("subject", "tier_uptime", name=name)
        if ou is None or nu is None:
            yield from self.presence(
                f"tier:{ident}/uptime",
                subject,
                ou,
                nu,
                percent,
                ("improvement", "uptime_added"),
                ("reduction", "uptime_removed"),
                lines,
            )
            return
        a, b = Decimal(ou), Decimal(nu)
        impact = msg("change", "downtime", old=duration(allowed_downtime(a)), new=duration(allowed_downtime(b)))
        yield from self.ordered(
            f"tier:{ident}/uptime",
            subject,
            a,
            b,
            percent,
            "uptime_higher",
            "uptime_lower",
            higher_is_better=True,
            lines=lines,
            raw=(ou, nu),
            extra=impact,
        )

    def responses(self, ident: str, name: Msg, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
        orr, nr = _by_id(old["responses"], "priority"), _by_id(new["responses"], "priority")
        for prio in [*nr, *(p for p in orr if p not in nr)]:
            a, b = orr.get(prio), nr.get(prio)
            term = f"tier:{ident}/response:{prio}"
            subject = msg("subject", "tier_response", name=name, priority=self.name("priorities", prio))
            lines = (_line(a), _line(b))
            if a is None or b is None:
                yield from self.presence(
                    term,
                    subject,
                    a,
                    b,
                    _show_response,
                    ("improvement", "target_added"),
                    ("reduction", "target_removed"),
                    lines,
                )
                continue
            if a["within_seconds"] == b["within_seconds"] and a["calendar"] == b["calendar"]:
                continue
            sign = self.response_sign(a, b)
            same_calendar = a["calendar"] == b["calendar"]
            show: Callable[[Any], Any] = (lambda r: duration(r["within_seconds"])) if same_calendar else _show_response
            if sign is None:
                kind: Kind = "reduction"
                reason: Msg = msg("reason", "target_ambiguous")
            elif sign > 0:
                kind = "improvement"
                reason = msg("reason", "shorter_target") if same_calendar else self._calendar_reason(a, b, sign)
            else:
                kind = "reduction"
                reason = msg("reason", "longer_target") if same_calendar else self._calendar_reason(a, b, sign)
            yield self.change(
                term,
                kind,
                subject,
                msg("change", "changed", old=show(a), new=show(b)),
                reason,
                ambiguous=sign is None,
                old={"within_seconds": a["within_seconds"], "calendar": a["calendar"]},
                new={"within_seconds": b["within_seconds"], "calendar": b["calendar"]},
                old_line=lines[0],
                new_line=lines[1],
            )

    def _calendar_reason(self, a: dict[str, Any], b: dict[str, Any], sign: int) -> Msg:
        if a["within_seconds"] != b["within_seconds"]:
            return msg("reason", "shorter_target" if sign > 0 else "longer_target")
        return msg("reason", "hours_more" if sign > 0 else "hours_fewer")

    def live(
        self, ident: str, name: Msg, old: dict[str, Any] | None, new: dict[str, Any] | None, lines: tuple
    ) -> Iterator[Change]:
        subject = msg("subject", "tier_live", name=name)
        term = f"tier:{ident}/live"
        if old is None or new is None:
            yield from self.presence(
                term,
                subject,
                old,
                new,
                _show_live,
                ("improvement", "live_added"),
                ("reduction", "live_removed"),
                (_line(old), _line(new)),
            )
            return
        lines = (_line(old), _line(new))
        # Unlimited sessions beat any limit.
        inf = Decimal("Infinity")
        a = inf if old["max_session_seconds"] is None else Decimal(str(old["max_session_seconds"]))
        b = inf if new["max_session_seconds"] is None else Decimal(str(new["max_session_seconds"]))
        time = _cmp(a, b)
        cal = self.calendar_relation(old["calendar"], new["calendar"])
        if time == 0 and cal == 0:
            return
        sign = None if cal is None else (time or cal) if (time == 0 or cal == 0 or time == cal) else None
        calendar_reason = msg("reason", "live_calendar", calendar=new["calendar"])
        if sign is None:
            kind: Kind = "reduction"
            reason = msg("reason", "target_ambiguous")
        elif sign > 0:
            kind = "improvement"
            reason = msg("reason", "live_unlimited" if b == inf else "live_longer") if time else calendar_reason
        else:
            kind = "reduction"
            reason = msg("reason", "live_limited" if a == inf else "live_shorter") if time else calendar_reason
        yield self.change(
            term,
            kind,
            subject,
            msg("change", "changed", old=_show_live(old), new=_show_live(new)),
            reason,
            ambiguous=sign is None,
            old=_jsonable({k: v for k, v in old.items() if k != "line"}),
            new=_jsonable({k: v for k, v in new.items() if k != "line"}),
            old_line=lines[0],
            new_line=lines[1],
        )

    # -- compensation ------------------------------------------------------------------------------------

    def credits(self) -> Iterator[Change]:
        for ident, old, new in self.keyed("credits"):
            lines = (_line(old), _line(new))
            if old is None or new is None:
                yield from self.presence(
                    f"credit:{ident}",
                    msg("subject", "credit", name=ident),
                    old and ident,
                    new and ident,
                    None,
                    ("improvement", "credit_added"),
                    ("reduction", "credit_removed"),
                    lines,
                )
                continue
            oa, na = old["applies"], new["applies"]
            for tier in [*na, *(t for t in oa if t not in na)]:
                yield from self.presence(
                    f"credit:{ident}/applies:{tier}",
                    msg("subject", "credit_applies", name=ident, tier=self.name("tiers", tier)),
                    tier if tier in oa else None,
                    tier if tier in na else None,
                    None,
                    ("improvement", "credit_applies_added"),
                    ("reduction", "credit_applies_removed"),
                    lines,
                )
            for tier in (t for t in na if t in oa):
                yield from self.bands(ident, tier, old, new, lines)
            op, np_ = old.get("per_miss"), new.get("per_miss")
            subject = msg("subject", "credit_per_miss", name=ident)
            pl = (_line(op) or lines[0], _line(np_) or lines[1])
            if op is None or np_ is None:
                yield from self.presence(
                    f"credit:{ident}/per_miss",
                    subject,
                    op and op["amount"],
                    np_ and np_["amount"],
                    amount,
                    ("improvement", "per_miss_added"),
                    ("reduction", "per_miss_removed"),
                    pl,
                )
            else:
                yield from self.amounts(
                    f"credit:{ident}/per_miss",
                    subject,
                    op["amount"],
                    np_["amount"],
                    "per_miss_more",
                    "per_miss_less",
                    pl,
                )

    def amounts(
        self, term: str, subject: Msg, old: dict[str, Any], new: dict[str, Any], more: str, less: str, lines: tuple
    ) -> Iterator[Change]:
        a, b = _amount_value(old), _amount_value(new)
        if a[0] != b[0]:
            yield from self.ambiguous(term, subject, old, new, amount, "credit_incomparable", lines)
            return
        yield from self.ordered(
            term,
            subject,
            a[1],
            b[1],
            _amount_like(old),
            more,
            less,
            higher_is_better=True,
            lines=lines,
            raw=(old, new),
        )

    def bands(self, ident: str, tier: str, old: dict[str, Any], new: dict[str, Any], lines: tuple) -> Iterator[Change]:
        """Compare the credit owed at every uptime, as two step functions over exact thresholds."""
        ob = _resolve_bands(old["bands"], _by_id(self.old["tiers"]).get(tier))
        nb = _resolve_bands(new["bands"], _by_id(self.new["tiers"]).get(tier))
        if ob == nb:
            return
        term = f"credit:{ident}/bands:{tier}"
        subject = msg("subject", "credit_bands", name=ident, tier=self.name("tiers", tier))
        shapes = {shape for _t, (shape, _v), _a in ob + nb}
        if len(shapes) > 1:
            yield self.change(
                term,
                "reduction",
                subject,
                msg("change", "changed", old=_show_bands(ob), new=_show_bands(nb)),
                msg("reason", "credit_incomparable"),
                ambiguous=True,
                old=_jsonable(_no_lines(old["bands"])),
                new=_jsonable(_no_lines(new["bands"])),
                old_line=lines[0],
                new_line=lines[1],
            )
            return
        # The credit is constant between neighbouring thresholds, so one point per interval decides it.
        points = sorted({t for t, _v, _a in ob + nb} | {Decimal(0)}, reverse=True)
        diffs = []
        for i, low in enumerate(points):
            high = points[i - 1] if i else Decimal(100)
            (a, av), (b, bv) = _credit_at(ob, low), _credit_at(nb, low)
            if (a or 0) != (b or 0) or (av is None) != (bv is None):
                diffs.append((low, high, a or Decimal(0), b or Decimal(0), av, bv))
        if not diffs:
            return
        up = any(b > a for _l, _h, a, b, _av, _bv in diffs)
        down = any(b < a for _l, _h, a, b, _av, _bv in diffs)
        if up and down:
            kind: Kind = "reduction"
            reason, ambiguous = "credit_mixed", True
        elif up:
            kind, reason, ambiguous = "improvement", "credit_more", False
        else:
            kind, reason, ambiguous = "reduction", "credit_less", False
        parts = []
        for low, high, _a, _b, av, bv in diffs:
            show_old = amount(av) if av else msg("change", "no_credit")
            show_new = amount(bv) if bv else msg("change", "no_credit")
            if low == 0:
                parts.append(msg("change", "band_below", high=percent(high), old=show_old, new=show_new))
            else:
                parts.append(
                    msg("change", "band_range", low=percent(low), high=percent(high), old=show_old, new=show_new)
                )
        yield self.change(
            term,
            kind,
            subject,
            lambda s: s.text("unit", "sep").join(render(p, s) for p in parts),
            msg("reason", reason),
            ambiguous=ambiguous,
            old=_jsonable(_no_lines(old["bands"])),
            new=_jsonable(_no_lines(new["bands"])),
            old_line=lines[0],
            new_line=lines[1],
        )

    def compensation(self) -> Iterator[Change]:
        o, n = self.old, self.new
        oc, nc = o.get("cap"), n.get("cap")
        lines = (_line(oc), _line(nc))
        subject = msg("subject", "cap")
        if oc is None or nc is None:
            # No cap means no limit, which is better for the customer than any cap.
            yield from self.presence(
                "cap",
                subject,
                oc and oc["amount"],
                nc and nc["amount"],
                amount,
                ("reduction", "cap_added"),
                ("improvement", "cap_removed"),
                lines,
            )
        else:
            if oc["per"] != nc["per"]:
                yield from self.ambiguous("cap/per", subject, oc["per"], nc["per"], str, "cap_period", lines)
            yield from self.amounts("cap", subject, oc["amount"], nc["amount"], "cap_higher", "cap_lower", lines)
        op, np_ = o.get("payout") or {}, n.get("payout") or {}
        pl = (_line(op or None), _line(np_ or None))
        of, nf = op.get("form"), np_.get("form")
        if of != nf and (of == "refund" or nf == "refund"):
            better = nf == "refund"
            yield self.change(
                "payout:form",
                "improvement" if better else "reduction",
                msg("subject", "payout"),
                msg("change", "changed", old=of or word("none"), new=nf or word("none")),
                msg("reason", "payout_better" if better else "payout_worse"),
                old=of,
                new=nf,
                old_line=pl[0],
                new_line=pl[1],
            )
        else:
            yield from self.ambiguous("payout:form", msg("subject", "payout"), of, nf, str, "payout_changed", pl)
        yield from self.ambiguous(
            "payout:when", msg("subject", "payout"), op.get("when"), np_.get("when"), str, "payout_changed", pl
        )
        ocl, ncl = o.get("claim") or {}, n.get("claim") or {}
        cl = (_line(ocl or None), _line(ncl or None))
        yield from self.ordered(
            "claim:required",
            msg("subject", "claim_required"),
            bool(ocl.get("required")),
            bool(ncl.get("required")),
            lambda v: word("yes" if v else "no"),
            "claim_required_removed",
            "claim_required_added",
            higher_is_better=False,
            lines=cl,
        )
        ow, nw = ocl.get("within_seconds"), ncl.get("within_seconds")
        if ow is None or nw is None:
            yield from self.presence(
                "claim:within",
                msg("subject", "claim_within"),
                ow,
                nw,
                duration,
                ("reduction", "claim_deadline_added"),
                ("improvement", "claim_deadline_removed"),
                cl,
            )
        else:
            yield from self.ordered(
                "claim:within",
                msg("subject", "claim_within"),
                ow,
                nw,
                duration,
                "claim_longer",
                "claim_shorter",
                higher_is_better=True,
                lines=cl,
            )
        yield from self.neutral(
            "claim:via", msg("subject", "claim_via"), ocl.get("via"), ncl.get("via"), _show_via, "contact", cl
        )

    def others(self) -> Iterator[Change]:
        # A link is known by its address and name together: two links may share an address.
        for key, old, new in self._links():
            texts = (new or old or {}).get("name")
            url = (new or old or {}).get("url", "")
            name = user_text(texts, url)
            subject = msg("subject", "third_party", name=name)
            lines = (_line(old), _line(new))
            if old is None or new is None:
                yield from self.presence(
                    f"third_party:{key}",
                    subject,
                    old and url,
                    new and url,
                    None,
                    ("neutral", "informational"),
                    ("neutral", "informational"),
                    lines,
                )
            else:
                yield from self.texts(f"third_party:{key}", subject, old["name"], new["name"], lines, legal=False)
        for title, old, new in self.keyed("examples", "title"):
            strip = (lambda e: {k: v for k, v in e.items() if k != "line"}) if old and new else None
            if strip is not None and old is not None and new is not None and strip(old) == strip(new):
                continue
            yield self.change(
                f"example:{title}",
                "neutral",
                msg("subject", "example", name=user_text(None, title)),
                msg(
                    "change",
                    "added_plain" if old is None else "removed_plain" if new is None else "changed",
                    old="…",
                    new="…",
                ),
                msg("reason", "informational"),
                old_line=_line(old),
                new_line=_line(new),
            )


# ---- values ----------------------------------------------------------------------------------------


def allowed_downtime(uptime: Decimal) -> Decimal:
    """Seconds of downtime a 30-day month allows at `uptime` percent, exactly (99.9 → 2592)."""
    return MONTH_SECONDS * (Decimal(100) - uptime) / Decimal(100)


def _threshold_in(unit: str) -> Callable[[Any], Any]:
    return lambda number: _show_threshold((unit, number))


def _amount_like(shape: dict[str, Any]) -> Callable[[Any], Msg]:
    return lambda number: amount(_with_value(shape, number))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _week(cal: dict[str, Any]) -> frozenset[int]:
    """The calendar's open minutes of a week (0 = Monday 00:00)."""
    minutes: set[int] = set()
    for h in cal.get("hours", []):
        base = DAYS.index(h["day"]) * 1440
        minutes.update(range(base + h["start"], base + h["end"]))
    return frozenset(minutes)


def _hours_json(cal: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in h.items() if k != "line"} for h in cal.get("hours", [])]


def _hours_text(minutes: frozenset[int]) -> Msg:
    """Minutes of a week as "Mon–Fri 09:00–10:00, Sat 10:00–14:00" (consecutive days with one range merge)."""
    runs: list[tuple[int, int]] = []
    for m in sorted(minutes):
        if runs and runs[-1][1] == m and m % 1440 != 0:
            runs[-1] = (runs[-1][0], m + 1)
        else:
            runs.append((m, m + 1))
    # (first day, last day, start, end): a range repeated on the following day extends the group.
    groups: list[tuple[int, int, int, int]] = []
    for start, end in runs:
        day, s0, e0 = start // 1440, start % 1440, end - (start // 1440) * 1440
        if groups and groups[-1][1] == day - 1 and groups[-1][2:] == (s0, e0):
            groups[-1] = (groups[-1][0], day, s0, e0)
        else:
            groups.append((day, day, s0, e0))
    return joined(_hours_group(*g) for g in groups)


def _hours_group(first: int, last: int, start: int, end: int) -> Msg:
    def show(s: Strings) -> str:
        days = s.table["day"][DAYS[first]]
        if last != first:
            days += ("–" if last > first + 1 else s.text("unit", "and")) + s.table["day"][DAYS[last]]
        return s.text("change", "hours_on", day=days, start=_clock(start), end=_clock(end))

    return show


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _common_years(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str] | None:
    """The years both policies materialised holidays for, as ISO date bounds."""
    a = (old.get("materialised") or {}).get("years")
    b = (new.get("materialised") or {}).get("years")
    if not a or not b:
        return None
    first, last = max(a[0], b[0]), min(a[1], b[1])
    if first > last:
        return None
    return f"{first:04d}-01-01", f"{last:04d}-12-31"


def _dates(dates: list[str] | None, span: tuple[str, str] | None, cal: dict[str, Any], on_open_days: bool) -> set[str]:
    """The dates within `span` that fall on a weekday the calendar opens (or, for make-up days, does not)."""
    from datetime import date

    open_days = {DAYS.index(h["day"]) for h in cal.get("hours", [])}
    return {
        d
        for d in dates or ()
        if (span is None or span[0] <= d <= span[1]) and (date.fromisoformat(d).weekday() in open_days) == on_open_days
    }


def _threshold(target: dict[str, Any]) -> tuple[str, Decimal]:
    th = target["threshold"]
    if "seconds" in th:
        return "seconds", Decimal(str(th["seconds"]))
    return "percent", Decimal(th["percent"])


def _show_threshold(value: tuple[str, Decimal]) -> Any:
    unit, number = value
    return duration(number) if unit == "seconds" else percent(number)


def _show_response(r: dict[str, Any]) -> Msg:
    within = duration(r["within_seconds"])
    return lambda s: f"{within(s)} ({r['calendar']})"


def _show_live(live: dict[str, Any]) -> Msg:
    limit = word("unlimited") if live.get("max_session_seconds") is None else duration(live["max_session_seconds"])
    return lambda s: f"{render(limit, s)} ({live['calendar']})"


def _show_via(via: dict[str, str] | None) -> str:
    if not via:
        return ""
    return via.get("channel") or via.get("address") or ""


def _amount_value(value: dict[str, Any]) -> tuple[tuple[str, str], Decimal]:
    """(shape, number): amounts compare only within one shape (a share of one basis, or one currency)."""
    if "share" in value:
        return ("share", value["basis"]), Decimal(value["share"])
    return ("money", value["currency"]), Decimal(value["money"])


def _with_value(shape: dict[str, Any], number: Decimal) -> dict[str, Any]:
    if "share" in shape:
        return {**shape, "share": _plain(number)}
    return {**shape, "money": _plain(number)}


Band = tuple[Decimal, tuple[tuple[str, str], Decimal], dict[str, Any]]


def _resolve_bands(bands: list[dict[str, Any]], tier: dict[str, Any] | None) -> list[Band]:
    """(threshold, comparable amount, amount) per band, `target` replaced by the tier's uptime."""
    out: list[Band] = []
    for b in bands:
        if b["threshold"] == "target":
            if tier is None or tier.get("uptime") is None:
                continue  # the checks reject this; nothing to compare
            threshold = Decimal(tier["uptime"])
        else:
            threshold = Decimal(b["threshold"])
        out.append((threshold, _amount_value(b["amount"]), b["amount"]))
    return sorted(out, key=lambda b: -b[0])


def _credit_at(bands: list[Band], uptime: Decimal) -> tuple[Decimal | None, dict[str, Any] | None]:
    """The band credit at `uptime`: the band of the worst (lowest) threshold crossed, as the evaluator pays it."""
    crossed = [b for b in bands if uptime < b[0]]
    if not crossed:
        return None, None
    worst = min(crossed, key=lambda b: b[0])
    return worst[1][1], worst[2]


def _show_bands(bands: list[Band]) -> Msg:
    return joined(msg("change", "band", threshold=percent(t), amount=amount(a)) for t, _v, a in bands)


def _no_lines(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "line"} for item in items]
