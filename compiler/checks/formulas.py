"""Credit formulas and caps (language v2): a formula comes out as money (E0610), more downtime never gives
less credit (E0611), no divisor is zero whatever the data (E0612), and a cap that no credit can reach is a warning (W0808).

Units: `monthly_fee`, `window_fee` and `service_charges` are money; `downtime` and `window` are
time; numbers, percentages, `uptime` and `target` have no unit. `*` adds units, `/` subtracts
them, `+`, `-`, `min` and `max` need the same unit on every side. A credit must be money¹·time⁰.

Monotonicity is proved by signs: every quantity is ≥ 0, `downtime` grows with downtime, `uptime`
shrinks, the rest stay; a sum, product (of non-negative factors), `min` and `max` of
non-decreasing parts is non-decreasing, as is `a - b` and `a / b` with `b` non-increasing. A
formula the proof cannot settle is refused: rewrite it so that the proof goes through.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from .. import nodes as n
from ..errors import Diagnostic, error, warning
from .context import Context

Unit = tuple[int, int]  # (money, time) exponents
MONEY = ("monthly_fee", "window_fee", "service_charges")
TIME = ("downtime", "window")
UP, FLAT, DOWN, UNKNOWN = 1, 0, -1, 2  # how a value moves as downtime grows


def check(ctx: Context) -> Iterator[Diagnostic]:
    for credit in ctx.blocks(n.Credit):
        for stmt in credit.body:
            if isinstance(stmt, (n.Band, n.PerMiss)) and isinstance(stmt.amount, n.Formula):
                yield from _formula(stmt.amount, credit.name.value)
    yield from _cap(ctx)


def _formula(f: n.Formula, credit: str) -> Iterator[Diagnostic]:
    unit, problem = _unit(f.expr)
    if problem is not None:
        yield error("E0610", f"credit `{credit}`: {problem[0]}", problem[1].span, "a formula's sides must agree")
        return
    if unit != (1, 0):
        yield error(
            "E0610",
            f"credit `{credit}`: `{f.raw}` is {_describe(unit)}, not money",
            f.span,
            "multiply a fee by a share of the window, e.g. `10 * window_fee * downtime / window`",
        )
        return
    zero = _zero_divisor(f.expr)
    if zero is not None:
        yield error(
            "E0612",
            f"credit `{credit}`: `{f.raw}` divides by zero",
            zero.span,
            "divide by a quantity that is never zero, e.g. `window`: `10 * window_fee * downtime / window`",
        )
        return
    if _trend(f.expr) not in (UP, FLAT):
        yield error(
            "E0611",
            f"credit `{credit}`: `{f.raw}` could give less credit for more downtime",
            f.span,
            "write the formula so that each part grows (or stays) with `downtime`, e.g. "
            "`window_fee * downtime / window` or `window_fee * (1 - uptime)`",
        )


# Two unrelated values of every quantity: a divisor that is 0 under both is 0 whatever the data.
_PROBES = (
    {
        "monthly_fee": 7,
        "window_fee": 11,
        "service_charges": 13,
        "downtime": 17,
        "window": 19,
        "uptime": 23,
        "target": 29,
    },
    {
        "monthly_fee": 31,
        "window_fee": 37,
        "service_charges": 41,
        "downtime": 43,
        "window": 47,
        "uptime": 53,
        "target": 59,
    },
)


def _zero_divisor(node: n.FormulaNode) -> n.FormulaNode | None:
    """The first divisor of the formula that is zero whatever the data (`/ 0`, `/ (window - window)`), or None.

    A divisor that is zero only for some data (`/ service_charges` of a customer without charges) makes
    that division 0, as the language reference says."""
    for arg in node.args:
        found = _zero_divisor(arg)
        if found is not None:
            return found
    if node.op == "/" and all(_value(node.args[1], probe) == 0 for probe in _PROBES):
        return node.args[1]
    return None


def _value(node: n.FormulaNode, env: dict[str, int]) -> Fraction:
    """The node's value with the quantities of `env` (a division by zero is 0, as the evaluator has it)."""
    if node.op == "number":
        return Fraction(node.value)
    if node.op == "percent":
        return Fraction(node.value) / 100
    if node.op == "name":
        return Fraction(env[node.value])
    args = [_value(a, env) for a in node.args]
    if node.op == "min":
        return min(args)
    if node.op == "max":
        return max(args)
    a, b = args
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    if node.op == "*":
        return a * b
    return a / b if b else Fraction(0)


