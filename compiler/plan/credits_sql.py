"""Credits per customer and scope as SQL in exact decimals over the plan's relations (issue 15).

`scope_credit_sql(policy)` gives `scope_credit(customer, service, region, subtotal_w, capped_w, denominator)`
and `customer_credit_sql(policy)` gives `customer_credit(customer, scopes_w, per_miss_w, subtotal_w,
denominator, total)`, over `scope_downtime` (slac.plan.availability_sql), `customers`, `charges`,
`ticket_results` (slac.plan.tickets_sql) and `params`. The order is the SPEC's (runtime/credits.py for
v1, runtime/scoped_credits.py and scoped_report.py for v2): per scope the single worst band crossed of
each credit (`below X`: uptime < X; `at or below X`: uptime ≤ X; `target` the tier's uptime for the
scope's service) whose tier applies and whose `requires` conditions the customer meets; a cap on
`service_charges` limits each scope's sum; the scopes' sums add up, with the per-miss lines (one
amount per breached, not excluded response in `ticket_results`, and with ticket clocks per missed
resolution cycle or update of a ticket without an excluded cause); a cap on `monthly_fee`,
`window_fee`, days of service or money limits that total; a total below the `minimum credit` is not
paid; then ONE half-even rounding to the currency's minor unit.

Exactness. Every fixed amount is a rational with the fixed denominator D = months × days of the window
(`monthly_fee` = fee ÷ months, N `service_day` = N × fee ÷ days), so the plan carries its numerator
W = amount × D, an exact DECIMAL(38,18): a share of a fee or of the charges (DECIMAL(38,9) inputs, a
share with ≤ 5 decimals) is a product of decimals and never rounds, sums and LEAST are exact, and
comparisons (cap, minimum) compare numerators. Uptime is compared as integers (up × den < num × window).
DuckDB's `/` on decimals is a DOUBLE, so the plan never divides decimals: a division is a DOUBLE
estimate of the quotient corrected with the exact remainder (`_floor_div`).

A credit formula (runtime/formula.py) is evaluated as an exact ratio of DECIMAL(38,0) integers (the
money scaled by 10^9, µs as they are; x ÷ 0 is 0 and max(0, ·) as in the runtime), and its W is that
ratio × D by long division to 18 decimals. When the division does not terminate there, W is below the
true value by less than 10^-18 and the line carries `slack` 1: the caps, the minimum credit and the
rounding then use the interval [W, W + slack × 10^-18) — a remainder exactly at half rounds up (the
truth is above it) — and flag `ambiguous` when the interval straddles a cap, the minimum or a rounding
boundary (an engine must refuse such a customer; none has occurred, and it needs a true value within
10^-18 of a boundary without being on it). A product too large for 38 digits raises DuckDB's overflow
error, never a wrong number (other engines: see slac.plan.dialects).

The final rounding is ONE half-even rounding of W ÷ D to the minor unit from the exact remainder,
with no engine's ROUND (half away from zero in most of them). A cap over a span longer than the
window reads what the span's earlier windows used of it from `cap_used` (`Ledger`; refused without
it), and `cap_ledger_sql` says what this window uses. Per-miss credits for resolutions and updates
without ticket clocks' `ticket_results`, formulas outside bands and caps as formulas are refused
with `Unsupported` — never computed approximately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slac.runtime.policy import Policy
from slac.runtime.scoped import compiled
from slac.runtime.scoped_credits import bands_worst_first, cap_is_per_scope
from slac.runtime.tickets import uses_clocks  # ticket_results is then the clock queries' (clocks_sql)
from slac.runtime.windows import SPAN_MONTHS

from . import sql_literal

SCALE = 18  # of every numerator W
W_TYPE = f"DECIMAL(38,{SCALE})"
NANO = "0.000000001"
EPS = "CAST('0.000000000000000001' AS DECIMAL(38,18))"  # the last digit of a W


class Unsupported(ValueError):
    """A term of the policy the plan's credits do not compute yet (the engine refuses it)."""


def _months(policy: Policy) -> int:
    return compiled(policy).window_months


def _dec(text: str, max_scale: int) -> str:
    """An exact decimal literal of the policy, refused when it has more than `max_scale` decimals."""
    value = Decimal(text)
    exp = value.as_tuple().exponent
    scale = -exp if isinstance(exp, int) and exp < 0 else 0
    if scale > max_scale:
        raise Unsupported(f"the plan computes amounts with at most {max_scale} decimals, not {text}")
    digits = len(value.as_tuple().digits)
    # The narrowest type: Spark keeps a product's scale only while its precision stays within 38.
    return f"CAST('{format(value, 'f')}' AS DECIMAL({max(digits, scale + 1, 1)},{scale}))"


