"""The `slac evaluate` and `slac test` commands: a policy over event files, and a contract's examples.

Thin like the rest of the CLI: arguments are parsed here, the work is done by `slac.runtime`.
Exit codes: 0 ok, 1 contract errors or a failed example, 2 usage, unreadable or bad input
(a bad event row, a policy that cannot be used). Nothing is written when a command fails.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.policy import Policy

EXIT_OK, EXIT_CONTRACT, EXIT_USAGE = 0, 1, 2
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"slac: error: {message}", err=True)
    sys.exit(code)


def _period(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not _PERIOD.match(value):
        raise click.BadParameter(f"{value!r} is not a month; write it as YYYY-MM, e.g. 2025-03")
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


def _load(source: str) -> Policy:
    """A `.sla` contract is checked and compiled (exit 1 on contract errors); anything else is policy JSON."""
    from . import _read, _report
    from ..errors import SlaError, has_errors
    from ..runtime import PolicyError, load_policy

    if source.endswith(".sla"):
        from ..driver import analyse, example_diagnostics
        from ..policy import build, to_json

        text = _read(source)
        doc, diagnostics = analyse(text, file=source, examples=False)
        if doc is None or has_errors(diagnostics):
            _report(diagnostics, {source: text}, "text")
            sys.exit(EXIT_CONTRACT)
        try:
            raw: Any = build(doc)
        except SlaError as exc:
            _report(list(exc.diagnostics), {source: text}, "text")
            sys.exit(EXIT_CONTRACT)
        except ValueError as exc:
            _fail(f"{source}: cannot build the policy: {exc}", EXIT_CONTRACT)
        diagnostics += example_diagnostics(doc, raw)  # a contract whose examples fail is not evaluated
        _report(diagnostics, {source: text}, "text")
        if has_errors(diagnostics):
            sys.exit(EXIT_CONTRACT)
        try:  # through the canonical JSON text, so the report is byte-identical to one from `slac compile`'s file
            return load_policy(to_json(raw))
        except PolicyError as exc:
            _fail(f"{source}: the compiled policy cannot be used: {exc}", EXIT_CONTRACT)
    if not Path(source).is_file():
        _fail(f"{source}: no such file" if not Path(source).exists() else f"{source}: not a file")
    try:
        return load_policy(Path(source))
    except PolicyError as exc:
        _fail(f"{source}: cannot use this policy: {exc}")


def _show_progress() -> bool:
    """A bar only for a person watching: stderr is a terminal and this is not CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@click.command(name="evaluate")
@click.argument("source", metavar="POLICY|FILE", type=click.Path(dir_okay=False))
@click.option("--period", required=True, callback=_period, metavar="YYYY-MM", help="The month to evaluate.")
@click.option("--customers", required=True, type=click.Path(dir_okay=False), help="customer, tier, monthly_fee")
@click.option(
    "--tickets", required=True, type=click.Path(dir_okay=False), help="id, customer, priority, opened_at, responded_at"
)
@click.option("--incidents", required=True, type=click.Path(dir_okay=False), help="id, start, end")
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
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here (default: stdout).")
def evaluate_cmd(
    source: str,
    period: str,
    customers: str,
    tickets: str,
    incidents: str,
    as_of: datetime | None,
    fmt: str,
    lang: str | None,
    output: str | None,
) -> None:
    """Evaluate a policy over event files: what each customer is owed.

    Per customer: uptime, downtime, response breaches, credit lines, cap and total owed.
    POLICY is compiled policy JSON; a FILE ending in .sla is checked and compiled first.
    Inputs are CSV, JSON Lines (.jsonl/.ndjson) or Parquet, chosen by extension.
    """
    from . import _emit
    from ..runtime.evaluate import evaluate
    from ..runtime.inputs import EventError, read_events

    policy = _load(source)
    try:
        events = read_events(policy, customers=customers, tickets=tickets, incidents=incidents)
    except EventError as exc:
        _fail(str(exc))
    try:
        if _show_progress() and len(events.tickets.id) > 0:
            with click.progressbar(length=len(events.tickets.id), label="evaluating", file=sys.stderr) as bar:
                done = [0]

                def progress(n: int) -> None:
                    bar.update(max(n - done[0], 0))
                    done[0] = max(done[0], n)

                report = evaluate(policy, events, period=period, as_of=as_of, progress=progress)
        else:
            report = evaluate(policy, events, period=period, as_of=as_of)
    except ValueError as exc:  # a period outside the policy's materialised calendars, an unsupported billing
        _fail(f"cannot evaluate {period}: {exc}")
    data = render_report(report, fmt=fmt, lang=lang or _default_lang(policy), policy=dict(policy.raw))
    _emit(data, output)
    if output is not None:
        click.echo(f"wrote {output}", err=True)


def render_report(report: dict[str, Any], *, fmt: str, lang: str = "en", policy: dict[str, Any] | None = None) -> bytes:
    """The report as UTF-8 bytes in `fmt`: formatted by `slac.render.report.render_report`."""
    from ..render.report import render_report

    return render_report(report, fmt=fmt, lang=lang, policy=policy)


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
    from . import _read, _report
    from ..errors import has_errors
    from ..driver import analyse, example_results

    failed = passed = 0
    broken = False
    for file in files:
        text = _read(file)
        doc, diagnostics = analyse(text, file=file, examples=False)
        _report(diagnostics, {file: text}, "text")
        if doc is None or has_errors(diagnostics):
            broken = True
            continue
        results, problems = example_results(doc)
        if problems:
            _report(problems, {file: text}, "text")
            broken = True
            continue
        if not results:
            click.echo(f"{file}: no examples")
        for r in results:
            if r.ok:
                passed += 1
                click.echo(f"{file}:{r.line}: ok    {r.title}")
                continue
            failed += 1
            click.echo(f"{file}:{r.line}: FAIL  {r.title}")
            for c in sorted(r.checks, key=lambda c: c.line):
                if not c.ok:
                    click.echo(f"  {file}:{c.line}: expect {c.kind}: expected {c.expected}, actual {c.actual}")
    total = passed + failed
    click.echo(f"{total} example{'s' if total != 1 else ''}: {passed} passed, {failed} failed")
    if failed or broken:
        sys.exit(EXIT_CONTRACT)
