"""Each customer's entry of a format 1.0 report (`evaluate.assemble`), written lean; and their JSON text.

The one writer of a customer's uptime, downtime, credit lines, cap and total, used by the numpy
engine's assembly (as dicts, `customer_entries`) and by the duckdb engine's native read (as the JSON
text of a block of customers, `block_text`, one orjson call per block). The per-tier rules are
resolved once per report (`Plan`), and money is computed in integers: whole units of 10^-places,
where `places` holds every amount exactly (each fee in its own digits, each share of it and each
fixed amount of the policy), formatted as `codec.money_str` formats the exact `Decimal`. A credit
counts missed responses (the breaches), or missed resolutions and updates (issue 12: the customer's
clock entries, `tickets_report`), which the entry then lists after its payout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .entries import uptime_entry
from .report_json import CUSTOMER_INDENT
from .tickets_report import missed_counts, missed_ids

if TYPE_CHECKING:  # pragma: no cover
    from .availability import Downtime
    from .breaches import BreachColumns
    from .policy import Policy

DEPTH = CUSTOMER_INDENT  # a customer's depth in the report (`report_json`, which writes it)
_HOLE = b'"\x00"'  # where a breach list goes: orjson writes no raw NUL byte (it escapes one in a string)


@dataclass(frozen=True, slots=True)
class _Money:
    """An amount of the policy in units of 10^-places: `per_fee` × the fee in its units + `fixed`."""

    per_fee: int
    fixed: int


@dataclass(frozen=True, slots=True)
class _Band:
    num: int  # the threshold / 100 = num / den, exactly
    den: int
    money: _Money
    head: dict[str, Any]  # the credit line's fields before `uptime`
    band: Any  # the band's amount as written
    said: str  # "% is below 99.95% (the tier's target): 10% of monthly_fee = " after the display
    tail: str  # " USD (contract line 108, credit `downtime`)"


@dataclass(frozen=True, slots=True)
class _PerMiss:
    money: _Money
    head: dict[str, Any]  # the fields before `each_amount`
    target: str  # response, resolution or update
    described: str
    tail: str


@dataclass(frozen=True, slots=True)
class _Tier:
    target: str | None
    line: int | None
    rules: tuple[tuple[tuple[_Band, ...], _PerMiss | None], ...]


@dataclass(frozen=True)
class Plan:
    """The per-tier rules of a policy as the writer reads them, resolved once per report; fees in
    units of 10^-(minor + fee_digits), amounts in units of 10^-places."""

    tiers: dict[str, _Tier]
    policy: Policy
    currency: str
    minor: int  # the currency's minor digits
    fee_digits: int  # the fees' digits beyond the minor unit
    places: int  # of the exact money units (≥ minor + fee_digits)
    cap: _Money | None
    cap_raw: Any
    claim: Any
    payout: Any

    @classmethod
    def of(cls, policy: Policy, claim: Any, fee_digits: int = 0) -> Plan:
        """The plan of a report whose fees have at most `fee_digits` digits beyond the minor unit."""
        from ..policy.codec import minor_digits
        from .credits import rules

        compiled, cur = rules(policy), policy.currency
        minor = minor_digits(cur)
        amounts = [band.amount for rules_ in compiled.tiers.values() for r in rules_ for band in r.bands]
        amounts += [r.per_miss for rules_ in compiled.tiers.values() for r in rules_ if r.per_miss is not None]
        amounts += [compiled.cap] if compiled.cap is not None else []
        share = max([0, *(_digits(a.factor) for a in amounts if a.factor is not None)])
        fixed = max([0, *(_digits(a.money) - minor for a in amounts if a.money is not None)])
        places = minor + max(fee_digits + share, fixed, fee_digits)

        def money(amount: Any) -> _Money:
            if amount.factor is not None:
                return _Money(int(amount.factor.scaleb(places - minor - fee_digits)), 0)
            return _Money(0, int(amount.money.scaleb(places)))

        tiers = {name: _tier(spec, compiled.tiers[name], cur, money) for name, spec in policy.tiers.items()}
        payout = policy.raw["payout"]
        return cls(
            tiers,
            policy,
            cur,
            minor,
            fee_digits,
            places,
            None if compiled.cap is None else money(compiled.cap),
            compiled.cap_raw,
            claim,
            None if payout is None else {"form": payout["form"], "when": payout["when"], "line": payout["line"]},
        )

    def for_fees(self, fees: Any) -> tuple[Plan, list[int]]:
        """The plan for these fees (finer ones than the minor unit need more places) and each fee in its units."""
        units = fee_units(fees, self.minor + self.fee_digits)
        if units is not None:
            return self, units
        digits = max(max(0, _digits(fee) - self.minor) for fee in fees)
        plan = Plan.of(self.policy, self.claim, digits)
        found = fee_units(fees, plan.minor + digits)
        assert found is not None
        return plan, found


def _digits(value: Decimal) -> int:
    """The decimal places `value` needs (0 for a whole number)."""
    return max(0, -int(value.normalize().as_tuple().exponent))


def _tier(spec: dict[str, Any], rules: Any, cur: str, money: Any) -> _Tier:
    made = []
    for rule in rules:
        credit = rule.raw
        bands = tuple(_band(credit, band, cur, money(band.amount)) for band in rule.bands)
        per_miss = None
        if rule.per_miss is not None:
            raw = credit["per_miss"]
            per_miss = _PerMiss(
                money(rule.per_miss),
                {"credit": credit["id"], "kind": "per_miss", "credit_line": credit["line"], "line": raw["line"],
                 "each": raw["amount"]},
                raw.get("target", "response"),
                rule.per_miss.describe(),
                f" (contract line {raw['line']}, credit `{credit['id']}`)",
            )  # fmt: skip
        made.append((bands, per_miss))
    return _Tier(spec["uptime"], spec["line"], tuple(made))


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


def _plain(q: int, places: int) -> str:
    """`codec.decimal_str(Decimal(q).scaleb(-places))` for q ≥ 0: no trailing zeros, no exponent."""
    whole, part = divmod(q, 10**places)
    digits = str(part).rjust(places, "0").rstrip("0") if places else ""
    return f"{whole}.{digits}" if digits else str(whole)


def fee_units(fees: Any, places: int) -> list[int] | None:
    """Each fee in whole units of 10^-places, or None when one is finer than them.

    Fees are finite and never negative (`inputs` reads no other)."""
    units = []
    for fee in fees:
        scaled = fee.scaleb(places)
        unit = int(scaled)
        if unit != scaled:
            return None
        units.append(unit)
    return units


@dataclass(frozen=True)
class Columns:
    """What the entries of a run of customers are written from: customer c's id, tier and fee (a
    `Decimal`), the period's length (µs), their downtime, incidents and breaches, ticket counts
    `entries[c]`, clock entries (issue 12) `clocks[c]`, written after the payout."""

    ids: list[str]
    tiers: list[str]
    fees: Any
    length: int
    down: Downtime
    incident_ids: list[str]
    breaches: BreachColumns
    entries: list[dict[str, int]]
    clocks: list[dict[str, Any]] | None = None


def customer_entries(plan: Plan, cols: Columns, listed: Callable[[int], Any]) -> list[dict[str, Any]]:
    """The report's customer entries; customer c's breaches are `listed(c)`."""
    from numpy import flatnonzero

    from ..policy.codec import seconds_of_us

    down, length, breaches, clocks, entries = cols.down, cols.length, cols.breaches, cols.clocks, cols.entries
    plan, units = plan.for_fees(cols.fees)
    cur, policy, money = plan.currency, plan.policy, _money_text(plan)
    finer, fee_scale = 10 ** (plan.places - plan.minor), 10 ** (plan.places - plan.minor - plan.fee_digits)
    keys = list(enumerate(down.keys))
    counted_us, platform = down.counted.tolist(), down.platform_counted.tolist()
    excluded = set(flatnonzero(down.excluded.any(axis=1)).tolist()) if len(keys) else set()
    excluded_us = down.excluded.tolist()
    own_ids = [cols.incident_ids[i] for i in down.own_incident.tolist()]
    flags, own_bounds = down.own_counts.tolist(), down.own_bounds.tolist()
    bounds = breaches.bounds
    out = []
    cap_raw = plan.cap_raw
    for c, (ident, tier_name, fee) in enumerate(zip(cols.ids, cols.tiers, units, strict=True)):
        tier = plan.tiers[tier_name]
        counted = counted_us[c]
        uptime = uptime_entry(policy, tier.target, length - counted, length, tier.line)
        mine = range(own_bounds[c], own_bounds[c + 1])
        own_counted = [own_ids[k] for k in mine if flags[k]]
        a, b = bounds[c], bounds[c + 1]
        extra = {} if clocks is None else clocks[c]
        missed = _Missed(breaches, c, b - a, extra)
        credits, subtotal = _credits(tier, fee, length - counted, length, uptime["display"], own_counted,
                                     platform[c], missed, money, cur)  # fmt: skip
        limit, q = settle(plan, fee, subtotal)
        out.append({
            "customer": ident, "tier": tier_name, "fee": money(fee * fee_scale), "currency": cur, "uptime": uptime,
            "downtime": {
                "counted_seconds": seconds_of_us(counted),
                "excluded": [] if c not in excluded else
                            [{"cause": cause, "reason": reason, "seconds": seconds_of_us(excluded_us[c][j])}
                             for j, (cause, reason) in keys if excluded_us[c][j]],
                "incidents": own_counted, "excluded_incidents": [own_ids[k] for k in mine if not flags[k]],
                "platform_incidents": platform[c],
            },
            "tickets": entries[c], "breaches": listed(c), "credits": credits, "subtotal": money(subtotal),
            "cap": None if cap_raw is None or limit is None else
                   {"amount": cap_raw["amount"], "limit": money(limit), "applied": subtotal > limit,
                    "line": cap_raw["line"]},
            "total": money(q * finer), "claim": plan.claim, "payout": plan.payout, **extra,
        })  # fmt: skip
    return out


def _money_text(plan: Plan) -> Callable[[int], str]:
    """`codec.money_str` of an amount in units of 10^-places, each text made once (customers share
    fees, amounts and totals)."""
    texts: dict[int, str] = {}
    places, minor = plan.places, plan.minor
    finer = 10 ** (places - minor)

    def money(amount: int) -> str:
        text = texts.get(amount)
        if text is None:
            text = texts[amount] = _fixed(amount // finer, minor) if amount % finer == 0 else _plain(amount, places)
        return text

    return money


class _Missed:
    """A customer's misses by target: the count and (for a credit line) the tickets behind them."""

    __slots__ = ("breaches", "c", "responses", "extra")

    def __init__(self, breaches: BreachColumns, c: int, responses: int, extra: dict[str, Any]) -> None:
        self.breaches, self.c, self.responses, self.extra = breaches, c, responses, extra

    def count(self, target: str) -> int:
        if target == "response":
            return self.responses
        return missed_counts(self.extra)[target] if self.extra else 0

    def tickets(self, target: str) -> list[str]:
        if target == "response":
            return self.breaches.ids(self.c)
        return list(missed_ids(self.extra)[target])


