"""`slac render` and `slac build`: the contract as Markdown, HTML and PDF, each edition and language.

Everything is rendered in memory first and written only when all of it succeeded, so a failing
command leaves the output directory as it was.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

EDITIONS_HELP = "Comma-separated editions: declared languages and/or 'bilingual' (default: all)."
FORMATS_HELP = "Comma-separated formats: md, html, pdf (default: all)."


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise click.BadParameter("give at least one value")
    return list(dict.fromkeys(items))


def _formats(value: str | None) -> list[str]:
    from ..render import FORMATS

    chosen = _split(value) or list(FORMATS)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown)}; use {', '.join(FORMATS)}", param_hint="--format"
        )
    return chosen


def _compiled(file: str) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """A compiled policy JSON (what `slac compile` writes) and its examples' results.

    Exits 2 when the file cannot be read, 1 when it is not a usable policy: not JSON, invalid,
    of another format, or edited after compiling (`slac.runtime.load_policy` refuses those).
    """
    import json

    from . import EXIT_CONTRACT, _read
    from ..render import example_results, load
    from ..runtime import PolicyError

    text = _read(file)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        click.echo(
            f"slac: error: {file}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
            "give a contract (.sla) or the policy JSON `slac compile` writes",
            err=True,
        )
        sys.exit(EXIT_CONTRACT)
    if not isinstance(data, dict):
        click.echo(f"slac: error: {file}: a policy is a JSON object, not {type(data).__name__}", err=True)
        sys.exit(EXIT_CONTRACT)
    try:
        policy = load(data)
    except PolicyError as exc:
        click.echo(f"slac: error: {file}: cannot render this policy: {exc}", err=True)
        sys.exit(EXIT_CONTRACT)
    return policy, example_results(policy)


def _stem(file: str) -> str:
    """`websoft9.sla` and `websoft9.policy.json` both name their outputs `websoft9.*`."""
    name = Path(file).name
    for suffix in (".policy.json", ".json", ".sla"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(file).stem


def _built(file: str) -> tuple[tuple[dict[str, Any], dict[int, dict[str, Any]]] | None, list[Any], str]:
    """Check, compile and test one contract: (policy and example results, or None), diagnostics, source.

    The examples run once, on the policy just built; their results are also printed in the document.
    Exits 2 when the file cannot be read.
    """
    from . import _read
    from ..errors import Diagnostic, SlaError, has_errors
    from ..driver import _failed_expectations, analyse, example_results
    from ..policy import build

    source = _read(file)
    doc, diagnostics = analyse(source, file=file, examples=False)
    if doc is None or has_errors(diagnostics):
        return None, diagnostics, source
    try:
        policy = build(doc)
    except SlaError as exc:
        return None, diagnostics + list(exc.diagnostics), source
    except ValueError as exc:  # the built policy failed its schema: a slac bug, reported as such
        click.echo(f"slac: error: {file}: cannot build the policy: {exc}", err=True)
        return None, diagnostics, source
    results, problems = example_results(doc, policy)
    diagnostics = sorted(diagnostics + problems + list(_failed_expectations(doc, results)), key=Diagnostic.sort_key)
    if has_errors(diagnostics):
        return None, diagnostics, source
    return (policy, {r.index: r.report for r in results}), diagnostics, source


def _policy(file: str, fmt: str) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """`_built` for one contract, exiting 1 with the diagnostics when it has errors or a failing example."""
    from . import EXIT_CONTRACT, _report

    built, diagnostics, source = _built(file)
    _report(diagnostics, {file: source}, fmt)
    if built is None:
        sys.exit(EXIT_CONTRACT)
    return built


def _outputs(
    file: str,
    built: tuple[dict[str, Any], dict[int, dict[str, Any]]],
    editions: list[str] | None,
    formats: list[str],
    front: dict[str, Any],
    bar: Any = None,
) -> dict[Path, str | bytes]:
    from . import EXIT_USAGE
    from ..render import SUFFIX, RenderError, render
    from ..render import editions as available

    policy, results = built
    chosen = editions or available(policy)
    unknown = [e for e in chosen if e not in available(policy)]
    if unknown:
        click.echo(
            f"slac: error: {file}: no edition {', '.join(unknown)}; this contract has {', '.join(available(policy))}",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    stem = _stem(file)
    out: dict[Path, str | bytes] = {}
    for edition in chosen:
        for fmt in formats:
            try:
                out[Path(f"{stem}.{edition}{SUFFIX[fmt]}")] = render(
                    policy, edition=edition, fmt=fmt, results=results, **front
                )
            except RenderError as exc:
                click.echo(f"slac: error: {file}: {exc}", err=True)
                sys.exit(EXIT_USAGE)
            if bar is not None:
                bar.update(1)
    return out


def _write_all(directory: str, outputs: dict[Path, str | bytes]) -> None:
    from . import _write

    for name, data in outputs.items():
        target = Path(directory) / name
        _write(target, data)
        click.echo(f"wrote {target}", err=True)


def _show_progress() -> bool:
    # A bar on a terminal; none in CI logs or when output is piped.
    return sys.stderr.isatty() and not os.environ.get("CI")


FRONT_OPTIONS = [
    click.option("--title", help="Front matter title (default: the contract title in the edition's languages)."),
    click.option("--slug", help="Front matter slug of the original edition; others get '-EDITION' appended."),
    click.option("--sidebar-position", type=int, help="Front matter sidebar_position (default: 1)."),
]


def _front_options(fn: Any) -> Any:
    for option in reversed(FRONT_OPTIONS):
        fn = option(fn)
    return fn


@click.command(name="render")
@click.argument("file", metavar="FILE|POLICY", type=click.Path(dir_okay=False))
@click.option("--lang", "editions", metavar="EDITIONS", help=EDITIONS_HELP)
@click.option("--format", "formats", metavar="FORMATS", help=FORMATS_HELP)
@click.option("-o", "--output", "directory", required=True, type=click.Path(file_okay=False), help="Output directory.")
@_front_options
def render_cmd(
    file: str,
    editions: str | None,
    formats: str | None,
    directory: str,
    title: str | None,
    slug: str | None,
    sidebar_position: int | None,
) -> None:
    """Render a contract or compiled policy as Markdown, HTML and PDF.

    FILE is a contract (.sla; checked, compiled and its examples tested) or a policy JSON from 'slac compile'. Each declared language, and a bilingual edition clause by clause. Files are named STEM.EDITION.EXT, e.g. websoft9.zh.md, websoft9.bilingual.pdf.
    """
    chosen_formats = _formats(formats)
    chosen_editions = _split(editions)
    policy = _policy(file, "text") if file.endswith(".sla") else _compiled(file)
    front = {"title": title, "slug": slug, "sidebar_position": sidebar_position}
    _write_all(directory, _outputs(file, policy, chosen_editions, chosen_formats, front))


@click.command(name="build")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "directory", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option("--format", "formats", metavar="FORMATS", help=FORMATS_HELP)
@click.option(
    "--diagnostics",
    "diagnostics_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How diagnostics are printed: text for people, json for tools, github for Actions annotations.",
)
def build_cmd(files: tuple[str, ...], directory: str, formats: str | None, diagnostics_format: str) -> None:
    """Check, compile, test and render contracts.

    Every edition and format of each contract. Exit 1 when a contract has errors or one of its examples does not hold. Writes STEM.policy.json and STEM.EDITION.{md,html,pdf} for each FILE; nothing is written
    unless every contract builds.
    """
    from . import EXIT_CONTRACT, _report
    from ..policy import to_json
    from ..render import editions as available

    chosen_formats = _formats(formats)
    # Every contract is checked before anything is reported, so one JSON array covers them all.
    policies: dict[str, tuple[dict[str, Any], dict[int, dict[str, Any]]]] = {}
    diagnostics: list[Any] = []
    sources: dict[str, str] = {}
    for file in files:
        built, found, sources[file] = _built(file)
        diagnostics += found
        if built is not None:
            policies[file] = built
    _report(diagnostics, sources, diagnostics_format)
    if len(policies) != len(files):
        sys.exit(EXIT_CONTRACT)
    outputs: dict[Path, str | bytes] = {}
    total = sum(len(available(p)) * len(chosen_formats) for p, _ in policies.values())
    with click.progressbar(length=total, label="rendering", file=sys.stderr, hidden=not _show_progress()) as bar:
        for file, built in policies.items():
            outputs[Path(f"{Path(file).stem}.policy.json")] = to_json(built[0])
            outputs.update(_outputs(file, built, None, chosen_formats, {}, bar))
    _write_all(directory, outputs)
    click.echo(f"built {len(files)} contract{'s' if len(files) != 1 else ''} into {directory}", err=True)
