"""Credits for one customer and period: per-miss and banded credit lines, one cap, one rounding at the end.

* A banded credit gives the single band of the worst threshold crossed (the lowest
  threshold the exact uptime is strictly below), never a sum; `below target` is the
  tier's uptime commitment (a tier without one skips that band). 99.0 % is not below
  99.0 %: uptime is compared as a ratio of integers (µs up / µs in the period) with the
  threshold as an exact fraction.
* A per-miss credit adds one amount per miss: a late response, a missed resolution or a missed
  update (tickets with an excluded cause are never breaches, see `evaluate`).
* A credit applies only to the tiers in its `applies` list.
* All lines of the period add up exactly (in integers, `report_text`); the cap (one per period) limits
  the sum; the result is rounded half-even to the currency's minor unit, once.
* A share is of the customer's fee for the period (`monthly_fee`, the only basis the
  language has).

The rules are compiled here once per policy (thresholds as integer fractions, shares as
exact factors); the report's writer (`report_text`) resolves them into integers per report and
pays them, so the per-customer work is a few integer comparisons and multiplications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

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


class Rules:
    """The credit rules of a policy, per tier, plus the cap (paid by `report_text`)."""

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


def rules(policy: Policy) -> Rules:
    """The policy's credit rules, compiled on first use and kept on the policy."""
    if policy.credit_rules is None:
        policy.credit_rules = Rules(policy)
    assert isinstance(policy.credit_rules, Rules)
    return policy.credit_rules