def owed(tier: _Tier, fee: int, up: int, length: int, missed: Callable[[str], int]) -> list[tuple[Any, int, int]]:
    """The credit lines owed for `up` µs of uptime out of `length` (`fee` in the plan's fee units,
    `missed(target)` the misses of a target): (its `_Band` or `_PerMiss`, count (0 for a band),
    amount in units of the plan's places). A banded credit pays the single band of the worst
    threshold crossed (strictly below), a per-miss credit one amount per miss."""
    out: list[tuple[Any, int, int]] = []
    for bands, per_miss in tier.rules:
        for band in bands:
            if up * band.den < band.num * length:
                out.append((band, 0, fee * band.money.per_fee + band.money.fixed))
                break
        count = 0 if per_miss is None else missed(per_miss.target)
        if per_miss is not None and count:
            out.append((per_miss, count, (fee * per_miss.money.per_fee + per_miss.money.fixed) * count))
    return out


def settle(plan: Plan, fee: int, subtotal: int) -> tuple[int | None, int]:
    """(the cap's limit or None, the total owed in minor units): the subtotal capped, rounded half-even once."""
    cap, finer = plan.cap, 10 ** (plan.places - plan.minor)
    limit = None if cap is None else fee * cap.per_fee + cap.fixed
    q, r = divmod(subtotal if limit is None or subtotal <= limit else limit, finer)
    if 2 * r > finer or (2 * r == finer and q % 2 == 1):
        q += 1
    return limit, q