def _w(expr: str) -> str:
    return f"CAST({expr} AS {W_TYPE})"


def amount_w(amount: Mapping[str, Any], fee: str, charges: str) -> str:
    """SQL: the numerator W (amount × D) of a policy amount, with `p` the window's row (months, days, d).

    `fee` is the SQL of the customer's fee for the window, `charges` of the service charges a share is
    of (the scope's, or all the customer's).
    """
    months = "p.months"
    basis = {
        "window_fee": f"{fee} * p.d",
        "monthly_fee": f"{fee} * p.days",  # fee ÷ months × D
        "service_charges": f"{charges} * p.d",
    }
    if "share" in amount:
        if amount["basis"] not in basis:
            raise Unsupported(f"the plan does not know the basis {amount['basis']!r}")
        share = _dec(format(Decimal(amount["share"]).scaleb(-2), "f"), 7)
        return _w(f"{share} * {basis[amount['basis']]}")
    if "money" in amount:
        return _w(f"{_dec(amount['money'], SCALE)} * p.d")
    if "service_days" in amount:
        return _w(f"{_dec(amount['service_days'], 9)} * {fee} * {months}")  # N × fee ÷ days × D
    if "formula" in amount:
        raise Unsupported(f"the SQL plan computes credit formulas in bands only, not `{amount.get('text')}` here")
    raise Unsupported(f"the plan does not know the amount {dict(amount)!r}")


Rational = tuple[str, str]  # SQL of an integer numerator and a positive integer denominator, DECIMAL(38,0)


def _int(expr: str) -> str:
    return f"CAST({expr} AS DECIMAL(38,0))"


def _literal(text: str, hundredths: bool = False) -> Rational:
    value = Decimal(text)
    exp = value.as_tuple().exponent
    scale = -exp if isinstance(exp, int) and exp < 0 else 0
    whole = int(value.scaleb(scale))
    return _int(str(whole)), _int(str(10**scale * (100 if hundredths else 1)))


