"""`slac render` and `slac build`: the contract as Markdown, HTML and PDF, each edition and language.

Everything is rendered in memory first and written only when all of it succeeded, so a failing
command leaves the output directory as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import printable
from ._io import STDOUT, Exit, compile_file, emit, fail, load_input, progress, report, usable, write_set

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


def _stem(file: str) -> str:
    """`websoft9.sla` and `websoft9.policy.json` both name their outputs `websoft9.*`."""
    name = Path(file).name
    for suffix in (".policy.json", ".json", ".sla"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(file).stem


Built = tuple[dict[str, Any], dict[int, dict[str, Any]]]  # a policy and its examples' report entries


def _policy(file: str) -> Built:
    """A contract checked, compiled and tested (exit 1 on errors), or a compiled policy (exit 2 when refused).

    The examples run once, on the policy just built; their results are also printed in the document.
    """
    loaded = load_input(file)
    usable([loaded])
    assert loaded.policy is not None
    return loaded.policy, loaded.reports


def _outputs(
    file: str,
    built: Built,
    editions: list[str] | None,
    formats: list[str],
    front: dict[str, Any],
    bar: Any = None,
) -> dict[Path, str | bytes]:
    from ..render import SUFFIX, RenderError, render
    from ..render import editions as available

    policy, results = built
    chosen = editions or available(policy)
    unknown = [e for e in chosen if e not in available(policy)]
    if unknown:
        fail(f"{file}: no edition {', '.join(unknown)}; this contract has {', '.join(available(policy))}")
    stem = _stem(file)
    out: dict[Path, str | bytes] = {}
    for edition in chosen:
        for fmt in formats:
            try:
                out[Path(f"{stem}.{edition}{SUFFIX[fmt]}")] = render(
                    policy, edition=edition, fmt=fmt, results=results, **front
                )
            except RenderError as exc:
                fail(f"{file}: {exc}")
            if bar is not None:
                bar.update(1)
    return out


def _write_all(directory: str, outputs: dict[Path, str | bytes], inputs: list[str]) -> None:
    """Every output or none (`fileio.publish`); `-o -` prints a single document on stdout."""
    if directory == STDOUT:
        if len(outputs) != 1:
            fail(
                "-o - prints one document on stdout; choose one edition (--lang) and one --format, or give a directory"
            )
        emit(next(iter(outputs.values())), STDOUT)
        return
    write_set(directory, {str(name): data for name, data in outputs.items()}, inputs)
    for name in outputs:
        click.echo(printable(f"wrote {Path(directory) / name}"), err=True)


def _check_epoch(formats: list[str]) -> None:
    """SOURCE_DATE_EPOCH, which dates the PDF: whole seconds within the years slac computes with, or exit 2."""
    import os
    from datetime import UTC, datetime

    from ..limits import MAX_YEAR

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or "pdf" not in formats:
        return
    last = int(datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()) - 1
    if not (epoch.isascii() and epoch.isdigit()) or len(epoch) > 12 or int(epoch) > last:
        fail(
            f"SOURCE_DATE_EPOCH={epoch[:30]!r} is not a time slac can date a PDF with: "
            f"give whole seconds since 1970 up to {last} (the end of {MAX_YEAR}), or unset it"
        )


FRONT_OPTIONS = [
    click.option("--title", help="Front matter title (default: the contract title in the edition's languages)."),
    click.option("--slug", help="Front matter slug of the original edition; others get '/EDITION' appended."),
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
    _check_epoch(chosen_formats)
    policy = _policy(file)
    front = {"title": title, "slug": slug, "sidebar_position": sidebar_position}
    _write_all(directory, _outputs(file, policy, chosen_editions, chosen_formats, front), [file])


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
    from ..policy import to_json
    from ..render import editions as available

    chosen_formats = _formats(formats)
    if directory == STDOUT:
        fail("build writes several files; give an output directory, not -")
    _distinct(files)
    _check_epoch(chosen_formats)
    # Every contract is checked before anything is reported, so one JSON array covers them all.
    compiled = [compile_file(file) for file in files]
    report([d for c in compiled for d in c.diagnostics], {c.file: c.source for c in compiled}, diagnostics_format)
    for c in compiled:
        if c.failure is not None:
            click.echo(printable(f"slac: error: {c.file}: cannot build the policy: {c.failure}"), err=True)
    if not all(c.ok for c in compiled):
        sys.exit(Exit.CONTRACT)
    policies: dict[str, Built] = {c.file: (c.policy, c.reports) for c in compiled if c.policy is not None}
    outputs: dict[Path, str | bytes] = {}
    total = sum(len(available(p)) * len(chosen_formats) for p, _ in policies.values())
    with progress(total, "rendering") as bar:
        for file, built in policies.items():
            outputs[Path(f"{_stem(file)}.policy.json")] = to_json(built[0])
            outputs.update(_outputs(file, built, None, chosen_formats, {}, bar))
    _write_all(directory, outputs, list(files))
    click.echo(printable(f"built {len(files)} contract{'s' if len(files) != 1 else ''} into {directory}"), err=True)


def _distinct(files: tuple[str, ...]) -> None:
    """Refuse the same contract twice (by device and inode) and two contracts whose outputs share names."""
    import os

    by_identity: dict[tuple[int, int], str] = {}
    by_stem: dict[str, str] = {}
    for file in files:
        try:
            info = os.stat(file)
        except OSError:
            info = None  # reading it says why (exit 2)
        if info is not None:
            key = (info.st_dev, info.st_ino)
            if key in by_identity:
                fail(f"{by_identity[key]} and {file} are the same contract; give it once")
            by_identity[key] = file
        stem = _stem(file)
        other = by_stem.setdefault(stem, file)
        if other != file:
            fail(
                f"{other} and {file} would both write {stem}.policy.json and {stem}.*; "
                "build them into different output directories, or rename one"
            )
