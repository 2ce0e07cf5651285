"""The statements of a contract, each a node of `compiler/nodes.py` (a mixin of `_AstBuilder`)."""

from __future__ import annotations

import difflib
from typing import Any

from lark import v_args
from lark.tree import Meta

from .. import nodes as n
from ..policy.codec import DAYS
from .values import Values


class Statements(Values):
    @v_args(meta=True)
    def title(self, meta: Meta, c: list[Any]) -> n.Title:
        return n.Title(self.mspan(meta), c[0])

    @v_args(meta=True)
    def version(self, meta: Meta, c: list[Any]) -> n.Version:
        return n.Version(self.mspan(meta), c[0])

    @v_args(meta=True)
    def effective(self, meta: Meta, c: list[Any]) -> n.Effective:
        return n.Effective(self.mspan(meta), c[0])

    @v_args(meta=True)
    def languages(self, meta: Meta, c: list[Any]) -> n.Languages:
        return n.Languages(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def timezone(self, meta: Meta, c: list[Any]) -> n.Timezone:
        return n.Timezone(self.mspan(meta), c[0])

    @v_args(meta=True)
    def currency(self, meta: Meta, c: list[Any]) -> n.Currency:
        return n.Currency(self.mspan(meta), c[0])

    @v_args(meta=True)
    def billing(self, meta: Meta, c: list[Any]) -> n.Billing:
        return n.Billing(self.mspan(meta), c[0])

    @v_args(meta=True)
    def hours(self, meta: Meta, c: list[Any]) -> n.Hours:
        return n.Hours(self.mspan(meta), c[0], c[1], c[2])

    def day_set(self, c: list[n.DayRange]) -> tuple[n.DayRange, ...]:
        return tuple(c)

    @v_args(meta=True)
    def day_range(self, meta: Meta, c: list[n.Ident]) -> n.DayRange:
        idx = [self._day(d) for d in c]
        return n.DayRange(self.mspan(meta), idx[0], idx[-1])

    def _day(self, ident: n.Ident) -> int:
        if ident.value in DAYS:
            return DAYS.index(ident.value)
        close = difflib.get_close_matches(ident.value, DAYS, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else "days are written mon, tue, wed, thu, fri, sat, sun"
        self.bad("E0208", f"`{ident.value}` is not a day of the week", ident.span, hint)
        return 0

    @v_args(meta=True)
    def holidays(self, meta: Meta, c: list[Any]) -> n.Holidays:
        return n.Holidays(self.mspan(meta), c[0])

    @v_args(meta=True)
    def window(self, meta: Meta, c: list[Any]) -> n.Window:
        return n.Window(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def monitor(self, meta: Meta, c: list[Any]) -> n.Monitor:
        return n.Monitor(self.mspan(meta), c[0])

    @v_args(meta=True)
    def status_page(self, meta: Meta, c: list[Any]) -> n.StatusPage:
        return n.StatusPage(self.mspan(meta), c[0])

    @v_args(meta=True)
    def minimum_outage(self, meta: Meta, c: list[Any]) -> n.MinimumOutage:
        return n.MinimumOutage(self.mspan(meta), c[0])

    @v_args(meta=True)
    def maintenance_notice(self, meta: Meta, c: list[Any]) -> n.MaintenanceNotice:
        return n.MaintenanceNotice(self.mspan(meta), c[0])

    @v_args(meta=True)
    def excludes(self, meta: Meta, c: list[Any]) -> n.Excludes:
        return n.Excludes(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def aim(self, meta: Meta, c: list[Any]) -> n.Aim:
        return n.Aim(self.mspan(meta), c[0])

    @v_args(meta=True)
    def target(self, meta: Meta, c: list[Any]) -> n.Target:
        return n.Target(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def url(self, meta: Meta, c: list[Any]) -> n.Url:
        return n.Url(self.mspan(meta), c[0])

    @v_args(meta=True)
    def requires_outage(self, meta: Meta, c: list[Any]) -> n.RequiresOutage:
        return n.RequiresOutage(self.mspan(meta))

    @v_args(meta=True)
    def downgrade(self, meta: Meta, c: list[Any]) -> n.Downgrade:
        return n.Downgrade(self.mspan(meta), c[0])

    @v_args(meta=True)
    def response_means(self, meta: Meta, c: list[Any]) -> n.ResponseMeans:
        return n.ResponseMeans(self.mspan(meta), c[0])

    @v_args(meta=True)
    def display_name(self, meta: Meta, c: list[Any]) -> n.DisplayName:
        return n.DisplayName(self.mspan(meta), c[0])

    @v_args(meta=True)
    def features(self, meta: Meta, c: list[Any]) -> n.Features:
        return n.Features(self.mspan(meta), c[0])

    @v_args(meta=True)
    def support(self, meta: Meta, c: list[Any]) -> n.Support:
        return n.Support(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def uptime(self, meta: Meta, c: list[Any]) -> n.Uptime | n.ServiceUptime:
        if len(c) > 1:  # `uptime 99.9% for object_storage`
            return n.ServiceUptime(self.mspan(meta), c[0], c[1])
        return n.Uptime(self.mspan(meta), c[0])

    @v_args(meta=True)
    def respond(self, meta: Meta, c: list[Any]) -> n.Respond:
        return n.Respond(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def live_limited(self, meta: Meta, c: list[Any]) -> n.Live:
        return n.Live(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def live_unlimited(self, meta: Meta, c: list[Any]) -> n.Live:
        return n.Live(self.mspan(meta), None, c[0])

    @v_args(meta=True)
    def applies(self, meta: Meta, c: list[Any]) -> n.Applies:
        return n.Applies(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def band(self, meta: Meta, c: list[Any]) -> n.Band:
        return n.Band(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def per_miss(self, meta: Meta, c: list[Any]) -> n.PerMiss:
        return n.PerMiss(self.mspan(meta), c[0])

    @v_args(meta=True)
    def share(self, meta: Meta, c: list[Any]) -> n.Share:
        return n.Share(self.mspan(meta), c[0], c[1])

    def flat(self, c: list[Any]) -> n.Money:
        return c[0]

    @v_args(meta=True)
    def money(self, meta: Meta, c: list[Any]) -> n.Money:
        (amount, tok), currency = c
        return n.Money(self.mspan(meta), amount, currency.value, f"{tok} {currency.value}")

    @v_args(meta=True)
    def cap(self, meta: Meta, c: list[Any]) -> n.Cap:
        return n.Cap(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def payout(self, meta: Meta, c: list[Any]) -> n.Payout:
        return n.Payout(self.mspan(meta), c[0], c[1] if len(c) > 1 else None)

    def claim_required(self, c: list[Any]) -> tuple[str, Any]:
        return ("required", True)

    def claim_within(self, c: list[Any]) -> tuple[str, Any]:
        return ("within", c[0])

    def claim_via(self, c: list[Any]) -> tuple[str, Any]:
        return ("via", c[0])

    @v_args(meta=True)
    def claim(self, meta: Meta, c: list[tuple[str, Any]]) -> n.Claim:
        seen = self._options(meta, c, "claim")
        if "within" in seen and "cycles" in seen:
            self.bad("E0209", "`claim` says `within` twice", self.mspan(meta), "keep one `within`")
        return n.Claim(
            self.mspan(meta), bool(seen.get("required")), seen.get("within"), seen.get("via"), seen.get("cycles")
        )

    @v_args(meta=True)
    def link(self, meta: Meta, c: list[Any]) -> n.Link:
        return n.Link(self.mspan(meta), c[0], c[1])

    # ---- publishing (issue 14) ------------------------------------------------------------------
    @v_args(meta=True)
    def publish(self, meta: Meta, c: list[Any]) -> n.Publish:
        return n.Publish(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def publish_title(self, meta: Meta, c: list[Any]) -> n.PublishTitle:
        return n.PublishTitle(self.mspan(meta), c[0])

    @v_args(meta=True)
    def publish_slug(self, meta: Meta, c: list[Any]) -> n.PublishSlug:
        one = c[0] if isinstance(c[0], n.Str) else None
        return n.PublishSlug(self.mspan(meta), one, None if one else c[0])

    @v_args(meta=True)
    def publish_position(self, meta: Meta, c: list[Any]) -> n.PublishPosition:
        one = c[0] if isinstance(c[0], n.Int) else None
        return n.PublishPosition(self.mspan(meta), one, () if one else tuple(c))

    @v_args(meta=True)
    def lang_int(self, meta: Meta, c: list[Any]) -> n.LangInt:
        return n.LangInt(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def locale(self, meta: Meta, c: list[Any]) -> n.Locale:
        return n.Locale(self.mspan(meta), c[0], c[1])
