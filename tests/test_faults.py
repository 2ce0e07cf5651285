"""Fault injection (issue 13): a full disk, a refused permission or a failing rename at every write.

Each command that writes (build, render, evaluate, compile, fmt) is first run once with every
file-system call of `slac.fileio` counted (the creation of a file or directory, each write,
fsync, truncate and rename). Then, for every one of those calls and each of ENOSPC, EACCES and
EXDEV, the command runs again on a fresh copy of the old output with exactly that call failing.
After each run the output tree (every file under it, hidden ones included) must be byte for byte
the old tree or the new one, the command must exit 2 (or succeed, when the failing call was
cleanup after the new tree was in place), and nothing may leak out as a traceback.

No root is needed: the failures are raised by a stand-in for the `os` and `tempfile` modules
that `slac.fileio` uses.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from slac import fileio
from slac.cli import main

from .conftest import ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
ACME = ROOT / "contracts" / "acme-crm.sla"
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"
KINDS = {
    errno.ENOSPC: "No space left on device",
    errno.EACCES: "Permission denied",
    errno.EXDEV: "Invalid cross-device link",
}
# The calls of `os` / `tempfile` through which fileio creates, writes, links and renames, and the
# directory swap (`renameat2(RENAME_EXCHANGE)`, called through ctypes, not `os`).
POINTS = ("open", "write", "fsync", "ftruncate", "replace", "mkstemp", "mkdtemp", "fdopen.write", "link", "mkdir")
POINTS += ("exchange",)


class Faults:
    """Counts the fault points; with `fail_at` set, raises `OSError(kind)` at that call (once)."""

    def __init__(self, fail_at: int | None = None, kind: int = errno.ENOSPC) -> None:
        self.calls: list[str] = []
        self.fail_at, self.kind = fail_at, kind

    def hit(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_at is not None and len(self.calls) - 1 == self.fail_at:
            raise OSError(self.kind, KINDS[self.kind])

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_os, real_tempfile = os, tempfile

        def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
            def call(*args: Any, **kwargs: Any) -> Any:
                self.hit(name)
                return fn(*args, **kwargs)

            return call

        faults = self

        class File:
            def __init__(self, fh: Any) -> None:
                self.fh = fh

            def __enter__(self) -> File:
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()

            def write(self, data: bytes) -> int:
                faults.hit("fdopen.write")
                return int(self.fh.write(data))

            def __getattr__(self, name: str) -> Any:
                return getattr(self.fh, name)

        fake_os = SimpleNamespace(**{k: getattr(real_os, k) for k in dir(real_os) if not k.startswith("__")})
        for name in ("open", "write", "fsync", "ftruncate", "replace", "link", "mkdir"):
            setattr(fake_os, name, wrap(name, getattr(real_os, name)))
        fake_os.fdopen = lambda fd, *a, **k: File(real_os.fdopen(fd, *a, **k))
        fake_os.path = real_os.path
        fake_tempfile = SimpleNamespace(
            mkstemp=wrap("mkstemp", real_tempfile.mkstemp), mkdtemp=wrap("mkdtemp", real_tempfile.mkdtemp)
        )
        monkeypatch.setattr(fileio, "_exchange", wrap("exchange", fileio._exchange))
        monkeypatch.setattr(fileio, "os", fake_os)
        monkeypatch.setattr(fileio, "tempfile", fake_tempfile)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones too) and its bytes; directories as markers, symlinks as their targets."""
    out: dict[str, bytes] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = b"-> " + os.fsencode(os.readlink(path))
        else:
            out[rel + "/" if path.is_dir() else rel] = b"" if path.is_dir() else path.read_bytes()
    return out


def swap_leftovers(work: Path) -> list[str]:
    """Hidden siblings of a swapped publish left anywhere under `work` (the output's parent included)."""
    return sorted(str(p.relative_to(work)) for p in work.rglob(f"*{fileio.SWAP_INFIX}*"))


# ---- the commands ------------------------------------------------------------------------------------

OLD_PAGE = b"old page\n"


def _events(tmp: Path) -> list[str]:
    args = []
    for name in ("customers", "tickets", "incidents"):
        shutil.copy(EVENTS / f"{name}.csv", tmp / f"{name}.csv")
        args += [f"--{name}", str(tmp / f"{name}.csv")]
    return args


def _setup_build(tmp: Path) -> tuple[list[str], Path]:
    out = tmp / "site"
    out.mkdir()
    for name in ("websoft9.policy.json", "websoft9.zh.md", "acme-crm.en.md", "unrelated.txt"):
        (out / name).write_bytes(OLD_PAGE)
    # Not slac's: a swap carries them into the new tree (a directory anew, files as hard links).
    (out / "img").mkdir()
    (out / "img" / "logo.txt").write_bytes(OLD_PAGE)
    (out / "latest.md").symlink_to("websoft9.zh.md")
    return ["build", str(WEBSOFT9), str(ACME), "--format", "md", "-o", str(out)], out


