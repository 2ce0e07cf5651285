"""Counted downtime per customer and scope as SQL over the plan's input relations (issue 15).

`scope_downtime_sql(policy)` returns one SELECT (DuckDB dialect, portable constructs: CTEs, window
functions, CASE, null-safe joins) over `customers`, `incidents`, `requests`, `charges` and `params`
giving `scope_downtime(customer, service, region, counted_us, window_us)`: the downtime that counts
in the window [period_start, period_end), per customer and scope, equal to the numpy engine's
(`runtime/availability.py` for v1, `runtime/scopes.py` for v2). Uptime is 1 − counted_us / window_us.

The rules, as the runtime applies them (SPEC "Evaluator semantics" and "Language v2", *Downtime rules*):

1. a scope is a service (the implicit one, service NULL, without `service` blocks), per region when the
   service is measured per region (the regions the customer has charges in or an own incident names);
   an incident applies when its service is NULL or the scope's and its region NULL or the scope's
   (the implicit service takes every incident), and its customer NULL (platform-wide) or the customer;
   only incidents started before the window's end are read (an earlier one can join an outage that
   reaches into the window);
2. a cause the availability block excludes does not count, except a maintenance exclusion (v2
   `maintenance notice D`, v1 `maintenance notice` for `planned_maintenance`): excluded only when
   announced at least D before it started, and with `limit L per year` only until the scope's excluded
   maintenance since the start of the window's calendar year reaches L, in time order (merged per
   cause first); the rest counts;
3. error-rate downtime: requests starting in the window are grouped into intervals of the service's D
   from the window's start; an interval whose failed/total exceeds P % is down for its whole length
   (cut at the window's end);
4. counted incidents, maintenance beyond the allowance and error-rate intervals are merged as one
   union (gaps and islands over a running MAX(end): overlapping and adjacent periods join, empty ones
   drop); a merged period shorter than `minimum outage` does not count; the rest is clipped to the
   window and, with `downtime counted in whole minutes`, each period cut down to whole minutes.

`scope_excluded_sql(policy)` gives `scope_excluded(customer, service, region, cause, reason, us)`, the
report's `downtime.excluded`: each excluded cause's union, announced maintenance within its allowance,
merged periods below the minimum outage, the partial minutes cut (lengths above 0, inside the window).

The platform-wide part of a scope is the same for every customer: it is merged once per scope (key
customer NULL); a customer whose own incidents apply to a scope gets the scope's platform items and
its own merged together (the union of unions is the union). Integer division is avoided (DuckDB's `/`
is a DOUBLE): an error-rate interval's start is `start − MOD(start − lo, D)`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from slac.policy.codec import us_of_seconds
from slac.runtime.calendar import wall_to_us
from slac.runtime.policy import Policy
from slac.runtime.scoped import compiled

from . import sql_literal

MINUTE_US = 60_000_000
COLUMNS = ("customer", "service", "region", "counted_us", "window_us")


def _services(policy: Policy) -> list[dict[str, Any]]:
    return list(compiled(policy).services.values())


def _applies(inc: str, scope: str) -> str:
    """SQL: incident `inc` applies to scope `scope` (runtime.scoped._applies)."""
    return (
        f"({scope}.service IS NULL OR (({inc}.service IS NULL OR {inc}.service = {scope}.service)"
        f" AND ({inc}.region IS NULL OR {inc}.region = {scope}.region)))"
    )


def _scope_list(policy: Policy) -> str:
    """Every customer's scopes: (customer, service, region)."""
    parts: list[str] = []
    for spec in _services(policy):
        sid = spec["id"]
        if sid is None:
            parts.append(
                "SELECT customer, CAST(NULL AS VARCHAR) AS service, CAST(NULL AS VARCHAR) AS region FROM customers"
            )
        elif not spec["per_region"]:
            parts.append(
                f"SELECT customer, {sql_literal(sid)} AS service, CAST(NULL AS VARCHAR) AS region FROM customers"
            )
        else:
            lit = sql_literal(sid)
            parts.append(
                "SELECT DISTINCT k.customer, k.service, k.region FROM ("
                f"SELECT customer, service, region FROM charges WHERE service = {lit} AND region IS NOT NULL"
                " UNION ALL SELECT i.customer, i.service, i.region FROM incidents i"
                f" WHERE i.customer IS NOT NULL AND i.service = {lit} AND i.region IS NOT NULL"
                ") k JOIN customers c ON c.customer = k.customer"
            )
    return "\n  UNION ALL ".join(parts)


