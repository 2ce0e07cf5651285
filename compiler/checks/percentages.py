"""Percentages that are shares stay within 0–100 % (an error rate's threshold below 100 %), and uptime targets and band thresholds are above 0 % (E0606, E0607).

Shares are: uptime targets and expectations, band thresholds, `ratio`
objectives, credit amounts and caps. (A cap or credit of more than the
monthly fee would be a refund plus a bonus; no contract means that.)
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

HUNDRED = Decimal(100)


def check(ctx: Context) -> Iterator[Diagnostic]:
    for stmt in ctx.sla.body:
        if isinstance(stmt, n.Tier):
            targets = [u.value for u in stmt.all(n.Uptime)] + [u.value for u in stmt.all(n.ServiceUptime)]
            for value in targets:
                yield from _share(value, "an uptime target")
                yield from _positive(value, "an uptime target", "no month could miss it")
        elif isinstance(stmt, n.Service):
            for rule in stmt.all(n.ErrorRate):
                yield from _error_rate(rule.above)
        elif isinstance(stmt, n.Objective):
            for t in stmt.all(n.Target):
                if t.metric.value == "ratio" and isinstance(t.threshold, n.Percent):
                    yield from _share(t.threshold, "a ratio")
        elif isinstance(stmt, n.Credit):
            for band in stmt.all(n.Band):
                if band.threshold is not None:
                    yield from _share(band.threshold, "a band threshold")
                    yield from _positive(
                        band.threshold, "a band threshold", "no uptime is below 0%, so the band never pays"
                    )
                yield from _amount(band.amount, "a credit")
            for miss in stmt.all(n.PerMiss):
                yield from _amount(miss.amount, "a credit")
        elif isinstance(stmt, n.Cap):
            yield from _amount(stmt.amount, "a cap")
        elif isinstance(stmt, n.Example):
            for exp in stmt.all(n.ExpectUptime):
                yield from _share(exp.value, "an expected uptime")
            for req in stmt.all(n.Requests):
                yield from _share(req.failing, "a share of failed requests")


def _amount(amount: n.Amount, what: str) -> Iterator[Diagnostic]:
    if isinstance(amount, n.Share) and amount.percent.value > HUNDRED:
        basis = amount.basis.value
        yield error(
            "E0606",
            f"{what} of {amount.percent.raw} of `{basis}` is more than the whole `{basis}`",
            amount.percent.span,
            f"write a share from 0% to 100% of `{basis}`",
        )


def _share(p: n.Percent, what: str) -> Iterator[Diagnostic]:
    if p.value > HUNDRED:
        yield error(
            "E0606",
            f"{what} of {p.raw} is over 100%",
            p.span,
            "a share is a percentage from 0% to 100%",
        )


def _error_rate(p: n.Percent) -> Iterator[Diagnostic]:
    """`downtime when error_rate above P`: an interval is down when more than P of its requests fail, so P
    must be below 100%."""
    if p.value >= HUNDRED:
        yield error(
            "E0606",
            f"an error rate above {p.raw} never happens: no more than all requests fail",
            p.span,
            "give the share of failed requests above which an interval is down, below 100%, e.g. `above 5%`",
        )


def _positive(p: n.Percent, what: str, why: str) -> Iterator[Diagnostic]:
    if p.value == 0:
        yield error("E0607", f"{what} of 0% means nothing", p.span, why)
