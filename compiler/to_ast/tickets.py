"""The statements of ticket clocks (language v2, issue 12): a mixin of `_AstBuilder`.

`resolve` / `update` targets, `N business_day(s)`, the `ticket clock` block, credits per missed
resolution or update, and the expectations `expect missed resolutions|updates N`. The example
ticket's `updated` / `paused` / `resolved` options are folded into `Ticket` by `ticket_options`.
"""

from __future__ import annotations

from typing import Any

from lark import Token, v_args
from lark.tree import Meta

from .. import nodes as n
from .values import Values


class TicketStatements(Values):
    def BUSINESS_DAYS(self, tok: Token) -> n.BusinessDays:
        digits = str(tok).split()[0]
        line, column = tok.line or 1, tok.column or 1
        count = self.INT(Token("INT", digits, tok.start_pos, line, column, line, column + len(digits)))
        unit = "business_day" if count.value == 1 else "business_days"
        return n.BusinessDays(self.tspan(tok), count, f"{count.value} {unit}")

    def business_days(self, c: list[Any]) -> n.BusinessDays:
        return c[0]

    @v_args(meta=True)
    def resolve(self, meta: Meta, c: list[Any]) -> n.Resolve:
        return n.Resolve(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def update(self, meta: Meta, c: list[Any]) -> n.Update:
        return n.Update(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def ticket_clock(self, meta: Meta, c: list[Any]) -> n.TicketClock:
        return n.TicketClock(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def pause_when(self, meta: Meta, c: list[Any]) -> n.PauseWhen:
        return n.PauseWhen(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def warn_at(self, meta: Meta, c: list[Any]) -> n.WarnAt:
        return n.WarnAt(self.mspan(meta), c[0])

    @v_args(meta=True)
    def per_missed_resolution(self, meta: Meta, c: list[Any]) -> n.PerMiss:
        return n.PerMiss(self.mspan(meta), c[0], "resolution")

    @v_args(meta=True)
    def per_missed_update(self, meta: Meta, c: list[Any]) -> n.PerMiss:
        return n.PerMiss(self.mspan(meta), c[0], "update")

    # ---- example tickets ------------------------------------------------------------------------
    def updated(self, c: list[Any]) -> tuple[str, Any]:
        return ("updated", c[0])

    @v_args(meta=True)
    def paused(self, meta: Meta, c: list[Any]) -> tuple[str, Any]:
        return ("paused", n.Pause(self.mspan(meta), c[0], c[1]))

    def resolved(self, c: list[Any]) -> tuple[str, Any]:
        return ("resolved", c[0])

    @staticmethod
    def ticket_options(c: list[tuple[str, Any]]) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
        """(the options said at most once, the repeatable ones: `updates` and `pauses` in source order)."""
        once = [(k, v) for k, v in c if k not in ("updated", "paused")]
        many = {
            "updates": tuple(v for k, v in c if k == "updated"),
            "pauses": tuple(v for k, v in c if k == "paused"),
        }
        return once, many

    @v_args(meta=True)
    def expect_missed_resolutions(self, meta: Meta, c: list[Any]) -> n.ExpectMissedResolutions:
        return n.ExpectMissedResolutions(self.mspan(meta), c[0])

    @v_args(meta=True)
    def expect_missed_updates(self, meta: Meta, c: list[Any]) -> n.ExpectMissedUpdates:
        return n.ExpectMissedUpdates(self.mspan(meta), c[0])
