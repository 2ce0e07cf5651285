"""Credits per customer and scope as SQL in exact decimals over the plan's relations (issue 15).

`scope_credit_sql(policy)` gives `scope_credit(customer, service, region, subtotal_w, capped_w, denominator)`
and `customer_credit_sql(policy)` gives `customer_credit(customer, scopes_w, per_miss_w, subtotal_w,
denominator, total)`, over `scope_downtime` (slac.plan.availability_sql), `customers`, `charges`,
`ticket_results` (slac.plan.tickets_sql) and `params`. The order is the SPEC's (runtime/credits.py for
v1, runtime/scoped_credits.py and scoped_report.py for v2): per scope the single worst band crossed of
each credit (`below X`: uptime < X; `at or below X`: uptime ≤ X; `target` the tier's uptime for the
scope's service) whose tier applies and whose `requires` conditions the customer meets; a cap on
`service_charges` limits each scope's sum; the scopes' sums add up, with the per-miss lines (one
amount per breached, not excluded response in `ticket_results`); a cap on `monthly_fee`,
`window_fee`, days of service or money limits that total; a total below the `minimum credit` is not
paid; then ONE half-even rounding to the currency's minor unit.

Exactness. Every amount is a rational with the fixed denominator D = months × days of the window
(`monthly_fee` = fee ÷ months, N `service_day` = N × fee ÷ days), so the plan carries its numerator
W = amount × D, an exact DECIMAL(38,18): a share of a fee or of the charges (DECIMAL(38,9) inputs, a
share with ≤ 7 decimals) is a product of decimals and never rounds, sums and LEAST are exact, and
comparisons (cap, minimum) compare numerators. Uptime is compared as integers (up × den < num ×
window). Division appears once, in the final rounding of W ÷ D: an estimate in DOUBLE corrected with
the exact remainder (r = W × 10^m − q × D, 0 ≤ r < D), then half-even on 2r against D — exact, with no
engine's ROUND (half away from zero in most of them). DuckDB's `/` on decimals is a DOUBLE, so the
plan never divides decimals otherwise. Credit formulas (which divide by downtime, window or money),
caps over a span longer than the window (they read earlier windows), and per-miss credits for
resolutions and updates are refused with `Unsupported` — never computed approximately.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from slac.runtime.policy import Policy
from slac.runtime.scoped import compiled
from slac.runtime.scoped_credits import bands_worst_first, cap_is_per_scope
from slac.runtime.windows import SPAN_MONTHS

from . import sql_literal

SCALE = 18  # of every numerator W
W_TYPE = f"DECIMAL(38,{SCALE})"


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
    return f"CAST('{format(value, 'f')}' AS DECIMAL(38,{scale}))"


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
        return _w(f"{_dec(amount['share'], 5)} * CAST('0.01' AS DECIMAL(38,2)) * {basis[amount['basis']]}")
    if "money" in amount:
        return _w(f"{_dec(amount['money'], SCALE)} * p.d")
    if "service_days" in amount:
        return _w(f"{_dec(amount['service_days'], 9)} * {fee} * {months}")  # N × fee ÷ days × D
    if "formula" in amount:
        raise Unsupported("the SQL plan does not compute credit formulas yet (`" + str(amount.get("text")) + "`)")
    raise Unsupported(f"the plan does not know the amount {dict(amount)!r}")


def _cond(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise Unsupported(f"condition name {name!r} is not a plain identifier")
    return f'c."{name}"'


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


def _check(policy: Policy) -> None:
    cap = policy.raw["cap"]
    if cap is not None and SPAN_MONTHS[cap["per"]] > _months(policy):
        raise Unsupported(f"the SQL plan does not compute a cap per {cap['per']} over shorter windows yet")
    for credit in policy.raw["credits"]:
        pm = credit["per_miss"]
        if pm is not None and pm.get("target", "response") != "response":
            raise Unsupported(f"the SQL plan does not compute credits per missed {pm['target']} yet")


def _band_lines(policy: Policy) -> str:
    """SQL CASE: the numerator W of the paying band (credit k, band j) of a scope row, NULL when unmet."""
    whens: list[str] = []
    for k, credit in enumerate(policy.raw["credits"]):
        met = " AND ".join(_cond(n) for n in credit.get("requires", []))
        for j, band in enumerate(credit["bands"]):
            w = amount_w(band["amount"], "s.fee", "s.charges")
            whens.append(
                f"WHEN h.credit = {k} AND h.band = {j} THEN " + (f"CASE WHEN {met} THEN {w} END" if met else w)
            )
    return "CASE " + " ".join(whens) + " END" if whens else "NULL"


def _common(policy: Policy) -> list[str]:
    """CTEs shared by both outputs, up to `scope_credit`."""
    _check(policy)
    months = _months(policy)
    conds = [x["id"] for x in policy.raw.get("conditions", [])]
    cond_cols = "".join(f", {_cond(n)}" for n in conds)
    ctes = [
        f"p AS (SELECT period_start AS lo, period_end AS hi, {months} AS months,"
        " CAST(ROUND((period_end - period_start) / 86400000000.0) AS BIGINT) AS days,"
        f" {months} * CAST(ROUND((period_end - period_start) / 86400000000.0) AS BIGINT) AS d FROM params)",
        "ch AS (SELECT customer, service, region, SUM(amount) AS amount FROM charges GROUP BY customer, service, region)",
        f"s AS (SELECT d.customer, d.service, d.region, d.counted_us, d.window_us, c.tier, c.fee{cond_cols},"
        " COALESCE(ch.amount, CAST(0 AS DECIMAL(38,9))) AS charges"
        " FROM scope_downtime d JOIN customers c ON c.customer = d.customer"
        " LEFT JOIN ch ON ch.customer = d.customer AND ch.service IS NOT DISTINCT FROM d.service"
        " AND ch.region IS NOT DISTINCT FROM d.region)",
    ]
    bands = _bands_table(policy)
    if bands is None:
        ctes.append(f"line AS (SELECT customer, service, region, CAST(0 AS {W_TYPE}) AS w FROM s WHERE 1 = 0)")
    else:
        up = "CAST(s.window_us - s.counted_us AS DECIMAL(38,0))"
        win = "CAST(s.window_us AS DECIMAL(38,0))"
        ctes += [
            f"bands AS ({bands})",
            "hit AS (SELECT s.customer, s.service, s.region, b.credit, b.band, ROW_NUMBER() OVER (PARTITION BY"
            " s.customer, s.service, s.region, b.credit ORDER BY b.rnk NULLS FIRST) AS rn FROM s JOIN bands b ON b.tier = s.tier"
            f" AND b.service IS NOT DISTINCT FROM s.service WHERE {up} * b.den < b.num * {win}"
            f" OR (b.inclusive AND {up} * b.den = b.num * {win}))",
            f"line AS (SELECT s.customer, s.service, s.region, {_band_lines(policy)} AS w FROM hit h"
            " JOIN s ON s.customer = h.customer AND s.service IS NOT DISTINCT FROM h.service"
            f" AND s.region IS NOT DISTINCT FROM h.region CROSS JOIN p JOIN customers c ON c.customer = s.customer"
            " WHERE h.rn = 1)",
        ]
    cap = policy.raw["cap"]
    capped = "sub.subtotal_w"
    if cap_is_per_scope(cap):
        capped = f"LEAST(sub.subtotal_w, {amount_w(cap['amount'], 'sub.fee', 'sub.charges')})"
    ctes += [
        f"sub AS (SELECT s.customer, s.service, s.region, s.fee, s.charges, COALESCE(SUM(l.w), CAST(0 AS {W_TYPE}))"
        " AS subtotal_w FROM s LEFT JOIN line l ON l.customer = s.customer AND l.service IS NOT DISTINCT FROM"
        " s.service AND l.region IS NOT DISTINCT FROM s.region"
        " GROUP BY s.customer, s.service, s.region, s.fee, s.charges)",
        f"scope_credit AS (SELECT sub.customer, sub.service, sub.region, sub.subtotal_w, {_w(capped)} AS capped_w,"
        " p.d AS denominator FROM sub CROSS JOIN p)",
    ]
    return ctes


def scope_credit_sql(policy: Policy) -> str:
    """The SELECT of `scope_credit(customer, service, region, subtotal_w, capped_w, denominator)`.

    A scope's credit is subtotal_w ÷ denominator before a per-scope cap, capped_w ÷ denominator after it.
    """
    return "WITH " + ",\n".join(_common(policy)) + "\nSELECT * FROM scope_credit"


def _per_miss(policy: Policy) -> str:
    """SQL: the numerator W of a customer's per-miss lines (t0: the customer's row, t0.n its breached responses)."""
    parts: list[str] = []
    for credit in policy.raw["credits"]:
        pm = credit["per_miss"]
        if pm is None:
            continue
        tiers = ", ".join(sql_literal(t) for t in credit["applies"])
        each = amount_w(pm["amount"], "t0.fee", "t0.charges")
        parts.append(f"CASE WHEN t0.tier IN ({tiers}) THEN {each} * t0.n ELSE 0 END")
    return _w(" + ".join(parts)) if parts else f"CAST(0 AS {W_TYPE})"


def customer_credit_sql(policy: Policy) -> str:
    """The SELECT of `customer_credit(customer, scopes_w, per_miss_w, subtotal_w, denominator, total)`.

    subtotal_w ÷ denominator is the exact total after the customer cap and the minimum credit;
    `total` is it rounded half-even to the currency's minor unit (DECIMAL(38,9)).
    """
    ctes = _common(policy)
    cap = policy.raw["cap"]
    total = "t.scopes_w + t.per_miss_w"
    if cap is not None and not cap_is_per_scope(cap):
        total = f"LEAST({total}, {amount_w(cap['amount'], 't.fee', 't.charges')})"
    minimum = policy.raw.get("minimum_credit")
    if minimum is not None:
        floor = f"{_dec(minimum['amount'], 9)} * p.d"
        total = f"CASE WHEN {total} < {floor} THEN CAST(0 AS {W_TYPE}) ELSE {total} END"
    scale = 10**policy.minor_digits
    zero = "CAST(0 AS DECIMAL(38,9))"
    ctes += [
        "misses AS (SELECT customer, COUNT(*) AS n FROM ticket_results WHERE state = 1 AND NOT excluded"
        " GROUP BY customer)",
        "allch AS (SELECT customer, SUM(amount) AS charges FROM charges GROUP BY customer)",
        "cs AS (SELECT customer, SUM(capped_w) AS w FROM scope_credit GROUP BY customer)",
        f"t0 AS (SELECT c.customer, c.tier, c.fee, COALESCE(a.charges, {zero}) AS charges,"
        f" COALESCE(cs.w, CAST(0 AS {W_TYPE})) AS scopes_w, COALESCE(m.n, 0) AS n FROM customers c"
        " LEFT JOIN cs ON cs.customer = c.customer LEFT JOIN misses m ON m.customer = c.customer"
        " LEFT JOIN allch a ON a.customer = c.customer)",
        f"t AS (SELECT t0.customer, t0.fee, t0.charges, {_w('t0.scopes_w')} AS scopes_w,"
        f" {_per_miss(policy)} AS per_miss_w FROM t0 CROSS JOIN p)",
        f"tt AS (SELECT t.customer, t.scopes_w, t.per_miss_w, {_w(total)} AS subtotal_w, p.d FROM t CROSS JOIN p)",
        # The one rounding, half-even, of subtotal_w ÷ d to the minor unit: a DOUBLE estimate of the
        # quotient (off by at most one), corrected with the exact remainder.
        f"r0 AS (SELECT tt.*, tt.subtotal_w * {scale} AS x,"
        f" CAST(FLOOR(CAST(tt.subtotal_w * {scale} AS DOUBLE) / tt.d) AS DECIMAL(38,0)) AS q0 FROM tt)",
        "r1 AS (SELECT r0.*, x - q0 * d AS rem0 FROM r0)",
        "r2 AS (SELECT r1.*, q0 + CASE WHEN rem0 < 0 THEN -1 WHEN rem0 >= d THEN 1 ELSE 0 END AS q,"
        " rem0 + CASE WHEN rem0 < 0 THEN d WHEN rem0 >= d THEN -d ELSE 0 END AS rem FROM r1)",
    ]
    unit = _dec(format(Decimal(1).scaleb(-policy.minor_digits), "f"), policy.minor_digits)
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        "SELECT customer, scopes_w, per_miss_w, subtotal_w, d AS denominator,"
        " CAST((CASE WHEN 2 * rem > d OR (2 * rem = d AND MOD(q, 2) = 1) THEN q + 1 ELSE q END)"
        f" * {unit} AS DECIMAL(38,9)) AS total FROM r2"
    )
