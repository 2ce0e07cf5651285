"""Lark parse tree → typed AST (`compiler/nodes.py`); the parse tree goes no further.

    values.py      positions, value diagnostics (E020x, E021x), terminals → values
    statements.py  one node per statement
    __init__.py    texts, blocks and examples; `to_ast`

Values are checked here as they are converted (a 30 February, a 25:00 clock, a
timestamp without offset, an unknown weekday), and each problem becomes a
positioned diagnostic; conversion goes on so that one run reports them all.
The limits of a contract's size (E022x) are a check: `checks/sizes.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic
from .statements import Statements
from .tickets import TicketStatements
from .v2 import V2Statements
from .values import _join

__all__ = ["to_ast"]


class _AstBuilder(Statements, V2Statements, TicketStatements, Transformer[Token, Any]):
    def __init__(self, file: str):
        super().__init__(visit_tokens=True)
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    # ---- texts ----------------------------------------------------------------------------
    @v_args(meta=True)
    def text(self, meta: Meta, c: list[Any]) -> n.Text:
        return n.Text(self.mspan(meta), c[0], c[1].value)

    @v_args(meta=True)
    def texts(self, meta: Meta, c: list[n.Text]) -> n.Texts:
        return n.Texts(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def text_line(self, meta: Meta, c: list[n.Text]) -> _TextLine:
        return _TextLine(self.mspan(meta), n.Texts(self.mspan(meta), tuple(c)))

    def _fold(self, body: list[Any], owner: str) -> tuple[n.Node, ...]:
        """Attach each continuation line of texts to the statement above it."""
        out: list[n.Node] = []
        for stmt in body:
            if isinstance(stmt, _TextLine):
                prev = out[-1] if out else None
                if isinstance(prev, (n.Title, n.DisplayName, n.Features, n.Description)):
                    merged = n.Texts(_join(prev.texts.span, stmt.span), prev.texts.items + stmt.texts.items)
                    out[-1] = replace(prev, texts=merged, span=_join(prev.span, stmt.span))
                else:
                    self.bad(
                        "E0206",
                        f"a text in `{stmt.texts.items[0].lang.value}` here belongs to no statement",
                        stmt.span,
                        f"put it right under `title`, `name` or `features`, or start the line with a {owner} statement",
                    )
                continue
            out.append(stmt)
        return tuple(out)

    def _text_block(self, cls: Callable[..., n.TextBlock], meta: Meta, c: list[Any]) -> n.TextBlock:
        name, lines = c[0], c[1:]
        items = tuple(t for line in lines for t in line.texts.items)
        span = _join(lines[0].span, lines[-1].span) if lines else name.span
        if not lines:
            self.bad(
                "E0207", f"`{name.value}` has no text", self.mspan(meta), 'give one text per language, e.g. `en "…"`'
            )
        return cls(self.mspan(meta), name, n.Texts(span, items))

    @v_args(meta=True)
    def define(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Define, meta, c)

    @v_args(meta=True)
    def clause(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Clause, meta, c)

    @v_args(meta=True)
    def exclude(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Exclude, meta, c)

    @v_args(meta=True)
    def maintenance_exclude(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        block = self._text_block(n.Exclude, meta, [c[0], *c[2:]])
        assert isinstance(block, n.Exclude)
        return replace(block, maintenance=c[1])

    @v_args(meta=True)
    def titled_clause(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        block = self._text_block(n.Clause, meta, [c[0], *c[2:]])
        assert isinstance(block, n.Clause)
        return replace(block, title=c[1])

    @v_args(meta=True)
    def condition(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Condition, meta, c)

    @v_args(meta=True)
    def description(self, meta: Meta, c: list[Any]) -> n.Description:
        return n.Description(self.mspan(meta), c[0])

    # ---- blocks ----------------------------------------------------------------------------
    def _named(self, cls: Callable[..., n.NamedBlock], what: str) -> Callable[[Meta, list[Any]], n.NamedBlock]:
        def build(meta: Meta, c: list[Any]) -> n.NamedBlock:
            return cls(self.mspan(meta), self._fold(c[1:], what), c[0])

        return build

    @v_args(meta=True)
    def sla(self, meta: Meta, c: list[Any]) -> n.Sla:
        return n.Sla(self.mspan(meta), self._fold(c[1:], "contract"), c[0])

    @v_args(meta=True)
    def calendar(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Calendar, "calendar")(meta, c)

    @v_args(meta=True)
    def objective(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Objective, "objective")(meta, c)

    @v_args(meta=True)
    def channel(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Channel, "channel")(meta, c)

    @v_args(meta=True)
    def priority(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Priority, "priority")(meta, c)

    @v_args(meta=True)
    def tier(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Tier, "tier")(meta, c)

    @v_args(meta=True)
    def credit(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Credit, "credit")(meta, c)

    @v_args(meta=True)
    def availability(self, meta: Meta, c: list[Any]) -> n.Availability:
        return n.Availability(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def third_party(self, meta: Meta, c: list[Any]) -> n.ThirdParty:
        return n.ThirdParty(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def example(self, meta: Meta, c: list[Any]) -> n.Example:
        return n.Example(self.mspan(meta), tuple(c[1:]), c[0])

    # ---- examples -------------------------------------------------------------------------------
    @v_args(meta=True)
    def example_tier(self, meta: Meta, c: list[Any]) -> n.ExampleTier:
        return n.ExampleTier(self.mspan(meta), c[0])

    @v_args(meta=True)
    def fee(self, meta: Meta, c: list[Any]) -> n.Fee:
        return n.Fee(self.mspan(meta), c[0])

    @v_args(meta=True)
    def period(self, meta: Meta, c: list[Any]) -> n.Period:
        return replace(c[0], span=self.mspan(meta))

    def cause(self, c: list[Any]) -> tuple[str, Any]:
        return ("cause", c[0])

    def announced(self, c: list[Any]) -> tuple[str, Any]:
        return ("announced", c[0])

    def responded(self, c: list[Any]) -> tuple[str, Any]:
        return ("responded", c[0])

    def outage_flag(self, c: list[Any]) -> tuple[str, Any]:
        return ("outage", True)

    @v_args(meta=True)
    def outage(self, meta: Meta, c: list[Any]) -> n.Outage:
        opts = self._options(meta, c[2:], "outage")
        return n.Outage(
            self.mspan(meta),
            c[0],
            c[1],
            opts.get("cause"),
            opts.get("announced"),
            opts.get("service"),
            opts.get("region"),
        )

    @v_args(meta=True)
    def ticket(self, meta: Meta, c: list[Any]) -> n.Ticket:
        once, many = self.ticket_options(c[2:])
        opts = self._options(meta, once, "ticket")
        return n.Ticket(
            self.mspan(meta),
            c[0],
            c[1],
            opts.get("responded"),
            bool(opts.get("outage")),
            opts.get("cause"),
            many["updates"],
            many["pauses"],
            opts.get("resolved"),
        )

    @v_args(meta=True)
    def repeat(self, meta: Meta, c: list[Any]) -> n.Repeat:
        count: n.Int = c[0]
        if count.value > limits.MAX_REPEAT:
            self.bad(
                "E0214",
                f"`repeat {count.value}` repeats too often",
                count.span,
                f"an example repeats an event at most {limits.MAX_REPEAT:,} times",
            )
            count = replace(count, value=1)
        return n.Repeat(self.mspan(meta), count, c[1])

    @v_args(meta=True)
    def expect_uptime(self, meta: Meta, c: list[Any]) -> n.ExpectUptime:
        return n.ExpectUptime(self.mspan(meta), c[0])

    @v_args(meta=True)
    def expect_credit(self, meta: Meta, c: list[Any]) -> n.ExpectCredit:
        return n.ExpectCredit(self.mspan(meta), c[0])

    @v_args(meta=True)
    def expect_breaches(self, meta: Meta, c: list[Any]) -> n.ExpectBreaches:
        return n.ExpectBreaches(self.mspan(meta), c[0])

    def start(self, c: list[Any]) -> n.Sla:
        return c[0]


@dataclass(frozen=True, slots=True)
class _TextLine(n.Node):
    """A line of texts that continues the statement above it (folded away in `_fold`)."""

    texts: n.Texts


def to_ast(tree: Tree[Token], *, file: str, source: str) -> tuple[n.Document, list[Diagnostic]]:
    """Convert a parse tree; returns the document and the value errors found on the way."""
    builder = _AstBuilder(file)
    sla = builder.transform(tree)
    return n.Document(sla.span, file, source, sla), builder.diagnostics
