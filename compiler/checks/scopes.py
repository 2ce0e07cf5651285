"""Language v2: services and regions, conditions, windows, maintenance, minimum credit, termination (E032x, E072x, W080x).

* a service, condition or maintenance exclusion that is referred to must be declared (E0320, E0322,
  with "did you mean");
* a condition is a true/false column of the customers file, so it is not named like one of that
  file's own columns (E0324);
* a region is given exactly where the service is `measured per region` (E0321);
* the measurement window is the billing period (E0721: the evaluator reports one window per
  billing period, and a fee is the fee for one billing period);
* a cap spans at least the window (E0722: a cap per month over a quarterly window has no month to
  cap; a cap over a longer span takes the earlier windows of that span as history);
* v1's `maintenance notice` in `availability` applies to the exclusion `planned_maintenance`, so a
  contract with it and without that exclusion is an error (E0720: it used to apply to nothing);
* in a contract that announces maintenance (a notice anywhere), an exclusion named like maintenance
  that says no `maintenance notice` is excluded whenever it is the cause, announced or not (W0807);
* `minimum credit` is in the contract's currency, per month (E0608, E0703), `terminate … months`
  counts months (E0703), `limit … per year` is per year (E0703).
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic, error, warning
from .context import Context, suggest

WINDOW_BILLING = {"calendar month": "monthly", "calendar quarter": "quarterly", "calendar year": "annually"}
WINDOW_SPAN = {"calendar month": "month", "calendar quarter": "quarter", "calendar year": "year"}
SPAN_MONTHS = {"month": 1, "quarter": 3, "year": 12}


# The customers file's own columns (runtime.inputs_v2.read_customers_v2): a condition is a column beside them.
CUSTOMER_COLUMNS = ("customer", "tier", "fee", "monthly_fee", "currency")


def check(ctx: Context) -> Iterator[Diagnostic]:
    services = {s.name.value: s for s in ctx.blocks(n.Service)}
    conditions = [c.name.value for c in ctx.blocks(n.Condition)]
    for cond in ctx.blocks(n.Condition):
        if cond.name.value in CUSTOMER_COLUMNS:
            yield error(
                "E0324",
                f"a condition cannot be called `{cond.name.value}`: the customers file has a column of that name already",
                cond.name.span,
                "name it for what the customer must meet, e.g. `condition good_standing`",
            )
    for stmt in ctx.sla.body:
        if isinstance(stmt, n.Tier):
            for up in stmt.all(n.ServiceUptime):
                yield from _service(services, up.service)
        elif isinstance(stmt, n.Credit):
            for req in stmt.all(n.Requires):
                yield from _condition(conditions, req.condition)
        elif isinstance(stmt, n.Example):
            yield from _example(services, conditions, stmt)
        elif isinstance(stmt, n.MinimumCredit):
            yield from _minimum(ctx, stmt)
        elif isinstance(stmt, n.Terminate):
            yield from _terminate(stmt)
        elif isinstance(stmt, n.Claim) and stmt.cycles is not None:
            yield from _claim_cycles(stmt.cycles)
        elif isinstance(stmt, n.Exclude) and stmt.maintenance is not None:
            per = stmt.maintenance.per
            if per is not None and per.value != "year":
                yield error(
                    "E0703",
                    f"`{per.value}` is not a span of a maintenance allowance",
                    per.span,
                    "the allowance is per calendar year: `limit 8h per year`",
                )
    yield from _window(ctx)
    yield from _maintenance(ctx)


def _terminate(stmt: n.Terminate) -> Iterator[Diagnostic]:
    """The months of `terminate … for N consecutive months`: 1 to MAX_PERIODS (E0224, E0226), in months (E0703)."""
    if stmt.count.value < 1:
        yield error(
            "E0224",
            "a right to terminate after 0 consecutive months would be a right from the first day",
            stmt.count.span,
            "give the number of consecutive months below the level, at least 1: `for 3 consecutive months`",
        )
    elif stmt.count.value > limits.MAX_PERIODS:
        yield error(
            "E0226",
            f"a right to terminate after {stmt.count.value:,} consecutive months is over the limit of "
            f"{limits.MAX_PERIODS} months (ten years)",
            stmt.count.span,
            "give the months below the level that give the right, e.g. `for 3 consecutive months`",
        )
    elif stmt.unit.value != "months":
        yield error(
            "E0703",
            f"`{stmt.unit.value}` is not a span of termination",
            stmt.unit.span,
            "write it like `terminate when uptime below 99.0% for 3 consecutive months`",
        )


def _claim_cycles(cycles: n.ClaimCycles) -> Iterator[Diagnostic]:
    """`claim within N billing cycles`: 1 to MAX_PERIODS (E0224, E0226)."""
    if cycles.count.value < 1:
        yield error(
            "E0224",
            "a claim within 0 billing cycles leaves no time to claim",
            cycles.count.span,
            "give at least 1 billing cycle (`claim within 2 billing cycles`), or a duration (`claim within 30d`)",
        )
    elif cycles.count.value > limits.MAX_PERIODS:
        yield error(
            "E0226",
            f"a claim within {cycles.count.value:,} billing cycles is over the limit of "
            f"{limits.MAX_PERIODS} billing cycles",
            cycles.count.span,
            "give the billing cycles the customer has to claim in, e.g. `claim within 2 billing cycles`",
        )


def _service(services: dict[str, n.Service], ident: n.Ident) -> Iterator[Diagnostic]:
    if ident.value not in services:
        yield error(
            "E0320",
            f"there is no service `{ident.value}`",
            ident.span,
            suggest(ident.value, list(services), "service") if services else "declare it: `service NAME { … }`",
        )


def _condition(conditions: list[str], ident: n.Ident) -> Iterator[Diagnostic]:
    if ident.value not in conditions:
        yield error(
            "E0322",
            f"there is no condition `{ident.value}`",
            ident.span,
            suggest(ident.value, conditions, "condition") if conditions else 'declare it: `condition NAME { en "…" }`',
        )


def _scope(
    services: dict[str, n.Service], service: n.Ident, region: n.Ident | None, at: n.Node
) -> Iterator[Diagnostic]:
    if service.value not in services:
        yield from _service(services, service)
        return
    per_region = services[service.value].first(n.MeasuredPerRegion) is not None
    if per_region and region is None:
        yield error(
            "E0321",
            f"service `{service.value}` is measured per region, and this names no region",
            at.span,
            f"name the region after the service, e.g. `{service.value} us_east`",
        )
    elif not per_region and region is not None:
        yield error(
            "E0321",
            f"service `{service.value}` is not measured per region, so `{region.value}` means nothing here",
            region.span,
            "remove the region, or add `measured per region` to the service",
        )


def _example(services: dict[str, n.Service], conditions: list[str], ex: n.Example) -> Iterator[Diagnostic]:
    for stmt in ex.body:
        event = stmt.event if isinstance(stmt, n.Repeat) else stmt
        if isinstance(event, (n.Charges, n.Requests, n.ExpectScopeUptime)):
            yield from _scope(services, event.service, event.region, event)
        elif isinstance(event, n.Outage) and event.service is not None:
            yield from _scope(services, event.service, event.region, event)
        elif isinstance(event, n.Outage) and event.region is not None:
            yield error(
                "E0321",
                "an outage in a region names its service too",
                event.region.span,
                "write `service NAME region REGION`",
            )
        elif isinstance(event, n.ConditionUnmet):
            yield from _condition(conditions, event.condition)
        if isinstance(event, n.Requests):
            service = services.get(event.service.value)
            if service is not None and service.first(n.ErrorRate) is None:
                yield error(
                    "E0323",
                    f"service `{event.service.value}` has no error-rate rule, so its requests count for nothing",
                    event.span,
                    f"add `downtime when error_rate above 5% per 5min` to service `{event.service.value}`",
                )


def _minimum(ctx: Context, stmt: n.MinimumCredit) -> Iterator[Diagnostic]:
    if ctx.currency is not None and stmt.money.currency != ctx.currency:
        yield error(
            "E0608",
            f"the minimum credit is in {stmt.money.currency}, but the contract's currency is {ctx.currency}",
            stmt.money.span,
            f"write it in {ctx.currency}, e.g. `{stmt.money.raw.split()[0]} {ctx.currency}`",
        )
    if stmt.per.value != "month":
        yield error(
            "E0703",
            f"`{stmt.per.value}` is not a span of a minimum credit",
            stmt.per.span,
            "a minimum credit is per month: `minimum credit 1 USD per month`",
        )


def _window(ctx: Context) -> Iterator[Diagnostic]:
    av = ctx.sla.first(n.Availability)
    window = av.first(n.Window) if av is not None else None
    words = " ".join(w.value for w in window.words) if window is not None else "calendar month"
    if words not in WINDOW_BILLING:
        return  # the structure check reports an unknown window
    billing = ctx.sla.first(n.Billing)
    billed = billing.period.value if billing is not None else "monthly"
    if billed in WINDOW_BILLING.values() and WINDOW_BILLING[words] != billed:
        at = window if window is not None else billing
        assert at is not None
        yield error(
            "E0721",
            f"a `{words}` window cannot be carried by `billing {billed}`: each window is evaluated for one "
            "billing period",
            at.span,
            f"write `billing {WINDOW_BILLING[words]}`, or a window of one billing period",
        )
    span = WINDOW_SPAN[words]
    for cap in ctx.sla.all(n.Cap):
        if SPAN_MONTHS.get(cap.per.value, 0) and SPAN_MONTHS[cap.per.value] < SPAN_MONTHS[span]:
            yield error(
                "E0722",
                f"a cap per {cap.per.value} is shorter than the {words} window: each window is credited once, "
                f"so there is no {cap.per.value} to cap inside it",
                cap.per.span,
                f"cap the credit per {span}, the window"
                + (", or over a longer span (`per year`)" if span != "year" else ""),
            )


def _maintenance(ctx: Context) -> Iterator[Diagnostic]:
    av = ctx.sla.first(n.Availability)
    notice = av.first(n.MaintenanceNotice) if av is not None else None
    exclusions = {e.name.value: e for e in ctx.blocks(n.Exclude)}
    if notice is not None and "planned_maintenance" not in exclusions:
        marked = [name for name, e in exclusions.items() if e.maintenance is None and "maint" in name]
        hint = (
            f"move the notice into the exclusion: `exclude {marked[0]} {{ maintenance notice {notice.duration.raw} … }}`"
            if marked
            else "declare `exclude planned_maintenance { … }`, or say `maintenance notice` in your maintenance exclusion"
        )
        yield error(
            "E0720",
            "`maintenance notice` applies to the exclusion `planned_maintenance`, which this contract does not declare",
            notice.span,
            hint,
        )
    # Only a contract that announces maintenance somewhere can mean a notice it forgot to say.
    announces = notice is not None or any(e.maintenance is not None for e in exclusions.values())
    for name, block in exclusions.items():
        if block.maintenance is not None or (name == "planned_maintenance" and notice is not None):
            continue
        if announces and "maintenance" in name:
            yield warning(
                "W0807",
                f"exclusion `{name}` is not marked as maintenance: its downtime is excluded whether or not it was "
                "announced",
                block.name.span,
                f"if it is maintenance, say how far ahead it is announced: `maintenance notice 72h` in `{name}`",
            )
