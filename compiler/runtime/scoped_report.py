"""The report entries of a v2 evaluation: per customer its scopes (uptime, downtime, credit lines, cap,
termination), its per-miss lines, the customer cap, the minimum credit, the total and the claim."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..policy.codec import decimal_str, money_str
from . import scoped_credits as sc
from .calendar import from_us, to_us, wall_to_us
from .events import Events
from .numbers import round_half_even, round_ratio
from .policy import Policy
from .scoped import Compiled, Scope, _Data, compiled
from .windows import Window, add_months, claim_last_day, month_window

REPORT_FORMAT = "1.1"


def assemble_scoped(
    policy: Policy,
    events: Events,
    window: Window,
    as_of: int,
    breach_lists: list[list[dict[str, Any]]],
    counts: list[dict[str, int]],
    clock_lists: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report of one window of a v2 policy, its tickets already measured (`evaluate`).

    `clock_lists` (issue 12): each customer's missed resolutions and updates, added to its entry.
    """
    comp = compiled(policy)
    data = _Data(policy, events, comp)
    n = len(events.customers.id)
    extra = clock_lists or [{} for _ in range(n)]
    out = [
        customer_entry(policy, comp, data, window, events, c, breach_lists[c], counts[c], extra[c]) for c in range(n)
    ]
    return {**header(policy, window, as_of, REPORT_FORMAT), "platform_incidents": [], "customers": out}


def termination(policy: Policy, data: _Data, customer: str, scope: Scope, window: Window) -> dict[str, Any] | None:
    """Whether the scope's uptime was below the termination threshold in each of the last N months."""
    term = policy.raw.get("termination")
    if term is None:
        return None
    below = Fraction(Decimal(term["below"])) / 100
    months = []
    last = add_months(window.first, window.months - 1)
    for k in range(term["months"] - 1, -1, -1):
        month = month_window(add_months(last, -k), policy.zone)
        m = data.measure(customer, scope, month.start, month.end, ids=False)
        length = month.end - month.start
        up = Fraction(length - m.counted, length)
        months.append({"month": month.name, "uptime": decimal_str(round_half_even(up * 100, 9)), "below": up < below})
    return {"right": all(m["below"] for m in months), "months": months, "line": term["line"]}


def claim_entry(policy: Policy, window: Window) -> dict[str, Any] | None:
    claim = policy.raw["claim"]
    if claim is None:
        return None
    deadline = last_day = None
    if claim.get("within_cycles"):
        day = claim_last_day(window, claim["within_cycles"], policy.raw["billing"])
        end = wall_to_us(day + timedelta(days=1), 0, policy.zone)
        deadline, last_day = from_us(end, policy.zone).isoformat(), day.isoformat()
    elif claim["within_seconds"] is not None:
        end_local = from_us(window.end, policy.zone).replace(tzinfo=None)
        moment = (end_local + timedelta(seconds=claim["within_seconds"])).replace(tzinfo=policy.zone)
        deadline = moment.isoformat()
        last_day = from_us(to_us(moment) - 1, policy.zone).date().isoformat()
    via = claim["via"] or {}
    return {
        "required": claim["required"],
        "deadline": deadline,
        "last_day": last_day,
        "channel": via.get("channel"),
        "address": via.get("address"),
        "line": claim["line"],
    }


def header(policy: Policy, window: Window, as_of: int, version: str) -> dict[str, Any]:
    raw = policy.raw

    def ts(us: int) -> str:
        return from_us(us, policy.zone).isoformat()

    return {
        "format_version": version,
        "period": window.name,
        "period_start": ts(window.start),
        "period_end": ts(window.end),
        "period_seconds": (window.end - window.start) // 1_000_000,
        "as_of": ts(as_of),
        "contract": {
            "id": raw["contract"]["id"],
            "title": raw["title"],
            "version": raw["contract"]["version"],
            "source_sha256": raw["contract"]["source"]["sha256"],
        },
        "policy_hash": policy.hash,
        "currency": policy.currency,
    }


def uptime_entry(policy: Policy, target: str | None, up: int, length: int, line: int | None) -> dict[str, Any]:
    g = math.gcd(up, length)
    met = None
    if target is not None:
        goal = Fraction(Decimal(target))
        met = up * 100 * goal.denominator >= goal.numerator * length
    return {
        "fraction": f"{up // g}/{length // g}",
        "percent": decimal_str(round_ratio(up * 100, length, 9)),
        "display": format(round_ratio(up * 100, length, policy.uptime_decimals), "f"),
        "decimals": policy.uptime_decimals,
        "target": target,
        "met": met,
        "line": line if target is not None else None,
    }


