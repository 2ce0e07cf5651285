"""Issue 13: a publish (`slac build`, `slac render`) killed with SIGKILL at every step it takes.

A first run of `fileio.publish` in a subprocess logs every file-system call it makes (open, write,
fsync, link, mkdir, rename, the directory exchange, the removals of the cleanup …). Then, for each
step k, a fresh copy of the old output directory is published into by a subprocess that stops just
before its k-th call and is killed there with SIGKILL, as a crash or power cut would stop it.

After every kill, the swapped publish (Linux, `renameat2(RENAME_EXCHANGE)`) leaves the output
directory byte for byte the whole old tree or the whole new one: never one contract's files mixed,
nor two contracts from different builds. The next run then cleans up without being asked: nothing
hidden is left beside or inside the directory, and its tree is the new one.

The journaled publish (where a directory cannot be swapped) is held to what it promises: after a
kill the tree is old, new, or a mix that its journal records, and `recover` (the first thing the
next publish does) leaves every contract's files all old or all new.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from slac import fileio

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL") or fileio._renameat2() is None, reason="needs POSIX signals and renameat2"
)

# The subprocess: every state-changing call of `os` (and mkdtemp, and the exchange) first counts
# itself; at the `stop`-th it writes the marker and waits to be killed. Without `stop` it logs them.
_HOOKED = textwrap.dedent(
    """
    import ctypes, json, os, re, shutil, stat, sys, tempfile, time
    from slac import fileio

    spec = json.loads(sys.argv[1])
    calls = []

    def hooked(name, fn):
        def call(*args, **kwargs):
            calls.append(name)
            if len(calls) == spec["stop"]:
                open(spec["marker"], "w").close()
                time.sleep(60)
            return fn(*args, **kwargs)
        return call

    for name in ("open", "write", "fsync", "ftruncate", "replace", "rename", "link", "mkdir", "rmdir",
                 "unlink", "chmod", "chown"):
        setattr(os, name, hooked(name, getattr(os, name)))
    tempfile.mkdtemp = hooked("mkdtemp", tempfile.mkdtemp)
    fileio._exchange = hooked("exchange", fileio._exchange)
    if spec["journaled"]:
        fileio._renameat2 = lambda: None
    fileio.publish(spec["directory"], spec["files"])
    with open(spec["log"], "w") as fh:
        json.dump(calls, fh)
    """
)

CONTRACTS = ("websoft9", "acme-crm")
KINDS = ("policy.json", "en.md", "zh.md", "bilingual.md")


def _files(version: str) -> dict[str, str]:
    """A build of two contracts: each one's policy and documents, every file saying which build it is from."""
    return {f"{stem}.{kind}": f"{version} {stem} {kind}\n" for stem in CONTRACTS for kind in KINDS}


OLD, NEW = _files("old"), _files("new")


def _old_tree(out: Path) -> None:
    out.mkdir(parents=True)
    for name, text in OLD.items():
        (out / name).write_text(text, encoding="utf-8")
    # Not slac's: carried into the new tree as they are.
    (out / "unrelated.txt").write_text("kept\n", encoding="utf-8")
    (out / "img").mkdir()
    (out / "img" / "logo.txt").write_text("logo\n", encoding="utf-8")


def _tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)) + ("/" if p.is_dir() else ""): "" if p.is_dir() else p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
    }


def _expected(files: dict[str, str], *, existed: bool) -> dict[str, str]:
    if not existed:
        return dict(files)
    return {**files, "unrelated.txt": "kept\n", "img/": "", "img/logo.txt": "logo\n"}


def _publish(work: Path, stop: int | None, *, journaled: bool) -> subprocess.Popen[bytes]:
    spec = {
        "directory": str(work / "site"),
        "files": NEW,
        "stop": stop,
        "marker": str(work / "reached"),
        "log": str(work / "calls.json"),
        "journaled": journaled,
    }
    return subprocess.Popen([sys.executable, "-c", _HOOKED, json.dumps(spec)], stderr=subprocess.PIPE)


def _steps(tmp_path: Path, *, journaled: bool, existed: bool) -> list[str]:
    work = tmp_path / "count"
    work.mkdir()
    if existed:
        _old_tree(work / "site")
    proc = _publish(work, None, journaled=journaled)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert _tree(work / "site") == _expected(NEW, existed=existed)
    calls: list[str] = json.loads((work / "calls.json").read_text(encoding="utf-8"))
    return calls


