"""Credit formulas (language v2): a postfix list of steps evaluated with exact rationals.

`10 * window_fee * downtime / window` is the policy steps
`10, window_fee, *, downtime, *, window, /`. Quantities are exact: money as the decimal it is,
`downtime` and `window` in µs (only their ratio is money-free, which the unit check requires),
`uptime` and `target` as fractions of 1 (99.9 % is 999/1000), a percentage as a fraction (10 % is 1/10).
A division by zero gives 0 credit (a window of zero length cannot occur; a zero fee can).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any


def evaluate(steps: Sequence[Mapping[str, Any]], quantities: Mapping[str, Fraction]) -> Fraction:
    stack: list[Fraction] = []
    for step in steps:
        if "number" in step:
            stack.append(Fraction(Decimal(step["number"])))
        elif "percent" in step:
            stack.append(Fraction(Decimal(step["percent"])) / 100)
        elif "quantity" in step:
            stack.append(quantities[step["quantity"]])
        else:
            arity = int(step["arity"])
            args, stack = stack[-arity:], stack[:-arity]
            stack.append(_apply(step["op"], args))
    if len(stack) != 1:
        raise ValueError("a credit formula of the policy does not reduce to one value")
    return stack[0]


def _apply(op: str, args: list[Fraction]) -> Fraction:
    if op == "min":
        return min(args)
    if op == "max":
        return max(args)
    a, b = args
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return Fraction(0)
    return a / b


def uses(steps: Sequence[Mapping[str, Any]]) -> set[str]:
    """The quantities a formula names."""
    return {step["quantity"] for step in steps if "quantity" in step}