def _conditions(policy: Policy, events: Events, c: int) -> dict[str, bool]:
    names = [x["id"] for x in policy.raw.get("conditions", [])]
    cols = events.customers.conditions
    return {name: bool(cols[name][c]) if name in cols else True for name in names}


def _band_lines(
    policy: Policy, comp: Compiled, tier: str, scope: Scope, q: sc.Quantities, met: dict[str, bool], display: str
) -> tuple[list[dict[str, Any]], list[str], Fraction]:
    """(credit lines, conditions unmet, exact sum) of the band credits of one scope."""
    cur = policy.currency
    lines: list[dict[str, Any]] = []
    unmet: list[str] = []
    total = Fraction(0)
    target = comp.targets[(tier, scope[0])]
    for credit in policy.raw["credits"]:
        if tier not in credit["applies"] or not credit["bands"]:
            continue
        band = sc.paying(sc.bands_worst_first(credit["bands"], target), q.window - q.downtime, q.window)
        if band is None:
            continue
        missing = [name for name in credit.get("requires", []) if not met.get(name, True)]
        if missing:
            unmet.extend(m for m in missing if m not in unmet)
            continue
        amount = sc.value(band.raw["amount"], q)
        total += amount
        word = "at or below" if band.inclusive else "below"
        is_target = band.raw["threshold"] == "target"
        lines.append(
            {
                "credit": credit["id"],
                "kind": "formula" if "formula" in band.raw["amount"] else "band",
                "credit_line": credit["line"],
                "line": band.raw["line"],
                "threshold": band.threshold,
                "threshold_is_target": is_target,
                "inclusive": band.inclusive,
                "uptime": display,
                "band": band.raw["amount"],
                "amount": money_str(sc.decimal_of(amount), cur),
                "explanation": (
                    f"uptime {display}% is {word} {band.threshold}%"
                    + (" (the tier's target)" if is_target else "")
                    + f": {sc.describe(band.raw['amount'], cur)} = {money_str(sc.decimal_of(amount), cur)} {cur}"
                    + f" (contract line {band.raw['line']}, credit `{credit['id']}`)"
                ),
            }
        )
    return lines, unmet, total


def _cap(policy: Policy, q: sc.Quantities, subtotal: Fraction) -> tuple[dict[str, Any] | None, Fraction]:
    cap = policy.raw["cap"]
    if cap is None:
        return None, subtotal
    limit = sc.value(cap["amount"], q)
    entry = {
        "amount": cap["amount"],
        "limit": money_str(sc.decimal_of(limit), policy.currency),
        "applied": subtotal > limit,
        "line": cap["line"],
    }
    return entry, min(subtotal, limit)


def scope_entry(
    policy: Policy, comp: Compiled, data: _Data, window: Window, customer: str, tier: str, fee: Fraction, scope: Scope,
    met: dict[str, bool],
) -> tuple[dict[str, Any], Fraction]:  # fmt: skip
    length = window.end - window.start
    m = data.measure(customer, scope, window.start, window.end)
    charges = data.charges.get((customer, scope[0], scope[1]))
    target = comp.targets[(tier, scope[0])]
    q = sc.Quantities(
        fee, window.months, window.days, charges or Fraction(0), m.counted, length,
        Fraction(Decimal(target)) / 100 if target is not None else None,
    )  # fmt: skip
    up = uptime_entry(policy, target, length - m.counted, length, policy.tiers[tier]["line"])
    lines, unmet, subtotal = _band_lines(policy, comp, tier, scope, q, met, up["display"])
    cap_entry, capped = (None, subtotal)
    if sc.cap_is_per_scope(policy.raw["cap"]):
        cap_entry, capped = _cap(policy, q, subtotal)
    entry = {
        "service": scope[0],
        "region": scope[1],
        "charges": money_str(sc.decimal_of(charges), policy.currency) if charges is not None else None,
        "uptime": up,
        "downtime": {
            "counted_seconds": m.counted // 1_000_000 if m.counted % 1_000_000 == 0 else m.counted / 1_000_000,
            "excluded": [
                {
                    "cause": cause,
                    "reason": reason,
                    "seconds": us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000,
                }
                for (cause, reason), us in m.excluded.items()
            ],
            "incidents": m.incidents,
            "excluded_incidents": m.excluded_incidents,
            "platform_incidents": m.platform_counted,
            "error_rate_intervals": m.error_intervals,
        },
        "credits": lines,
        "conditions_unmet": unmet,
        "subtotal": money_str(sc.decimal_of(subtotal), policy.currency),
        "cap": cap_entry,
        "termination": termination(policy, data, customer, scope, window),
    }
    return entry, capped


