"""The JSON text of a block of customers of the duckdb engine's native read, written lean.

`report_stream` used to run the runtime's assembly (`runtime.evaluate.assemble`) over each block and
indent every customer's dict on its own (`report_json._indented`): about 130 µs per customer, the
same work (uptime, credit lines, their explanations, the cap) done through the general code for
each of 1M customers. Here the same entries are computed with the per-tier rules resolved once per
report (`Plan`), in integers: the uptime as `entries.uptime_entry` rounds it, and money as whole
units of 10^-places (fees are whole minor units; every share and fixed amount of the policy is an
exact multiple), formatted as `codec.money_str` formats the exact `Decimal`. Each block is one orjson
call, its customers' breach lists spliced in from the runtime's breach text (`runtime.breaches`).
The text is the runtime assembly's byte for byte (tests/test_report_text.py compares them); a policy
with a term this writer does not know (`Plan.of` returns None) or a block with a fee in finer units
than the currency's (`block_text` returns None) keeps the runtime's assembly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.availability import Downtime
    from ..runtime.policy import Policy

DEPTH = "    "  # a customer's depth in the report: an item of the top-level `customers` list
_HOLE = b'"\x00"'  # where a breach list goes: orjson writes no raw NUL byte (it escapes one in a string)


@dataclass(frozen=True)
class _Money:
    """An amount of the policy in units of 10^-places: `per_fee` × the fee in minor units + `fixed`."""

    per_fee: int
    fixed: int


@dataclass(frozen=True)
class _Band:
    num: int  # the threshold / 100 = num / den, exactly
    den: int
    money: _Money
    head: dict[str, Any]  # the credit line's fields before `uptime`
    band: Any  # the band's amount as written
    said: str  # "uptime {shown}% is below 99.95% (the tier's target): 10% of monthly_fee = " after the display
    tail: str  # " (contract line 108, credit `downtime`)"


@dataclass(frozen=True)
class _PerMiss:
    money: _Money
    head: dict[str, Any]  # the fields before `each_amount`
    target: str
    response: bool  # a per-miss of missed responses (the only count the native read has)
    described: str
    tail: str


@dataclass(frozen=True)
class _Tier:
    target: str | None
    goal: tuple[int, int]  # the target / 100 as (numerator, denominator)
    line: int | None
    rules: tuple[tuple[tuple[_Band, ...], _PerMiss | None], ...]


@dataclass(frozen=True)
class Plan:
    """The per-tier rules of a policy as the lean writer reads them, resolved once per report."""

    tiers: dict[str, _Tier]
    currency: str
    decimals: int  # of the uptime display
    minor: int  # the currency's minor digits
    places: int  # of the exact money units (≥ minor)
    cap: _Money | None
    cap_raw: Any
    claim: Any
    payout: Any

    @classmethod
    def of(cls, policy: Policy, claim: Any) -> Plan | None:
        """The plan, or None for a policy with a term the lean writer does not write (ticket clocks)."""
        from ..policy.codec import minor_digits
        from ..runtime.credits import rules

        if policy.resolutions or policy.updates:  # ticket clocks: the runtime's assembly lists their misses
            return None
        compiled, cur = rules(policy), policy.currency
        minor = minor_digits(cur)
        amounts = [band.amount for rules_ in compiled.tiers.values() for r in rules_ for band in r.bands]
        amounts += [r.per_miss for rules_ in compiled.tiers.values() for r in rules_ if r.per_miss is not None]
        amounts += [compiled.cap] if compiled.cap is not None else []
        places = minor + max([0, *(_finer(a, minor) for a in amounts)])
        if any(not (a.factor or a.money or Decimal(0)).is_finite() for a in amounts) or places > 40:
            return None

        def money(amount: Any) -> _Money:
            if amount.factor is not None:
                return _Money(int(amount.factor.scaleb(places - minor)), 0)
            return _Money(0, int(amount.money.scaleb(places)))

        tiers = {name: _tier(spec, compiled.tiers[name], cur, money) for name, spec in policy.tiers.items()}
        payout = policy.raw["payout"]
        return cls(
            tiers,
            cur,
            policy.uptime_decimals,
            minor,
            places,
            None if compiled.cap is None else money(compiled.cap),
            compiled.cap_raw,
            claim,
            None if payout is None else {"form": payout["form"], "when": payout["when"], "line": payout["line"]},
        )


def _finer(amount: Any, minor: int) -> int:
    """The decimal places an amount needs beyond the minor unit's: a share's of a fee, a fixed amount's."""
    if amount.factor is not None:
        return max(0, -int(amount.factor.normalize().as_tuple().exponent))
    return max(0, -int(amount.money.normalize().as_tuple().exponent) - minor)


