"""Money is in the contract's `currency` (E0608), and the cap is at least any single credit (E0609).

The evaluator never converts currencies: an amount in another one could
only be added to the others by guessing a rate. A cap below one credit would
make that credit's promise untrue the first time it is earned.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error
from .bands import amount_key, amount_raw, amount_value
from .context import Context


def check(ctx: Context) -> Iterator[Diagnostic]:
    yield from _currencies(ctx)
    yield from _cap(ctx)


def _money(ctx: Context) -> Iterator[tuple[n.Money, str]]:
    for stmt in ctx.sla.body:
        if isinstance(stmt, n.Credit):
            for s in stmt.body:
                if isinstance(s, (n.Band, n.PerMiss)) and isinstance(s.amount, n.Money):
                    yield s.amount, f"credit `{stmt.name.value}`"
        elif isinstance(stmt, n.Cap) and isinstance(stmt.amount, n.Money):
            yield stmt.amount, "the cap"
        elif isinstance(stmt, n.Example):
            for s in stmt.body:
                if isinstance(s, n.Fee):
                    yield s.money, "the example's fee"
                elif isinstance(s, n.ExpectCredit):
                    yield s.value, "the expected credit"


def _currencies(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.currency is None:
        return  # the structure check reports the missing `currency`
    for money, what in _money(ctx):
        if money.currency != ctx.currency:
            yield error(
                "E0608",
                f"{what} is in {money.currency}, but the contract's currency is {ctx.currency}",
                money.span,
                f"write it in {ctx.currency}, e.g. `{money.raw.split()[0]} {ctx.currency}`, "
                f"or change the contract's `currency`",
            )


def _cap(ctx: Context) -> Iterator[Diagnostic]:
    for cap in ctx.sla.all(n.Cap):
        key = amount_key(cap.amount)
        for credit in ctx.blocks(n.Credit):
            biggest: n.Amount | None = None
            for s in credit.body:
                if isinstance(s, (n.Band, n.PerMiss)) and amount_key(s.amount) == key:
                    if biggest is None or amount_value(s.amount) > amount_value(biggest):
                        biggest = s.amount
            if biggest is not None and amount_value(biggest) > amount_value(cap.amount):
                yield error(
                    "E0609",
                    f"the cap of {amount_raw(cap.amount)} is below a single credit of "
                    f"{amount_raw(biggest)} (credit `{credit.name.value}`)",
                    cap.amount.span,
                    f"raise the cap to at least {amount_raw(biggest)}, or lower that credit",
                    related=(biggest.span, "the larger credit"),
                )
