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


def amount_key(amount: n.Amount) -> tuple[str, str]:
    """What an amount is measured in: ("share", basis) or ("money", currency)."""
    if isinstance(amount, n.Share):
        return ("share", amount.basis.value)
    return ("money", amount.currency)


def amount_value(amount: n.Amount) -> Decimal:
    return amount.percent.value if isinstance(amount, n.Share) else amount.amount


def amount_raw(amount: n.Amount) -> str:
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
    seen: dict[Decimal | None, n.Band] = {}
    for band in bands:
        key = band.threshold.value if band.threshold is not None else None
        prev = seen.setdefault(key, band)
        if prev is not band:
            where = band.threshold.span if band.threshold is not None else ctx.find(band.span, "target")
            other = prev.threshold.span if prev.threshold is not None else ctx.find(prev.span, "target")
            label = band.threshold.raw if band.threshold is not None else "target"
            yield error(
                "E0601",
                f"credit `{name}` has two bands below {label}",
                where,
                "each band needs its own threshold: remove one, or change its threshold",
                related=(other, "the other band"),
            )

    target_bands = [b for b in bands if b.threshold is None]
    fixed = [b for b in bands if b.threshold is not None and seen.get(b.threshold.value) is b]

    # `below target` needs every tier it applies to to have a target above the fixed thresholds.
    if target_bands:
        tb = target_bands[0]
        for tier, via in ctx.credit_tiers(credit):
            uptime = tier.first(n.Uptime)
            tname = tier.name.value
            if uptime is None:
                yield error(
                    "E0603",
                    f"credit `{name}` pays `below target` to tier `{tname}`, which has no `uptime`",
                    via.span if via is not None else ctx.find(tb.span, "target"),
                    f"give tier `{tname}` an `uptime`, or leave it out of this credit's `applies`",
                )
                continue
            for band in fixed:
                assert band.threshold is not None
                if uptime.value.value <= band.threshold.value:
                    yield error(
                        "E0604",
                        f"this band of credit `{name}` ({band.threshold.raw}) is not below tier `{tname}`'s "
                        f"uptime target ({uptime.value.raw}): for that tier it overlaps the `below target` band",
                        band.threshold.span,
                        f"fixed thresholds must be below every target; lower this one, or raise tier `{tname}`'s uptime",
                        related=(uptime.value.span, f"tier `{tname}`'s target"),
                    )

    # Worse service (a lower threshold) never pays less. The target band is above every fixed one.
    ordered: list[tuple[Decimal, n.Band]] = [(Decimal("Infinity"), b) for b in target_bands[:1]]
    ordered += sorted(((b.threshold.value, b) for b in fixed if b.threshold is not None), key=lambda x: -x[0])
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


def _threshold(band: n.Band) -> str:
    return band.threshold.raw if band.threshold is not None else "target"