def _kind(policy: Policy) -> str:
    """SQL CASE: 'x' excluded by cause, 'm' maintenance announced in time, 'c' counts."""
    rules = compiled(policy).downtime
    plain = sorted(c for c in rules.excludes if c not in rules.maintenance)
    maint = sorted((c, rules.maintenance[c][0]) for c in rules.excludes if c in rules.maintenance)
    whens: list[str] = []
    if plain:
        whens.append(f"WHEN i.cause IN ({', '.join(sql_literal(c) for c in plain)}) THEN 'x'")
    for cause, notice in maint:
        whens.append(
            f"WHEN i.cause = {sql_literal(cause)} THEN CASE WHEN i.announced IS NOT NULL"
            f" AND i.start - i.announced >= {notice} THEN 'm' ELSE 'c' END"
        )
    return "CASE " + " ".join(whens) + " ELSE 'c' END" if whens else "'c'"


def _limits(policy: Policy) -> dict[str, int]:
    """Maintenance causes with a yearly limit (µs); the others' announced maintenance never counts."""
    rules = compiled(policy).downtime
    return {c: lim for c, (_, lim) in rules.maintenance.items() if c in rules.excludes and lim is not None}


def _year_starts(policy: Policy) -> str:
    """VALUES of every local new year's midnight the window can start in (limits.MIN_YEAR–MAX_YEAR)."""
    from datetime import date

    from slac import limits

    rows = ", ".join(
        f"({wall_to_us(date(y, 1, 1), 0, policy.zone)})" for y in range(limits.MIN_YEAR, limits.MAX_YEAR + 2)
    )
    return f"SELECT y FROM (VALUES {rows}) AS v(y)"


def _error_rate(policy: Policy) -> str | None:
    """SQL rows (service, region, s, e) of the error-rate intervals that are down, or None without a rule."""
    parts: list[str] = []
    for spec in _services(policy):
        rule = spec.get("error_rate") if spec["id"] is not None else None
        if rule is None:
            continue
        above = Fraction(Decimal(rule["above"]))
        per = us_of_seconds(rule["per_seconds"])
        if per <= 0:
            raise ValueError("an error-rate interval of the policy is not positive")
        num, den = above.numerator, above.denominator
        parts.append(
            "SELECT service, region, slot AS s, LEAST(slot + " + str(per) + ", hi) AS e FROM ("
            f"SELECT r.service, r.region, r.start - MOD(r.start - p.lo, {per}) AS slot, p.hi,"
            " SUM(CAST(r.total AS DECIMAL(38,0))) AS t_sum, SUM(CAST(r.failed AS DECIMAL(38,0))) AS f_sum"
            f" FROM requests r CROSS JOIN p WHERE r.service = {sql_literal(spec['id'])}"
            " AND r.start >= p.lo AND r.start < p.hi"
            " GROUP BY r.service, r.region, r.start - MOD(r.start - p.lo, " + str(per) + "), p.hi) g"
            f" WHERE t_sum > 0 AND f_sum * {100 * den} > t_sum * {num}"
        )
    return " UNION ALL ".join(parts) if parts else None


