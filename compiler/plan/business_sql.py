"""Business days in SQL: targets counted in open days of a calendar, over `calendar_days` and `calendar_zone`.

A target of N business days (response, resolution) is the same local clock time on the Nth
following local date with open hours (`business_ctes`, as the runtime's
`clocks.Clock.business_target`), turned into open time per clock start; pauses then extend it as
any other target (`clocks_sql`). An update target in business days steps its due times from one to
the next (`business_update_ctes`, as `clocks.Clock.business_steps`). The relations:
`calendar_days(calendar, n, day)` and `calendar_zone(calendar, utc_from, utc_to, offset_us)`
(`calendars.calendar_days_tables`, from the runtime's calendars). What the SQL cannot state exactly
(a start without a next opening, a date past the tables, a due time stepping irregularly, a paused
update gap in business days) is not `known`: the engine asks the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tickets_sql import UPDATE, _cum, time_lookup

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

DAY_US = 86_400_000_000


def _floor_div(x: str, d: int) -> str:
    """x // d rounded down also for a negative x (`//` truncates): a local time before 1970-01-01."""
    return f"CASE WHEN {x} >= 0 THEN {x} // {d} ELSE -((-{x} - 1) // {d}) - 1 END"


def business_ctes(policy: Policy, buckets: bool = True) -> str:
    """bd_allowed(cal_no, days, start, allowed): the open time of `days` business days from each clock start.

    As the runtime's `clocks.Clock.business_target`: from the next opening s at or after the start,
    the same local clock time on the `days`-th following local date with open hours
    (`calendar_days`), local time by the zone's offsets (`calendar_zone`); a wall time that occurs
    twice is its first occurrence, one in a DST gap the transition. The open time is cum(target) −
    cum(s). A start without a next opening, a date or target past the tables, or no open time: no
    row, so its clocks are not `known` and the engine asks the runtime.
    """
    local = "(o.s + z.offset_us)"
    gaps = ""
    if business_updates(policy):
        gaps = "\n    UNION ALL\n    SELECT m.u_no, m.u_days, g.start FROM gaps g JOIN measured m ON m.tk = g.tk WHERE m.u_days > 0"
    wall_utc = "w.wall - z.offset_us"
    gap_utc = "f.wall - m.least_offset"
    return f"""bd_start AS (
  SELECT DISTINCT cal_no, days, start FROM (
    SELECT r_no AS cal_no, r_days AS days, opened AS start FROM measured WHERE r_days > 0
    UNION ALL
    SELECT m.s_no, m.s_days, c.start FROM cycles c JOIN measured m ON m.tk = c.tk WHERE m.s_days > 0{gaps}
  ) q
),
bd_open AS (
  SELECT q.cal_no, q.days, q.start,
    CASE
      WHEN k.cal_no IS NULL THEN NULL
      WHEN q.start < k.open_end THEN q.start
      ELSE k.next_start
    END AS s
  FROM bd_start q
  {time_lookup(policy, "k", "q.cal_no", "q.start", buckets)}
),
bd_zone AS (
  SELECT n.cal_no, z.utc_from, z.utc_to, z.offset_us FROM calendar_zone z JOIN cal_number n ON n.calendar = z.calendar
),
bd_day AS (
  SELECT n.cal_no, d.n, d.day FROM calendar_days d JOIN cal_number n ON n.calendar = d.calendar
),
bd_local AS (
  SELECT o.cal_no, o.days, o.start, o.s, {_floor_div(local, DAY_US)} AS day, {local} AS local_us
  FROM bd_open o JOIN bd_zone z ON z.cal_no = o.cal_no AND z.utc_from <= o.s AND o.s < z.utc_to
),
bd_wall AS (
  SELECT l.cal_no, l.days, l.start, l.s, t.day * {DAY_US} + (l.local_us - l.day * {DAY_US}) AS wall, t.n,
    l.local_us - l.day * {DAY_US} AS tod
  FROM bd_local l
  JOIN bd_day d0 ON d0.cal_no = l.cal_no AND d0.day = l.day
  JOIN bd_day t ON t.cal_no = l.cal_no AND t.n = d0.n + l.days
),
bd_first AS (
  SELECT w.cal_no, w.days, w.start, w.s, w.wall, MIN({wall_utc}) AS u
  FROM bd_wall w
  LEFT JOIN bd_zone z ON z.cal_no = w.cal_no AND z.utc_from <= {wall_utc} AND {wall_utc} < z.utc_to
  GROUP BY w.cal_no, w.days, w.start, w.s, w.wall
),
bd_least AS (
  SELECT cal_no, MIN(offset_us) AS least_offset FROM bd_zone GROUP BY cal_no
),
bd_target AS (
  SELECT f.cal_no, f.days, f.start, f.s, GREATEST(COALESCE(f.u, g.utc_from), f.s) AS target
  FROM bd_first f
  JOIN bd_least m ON m.cal_no = f.cal_no
  LEFT JOIN bd_zone g ON f.u IS NULL AND g.cal_no = f.cal_no AND g.utc_from <= {gap_utc} AND {gap_utc} < g.utc_to
),
bd_allowed AS (
  SELECT b.cal_no, b.days, b.start, {_cum("e", "b.target")} - {_cum("a", "b.s")} AS allowed
  FROM bd_target b
  JOIN cal_first x ON x.cal_no = b.cal_no
  {time_lookup(policy, "a", "b.cal_no", "b.s", buckets)}
  {time_lookup(policy, "e", "b.cal_no", "b.target", buckets)}
  WHERE b.target <= x.last_end
)"""


