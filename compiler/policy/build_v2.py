"""AST → policy for the terms of language v2 (services, conditions, windows, formulas, maintenance, termination).

Called by `build` for the parts of a policy that v2 adds. A v2 key is written only when the
contract uses the term, so the policy of a v1 contract is the v1 policy under the new format
version, and a runtime reads an absent key as the v1 meaning (see `policy/view.py`).
"""

from __future__ import annotations

from typing import Any

from .. import nodes as n
from .codec import decimal_str, money_str, seconds_of_ms


def _seconds(d: n.Duration) -> int | float:
    return seconds_of_ms(d.milliseconds)


def services(sla: n.Sla) -> list[dict[str, Any]]:
    out = []
    for s in sla.all(n.Service):
        name = s.first(n.DisplayName)
        rule = s.first(n.ErrorRate)
        out.append(
            {
                "id": s.name.value,
                "name": name.texts.by_lang() if name else None,
                "per_region": s.first(n.MeasuredPerRegion) is not None,
                "error_rate": None
                if rule is None
                else {
                    "above": decimal_str(rule.above.value),
                    "per_seconds": _seconds(rule.per),
                    "line": rule.span.line,
                },
                "line": s.span.line,
            }
        )
    return out


def add_contract_terms(sla: n.Sla, policy: dict[str, Any]) -> None:
    """The top-level v2 keys, each only when the contract has the term."""
    svc = services(sla)
    if svc:
        policy["services"] = svc
    conditions = sla.all(n.Condition)
    if conditions:
        policy["conditions"] = [
            {"id": c.name.value, "text": c.texts.by_lang(), "line": c.span.line} for c in conditions
        ]
    minimum = sla.first(n.MinimumCredit)
    if minimum is not None:
        policy["minimum_credit"] = {
            "amount": money_str(minimum.money.amount, minimum.money.currency),
            "currency": minimum.money.currency,
            "per": minimum.per.value,
            "line": minimum.span.line,
        }
    term = sla.first(n.Terminate)
    if term is not None:
        policy["termination"] = {
            "below": decimal_str(term.below.value),
            "months": term.count.value,
            "line": term.span.line,
        }


def availability_terms(av: n.Availability, out: dict[str, Any]) -> None:
    if av.first(n.WholeMinutes) is not None:
        out["whole_minutes"] = True


def exclusion(block: n.TextBlock, out: dict[str, Any]) -> None:
    if isinstance(block, n.Exclude) and block.maintenance is not None:
        m = block.maintenance
        out["maintenance"] = {
            "notice_seconds": _seconds(m.notice),
            "limit_seconds": _seconds(m.limit) if m.limit is not None else None,
            "line": m.span.line,
        }
    if isinstance(block, n.Clause) and block.title is not None:
        out["title"] = block.title.texts.by_lang()


def tier_terms(tier: n.Tier, out: dict[str, Any]) -> None:
    per_service = tier.all(n.ServiceUptime)
    if per_service:
        out["service_uptime"] = [
            {"service": u.service.value, "uptime": decimal_str(u.value.value), "line": u.span.line} for u in per_service
        ]


def credit_terms(credit: n.Credit, out: dict[str, Any]) -> None:
    name = credit.first(n.DisplayName)
    if name is not None:
        out["name"] = name.texts.by_lang()
    requires = credit.all(n.Requires)
    if requires:
        out["requires"] = [r.condition.value for r in requires]


def amount(a: n.AnyAmount) -> dict[str, Any] | None:
    """The v2 amounts (days of service, formulas) as policy JSON; None for a v1 amount."""
    if isinstance(a, n.ServiceDays):
        return {"service_days": decimal_str(a.count)}
    if isinstance(a, n.Formula):
        return {"formula": formula(a.expr), "text": a.raw}
    return None


def formula(node: n.FormulaNode) -> list[dict[str, Any]]:
    """A formula in postfix order: operands first, then the operator with its arity (a stack machine)."""
    if node.op == "number":
        return [{"number": node.value}]
    if node.op == "percent":
        return [{"percent": node.value}]
    if node.op == "name":
        return [{"quantity": node.value}]
    steps = [step for arg in node.args for step in formula(arg)]
    return [*steps, {"op": node.op, "arity": len(node.args)}]


def claim_terms(claim: n.Claim, out: dict[str, Any]) -> None:
    if claim.cycles is not None:
        out["within_cycles"] = claim.cycles.count.value
        out["required"] = True


def period_text(period: n.Period) -> str:
    if period.month:
        return f"{period.year:04d}-{period.month:02d}"
    if period.quarter:
        return f"{period.year:04d}-Q{period.quarter}"
    return f"{period.year:04d}"


def example_terms(ex: n.Example, out: dict[str, Any]) -> None:
    if isinstance(ex.title, n.Texts):
        out["titles"] = ex.title.by_lang()
    unmet = [s.condition.value for s in ex.all(n.ConditionUnmet)]
    if unmet:
        out["conditions_unmet"] = unmet
    scopes = ex.all(n.ExpectScopeUptime)
    expect = out["expect"]
    if scopes:
        expect["scopes"] = [
            {
                "service": s.service.value,
                "region": s.region.value if s.region else None,
                "percent": decimal_str(s.value.value),
                "decimals": len(s.value.raw.rstrip("%").partition(".")[2]),
                "line": s.span.line,
            }
            for s in scopes
        ]
    claim_by = ex.first(n.ExpectClaimBy)
    if claim_by is not None:
        expect["claim_by"] = {"date": claim_by.value.value.isoformat(), "line": claim_by.span.line}
    term = ex.first(n.ExpectTermination)
    if term is not None:
        expect["termination"] = {"line": term.span.line}


def event(ev: n.Node, line: int) -> dict[str, Any] | None:
    """A v2 example event (charges, requests) as policy JSON; None for a v1 event."""
    if isinstance(ev, n.Charges):
        return {
            "kind": "charges",
            "service": ev.service.value,
            "region": ev.region.value if ev.region else None,
            "amount": money_str(ev.money.amount, ev.money.currency),
            "currency": ev.money.currency,
            "line": line,
        }
    if isinstance(ev, n.Requests):
        return {
            "kind": "requests",
            "service": ev.service.value,
            "region": ev.region.value if ev.region else None,
            "start": ev.start.value.isoformat(),
            "duration_seconds": _seconds(ev.duration),
            "failing": decimal_str(ev.failing.value),
            "line": line,
        }
    return None


def outage_scope(ev: n.Outage, out: dict[str, Any]) -> None:
    if ev.service is not None:
        out["service"] = ev.service.value
    if ev.region is not None:
        out["region"] = ev.region.value
