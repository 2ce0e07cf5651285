"""Whether a policy uses a term of language v2: a light module (issue 15), so that the evaluation of a
v1 policy never imports the v2 evaluator (`runtime.scoped`, ≈50 ms) only to ask."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def needs_scopes(raw: Mapping[str, Any]) -> bool:
    """Whether a policy uses a term of language v2 (and is evaluated here)."""
    if any(k in raw for k in ("services", "conditions", "minimum_credit", "termination")):
        return True
    av = raw["availability"] or {}
    if raw["billing"] != "monthly" or av.get("window", "calendar_month") != "calendar_month" or av.get("whole_minutes"):
        return True
    if raw["cap"] and raw["cap"]["per"] != "month":  # a cap over a longer span than the month takes history
        return True
    if raw["claim"] and raw["claim"].get("within_cycles"):
        return True
    if any("maintenance" in e for e in raw["exclusions"]):
        return True
    amounts = [b["amount"] for c in raw["credits"] for b in c["bands"]]
    amounts += [c["per_miss"]["amount"] for c in raw["credits"] if c["per_miss"]]
    amounts += [raw["cap"]["amount"]] if raw["cap"] else []
    if any("formula" in a or "service_days" in a for a in amounts):
        return True
    return any(b.get("inclusive") for c in raw["credits"] for b in c["bands"]) or any(
        t.get("service_uptime") for t in raw["tiers"]
    )