def customer_entry(
    policy: Policy,
    comp: Compiled,
    data: _Data,
    window: Window,
    events: Events,
    c: int,
    breaches: list[dict[str, Any]],
    tickets: dict[str, int],
    clocks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    cur = policy.currency
    clocks = clocks or {}
    customers = events.customers
    customer, tier = str(customers.id[c]), str(customers.tier[c])
    fee = Fraction(customers.fee[c])
    met = _conditions(policy, events, c)
    scopes, total = [], Fraction(0)
    all_charges = sum((data.charges[(customer, s, g)] for s, g in data.charged.get(customer, ())), Fraction(0))
    for scope in data.scopes(customer):
        entry, amount = scope_entry(policy, comp, data, window, customer, tier, fee, scope, met)
        scopes.append(entry)
        total += amount
    q = sc.Quantities(fee, window.months, window.days, all_charges, 0, window.end - window.start, None)
    per_miss, missed = _per_miss(policy, tier, q, breaches, clocks)
    total += missed
    cap_entry = None
    if not sc.cap_is_per_scope(policy.raw["cap"]):
        cap_entry, total = _cap(policy, q, total)
    minimum = policy.raw.get("minimum_credit")
    minimum_entry = None
    if minimum is not None:
        floor = Fraction(Decimal(minimum["amount"]))
        minimum_entry = {"amount": minimum["amount"], "applied": 0 < total < floor, "line": minimum["line"]}
        if total < floor:
            total = Fraction(0)
    payout = policy.raw["payout"]
    return {
        "customer": customer,
        "tier": tier,
        "fee": money_str(customers.fee[c], cur),
        "currency": cur,
        "uptime": None,
        "downtime": None,
        "tickets": tickets,
        "breaches": breaches,
        "credits": per_miss,
        "scopes": scopes,
        "conditions": met,
        "subtotal": money_str(sc.decimal_of(total), cur),
        "cap": cap_entry,
        "minimum_credit": minimum_entry,
        "total": format(round_half_even(total, policy.minor_digits), "f"),
        "termination_right": any(s["termination"] and s["termination"]["right"] for s in scopes),
        "claim": claim_entry(policy, window),
        "payout": None if payout is None else {"form": payout["form"], "when": payout["when"], "line": payout["line"]},
        **clocks,
    }


def _per_miss(
    policy: Policy, tier: str, q: sc.Quantities, breaches: list[dict[str, Any]], clocks: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], Fraction]:
    cur = policy.currency
    out = []
    exact = Fraction(0)
    # Issue 12: `per missed resolution|update` counts the customer's missed resolutions (cycles) and updates.
    missed = {
        "response": [b["id"] for b in breaches],
        "resolution": [m["id"] for m in (clocks or {}).get("missed_resolutions", ())],
        "update": [u["id"] for u in (clocks or {}).get("missed_updates", ()) for _ in range(u["count"])],
    }
    for credit in policy.raw["credits"]:
        pm = credit["per_miss"]
        target = pm.get("target", "response") if pm is not None else "response"
        if tier not in credit["applies"] or pm is None or not missed[target]:
            continue
        each = sc.value(pm["amount"], q)
        count = len(missed[target])
        amount = each * count
        exact += amount
        out.append(
            {
                "credit": credit["id"],
                "kind": "per_miss",
                "credit_line": credit["line"],
                "line": pm["line"],
                "each": pm["amount"],
                "each_amount": money_str(sc.decimal_of(each), cur),
                "count": count,
                "tickets": list(dict.fromkeys(missed[target])),
                "amount": money_str(sc.decimal_of(amount), cur),
                **({"target": target} if target != "response" else {}),  # issue 12, additive
                "explanation": (
                    f"{count} missed {target}{'s' if count != 1 else ''} × {sc.describe(pm['amount'], cur)} "
                    f"({money_str(sc.decimal_of(each), cur)} {cur}) = {money_str(sc.decimal_of(amount), cur)} {cur}"
                    f" (contract line {pm['line']}, credit `{credit['id']}`)"
                ),
            }
        )
    return out, exact
