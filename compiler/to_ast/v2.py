"""The statements language v2 adds (scopes, windows, downtime rules, credits, examples): a mixin of `_AstBuilder`."""

from __future__ import annotations

from typing import Any

from lark import Token, v_args
from lark.tree import Meta

from .. import nodes as n
from .values import Values

# The quantities a formula may name (SPEC "Credits"), and what kind of number each one is.
FORMULA_QUANTITIES = ("monthly_fee", "window_fee", "service_charges", "downtime", "window", "uptime", "target")


class V2Statements(Values):
    @v_args(meta=True)
    def service(self, meta: Meta, c: list[Any]) -> n.Service:
        return n.Service(self.mspan(meta), tuple(c[1:]), c[0])

    @v_args(meta=True)
    def measured_per_region(self, meta: Meta, c: list[Any]) -> n.MeasuredPerRegion:
        return n.MeasuredPerRegion(self.mspan(meta))

    @v_args(meta=True)
    def error_rate(self, meta: Meta, c: list[Any]) -> n.ErrorRate:
        return n.ErrorRate(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def whole_minutes(self, meta: Meta, c: list[Any]) -> n.WholeMinutes:
        return n.WholeMinutes(self.mspan(meta))

    @v_args(meta=True)
    def requires(self, meta: Meta, c: list[Any]) -> n.Requires:
        return n.Requires(self.mspan(meta), c[0])

    @v_args(meta=True)
    def band_inclusive(self, meta: Meta, c: list[Any]) -> n.Band:
        return n.Band(self.mspan(meta), c[0], c[1], True)

    @v_args(meta=True)
    def service_days(self, meta: Meta, c: list[Any]) -> n.ServiceDays:
        (count, tok), unit = c
        if unit.value not in ("service_day", "service_days"):
            hint = (
                "an amount is money (`50 USD`), a share (`10% of monthly_fee`), days of service (`1 service_day`) "
                "or a formula"
            )
            if len(unit.value) == 3 and unit.value.isalpha():  # `500 usd`: a currency code in lower case
                hint = f"currency codes are written in capitals: `{tok} {unit.value.upper()}`"
            self.bad("E0218", f"`{tok} {unit.value}` is not an amount", self.mspan(meta), hint)
        return n.ServiceDays(self.mspan(meta), count, f"{tok} {unit.value}")

    # ---- formulas --------------------------------------------------------------------------------
    def amount(self, c: list[Any]) -> n.Formula:
        return c[0]  # `amount: … | formula`: the formula itself

    @v_args(meta=True)
    def formula(self, meta: Meta, c: list[Any]) -> n.Formula:
        expr: n.FormulaNode = c[0]
        return n.Formula(self.mspan(meta), expr, _show(expr, top=True))

    def _op(self, op: str, meta: Meta, c: list[Any]) -> n.FormulaNode:
        return n.FormulaNode(self.mspan(meta), op, "", (c[0], c[1]))

    @v_args(meta=True)
    def f_add(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        return self._op("+", meta, c)

    @v_args(meta=True)
    def f_sub(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        return self._op("-", meta, c)

    @v_args(meta=True)
    def f_mul(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        return self._op("*", meta, c)

    @v_args(meta=True)
    def f_div(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        return self._op("/", meta, c)

    @v_args(meta=True)
    def f_number(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        value, tok = c[0]
        return n.FormulaNode(self.mspan(meta), "number", str(tok), ())

    @v_args(meta=True)
    def f_percent(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        pct: n.Percent = c[0]
        return n.FormulaNode(pct.span, "percent", pct.raw[:-1], ())

    @v_args(meta=True)
    def f_name(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        ident: n.Ident = c[0]
        if ident.value not in FORMULA_QUANTITIES:
            import difflib

            close = difflib.get_close_matches(ident.value, FORMULA_QUANTITIES, n=1, cutoff=0.5)
            self.bad(
                "E0219",
                f"`{ident.value}` is not a quantity a formula can use",
                ident.span,
                f"did you mean `{close[0]}`?" if close else "a formula uses " + ", ".join(FORMULA_QUANTITIES),
            )
        return n.FormulaNode(ident.span, "name", ident.value, ())

    @v_args(meta=True)
    def f_call(self, meta: Meta, c: list[Any]) -> n.FormulaNode:
        func: Token = c[0]
        return n.FormulaNode(self.mspan(meta), str(func), "", tuple(c[1:]))

    def FUNC(self, tok: Token) -> Token:
        return tok

    # ---- compensation and termination -------------------------------------------------------------
    @v_args(meta=True)
    def minimum_credit(self, meta: Meta, c: list[Any]) -> n.MinimumCredit:
        return n.MinimumCredit(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def terminate(self, meta: Meta, c: list[Any]) -> n.Terminate:
        return n.Terminate(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def claim_within_cycles(self, meta: Meta, c: list[Any]) -> tuple[str, Any]:
        return ("cycles", n.ClaimCycles(self.mspan(meta), c[0]))

    @v_args(meta=True)
    def maintenance(self, meta: Meta, c: list[Any]) -> n.Maintenance:
        limit = c[1] if len(c) > 1 else None
        per = c[2] if len(c) > 2 else None
        return n.Maintenance(self.mspan(meta), c[0], limit, per)

    # ---- examples --------------------------------------------------------------------------------
    @v_args(meta=True)
    def charges(self, meta: Meta, c: list[Any]) -> n.Charges:
        region = c[1] if len(c) == 3 else None
        return n.Charges(self.mspan(meta), c[0], region, c[-1])

    @v_args(meta=True)
    def requests(self, meta: Meta, c: list[Any]) -> n.Requests:
        if len(c) == 5:
            return n.Requests(self.mspan(meta), c[0], c[1], c[2], c[3], c[4])
        return n.Requests(self.mspan(meta), c[0], None, c[1], c[2], c[3])

    @v_args(meta=True)
    def condition_unmet(self, meta: Meta, c: list[Any]) -> n.ConditionUnmet:
        return n.ConditionUnmet(self.mspan(meta), c[0])

    def outage_service(self, c: list[Any]) -> tuple[str, Any]:
        return ("service", c[0])

    def outage_region(self, c: list[Any]) -> tuple[str, Any]:
        return ("region", c[0])

    @v_args(meta=True)
    def expect_scope_uptime(self, meta: Meta, c: list[Any]) -> n.ExpectScopeUptime:
        return n.ExpectScopeUptime(self.mspan(meta), c[0], c[1], c[2] if len(c) > 2 else None)

    @v_args(meta=True)
    def expect_claim_by(self, meta: Meta, c: list[Any]) -> n.ExpectClaimBy:
        return n.ExpectClaimBy(self.mspan(meta), c[0])

    @v_args(meta=True)
    def expect_termination(self, meta: Meta, c: list[Any]) -> n.ExpectTermination:
        return n.ExpectTermination(self.mspan(meta))


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _show(node: n.FormulaNode, *, top: bool = False, parent: int = 0, right: bool = False) -> str:
    """A formula written back canonically, with only the parentheses it needs."""
    if node.op == "number":
        return node.value
    if node.op == "percent":
        return node.value + "%"
    if node.op == "name":
        return node.value
    if node.op in ("min", "max"):
        return f"{node.op}(" + ", ".join(_show(a) for a in node.args) + ")"
    prec = _PRECEDENCE[node.op]
    text = f"{_show(node.args[0], parent=prec)} {node.op} {_show(node.args[1], parent=prec, right=True)}"
    if not top and (prec < parent or (prec == parent and right)):
        return f"({text})"
    return text
