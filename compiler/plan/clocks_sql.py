"""Ticket clocks in SQL: pauses, resolution cycles, update gaps and their clock time (issue 12 in the plan).

The queries read the plan's relations `tickets`, `ticket_events`, `customers`, `params` and
`calendar_open` and yield, for every ticket opened in [period_start, period_end), what the numpy
runtime's `slac.runtime.tickets` computes (its rules are the reference; this module says how):

* **History** (`ticket_history_ctes`): a ticket's status events in (at, row) order; a pause runs from
  a pausing status (one after a status that is not pausing) to the ticket's next status event of a
  status that is not pausing, else to `resolved`, else it never ends (`NEVER`). The status
  `resolved` ends a cycle; the next status event of another status reopens the ticket (a new cycle).
  Cycle j ends at the j-th resolving event (one after a status that is not `resolved`), the last
  cycle without one at `resolved`.
* **Clock time** (`clock_time_ctes`): every clock (the response, each resolution cycle, each update
  gap) runs from a start to a stop; its clock time is the open time of its calendar between them,
  cum(stop) − cum(start), less each pause's open time inside it (again a difference of cumulative
  open µs). cum(t) is one lookup of t on `calendar_open`.
* **Decisions** by clock time (SPEC *Ticket clocks*): a target of D is missed when its clock shows
  more than D at the stop; an unanswered response and an unresolved cycle stop at `as_of`. An
  update gap that used L clock time misses ceil(L / D) − 1 updates.
* **Deadlines** (`deadline_ctes`), for the report: the running segments of a clock are the start to
  the first pause not over at it, each pause's end to the next pause's start, the last pause's end
  onwards; the deadline lies in the first segment whose cumulative open time reaches D, at the
  instant where the calendar's cum reaches cum(segment start) + what is left (a deadline running
  out at a closing or at a pause is that instant). A clock that never reaches D (a pause with no
  end) has the deadline NEVER.

Targets in business days (response, resolution) turn into open time per start in SQL
(`business_sql.business_ctes`): the same local clock time on the Nth following local date with
open hours, over the relations `calendar_days(calendar, n, day)` and `calendar_zone(calendar,
utc_from, utc_to, offset_us)` (`calendars.calendar_days_tables`, from the runtime's calendars);
pauses then extend them as any other target. Update targets in business days step their due times
(`business_sql.business_update_ctes`): a gap misses one update per due time before its stop. (A
target of no time is not a term: the checks refuse it, E0225, and the policy schema a loaded policy
with one.) A deadline or an instant outside the calendar table (before a calendar's first row or
past its last), a start without business-day time, or an update gap in business days that a pause
touches or whose due times step from a closed instant, makes `known` false: the engine then asks
the runtime, which answers or refuses with its own message.

Every calendar lookup is a bucketed equality join (`tickets_sql.time_lookup`, `cum_lookup`);
`buckets=False` gives the range joins (the reference), which look each instant up once in
`cum_at` and join it back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import sql_literal
from .business_sql import business_ctes, business_days, business_update_ctes, business_updates
from .tickets_sql import (
    BREACHED,
    MET,
    OPEN,
    RESOLUTION,
    RESPONSE,
    UNMEASURED,
    UPDATE,
    _cum,
    _values,
    calendar_ctes,
    calendar_numbers,
    cum_lookup,
    effective_values,
    time_lookup,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

NEVER = 9_223_372_036_854_775_807  # as slac.runtime.clocks.NEVER: a pause with no end, a deadline never reached
KEY = "kind, tk, cyc, k"  # a clock: kind, ticket row, cycle (0-based), gap of the cycle (0 for the others)


def target_values(policy: Policy) -> str:
    """(tier, priority, kind, calendar, cal_no, within_us, days, line) of every response, resolution and update target."""
    number = calendar_numbers(policy)
    rows: list[tuple[object, ...]] = []
    for kind, table in ((RESPONSE, policy.targets), (RESOLUTION, policy.resolutions), (UPDATE, policy.updates)):
        rows += [
            (tier, prio, kind, t.calendar, number[t.calendar], t.within_us, t.business_days, t.line)
            for (tier, prio), t in sorted(table.items())
        ]
    return _values(
        ("tier", "priority", "kind", "calendar", "cal_no", "within_us", "days", "line"),
        ("VARCHAR", "VARCHAR", "INTEGER", "VARCHAR", "INTEGER", "BIGINT", "BIGINT", "INTEGER"),
        rows,
    )


def _pausing(policy: Policy) -> str:
    if not policy.pause_statuses:
        return "FALSE"
    names = ", ".join(sql_literal(f"status:{s}") for s in sorted(policy.pause_statuses))
    return f"(event IN ({names}))"


def ticket_history_ctes(policy: Policy) -> str:
    """measured (tickets of the period with their targets), pauses, cycles, updates (CTEs, after CALENDAR_CTES)."""
    order = "PARTITION BY tk ORDER BY ts, seq"
    return f"""effective_priority AS (
  {effective_values(policy)}
),
clock_target AS (
  {target_values(policy)}
),
measured AS (
  SELECT t."row" AS tk, t.id, t.customer, t.opened, t.responded, t.resolved, t.cause, e.effective,
    r0.calendar AS r_cal, r0.cal_no AS r_no, r0.within_us AS r_within, r0.days AS r_days, r0.line AS r_line,
    r1.calendar AS s_cal, r1.cal_no AS s_no, r1.within_us AS s_within, r1.days AS s_days, r1.line AS s_line,
    r2.calendar AS u_cal, r2.cal_no AS u_no, r2.within_us AS u_within, r2.days AS u_days, r2.line AS u_line
  FROM tickets t
  CROSS JOIN params p
  JOIN customers c ON c.customer = t.customer
  JOIN effective_priority e ON e.priority = t.priority AND e.outage = COALESCE(t.outage, FALSE)
  LEFT JOIN clock_target r0 ON r0.tier = c.tier AND r0.priority = e.effective AND r0.kind = {RESPONSE}
  LEFT JOIN clock_target r1 ON r1.tier = c.tier AND r1.priority = e.effective AND r1.kind = {RESOLUTION}
  LEFT JOIN clock_target r2 ON r2.tier = c.tier AND r2.priority = e.effective AND r2.kind = {UPDATE}
  WHERE t.opened >= p.period_start AND t.opened < p.period_end
),
ev AS (
  SELECT m.tk, e."at" AS ts, e."row" AS seq, e.event FROM ticket_events e JOIN measured m ON m.id = e.ticket
),
st AS (
  SELECT tk, ts, seq, {_pausing(policy)} AS is_pause, (event = 'status:resolved') AS is_res
  FROM ev WHERE event <> 'update'
),
st_lag AS (
  SELECT tk, ts, seq, is_pause, is_res,
    COALESCE(LAG(is_pause) OVER ({order}), FALSE) AS prev_pause,
    COALESCE(LAG(is_res) OVER ({order}), FALSE) AS prev_res,
    MIN(CASE WHEN NOT is_pause THEN ts END) OVER ({order} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
      AS next_other
  FROM st
),
pauses AS (
  SELECT s.tk, s.ts AS a, GREATEST(COALESCE(s.next_other, m.resolved, {NEVER}), s.ts) AS b
  FROM st_lag s JOIN measured m ON m.tk = s.tk
  WHERE s.is_pause AND NOT s.prev_pause
),
reopen AS (
  SELECT tk, ts, ROW_NUMBER() OVER ({order}) AS cyc FROM st_lag WHERE NOT is_res AND prev_res
),
resolving AS (
  SELECT tk, ts, ROW_NUMBER() OVER ({order}) - 1 AS cyc FROM st_lag WHERE is_res AND NOT prev_res
),
reopen_count AS (
  SELECT tk, COUNT(*) AS n FROM reopen GROUP BY tk
),
cycles AS (
  SELECT c.tk, c.cyc, c.start,
    COALESCE(r.ts, CASE WHEN c.cyc = COALESCE(n.n, 0) THEN m.resolved END) AS finish,
    c.cyc = COALESCE(n.n, 0) AS last_cycle
  FROM (SELECT tk, 0 AS cyc, opened AS start FROM measured UNION ALL SELECT tk, cyc, ts FROM reopen) c
  JOIN measured m ON m.tk = c.tk
  LEFT JOIN reopen_count n ON n.tk = c.tk
  LEFT JOIN resolving r ON r.tk = c.tk AND r.cyc = c.cyc
),
updates AS (
  SELECT tk, ts FROM ev WHERE event = 'update'
)"""


def gap_ctes() -> str:
    """The update gaps of each cycle with an update target: from its arming instant, update to update, to its end."""
    return """armed AS (
  SELECT c.tk, c.cyc, c.finish, CASE WHEN c.cyc = 0 THEN m.responded ELSE c.start END AS arm
  FROM cycles c JOIN measured m ON m.tk = c.tk
  WHERE m.u_cal IS NOT NULL
),
armed_ok AS (
  SELECT * FROM armed WHERE arm IS NOT NULL AND (finish IS NULL OR arm < finish)
),
cycle_updates AS (
  SELECT a.tk, a.cyc, a.arm, u.ts, ROW_NUMBER() OVER (PARTITION BY a.tk, a.cyc ORDER BY u.ts) AS k
  FROM armed_ok a JOIN updates u ON u.tk = a.tk AND u.ts >= a.arm AND (a.finish IS NULL OR u.ts < a.finish)
),
last_update AS (
  SELECT tk, cyc, MAX(ts) AS ts, COUNT(*) AS n FROM cycle_updates GROUP BY tk, cyc
),
gaps AS (
  SELECT tk, cyc, k, COALESCE(LAG(ts) OVER (PARTITION BY tk, cyc ORDER BY k), arm) AS start, ts AS stop,
    FALSE AS is_open
  FROM cycle_updates
  UNION ALL
  SELECT a.tk, a.cyc, COALESCE(l.n, 0) + 1 AS k, COALESCE(l.ts, a.arm) AS start, COALESCE(a.finish, p.as_of) AS stop,
    a.finish IS NULL AS is_open
  FROM armed_ok a CROSS JOIN params p LEFT JOIN last_update l ON l.tk = a.tk AND l.cyc = a.cyc
)"""


def clock_time_ctes(policy: Policy, buckets: bool = True) -> str:
    """clk: every clock (start, stop, target) with its clock time `used` (pauses excluded).

    A target in business days is the open time `bd_allowed` (`business_ctes`) gives for its start.
    """
    r_within, s_within, u_within, r_join, s_join, u_join, head = (
        "m.r_within",
        "m.s_within",
        "m.u_within",
        "",
        "",
        "",
        "",
    )
    if business_days(policy):
        # NULL when bd_allowed lacks the start: `known` is then false and the engine asks the runtime
        r_within = "CASE WHEN m.r_days > 0 THEN ba.allowed ELSE m.r_within END"
        s_within = "CASE WHEN m.s_days > 0 THEN ba.allowed ELSE m.s_within END"
        on = "ba.cal_no = m.{p}_no AND ba.days = m.{p}_days AND m.{p}_days > 0 AND ba.start = {s} AND ba.allowed > 0"
        r_join = "\n  LEFT JOIN bd_allowed ba ON " + on.format(p="r", s="m.opened")
        s_join = "\n  LEFT JOIN bd_allowed ba ON " + on.format(p="s", s="c.start")
        # An update gap in business days: the open time to its first due time (the deadline, for at risk)
        u_within = "CASE WHEN m.u_days > 0 THEN ba.allowed ELSE m.u_within END"
        u_join = "\n  LEFT JOIN bd_allowed ba ON " + on.format(p="u", s="g.start")
        head = business_ctes(policy, buckets) + ",\n"
    return f"""{head}clk_raw AS (
  SELECT {RESPONSE} AS kind, m.tk, 0 AS cyc, 0 AS k, m.r_no AS cal_no, m.opened AS start,
    COALESCE(m.responded, p.as_of) AS stop, {r_within} AS within, FALSE AS is_open
  FROM measured m CROSS JOIN params p{r_join} WHERE m.r_cal IS NOT NULL
  UNION ALL
  SELECT {RESOLUTION}, c.tk, c.cyc, 0, m.s_no, c.start, COALESCE(c.finish, p.as_of), {s_within},
    c.last_cycle AND c.finish IS NULL
  FROM cycles c JOIN measured m ON m.tk = c.tk CROSS JOIN params p{s_join} WHERE m.s_cal IS NOT NULL
  UNION ALL
  SELECT {UPDATE}, g.tk, g.cyc, g.k, m.u_no, g.start, g.stop, {u_within}, g.is_open
  FROM gaps g JOIN measured m ON m.tk = g.tk{u_join}
),
clk_span AS (
  SELECT {KEY}, cal_no, start, GREATEST(stop, start) AS stop, within, is_open FROM clk_raw
),
piece AS (
  SELECT c.kind, c.tk, c.cyc, c.k, c.cal_no, GREATEST(p.a, c.start) AS lo, LEAST(p.b, c.stop) AS hi
  FROM clk_span c JOIN pauses p ON p.tk = c.tk AND p.a < c.stop AND p.b > c.start
)"""


def deadline_ctes(policy: Policy) -> str:
    """seg: the running segments of every clock that needs a deadline, with their open time (after the points)."""
    warn = policy.warn_ratio is not None
    need = f"kind <> {UPDATE}" + (" OR is_open" if warn else "")
    return f"""dl_clk AS (
  SELECT {KEY}, cal_no, start, within FROM clk_span WHERE {need}
),
ahead AS (
  SELECT d.kind, d.tk, d.cyc, d.k, p.a, p.b,
    ROW_NUMBER() OVER (PARTITION BY d.kind, d.tk, d.cyc, d.k ORDER BY p.a) AS j
  FROM dl_clk d JOIN pauses p ON p.tk = d.tk AND p.b > d.start
),
bounds AS (
  SELECT {KEY}, cal_no, within, 0 AS j, start AS lo FROM dl_clk
  UNION ALL
  SELECT x.kind, x.tk, x.cyc, x.k, d.cal_no, d.within, x.j, x.b
  FROM ahead x JOIN dl_clk d ON d.kind = x.kind AND d.tk = x.tk AND d.cyc = x.cyc AND d.k = x.k
  WHERE x.b <> {NEVER}
),
seg AS (
  SELECT s.kind, s.tk, s.cyc, s.k, s.cal_no, s.within, s.j, s.lo,
    CASE WHEN n.a IS NULL THEN NULL ELSE GREATEST(n.a, s.lo) END AS hi
  FROM bounds s
  LEFT JOIN ahead n ON n.kind = s.kind AND n.tk = s.tk AND n.cyc = s.cyc AND n.k = s.k AND n.j = s.j + 1
)"""


def cum_ctes(policy: Policy) -> str:
    """cum_at (range joins only): the cumulative open time at every instant the clocks ask about, looked up once."""
    return f"""pts AS (
  SELECT DISTINCT cal_no, t FROM (
    SELECT cal_no, start AS t FROM clk_span UNION ALL SELECT cal_no, stop FROM clk_span
    UNION ALL SELECT cal_no, lo FROM piece UNION ALL SELECT cal_no, hi FROM piece
    UNION ALL SELECT cal_no, lo FROM seg UNION ALL SELECT cal_no, hi FROM seg WHERE hi IS NOT NULL
  ) q
),
cum_at AS (
  SELECT q.cal_no, q.t, COALESCE(r.cum_before + LEAST(q.t, r.open_end) - r.open_start, 0) AS cum,
    r.cal_no IS NOT NULL AS known, q.t > f.last_end AS past
  FROM pts q
  {time_lookup(policy, "r", "q.cal_no", "q.t", False)}
  LEFT JOIN cal_first f ON f.cal_no = q.cal_no
)"""


def _certain(past: str, used: str) -> str:
    """SQL: a clock whose stop lies past its calendar's last row (`past`) is known only when the open
    time the table holds (`used`, a lower bound of the true one) already passes a response or
    resolution target: that miss is certain, and its deadline lies in the table. An update gap's
    count of misses is not (the time past the table adds to it)."""
    return f"(NOT {past} OR (c.kind <> {UPDATE} AND {used} > c.within))"


def _point_ctes(policy: Policy, buckets: bool) -> str:
    """paused, clk, seg_open: the cum of every start, stop and bound, by its own bucketed lookup or from cum_at.

    A bucketed lookup is a hash join on the small bucket table, cheaper than gathering the instants
    into cum_at first and joining it back on (calendar, instant), which the range joins need.
    """
    if not buckets:
        on = "{a}.cal_no = {b}.cal_no AND {a}.t = {b}.{col}"
        used = "e.cum - s.cum - COALESCE(p.paused, 0)"
        return f"""paused AS (
  SELECT x.kind, x.tk, x.cyc, x.k, SUM(h.cum - l.cum) AS paused
  FROM piece x
  JOIN cum_at l ON {on.format(a="l", b="x", col="lo")}
  JOIN cum_at h ON {on.format(a="h", b="x", col="hi")}
  GROUP BY x.kind, x.tk, x.cyc, x.k
),
clk AS (
  SELECT c.*, {used} AS used,
    s.known AND e.known AND c.within IS NOT NULL AND {_certain("e.past", used)} AS known
  FROM clk_span c
  JOIN cum_at s ON {on.format(a="s", b="c", col="start")}
  JOIN cum_at e ON {on.format(a="e", b="c", col="stop")}
  LEFT JOIN paused p ON p.kind = c.kind AND p.tk = c.tk AND p.cyc = c.cyc AND p.k = c.k
),
seg_open AS (
  SELECT g.*, l.cum AS lo_cum, h.cum - l.cum AS avail
  FROM seg g
  JOIN cum_at l ON {on.format(a="l", b="g", col="lo")}
  LEFT JOIN cum_at h ON {on.format(a="h", b="g", col="hi")}
),"""

    def look(alias: str, owner: str, t: str) -> str:
        return time_lookup(policy, alias, f"{owner}.cal_no", f"{owner}.{t}")

    known = "{a}.cal_no IS NOT NULL"
    used = f"{_cum('e', 'c.stop')} - {_cum('s', 'c.start')} - COALESCE(p.paused, 0)"
    return f"""paused AS (
  SELECT x.kind, x.tk, x.cyc, x.k, SUM({_cum("h", "x.hi")} - {_cum("l", "x.lo")}) AS paused
  FROM piece x
  {look("l", "x", "lo")}
  {look("h", "x", "hi")}
  GROUP BY x.kind, x.tk, x.cyc, x.k
),
clk AS (
  SELECT c.*, {used} AS used,
    {known.format(a="s")} AND {known.format(a="e")} AND c.within IS NOT NULL
      AND {_certain("c.stop > f.last_end", used)} AS known
  FROM clk_span c
  {look("s", "c", "start")}
  {look("e", "c", "stop")}
  LEFT JOIN cal_first f ON f.cal_no = c.cal_no
  LEFT JOIN paused p ON p.kind = c.kind AND p.tk = c.tk AND p.cyc = c.cyc AND p.k = c.k
),
seg_open AS (
  SELECT g.*, {_cum("l", "g.lo")} AS lo_cum,
    CASE WHEN g.hi IS NULL THEN NULL ELSE {_cum("h", "g.hi")} - {_cum("l", "g.lo")} END AS avail
  FROM seg g
  {look("l", "g", "lo")}
  {look("h", "g", "hi")}
),"""


def used_ctes(policy: Policy, buckets: bool = True) -> str:
    """clk: clock time used by every clock; due: the deadline of those in dl_clk (NULL: past the table)."""
    return f"""{_point_ctes(policy, buckets)}
seg_before AS (
  SELECT s.*, COALESCE(SUM(avail) OVER (PARTITION BY kind, tk, cyc, k ORDER BY j
    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
  FROM seg_open s
),
reach AS (
  SELECT {KEY}, cal_no, lo_cum + (within - before) AS goal FROM seg_before
  WHERE before < within AND (hi IS NULL OR before + avail >= within)
),
due AS (
  SELECT d.kind, d.tk, d.cyc, d.k,
    CASE WHEN r.goal IS NULL THEN {NEVER} ELSE j.open_start + (r.goal - j.cum_before) END AS deadline
  FROM dl_clk d
  LEFT JOIN reach r ON r.kind = d.kind AND r.tk = d.tk AND r.cyc = d.cyc AND r.k = d.k
  {cum_lookup(policy, "j", "r.cal_no", "r.goal", buckets)}
)"""


def clock_ctes(policy: Policy, buckets: bool = True) -> str:
    """Every CTE of the clock queries, in dependency order (`buckets`: as `tickets_sql.ticket_results_sql`)."""
    parts: tuple[str, ...] = (
        calendar_ctes(policy, buckets),
        ticket_history_ctes(policy),
        gap_ctes(),
        clock_time_ctes(policy, buckets),
    )
    if business_updates(policy):
        parts += (business_update_ctes(policy, buckets),)
    lookups = () if buckets else (cum_ctes(policy),)
    return "WITH\n" + ",\n".join((*parts, deadline_ctes(policy), *lookups, used_ctes(policy, buckets)))


def clock_steps(policy: Policy, buckets: bool = True) -> list[tuple[str, str]]:
    """The CTEs of `clock_ctes` as (name, query) steps, for an engine that materialises each as a table.

    Spark inlines every reference to a CTE or view, so a chain this long grows a plan too large to
    optimise; DuckDB would compute the shared part once per query. With the steps materialised, the
    queries (`..._sql(policy, steps=True)`) read them as tables.
    """
    out: list[tuple[str, str]] = []
    name: str | None = None
    body: list[str] = []
    for line in clock_ctes(policy, buckets).removeprefix("WITH\n").splitlines():
        head = re.fullmatch(r"([a-z_]+) AS \(", line)
        if name is None and head:
            name, body = head.group(1), []
        elif name is not None and line in (")", "),"):
            out.append((name, "\n".join(body)))
            name = None
        elif name is not None:
            body.append(line)
    return out


def _head(policy: Policy, steps: bool, buckets: bool) -> str:
    """What precedes a query's own CTEs: the clock CTEs, or nothing but WITH when they are tables."""
    return "WITH" if steps else clock_ctes(policy, buckets) + ","


def ticket_clock_results_sql(policy: Policy, steps: bool = False, buckets: bool = True) -> str:
    """Per ticket of the period: `ticket_results`' columns and its missed resolutions and updates.

    row, customer, effective, deadline, state, excluded, line (as `tickets_sql.ticket_results_sql`),
    missed_resolutions, missed_updates, update_line, known (FALSE: an instant past the calendar table).
    """
    return f"""{_head(policy, steps, buckets)}
{_per_ticket(policy)}
SELECT
  m.tk AS "row",
  m.customer,
  CASE WHEN m.r_cal IS NULL THEN NULL ELSE m.effective END AS effective,
  d.deadline,
  CAST(CASE
    WHEN m.r_cal IS NULL THEN {UNMEASURED}
    WHEN r.used > r.within THEN {BREACHED}
    WHEN m.responded IS NOT NULL THEN {MET}
    ELSE {OPEN}
  END AS TINYINT) AS state,
  (m.r_cal IS NOT NULL AND m.cause IS NOT NULL) AS excluded,
  CAST(COALESCE(m.r_line, 0) AS INTEGER) AS line,
  CAST(COALESCE(x.missed_resolutions, 0) AS BIGINT) AS missed_resolutions,
  CAST(COALESCE(x.missed_updates, 0) AS BIGINT) AS missed_updates,
  CAST(COALESCE(m.u_line, 0) AS INTEGER) AS update_line,
  COALESCE(x.known, 1) = 1 AND (m.r_cal IS NULL OR d.deadline IS NOT NULL) AS known
FROM measured m
LEFT JOIN clk r ON r.tk = m.tk AND r.kind = {RESPONSE}
LEFT JOIN due d ON d.tk = m.tk AND d.kind = {RESPONSE}
LEFT JOIN per_ticket x ON x.tk = m.tk"""


def _per_ticket(policy: Policy) -> str:
    """per_ticket: each ticket's missed resolutions and updates, and whether all its clocks are `known`.

    An update gap of a duration D that used L clock time misses ceil(L / D) − 1 updates; one in
    business days as many as its due times before its stop (`bd_update`), known when they step
    as the SQL steps them and no pause touches the gap."""
    resolutions = f"SUM(CASE WHEN c.kind = {RESOLUTION} AND c.used > c.within THEN 1 ELSE 0 END) AS missed_resolutions"
    if not business_updates(policy):
        return f"""per_ticket AS (
  SELECT c.tk,
    {resolutions},
    SUM(CASE WHEN c.kind = {UPDATE} AND c.used > 0 THEN (c.used - 1) // c.within ELSE 0 END) AS missed_updates,
    MIN(CASE WHEN c.known THEN 1 ELSE 0 END) AS known
  FROM clk c GROUP BY c.tk
)"""
    key = "{a}.kind = c.kind AND {a}.tk = c.tk AND {a}.cyc = c.cyc AND {a}.k = c.k"
    return f"""per_ticket AS (
  SELECT c.tk,
    {resolutions},
    SUM(CASE
      WHEN b.tk IS NOT NULL THEN b.missed
      WHEN c.kind = {UPDATE} AND c.used > 0 THEN (c.used - 1) // c.within
      ELSE 0
    END) AS missed_updates,
    MIN(CASE WHEN c.known AND (b.tk IS NULL OR (b.regular = 1 AND z.tk IS NULL)) THEN 1 ELSE 0 END) AS known
  FROM clk c
  LEFT JOIN bd_update b ON {key.format(a="b")}
  LEFT JOIN bdu_paused z ON {key.format(a="z")}
  GROUP BY c.tk
)"""


def missed_resolutions_sql(policy: Policy, steps: bool = False, buckets: bool = True) -> str:
    """One row per missed resolution cycle: row, cycle (0-based), started, deadline, resolved (NULL), line."""
    return f"""{"" if steps else clock_ctes(policy, buckets)}
SELECT c.tk AS "row", c.cyc AS cycle, c.start AS started, d.deadline, y.finish AS resolved,
  CAST(m.s_line AS INTEGER) AS line
FROM clk c
JOIN measured m ON m.tk = c.tk
JOIN cycles y ON y.tk = c.tk AND y.cyc = c.cyc
LEFT JOIN due d ON d.kind = c.kind AND d.tk = c.tk AND d.cyc = c.cyc AND d.k = c.k
WHERE c.kind = {RESOLUTION} AND c.used > c.within"""


def at_risk_sql(policy: Policy, steps: bool = False, buckets: bool = True) -> str:
    """The running clocks at `as_of` that used at least `warn at` of their time and not all of it, not paused.

    row, kind (0 response, 1 resolution, 2 update), deadline, used, allowed (only with `warn at`).
    """
    assert policy.warn_ratio is not None
    num, den = policy.warn_ratio
    deadline, first_due, stepped = "d.deadline", "", ""
    if business_updates(policy):  # an update gap in business days is due at its first due time itself
        # (the runtime's), which may be an opening: not the closing before it, where its open time runs out
        deadline = f"CASE WHEN c.kind = {UPDATE} AND m.u_days > 0 THEN f.target ELSE d.deadline END"
        key = "{a}.kind = c.kind AND {a}.tk = c.tk AND {a}.cyc = c.cyc AND {a}.k = c.k"
        first_due = (
            "\nLEFT JOIN bd_target f ON f.cal_no = c.cal_no AND f.days = m.u_days AND f.start = c.start"
            f"\nLEFT JOIN bd_update bu ON {key.format(a='bu')}\nLEFT JOIN bdu_paused bp ON {key.format(a='bp')}"
        )
        # A gap whose due times the SQL does not step (not `known`) is left out, not shown with a wrong deadline.
        stepped = "\n  AND (bu.tk IS NULL OR (bu.regular = 1 AND bp.tk IS NULL))"
    return f"""{_head(policy, steps, buckets)}
paused_now AS (
  SELECT DISTINCT q.tk FROM pauses q CROSS JOIN params p WHERE q.a <= p.as_of AND p.as_of < q.b
)
SELECT c.tk AS "row", c.kind, {deadline} AS deadline, c.used, c.within AS allowed
FROM clk c
JOIN measured m ON m.tk = c.tk
CROSS JOIN params p
LEFT JOIN due d ON d.kind = c.kind AND d.tk = c.tk AND d.cyc = c.cyc AND d.k = c.k{first_due}
LEFT JOIN paused_now z ON z.tk = c.tk
WHERE z.tk IS NULL AND c.used * {den} >= {num} * c.within AND c.used <= c.within{stepped}
  AND (
    (c.kind = {RESPONSE} AND m.responded IS NULL AND m.opened <= p.as_of)
    OR (c.kind = {RESOLUTION} AND c.is_open AND c.start <= p.as_of)
    OR (c.kind = {UPDATE} AND c.is_open)
  )
"""