def _credits(
    tier: _Tier, fee: int, up: int, length: int, shown: str, incidents: list[str], platform: int, missed: _Missed,
    money: Any, cur: str
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    """The report's credit lines owed (`owed`), each explaining itself, and their exact sum."""
    credits, subtotal = [], 0
    for rule, count, amount in owed(tier, fee, up, length, missed.count):
        subtotal += amount
        text = money(amount)
        if not count:
            credits.append({
                **rule.head, "uptime": shown, "band": rule.band, "incidents": incidents,
                "platform_incidents": platform, "amount": text,
                "explanation": f"uptime {shown}{rule.said}{text}{rule.tail}",
            })  # fmt: skip
            continue
        each_text, target = money(amount // count), rule.target
        credits.append({
            **rule.head, "each_amount": each_text, "count": count, "tickets": missed.tickets(target),
            "amount": text, **({"target": target} if target != "response" else {}),
            "explanation": f"{count} missed {target}{'s' if count != 1 else ''} × "
                           f"{rule.described} ({each_text} {cur}) = {text} {cur}{rule.tail}",
        })  # fmt: skip
    return credits, subtotal


def block_text(plan: Plan, cols: Columns) -> bytes:
    """The customers' JSON text as `report_json.json_chunks` writes them one after the other."""
    import orjson

    hole = orjson.Fragment(_HOLE)
    bounds = cols.breaches.bounds

    def listed(c: int) -> Any:
        return hole if bounds[c] != bounds[c + 1] else []

    return _spliced(customer_entries(plan, cols, listed), cols.breaches)


def _spliced(customers: list[dict[str, Any]], breaches: BreachColumns) -> bytes:
    """The customers as `json_chunks` writes them (without the list's brackets), each breach list
    spliced in where its hole is."""
    import orjson

    from .breaches import BreachRun

    if not customers:
        return b""
    parts = orjson.dumps(customers, option=orjson.OPT_INDENT_2)[4:-2].replace(b"\n", b"\n  ").split(_HOLE)
    bounds = breaches.bounds
    listed = [c for c in range(len(customers)) if bounds[c] != bounds[c + 1]]
    pieces = [parts[0]]
    for c, part in zip(listed, parts[1:], strict=True):
        pieces += (BreachRun(breaches, c).json_fragment(DEPTH), part)
    return b"".join(pieces)