def _merge(source: str, keys: str, name: str) -> str:
    """CTEs `{name}_o`, `{name}`: the intervals (keys…, s, e) of `source` merged per keys (gaps and islands)."""
    return (
        f"{name}_o AS (SELECT {keys}, s, e, CASE WHEN MAX(e) OVER (PARTITION BY {keys} ORDER BY s NULLS FIRST, e NULLS FIRST"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) >= s THEN 0 ELSE 1 END AS head"
        f" FROM {source} WHERE e > s),\n"
        f"{name}_g AS (SELECT {keys}, s, e, SUM(head) OVER (PARTITION BY {keys} ORDER BY s NULLS FIRST, e NULLS FIRST"
        f" ROWS UNBOUNDED PRECEDING) AS grp FROM {name}_o),\n"
        f"{name} AS (SELECT {keys}, MIN(s) AS s, MAX(e) AS e FROM {name}_g GROUP BY {keys}, grp)"
    )


def _items(policy: Policy) -> list[str]:
    """CTEs up to `items(kc, service, region, s, e, kind, cause)`, the intervals merged as one union per key.

    kc NULL is a scope's platform part; kc a customer is that customer's whole view of a scope when its
    own announced maintenance shares the scope's yearly allowance (`full`: the allowance is used in time
    order over both). Other customers' own incidents are merged into the platform's islands (`_own`).
    """
    err = _error_rate(policy)
    limits = _limits(policy)
    ctes = [
        'inc AS (SELECT i.start AS s, i."end" AS e, i.customer, i.cause, i.service, i.region, i.id, i."row" AS rw, '
        + _kind(policy)
        + " AS kind FROM incidents i CROSS JOIN p WHERE i.start < p.hi)",
        "plat AS (SELECT sc.service, sc.region, inc.s, inc.e, inc.kind, inc.cause FROM inc"
        " JOIN scopes sc ON "
        + _applies("inc", "sc")
        + " WHERE inc.customer IS NULL AND inc.kind <> 'x'"
        + (
            " UNION ALL SELECT sc.service, sc.region, er.s, er.e, 'c' AS kind, CAST(NULL AS VARCHAR) AS cause"
            " FROM err er JOIN scopes sc ON sc.service = er.service AND sc.region IS NOT DISTINCT FROM er.region"
            if err
            else ""
        )
        + ")",
        "own AS (SELECT sl.customer AS kc, sl.service, sl.region, inc.s, inc.e, inc.kind, inc.cause FROM inc"
        " JOIN scope_list sl ON sl.customer = inc.customer AND " + _applies("inc", "sl") + " WHERE inc.kind <> 'x')",
    ]
    if err:
        ctes.insert(0, f"err AS ({err})")
    if not limits:
        ctes += [
            "full_pairs AS (SELECT kc, service, region FROM own WHERE 1 = 0)",
            "items AS (SELECT CAST(NULL AS VARCHAR) AS kc, service, region, s, e, kind, cause FROM plat)",
        ]
        return ctes
    causes = ", ".join(sql_literal(c) for c in sorted(limits))
    return [
        *ctes,
        f"full_pairs AS (SELECT DISTINCT kc, service, region FROM own WHERE kind = 'm' AND cause IN ({causes}))",
        "items AS (SELECT CAST(NULL AS VARCHAR) AS kc, service, region, s, e, kind, cause FROM plat"
        " UNION ALL SELECT f.kc, f.service, f.region, pl.s, pl.e, pl.kind, pl.cause FROM full_pairs f JOIN plat pl"
        " ON f.service IS NOT DISTINCT FROM pl.service AND f.region IS NOT DISTINCT FROM pl.region"
        " UNION ALL SELECT o.kc, o.service, o.region, o.s, o.e, o.kind, o.cause FROM own o JOIN full_pairs f"
        " ON f.kc = o.kc AND f.service IS NOT DISTINCT FROM o.service AND f.region IS NOT DISTINCT FROM o.region)",
    ]


