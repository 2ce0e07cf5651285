"""The relational plan: the runtime's semantics as SQL over a few fixed relations (issue 15).

The plan is a runtime-side consumer of a loaded policy (`slac.runtime.Policy`): the SQL is written
once, in DuckDB's dialect, as text built by Python functions of the policy (its values inlined as
literals through `sql_literal`), and transpiled to other dialects with sqlglot. It keeps to
portable constructs: CTEs, window functions, range joins (`c.open_start <= t AND t < c.open_end`),
CASE, DECIMAL(38,9) arithmetic. Times are BIGINT microseconds since the epoch, UTC, as in the
runtime. duckdb, sqlglot and pyspark are imported only inside the plan's modules, lazily, so
`import slac` and the numpy path never load them.

Input relations (an engine creates them from the event files; a warehouse maps its tables onto them):

* `customers(customer VARCHAR, tier VARCHAR, fee DECIMAL(38,9), <one BOOLEAN column per condition>)`
* `tickets(row BIGINT, id VARCHAR, customer VARCHAR, priority VARCHAR, opened BIGINT,
  responded BIGINT NULL, outage BOOLEAN, cause VARCHAR NULL, resolved BIGINT NULL)`; `row` is the
  0-based data row
* `ticket_events(ticket VARCHAR, at BIGINT, event VARCHAR)`: `update` or `status:NAME`
* `incidents(row BIGINT, id VARCHAR, start BIGINT, "end" BIGINT, customer VARCHAR NULL,
  cause VARCHAR NULL, announced BIGINT NULL, service VARCHAR NULL, region VARCHAR NULL)`
* `requests(service VARCHAR, region VARCHAR NULL, start BIGINT, total BIGINT, failed BIGINT)`
* `charges(customer VARCHAR, service VARCHAR, region VARCHAR NULL, amount DECIMAL(38,9))`
* `params(period_start BIGINT, period_end BIGINT, as_of BIGINT)`, one row
* `calendar_open(calendar VARCHAR, open_start BIGINT, open_end BIGINT, cum_before BIGINT)`: every
  open interval of every calendar of the policy over the evaluated span (holidays, make-up days
  and DST applied by the runtime's own materialisation), sorted, `cum_before` the calendar's open
  µs from its first row up to `open_start`. The open time between t0 < t1 is cum(t1) − cum(t0),
  where cum(t) = cum_before + clamp(t − open_start) of the interval at or before t; a deadline is
  two range lookups and a pause a difference of cum values. Built by
  `slac.plan.calendars.calendar_table`.

Output relations: `ticket_results` (`slac.plan.tickets_sql`), `scope_downtime` and
`customer_credit` (availability and credits). The duckdb engine (`slac.plan.duckdb_engine`) runs
the plan and builds the same report as the numpy engine.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["sql_literal"]


def sql_literal(value: object) -> str:
    """A policy value as a SQL literal: NULL, TRUE/FALSE, an integer, an exact DECIMAL, or a quoted string.

    Strings are single-quoted with quotes doubled (the standard SQL escape every dialect reads);
    a NUL character cannot appear in a SQL string, so it is refused. Floats are refused: every
    number of a policy is exact (an integer of µs, or a Decimal).
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return f"CAST('{format(value, 'f')}' AS DECIMAL(38,9))"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a SQL string cannot hold a NUL character")
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")
