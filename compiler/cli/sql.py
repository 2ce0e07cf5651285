"""The `slac sql` and `slac calendars` commands: the evaluation plan for a team's own warehouse.

`slac sql` prints the plan's SQL (written once in DuckDB's dialect, transpiled by sqlglot) for one
period; `slac calendars` writes the policy's materialised calendars as the `calendar_open` table
that SQL reads with `--calendars table`. The work is done by `slac.plan`.
Exit codes: 0 ok, 1 contract errors, 2 usage (an unknown dialect, a period outside the materialised
calendars, a policy that cannot be used). Nothing is written when a command fails.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import click

from ._io import STDOUT, emit, fail, load_input, usable

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

DIALECTS = ("duckdb", "spark", "bigquery", "snowflake", "postgres")


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 timestamp; write it like 2026-07-01T00:00Z") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset; add one, like {value}+08:00 or {value}Z")
    return moment


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it like 2026-01-31") from None


@click.command(name="sql")
@click.argument("source", metavar="POLICY|FILE", type=click.Path(dir_okay=False))
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    default="duckdb",
    show_default=True,
    help="The SQL dialect to write (the plan is written in DuckDB's and transpiled by sqlglot).",
)
@click.option(
    "--period",
    required=True,
    metavar="PERIOD",
    help="The billing period the script evaluates: 2026-05, 2026-Q2 or 2026, as the contract bills.",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="TIMESTAMP",
    help="Unanswered tickets breach once their deadline is before this (default: the end of the period).",
)
@click.option(
    "--calendars",
    type=click.Choice(["values", "table"]),
    default="values",
    show_default=True,
    help="values: the calendars inlined in the script; table: read a `calendar_open` table (`slac calendars`), "
    "and with targets in business days `calendar_days` and `calendar_zone` (`slac calendars --table`).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the script here (default: stdout).")
def sql_cmd(source: str, dialect: str, period: str, as_of: datetime | None, calendars: str, output: str | None) -> None:
    """Print the evaluation plan of one period as SQL, for a warehouse.

    The script creates temporary views over the input relations customers, tickets, ticket_events,
    incidents, requests and charges (map your tables onto them), in dependency order: params (the
    period), calendar_open (and, with targets in business days, calendar_days and calendar_zone;
    unless --calendars table), then the plan's results. With a cap over a longer span than the
    period it also reads cap_used, what the span's earlier periods used of the cap: append each
    period's cap_ledger view to it.
    POLICY is compiled policy JSON; a FILE ending in .sla is checked and compiled first.
    """
    from ..plan.dialects import DialectError
    from ..plan.sql import plan_sql
    from ..runtime.engines import UsageError

    loaded = load_input(source)
    usable([loaded])
    try:
        script = plan_sql(loaded.runtime, period, as_of, dialect=dialect, calendars=calendars)
    except (DialectError, UsageError) as exc:
        fail(str(exc))
    except ValueError as exc:  # a bad period, a date outside the materialised calendars
        fail(f"cannot write the plan of {period}: {exc}")
    emit(script, output, [source])
    if output not in (None, STDOUT):
        click.echo(f"wrote {output}", err=True)


@click.command(name="calendars")
@click.argument("source", metavar="POLICY|FILE", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="The table's file format.",
)
@click.option(
    "--from",
    "first",
    callback=_day,
    metavar="DATE",
    help="The first day tickets may open on (default: January 1 of the policy's first holiday year).",
)
@click.option(
    "--to",
    "last",
    callback=_day,
    metavar="DATE",
    help="The last day tickets may open on (default: December 31 of its last holiday year).",
)
@click.option(
    "--table",
    "which",
    type=click.Choice(["calendar_open", "calendar_days", "calendar_zone"]),
    default="calendar_open",
    show_default=True,
    help="The table to write: calendar_days and calendar_zone are read by a plan with targets in business days.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
def calendars_cmd(source: str, fmt: str, first: date | None, last: date | None, which: str, output: str) -> None:
    """Write the policy's calendars as the `calendar_open` table (or, with --table, `calendar_days`
    or `calendar_zone`).

    calendar_open: one row per open interval of every calendar (holidays, make-up days and DST
    applied): calendar, open_start, open_end (µs since the epoch, UTC) and cum_before (the
    calendar's open µs before open_start); a calendar closed where the span begins starts with a
    row of no length there, so that time before the table is not read as closed. calendar_days: calendar, n, day: each local date with
    open hours (days since 1970-01-01) and its order n, of every calendar with a target in business
    days; calendar_zone: calendar, utc_from, utc_to, offset_us: its zone's UTC offset over time.
    Each reaches past --to far enough for the longest target of a ticket opened by then. POLICY is
    compiled policy JSON; a FILE ending in .sla is checked and compiled first.
    """
    from ..plan.business_sql import business_days
    from ..plan.calendars import calendar_days_tables, calendar_table

    loaded = load_input(source)
    usable([loaded])
    policy = loaded.runtime
    if which != "calendar_open" and not business_days(policy):
        fail(f"the policy has no target in business days, so its plan reads no {which}; write calendar_open")
    start, end = _span(policy, first, last)
    try:
        table = calendar_table(policy, start, end)  # refuses a span outside the holiday years
        if which != "calendar_open":  # the same span (its own reading leaves such a calendar out)
            table = calendar_days_tables(policy, start, end)[which == "calendar_zone"]
    except ValueError as exc:  # a day outside the materialised holiday years
        fail(f"cannot write the calendars: {exc}")
    emit(_table_bytes(table, fmt), output, [source])
    if output != STDOUT:
        click.echo(f"wrote {output} ({table.num_rows} rows)", err=True)


def _span(policy: Policy, first: date | None, last: date | None) -> tuple[int, int]:
    """[start, end) in µs: from the start of `first` to the end of `last` in the contract's zone.

    Without them, the policy's holiday years, as they run in every calendar's zone (the latest
    New Year and the earliest year's end), so that no calendar reaches outside its holiday data.
    """
    from ..runtime.calendar import wall_to_us

    years = policy.view.years
    if years is None and (first is None or last is None):
        fail("the policy materialises no holiday years; give --from and --to")
    zones = [policy.zone, *(cal.zone for cal in policy.calendars.values())]
    if first is None:
        assert years is not None
        start = max(wall_to_us(date(years[0], 1, 1), 0, zone) for zone in zones)
    else:
        start = wall_to_us(first, 0, policy.zone)
    if last is None:
        assert years is not None
        end = min(wall_to_us(date(years[1] + 1, 1, 1), 0, zone) for zone in zones)
    else:
        end = wall_to_us(last + timedelta(days=1), 0, policy.zone)
    if end <= start:
        fail("--to is before --from; give the first day, then the last")
    return start, end


def _table_bytes(table: object, fmt: str) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, sink)
    else:
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, sink)
    return bytes(sink.getvalue().to_pybytes())
