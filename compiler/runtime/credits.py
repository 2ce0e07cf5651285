"""Credits for one customer and period: per-miss and banded credit lines, one cap, one rounding at the end.

* A banded credit gives the single band of the worst threshold crossed (the lowest
  threshold the exact uptime is strictly below), never a sum; `below target` is the
  tier's uptime commitment (a tier without one skips that band). 99.0 % is not below
  99.0 %: uptime is compared as a ratio of integers (µs up / µs in the period) with the
  threshold as an exact fraction.
* A per-miss credit adds one amount per breached ticket (tickets with an excluded cause
  are never breaches, see `evaluate`).
* A credit applies only to the tiers in its `applies` list.
* All lines of the period add up exactly (`Decimal`); the cap (one per period) limits
  the sum; the result is rounded half-even to the currency's minor unit, once.
* A share is of the customer's fee for the period (`monthly_fee`, the only basis the
  language has).

The rules are compiled once per policy (thresholds as integer fractions, shares as
exact factors), so the per-customer work is a few integer comparisons and `Decimal`
multiplications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from ..policy.codec import money_str
from .policy import Policy
from .rules import band_threshold, bands_worst_first

# Exact products of a fee and a share (far more digits than any fee and share have together).
_EXACT = Context(prec=80)


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount as the policy states it: a share of the fee (factor = share / 100) or fixed money."""

    raw: dict[str, Any]
    factor: Decimal | None
    money: Decimal | None

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Amount:
        if "share" in raw:
            return cls(raw, _EXACT.divide(Decimal(raw["share"]), Decimal(100)), None)
        return cls(raw, None, Decimal(raw["money"]))

    def on(self, fee: Decimal) -> Decimal:
        if self.factor is not None:
            return _EXACT.multiply(fee, self.factor)
        assert self.money is not None
        return self.money

    def describe(self) -> str:
        if self.factor is not None:
            return f"{self.raw['share']}% of {self.raw['basis']}"
        return f"{self.raw['money']} {self.raw['currency']}"


@dataclass(frozen=True, slots=True)
class BandRule:
    raw: Mapping[str, Any]
    threshold: str  # percent, the tier's own for `below target`
    num: int  # threshold / 100 = num / den, exactly
    den: int
    amount: Amount


@dataclass(frozen=True, slots=True)
class CreditRule:
    """One credit as it applies to one tier: bands worst first, and the per-miss amount."""

    raw: dict[str, Any]
    bands: tuple[BandRule, ...]
    per_miss: Amount | None


@dataclass(frozen=True, slots=True)
class Line:
    """One credit line owed: which credit, which band or per-miss amount, and how much (exact)."""

    rule: CreditRule
    band: BandRule | None  # None: a per-miss line
    count: int  # breached tickets of a per-miss line
    each: Decimal | None
    amount: Decimal


