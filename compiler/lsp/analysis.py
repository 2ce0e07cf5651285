"""What the language server knows about one contract text, without any protocol: names, uses, completions.

Everything comes from the one driver (`slac.driver.compile_source`): its diagnostics, its AST (declared
names and where they are used) and its policy (the values a hover shows). The server (`server.py`)
only translates between these answers and LSP messages. Lines and columns here are 1-based, as in
`slac.errors.Span`; the server converts them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .. import nodes as n
from ..errors import Diagnostic, Span

if TYPE_CHECKING:  # pragma: no cover
    from ..driver import Compiled
    from .incremental import Pieces

# The kind of name each named block declares.
DECLARES: dict[type[n.Node], str] = {
    n.Tier: "tier",
    n.Priority: "priority",
    n.Calendar: "calendar",
    n.Channel: "channel",
    n.Credit: "credit",
    n.Objective: "objective",
    n.Define: "term",
    n.Clause: "clause",
    n.Exclude: "exclusion",
    n.Service: "service",
    n.Condition: "condition",
}

# (statement class, field) → the kind of name the field refers to.
REFERS: dict[tuple[type[n.Node], str], str] = {
    (n.Respond, "priority"): "priority",
    (n.Respond, "during"): "calendar",
    (n.Live, "during"): "calendar",
    (n.Downgrade, "target"): "priority",
    (n.Support, "channels"): "channel",
    (n.Applies, "tiers"): "tier",
    (n.Excludes, "names"): "exclusion",
    (n.ExampleTier, "tier"): "tier",
    (n.Ticket, "priority"): "priority",
    (n.Ticket, "cause"): "exclusion",
    (n.Outage, "cause"): "exclusion",
    (n.Claim, "via"): "channel",
    # issue 12: ticket targets name a priority and a calendar too (rename and references follow them)
    (n.Resolve, "priority"): "priority",
    (n.Resolve, "during"): "calendar",
    (n.Update, "priority"): "priority",
    (n.Update, "during"): "calendar",
    # language v2: services, conditions and the regions the examples name
    (n.ServiceUptime, "service"): "service",
    (n.Requires, "condition"): "condition",
    (n.Outage, "service"): "service",
    (n.Outage, "region"): "region",
    (n.Charges, "service"): "service",
    (n.Charges, "region"): "region",
    (n.Requests, "service"): "service",
    (n.Requests, "region"): "region",
    (n.ConditionUnmet, "condition"): "condition",
    (n.ExpectScopeUptime, "service"): "service",
    (n.ExpectScopeUptime, "region"): "region",
}

# The same, by statement class: its (field, kind) pairs.
_REFERS_OF: dict[type[n.Node], list[tuple[str, str]]] = {}
for (_cls, _field), _kind in REFERS.items():
    _REFERS_OF.setdefault(_cls, []).append((_field, _kind))

# Kinds of name that no statement declares: a region is named where it is used (`charges compute us_east …`).
UNDECLARED = frozenset({"region"})

# The word before the cursor → the kind of name that may follow it (for completion).
AFTER_WORD = {
    "respond": "priority",
    "ticket": "priority",
    "downgrade": "priority",
    "during": "calendar",
    "support": "channel",
    "via": "channel",
    "applies": "tier",
    "tier": "tier",
    "excludes": "exclusion",
    "cause": "exclusion",
    "resolve": "priority",  # issue 12
    "update": "priority",
    "requires": "condition",
    "condition": "condition",
    "for": "service",
    "charges": "service",
    "requests": "service",
    "service": "service",
    "region": "region",
}
# Where a word's names apply only in some blocks (elsewhere the word means something else).
ONLY_IN = {
    "tier": {"example"},  # `tier standard` of an example; elsewhere `tier` opens a block
    "requires": {"credit"},  # `requires good_standing`; a priority's `requires outage` takes no name
    "condition": {"example"},  # `condition good_standing unmet`
    "for": {"tier", "example"},  # `uptime 99.9% for compute`, `expect uptime 99.9% for compute`
    "service": {"example"},  # `outage … service compute`
}
# The words after which a service's name is followed by a region's (`charges compute us_east 800 USD`).
SERVICE_THEN_REGION = frozenset({"charges", "requests", "for"})

NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Name:
    """A declared name or a use of one."""

    kind: str
    value: str
    span: Span  # the name itself
    block: Span | None = None  # the declaring block (declarations only)
    statement: n.Node | None = None


@dataclass
class Analysis:
    """One version of one document: the driver's result and the index of its names."""

    compiled: Compiled
    declarations: list[Name] = field(default_factory=list)
    uses: list[Name] = field(default_factory=list)

    @classmethod
    def of(cls, source: str, file: str, *, examples: bool = True, pieces: Pieces | None = None) -> Analysis:
        """The analysis of `source`; with `pieces` (the document's earlier versions), only what changed is parsed."""
        from ..driver import compile_source

        # The policy is only looked at, never written: its schema validation is left to `slac compile`.
        convert = pieces.convert if pieces is not None else None
        analysis = cls(compile_source(source, file=file, examples=examples, validate_schema=False, convert=convert))
        if analysis.compiled.doc is not None:
            analysis._index(analysis.compiled.doc.sla)
        return analysis

    @property
    def source(self) -> str:
        return self.compiled.source

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.compiled.diagnostics

    def _index(self, block: n.Block) -> None:
        for statement in block.body:
            kind = DECLARES.get(type(statement))
            name = getattr(statement, "name", None)
            if kind and isinstance(name, n.Ident):
                self.declarations.append(Name(kind, name.value, name.span, statement.span, statement))
            for field_name, refers in _REFERS_OF.get(type(statement), ()):
                for ident in _idents(getattr(statement, field_name)):
                    self.uses.append(Name(refers, ident.value, ident.span, None, statement))
            if isinstance(statement, n.Repeat):
                self._index(n.Block(statement.span, (statement.event,)))
            elif isinstance(statement, n.Block):
                self._index(statement)

    # ---- questions -------------------------------------------------------------------------------

    def name_at(self, line: int, column: int) -> Name | None:
        """The declaration or use under the cursor."""
        for name in self.declarations + self.uses:
            if _contains(name.span, line, column):
                return name
        return None

    def declaration(self, kind: str, value: str) -> Name | None:
        return next((d for d in self.declarations if d.kind == kind and d.value == value), None)

    def occurrences(self, kind: str, value: str) -> list[Name]:
        """The declaration first, then every use, in source order."""
        found = [d for d in self.declarations if d.kind == kind and d.value == value]
        return found + sorted((u for u in self.uses if u.kind == kind and u.value == value), key=_order)

    def statement_at(self, line: int, column: int) -> n.Node | None:
        """The innermost statement (not a block) whose span holds the cursor."""
        if self.compiled.doc is None:
            return None
        return _innermost(self.compiled.doc.sla, line, column)

    def names_of(self, kind: str) -> list[str]:
        """The declared names of a kind; for a kind no statement declares (regions), the names used."""
        found = self.uses if kind in UNDECLARED else self.declarations
        return sorted({d.value for d in found if d.kind == kind})

    def uses_of(self, kind: str, value: str) -> int:
        return sum(1 for u in self.uses if u.kind == kind and u.value == value)