def _same(a: str, b: str, customer: bool = True) -> str:
    """SQL: rows a and b are of one key (customer and scope), null-safe."""
    return (f"{a}.kc = {b}.kc AND " if customer else "") + (
        f"{a}.service IS NOT DISTINCT FROM {b}.service AND {a}.region IS NOT DISTINCT FROM {b}.region"
    )


MEASURES = ("counted_us", "below_us", "partial_us")


def _measures(policy: Policy) -> dict[str, str]:
    """SQL per merged period (s, e) and window `p`: what counts, what is below the minimum, the partial minutes."""
    rules = compiled(policy).downtime
    clipped = "LEAST(e, p.hi) - GREATEST(s, p.lo)"
    partial = f"MOD({clipped}, {MINUTE_US})" if rules.whole_minutes else "0"
    long = f"e - s >= {rules.minimum_us}"
    return {
        "counted_us": f"CASE WHEN {long} AND {clipped} > 0 THEN {clipped} - {partial} ELSE 0 END",
        "below_us": f"CASE WHEN NOT ({long}) AND {clipped} > 0 THEN {clipped} ELSE 0 END",
        "partial_us": f"CASE WHEN {long} AND {clipped} > 0 THEN {partial} ELSE 0 END",
    }


def _own(measures: dict[str, str]) -> list[str]:
    """CTEs up to `part(kc, service, region, counted_us, below_us, partial_us)`: customers whose own counted
    incidents apply.

    A customer's view is the platform's islands with the ones its own incidents touch (overlap or
    adjoin) replaced by the union of those incidents and those islands: the islands are disjoint and
    apart, so nothing else joins. Its downtime is the platform's, minus the touched islands', plus its
    merged periods' — a range join of own incidents with islands, never the platform per customer.
    """
    cols = ", ".join(f"{expr} AS {m}" for m, expr in measures.items())
    sums = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
    total = ", ".join(f"COALESCE(pd.{m}, 0) - COALESCE(tw.{m}, 0) + COALESCE(cw.{m}, 0) AS {m}" for m in MEASURES)
    return [
        f"pisl AS (SELECT service, region, s, e, {cols} FROM merged CROSS JOIN p WHERE kc IS NULL)",
        "po AS (SELECT o.kc, o.service, o.region, o.s, o.e FROM own o LEFT JOIN full_pairs f ON "
        + _same("f", "o")
        + " WHERE o.kind = 'c' AND o.e > o.s AND f.kc IS NULL)",
        "touch AS (SELECT DISTINCT po.kc, po.service, po.region, i.s, i.e, "
        + ", ".join(f"i.{m}" for m in MEASURES)
        + " FROM po JOIN pisl i ON "
        + _same("i", "po", False)
        + " AND i.s <= po.e AND i.e >= po.s)",
        "wide AS (SELECT kc, service, region, s, e FROM po UNION ALL SELECT kc, service, region, s, e FROM touch)",
        _merge("wide", "kc, service, region", "cisl"),
        f"part AS (SELECT k.kc, k.service, k.region, {total}"
        " FROM (SELECT DISTINCT kc, service, region FROM po) k"
        " LEFT JOIN down pd ON pd.kc IS NULL AND " + _same("pd", "k", False) + ""
        f" LEFT JOIN (SELECT kc, service, region, {sums} FROM touch GROUP BY kc, service, region) tw ON "
        + _same("tw", "k")
        + f" LEFT JOIN (SELECT kc, service, region, {', '.join(f'SUM({e}) AS {m}' for m, e in measures.items())}"
        " FROM cisl CROSS JOIN p GROUP BY kc, service, region) cw ON " + _same("cw", "k") + ")",
    ]