def _kill_at(work: Path, stop: int, *, journaled: bool) -> None:
    proc = _publish(work, stop, journaled=journaled)
    try:
        deadline = time.monotonic() + 60
        while not (work / "reached").exists():
            if proc.poll() is not None:
                raise AssertionError(f"step {stop}: the publish ended first: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"step {stop} never reached"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    (work / "reached").unlink()


def _leftovers(work: Path) -> list[str]:
    hidden = (fileio.SWAP_INFIX, fileio.STAGING_PREFIX)
    return sorted(str(p.relative_to(work)) for p in work.rglob("*") if any(h in p.name for h in hidden))


@pytest.mark.parametrize("existed", [True, False], ids=["over-an-old-build", "into-a-new-directory"])
def test_a_swapped_publish_killed_at_any_step_leaves_the_old_tree_or_the_new(tmp_path: Path, existed: bool) -> None:
    steps = _steps(tmp_path, journaled=False, existed=existed)
    assert "exchange" in steps or not existed  # the whole tree is swapped, not renamed file by file
    assert steps.count("replace") == (0 if existed else 1)
    old, new = _expected(OLD, existed=existed) if existed else {}, _expected(NEW, existed=existed)
    seen = {"old": 0, "new": 0}
    for stop in range(1, len(steps) + 1):
        work = tmp_path / f"kill-{stop}"
        work.mkdir()
        if existed:
            _old_tree(work / "site")
        _kill_at(work, stop, journaled=False)
        after = _tree(work / "site")
        where = f"killed before step {stop} ({steps[stop - 1]}) of {steps}"
        assert after in (old, new), f"{where}: a mixed tree {after}"
        seen["old" if after == old else "new"] += 1
        # The next run cleans up before anything else, without being asked.
        fileio.recover(work / "site")
        assert _tree(work / "site") == after, where
        assert _leftovers(work) == [], where
        fileio.publish(work / "site", NEW)
        assert _tree(work / "site") == new, where
        assert _leftovers(work) == [], where
    # Killed before the exchange: old; after it (while the old tree is removed): new.
    assert seen["old"] > 0 and seen["new"] > 0, seen


def _per_contract(tree: dict[str, str]) -> dict[str, set[str]]:
    """Which builds each contract's files come from ('old', 'new')."""
    return {stem: {tree[f"{stem}.{kind}"].split()[0] for kind in KINDS} for stem in CONTRACTS}


def test_a_journaled_publish_killed_at_any_step_is_old_new_or_finished_by_the_next_run(tmp_path: Path) -> None:
    steps = _steps(tmp_path, journaled=True, existed=True)
    assert "exchange" not in steps
    old, new = _expected(OLD, existed=True), _expected(NEW, existed=True)
    mixed = 0
    for stop in range(1, len(steps) + 1):
        work = tmp_path / f"kill-{stop}"
        work.mkdir()
        _old_tree(work / "site")
        _kill_at(work, stop, journaled=True)
        site = work / "site"
        after = {k: v for k, v in _tree(site).items() if fileio.STAGING_PREFIX not in k}
        where = f"killed before step {stop} ({steps[stop - 1]})"
        if after not in (old, new):
            mixed += 1  # between the renames: the journal says what to finish
            [staging] = [p for p in site.iterdir() if p.name.startswith(fileio.STAGING_PREFIX)]
            assert (staging / "journal.json").is_file(), where
        fileio.recover(site)
        recovered = _tree(site)
        assert recovered in (old, new), f"{where}: {recovered}"
        assert all(len(builds) == 1 for builds in _per_contract(recovered).values()), where
        assert _leftovers(work) == [], where
    assert mixed > 0  # what the swap is for: file by file, a crash can stop between two renames


def test_slac_build_killed_at_the_exchange_keeps_the_old_build_and_the_next_build_recovers(tmp_path: Path) -> None:
    # End to end: `slac build` of two contracts over an earlier build, killed just before the swap
    # (all of the new tree written and fsync'ed beside the output directory) and just after it.
    from .conftest import ROOT

    contracts = [str(ROOT / "contracts" / f"{stem}.sla") for stem in CONTRACTS]
    script = textwrap.dedent(
        """
        import json, sys, time
        from slac import fileio
        from slac.cli import main
        marker, when = sys.argv[1], sys.argv[2]
        real = fileio._exchange
        def exchange(a, b):
            if when == "after":
                real(a, b)
            open(marker, "w").close()
            time.sleep(60)
        fileio._exchange = exchange
        main(sys.argv[3:])
        """
    )
    out = tmp_path / "site"
    args = ["build", *contracts, "--format", "md", "-o", str(out)]
    subprocess.run([sys.executable, "-m", "slac", *args], check=True, capture_output=True, timeout=300)
    (out / "websoft9.en.md").write_text("an earlier build\n", encoding="utf-8")  # to tell old from new
    old = _tree(out)
    for when in ("before", "after"):
        marker = tmp_path / f"reached-{when}"
        proc = subprocess.Popen([sys.executable, "-c", script, str(marker), when, *args], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 300
            while not marker.exists():
                assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stderr:
                proc.stderr.close()
        after = _tree(out)
        if when == "before":
            assert after == old
        else:
            assert after != old and after["websoft9.en.md"] != "an earlier build\n"
            assert set(after) == set(old)
        # The killed build left its next (or old) tree beside the output directory: the next build removes it.
        assert [p.name for p in tmp_path.iterdir() if fileio.SWAP_INFIX in p.name] != []
        subprocess.run([sys.executable, "-m", "slac", *args], check=True, capture_output=True, timeout=300)
        assert [p.name for p in tmp_path.iterdir() if fileio.SWAP_INFIX in p.name] == []
        assert _tree(out)["websoft9.en.md"] != "an earlier build\n"
        (out / "websoft9.en.md").write_text("an earlier build\n", encoding="utf-8")
        old = _tree(out)
