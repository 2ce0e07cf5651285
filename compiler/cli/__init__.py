"""The `slac` command line: parses arguments, calls the API, maps outcomes to exit codes.

Exit codes: 0 ok (warnings allowed), 1 contract errors, 2 usage or I/O error.
Diagnostics go to stderr as text (`file:line:col: error[CODE]: …` with the line
and a caret), or to stdout as JSON / GitHub Actions annotations with `--format`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import Diagnostic, format_github, format_json, format_text, has_errors, summary
from ..fileio import InputError, atomic_write, read_source

EXIT_OK, EXIT_CONTRACT, EXIT_USAGE = 0, 1, 2

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How diagnostics are printed: text for people, json for tools, github for Actions annotations.",
)


def _fail_io(message: str) -> NoReturn:
    click.echo(f"slac: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _write(path: str | Path, data: str | bytes) -> None:
    """Write `data` atomically to `path`, or exit 2 naming the file."""
    try:
        atomic_write(Path(path), data)
    except OSError as exc:
        _fail_io(f"{path}: cannot write: {exc.strerror or exc}")


def _emit(data: str | bytes, output: str | Path | None) -> None:
    """`data` to stdout, or written atomically to `output`."""
    if output is None:
        click.echo(data, nl=False)
    else:
        _write(output, data)


def _read(path: str) -> str:
    try:
        return read_source(path)
    except InputError as exc:
        _fail_io(str(exc))


def _report(diagnostics: list[Diagnostic], sources: dict[str, str], fmt: str) -> None:
    if fmt == "json":
        click.echo(format_json(diagnostics), nl=False)
    elif fmt == "github":
        click.echo(format_github(diagnostics), nl=False)
    elif diagnostics:
        click.echo(format_text(diagnostics, sources), err=True, nl=False)
        click.echo(summary(diagnostics), err=True)


def _years(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        first, _, last = value.partition("-")
        span = (int(first), int(last or first))
    except ValueError:
        raise click.BadParameter("write a span of years like 2025-2030") from None
    if span[0] > span[1] or span[1] - span[0] > 100:
        raise click.BadParameter("write a span of at most 100 years like 2025-2030, first year first")
    from ..limits import MAX_YEAR, MIN_YEAR

    if span[0] < MIN_YEAR or span[1] > MAX_YEAR:
        raise click.BadParameter(f"holidays are materialised for the years {MIN_YEAR}-{MAX_YEAR}")
    return span


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slac")
def main() -> None:
    """slac: compile SLA contracts (*.sla) into validated policies.

    Exit codes: 0 ok, 1 contract errors, 2 usage or I/O error.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@FORMAT
def check(files: tuple[str, ...], fmt: str) -> None:
    """Check contracts and report every problem found."""
    from ..driver import check as run_check

    sources = {f: _read(f) for f in files}
    diagnostics: list[Diagnostic] = []
    for file, text in sources.items():
        diagnostics.extend(run_check(text, file=file))
    _report(diagnostics, sources, fmt)
    if has_errors(diagnostics):
        sys.exit(EXIT_CONTRACT)
    if fmt == "text":
        click.echo(f"{len(files)} contract{'s' if len(files) != 1 else ''} ok", err=True)


@main.command(name="compile")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the policy here (default: stdout).")
@click.option(
    "--holiday-years", metavar="FIRST-LAST", help="Years of holidays to materialise (default: effective year + 5)."
)
@FORMAT
def compile_(file: str, output: str | None, holiday_years: str | None, fmt: str) -> None:
    """Compile one contract into its policy JSON.

    The policy is validated against the shipped JSON Schema before it is written.
    """
    from ..errors import SlaError
    from ..driver import analyse, example_diagnostics
    from ..policy import build, to_json

    years = _years(holiday_years)
    source = _read(file)
    doc, diagnostics = analyse(source, file=file, examples=False)
    if doc is None or has_errors(diagnostics):
        _report(diagnostics, {file: source}, fmt)
        sys.exit(EXIT_CONTRACT)
    options: dict[str, Any] = {} if years is None else {"holiday_years": years}
    try:
        policy = build(doc, **options)
    except SlaError as exc:
        _report(sorted(diagnostics + list(exc.diagnostics), key=Diagnostic.sort_key), {file: source}, fmt)
        sys.exit(EXIT_CONTRACT)
    except ValueError as exc:  # PolicyError included: the policy failed its schema
        _report(diagnostics, {file: source}, fmt)
        click.echo(f"slac: error: {file}: cannot build the policy: {exc}", err=True)
        sys.exit(EXIT_CONTRACT)
    # The examples run on the policy just built (its holiday years), so a failing `expect` fails the compile.
    diagnostics = sorted(diagnostics + example_diagnostics(doc, policy), key=Diagnostic.sort_key)
    _report(diagnostics, {file: source}, fmt)
    if has_errors(diagnostics):
        sys.exit(EXIT_CONTRACT)
    _emit(to_json(policy), output)
    if output is not None:
        if fmt == "text":
            click.echo(f"wrote {output}", err=True)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the schema here (default: stdout).")
def schema(output: str | None) -> None:
    """Print the policy JSON Schema.

    Every compiled policy validates against this schema (draft 2020-12).
    """
    from importlib import resources

    _emit(resources.files("slac.schema").joinpath("policy.schema.json").read_text(encoding="utf-8"), output)


# The other commands live in their own modules and import this module's helpers lazily,
# so they are registered once the group exists.
from .change import diff_cmd, fmt_cmd  # noqa: E402
from .evaluate import evaluate_cmd, test_cmd  # noqa: E402
from .render import build_cmd, render_cmd  # noqa: E402

for _command in (test_cmd, evaluate_cmd, render_cmd, build_cmd, diff_cmd, fmt_cmd):
    main.add_command(_command)