def _tier(spec: dict[str, Any], rules: Any, cur: str, money: Any) -> _Tier:
    target = spec["uptime"]
    goal = (0, 1) if target is None else Decimal(target).as_integer_ratio()  # entries._percent, exactly
    made = []
    for rule in rules:
        credit = rule.raw
        bands = tuple(_band(credit, band, cur, money(band.amount)) for band in rule.bands)
        per_miss = None
        if rule.per_miss is not None:
            raw = credit["per_miss"]
            target_of = raw.get("target", "response")
            per_miss = _PerMiss(
                money(rule.per_miss),
                {"credit": credit["id"], "kind": "per_miss", "credit_line": credit["line"], "line": raw["line"],
                 "each": raw["amount"]},
                target_of,
                target_of == "response",
                rule.per_miss.describe(),
                f" (contract line {raw['line']}, credit `{credit['id']}`)",
            )  # fmt: skip
        made.append((bands, per_miss))
    return _Tier(target, goal, spec["line"], tuple(made))


def _band(credit: dict[str, Any], band: Any, cur: str, money: _Money) -> _Band:
    is_target = band.raw["threshold"] == "target"
    return _Band(
        band.num,
        band.den,
        money,
        {"credit": credit["id"], "kind": "band", "credit_line": credit["line"], "line": band.raw["line"],
         "threshold": band.threshold, "threshold_is_target": is_target},
        band.raw["amount"],
        f"% is below {band.threshold}%{' (the tier' + chr(39) + 's target)' if is_target else ''}: "
        f"{band.amount.describe()} = ",
        f" {cur} (contract line {band.raw['line']}, credit `{credit['id']}`)",
    )  # fmt: skip


def _fixed(q: int, places: int) -> str:
    """`format(Decimal(q).scaleb(-places), "f")` for q ≥ 0."""
    if places == 0:
        return str(q)
    text = str(q).rjust(places + 1, "0")
    return f"{text[:-places]}.{text[-places:]}"