def _allowance(policy: Policy) -> list[str]:
    """CTEs up to `beyond(kc, service, region, s, e)`: announced maintenance past its yearly limit."""
    limits = _limits(policy)
    if not limits:
        return ["beyond AS (SELECT kc, service, region, s, e FROM items WHERE 1 = 0)"]
    keys = "kc, service, region, cause"
    lim = "CASE cause " + " ".join(f"WHEN {sql_literal(c)} THEN {v}" for c, v in sorted(limits.items())) + " END"
    causes = ", ".join(sql_literal(c) for c in sorted(limits))
    return [
        f"yr AS (SELECT MAX(y) AS ystart FROM ({_year_starts(policy)}) ys CROSS JOIN p WHERE y <= p.lo)",
        "maint AS (SELECT kc, service, region, cause, GREATEST(s, yr.ystart) AS s, e FROM items CROSS JOIN yr"
        f" WHERE kind = 'm' AND cause IN ({causes}) AND e > yr.ystart)",
        _merge("maint", keys, "mm"),
        f"mc AS (SELECT {keys}, s, e, e - s AS len, {lim} AS lim, SUM(e - s) OVER (PARTITION BY {keys}"
        " ORDER BY s NULLS FIRST ROWS UNBOUNDED PRECEDING) AS cum FROM mm)",
        "mt AS (SELECT kc, service, region, cause, s, e, len, LEAST(cum, lim) - LEAST(cum - len, lim) AS take FROM mc)",
        "beyond AS (SELECT kc, service, region, s + take AS s, e FROM mt WHERE take < len)",
    ]


def _window(window: tuple[int, int] | None) -> str:
    """The CTE `p(lo, hi)`: the window of `params`, or the given one (µs) inlined."""
    if window is None:
        return "p AS (SELECT period_start AS lo, period_end AS hi FROM params)"
    return f"p AS (SELECT CAST({int(window[0])} AS BIGINT) AS lo, CAST({int(window[1])} AS BIGINT) AS hi)"


def _downtime_ctes(policy: Policy, window: tuple[int, int] | None = None) -> list[str]:
    """CTEs up to `dt(customer, service, region, counted_us, below_us, partial_us)`, every customer's scopes.

    `window`: [lo, hi) µs instead of `params`' period (the scoped engine evaluates several windows)."""
    keys = "kc, service, region"
    measures = _measures(policy)
    pick = ", ".join(
        f"COALESCE(CASE WHEN f.kc IS NOT NULL THEN dc.{m} WHEN pt.kc IS NOT NULL THEN pt.{m} ELSE dp.{m} END, 0) AS {m}"
        for m in MEASURES
    )
    return [
        _window(window),
        f"scope_list AS ({_scope_list(policy)})",
        "scopes AS (SELECT DISTINCT service, region FROM scope_list)",
        *_items(policy),
        *_allowance(policy),
        f"counted AS (SELECT {keys}, s, e FROM items WHERE kind = 'c' UNION ALL SELECT {keys}, s, e FROM beyond)",
        _merge("counted", keys, "merged"),
        f"down AS (SELECT {keys}, {', '.join(f'SUM({e}) AS {m}' for m, e in measures.items())}"
        f" FROM merged CROSS JOIN p GROUP BY {keys})",
        *_own(measures),
        f"dt AS (SELECT sl.customer, sl.service, sl.region, {pick} FROM scope_list sl"
        " LEFT JOIN full_pairs f ON f.kc = sl.customer AND " + _same("f", "sl", False) + ""
        " LEFT JOIN down dc ON dc.kc = sl.customer AND " + _same("dc", "sl", False) + ""
        " LEFT JOIN part pt ON pt.kc = sl.customer AND " + _same("pt", "sl", False) + ""
        " LEFT JOIN down dp ON dp.kc IS NULL AND " + _same("dp", "sl", False) + ")",
    ]