def _setup_render(tmp: Path) -> tuple[list[str], Path]:
    out = tmp / "site"
    out.mkdir()
    (out / "websoft9.en.md").write_bytes(OLD_PAGE)
    return ["render", str(WEBSOFT9), "--lang", "zh,en", "--format", "md", "-o", str(out)], out


def _setup_render_new_dir(tmp: Path) -> tuple[list[str], Path]:
    # The output directory (and its parent) do not exist yet: a failure must not leave them behind.
    return ["render", str(WEBSOFT9), "--lang", "en", "--format", "md", "-o", str(tmp / "a" / "b")], tmp / "a"


def _setup_compile(tmp: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    (out / "policy.json").write_bytes(OLD_PAGE)
    return ["compile", str(WEBSOFT9), "-o", str(out / "policy.json")], out


def _setup_evaluate(tmp: Path) -> tuple[list[str], Path]:
    out = tmp / "out"
    out.mkdir()
    (out / "report.json").write_bytes(OLD_PAGE)
    args = ["evaluate", str(WEBSOFT9), "--period", "2025-03", *_events(tmp), "-o", str(out / "report.json")]
    return args, out


def _setup_fmt(tmp: Path) -> tuple[list[str], Path]:
    # Two contracts to reformat (one through a symlink, one with a second hard link), so a failure
    # on the second must undo the first.
    src = tmp / "src"
    src.mkdir()
    for contract in (WEBSOFT9, ACME):
        text = contract.read_text(encoding="utf-8").replace("\n  ", "\n   ", 3)
        (src / contract.name).write_text(text, encoding="utf-8")
    os.link(src / ACME.name, src / "acme-link.sla")
    (src / "web-link.sla").symlink_to(WEBSOFT9.name)
    return ["fmt", str(src / "web-link.sla"), str(src / ACME.name)], src


SETUPS = {
    "build": _setup_build,
    "render": _setup_render,
    "render-new-dir": _setup_render_new_dir,
    "compile": _setup_compile,
    "evaluate": _setup_evaluate,
    "fmt": _setup_fmt,
}


def _run(args: list[str]) -> Any:
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("command", list(SETUPS))
def test_every_fault_leaves_the_old_tree_or_the_new(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The good run: the new tree, and how many fault points it passes. Every run uses the same
    # directory (set up afresh), so paths recorded in the outputs are the same too.
    work = tmp_path / "work"

    def fresh() -> tuple[list[str], Path]:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        return SETUPS[command](work)

    # Compiling is not what is tested here: each contract is compiled once (the writes are the subject).
    import slac.driver

    compiled: dict[tuple[str, str], Any] = {}
    real_compile = slac.driver.compile_source

    def compile_once(source: str, *, file: str, **options: Any) -> Any:
        key = (file, source)
        if key not in compiled:
            compiled[key] = real_compile(source, file=file, **options)
        return compiled[key]

    monkeypatch.setattr(slac.driver, "compile_source", compile_once)
    analysed: dict[tuple[str, str], Any] = {}
    real_analyse = slac.driver.analyse

    def analyse_once(source: str, *, file: str, **options: Any) -> Any:
        if (file, source) not in analysed:
            analysed[file, source] = real_analyse(source, file=file, **options)
        return analysed[file, source]

    monkeypatch.setattr(slac.driver, "analyse", analyse_once)
    args, root = fresh()
    old = tree(root)
    counter = Faults()
    with monkeypatch.context() as m:
        counter.install(m)
        result = _run(args)
    assert result.exit_code == 0, result.output
    new = tree(root)
    assert new != old
    points = len(counter.calls)
    assert points >= 3, counter.calls  # the command really writes through fileio
    assert set(counter.calls) <= set(POINTS)
    outcomes = {"old": 0, "new": 0}
    for at in range(points):
        for kind in KINDS:
            args, root = fresh()
            faults = Faults(fail_at=at, kind=kind)
            with monkeypatch.context() as m:
                faults.install(m)
                result = _run(args)
            after = tree(root)
            where = f"{command}: {counter.calls[at]} #{at} failing with {errno.errorcode[kind]}"
            assert swap_leftovers(work) == [], where
            if after == old:
                assert result.exit_code == 2, f"{where}: old tree but exit {result.exit_code}"
                assert KINDS[kind] in result.stderr, f"{where}: {result.stderr}"
                outcomes["old"] += 1
            else:
                assert after == new, f"{where}: a mixed tree {sorted(after)}"
                outcomes["new"] += 1
    assert outcomes["old"] > 0


def test_the_fault_points_cover_every_kind_of_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # build passes creations, writes, fsyncs and renames; fmt's hard link adds the in-place writes.
    seen: set[str] = set()
    for command in ("build", "fmt"):
        run_dir = tmp_path / command
        run_dir.mkdir()
        args, _ = SETUPS[command](run_dir)
        counter = Faults()
        with monkeypatch.context() as m:
            counter.install(m)
            assert _run(args).exit_code == 0
        seen |= set(counter.calls)
    assert {"open", "write", "fsync", "ftruncate", "replace", "mkstemp", "mkdtemp", "fdopen.write"} <= seen
    assert {"link", "mkdir", "exchange"} <= seen  # build swaps its directory (Linux)
