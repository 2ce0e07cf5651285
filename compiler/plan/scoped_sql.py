"""Everything of one window's downtime that a v2 report shows, per scope and view, as one SQL query (issue 15).

`scope_measures_sql(policy, lo, hi)` is one SELECT over `customers`, `incidents`, `requests` and
`charges` (slac.plan) giving tagged rows `(tag, kc, service, region, cause, a, b, c, id)` for the
window [lo, hi): everything the runtime's `scopes.Measure` holds, so the scoped engine
(slac.plan.scoped_engine) builds each scope's downtime entry from SQL instead of merging incidents
and request intervals itself. It reuses the CTEs of slac.plan.availability_sql (the rules are
there); a row with `kc` NULL is a scope's platform part (the same for every customer), a row with
`kc` a customer is that customer's own view of the scope where it differs (its own incidents apply):

* `d`: counted_us (a), below_minimum µs (b), the partial minutes cut (c)
* `r`: the scope's error-rate intervals that are down (a), platform rows only
* `x` / `m` / `a`: excluded µs (a) of a cause: `excluded_cause`, `announced_maintenance` without a
  yearly limit, `announced_maintenance` within its yearly limit; a customer's `x`/`m` row replaces the
  platform's row of its cause, a customer's `a` rows replace all the platform's `a` rows (`f` views)
* `f`: the customer's view shares the scope's yearly maintenance allowance (own announced
  maintenance with a limit): its whole view is merged apart from the platform's
* `p`: counted platform-wide incidents overlapping a kept period (a); for an `f` view its own count,
  for another customer the count of platform incidents its own periods add (`q`)
* `i`: the customer's own counted incidents overlapping a kept period: start (a), row (b), id
* `e`: the customer's own excluded incidents inside the window: row (b), id

Kept periods are the merged periods at least the minimum outage long that reach into the window,
unclipped (as `runtime.scopes._incidents`); a customer's kept periods are the platform's and its
own islands' (`cisl`) together: an island its own incidents touch lies inside one of its own.
"""

from __future__ import annotations

from slac.runtime.policy import Policy
from slac.runtime.scoped import compiled

from .availability_sql import _applies, _downtime_ctes, _error_rate, _limits, _same, excluded_ctes

COLUMNS = ("tag", "kc", "service", "region", "cause", "a", "b", "c", "id")
NULL_TEXT = "CAST(NULL AS VARCHAR)"


def _row(tag: str, rest: str, *, kc: str = NULL_TEXT, scope: str = "", cause: str = NULL_TEXT,
         a: str = "0", b: str = "0", c: str = "0", ident: str = NULL_TEXT) -> str:  # fmt: skip
    """One part of the UNION: a tagged row of every column; `scope` the prefix of service and region."""
    return (
        f"SELECT '{tag}' AS tag, {kc} AS kc, {scope}service AS service, {scope}region AS region, {cause} AS cause,"
        f" CAST({a} AS BIGINT) AS a, CAST({b} AS BIGINT) AS b, CAST({c} AS BIGINT) AS c, {ident} AS id {rest}"
    )


def _incident_ctes(policy: Policy) -> list[str]:
    """CTEs `kept`, `pinc` (the scopes' counted platform incidents), `phit`, `oinc` (own counted), `ohit`."""
    minimum = compiled(policy).downtime.minimum_us
    inside = f"e - s >= {minimum} AND LEAST(e, p.hi) > GREATEST(s, p.lo)"
    overlap = "k.s < {x}.e AND k.e > {x}.s"
    return [
        "kept AS (SELECT CASE WHEN kc IS NULL THEN 'p' ELSE 'f' END AS src, kc, service, region, s, e"
        f" FROM merged CROSS JOIN p WHERE {inside}"
        f" UNION ALL SELECT 'c' AS src, kc, service, region, s, e FROM cisl CROSS JOIN p WHERE {inside})",
        "pinc AS (SELECT sc.service, sc.region, inc.rw, inc.s, inc.e FROM inc JOIN scopes sc ON "
        + _applies("inc", "sc")
        + " CROSS JOIN p WHERE inc.customer IS NULL AND inc.kind = 'c' AND inc.e > p.lo)",
        "phit AS (SELECT DISTINCT pi.service, pi.region, pi.rw FROM pinc pi JOIN kept k ON k.src = 'p' AND "
        + _same("k", "pi", False)
        + " AND "
        + overlap.format(x="pi")
        + ")",
        "oinc AS (SELECT sl.customer AS kc, sl.service, sl.region, inc.rw, inc.id, inc.s, inc.e FROM inc"
        " JOIN scope_list sl ON sl.customer = inc.customer AND "
        + _applies("inc", "sl")
        + " CROSS JOIN p WHERE inc.kind = 'c' AND inc.e > p.lo)",
        "ohit AS (SELECT DISTINCT o.kc, o.service, o.region, o.rw, o.id, o.s FROM oinc o"
        " LEFT JOIN full_pairs f ON "
        + _same("f", "o")
        + " JOIN kept k ON "
        + _same("k", "o", False)
        + " AND "
        + overlap.format(x="o")
        + " WHERE (f.kc IS NOT NULL AND k.src = 'f' AND k.kc = o.kc)"
        " OR (f.kc IS NULL AND (k.src = 'p' OR (k.src = 'c' AND k.kc = o.kc))))",
    ]