def scope_downtime_sql(policy: Policy) -> str:
    """The SELECT of `scope_downtime(customer, service, region, counted_us, window_us, error_intervals)`.

    See the module docstring; `error_intervals` is the number of the scope's error-rate intervals that
    are down (the report's `error_rate_intervals`), the same for every customer of the scope.
    """
    if _error_rate(policy) is None:
        errors, join = "0", ""
    else:
        errors = "COALESCE(ec.n, 0)"
        join = " LEFT JOIN (SELECT service, region, COUNT(*) AS n FROM err GROUP BY service, region) ec ON " + _same(
            "ec", "dt", False
        )
    return (
        "WITH " + ",\n".join(_downtime_ctes(policy)) + "\n"
        "SELECT dt.customer, dt.service, dt.region, CAST(dt.counted_us AS BIGINT) AS counted_us,"
        f" p.hi - p.lo AS window_us, CAST({errors} AS BIGINT) AS error_intervals FROM dt CROSS JOIN p{join}"
    )


def _view(name: str, plat: str, own: str) -> list[str]:
    """CTEs up to `{name}(kc, service, region, cause, us)`: a union per cause inside the window.

    `plat` gives the platform's intervals (service, region, cause, s, e) of every scope, `own` the
    customers' (kc, service, region, cause, s, e); kc NULL rows are the platform's union, a customer's
    row is its own view (the platform's islands it touches replaced by their union with its own).
    """
    keys = "kc, service, region, cause"
    clip = "CASE WHEN LEAST(e, p.hi) > GREATEST(s, p.lo) THEN LEAST(e, p.hi) - GREATEST(s, p.lo) ELSE 0 END"
    return [
        f"{name}_src AS (SELECT CAST(NULL AS VARCHAR) AS kc, service, region, cause, s, e FROM ({plat}) x)",
        _merge(f"{name}_src", keys, f"{name}_pm"),
        f"{name}_pi AS (SELECT service, region, cause, s, e, {clip} AS us FROM {name}_pm CROSS JOIN p)",
        f"{name}_own AS (SELECT kc, service, region, cause, s, e FROM ({own}) x WHERE e > s)",
        f"{name}_t AS (SELECT DISTINCT o.kc, o.service, o.region, o.cause, i.s, i.e, i.us FROM {name}_own o"
        f" JOIN {name}_pi i ON " + _same("i", "o", False) + " AND i.cause = o.cause AND i.s <= o.e AND i.e >= o.s)",
        f"{name}_w AS (SELECT {keys}, s, e FROM {name}_own UNION ALL SELECT {keys}, s, e FROM {name}_t)",
        _merge(f"{name}_w", keys, f"{name}_cm"),
        f"{name} AS (SELECT CAST(NULL AS VARCHAR) AS kc, service, region, cause, SUM(us) AS us FROM {name}_pi"
        " GROUP BY service, region, cause"
        f" UNION ALL SELECT k.kc, k.service, k.region, k.cause, COALESCE(pl.us, 0) - COALESCE(tw.us, 0)"
        " + COALESCE(cw.us, 0) AS us"
        f" FROM (SELECT DISTINCT {keys} FROM {name}_own) k"
        f" LEFT JOIN (SELECT service, region, cause, SUM(us) AS us FROM {name}_pi GROUP BY service, region, cause)"
        " pl ON " + _same("pl", "k", False) + " AND pl.cause = k.cause"
        f" LEFT JOIN (SELECT {keys}, SUM(us) AS us FROM {name}_t GROUP BY {keys}) tw ON "
        + _same("tw", "k")
        + " AND tw.cause = k.cause"
        f" LEFT JOIN (SELECT {keys}, SUM({clip}) AS us FROM {name}_cm CROSS JOIN p GROUP BY {keys}) cw ON "
        + _same("cw", "k")
        + " AND cw.cause = k.cause)",
    ]


def _per_customer(view: str, reason: str) -> str:
    """SQL rows (customer, service, region, cause, reason, us) of a `_view`: a customer's own row, else the platform's."""
    return (
        f"SELECT sl.customer, sl.service, sl.region, v.cause, '{reason}' AS reason, v.us FROM scope_list sl"
        f" JOIN {view} v ON v.kc IS NULL AND " + _same("v", "sl", False) + ""
        f" WHERE NOT EXISTS (SELECT 1 FROM {view} o WHERE o.kc = sl.customer AND " + _same("o", "sl", False) + ""
        " AND o.cause = v.cause)"
        f" UNION ALL SELECT v.kc, v.service, v.region, v.cause, '{reason}' AS reason, v.us FROM {view} v"
        " WHERE v.kc IS NOT NULL"
    )