def _describe(unit: Unit) -> str:
    money, time = unit
    if unit == (0, 0):
        return "a plain number"
    parts = []
    if money:
        parts.append("money" + (f"^{money}" if money != 1 else ""))
    if time:
        parts.append("time" + (f"^{time}" if time != 1 else ""))
    return " × ".join(parts)


def _unit(node: n.FormulaNode) -> tuple[Unit, tuple[str, n.FormulaNode] | None]:
    if node.op in ("number", "percent"):
        return (0, 0), None
    if node.op == "name":
        return ((1, 0) if node.value in MONEY else (0, 1) if node.value in TIME else (0, 0)), None
    units = []
    for arg in node.args:
        u, problem = _unit(arg)
        if problem is not None:
            return u, problem
        units.append(u)
    if node.op == "*":
        return (units[0][0] + units[1][0], units[0][1] + units[1][1]), None
    if node.op == "/":
        return (units[0][0] - units[1][0], units[0][1] - units[1][1]), None
    if any(u != units[0] for u in units):
        what = f"`{node.op}`" if node.op in ("min", "max") else f"`{node.op}` between"
        return units[0], (f"{what} {' and '.join(_describe(u) for u in units)} does not add up", node)
    return units[0], None


def _trend(node: n.FormulaNode) -> int:
    if node.op in ("number", "percent"):
        return FLAT
    if node.op == "name":
        return UP if node.value == "downtime" else DOWN if node.value == "uptime" else FLAT
    t = [_trend(a) for a in node.args]
    if UNKNOWN in t:
        return UNKNOWN
    if node.op in ("+", "*", "min", "max"):
        if all(x in (UP, FLAT) for x in t):
            return UP if UP in t else FLAT
        if all(x in (DOWN, FLAT) for x in t):
            return DOWN if DOWN in t else FLAT
        return UNKNOWN
    # a - b and a / b grow when a grows and b shrinks
    a, b = t
    if a in (UP, FLAT) and b in (DOWN, FLAT):
        return UP if UP in (a, -b) else FLAT
    if a in (DOWN, FLAT) and b in (UP, FLAT):
        return DOWN if DOWN in (a, -b) else FLAT
    return UNKNOWN


def _cap(ctx: Context) -> Iterator[Diagnostic]:
    """A cap on a share of a basis above the most any credit can pay on that basis never binds (per scope for
    a cap on service_charges; with every service's credits added for a cap on another basis)."""
    cap = ctx.sla.first(n.Cap)
    if cap is None or not isinstance(cap.amount, n.Share):
        return
    basis = cap.amount.basis.value
    services = ctx.blocks(n.Service)
    each_scope = basis == "service_charges"  # a cap on service_charges limits each scope; any other the total
    if not each_scope and any(s.first(n.MeasuredPerRegion) is not None for s in services):
        return  # a service's regions add up under a cap on the total: how many is not known here
    most: Decimal = Decimal(0)
    for credit in ctx.blocks(n.Credit):
        amounts = [s.amount for s in credit.body if isinstance(s, (n.Band, n.PerMiss))]
        if any(not isinstance(a, n.Share) or a.basis.value != basis for a in amounts):
            return  # per-miss lines, money or formulas: the most a credit pays is not known here
        if credit.all(n.PerMiss) or not amounts:
            return
        shares = [a.percent.value for a in amounts if isinstance(a, n.Share)]
        most += max(shares, default=Decimal(0))
    most *= 1 if each_scope else max(1, len(services))  # under a cap on the total, every service's bands add up
    most *= _windows_per_span(ctx, cap.per.value)  # a cap over a longer span adds up the windows in it
    if most and cap.amount.percent.value > most:
        yield warning(
            "W0808",
            f"the cap of {cap.amount.percent.raw} of {basis} is more than all credits together can come to ({most}%)",
            cap.amount.span,
            f"lower the cap to {most}% of {basis}, or remove it",
        )


def _windows_per_span(ctx: Context, per: str) -> int:
    """How many windows a cap's span holds (`per year` over monthly windows: 12); 1 when not longer."""
    av = ctx.sla.first(n.Availability)
    window = av.first(n.Window) if av is not None else None
    words = " ".join(w.value for w in window.words) if window is not None else "calendar month"
    months = {"calendar month": 1, "calendar quarter": 3, "calendar year": 12}.get(words, 1)
    return max(1, {"month": 1, "quarter": 3, "year": 12}.get(per, 1) // months)
