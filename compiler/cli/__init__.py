"""The `slac` command line: parses arguments, calls the API, maps outcomes to exit codes.

Exit codes: 0 ok (warnings allowed), 1 contract errors, 2 usage or I/O error, 130 interrupted (Ctrl-C).
Diagnostics go to stderr as text (`file:line:col: error[CODE]: …` with the line
and a caret), or to stdout as JSON / GitHub Actions annotations with `--format`.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..errors import Diagnostic, has_errors
from ._io import STDOUT, Exit, compile_file, emit, fail, read, report

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How diagnostics are printed: text for people, json for tools, github for Actions annotations.",
)


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


class _Slac(click.Group):
    """The `slac` group: Ctrl-C ends a command with `slac: interrupted` and exit 130, not click's
    `Aborted!` and exit 1 (a contract error's code). Output files are written atomically, so none is
    left half-written. (`slac serve` takes Ctrl-C as its stop, with 0.)"""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nslac: interrupted", err=True)
            ctx.exit(Exit.INTERRUPTED)


@click.group(cls=_Slac, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slac")
def main() -> None:
    """slac: compile SLA contracts (*.sla) into validated policies.

    Exit codes: 0 ok, 1 contract errors, 2 usage or I/O error, 130 interrupted (Ctrl-C).
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@FORMAT
def check(files: tuple[str, ...], fmt: str) -> None:
    """Check contracts and report every problem found."""
    from ..driver import check as run_check

    sources = {f: read(f) for f in files}
    diagnostics: list[Diagnostic] = []
    for file, text in sources.items():
        diagnostics.extend(run_check(text, file=file))
    report(diagnostics, sources, fmt)
    if has_errors(diagnostics):
        sys.exit(Exit.CONTRACT)
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
    from ..policy import to_json

    years = _years(holiday_years)
    options: dict[str, Any] = {} if years is None else {"holiday_years": years}
    # The examples run on the policy just built (its holiday years), so a failing `expect` fails the compile.
    compiled = compile_file(file, **options)
    report(compiled.diagnostics, {file: compiled.source}, fmt)
    if compiled.failure is not None:
        fail(f"{file}: cannot build the policy: {compiled.failure}", Exit.CONTRACT)
    if not compiled.ok or compiled.policy is None:
        sys.exit(Exit.CONTRACT)
    emit(to_json(compiled.policy), output, [file])
    if output not in (None, STDOUT) and fmt == "text":
        click.echo(f"wrote {output}", err=True)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the schema here (default: stdout).")
def schema(output: str | None) -> None:
    """Print the policy JSON Schema.

    Every compiled policy validates against this schema (draft 2020-12).
    """
    from importlib import resources

    emit(resources.files("slac.schema").joinpath("policy.schema.json").read_text(encoding="utf-8"), output)


# The other commands live in their own modules; they share `_io`, never each other.
from .change import diff_cmd, fmt_cmd  # noqa: E402
from .evaluate import evaluate_cmd, test_cmd  # noqa: E402
from .init import init_cmd  # noqa: E402
from .lsp import lsp_cmd  # noqa: E402
from .render import build_cmd, render_cmd  # noqa: E402
from .serve import serve_cmd  # noqa: E402
from .sql import calendars_cmd, sql_cmd  # noqa: E402
from .verify import verify_cmd  # noqa: E402

for _command in (test_cmd, evaluate_cmd, render_cmd, build_cmd, diff_cmd, fmt_cmd, verify_cmd):
    main.add_command(_command)
main.add_command(lsp_cmd)
main.add_command(init_cmd)
main.add_command(serve_cmd)
main.add_command(sql_cmd)
main.add_command(calendars_cmd)