def _idents(value: Any) -> Iterator[n.Ident]:
    if isinstance(value, n.Ident):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _idents(item)


def _contains(span: Span, line: int, column: int) -> bool:
    if not (span.line <= line <= span.end_line):
        return False
    if line == span.line and column < span.column:
        return False
    return not (line == span.end_line and column > span.end_column)


def _order(name: Name) -> tuple[int, int]:
    return name.span.line, name.span.column


def _innermost(block: n.Block, line: int, column: int) -> n.Node | None:
    for statement in block.body:
        if not _contains(statement.span, line, column):
            continue
        if isinstance(statement, n.Block) and not isinstance(statement, n.Example | n.ThirdParty):
            inner = _innermost(statement, line, column)
            return inner if inner is not None else statement
        if isinstance(statement, n.Block):
            return _innermost(statement, line, column) or statement
        return statement
    return None


# ---- completion --------------------------------------------------------------------------------------

# A line that opens a block: its first word (`tier`, `service`, `example` …), then `{` at its end.
_BLOCK_OPEN = re.compile(r"^\s*([a-z_]+)\b[^{}\n]*\{\s*$")


def enclosing_block(source: str, line: int) -> str:
    """The keyword of the innermost block open at `line` (1-based), by counting braces line by line."""
    return _enclosing(source, line)[0]


