"""The result of `slac diff` and its changelog: one `Change` per changed term, Markdown and JSON.

Every change is a **reduction** (worse for the customer), an **improvement**, a **neutral**
change or a **wording** change, with the reason; ambiguous ones are reductions marked for
review. The Markdown has one section per language, the JSON every language's texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .figures import Figure, Reference
from .keys import Key
from .strings import Msg, Strings, joined, msg, user_text

Kind = Literal["reduction", "improvement", "neutral", "wording"]
KINDS: tuple[Kind, ...] = ("reduction", "improvement", "neutral", "wording")
LANGS = ("en", "zh")  # languages the changelog can be written in


@dataclass(frozen=True)
class Change:
    """One changed term: what, which way, why, and the old and new values."""

    key: Key  # what changed, e.g. Key("tier", "premium", "response", "high")
    kind: Kind
    subject: Msg
    detail: Msg
    reason: Msg
    ambiguous: bool = False
    old: Any = None
    new: Any = None
    old_line: int | None = None
    new_line: int | None = None
    impact: tuple[Figure, ...] = ()  # reference-month figures from the evaluator (`slac.change.impact`)

    @property
    def term(self) -> str:
        """The key as the changelog writes it: `tier:premium/response:high`."""
        return str(self.key)

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
    if f.situation == "below" and f.service is not None:
        service = user_text(f.service_name, f.service)
        uptime = f.new.uptime or f.old.uptime  # a service the new contract no longer measures: as it was
        return msg("impact", "below_service", tier=tier, service=service, uptime=uptime, threshold=f.threshold)
    if f.situation == "below":
        return msg("impact", "below", tier=tier, uptime=f.new.uptime, threshold=f.threshold)
    return msg("impact", "given", tier=tier, customers=f.customers)


def _figure_text(f: Figure, s: Strings) -> str:
    """One figure as a sentence: the situation, the credit old → new and the missed responses."""
    key = "credit_period" if f.by_period else "credit"
    credit = msg("impact", key, old=f"{f.old.credit} {f.old.currency}", new=f"{f.new.credit} {f.new.currency}")
    if not (f.old.missed or f.new.missed):  # a month without tickets: missed responses say nothing
        return s.text("impact", "line_credit", situation=_situation(f), credit=credit)
    missed = msg("impact", "missed", old=f.old.missed, new=f.new.missed)
    return s.text("impact", "line", situation=_situation(f), credit=credit, missed=missed)


def _impact_lines(figures: tuple[Figure, ...], s: Strings) -> list[str]:
    """The figures that differ; when none does, one line saying so (the change did not bite this month)."""
    differ = [_figure_text(f, s) for f in figures if not f.same]
    if differ or not figures:
        return differ
    return [s.text("impact", "same_period" if figures[0].by_period else "same", count=len(figures))]


def _reference_text(ref: Reference, s: Strings) -> str:
    if ref.source != "synthetic":
        return s.text("impact", "events", period=ref.period, source=ref.source) + s.text("impact", "synthetic_together")
    fees = joined(
        msg("impact", "fee", tier=user_text(ref.names.get(tier), tier), fee=f"{fee} {ref.currency}")
        for tier, fee in ref.fees.items()
    )
    key = "synthetic_services" if ref.per_service else "synthetic_period" if ref.by_period else "synthetic"
    if ref.per_service and ref.by_period:
        key = "synthetic_services_period"
    text = s.text("impact", key, period=ref.period, fees=fees)
    if ref.tickets:  # only a contract with priorities has reference tickets to speak of
        text += s.text("impact", "synthetic_tickets", opened=ref.opened)
        if ref.unresolved:  # its resolution and update targets: the tickets stay open (late resolution)
            text += s.text("impact", "synthetic_unresolved")
    if ref.calendar_opened is not None:
        text += s.text("impact", "synthetic_calendar", opened=ref.calendar_opened)
    if ref.conditions:
        text += s.text("impact", "synthetic_conditions")
    return text + s.text("impact", "synthetic_together")


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
