"""Contract-change commands: `slac diff` (the material-reduction gate) and `slac fmt`.

Exit codes as everywhere in slac: 0 ok, 1 contract errors, a reduction without
`--allow-reduction`, or (`fmt --check`) a file that would change; 2 usage or I/O error.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import has_errors
from ._io import Exit, emit, fail, load_input, read, report, usable

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A billing period as `slac evaluate` takes it: a month, a quarter or a year (the contract's billing
    decides which it must be; the reference says so when it is not)."""
    if value is not None and not _PERIOD.match(value):
        raise click.BadParameter(
            f"{value!r} is not a billing period; write a month (2026-03), a quarter (2026-Q1) or a year (2026)"
        )
    return value


@click.command(name="diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="A bilingual Markdown changelog for people, or JSON for tools.",
)
@click.option(
    "--allow-reduction",
    "allow",
    metavar="REASON",
    help="Accept reductions (exit 0) and record REASON in the output, e.g. a ticket or an approval.",
)
@click.option(
    "--lang",
    "langs",
    metavar="LANG[,LANG]",
    help="Languages of the changelog, in order (default: the new contract's languages): zh, en.",
)
@click.option(
    "--period",
    callback=_month,
    metavar="PERIOD",
    help="The reference billing period of the credit figures: 2026-03, 2026-Q1 or 2026 as the contract bills "
    "(default: the period the new contract takes effect in).",
)
@click.option(
    "--reference-fee",
    "fee_text",
    metavar="AMOUNT",
    help="Fee of the reference customers for the billing period (default: the fee of the contract's example for each tier, or 1000).",
)
@click.option(
    "--reference-events",
    "events_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="A real month instead of the synthetic one: customers, tickets and incidents files (csv, jsonl, parquet).",
)
@click.option("--no-figures", is_flag=True, help="Skip the reference-month credit figures (and the evaluator).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the changelog here (default: stdout).")
def diff_cmd(
    old: str,
    new: str,
    fmt: str,
    allow: str | None,
    langs: str | None,
    period: str | None,
    fee_text: str | None,
    events_dir: str | None,
    no_figures: bool,
    output: str | None,
) -> None:
    """Compare two contracts term by term; exit 1 on a reduction.

    OLD and NEW are contracts (*.sla) or compiled policies (*.json). Every change is
    classified as a reduction, an improvement, neutral, or wording, with the reason.
    Changes to credits, caps, uptime and response targets and calendars also show the
    credit of a reference month, evaluated under both contracts.
    """
    from ..change.diff import LANGS, diff

    if allow is not None and not allow.strip():
        raise click.BadParameter("give the reason the reduction is accepted", param_hint="--allow-reduction")
    fee = _fee(fee_text)
    if events_dir is not None and period is None:
        raise click.BadParameter("give the period of the events too, e.g. --period 2026-03", param_hint="--period")
    chosen = [lang.strip() for lang in langs.split(",") if lang.strip()] if langs is not None else None
    if chosen is not None and (not chosen or any(lang not in LANGS for lang in chosen)):
        raise click.BadParameter(f"choose from {', '.join(LANGS)}, e.g. --lang zh,en", param_hint="--lang")
    # Contracts through the driver, policy JSON through the one loader (a refused policy exits 2).
    inputs = [load_input(old), load_input(new)]
    usable(inputs)
    old_policy, new_policy = (i.policy for i in inputs)
    assert old_policy is not None and new_policy is not None
    result = diff(old_policy, new_policy)
    if not no_figures:
        asked = period is not None or fee is not None or events_dir is not None
        result = _with_figures(result, period=period, fee=fee, events_dir=events_dir, asked=asked)
    reason = allow.strip() if allow else None
    if fmt == "json":
        text = json.dumps(result.to_json(allowed=reason, langs=chosen), ensure_ascii=False, indent=2) + "\n"
    else:
        text = result.to_markdown(allowed=reason, langs=chosen)
    events = [str(p) for p in Path(events_dir).iterdir()] if events_dir and Path(events_dir).is_dir() else []
    emit(text, output, [old, new, *events])
    reductions = len(result.reductions)
    if reductions and reason is None:
        click.echo(
            f"slac: {reductions} reduction{'s' if reductions != 1 else ''} of the service level; "
            "pass --allow-reduction REASON to accept",
            err=True,
        )
        sys.exit(Exit.CONTRACT)