def _target(policy: Policy) -> Rational:
    """The scope's tier target for its service as a fraction of 1 (1 without a target), over `s`."""
    comp = compiled(policy)
    whens = []
    for (tier, sid), pct in sorted(comp.targets.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        num, den = _literal(pct, True) if pct is not None else (_int("1"), _int("1"))
        svc = "s.service IS NULL" if sid is None else f"s.service = {sql_literal(sid)}"
        whens.append((f"WHEN s.tier = {sql_literal(tier)} AND {svc}", num, den))
    n = "CASE " + " ".join(f"{w} THEN {a}" for w, a, _ in whens) + f" ELSE {_int('1')} END"
    d = "CASE " + " ".join(f"{w} THEN {b}" for w, _, b in whens) + f" ELSE {_int('1')} END"
    return n, d


def _quantity(policy: Policy, name: str) -> Rational:
    """A formula quantity of a scope row `s` (runtime/scoped_credits.Quantities.formula_values), exactly."""
    fee = _int("s.fee * 1000000000")
    one = _int("1")
    win, down = _int("s.window_us"), _int("s.counted_us")
    table = {
        "window_fee": (fee, _int("1000000000")),
        "monthly_fee": (fee, _int(f"{1_000_000_000 * _months(policy)}")),
        "service_charges": (_int("s.charges * 1000000000"), _int("1000000000")),
        "downtime": (down, one),
        "window": (win, one),
        "uptime": (f"({win} - {down})", win),
    }
    if name == "target":
        return _target(policy)
    if name not in table:
        raise Unsupported(f"the plan does not know the formula quantity {name!r}")
    return table[name]


def _apply(op: str, a: Rational, b: Rational) -> Rational:
    """One formula operator on exact rationals (denominators stay positive; x / 0 is 0, as the runtime)."""
    (an, ad), (bn, bd) = a, b
    if op in ("+", "-"):
        return f"({an} * {bd} {op} {bn} * {ad})", f"({ad} * {bd})"
    if op == "*":
        return f"({an} * {bn})", f"({ad} * {bd})"
    if op == "/":
        sign = f"CASE WHEN {bn} < 0 THEN -1 ELSE 1 END"
        return (
            f"(CASE WHEN {bn} = 0 THEN {_int('0')} ELSE {an} * {bd} * {sign} END)",
            f"(CASE WHEN {bn} = 0 THEN {_int('1')} ELSE {ad} * ABS({bn}) END)",
        )
    if op in ("min", "max"):
        first = f"{an} * {bd} <= {bn} * {ad}" if op == "min" else f"{an} * {bd} >= {bn} * {ad}"
        return f"(CASE WHEN {first} THEN {an} ELSE {bn} END)", f"(CASE WHEN {first} THEN {ad} ELSE {bd} END)"
    raise Unsupported(f"the plan does not know the formula operator {op!r}")


def formula_rational(policy: Policy, steps: list[Mapping[str, Any]]) -> Rational:
    """SQL (numerator, denominator) of a postfix credit formula over a scope row `s` (runtime/formula.py)."""
    stack: list[Rational] = []
    for step in steps:
        if "number" in step:
            stack.append(_literal(step["number"]))
        elif "percent" in step:
            stack.append(_literal(step["percent"], True))
        elif "quantity" in step:
            stack.append(_quantity(policy, step["quantity"]))
        else:
            arity = int(step["arity"])
            if arity < 2 or len(stack) < arity:
                raise Unsupported("a credit formula of the policy does not reduce to one value")
            args, stack = stack[-arity:], stack[:-arity]
            value = args[0]
            for arg in args[1:]:  # min/max of more than two: pairwise, as min(a, b, c) = min(min(a, b), c)
                value = _apply(step["op"], value, arg)
            stack.append(value)
    if len(stack) != 1:
        raise Unsupported("a credit formula of the policy does not reduce to one value")
    return stack[0]


def _cond(name: str, alias: str) -> str:
    """A condition as a column of the row `alias` that carries it (`_carried` names it there)."""
    return f'{alias}."cond_{_plain(name)}"'


def _carried(policy: Policy) -> str:
    """The select items that carry every condition of the customer (customers `c`) onto a row of the
    plan, each under a name no column of those rows has (a condition may be called `n` or `charges`)."""
    return "".join(f', c."{_plain(x["id"])}" AS "cond_{x["id"]}"' for x in policy.raw.get("conditions", []))


def _plain(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise Unsupported(f"condition name {name!r} is not a plain identifier")
    return name


def _bands_table(policy: Policy) -> str | None:
    """SQL rows (credit, band, tier, service, rank, num, den, inclusive): each credit's bands worst first."""
    comp = compiled(policy)
    rows: list[str] = []
    for k, credit in enumerate(policy.raw["credits"]):
        if not credit["bands"]:
            continue
        index = {id(b): j for j, b in enumerate(credit["bands"])}
        for tier in policy.tiers:
            if tier not in credit["applies"]:
                continue
            for sid in comp.services:
                target = comp.targets[(tier, sid)]
                for rank, band in enumerate(bands_worst_first(credit["bands"], target)):
                    svc = "CAST(NULL AS VARCHAR)" if sid is None else sql_literal(sid)
                    rows.append(
                        f"SELECT {k} AS credit, {index[id(band.raw)]} AS band, {sql_literal(tier)} AS tier,"
                        f" {svc} AS service, {rank} AS rnk, CAST({band.ratio.numerator} AS DECIMAL(38,0)) AS num,"
                        f" CAST({band.ratio.denominator} AS DECIMAL(38,0)) AS den,"
                        f" {'TRUE' if band.inclusive else 'FALSE'} AS inclusive"
                    )
    return " UNION ALL ".join(rows) if rows else None


def spans(policy: Policy) -> bool:
    """Whether the cap's span is longer than the window: its earlier windows' credits count against it."""
    cap = policy.raw["cap"]
    return cap is not None and SPAN_MONTHS[cap["per"]] > _months(policy)


@dataclass(frozen=True)
class Ledger:
    """The window evaluated (`period`) and the earlier windows of its cap's span (`earlier`), by name.

    A cap over a longer span than the window reads what those windows used of it from the relation
    `cap_used(period, customer, service, region, amount, slack)`, the rows of `cap_ledger` (`cap_ledger_sql`)
    that each earlier window's own script made: per scope its capped credit when the customer's total was
    paid (a cap on `service_charges`), else per customer its total (service and region NULL). As
    runtime/scoped_report._before: the room left is the cap less that, never below 0.
    """

    period: str
    earlier: tuple[str, ...]

    def rows(self) -> str:
        """SQL condition: a cap_used row of an earlier window of the span."""
        names = ", ".join(sql_literal(n) for n in self.earlier)
        return f"u.period IN ({names})" if self.earlier else "1 = 0"


def _check(policy: Policy, ledger: Ledger | None) -> None:
    if spans(policy) and ledger is None:
        cap = policy.raw["cap"]
        raise Unsupported(f"a cap per {cap['per']} over shorter windows needs the ledger of the earlier windows")
    for credit in policy.raw["credits"]:
        pm = credit["per_miss"]
        if pm is not None and pm.get("target", "response") != "response" and not uses_clocks(policy):
            raise Unsupported(f"the SQL plan counts missed {pm['target']}s with ticket clocks only")


def _band_lines(policy: Policy) -> tuple[str, str, str]:
    """SQL CASEs over a paying band (s.credit k, s.band j) of a scope row `s`, NULL when a condition is unmet:
    the numerator W of a fixed amount, and a formula's value × D as an integer ratio (fn, fq)."""
    w_whens: list[str] = []
    n_whens: list[str] = []
    q_whens: list[str] = []
    for k, credit in enumerate(policy.raw["credits"]):
        met = " AND ".join(_cond(n, "s") for n in credit.get("requires", []))
        for j, band in enumerate(credit["bands"]):
            when = f"WHEN s.credit = {k} AND s.band = {j}" + (f" AND {met}" if met else "")
            amount = band["amount"]
            if "formula" not in amount:
                w_whens.append(f"{when} THEN {amount_w(amount, 's.fee', 's.charges')}")
                continue
            num, den = formula_rational(policy, amount["formula"])
            # max(0, formula) × D, as runtime/scoped_credits.value takes it
            n_whens.append(f"{when} THEN CASE WHEN {num} < 0 THEN {_int('0')} ELSE {num} * p.d END")
            q_whens.append(f"{when} THEN {den}")

    def case(whens: list[str]) -> str:
        return "CASE " + " ".join(whens) + " END" if whens else "NULL"

    return case(w_whens), case(n_whens), case(q_whens)


def _floor_div(a: str, b: str, *, narrow: bool = False) -> str:
    """SQL: floor(a ÷ b) of non-negative DECIMAL(38,0) a and positive b whose quotient is below ~10^15:
    a DOUBLE estimate (off by at most one) corrected with the exact remainder. `narrow`: a is a decimal
    of at most 19 integer digits and 18 decimals and b a DECIMAL(19,0), and each product is narrowed so
    no dialect rounds the difference (Spark drops decimals from a result wider than 38 digits)."""
    if not narrow:
        q0 = f"CAST(FLOOR(CAST({a} AS DOUBLE) / CAST({b} AS DOUBLE)) AS DECIMAL(38,0))"
        rem = f"{a} - {q0} * {b}"
    else:
        q0 = f"CAST(FLOOR(CAST({a} AS DOUBLE) / CAST({b} AS DOUBLE)) AS DECIMAL(19,0))"
        rem = f"(CAST({a} AS DECIMAL(37,18)) - CAST({q0} * {b} AS DECIMAL(19,0)))"
    return f"({q0} + CASE WHEN {rem} < 0 THEN -1 WHEN {rem} >= {b} THEN 1 ELSE 0 END)"


def _digits(whole: str, nines: str, last: str) -> str:
    """SQL: whole + nines × 10^-9 + last × 10^-18 (nines and last below 10^9) with all 18 decimals in every
    dialect: the fraction is added up first, so the sum with a whole part of at most 19 digits needs 38
    (Spark narrows the scale of a result wider than 38 digits: a DECIMAL(38,0) times 10^-18 kept 6)."""
    return (
        f"CAST({whole} AS DECIMAL(19,0)) + (CAST({nines} AS DECIMAL(9,0)) * CAST('{NANO}' AS DECIMAL(10,9))"
        f" + CAST({last} AS DECIMAL(9,0)) * CAST('0.000000000000000001' AS DECIMAL(19,18)))"
    )


def _division() -> list[str]:
    """CTEs `ld1`…`lines`: a formula line's fn ÷ fq truncated to 18 decimals (long division in two steps of
    nine digits), with slack 1 when it is inexact (the true value is above it by less than 10^-18)."""
    return [
        f"ld1 AS (SELECT line.*, {_floor_div('fn', 'fq')} AS q1 FROM line)",
        "ld2 AS (SELECT ld1.*, (fn - q1 * fq) * 1000000000 AS r1 FROM ld1)",
        f"ld3 AS (SELECT ld2.*, {_floor_div('r1', 'fq')} AS f1 FROM ld2)",
        "ld4 AS (SELECT ld3.*, (r1 - f1 * fq) * 1000000000 AS r2 FROM ld3)",
        f"ld5 AS (SELECT ld4.*, {_floor_div('r2', 'fq')} AS f2 FROM ld4)",
        "lines AS (SELECT customer, service, region, CASE WHEN fn IS NULL THEN w ELSE"
        f" {_w(_digits('q1', 'f1', 'f2'))} END AS w,"
        " CASE WHEN fn IS NOT NULL AND r2 - f2 * fq <> 0 THEN 1 ELSE 0 END AS slack FROM ld5)",
    ]


def _least(x: str, slack: str, cap: str, cap_slack: str = "0") -> tuple[str, str, str]:
    """(value, slack, ambiguous) of LEAST(true x, true cap) where x ≤ true x < x + slack × 10^-18 and
    likewise the cap with `cap_slack` (0: exact): the lesser lower bound, with its own slack."""
    return (
        f"CASE WHEN {x} >= {cap} THEN {cap} ELSE {x} END",
        f"CASE WHEN {x} >= {cap} THEN {cap_slack} ELSE {slack} END",
        f"({x} < {cap} AND {cap} < {x} + {slack} * {EPS})",
    )


def _used(name: str, ledger: Ledger, keys: tuple[str, ...]) -> str:
    """CTE `name`: per key (customer, service, region; or customer) what the span's earlier windows used of
    the cap (each row below the truth by less than its slack × 10^-18), and whether a row is unknown
    (amount NULL: that window's credit was ambiguous)."""
    cols = ", ".join(f"u.{k}" for k in keys)
    customer_rows = " AND u.service IS NULL AND u.region IS NULL" if keys == ("customer",) else ""
    return (
        f"{name} AS (SELECT {cols}, SUM(u.amount) AS amount, SUM(u.slack) AS slack,"
        " MAX(CASE WHEN u.amount IS NULL THEN 1 ELSE 0 END) AS unknown"
        f" FROM cap_used u WHERE {ledger.rows()}{customer_rows} GROUP BY {cols})"
    )


def _room(cap_w: str, alias: str, ledger: Ledger | None) -> tuple[str, str, str]:
    """(SQL of the cap's numerator less what the span's earlier windows used of it — row `alias` of a `_used`
    CTE — never below 0, as a lower bound; its slack; SQL true when a use is unknown). What was used may
    be above the ledger's amount by its slack, so the room is below hi = cap − used by as much: it is
    given as hi − slack × d × 10^-18 with that slack, the convention of every W. Without a ledger: the cap."""
    if ledger is None:
        return cap_w, "0", "FALSE"
    hi = f"{cap_w} - COALESCE({alias}.amount, 0) * p.d"
    lo = f"{hi} - COALESCE({alias}.slack, 0) * p.d * {EPS}"
    room = f"CASE WHEN {lo} < 0 THEN CAST(0 AS {W_TYPE}) ELSE {_w(lo)} END"
    slack = f"CAST(CASE WHEN {hi} <= 0 THEN 0 ELSE COALESCE({alias}.slack, 0) * p.d END AS BIGINT)"
    return room, slack, f"COALESCE({alias}.unknown, 0) = 1"


def _common(policy: Policy, ledger: Ledger | None = None) -> list[str]:
    """CTEs shared by both outputs, up to `scope_credit`."""
    _check(policy, ledger)
    months = _months(policy)
    ctes = [
        f"p AS (SELECT period_start AS lo, period_end AS hi, {months} AS months,"
        " CAST(ROUND((period_end - period_start) / 86400000000.0) AS DECIMAL(5,0)) AS days,"
        f" CAST({months} * ROUND((period_end - period_start) / 86400000000.0) AS DECIMAL(5,0)) AS d FROM params)",
        "ch AS (SELECT customer, service, region, SUM(amount) AS amount FROM charges GROUP BY customer, service, region)",
        f"s AS (SELECT d.customer, d.service, d.region, d.counted_us, d.window_us, c.tier, CAST(c.fee AS DECIMAL(20,9)) AS fee{_carried(policy)},"
        f" CAST(COALESCE(ch.amount, 0) AS DECIMAL(20,9)) AS charges"
        " FROM scope_downtime d JOIN customers c ON c.customer = d.customer"
        " LEFT JOIN ch ON ch.customer = d.customer AND ch.service IS NOT DISTINCT FROM d.service"
        " AND ch.region IS NOT DISTINCT FROM d.region)",
    ]
    bands = _bands_table(policy)
    if bands is None:
        ctes.append(
            f"lines AS (SELECT customer, service, region, CAST(0 AS {W_TYPE}) AS w, 0 AS slack FROM s WHERE 1 = 0)"
        )
    else:
        w, fn, fq = _band_lines(policy)
        up = "CAST(s.window_us - s.counted_us AS DECIMAL(38,0))"
        win = "CAST(s.window_us AS DECIMAL(38,0))"
        ctes += [
            f"bands AS ({bands})",
            "hit AS (SELECT s.*, b.credit, b.band, ROW_NUMBER() OVER (PARTITION BY"
            " s.customer, s.service, s.region, b.credit ORDER BY b.rnk NULLS FIRST) AS rn FROM s JOIN bands b ON b.tier = s.tier"
            f" AND b.service IS NOT DISTINCT FROM s.service WHERE {up} * b.den < b.num * {win}"
            f" OR (b.inclusive AND {up} * b.den = b.num * {win}))",
            f"line AS (SELECT s.customer, s.service, s.region, {w} AS w, {fn} AS fn, {fq} AS fq"
            " FROM hit s CROSS JOIN p WHERE s.rn = 1)",
            *_division(),
        ]
    cap = policy.raw["cap"]
    capped, slack, amb = "sub.subtotal_w", "sub.slack", "FALSE"
    ledger = ledger if spans(policy) else None
    spent, used = "", []
    if cap_is_per_scope(cap):
        limit, room_slack, unknown = _room(amount_w(cap["amount"], "sub.fee", "sub.charges"), "su", ledger)
        capped, slack, amb = _least("sub.subtotal_w", "sub.slack", limit, room_slack)
        amb = f"({amb} OR {unknown})"
        if ledger is not None:
            used = [_used("used", ledger, ("customer", "service", "region"))]
            spent = (
                " LEFT JOIN used su ON su.customer = sub.customer AND su.service IS NOT DISTINCT FROM sub.service"
                " AND su.region IS NOT DISTINCT FROM sub.region"
            )
    ctes += [
        f"sub AS (SELECT s.customer, s.service, s.region, s.fee, s.charges, COALESCE(SUM(l.w), CAST(0 AS {W_TYPE}))"
        " AS subtotal_w, COALESCE(SUM(l.slack), 0) AS slack FROM s LEFT JOIN lines l ON l.customer = s.customer"
        " AND l.service IS NOT DISTINCT FROM s.service AND l.region IS NOT DISTINCT FROM s.region"
        " GROUP BY s.customer, s.service, s.region, s.fee, s.charges)",
        *used,
        f"scope_credit AS (SELECT sub.customer, sub.service, sub.region, sub.subtotal_w, {_w(capped)} AS capped_w,"
        f" CAST(p.d AS BIGINT) AS denominator, {slack} AS slack, {amb} AS ambiguous FROM sub CROSS JOIN p{spent})",
    ]
    return ctes


def scope_credit_sql(policy: Policy, ledger: Ledger | None = None) -> str:
    """The SELECT of `scope_credit(customer, service, region, subtotal_w, capped_w, denominator)`.

    A scope's credit is subtotal_w ÷ denominator before a per-scope cap, capped_w ÷ denominator after it.
    `ledger`: the window and its cap span's earlier windows, needed when the cap's span is longer (`spans`).
    """
    return "WITH " + ",\n".join(_common(policy, ledger)) + "\nSELECT * FROM scope_credit"


MISSES = {"response": "t0.n", "resolution": "t0.n_resolution", "update": "t0.n_update"}  # of `_customer_rows`


def _per_miss(policy: Policy) -> str:
    """SQL: the numerator W of a customer's per-miss lines (t0: the customer's row, its misses by target `MISSES`)."""
    parts: list[str] = []
    for credit in policy.raw["credits"]:
        pm = credit["per_miss"]
        if pm is None:
            continue
        tiers = ", ".join(sql_literal(t) for t in credit["applies"])
        met = "".join(f" AND {_cond(n, 't0')}" for n in credit.get("requires", []))  # else the line pays nothing
        each = amount_w(pm["amount"], "t0.fee", "t0.charges")
        parts.append(
            f"CASE WHEN t0.tier IN ({tiers}){met} THEN {each} * {MISSES[pm.get('target', 'response')]} ELSE 0 END"
        )
    return _w(" + ".join(parts)) if parts else f"CAST(0 AS {W_TYPE})"


def customer_credit_sql(policy: Policy, ledger: Ledger | None = None) -> str:
    """The SELECT of `customer_credit(customer, scopes_w, per_miss_w, subtotal_w, denominator, total, ambiguous)`.

    subtotal_w ÷ denominator is the total after the customer cap and the minimum credit (exact unless a
    formula's division did not terminate in 18 decimals: then it is below the true total by less than
    10^-18 × the number of such lines, which the cap, the minimum and the rounding take into account);
    `total` is it rounded half-even to the currency's minor unit (DECIMAL(38,9)). `ambiguous` is TRUE
    when that tiny gap straddles a cap, the minimum or a rounding boundary, so `total` cannot be
    trusted: an engine must refuse such a customer rather than report it (it has not been seen).
    """
    ctes = _common(policy, ledger)
    cap = policy.raw["cap"]
    x, sx, amb = "t.scopes_w + t.per_miss_w", "t.slack", "t.amb"
    whole = cap is not None and not cap_is_per_scope(cap)  # a cap on the customer's total
    ledger = ledger if spans(policy) and whole else None
    if whole:
        limit, room_slack, unknown = _room(amount_w(cap["amount"], "t.fee", "t.charges"), "cu", ledger)
        x, sx, a2 = _least(x, sx, limit, room_slack)
        amb = f"({amb} OR {a2} OR {unknown})"
    ctes += _customer_rows(policy)
    spent = ""
    if ledger is not None:
        ctes.append(_used("cused", ledger, ("customer",)))
        spent = " LEFT JOIN cused cu ON cu.customer = t.customer"
    ctes.append(f"tc AS (SELECT t.customer, t.scopes_w, t.per_miss_w, {_w(x)} AS x, {sx} AS sx, {amb} AS amb, p.d"
                f" FROM t CROSS JOIN p{spent})")  # fmt: skip
    x, sx, amb = "tc.x", "tc.sx", "tc.amb"
    minimum = policy.raw.get("minimum_credit")
    if minimum is not None:
        floor = f"{_dec(minimum['amount'], 9)} * tc.d"
        top = f"{x} + {sx} * {EPS}"
        amb = f"({amb} OR ({x} < {floor} AND {top} > {floor}))"
        x, sx = (
            f"CASE WHEN {x} < {floor} AND {top} <= {floor} THEN CAST(0 AS {W_TYPE}) ELSE {x} END",
            (f"CASE WHEN {x} < {floor} AND {top} <= {floor} THEN 0 ELSE {sx} END"),
        )
    scale = 10**policy.minor_digits
    ctes += [
        f"tt AS (SELECT tc.customer, tc.scopes_w, tc.per_miss_w, {_w(x)} AS subtotal_w, {sx} AS sx, {amb} AS amb,"
        " tc.d FROM tc)",
        # The one rounding, half-even, of subtotal_w ÷ d to the minor unit: a DOUBLE estimate of the
        # quotient (off by at most one), corrected with the exact remainder.
        f"r0 AS (SELECT tt.*, tt.subtotal_w * {scale} AS x,"
        f" CAST(FLOOR(CAST(tt.subtotal_w * {scale} AS DOUBLE) / tt.d) AS DECIMAL(38,0)) AS q0 FROM tt)",
        "r1 AS (SELECT r0.*, x - q0 * d AS rem0 FROM r0)",
        "r2 AS (SELECT r1.*, q0 + CASE WHEN rem0 < 0 THEN -1 WHEN rem0 >= d THEN 1 ELSE 0 END AS q,"
        " rem0 + CASE WHEN rem0 < 0 THEN d WHEN rem0 >= d THEN -d ELSE 0 END AS rem FROM r1)",
    ]
    unit = _dec(format(Decimal(1).scaleb(-policy.minor_digits), "f"), policy.minor_digits)
    # Exact (sx = 0): half-even. Below the truth by a hair (sx > 0): a remainder at half is above half.
    up = "CASE WHEN sx = 0 THEN 2 * rem > d OR (2 * rem = d AND MOD(q, 2) = 1) ELSE 2 * rem >= d END"
    straddles = f"(sx > 0 AND 2 * rem < d AND 2 * (rem + sx * {EPS} * {scale}) > d)"
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        "SELECT customer, scopes_w, per_miss_w, subtotal_w, CAST(d AS BIGINT) AS denominator,"
        f" CAST((CASE WHEN {up} THEN q + 1 ELSE q END) * {unit} AS DECIMAL(38,9)) AS total,"
        f" (amb OR {straddles}) AS ambiguous FROM r2"
    )


def _customer_rows(policy: Policy) -> list[str]:
    """CTEs up to `t`: per customer its scopes' capped sum (with slack), its per-miss lines and charges."""
    zero = "CAST(0 AS DECIMAL(38,9))"
    # Misses by target: breached responses not excluded; with ticket clocks also the missed resolution
    # cycles and missed updates of tickets without an excluded cause (as `tickets_report` lists them),
    # and whether a ticket is not `known` (an instant outside calendar_open): then `ambiguous`.
    misses = (
        "misses AS (SELECT r.customer, SUM(CASE WHEN r.state = 1 AND NOT r.excluded THEN 1 ELSE 0 END) AS n,"
        " SUM(CASE WHEN k.cause IS NULL THEN r.missed_resolutions ELSE 0 END) AS n_resolution,"
        " SUM(CASE WHEN k.cause IS NULL THEN r.missed_updates ELSE 0 END) AS n_update,"
        " MAX(CASE WHEN r.known THEN 0 ELSE 1 END) AS unknown"
        ' FROM ticket_results r JOIN tickets k ON k."row" = r."row" GROUP BY r.customer)'
        if uses_clocks(policy)
        else "misses AS (SELECT customer, SUM(CASE WHEN state = 1 AND NOT excluded THEN 1 ELSE 0 END) AS n,"
        " 0 AS n_resolution, 0 AS n_update, MAX(CASE WHEN known THEN 0 ELSE 1 END) AS unknown"
        " FROM ticket_results GROUP BY customer)"
    )
    return [
        misses,
        "allch AS (SELECT customer, SUM(amount) AS charges FROM charges GROUP BY customer)",
        "cs AS (SELECT customer, SUM(capped_w) AS w, SUM(slack) AS slack,"
        " MAX(CASE WHEN ambiguous THEN 1 ELSE 0 END) AS amb FROM scope_credit GROUP BY customer)",
        f"t0 AS (SELECT c.customer, c.tier, CAST(c.fee AS DECIMAL(20,9)) AS fee, CAST(COALESCE(a.charges, {zero}) AS DECIMAL(20,9)) AS charges,"
        f" COALESCE(cs.w, CAST(0 AS {W_TYPE})) AS scopes_w, COALESCE(m.n, 0) AS n{_carried(policy)},"
        " COALESCE(m.n_resolution, 0) AS n_resolution, COALESCE(m.n_update, 0) AS n_update, COALESCE(cs.slack, 0) AS slack,"
        " (COALESCE(cs.amb, 0) = 1 OR COALESCE(m.unknown, 0) = 1) AS amb FROM customers c"
        " LEFT JOIN cs ON cs.customer = c.customer LEFT JOIN misses m ON m.customer = c.customer"
        " LEFT JOIN allch a ON a.customer = c.customer)",
        f"t AS (SELECT t0.customer, t0.fee, t0.charges, {_w('t0.scopes_w')} AS scopes_w,"
        f" {_per_miss(policy)} AS per_miss_w, t0.slack, t0.amb FROM t0 CROSS JOIN p)",
    ]


def cap_ledger_sql(policy: Policy, ledger: Ledger) -> str:
    """The SELECT of `cap_ledger(period, customer, service, region, amount, slack)` over the views
    `scope_credit` and `customer_credit`: what this window uses of a cap over a longer span, the rows
    a later window of the span reads from `cap_used` (`Ledger`). A customer whose total is not paid
    (0, after the minimum credit) uses nothing. Per scope (a cap on `service_charges`) the capped
    credit capped_w ÷ denominator by long division to 18 decimals, below the truth by less than
    `slack` × 10^-18 (its own slack, and 1 more when the division does not end there); else per
    customer its total (service and region NULL, slack 0). `amount` is NULL when the credit is
    `ambiguous`: what it used is not known, and the later windows are ambiguous too.
    """
    period = sql_literal(ledger.period)
    if not cap_is_per_scope(policy.raw["cap"]):
        return (
            f"SELECT {period} AS period, customer, CAST(NULL AS VARCHAR) AS service, CAST(NULL AS VARCHAR) AS region,"
            f" CASE WHEN ambiguous THEN NULL ELSE CAST(total AS {W_TYPE}) END AS amount, 0 AS slack"
            " FROM customer_credit WHERE total > 0"
        )
    digits = _digits("q", "f", "g")
    # capped_w = d × (q + f × 10^-9 + g × 10^-18) + rest × 10^-18, by three floor divisions of a decimal
    # by d; each remainder is below d, at most 12 × 366. The casts keep every difference within 38 digits
    # with all 18 decimals (Spark would otherwise drop decimals from a wider one).
    return (
        "WITH q AS (SELECT s.customer, s.service, s.region, CAST(s.capped_w AS DECIMAL(37,18)) AS a,"
        " CAST(s.denominator AS DECIMAL(19,0)) AS d, (s.ambiguous OR c.ambiguous) AS amb, s.slack AS w_slack"
        " FROM scope_credit s JOIN customer_credit c ON c.customer = s.customer WHERE c.total > 0),"
        f" q1 AS (SELECT q.*, {_floor_div('a', 'd', narrow=True)} AS q FROM q),"
        " r1 AS (SELECT q1.*, CAST(a - CAST(q * d AS DECIMAL(19,0)) AS DECIMAL(22,18)) * 1000000000 AS r FROM q1),"
        f" f1 AS (SELECT r1.*, {_floor_div('r', 'd', narrow=True)} AS f FROM r1),"
        " r2 AS (SELECT f1.*, CAST(r - CAST(f * d AS DECIMAL(19,0)) AS DECIMAL(22,18)) * 1000000000 AS rr FROM f1),"
        f" f2 AS (SELECT r2.*, {_floor_div('rr', 'd', narrow=True)} AS g FROM r2)\n"
        f"SELECT {period} AS period, customer, service, region,"
        f" CASE WHEN amb THEN NULL ELSE {_w(digits)} END AS amount,"
        " CAST(CASE WHEN amb THEN 0 ELSE w_slack + CASE WHEN rr - CAST(g * d AS DECIMAL(19,0)) = 0 THEN 0 ELSE 1 END"
        " END AS BIGINT) AS slack FROM f2"
    )
