"""The plan as one SQL script for a warehouse: `plan_sql(policy, period, as_of, dialect)`.

The script is a sequence of `CREATE OR REPLACE TEMPORARY VIEW` statements in dependency order:
`params` (the period and `as_of`, inlined), `calendar_open` (the policy's materialised calendars as
VALUES, or left to a table of that name the warehouse loads from `slac calendars`; with targets in
business days also `calendar_days` and `calendar_zone`, `slac calendars --table`), then the plan's
output relations, each over the input relations a warehouse team maps its tables onto (see
`slac.plan`). Written in DuckDB's dialect and transpiled by `slac.plan.dialects`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import sql_literal
from .dialects import check_dialect, transpile

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy
    from .credits_sql import Ledger

CALENDARS = ("values", "table")
# What a dialect's session must be told first. Spark narrows the scale of a decimal result wider than 38
# digits (a sum of two DECIMAL(38,18) kept 17 decimals, a product by an integer 6): told not to, it keeps
# every decimal of the plan's exact numerators, as DuckDB does; in ANSI mode (Spark 4's default, not 3's)
# an overflow then fails instead of becoming NULL.
SESSION = {
    "spark": "SET spark.sql.decimalOperations.allowPrecisionLoss = false;\nSET spark.sql.ansi.enabled = true;\n\n"
}
INPUTS = ("customers", "tickets", "ticket_events", "incidents", "requests", "charges")


@dataclass(frozen=True)
class Span:
    """The evaluated period [start, end) and `as_of`, in µs since the epoch, UTC."""

    name: str
    start: int
    end: int
    as_of: int


def period_span(policy: Policy, period: str, as_of: datetime | None = None) -> Span:
    """The period called `period` under the policy's billing (ValueError says how to write it)."""
    from ..runtime.calendar import to_us
    from ..runtime.windows import parse_period

    window = parse_period(period, policy.raw["billing"], policy.zone)
    return Span(window.name, window.start, window.end, window.end if as_of is None else to_us(as_of))


def params_sql(span: Span) -> str:
    """`params`: the one row of the period's bounds and `as_of`."""
    return (
        f"SELECT CAST({span.start} AS BIGINT) AS period_start, CAST({span.end} AS BIGINT) AS period_end, "
        f"CAST({span.as_of} AS BIGINT) AS as_of"
    )


def values_sql(table: Any, name: str) -> str:
    """The calendar relation `name` as VALUES: the rows of `table` (a pyarrow.Table), typed by a cast
    (the first column a VARCHAR, the others BIGINT): `calendar_open` (calendars.calendar_table), or for
    targets in business days `calendar_days` or `calendar_zone` (calendars.calendar_days_tables)."""
    from .calendars import COLUMNS, DAY_COLUMNS, ZONE_COLUMNS

    first, *rest = {"calendar_open": COLUMNS, "calendar_days": DAY_COLUMNS, "calendar_zone": ZONE_COLUMNS}[name]
    typed = "SELECT " + ", ".join(
        [f"CAST({first} AS VARCHAR) AS {first}", *(f"CAST({c} AS BIGINT) AS {c}" for c in rest)]
    )
    if table.num_rows == 0:  # VALUES cannot be empty
        nothing = ", ".join([f"NULL AS {first}", *(f"0 AS {c}" for c in rest)])
        return f"{typed} FROM (SELECT {nothing}) AS v WHERE FALSE"
    columns = table.to_pydict()
    rows = zip(*(columns[c] for c in (first, *rest)), strict=True)
    values = ",\n  ".join("(" + ", ".join([sql_literal(r[0]), *(str(v) for v in r[1:])]) + ")" for r in rows)
    return f"{typed}\nFROM (VALUES\n  {values}\n) AS v({', '.join((first, *rest))})"


def calendar_span(policy: Policy, span: Span) -> tuple[int, int]:
    """The instants whose open time the plan looks up: openings from the period's start to `as_of` or its end."""
    return span.start, max(span.end, span.as_of)


def views(
    policy: Policy, span: Span, calendars: str = "values", made: list[tuple[str, str]] | None = None
) -> Iterator[tuple[str, str]]:
    """(name, query) of every view of the plan, in dependency order, in DuckDB's dialect (`made`: the
    output relations, when the caller has `outputs` already)."""
    if calendars not in CALENDARS:
        raise ValueError(f"calendars are {' or '.join(CALENDARS)}, not {calendars!r}")
    yield "params", params_sql(span)
    if calendars == "values":
        from .calendars import calendar_days_tables, calendar_table

        yield "calendar_open", values_sql(calendar_table(policy, *calendar_span(policy, span)), "calendar_open")
        if counts_business_days(policy):
            days, zone = calendar_days_tables(policy, *calendar_span(policy, span))
            yield "calendar_days", values_sql(days, "calendar_days")
            yield "calendar_zone", values_sql(zone, "calendar_zone")
    yield from made if made is not None else outputs(policy, ledger_of(policy, span))[0]