def _fee(text: str | None) -> Any:
    if text is None:
        return None
    from ..change.impact import parse_fee
    from ..limits import MAX_DECIMALS, MAX_DIGITS

    try:
        fee = parse_fee(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--reference-fee") from None
    # The bounds of a fee in an event file: `1e30` overflowed the evaluator's Decimal context
    # (InvalidOperation, exit 1, read by CI as a reduction), and `-0` printed "-0.00".
    if fee >= 10**MAX_DIGITS or -fee.as_tuple().exponent > MAX_DECIMALS:  # type: ignore[operator]
        raise click.BadParameter(
            f"{text!r} is out of range; a fee is less than 10^{MAX_DIGITS} with at most {MAX_DECIMALS} decimals",
            param_hint="--reference-fee",
        )
    return abs(fee) + 0  # -0 → 0


def _with_figures(result: Any, *, period: str | None, fee: Any, events_dir: str | None, asked: bool) -> Any:
    """The diff with reference-month figures from the evaluator, when any change can have them.

    A reference month the user asked for that cannot be evaluated is a usage error (exit 2);
    the default one only earns a note, so a pipeline's gate never depends on it.
    """
    from ..change.impact import ImpactError, attach, default_period, reference, wanted

    if not wanted((c.term for c in result.changes), result.old, result.new):
        return result
    month = period or default_period(result.old, result.new)
    if month is None:
        click.echo("slac: note: no credit figures: neither contract has an `effective` date; pass --period", err=True)
        return result
    try:
        return attach(result, reference(result.old, result.new, period=month, fee=fee, events_dir=events_dir))
    except ImpactError as exc:
        if asked:
            fail(f"reference month {month}: {exc}")
        click.echo(f"slac: note: no credit figures for {month}: {exc}", err=True)
        return result


@click.command(name="fmt", short_help="Rewrite contracts in the canonical layout; --check for CI.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 and print a unified diff if a file would change.")
def fmt_cmd(files: tuple[str, ...], check: bool) -> None:
    """Rewrite contracts in the canonical layout, keeping every comment.

    Only what is inside a line changes (indentation, spacing, alignment), so line
    numbers stay valid. A file with contract errors is reported and left alone.
    """
    import difflib

    from ..driver import analyse
    from ..fmt import FormatError, format_source

    sources = {f: read(f) for f in files}
    _distinct_files(files)
    failed = 0
    results: dict[str, str] = {}
    # Every file is checked and formatted before any is written: one with errors changes nothing.
    for file, text in sources.items():
        doc, diagnostics = analyse(text, file=file)
        if doc is None or has_errors(diagnostics):
            report(diagnostics, {file: text}, "text")
            failed += 1
            continue
        try:
            results[file] = format_source(text, file=file)
        except FormatError as exc:  # a formatter bug must never cost a contract its meaning
            click.echo(f"slac: error: {exc}", err=True)
            failed += 1
    changed = [f for f, formatted in results.items() if formatted != sources[f]]
    if check:
        for file in changed:
            lines = difflib.unified_diff(
                sources[file].splitlines(keepends=True),
                results[file].splitlines(keepends=True),
                f"{file}",
                f"{file} (formatted)",
            )
            click.echo("".join(_ended(lines)), nl=False)
    elif not failed:
        _rewrite_all({file: results[file] for file in changed})
    unchanged = len(files) - len(changed) - failed
    verb = "would be reformatted" if check or failed else "reformatted"
    parts = [f"{len(changed)} file{'s' if len(changed) != 1 else ''} {verb}", f"{unchanged} unchanged"]
    if failed:
        parts.append(
            f"{failed} with errors (nothing was written)" if changed and not check else f"{failed} with errors"
        )
    click.echo(", ".join(parts), err=True)
    if failed or (check and changed):
        sys.exit(Exit.CONTRACT)


def _rewrite_all(formatted: dict[str, str]) -> None:
    """Rewrite each file; when one cannot be read or written, or on Ctrl-C, the ones already rewritten
    get their old bytes back."""
    from ..fileio import rewrite as replace_text

    done: list[tuple[str, bytes]] = []
    problem = None
    try:
        for file, text in formatted.items():
            try:
                old = Path(file).read_bytes()
            except OSError as exc:
                problem = f"{file}: cannot read: {exc.strerror or exc}; no file was changed"
                break
            done.append((file, old))  # before the write: a Ctrl-C just after it puts this one back too
            try:
                replace_text(file, text)
            except OSError as exc:  # not written (`rewrite` is atomic): the ones before it are put back
                problem = f"{file}: cannot write: {exc.strerror or exc}; no file was changed"
                break
    except BaseException:  # Ctrl-C: the files rewritten get their old text back too
        _restore(done)
        raise
    if problem is not None:
        _restore(done)
        fail(problem)
    for file in formatted:
        click.echo(f"reformatted {file}", err=True)


def _restore(done: list[tuple[str, bytes]]) -> None:
    """Put back the old bytes of each file that no longer has them (a removed file is not made again)."""
    from ..fileio import rewrite as replace_text

    for earlier, data in reversed(done):
        try:
            if Path(earlier).read_bytes() == data:
                continue
        except FileNotFoundError:
            click.echo(f"slac: error: {earlier}: was removed meanwhile; it is not made again", err=True)
            continue
        except OSError:
            pass  # its text is unknown: written back all the same
        try:
            replace_text(earlier, data)
        except OSError:
            click.echo(f"slac: error: {earlier}: could not restore its old text", err=True)


def _distinct_files(files: tuple[str, ...]) -> None:
    """The same file given twice (or through a link) is formatted once."""
    import os

    seen: dict[tuple[int, int], str] = {}
    for file in files:
        try:
            info = os.stat(file)
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            fail(f"{seen[key]} and {file} are the same file; give it once")
        seen[key] = file


def _ended(lines: Any) -> Any:
    """Diff lines, each ending with a newline (the last line of a file may not have one)."""
    for line in lines:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
