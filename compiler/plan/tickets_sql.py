"""`ticket_results` in SQL: response targets of language v1 (effective priority, deadline, state at as_of).

The query reads the plan's relations `tickets`, `customers`, `params` and `calendar_open`
(`slac.plan`) and yields, for every ticket opened in [period_start, period_end):

    row BIGINT, customer VARCHAR, effective VARCHAR NULL, deadline BIGINT NULL, decided BIGINT NULL,
    state TINYINT (0 met, 1 breached, 2 open, 3 unmeasured), excluded BOOLEAN, line INT, known BOOLEAN

the columns of the numpy engine's `TicketResults` (`slac.runtime.evaluate.ticket_results`):

* the effective priority follows the `downgrade` chain while `requires outage` is unmet
  (`Policy.effective_priority`, inlined as a small table);
* the target is looked up by (tier, effective priority); a ticket without one is unmeasured;
* the deadline is the instant where the calendar's cumulative open time reaches cum(opened) +
  within: two range lookups on `calendar_open`, the second on [cum_before, cum_before + length],
  so a deadline that runs out exactly at a closing is that closing instant;
* the state is decided by open time elapsed (SPEC *Ticket clocks*): met iff the open time
  between opening and response is at most the target, i.e. the response is at or before
  `decided`, the deadline itself or, for a deadline at a closing, the next opening;
  unanswered, breached when `decided` < as_of, otherwise open;
* excluded: measured with an exclusion cause.

`deadline` or `decided` is NULL for a measured ticket only when its opening lies before its
calendar's first row or its deadline past the table (past the policy's holiday data); `known` is
then false, its state not to be trusted (`slac sql`'s customer_credit says `ambiguous`), and an
engine asks the runtime, which refuses such a deadline with its own message (an engine's table
begins before every opening it measures).

The calendar lookups are bucketed equality joins (`time_lookup`, `cum_lookup`): each calendar row
is listed under every bucket of `BUCKET_US` its range of instants (or of cumulative open time)
touches, so a lookup is a hash join on (calendar, bucket) with the range condition checked on
the one or two rows of that bucket, not on every row of the calendar. `buckets=False` gives the
plain range joins, the reference the bucketed form is tested and measured against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import sql_literal

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

MET, BREACHED, OPEN, UNMEASURED = 0, 1, 2, 3  # as slac.runtime.evaluate
LAST_US = 9_223_372_036_854_775_807  # BIGINT's largest: the end of a calendar's last row range


def _values(columns: tuple[str, ...], types: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    """A small inline table; typed through CASTs so an empty or all-NULL column keeps its type."""
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in zip(columns, types, strict=True))
        return f"SELECT {nulls} WHERE 1 = 0"
    body = ",\n    ".join(
        "(" + ", ".join(f"CAST({sql_literal(v)} AS {t})" for v, t in zip(row, types, strict=True)) + ")" for row in rows
    )
    return f"SELECT * FROM (VALUES\n    {body}\n  ) AS v({', '.join(columns)})"


def effective_values(policy: Policy) -> str:
    """(priority, outage, effective): the priority each ticket is measured at."""
    rows: list[tuple[object, ...]] = [
        (name, flag, policy.effective_priority(name, flag)) for name in policy.priorities for flag in (False, True)
    ]
    return _values(("priority", "outage", "effective"), ("VARCHAR", "BOOLEAN", "VARCHAR"), rows)


def calendar_numbers(policy: Policy) -> dict[str, int]:
    """Each calendar's number in the lookups' keys (the policy's calendars in name order)."""
    return {name: i for i, name in enumerate(sorted(policy.calendars))}


def target_values(policy: Policy) -> str:
    """(tier, priority, calendar, cal_no, within_us, line): the response targets of language v1."""
    number = calendar_numbers(policy)
    rows: list[tuple[object, ...]] = [
        (tier, prio, t.calendar, number[t.calendar], t.within_us, t.line)
        for (tier, prio), t in sorted(policy.targets.items())
    ]
    return _values(
        ("tier", "priority", "calendar", "cal_no", "within_us", "line"),
        ("VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "BIGINT", "INTEGER"),
        rows,
    )


BUCKET_US = 3_600_000_000  # an hour: of time for the instant lookups, of open time for the cumulative ones
RESPONSE, RESOLUTION, UPDATE = 0, 1, 2  # the `kind` of a clock, as slac.runtime.tickets' at-risk targets


def calendar_ctes(policy: Policy, buckets: bool = True) -> str:
    """cal, cal_rows, cal_first (and with `buckets` cal_top, cal_time, cal_cum): the calendar CTEs of the lookups.

    cal is calendar_open with each row's calendar number (`calendar_numbers`; a calendar the policy
    lacks is never looked up), cumulative open time at its end and the next row's start; cal_rows
    adds the end of the range of instants whose cum a row gives (up to the next row's start);
    cal_first each calendar's first opening and last closing (the clock queries know no instant past it).
    The bucket tables list a row under the key `b * calendars + cal_no` of every bucket b it covers:
    cal_time every b = t // B of an instant t of [open_start, upto), the last row of a calendar
    (upto unbounded) up to the table's top bucket, under which every later instant is looked up
    (its bucket is clamped to it); cal_cum every b = (g - 1) // B of a goal g of (cum_before,
    cum_through]. `//` truncates in every dialect the plan is written for; any monotone rounding
    works, since the range condition, not the bucket, decides which row matches.
    """
    rows: list[tuple[object, ...]] = sorted(calendar_numbers(policy).items())
    n, width = max(len(rows), 1), BUCKET_US
    base = f"""cal_number AS (
  {_values(("calendar", "cal_no"), ("VARCHAR", "INTEGER"), rows)}
),
cal AS (
  SELECT o.calendar, n.cal_no, o.open_start, o.open_end, o.cum_before,
    o.cum_before + (o.open_end - o.open_start) AS cum_through,
    LEAD(o.open_start) OVER (PARTITION BY o.calendar ORDER BY o.open_start, o.open_end) AS next_start
  FROM calendar_open o JOIN cal_number n ON n.calendar = o.calendar
),
cal_rows AS (
  SELECT cal_no, open_start, open_end, cum_before, next_start, COALESCE(next_start, {LAST_US}) AS upto FROM cal
),
cal_first AS (
  SELECT cal_no, MIN(open_start) AS first_start, MAX(open_end) AS last_end FROM cal GROUP BY cal_no
)"""
    if not buckets:
        return base
    return f"""{base},
cal_top AS (
  SELECT MAX(open_end) // {width} AS last_b FROM calendar_open
),
cal_time AS (
  SELECT g.b * {n} + k.cal_no AS kb, k.cal_no, k.open_start, k.open_end, k.cum_before, k.next_start, k.upto
  FROM cal_rows k CROSS JOIN cal_top x
  CROSS JOIN UNNEST(GENERATE_SERIES(k.open_start // {width}, LEAST((k.upto - 1) // {width}, x.last_b))) AS g(b)
),
cal_cum AS (
  SELECT g.b * {n} + c.cal_no AS kb, c.cal_no, c.open_start, c.cum_before, c.cum_through, c.next_start
  FROM cal c CROSS JOIN UNNEST(GENERATE_SERIES(c.cum_before // {width}, (c.cum_through - 1) // {width})) AS g(b)
)"""


def time_lookup(policy: Policy, alias: str, cal_no: str, t: str, buckets: bool = True) -> str:
    """`LEFT JOIN` of the row `alias` of cal_rows whose instants [open_start, upto) hold `t` in calendar `cal_no`."""
    cond = f"{alias}.open_start <= {t} AND {t} < {alias}.upto"
    if not buckets:
        return f"LEFT JOIN cal_rows {alias} ON {alias}.cal_no = {cal_no} AND {cond}"
    n = max(len(policy.calendars), 1)
    key = f"LEAST({t} // {BUCKET_US}, (SELECT last_b FROM cal_top)) * {n} + {cal_no}"
    return f"LEFT JOIN cal_time {alias} ON {alias}.kb = {key} AND {cond}"


def cum_lookup(policy: Policy, alias: str, cal_no: str, goal: str, buckets: bool = True) -> str:
    """`LEFT JOIN` of the row `alias` of cal whose cumulative open time (cum_before, cum_through] holds `goal`."""
    cond = f"{alias}.cum_before < {goal} AND {goal} <= {alias}.cum_through"
    if not buckets:
        return f"LEFT JOIN cal {alias} ON {alias}.cal_no = {cal_no} AND {cond}"
    n = max(len(policy.calendars), 1)
    return f"LEFT JOIN cal_cum {alias} ON {alias}.kb = ({goal} - 1) // {BUCKET_US} * {n} + {cal_no} AND {cond}"


def ticket_results_sql(policy: Policy, carry: tuple[str, ...] = (), *, buckets: bool = True) -> str:
    """The query of `ticket_results` for this policy (DuckDB dialect, portable constructs).

    `carry`: further columns passed through to each result row, `t.NAME` of `tickets` or `c.NAME`
    of `customers` (an engine building the report's breach entries takes id, priority, opened and
    responded along, and its own customer positions). `buckets`: the bucketed calendar lookups
    (False: plain range joins, the reference).
    """
    names = [c.partition(".")[2] for c in carry]
    if not all(c[:2] in ("t.", "c.") and n.isidentifier() for c, n in zip(carry, names, strict=True)):
        raise ValueError(f"carry names columns as t.NAME or c.NAME, not {carry!r}")
    if any(t.business_days for t in policy.targets.values()):
        raise ValueError("response targets in business days are not in the SQL plan yet")
    zero = any(t.within_us == 0 for t in policy.targets.values())
    # A target of no open time is due at the opening if open then, else at the next opening.
    # An opening before the calendar's first row is outside the table: no goal, no deadline (not `known`).
    next_open = ",\n    CASE WHEN m.opened < k.open_end THEN m.opened ELSE k.next_start END AS open_at" if zero else ""
    deadline = "o.open_at" if zero else "NULL"
    return f"""WITH
{calendar_ctes(policy, buckets)},
effective_priority AS (
  {effective_values(policy)}
),
response_target AS (
  {target_values(policy)}
),
measured AS (
  SELECT t."row" AS "row", t.customer, t.opened, t.responded, t.cause, e.effective,
    r.calendar, r.cal_no, r.within_us, r.line{"".join(f", {c} AS carry_{n}" for c, n in zip(carry, names, strict=True))}
  FROM tickets t
  CROSS JOIN params p
  JOIN customers c ON c.customer = t.customer
  JOIN effective_priority e ON e.priority = t.priority AND e.outage = COALESCE(t.outage, FALSE)
  LEFT JOIN response_target r ON r.tier = c.tier AND r.priority = e.effective
  WHERE t.opened >= p.period_start AND t.opened < p.period_end
),
at_opening AS (
  SELECT m.*,
    k.cum_before + LEAST(m.opened, k.open_end) - k.open_start + m.within_us AS goal{next_open}
  FROM measured m
  {time_lookup(policy, "k", "m.cal_no", "m.opened", buckets)}
),
due AS (
  SELECT o.*,
    CASE WHEN o.within_us = 0 THEN {deadline} ELSE j.open_start + (o.goal - j.cum_before) END AS deadline,
    CASE
      WHEN o.within_us = 0 THEN {deadline}
      WHEN o.goal < j.cum_through THEN j.open_start + (o.goal - j.cum_before)
      ELSE j.next_start
    END AS decided
  FROM at_opening o
  {cum_lookup(policy, "j", "o.cal_no", "o.goal", buckets)}
)
SELECT
  d."row" AS "row",
  d.customer,
  CASE WHEN d.calendar IS NULL THEN NULL ELSE d.effective END AS effective,
  d.deadline,
  d.decided,
  CAST(CASE
    WHEN d.calendar IS NULL THEN {UNMEASURED}
    WHEN d.responded IS NOT NULL AND d.responded <= d.decided THEN {MET}
    WHEN d.responded IS NOT NULL THEN {BREACHED}
    WHEN d.decided < p.as_of THEN {BREACHED}
    ELSE {OPEN}
  END AS TINYINT) AS state,
  (d.calendar IS NOT NULL AND d.cause IS NOT NULL) AS excluded,
  CAST(COALESCE(d.line, 0) AS INTEGER) AS line,
  d.calendar IS NULL OR d.decided IS NOT NULL AS known{"".join(f", d.carry_{n} AS {n}" for n in names)}
FROM due d
CROSS JOIN params p"""


def _cum(alias: str, t: str) -> str:
    """cum(t) from the row `alias` a time lookup found (0 where none: such an instant is not `known`)."""
    return f"COALESCE({alias}.cum_before + LEAST({t}, {alias}.open_end) - {alias}.open_start, 0)"