def _enclosing(source: str, line: int) -> tuple[str, str]:
    """The innermost block open at `line`: its keyword ("file" outside any) and the line that opened it."""
    stack: list[tuple[str, str]] = []
    for text in source.splitlines()[: line - 1]:
        code = re.sub(r'"(?:[^"\\\n]|\\.)*"|#.*', "", text)
        m = _BLOCK_OPEN.match(code)
        if m:
            stack.append((m.group(1), text))
        elif "{" in code and "}" not in code:
            stack.append(("text", text))
        elif "}" in code and "{" not in code and stack:
            stack.pop()
    return stack[-1] if stack else ("file", "")


@lru_cache(maxsize=1)
def block_keywords() -> dict[str, frozenset[str]]:
    """The keywords a line may start with in the blocks of `syntax.statement_keywords` (from the parser)."""
    from ..syntax import statement_keywords

    return dict(statement_keywords())


@lru_cache(maxsize=256)
def keywords_in(opening: str) -> frozenset[str]:
    """The keywords a line may start with in a block of the contract opened by the line `opening`
    (`service compute {`, `publish {`, … any block a later grammar adds), from the parser."""
    from ..syntax import keywords_after

    return keywords_after(f"sla x {{\n{opening}\n")


def completions(analysis: Analysis, line: int, column: int, source: str | None = None) -> list[tuple[str, str]]:
    """(label, kind) pairs at the cursor: `keyword` entries or the kind of a declared name.

    `source` is the text as it is now, when the names come from an older analysis (the last that parsed).
    """
    from ..syntax import keywords

    source = analysis.source if source is None else source
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    before = text[: column - 1]
    words = NAME.findall(before)
    at_start = re.fullmatch(r"\s*[a-z_]*", before) is not None
    if at_start:
        block, opening = _enclosing(source, line)
        if block == "file":
            allowed = frozenset({"sla"})
        else:
            allowed = block_keywords().get(block) or keywords_in(opening)
        return [(k, "keyword") for k in sorted(allowed)]
    done = words if not re.search(r"[a-z0-9_]$", before) else words[:-1]  # the words before the one being typed
    kind = _kind_after(analysis, done, lambda: enclosing_block(source, line))
    if kind:
        names = analysis.names_of(kind)
        if kind == "calendar" and "always" not in names:
            names.append("always")
        return [(v, kind) for v in names]
    found = [(d.value, d.kind) for d in analysis.declarations]
    return sorted(set(found)) + [(k, "keyword") for k in sorted(keywords())]


def _kind_after(analysis: Analysis, done: list[str], block: Callable[[], str]) -> str | None:
    """The kind of name that may follow the words `done` of a line (None: any word)."""
    previous = done[-1] if done else ""
    if len(done) >= 2 and done[-2] in SERVICE_THEN_REGION and previous in analysis.names_of("service"):
        return "region" if block() == "example" else None  # `charges compute |`
    kind = AFTER_WORD.get(previous)
    if previous == "for" and done[-2:-1] != ["uptime"]:  # `outage T for 1h`, `… below 99% for 3 consecutive`
        return None
    if kind and previous in ONLY_IN and block() not in ONLY_IN[previous]:
        return None
    return kind