def _view_rows() -> list[str]:
    """`d` rows: the platform's per scope, a full view's, a customer's whose own counted incidents apply."""
    plat = "FROM scopes sc LEFT JOIN down d ON d.kc IS NULL AND " + _same("d", "sc", False)
    full = "FROM full_pairs f LEFT JOIN down d ON " + _same("d", "f")
    sums = {m: f"COALESCE(d.{m}_us, 0)" for m in ("counted", "below", "partial")}
    return [
        _row("d", plat, scope="sc.", a=sums["counted"], b=sums["below"], c=sums["partial"]),
        _row("d", full, kc="f.kc", scope="f.", a=sums["counted"], b=sums["below"], c=sums["partial"]),
        _row("d", "FROM part", kc="kc", a="counted_us", b="below_us", c="partial_us"),
        _row("f", "FROM full_pairs", kc="kc"),
    ]


def _id_rows() -> list[str]:
    """`p`, `q`, `g` counts of platform incidents, `i` and `e` the customers' own incidents."""
    extra = (
        "FROM pinc pi JOIN kept k ON k.src = 'c' AND " + _same("k", "pi", False) + " AND k.s < pi.e AND k.e > pi.s"
        " LEFT JOIN phit h ON " + _same("h", "pi", False) + " AND h.rw = pi.rw WHERE h.rw IS NULL"
        " GROUP BY k.kc, pi.service, pi.region"
    )
    own = (
        "FROM pinc pi JOIN kept k ON k.src = 'f' AND " + _same("k", "pi", False) + " AND k.s < pi.e AND k.e > pi.s"
        " GROUP BY k.kc, pi.service, pi.region"
    )
    excluded = (
        "FROM inc JOIN scope_list sl ON sl.customer = inc.customer AND "
        + _applies("inc", "sl")
        + " CROSS JOIN p WHERE inc.kind IN ('x', 'm') AND (inc.e > p.lo OR (inc.s = inc.e AND inc.s >= p.lo))"
    )
    count = "COUNT(DISTINCT pi.rw)"
    return [
        _row("p", "FROM phit GROUP BY service, region", a="COUNT(*)"),
        _row("q", extra, kc="k.kc", scope="pi.", a=count),
        _row("g", own, kc="k.kc", scope="pi.", a=count),
        _row("i", "FROM ohit", kc="kc", a="s", b="rw", ident="id"),
        _row("e", excluded, kc="sl.customer", scope="sl.", b="inc.rw", ident="inc.id"),
    ]


def _excluded_rows(policy: Policy) -> list[str]:
    rows = [_row("x", "FROM xv", kc="kc", cause="cause", a="us"), _row("m", "FROM mv", kc="kc", cause="cause", a="us")]
    if _limits(policy):
        rows.append(_row("a", "FROM av", kc="kc", cause="cause", a="us"))
    return rows


def scope_measures_sql(policy: Policy, lo: int, hi: int) -> str:
    """The SELECT of the tagged rows of the module docstring for the window [lo, hi) (µs)."""
    ctes = [*_downtime_ctes(policy, (lo, hi)), *excluded_ctes(policy), *_incident_ctes(policy)]
    rows = [*_view_rows(), *_excluded_rows(policy), *_id_rows()]
    if _error_rate(policy) is not None:
        rows.append(_row("r", "FROM err GROUP BY service, region", a="COUNT(*)"))
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL ".join(rows)


def charges_sql() -> str:
    """Each customer's charges per service and region, summed exactly (DECIMAL)."""
    return "SELECT customer, service, region, SUM(amount) AS amount FROM charges GROUP BY customer, service, region"


def own_scopes_sql() -> str:
    """The (customer, service, region) of every incident naming a customer (the scopes it opens and applies to)."""
    return "SELECT DISTINCT customer, service, region FROM incidents WHERE customer IS NOT NULL"