class Rules:
    """The credit rules of a policy, per tier, plus the cap and the final rounding."""

    def __init__(self, policy: Policy):
        self.tiers: dict[str, tuple[CreditRule, ...]] = {}
        for tier, spec in policy.tiers.items():
            rules: list[CreditRule] = []
            for credit in policy.raw["credits"]:
                if tier not in credit["applies"]:
                    continue
                # Worst first, as `rules.bands_worst_first` orders them for every reader of a policy.
                ordered = tuple(
                    BandRule(
                        band,
                        band_threshold(band, spec["uptime"]) or "",
                        ratio.numerator,
                        ratio.denominator,
                        Amount.of(band["amount"]),
                    )
                    for ratio, band in bands_worst_first(credit["bands"], spec["uptime"])
                )
                per_miss = Amount.of(credit["per_miss"]["amount"]) if credit["per_miss"] else None
                rules.append(CreditRule(credit, ordered, per_miss))
            self.tiers[tier] = tuple(rules)
        cap = policy.raw["cap"]
        self.cap: Amount | None = Amount.of(cap["amount"]) if cap else None
        self.cap_raw = cap
        self.quantum = Decimal(1).scaleb(-policy.minor_digits)

    def lines(
        self, tier: str, fee: Decimal, up: int, period: int, breached: int, missed: Mapping[str, int] | None = None
    ) -> list[Line]:
        """Credit lines for `up` µs of uptime out of `period` µs and `breached` missed responses.

        `missed` (issue 12): missed resolutions and updates by target, for `per missed resolution|update`.
        """
        out: list[Line] = []
        for rule in self.tiers[tier]:
            for band in rule.bands:
                if up * band.den < band.num * period:  # strictly below the threshold
                    out.append(Line(rule, band, 0, None, band.amount.on(fee)))
                    break
            target = rule.raw["per_miss"].get("target", "response") if rule.per_miss is not None else None
            count = breached if target == "response" else (missed or {}).get(target or "", 0)
            if rule.per_miss is not None and count:
                each = rule.per_miss.on(fee)
                out.append(Line(rule, None, count, each, _EXACT.multiply(each, Decimal(count))))
        return out

    def settle(self, fee: Decimal, lines: list[Line]) -> tuple[Decimal, Decimal | None, Decimal]:
        """(exact subtotal, cap limit or None, total owed rounded half-even to the minor unit)."""
        subtotal = Decimal(0)
        for line in lines:
            subtotal = _EXACT.add(subtotal, line.amount)
        limit = self.cap.on(fee) if self.cap is not None else None
        owed = subtotal if limit is None or subtotal <= limit else limit
        return subtotal, limit, owed.quantize(self.quantum, rounding=ROUND_HALF_EVEN)


def rules(policy: Policy) -> Rules:
    """The policy's credit rules, compiled on first use and kept on the policy."""
    if policy.credit_rules is None:
        policy.credit_rules = Rules(policy)
    assert isinstance(policy.credit_rules, Rules)
    return policy.credit_rules


def describe(
    policy: Policy,
    lines: list[Line],
    uptime_display: str,
    breached: list[str],
    incidents: list[str],
    platform_incidents: int,
    missed_ids: Mapping[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The report's credit lines, each explaining itself (tickets or incidents, band, contract line)."""
    cur = policy.currency
    out: list[dict[str, Any]] = []
    for line in lines:
        credit = line.rule.raw
        amount = money_str(line.amount, cur)
        if line.band is not None:
            band = line.band
            is_target = band.raw["threshold"] == "target"
            out.append(
                {
                    "credit": credit["id"],
                    "kind": "band",
                    "credit_line": credit["line"],
                    "line": band.raw["line"],
                    "threshold": band.threshold,
                    "threshold_is_target": is_target,
                    "uptime": uptime_display,
                    "band": band.raw["amount"],
                    "incidents": incidents,
                    "platform_incidents": platform_incidents,
                    "amount": amount,
                    "explanation": (
                        f"uptime {uptime_display}% is below {band.threshold}%"
                        + (" (the tier's target)" if is_target else "")
                        + f": {band.amount.describe()} = {amount} {cur}"
                        + f" (contract line {band.raw['line']}, credit `{credit['id']}`)"
                    ),
                }
            )
            continue
        assert line.each is not None and credit["per_miss"] is not None
        per_miss = credit["per_miss"]
        target = per_miss.get("target", "response")
        each = money_str(line.each, cur)
        out.append(
            {
                "credit": credit["id"],
                "kind": "per_miss",
                "credit_line": credit["line"],
                "line": per_miss["line"],
                "each": per_miss["amount"],
                "each_amount": each,
                "count": line.count,
                "tickets": breached if target == "response" else list((missed_ids or {}).get(target, [])),
                "amount": amount,
                **({"target": target} if target != "response" else {}),  # issue 12, additive
                "explanation": (
                    f"{line.count} missed {target}{'s' if line.count != 1 else ''} × "
                    f"{Amount.of(per_miss['amount']).describe()} ({each} {cur}) = {amount} {cur}"
                    f" (contract line {per_miss['line']}, credit `{credit['id']}`)"
                ),
            }
        )
    return out