def business_update_ctes(policy: Policy, buckets: bool = True) -> str:
    """bd_update(kind, tk, cyc, k, missed, regular), bdu_paused: the stepping due times of update gaps in business days.

    As the runtime's `clocks.Clock.business_steps`: a gap's first due time D1 is `days` business days
    after its start (`business_ctes`), each next one `days` business days after the last; a due time
    before the gap's stop is a missed update. A due time open in its calendar, at the wall time it
    was asked for, is the start of the next step as it is (the same local clock time, `days` open
    days later), so every due time of the gap is D1's local clock time on each `days`-th open day
    from D1's (`calendar_days`), to the day after the stop's. A gap whose due times before its stop
    are not all so (one at a closed instant or in a DST gap: the next step starts elsewhere,
    `regular` 0), or that a pause touches before its stop or its first due time, whichever is later
    (a pause moves the due times later, an open gap's first due time too: `bdu_paused`), is not
    `known`: the engine asks the runtime.
    """
    stop_day = _floor_div("g.stop", DAY_US)
    wall_utc = "q.wall - z.offset_us"
    gap_utc = "f.wall - m.least_offset"
    return f"""bdu_gap AS (
  SELECT c.kind, c.tk, c.cyc, c.k, c.cal_no, m.u_days AS days, c.start, c.stop
  FROM clk_span c JOIN measured m ON m.tk = c.tk
  WHERE c.kind = {UPDATE} AND m.u_days > 0
),
bdu_wall AS (
  SELECT g.kind, g.tk, g.cyc, g.k, g.cal_no, g.stop, w.s, d.day * {DAY_US} + w.tod AS wall
  FROM bdu_gap g
  JOIN bd_wall w ON w.cal_no = g.cal_no AND w.days = g.days AND w.start = g.start
  JOIN bd_day d ON d.cal_no = g.cal_no AND d.n >= w.n AND MOD(d.n - w.n, g.days) = 0 AND d.day <= {stop_day} + 2
),
bdu_first AS (
  SELECT q.kind, q.tk, q.cyc, q.k, q.cal_no, q.stop, q.s, q.wall, MIN({wall_utc}) AS u
  FROM bdu_wall q
  LEFT JOIN bd_zone z ON z.cal_no = q.cal_no AND z.utc_from <= {wall_utc} AND {wall_utc} < z.utc_to
  GROUP BY q.kind, q.tk, q.cyc, q.k, q.cal_no, q.stop, q.s, q.wall
),
bdu_due AS (
  SELECT f.kind, f.tk, f.cyc, f.k, f.cal_no, f.stop, f.u IS NOT NULL AS exact,
    GREATEST(COALESCE(f.u, g.utc_from), f.s) AS due
  FROM bdu_first f
  JOIN bd_least m ON m.cal_no = f.cal_no
  LEFT JOIN bd_zone g ON f.u IS NULL AND g.cal_no = f.cal_no AND g.utc_from <= {gap_utc} AND {gap_utc} < g.utc_to
),
bdu_missed AS (
  SELECT d.kind, d.tk, d.cyc, d.k, CASE WHEN d.exact AND d.due < o.open_end THEN 1 ELSE 0 END AS regular
  FROM bdu_due d
  {time_lookup(policy, "o", "d.cal_no", "d.due", buckets)}
  WHERE d.due < d.stop
),
bd_update AS (
  SELECT g.kind, g.tk, g.cyc, g.k, COUNT(x.tk) AS missed, MIN(COALESCE(x.regular, 1)) AS regular
  FROM bdu_gap g
  LEFT JOIN bdu_missed x ON x.kind = g.kind AND x.tk = g.tk AND x.cyc = g.cyc AND x.k = g.k
  GROUP BY g.kind, g.tk, g.cyc, g.k
),
bdu_paused AS (
  SELECT DISTINCT g.kind, g.tk, g.cyc, g.k
  FROM bdu_gap g
  JOIN pauses p ON p.tk = g.tk AND p.b > g.start
  LEFT JOIN bd_target f ON f.cal_no = g.cal_no AND f.days = g.days AND f.start = g.start
  WHERE p.a < GREATEST(g.stop, COALESCE(f.target, g.stop))
)"""


def business_days(policy: Policy) -> list[tuple[str, int]]:
    """(calendar, days) of the response, resolution and update targets in business days, sorted."""
    tables = (policy.targets, policy.resolutions, policy.updates)
    found = {(t.calendar, t.business_days) for table in tables for t in table.values()}
    return sorted((c, d) for c, d in found if d)


def business_updates(policy: Policy) -> bool:
    """Whether an update target counts business days (its due times step: `business_update_ctes`)."""
    return any(t.business_days for t in policy.updates.values())
