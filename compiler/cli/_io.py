"""What every command shares: exit codes, reading, writing, reporting, and the one way to load an input.

Commands import from here only (never from each other), so the cli modules form no circle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..errors import Diagnostic, format_github, format_json, format_text, has_errors, printable, summary
from ..fileio import InputError, atomic_write, read_source

if TYPE_CHECKING:  # pragma: no cover
    from ..driver import Compiled
    from ..runtime.examples import ExampleResult
    from ..runtime.policy import Policy


class Exit(IntEnum):
    """The exit status of every `slac` command."""

    OK = 0
    CONTRACT = 1  # contract errors, a failing example, a reduction without --allow-reduction, fmt --check
    USAGE = 2  # usage, unreadable or unwritable files, a policy that cannot be used, bad event data
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


def fail(message: str, code: Exit = Exit.USAGE, *, lines: bool = False) -> NoReturn:
    """`slac: error: MESSAGE` on stderr, then exit (2 unless told otherwise). `lines`: the message's own
    line breaks are kept (a policy's list of schema problems), each line escaped on its own."""
    text = "\n".join(printable(line) for line in message.split("\n")) if lines else printable(message)
    click.echo(f"slac: error: {text}", err=True)
    sys.exit(code)


def read(path: str) -> str:
    """A contract's text (bounded, strict UTF-8), or exit 2 naming the file."""
    try:
        return read_source(path)
    except InputError as exc:
        fail(str(exc))


STDOUT = "-"


def write(path: str | Path, data: str | bytes | Iterable[bytes], inputs: Iterable[str | Path] = ()) -> None:
    """Write `data` atomically to `path`, or exit 2 naming the file (also when `path` is one of `inputs`)."""
    guard([path], inputs)
    try:
        atomic_write(Path(path), data)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")


def emit(data: str | bytes | Iterable[bytes], output: str | Path | None, inputs: Iterable[str | Path] = ()) -> None:
    """`data` (text, bytes, or bytes in pieces as they are made) to stdout (no `-o`, or `-o -`), or written
    atomically to `output`."""
    if output is None or str(output) == STDOUT:
        if isinstance(data, str | bytes):
            click.echo(data, nl=False)
            return
        stream = sys.stdout.buffer
        for piece in data:
            stream.write(piece)
        stream.flush()
    else:
        write(output, data, inputs)


def write_set(directory: str | Path, files: dict[str, str | bytes], inputs: Iterable[str | Path] = ()) -> None:
    """Write every file into `directory` all or nothing (`fileio.publish`), or exit 2 with nothing changed."""
    from ..fileio import STAGING_PREFIX, SWAP_INFIX, OutputError, publish

    guard([Path(directory) / name for name in files], inputs)
    try:
        publish(directory, files)
    except OutputError as exc:
        fail(str(exc.strerror))
    except OSError as exc:
        where = str(exc.filename) if exc.filename else str(directory)
        if SWAP_INFIX in where or STAGING_PREFIX in where:  # a hidden file of the publish: name the output
            name = Path(where).name
            where = str(Path(directory) / name) if name in files else str(directory)
        fail(f"{where}: cannot write: {exc.strerror or exc}; nothing was changed in {directory}")


def guard(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """Exit 2 when an output is one of the inputs (the same file, by device and inode), before anything is written.

    `slac compile x.sla -o x.sla` would replace the contract with its JSON.
    """
    seen: dict[tuple[int, int], str] = {}
    for item in inputs:
        key = _identity(item)
        if key is not None:
            seen.setdefault(key, str(item))
    for output in outputs:
        key = _identity(output)
        if key is not None and key in seen:
            fail(f"{output}: is also an input ({seen[key]}); write the output to another file")


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def report(diagnostics: list[Diagnostic], sources: dict[str, str], fmt: str = "text") -> None:
    """Diagnostics as text on stderr (with the source lines), or as JSON / GitHub annotations on stdout."""
    if fmt == "json":
        click.echo(format_json(diagnostics), nl=False)
    elif fmt == "github":
        click.echo(format_github(diagnostics), nl=False)
    elif diagnostics:
        click.echo(format_text(diagnostics, sources), err=True, nl=False)
        click.echo(summary(diagnostics), err=True)


def show_progress() -> bool:
    """A bar only for a person watching: stderr is a terminal and this is not CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress(length: int, label: str) -> Iterator[Any]:
    """A progress bar on stderr, hidden unless `show_progress()`."""
    with click.progressbar(length=length, label=label, file=sys.stderr, hidden=not show_progress()) as bar:
        yield bar


# ---- inputs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """A command's input: a contract compiled by the driver, or a policy JSON through the one loader."""

    path: str
    policy: dict[str, Any] | None  # None: the contract has errors (see `diagnostics`) or `failure`
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: str | None = None  # the contract's text (None for a policy JSON)
    results: list[ExampleResult] | None = None  # None for a policy JSON until asked (`reports`)
    failure: str | None = None
    loaded: Policy | None = None  # the runtime policy of a policy JSON

    @property
    def ok(self) -> bool:
        return self.policy is not None and self.failure is None and not has_errors(self.diagnostics)

    @property
    def sources(self) -> dict[str, str]:
        return {} if self.source is None else {self.path: self.source}

    @cached_property
    def reports(self) -> dict[int, dict[str, Any]]:
        """The evaluator's report entry of each example, by example index."""
        if self.results is not None:
            return {r.index: r.report for r in self.results}
        from ..runtime.examples import run_examples

        return {r.index: r.report for r in run_examples(self.runtime)}

    @cached_property
    def runtime(self) -> Policy:
        """The `slac.runtime.Policy` (a contract's through its canonical JSON, as `slac compile` writes it)."""
        if self.loaded is not None:
            return self.loaded
        from ..policy import to_json

        assert self.policy is not None
        return _load_policy(self.path, to_json(self.policy), code=Exit.CONTRACT)


def compile_file(path: str, *, examples: bool = True, **options: Any) -> Compiled:
    """A contract file through the driver (exit 2 when it cannot be read)."""
    from ..driver import compile_source

    return compile_source(read(path), file=path, examples=examples, **options)


def load_input(path: str, *, examples: bool = True, **options: Any) -> Input:
    """A contract (`*.sla`, compiled by the driver) or a compiled policy JSON (anything else).

    A policy that cannot be used (unreadable, truncated, not a policy, another major format,
    tampered with, failing the schema or its references) exits 2 with one message for every command.
    """
    if path.endswith(".sla"):
        c = compile_file(path, examples=examples, **options)
        return Input(path, c.policy, c.diagnostics, c.source, c.results, c.failure)
    if not Path(path).is_file():  # the loader would say so too; `/dev/zero` is not even opened
        fail(f"{path}: no such file" if not Path(path).exists() else f"{path}: not a file")
    loaded = _load_policy(path, Path(path))
    return Input(path, dict(loaded.raw), loaded=loaded)


def _load_policy(path: str, source: Any, code: Exit = Exit.USAGE) -> Policy:
    from ..runtime import PolicyError, load_policy

    try:
        return load_policy(source)
    except PolicyError as exc:
        fail(f"{printable(path)}: cannot use this policy: {exc}", code, lines=True)


def usable(inputs: list[Input], fmt: str = "text") -> None:
    """Report the inputs' diagnostics together; exit 1 unless every input gave a policy."""
    sources = {k: v for i in inputs for k, v in i.sources.items()}
    report([d for i in inputs for d in i.diagnostics], sources, fmt)
    for i in inputs:
        if i.failure is not None:
            fail(f"{i.path}: cannot build the policy: {i.failure}", Exit.CONTRACT)
    if not all(i.ok for i in inputs):
        sys.exit(Exit.CONTRACT)