def scope_excluded_sql(policy: Policy) -> str:
    """The SELECT of `scope_excluded(customer, service, region, cause, reason, us)`: downtime that does not count.

    Per customer and scope, as the report's `downtime.excluded` (only lengths above 0): each excluded cause's
    union (`excluded_cause`), each maintenance exclusion's announced downtime within its allowance
    (`announced_maintenance`), merged periods shorter than the minimum outage (`below_minimum`, cause NULL),
    and the cut partial minutes (`partial_minute`, cause NULL), all inside the window.
    """
    limits = _limits(policy)
    ctes = [*_downtime_ctes(policy), *excluded_ctes(policy)]
    rows = [_per_customer("xv", "excluded_cause"), _per_customer("mv", "announced_maintenance")]
    if limits:  # within the allowance: the platform's parts, or a customer's own allowance (full_pairs)
        rows.append(
            "SELECT sl.customer, sl.service, sl.region, a.cause, 'announced_maintenance' AS reason, a.us"
            " FROM scope_list sl LEFT JOIN full_pairs f ON f.kc = sl.customer AND " + _same("f", "sl", False) + ""
            " JOIN av a ON a.kc IS NOT DISTINCT FROM f.kc AND " + _same("a", "sl", False)
        )
    rows += [
        "SELECT customer, service, region, CAST(NULL AS VARCHAR) AS cause, 'below_minimum' AS reason, below_us AS us"
        " FROM dt",
        "SELECT customer, service, region, CAST(NULL AS VARCHAR) AS cause, 'partial_minute' AS reason,"
        " partial_us AS us FROM dt",
    ]
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        "SELECT customer, service, region, cause, reason, CAST(us AS BIGINT) AS us FROM ("
        + " UNION ALL ".join(rows)
        + ") r WHERE us > 0"
    )


def excluded_ctes(policy: Policy) -> list[str]:
    """CTEs `xv`, `mv` (excluded and announced time per scope view, `_view`) and, with a yearly limit,
    `av` (maintenance within the allowance); `scope_excluded` and the scoped engine's query both use them."""
    limits = _limits(policy)
    unlimited = "1 = 1" if not limits else f"inc.cause NOT IN ({', '.join(sql_literal(c) for c in sorted(limits))})"
    plat = "SELECT sc.service, sc.region, inc.cause, inc.s, inc.e FROM inc JOIN scopes sc ON " + _applies("inc", "sc")
    own = (
        "SELECT sl.customer AS kc, sl.service, sl.region, inc.cause, inc.s, inc.e FROM inc JOIN scope_list sl"
        " ON sl.customer = inc.customer AND " + _applies("inc", "sl")
    )
    ctes = [
        *_view("xv", f"{plat} WHERE inc.customer IS NULL AND inc.kind = 'x'", f"{own} WHERE inc.kind = 'x'"),
        *_view(
            "mv",
            f"{plat} WHERE inc.customer IS NULL AND inc.kind = 'm' AND {unlimited}",
            f"{own} WHERE inc.kind = 'm' AND {unlimited}",
        ),
    ]
    if limits:
        ctes += [
            "avs AS (SELECT kc, service, region, cause, s, s + take AS e FROM mt WHERE take > 0)",
            _merge("avs", "kc, service, region, cause", "av_m"),
            "av AS (SELECT kc, service, region, cause, SUM(LEAST(e, p.hi) - GREATEST(s, p.lo)) AS us FROM av_m"
            " CROSS JOIN p WHERE LEAST(e, p.hi) > GREATEST(s, p.lo) GROUP BY kc, service, region, cause)",
        ]
    return ctes
