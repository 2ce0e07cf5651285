"""Credit bands: distinct thresholds, never less credit for worse service, a target to be below (E0601–E0605).

A band reads `when uptime below X AMOUNT` and the evaluator pays the single band
of the worst threshold crossed. Because every band is open downwards ("below
X"), a set of bands can never leave a gap: each uptime falls below either no
threshold or a lowest one. What can go wrong is two bands on the same
threshold (which one pays?), a lower threshold paying less than a higher one,
and `below target` meaning nothing (a tier without `uptime`) or crossing a
fixed band (a tier whose target is at or below that band's threshold).

Amounts are compared only when they are comparable: shares on the same basis,
or money in the same currency.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context


def amount_key(amount: n.AnyAmount) -> tuple[str, str]:
    """What an amount is measured in: ("share", basis), ("money", currency), ("service_days", "").

    A formula is its own kind (`("formula", text)`): it is compared with nothing.
    """
    if isinstance(amount, n.Share):
        return ("share", amount.basis.value)
    if isinstance(amount, n.ServiceDays):
        return ("service_days", "")
    if isinstance(amount, n.Formula):
        return ("formula", amount.raw)
    return ("money", amount.currency)


def amount_value(amount: n.AnyAmount) -> Decimal:
    if isinstance(amount, n.Share):
        return amount.percent.value
    if isinstance(amount, n.ServiceDays):
        return amount.count
    if isinstance(amount, n.Formula):
        return Decimal(0)  # never compared: amount_key keeps formulas apart
    return amount.amount


def amount_raw(amount: n.AnyAmount) -> str:
    if isinstance(amount, n.Share):
        return f"{amount.percent.raw} of {amount.basis.value}"
    return amount.raw


def check(ctx: Context) -> Iterator[Diagnostic]:
    for credit in ctx.blocks(n.Credit):
        yield from _credit(ctx, credit)


def _credit(ctx: Context, credit: n.Credit) -> Iterator[Diagnostic]:
    name = credit.name.value
    bands = credit.all(n.Band)
    if not bands and not credit.all(n.PerMiss):
        yield error(
            "E0605",
            f"credit `{name}` pays nothing",
            credit.name.span,
            "add bands (`when uptime below 99.9% 10% of monthly_fee`) or `per missed response 5% of monthly_fee`",
        )
        return

    # Same threshold twice.
    # `below 95%` and `at or below 95%` are two thresholds (95 % itself pays the second).
    seen: dict[tuple[Decimal | None, bool], n.Band] = {}
    for band in bands:
        key = (band.threshold.value if band.threshold is not None else None, band.inclusive)
        prev = seen.setdefault(key, band)
        if prev is not band:
            where = band.threshold.span if band.threshold is not None else ctx.find(band.span, "target")
            other = prev.threshold.span if prev.threshold is not None else ctx.find(prev.span, "target")
            label = band.threshold.raw if band.threshold is not None else "target"
            yield error(
                "E0601",
                f"credit `{name}` has two bands {'at or ' if band.inclusive else ''}below {label}",
                where,
                "each band needs its own threshold: remove one, or change its threshold",
                related=(other, "the other band"),
            )

    target_bands = [b for b in bands if b.threshold is None]
    fixed = [b for b in bands if b.threshold is not None and seen.get((b.threshold.value, b.inclusive)) is b]

    # `below target` needs every tier it applies to to have a target above the fixed thresholds.
    if target_bands:
        yield from _targets(ctx, credit, target_bands[0], fixed)

    # Worse service (a lower threshold) never pays less. The target band is above every fixed one.
    ordered: list[tuple[Decimal, n.Band]] = [(Decimal("Infinity"), b) for b in target_bands[:1]]
    # From better service to worse: a higher threshold first; of one threshold `at or below` first.
    ordered += sorted(
        ((b.threshold.value, b) for b in fixed if b.threshold is not None), key=lambda x: (-x[0], not x[1].inclusive)
    )
    for i, (_, worse) in enumerate(ordered):
        for _, better in ordered[:i]:
            if amount_key(better.amount) != amount_key(worse.amount):
                continue
            if amount_value(worse.amount) < amount_value(better.amount):
                yield error(
                    "E0602",
                    f"credit `{name}` pays less for worse service: {amount_raw(worse.amount)} below "
                    f"{_threshold(worse)}, but {amount_raw(better.amount)} below {_threshold(better)}",
                    worse.amount.span,
                    "a lower threshold must give at least as much credit as a higher one",
                    related=(better.amount.span, "the band for better service"),
                )
                break


def _targets(ctx: Context, credit: n.Credit, tb: n.Band, fixed: list[n.Band]) -> Iterator[Diagnostic]:
    name = credit.name.value
    for tier, via in ctx.credit_tiers(credit):
        # `uptime 99.9%` and each `uptime 99.9% for SERVICE`: every one is a target a band can be below.
        targets: list[n.Uptime | n.ServiceUptime] = [*tier.all(n.Uptime), *tier.all(n.ServiceUptime)]
        tname = tier.name.value
        if not targets:
            yield error(
                "E0603",
                f"credit `{name}` pays `below target` to tier `{tname}`, which has no `uptime`",
                via.span if via is not None else ctx.find(tb.span, "target"),
                f"give tier `{tname}` an `uptime`, or leave it out of this credit's `applies`",
            )
            continue
        for uptime in targets:
            for band in fixed:
                assert band.threshold is not None
                if uptime.value.value < band.threshold.value or (
                    uptime.value.value == band.threshold.value and not band.inclusive
                ):
                    yield error(
                        "E0604",
                        f"this band of credit `{name}` ({band.threshold.raw}) is not below tier `{tname}`'s "
                        f"uptime target ({uptime.value.raw}): for that tier it overlaps the `below target` band",
                        band.threshold.span,
                        f"fixed thresholds must be below every target; lower this one, or raise tier `{tname}`'s "
                        "uptime",
                        related=(uptime.value.span, f"tier `{tname}`'s target"),
                    )


def _threshold(band: n.Band) -> str:
    label = band.threshold.raw if band.threshold is not None else "target"
    return f"{label} (inclusive)" if band.inclusive else label
