"""Atomic outputs: a write that fails or is killed midway leaves the old file or the new one, never a fragment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac import fileio
from slac.cli import main

from .conftest import CONTRACTS

OLD = '{"old": true}\n'


def _leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(OLD, encoding="utf-8")
    return path


def test_atomic_write_replaces_the_file(target: Path) -> None:
    fileio.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert _leftovers(target.parent, {"policy.json"}) == []


@pytest.mark.parametrize("fail", ["write", "fsync", "replace"])
def test_a_failure_between_write_and_rename_keeps_the_old_file(
    target: Path, monkeypatch: pytest.MonkeyPatch, fail: str
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if fail == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            """Writes half of the data, then fails like a full disk."""

            def __init__(self, fh):  # type: ignore[no-untyped-def]
                self.fh = fh

            def __enter__(self):  # type: ignore[no-untyped-def]
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()

            def write(self, data: bytes) -> int:
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(fileio.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(fileio.os, fail, boom)
    with pytest.raises(OSError):
        fileio.atomic_write(target, "x" * 100_000)
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(target.parent, {"policy.json"}) == []


def test_an_interrupt_during_the_write_keeps_the_old_file(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(target.parent, {"policy.json"}) == []


def test_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    path = tmp_path / "fresh.json"
    fileio.atomic_write(path, "{}\n")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_cli_compile_that_fails_to_rename_exits_2_and_keeps_the_old_policy(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileio.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(13, "Permission denied")))
    result = CliRunner().invoke(main, ["compile", str(CONTRACTS[0]), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.stderr and "Permission denied" in result.stderr
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(target.parent, {"policy.json"}) == []


def test_cli_compile_with_contract_errors_writes_nothing(tmp_path: Path, target: Path) -> None:
    bad = tmp_path / "bad.sla"
    bad.write_text("sla x {\n  tier t {\n}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", str(bad), "-o", str(target)])
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path, {"policy.json", "bad.sla"}) == []


# ---- a real process killed midway -------------------------------------------------------------------

# Runs `slac compile` with the write slowed down by a hook: half the policy is written to the
# temporary file, a marker file says so, then the process sleeps until it is killed. With
# `after_rename`, the hook instead sleeps just after the rename.
_HOOKED = textwrap.dedent(
    """
    import os, sys, time
    from slac import fileio
    from slac.cli import main

    marker, when = sys.argv[1], sys.argv[2]
    real_fdopen, real_replace = os.fdopen, os.replace

    class Slow:
        def __init__(self, fh):
            self.fh = fh
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.fh.close()
        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            open(marker, "w").close()
            time.sleep(60)
        def flush(self):
            self.fh.flush()
        def fileno(self):
            return self.fh.fileno()

    def replaced(src, dst):
        real_replace(src, dst)
        open(marker, "w").close()
        time.sleep(60)

    if when == "mid_write":
        fileio.os.fdopen = lambda fd, mode: Slow(real_fdopen(fd, mode))
    else:
        fileio.os.replace = replaced
    main(sys.argv[3:])
    """
)


def _compile_and_kill(tmp_path: Path, target: Path, when: str) -> None:
    marker = tmp_path / "reached"
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOOKED, str(marker), when, "compile", str(CONTRACTS[0]), "-o", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            assert time.monotonic() < deadline, "the hooked compile never reached the write"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_compile_killed_mid_write_leaves_the_old_policy(tmp_path: Path, target: Path) -> None:
    _compile_and_kill(tmp_path, target, "mid_write")
    assert target.read_text(encoding="utf-8") == OLD
    # A SIGKILL cannot be cleaned up after: the half-written data is in a hidden temporary file, not the target.
    [tmp] = _leftovers(tmp_path, {"policy.json", "reached"})
    assert tmp.startswith(".policy.json.") and tmp.endswith(".tmp")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_compile_killed_after_the_rename_leaves_the_whole_new_policy(tmp_path: Path, target: Path) -> None:
    import json

    _compile_and_kill(tmp_path, target, "after_rename")
    policy = json.loads(target.read_text(encoding="utf-8"))  # complete and parseable, not a fragment
    assert policy["contract"]["id"] == CONTRACTS[0].stem.replace("-", "_")
    assert _leftovers(tmp_path, {"policy.json", "reached"}) == []


# ---- the other commands that write ---------------------------------------------------------------


def test_render_failing_on_its_second_rename_leaves_the_old_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    en, zh = out / "websoft9.en.md", out / "websoft9.zh.md"
    for path in (en, zh):
        path.write_text("old page\n", encoding="utf-8")
    real_replace, calls = os.replace, []

    def second_fails(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", second_fails)
    monkeypatch.setattr(fileio, "_renameat2", lambda: None)  # no directory swap: the journaled publish
    contract = next(p for p in CONTRACTS if p.stem == "websoft9")
    result = CliRunner().invoke(main, ["render", str(contract), "--lang", "zh,en", "--format", "md", "-o", str(out)])
    assert result.exit_code == 2 and "No space left" in result.stderr, result.output
    # Issue 13: the files are one set; the renames already made are undone, so both pages are old.
    assert {path.name: path.read_text(encoding="utf-8") for path in (en, zh)} == {
        en.name: "old page\n",
        zh.name: "old page\n",
    }
    assert _leftovers(out, {en.name, zh.name}) == []


def test_evaluate_failing_to_rename_keeps_the_old_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "customers": "customer,tier,monthly_fee\nacme,standard,1000\n",
        "tickets": "id,customer,priority,opened_at,responded_at\nT1,acme,normal,2025-03-03T09:00+08:00,\n",
        "incidents": "id,start,end\n",
    }
    args = ["evaluate", str(next(p for p in CONTRACTS if p.stem == "websoft9")), "--period", "2025-03"]
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    report = tmp_path / "report.json"
    report.write_text(OLD, encoding="utf-8")
    monkeypatch.setattr(fileio.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(30, "Read-only file system")))
    result = CliRunner().invoke(main, [*args, "-o", str(report)])
    assert result.exit_code == 2 and "Read-only" in result.stderr, result.output
    assert report.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path, {"report.json", *(f"{n}.csv" for n in files)}) == []
