"""The `slac evaluate` and `slac test` commands: a policy over event files, and a contract's examples.

Thin like the rest of the CLI: arguments are parsed here, the work is done by `slac.runtime`.
Exit codes: 0 ok, 1 contract errors or a failed example, 2 usage, unreadable or bad input
(a bad event row, a policy that cannot be used). Nothing is written when a command fails.
"""

from __future__ import annotations

import re
import sys
from contextlib import ExitStack
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from ..errors import printable
from ._io import STDOUT, Exit, compile_file, emit, fail, load_input, report, show_progress, usable

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")


def _period(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not _PERIOD.match(value):
        raise click.BadParameter(
            f"{value!r} is not a period; write a month (2026-05), a quarter (2026-Q2) or a year (2026)"
        )
    return value


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 timestamp; write it like 2025-04-01T00:00+08:00"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset; add one, like {value}+08:00 or {value}Z")
    return moment


@click.command(name="evaluate")
@click.argument("source", metavar="POLICY|FILE", type=click.Path(dir_okay=False))
@click.option(
    "--period",
    required=True,
    callback=_period,
    metavar="PERIOD",
    help="The billing period to evaluate: 2026-05, 2026-Q2 or 2026.",
)
@click.option("--customers", required=True, type=click.Path(), help="customer, tier, fee (or monthly_fee)")
@click.option(
    "--tickets",
    required=False,
    type=click.Path(),
    help="id, customer, priority, opened_at, responded_at (optional for a contract with services). With "
    "--engine spark also a Delta table's folder or table:NAME, a table of the Spark catalog (table:db.tickets);"
    " so is every other event input.",
)
@click.option("--incidents", required=True, type=click.Path(), help="id, start, end")
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="TIMESTAMP",
    help="Unanswered tickets breach once their deadline is before this (default: the end of the period).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "md"]),
    default="json",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the Markdown report (default: the contract's first).",
)
@click.option("--charges", type=click.Path(), help="customer, service, region, amount (`service_charges`)")
@click.option("--requests", type=click.Path(), help="service, region, start, total, failed")
@click.option(
    "--ticket-events",
    "ticket_events",
    type=click.Path(),
    help="ticket, at, event (`update` or `status:NAME`): public updates and status changes",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here (default: stdout).")
@click.option(
    "--engine",
    default=None,
    metavar="ENGINE",
    help="numpy (in memory), duckdb (the SQL plan in embedded DuckDB, reading big files out of core) or "
    "spark (the same plan as Spark SQL; needs slac[spark] and Java 17). All give the same report. Default: numpy (faster where it can hold the tickets); duckdb for more tickets than "
    "numpy holds: a Parquet file of over 10,000,000 rows or a CSV or JSON Lines file over 2 GiB.",
)
@click.option(
    "--spark-master",
    "spark_master",
    metavar="URL",
    help="With --engine spark: the Spark master to run on (default local[2]; a cluster's spark://HOST:PORT, "
    "yarn or k8s://…). The spark engine needs `pip install 'slac[spark]'` and Java 17.",
)
def evaluate_cmd(
    source: str,
    period: str,
    customers: str,
    tickets: str | None,
    incidents: str,
    as_of: datetime | None,
    fmt: str,
    lang: str | None,
    charges: str | None,
    requests: str | None,
    ticket_events: str | None,
    output: str | None,
    engine: str | None,
    spark_master: str | None,
) -> None:
    """Evaluate a policy over event files: what each customer is owed.

    Per customer: uptime, downtime, response breaches, credit lines, cap and total owed.
    POLICY is compiled policy JSON; a FILE ending in .sla is checked and compiled first.
    Inputs are CSV, JSON Lines (.jsonl/.ndjson) or Parquet, chosen by extension.
    """
    from ..runtime.inputs import EventError, prefetch_events

    forget = lambda: None  # noqa: E731
    if engine in (None, "numpy"):  # issue 15: CSV files are parsed while the policy loads (read_ahead.prefetch)
        forget = prefetch_events(customers=customers, tickets=tickets, incidents=incidents)
        click.get_current_context().call_on_close(forget)
    from ..runtime.engines import FLAGS, Inputs, UsageError, choose_engine, evaluate_files

    # A contract is checked, compiled and its examples run (exit 1 when any fails); a policy JSON is loaded.
    loaded = load_input(source)
    usable([loaded])
    policy, inputs = loaded.runtime, Inputs(customers, incidents, tickets, charges, requests, ticket_events)
    _warn_missing(policy.raw, inputs)
    try:
        with ExitStack() as stack:
            progress = _Progress(stack)
            if engine is None:
                engine = choose_engine(policy, inputs)
            if engine != "numpy":
                forget()
            if engine == "numpy":  # issue 15: pyarrow would import pandas (≈1 s) for nothing (columns.hide_pandas)
                from ..runtime.columns import hide_pandas

                click.get_current_context().call_on_close(hide_pandas())

            if spark_master is not None and engine != "spark":
                raise UsageError("--spark-master is for --engine spark")
            lakes = inputs.lakes() if engine != "spark" else []
            if lakes:
                field, where = lakes[0]
                raise UsageError(f"{FLAGS[field]} {where}: a Delta table or table:NAME is read by --engine spark only")
            if engine == "spark":  # started here on the master asked for; the engine runs on it
                from ..plan.spark_engine import MASTER, start

                start(policy, spark_master or MASTER)
            live = show_progress()
            bar = progress if live else None
            report = evaluate_files(
                policy, inputs, period=period, as_of=as_of, engine=engine, progress=bar, for_json=fmt == "json"
            )
            forget()  # what the evaluation did not read (a file it reads otherwise) is not held while writing
    except (EventError, UsageError) as exc:
        fail(str(exc))
    except ValueError as exc:  # a period outside the policy's materialised calendars, an unsupported billing
        fail(f"cannot evaluate {period}: {exc}")
    if fmt == "json":  # written customer by customer as it is serialised (a 1M-ticket report is 100 MB)
        from ..runtime.report_json import json_chunks  # not slac.render: no renderer for JSON

        emit(json_chunks(report), output, [source, *inputs.paths()])
    else:
        from ..render.report_v2 import render_any as render_report  # not imported for JSON (≈0.1 s)

        data = render_report(report, fmt=fmt, lang=lang or _default_lang(policy), policy=dict(policy.raw))
        emit(data, output, [source, *inputs.paths()])
    if as_of is not None and policy.warn_percent is not None:  # else no clock is at risk: the report is not read again
        _say_at_risk(report)
    if output not in (None, STDOUT):
        click.echo(f"wrote {output}", err=True)


def _warn_missing(raw: Any, inputs: Any) -> None:
    """What an evaluation without one of its optional files leaves at nothing, said (stderr) before it runs."""
    from ..policy.codec import uses_charges

    out = []
    amounts = [b["amount"] for c in raw["credits"] for b in c["bands"]]
    amounts += [c["per_miss"]["amount"] for c in raw["credits"] if c.get("per_miss")]
    amounts += [raw["cap"]["amount"]] if raw.get("cap") else []
    if inputs.charges is None and any(uses_charges(a) for a in amounts):
        out.append("no --charges: credits on service_charges are 0 for every customer")
    rated = [s["id"] for s in raw.get("services") or () if s.get("error_rate")]
    if inputs.requests is None and rated:
        out.append(f"no --requests: the error-rate downtime of {', '.join(rated)} is not measured")
    for warning in out:
        click.echo(f"slac: warning: {warning}", err=True)


class _Progress:
    """The bar on stderr: tickets measured of those read, labelled with the engine's stage (issue 15)."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack, self.label = stack, "evaluating"
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:  # the bar starts once the tickets are read and counted
            bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar = self.stack.enter_context(bar)
        self.bar.update(max(done - self.bar.pos, 0))

    def stage(self, text: str) -> None:
        """The engine moved on (checking the tickets, measuring them, building the report)."""
        self.label = f"evaluating: {text}"
        if self.bar is None:
            click.echo(f"{self.label} …", err=True)
        else:
            self.bar.label = self.label
            self.bar.render_progress()


def _say_at_risk(report: dict[str, Any]) -> None:
    """`--as-of` with `warn at`: the at-risk open tickets, on stderr (the report lists them all)."""
    found = [(c["customer"], r) for c in report["customers"] for r in c.get("at_risk", ())]
    if not any("at_risk" in c for c in report["customers"]):
        return
    click.echo(f"{len(found)} open ticket clock{'s' if len(found) != 1 else ''} at risk at {report['as_of']}", err=True)
    for customer, r in found[:20]:
        left = r["left_seconds"]
        click.echo(
            f"  {customer} {r['id']}: {r['target']} due {r['deadline']} ({left / 60:g} min of open time left)", err=True
        )
    if len(found) > 20:
        click.echo(f"  … and {len(found) - 20} more (see the report's at_risk lists)", err=True)


def _default_lang(policy: Policy) -> str:
    for lang in policy.raw.get("languages") or ():
        if lang in ("zh", "en"):
            return str(lang)
    return "en"


@click.command(name="test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def test_cmd(files: tuple[str, ...]) -> None:
    """Run the contracts' examples and check every `expect`.

    Each example is evaluated by the real evaluator. One line per example; a failure shows expected and actual at the `expect` line.
    Exit 1 when any example fails or a contract has errors.
    """
    failed = passed = 0
    broken = False
    for file in files:
        compiled = compile_file(file)
        # The failing `expect`s are shown below, one line each, instead of as E0712 diagnostics.
        report([d for d in compiled.diagnostics if d not in compiled.expectations], {file: compiled.source})
        if compiled.failure is not None:
            click.echo(
                f"slac: error: {printable(file)}: cannot build the policy: {printable(compiled.failure)}", err=True
            )
        if compiled.policy is None or compiled.failure is not None or _broken(compiled):
            broken = True
            continue
        results = compiled.results
        if not results:
            click.echo(f"{printable(file)}: no examples")
        for r in results:
            if r.ok:
                passed += 1
                click.echo(f"{printable(file)}:{r.line}: ok    {printable(r.title)}")
                continue
            failed += 1
            click.echo(f"{printable(file)}:{r.line}: FAIL  {printable(r.title)}")
            for c in sorted(r.checks, key=lambda c: c.line):
                if not c.ok:
                    click.echo(
                        printable(f"  {file}:{c.line}: expect {c.kind}: expected {c.expected}, actual {c.actual}")
                    )
    total = passed + failed
    click.echo(f"{total} example{'s' if total != 1 else ''}: {passed} passed, {failed} failed")
    if failed or broken:
        sys.exit(Exit.CONTRACT)


def _broken(compiled: Any) -> bool:
    """Errors other than the failing `expect`s (those are counted as failed examples)."""
    from ..errors import has_errors

    return has_errors([d for d in compiled.diagnostics if d not in compiled.expectations])
