"""Credits for one customer and period: per-miss and banded credit lines, one cap, one rounding at the end.

* A banded credit gives the single band of the worst threshold crossed (the lowest
  threshold the exact uptime is strictly below), never a sum; `below target` is the
  tier's uptime commitment (a tier without one skips that band). 99.0 % is not below
  99.0 %: uptime is an exact fraction and thresholds exact decimals.
* A per-miss credit adds one amount per breached ticket (tickets with an excluded cause
  are never breaches, see `evaluate`).
* A credit applies only to the tiers in its `applies` list.
* All lines of the period add up exactly (`Decimal`); the cap (one per period) limits
  the sum; the result is rounded half-even to the currency's minor unit, once.
* A share is of the customer's fee for the period (`monthly_fee`, the only basis the
  language has).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from ..policy import money_str
from .policy import Policy


def amount_of(amount: dict[str, Any], fee: Decimal) -> Decimal:
    """An amount as stated in the policy (a share of the fee, or fixed money), exactly."""
    if "share" in amount:
        return fee * Decimal(amount["share"]) / 100
    return Decimal(amount["money"])


def describe(amount: dict[str, Any]) -> str:
    if "share" in amount:
        return f"{amount['share']}% of {amount['basis']}"
    return f"{amount['money']} {amount['currency']}"


def below(uptime: Fraction, percent: str) -> bool:
    """Exact uptime (a fraction of 1) strictly below a percentage given as a decimal string."""
    return uptime * 100 < Fraction(Decimal(percent))


def credit_lines(
    policy: Policy,
    tier: str,
    fee: Decimal,
    uptime: Fraction,
    uptime_display: str,
    breached: list[str],
    incidents: list[str],
    platform_incidents: int,
) -> list[dict[str, Any]]:
    """The credit lines owed, in contract order, each explaining itself."""
    cur = policy.currency
    target = policy.tiers[tier]["uptime"]
    lines: list[dict[str, Any]] = []
    for credit in policy.raw["credits"]:
        if tier not in credit["applies"]:
            continue
        worst: tuple[Fraction, int, dict[str, Any], str] | None = None
        for order, band in enumerate(credit["bands"]):
            threshold = target if band["threshold"] == "target" else band["threshold"]
            if threshold is None or not below(uptime, threshold):
                continue
            key = Fraction(Decimal(threshold))
            # The lowest threshold crossed; of two equal ones the later (the contract's worse case).
            if worst is None or (key, -order) <= (worst[0], -worst[1]):
                worst = (key, order, band, threshold)
        if worst is not None:
            _, _, band, threshold = worst
            amount = amount_of(band["amount"], fee)
            is_target = band["threshold"] == "target"
            lines.append(
                {
                    "credit": credit["id"],
                    "kind": "band",
                    "credit_line": credit["line"],
                    "line": band["line"],
                    "threshold": threshold,
                    "threshold_is_target": is_target,
                    "uptime": uptime_display,
                    "band": band["amount"],
                    "incidents": incidents,
                    "platform_incidents": platform_incidents,
                    "amount": money_str(amount, cur),
                    "explanation": (
                        f"uptime {uptime_display}% is below {threshold}%"
                        + (" (the tier's target)" if is_target else "")
                        + f": {describe(band['amount'])} = {money_str(amount, cur)} {cur}"
                        + f" (contract line {band['line']}, credit `{credit['id']}`)"
                    ),
                }
            )
        per_miss = credit["per_miss"]
        if per_miss is not None and breached:
            each = amount_of(per_miss["amount"], fee)
            amount = each * len(breached)
            lines.append(
                {
                    "credit": credit["id"],
                    "kind": "per_miss",
                    "credit_line": credit["line"],
                    "line": per_miss["line"],
                    "each": per_miss["amount"],
                    "each_amount": money_str(each, cur),
                    "count": len(breached),
                    "tickets": breached,
                    "amount": money_str(amount, cur),
                    "explanation": (
                        f"{len(breached)} missed response{'s' if len(breached) != 1 else ''} × "
                        f"{describe(per_miss['amount'])} ({money_str(each, cur)} {cur}) = {money_str(amount, cur)} {cur}"
                        f" (contract line {per_miss['line']}, credit `{credit['id']}`)"
                    ),
                }
            )
    return lines


def settle(policy: Policy, fee: Decimal, lines: list[dict[str, Any]]) -> tuple[Decimal, dict[str, Any] | None, Decimal]:
    """(exact subtotal, cap entry or None, total owed rounded half-even to the minor unit)."""
    subtotal = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    cap = policy.raw["cap"]
    limited = subtotal
    cap_entry: dict[str, Any] | None = None
    if cap is not None:
        limit = amount_of(cap["amount"], fee)
        limited = min(subtotal, limit)
        cap_entry = {
            "amount": cap["amount"],
            "limit": money_str(limit, policy.currency),
            "applied": subtotal > limit,
            "line": cap["line"],
        }
    total = limited.quantize(Decimal(1).scaleb(-policy.minor_digits), rounding=ROUND_HALF_EVEN)
    return subtotal, cap_entry, total
