"""Required and at-most-once statements, and the fixed words the language allows (E07xx).

The grammar lets most statements appear any number of times in any order (which
keeps its error messages simple); this check says which must appear, which may
appear only once, and which keyword-like names (`billing monthly`,
`payout voucher next_invoice`, …) are understood.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .. import nodes as n
from ..errors import Diagnostic, Span, error
from .context import Context, did_you_mean, earlier, join, listing

# Statement classes as the contract spells them.
KEYWORD: dict[type[n.Node], str] = {
    n.Title: "title",
    n.Version: "version",
    n.Effective: "effective",
    n.Languages: "languages",
    n.Timezone: "timezone",
    n.Currency: "currency",
    n.Billing: "billing",
    n.ResponseMeans: "response means",
    n.Cap: "cap",
    n.Payout: "payout",
    n.Claim: "claim",
    n.Availability: "availability",
    n.DisplayName: "name",
    n.Features: "features",
    n.Support: "support",
    n.Uptime: "uptime",
    n.Live: "live",
    n.Holidays: "holidays",
    n.Url: "url",
    n.RequiresOutage: "requires outage",
    n.Downgrade: "downgrade",
    n.Applies: "applies",
    n.PerMiss: "per missed",
    n.Window: "window",
    n.Monitor: "monitor",
    n.StatusPage: "status_page",
    n.MinimumOutage: "minimum outage",
    n.MaintenanceNotice: "maintenance notice",
    n.Aim: "objective",
    n.ExampleTier: "tier",
    n.Fee: "fee",
    n.Period: "period",
    n.ExpectUptime: "expect uptime",
    n.ExpectCredit: "expect credit",
    n.ExpectBreaches: "expect breaches",
    n.MinimumCredit: "minimum credit",
    n.Terminate: "terminate",
    n.WholeMinutes: "downtime counted in whole minutes",
    n.MeasuredPerRegion: "measured per region",
    n.ErrorRate: "downtime when error_rate",
    n.Requires: "requires",
    n.Description: "description",
    n.ExpectClaimBy: "expect claim by",
    n.ExpectTermination: "expect termination right",
    n.TicketClock: "ticket clock",
    n.WarnAt: "warn at",
    n.ExpectMissedResolutions: "expect missed resolutions",
    n.ExpectMissedUpdates: "expect missed updates",
}

# What a missing header statement looks like, for the hint.
REQUIRED: dict[type[n.Node], str] = {
    n.Title: 'title en "Service Level Agreement"',
    n.Version: 'version "1.0"',
    n.Effective: "effective 2025-01-01",
    n.Languages: "languages en",
    n.Timezone: 'timezone "UTC"',
    n.Currency: "currency USD",
}
CONTRACT_ONCE = (
    *REQUIRED,
    n.Billing,
    n.ResponseMeans,
    n.Cap,
    n.Payout,
    n.Claim,
    n.Availability,
    n.MinimumCredit,
    n.Terminate,
    n.TicketClock,
)

ONCE: dict[type[n.Node], tuple[type[n.Node], ...]] = {
    n.Tier: (n.DisplayName, n.Features, n.Support, n.Uptime, n.Live),
    n.Calendar: (n.Timezone, n.Holidays),
    n.Channel: (n.DisplayName, n.Url),
    n.Priority: (n.DisplayName, n.RequiresOutage, n.Downgrade, n.Description),
    n.Service: (n.DisplayName, n.MeasuredPerRegion, n.ErrorRate),
    n.Objective: (n.DisplayName,),
    n.Credit: (
        n.Applies,
        n.PerMiss,
        n.DisplayName,
        n.Requires,
    ),  # two per-miss amounts would have to be added or chosen: say one
    n.Availability: (n.Window, n.Monitor, n.StatusPage, n.MinimumOutage, n.MaintenanceNotice, n.Aim, n.WholeMinutes),
    n.Example: (
        n.ExampleTier,
        n.Fee,
        n.Period,
        n.ExpectUptime,
        n.ExpectCredit,
        n.ExpectBreaches,
        n.ExpectClaimBy,
        n.ExpectTermination,
        n.ExpectMissedResolutions,
        n.ExpectMissedUpdates,
    ),
    n.TicketClock: (n.WarnAt,),
}

BILLING = ("monthly", "quarterly", "annually")
RESPONSE_MEANS = ("acknowledgement", "resolution")
WINDOWS = ("calendar month", "calendar quarter", "calendar year")
METRICS = ("p50", "p90", "p95", "p99", "ratio")
PERCENTILE = re.compile(r"p([1-9][0-9]?)")
PER = ("month",)
CAP_PER = ("month", "quarter", "year")
PAYOUT_FORMS = ("credit", "voucher", "refund")
PAYOUT_TIMES = ("next_invoice",)
BASES = ("monthly_fee", "window_fee", "service_charges")


def check(ctx: Context) -> Iterator[Diagnostic]:
    sla = ctx.sla
    for kind, example in REQUIRED.items():
        if sla.first(kind) is None:
            yield error(
                "E0701",
                f"the contract has no `{KEYWORD[kind]}`",
                sla.name.span,
                f"add a line like `{example}` at the top of the contract",
            )
    yield from _once(ctx, sla, CONTRACT_ONCE, "the contract")

    for block in sla.body:
        if isinstance(block, n.Block) and type(block) in ONCE:
            yield from _once(ctx, block, ONCE[type(block)], _describe(block))
        if isinstance(block, n.Tier):
            yield from _tier(ctx, block)
        elif isinstance(block, n.Objective):
            yield from _objective(block)
        elif isinstance(block, n.Credit):
            for stmt in block.body:
                if isinstance(stmt, (n.Band, n.PerMiss)):
                    yield from _basis(stmt.amount)
        elif isinstance(block, n.Availability):
            for window in block.all(n.Window):
                yield from _window(window)
        elif isinstance(block, n.Example):
            yield from _example(block)
        elif isinstance(block, n.Billing):
            yield from _word(block.period, BILLING, "a billing period", "billing monthly")
        elif isinstance(block, n.ResponseMeans):
            yield from _word(block.meaning, RESPONSE_MEANS, "a meaning of `response`", "response means acknowledgement")
        elif isinstance(block, n.Cap):
            yield from _basis(block.amount)
            yield from _word(block.per, CAP_PER, "a cap period", "cap 100% of monthly_fee per month")
        elif isinstance(block, n.Payout):
            yield from _word(block.form, PAYOUT_FORMS, "a form of payout", "payout credit next_invoice")
            if block.when is not None:
                yield from _word(block.when, PAYOUT_TIMES, "a time of payout", "payout credit next_invoice")


def _describe(block: n.Node) -> str:
    if isinstance(block, n.NamedBlock):
        return f"{type(block).__name__.lower()} `{block.name.value}`"
    if isinstance(block, n.Example):
        return f'example "{block.label}"'
    if isinstance(block, n.TicketClock):
        return "the `ticket clock` block"
    return f"the `{type(block).__name__.lower()}` block"


def _once(ctx: Context, block: n.Block, kinds: Sequence[type[n.Node]], owner: str) -> Iterator[Diagnostic]:
    for kind in kinds:
        stmts = block.all(kind)
        for dup in stmts[1:]:
            keyword = KEYWORD[kind]
            yield error(
                "E0702",
                f"{owner} gives `{keyword}` twice",
                ctx.find(dup.span, keyword),
                f"keep one `{keyword}` statement",
                related=(ctx.find(stmts[0].span, keyword), "first given here"),
            )


def _tier(ctx: Context, tier: n.Tier) -> Iterator[Diagnostic]:
    # One target per priority: two would leave the evaluator to guess which one holds.
    for stmt, prev in earlier(tier.all(n.Respond), lambda r: r.priority.value):
        if prev is not None:
            yield error(
                "E0702",
                f"tier `{tier.name.value}` gives `respond {stmt.priority.value}` twice",
                stmt.priority.span,
                f"keep one response target for `{stmt.priority.value}` in this tier",
                related=(prev.priority.span, "first given here"),
            )

    # Issue 12: one resolution target and one update interval per priority, for the same reason.
    lists: tuple[tuple[tuple[n.Resolve | n.Update, ...], str], ...] = (
        (tier.all(n.Resolve), "resolve"),
        (tier.all(n.Update), "update"),
    )
    for stmts, word in lists:
        for t, earlier_t in earlier(stmts, lambda t: t.priority.value):
            if earlier_t is not None:
                yield error(
                    "E0702",
                    f"tier `{tier.name.value}` gives `{word} {t.priority.value}` twice",
                    t.priority.span,
                    f"keep one `{word}` target for `{t.priority.value}` in this tier",
                    related=(earlier_t.priority.span, "first given here"),
                )


def _objective(obj: n.Objective) -> Iterator[Diagnostic]:
    targets = obj.all(n.Target)
    if not targets:
        yield error(
            "E0711",
            f"objective `{obj.name.value}` has no target",
            obj.name.span,
            "add a line like `p95 below 300ms per month` or `ratio below 0.1% per month`",
        )
    for t, prev in earlier(targets, lambda t: t.metric.value):
        metric = t.metric.value
        if prev is not None:
            yield error(
                "E0702",
                f"objective `{obj.name.value}` gives `{metric}` twice",
                t.metric.span,
                f"keep one `{metric}` target",
                related=(prev.metric.span, "first given here"),
            )
        percentile = PERCENTILE.fullmatch(metric)
        if metric != "ratio" and not percentile:
            close = did_you_mean(metric, METRICS)
            yield error(
                "E0703",
                f"`{metric}` is not a metric",
                t.metric.span,
                f"did you mean `{close}`?"
                if close
                else "write a percentile like `p95` (a duration) or `ratio` (a percentage)",
            )
        elif metric == "ratio" and not isinstance(t.threshold, n.Percent):
            yield error(
                "E0710",
                f"a `ratio` target needs a percentage, not `{t.threshold.raw}`",
                t.threshold.span,
                "write it like `ratio below 0.1% per month`",
            )
        elif percentile and not isinstance(t.threshold, n.Duration):
            yield error(
                "E0710",
                f"a percentile target needs a duration, not `{t.threshold.raw}`",
                t.threshold.span,
                f"write it like `{metric} below 300ms per month`",
            )
        yield from _word(t.per, PER, "a measurement period", f"{metric} below … per month")


def _window(window: n.Window) -> Iterator[Diagnostic]:
    words = " ".join(w.value for w in window.words)
    if words not in WINDOWS:
        close = did_you_mean(words, WINDOWS)
        yield error(
            "E0703",
            f"`{words}` is not a measurement window",
            join(window.words[0].span, window.words[-1].span),
            f"did you mean `{close}`?" if close else f"a window is one of {listing(WINDOWS)}",
        )


def _basis(amount: n.Amount) -> Iterator[Diagnostic]:
    if isinstance(amount, n.Share):
        yield from _word(amount.basis, BASES, "a basis for a share", f"{amount.percent.raw} of monthly_fee")


def _word(ident: n.Ident, allowed: Sequence[str], what: str, example: str) -> Iterator[Diagnostic]:
    if ident.value in allowed:
        return
    close = did_you_mean(ident.value, allowed)
    if close is not None:
        hint = f"did you mean `{close}`?"
    elif len(allowed) == 1:
        hint = f"the only one is `{allowed[0]}`, as in `{example}`"
    else:
        hint = f"use one of {listing(allowed)}, as in `{example}`"
    yield error("E0703", f"`{ident.value}` is not {what}", ident.span, hint)


def _example(ex: n.Example) -> Iterator[Diagnostic]:
    where: Span = ex.title.span
    name = f'example "{ex.label}"'
    if ex.first(n.ExampleTier) is None:
        yield error("E0704", f"{name} has no `tier`", where, "say which tier the customer is on, e.g. `tier standard`")
    if ex.first(n.Fee) is None and ex.first(n.Charges) is None:
        yield error("E0704", f"{name} has no `fee`", where, "give the customer's monthly fee, e.g. `fee 1000 CNY`")
    expects = (
        n.ExpectUptime,
        n.ExpectCredit,
        n.ExpectBreaches,
        n.ExpectScopeUptime,
        n.ExpectClaimBy,
        n.ExpectTermination,
    )
    if not any(isinstance(s, expects) for s in ex.body):
        yield error(
            "E0705",
            f"{name} expects nothing",
            where,
            "an example is a test: add `expect uptime …`, `expect credit …` or `expect breaches …`",
        )