def calendar_inputs(policy: Policy) -> tuple[str, ...]:
    """The calendar relations the plan reads (`--calendars table`: tables the warehouse loads from
    `slac calendars`)."""
    return ("calendar_open", "calendar_days", "calendar_zone") if counts_business_days(policy) else ("calendar_open",)


def counts_business_days(policy: Policy) -> bool:
    """Whether the plan's clock queries count business days (targets in business days), over
    `calendar_days` and `calendar_zone`."""
    from ..runtime.tickets import uses_clocks
    from .business_sql import business_days

    return bool(uses_clocks(policy) and business_days(policy))


def ledger_of(policy: Policy, span: Span) -> Ledger | None:
    """The window and the earlier windows of its cap's span, when the cap's span is longer than the window."""
    from ..runtime.scoped_report import cap_history
    from ..runtime.windows import parse_period
    from .credits_sql import Ledger, spans

    if not spans(policy):
        return None
    window = parse_period(span.name, policy.raw["billing"], policy.zone)
    return Ledger(span.name, tuple(w.name for w in cap_history(policy, window)))


def outputs(policy: Policy, ledger: Ledger | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """The plan's output relations for this policy (name, query), and what is not in SQL yet (why).

    `ledger` (`ledger_of`): with a cap over a longer span, the windows whose `cap_used` rows count.
    """
    from ..runtime.tickets import uses_clocks
    from .availability_sql import scope_downtime_sql, scope_excluded_sql
    from .credits_sql import cap_ledger_sql, customer_credit_sql, scope_credit_sql
    from .tickets_sql import ticket_results_sql

    made: list[tuple[str, str]] = []
    missing: list[str] = []
    # Language v2 measures a window's tickets as v1 measures a month's (`scoped_engine.ticket_parts`):
    # the same queries over the window of `params`.
    if uses_clocks(policy):  # issue 12: the clock queries (ticket_results gains the missed counts)
        from .clocks_sql import at_risk_sql, missed_resolutions_sql, ticket_clock_results_sql

        made.append(("ticket_results", ticket_clock_results_sql(policy)))
        made.append(("missed_resolutions", missed_resolutions_sql(policy)))
        if policy.warn_ratio is not None:
            made.append(("at_risk", at_risk_sql(policy)))
    else:
        made.append(("ticket_results", ticket_results_sql(policy)))
    made.append(("scope_downtime", scope_downtime_sql(policy)))
    made.append(("scope_excluded", scope_excluded_sql(policy)))
    try:
        made.append(("scope_credit", scope_credit_sql(policy, ledger)))
        made.append(("customer_credit", customer_credit_sql(policy, ledger)))  # it counts ticket_results' misses
        if ledger is not None:
            made.append(("cap_ledger", cap_ledger_sql(policy, ledger)))
    except ValueError as exc:  # credits_sql.Unsupported: a term the plan's credits do not compute yet
        missing.append(f"scope_credit and customer_credit ({exc})")
    return made, missing


def duckdb_script(parts: list[tuple[str, str]]) -> str:
    """The plan's views as one DuckDB script."""
    return "".join(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{query};\n\n" for name, query in parts)


def plan_sql(
    policy: Policy, period: str, as_of: datetime | None = None, dialect: str = "duckdb", calendars: str = "values"
) -> str:
    """The plan of `period` as one script in `dialect`, headed by a comment naming what it reads and makes.

    Raises DialectError (an unknown dialect, SQL the dialect cannot express), ValueError (a bad period,
    a date outside the policy's materialised calendars: OutsideSpan).
    """
    check_dialect(dialect)
    span = period_span(policy, period, as_of)
    ledger = ledger_of(policy, span)
    relations, missing = outputs(policy, ledger)
    parts = list(views(policy, span, calendars, relations))
    made = {name for name, _ in parts}
    inputs = ", ".join(
        INPUTS
        + (calendar_inputs(policy) if calendars == "table" else ())
        + (("cap_used",) if ledger and "scope_credit" in made else ())
    )
    head = (
        f"-- slac plan of {policy.raw['contract']['id']} (policy {policy.raw['content_hash']}) for {span.name}, "
        f"{dialect} dialect\n"
        f"-- reads: {inputs}\n"
        f"-- makes (temporary views, in this order): {', '.join(name for name, _ in parts)}\n"
        f"-- not in SQL yet (use slac evaluate): {'; '.join(missing) or 'nothing'}\n\n"
    )
    return head + SESSION.get(dialect, "") + transpile(duckdb_script(parts), dialect)