def _rounded(num: int, den: int, places: int) -> int:
    """`numbers.round_ratio(num, den, places)` as the integer of its last place (half even)."""
    q, r = divmod(num * 10**places, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return q


def _plain(q: int, places: int) -> str:
    """`codec.decimal_str(Decimal(q).scaleb(-places))` for q ≥ 0: no trailing zeros, no exponent."""
    whole, part = divmod(q, 10**places)
    digits = str(part).rjust(places, "0").rstrip("0") if places else ""
    return f"{whole}.{digits}" if digits else str(whole)


def fee_units(fees: list[Decimal], minor: int) -> list[int] | None:
    """Each fee in whole minor units, or None when one is finer than them (or negative, or not finite)."""
    units = []
    for fee in fees:
        if not fee.is_finite() or fee < 0:
            return None
        unit = int(fee.scaleb(minor))
        if unit != fee.scaleb(minor):
            return None
        units.append(unit)
    return units


def block_text(
    plan: Plan,
    ids: list[str],
    tiers: list[str],
    fees: list[int],
    length: int,
    down: Downtime,
    incident_ids: list[str],
    breaches: Any,
    entries: list[dict[str, int]],
) -> bytes:
    """The customers' JSON text as `report_stream`'s runtime assembly and `json_chunks` write them
    (`fees` in minor units: `fee_units`)."""
    import orjson
    from numpy import flatnonzero

    from ..policy.codec import seconds_of_us

    cur, decimals, places, minor = plan.currency, plan.decimals, plan.places, plan.minor
    finer = 10 ** (places - minor)

    def money(units: int) -> str:  # codec.money_str of units × 10^-places
        if units % finer == 0:
            return _fixed(units // finer, minor)
        return _plain(units, places)

    keys = list(enumerate(down.keys))
    counted_us, platform = down.counted.tolist(), down.platform_counted.tolist()
    excluded = set(flatnonzero(down.excluded.any(axis=1)).tolist()) if len(keys) else set()
    excluded_us = down.excluded.tolist()
    own_ids = [incident_ids[i] for i in down.own_incident.tolist()]
    flags, own_bounds = down.own_counts.tolist(), down.own_bounds.tolist()
    bounds = breaches.bounds
    out = []
    hole = orjson.Fragment(_HOLE)
    cap, cap_raw = plan.cap, plan.cap_raw
    for c, (ident, tier_name, fee) in enumerate(zip(ids, tiers, fees, strict=True)):
        tier = plan.tiers[tier_name]
        counted = counted_us[c]
        up = length - counted
        uptime = _uptime(tier, up, length, decimals)
        mine = range(own_bounds[c], own_bounds[c + 1])
        own_counted = [own_ids[k] for k in mine if flags[k]]
        a, b = bounds[c], bounds[c + 1]
        found = _credits(tier, fee, up, length, uptime["display"], own_counted, platform[c], b - a, money, cur)
        credits, subtotal = found
        if a != b and any(line["kind"] == "per_miss" for line in credits):  # the tickets the line counts
            for line in credits:
                if line["kind"] == "per_miss":
                    line["tickets"] = breaches.ident[a:b].tolist()
        limit = None if cap is None else fee * cap.per_fee + cap.fixed
        owed = subtotal if limit is None or subtotal <= limit else limit
        q, r = divmod(owed, finer)  # rounded half-even to the minor unit
        if 2 * r > finer or (2 * r == finer and q % 2 == 1):
            q += 1
        out.append({
            "customer": ident, "tier": tier_name, "fee": _fixed(fee, minor), "currency": cur, "uptime": uptime,
            "downtime": {
                "counted_seconds": seconds_of_us(counted),
                "excluded": [] if c not in excluded else
                            [{"cause": cause, "reason": reason, "seconds": seconds_of_us(excluded_us[c][j])}
                             for j, (cause, reason) in keys if excluded_us[c][j]],
                "incidents": own_counted, "excluded_incidents": [own_ids[k] for k in mine if not flags[k]],
                "platform_incidents": platform[c],
            },
            "tickets": entries[c], "breaches": hole if a != b else [], "credits": credits, "subtotal": money(subtotal),
            "cap": None if cap_raw is None or limit is None else
                   {"amount": cap_raw["amount"], "limit": money(limit), "applied": subtotal > limit,
                    "line": cap_raw["line"]},
            "total": _fixed(q, minor), "claim": plan.claim, "payout": plan.payout,
        })  # fmt: skip
    return _spliced(out, breaches)


def _uptime(tier: _Tier, up: int, length: int, decimals: int) -> dict[str, Any]:
    """`entries.uptime_entry`'s entry of `up` µs of `length`, in integers."""
    g = math.gcd(up, length)
    target = tier.target
    return {
        "fraction": f"{up // g}/{length // g}",
        "percent": _plain(_rounded(up * 100, length, 9), 9),
        "display": _fixed(_rounded(up * 100, length, decimals), decimals),
        "decimals": decimals,
        "target": target,
        "met": None if target is None else up * 100 * tier.goal[1] >= tier.goal[0] * length,
        "line": tier.line if target is not None else None,
    }


def _credits(
    tier: _Tier, fee: int, up: int, length: int, shown: str, incidents: list[str], platform: int, missed: int,
    money: Any, cur: str
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    """`credits.describe`'s lines of `Rules.lines` and their exact sum (units of the plan's places);
    a per-miss line's `tickets` are left for the caller (only it has the breach ids)."""
    credits, subtotal = [], 0
    for bands, per_miss in tier.rules:
        for band in bands:
            if up * band.den < band.num * length:  # strictly below the threshold
                amount = fee * band.money.per_fee + band.money.fixed
                subtotal += amount
                text = money(amount)
                credits.append({
                    **band.head, "uptime": shown, "band": band.band, "incidents": incidents,
                    "platform_incidents": platform, "amount": text,
                    "explanation": f"uptime {shown}{band.said}{text}{band.tail}",
                })  # fmt: skip
                break
        if per_miss is not None and per_miss.response and missed:
            each = fee * per_miss.money.per_fee + per_miss.money.fixed
            amount = each * missed
            subtotal += amount
            each_text, text = money(each), money(amount)
            credits.append({
                **per_miss.head, "each_amount": each_text, "count": missed, "tickets": [], "amount": text,
                **({"target": per_miss.target} if per_miss.target != "response" else {}),
                "explanation": f"{missed} missed {per_miss.target}{'s' if missed != 1 else ''} × "
                               f"{per_miss.described} ({each_text} {cur}) = {text} {cur}{per_miss.tail}",
            })  # fmt: skip
    return credits, subtotal


def _spliced(customers: list[dict[str, Any]], breaches: Any) -> bytes:
    """The customers as `json_chunks` writes them (without the list's brackets), each breach list
    spliced in where its hole is."""
    import orjson

    if not customers:
        return b""
    parts = orjson.dumps(customers, option=orjson.OPT_INDENT_2)[4:-2].replace(b"\n", b"\n  ").split(_HOLE)
    bounds = breaches.bounds
    listed = [c for c in range(len(customers)) if bounds[c] != bounds[c + 1]]
    pieces = [parts[0]]
    for c, part in zip(listed, parts[1:], strict=True):
        pieces += (breaches.run(c).json_fragment(DEPTH), part)
    return b"".join(pieces)
