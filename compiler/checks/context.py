"""What every check gets: the document plus indexes of its declarations."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from .. import limits
from .. import nodes as n
from ..errors import Span

T = TypeVar("T")

# The declaration kinds that other statements refer to by name, as the contract spells them.
KINDS: dict[type[n.Node], str] = {
    n.Tier: "tier",
    n.Priority: "priority",
    n.Calendar: "calendar",
    n.Exclude: "exclusion",
    n.Channel: "channel",
    n.Define: "define",
    n.Clause: "clause",
    n.Credit: "credit",
    n.Objective: "objective",
}


@dataclass(frozen=True)
class Context:
    doc: n.Document
    sla: n.Sla
    languages: tuple[str, ...]
    # name → first declaration, per kind, in source order (later duplicates are the names check's business).
    declared: dict[type[n.Node], dict[str, n.Node]] = field(default_factory=dict)
    currency: str | None = None
    timezone: str | None = None
    line_starts: tuple[int, ...] = ()

    @classmethod
    def of(cls, doc: n.Document) -> Context:
        reset_suggestions()
        sla = doc.sla
        langs = sla.first(n.Languages)
        declared: dict[type[n.Node], dict[str, n.Node]] = {kind: {} for kind in KINDS}
        for stmt in sla.body:
            kind = type(stmt)
            if kind in declared and isinstance(stmt, (n.NamedBlock, n.TextBlock)):
                declared[kind].setdefault(stmt.name.value, stmt)
        currency = sla.first(n.Currency)
        zone = sla.first(n.Timezone)
        starts = [0] + [m.end() for m in re.finditer("\n", doc.source)]
        return cls(
            doc,
            sla,
            tuple(i.value for i in langs.langs) if langs else (),
            declared,
            currency.code.value if currency else None,
            zone.name.value if zone else None,
            tuple(starts),
        )

    # ---- declarations ----------------------------------------------------------------------
    def names(self, kind: type[n.Node]) -> tuple[str, ...]:
        return tuple(self.declared.get(kind, {}))

    @property
    def tiers(self) -> dict[str, n.Tier]:
        return self.declared[n.Tier]  # type: ignore[return-value]

    @property
    def priorities(self) -> dict[str, n.Priority]:
        return self.declared[n.Priority]  # type: ignore[return-value]

    @property
    def calendars(self) -> dict[str, n.Calendar]:
        return self.declared[n.Calendar]  # type: ignore[return-value]

    @property
    def credits(self) -> dict[str, n.Credit]:
        return self.declared[n.Credit]  # type: ignore[return-value]

    def blocks(self, kind: type[n.N]) -> tuple[n.N, ...]:
        """Every top-level statement of a kind, duplicates included, in source order."""
        return self.sla.all(kind)

    def credit_tiers(self, credit: n.Credit) -> list[tuple[n.Tier, n.Ident | None]]:
        """The (known) tiers a credit applies to, each with the `applies` name that selects it.

        A credit without `applies` applies to every tier.
        """
        applies = credit.all(n.Applies)
        if not applies:
            return [(t, None) for t in self.tiers.values()]
        out: list[tuple[n.Tier, n.Ident | None]] = []
        seen: set[str] = set()
        for stmt in applies:
            for ident in stmt.tiers:
                tier = self.tiers.get(ident.value)
                if tier is not None and ident.value not in seen:
                    seen.add(ident.value)
                    out.append((tier, ident))
        return out

    # ---- positions -------------------------------------------------------------------------
    def offset(self, line: int, column: int) -> int:
        if not 1 <= line <= len(self.line_starts):
            return len(self.doc.source)
        return self.line_starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:  # the last line start at or before `offset`
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1

    def find(self, span: Span, words: str) -> Span:
        """The sub-span of `span` where `words` (e.g. `response means`) first occur, else `span`.

        The AST keeps spans of statements and values, not of keywords; a caret under
        `uptime` reads better than one under the whole line.
        """
        start = self.offset(span.line, span.column)
        stop = self.offset(span.end_line, span.end_column)
        pattern = r"(?<![A-Za-z0-9_])" + r"\s+".join(re.escape(w) for w in words.split()) + r"(?![A-Za-z0-9_])"
        m = re.compile(pattern).search(self.doc.source, start, stop)
        if m is None:
            return span
        line, column = self.position(m.start())
        end_line, end_column = self.position(m.end())
        return Span(span.file, line, column, end_line, end_column)


def earlier(items: Iterable[T], key: Callable[[T], Hashable]) -> Iterator[tuple[T, T | None]]:
    """Each item with the first earlier item of the same key (None for a first occurrence)."""
    first: dict[Hashable, T] = {}
    for item in items:
        prev = first.setdefault(key(item), item)
        yield item, (None if prev is item else prev)


def join(a: Span, b: Span) -> Span:
    """From the start of `a` to the end of `b`."""
    return Span(a.file, a.line, a.column, b.end_line, b.end_column)


def listing(names: Iterable[str]) -> str:
    """`a`, `b` and `c`."""
    quoted = [f"`{x}`" for x in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


# The work "did you mean" may do for one contract, in character pairs compared (difflib's ratio
# costs about the product of the two lengths). Unknown names × declared names through difflib
# took 63 s for an 84 KB contract; with the budget a contract at every limit checks in well
# under 2 s, and once it is spent the remaining hints list the choices without a guess. The
# budget is counted, not timed, so the same contract always gets the same hints.
_BUDGET: ContextVar[list[int]] = ContextVar("slac_suggestion_budget")


def reset_suggestions() -> None:
    """A fresh budget for the contract about to be checked (`Context.of` calls it)."""
    _BUDGET.set([limits.SUGGESTION_BUDGET])


def _spend(cost: int) -> bool:
    budget = _BUDGET.get(None)
    if budget is None:
        reset_suggestions()
        budget = _BUDGET.get()
    if budget[0] < cost:
        budget[0] = 0
        return False
    budget[0] -= cost
    return True


def did_you_mean(word: str, choices: Sequence[str], *, cutoff: float = 0.6) -> str | None:
    """The closest choice (case-insensitive match first), or None; bounded by the contract's budget."""
    names = tuple(choices)
    same = _by_lower(names).get(word.lower())
    if same is not None:
        return same
    budget = _BUDGET.get(None)
    if budget is not None and budget[0] <= 0:
        return None
    best: tuple[float, str] | None = None
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    for c in names:
        # ratio = 2·M / (|a| + |b|) with M ≤ the shorter length: a cheap bound rules most out
        if 2 * min(len(c), len(word)) < cutoff * (len(c) + len(word)):
            continue
        if not _spend(2 * (len(c) + len(word))):
            break
        matcher.set_seq1(c)
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        if not _spend(len(c) * len(word)):
            break
        score = matcher.ratio()
        if score >= cutoff and (best is None or (score, c) > best):  # ties as difflib.get_close_matches
            best = (score, c)
    return best[1] if best else None


@functools.lru_cache(maxsize=64)
def _by_lower(choices: tuple[str, ...]) -> dict[str, str]:
    """Each name by its lower case (the first of names that differ only in case)."""
    out: dict[str, str] = {}
    for c in choices:
        out.setdefault(c.lower(), c)
    return out


# Names listed in a hint; a contract with a thousand channels gets ten and a count.
_LISTED = 10


def suggest(word: str, choices: Sequence[str], what: str) -> str:
    """A hint: "did you mean `x`?", else what there is to choose from."""
    close = did_you_mean(word, choices)
    if close is not None:
        return f"did you mean `{close}`?"
    if not choices:
        return f"no {what} is declared"
    if len(choices) == 1:
        return f"the only {what} is `{choices[0]}`"
    if len(choices) > _LISTED:
        shown = ", ".join(f"`{c}`" for c in choices[:_LISTED])
        return f"the {plural(what)} include {shown} and {len(choices) - _LISTED:,} more"
    return f"the {plural(what)} are {listing(choices)}"


def plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
