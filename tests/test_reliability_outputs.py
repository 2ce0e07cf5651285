"""Issue 13, items 1–4: output that was lost or mixed, each finding as a regression test."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac import fileio
from slac.cli import main

from .conftest import ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
ACME = ROOT / "contracts" / "acme-crm.sla"
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"


def _run(*args: str) -> object:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (b"<dir>" if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


# ---- item 1: build all or nothing ----------------------------------------------------------------


def test_a_directory_in_the_way_fails_the_build_before_anything_is_written(tmp_path: Path) -> None:
    # `mkdir -p o/websoft9.en.md; slac build … -o o --format md,html` wrote the policy and zh.* first.
    out = tmp_path / "o"
    (out / "websoft9.en.md").mkdir(parents=True)
    result = _run("build", str(WEBSOFT9), "-o", str(out), "--format", "md,html")
    assert result.exit_code == 2, result.output
    assert "websoft9.en.md: is a directory" in result.stderr
    assert _tree(out) == {"websoft9.en.md": b"<dir>"}


def test_a_full_disk_midway_leaves_the_earlier_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o"
    assert _run("build", str(WEBSOFT9), str(ACME), "-o", str(out), "--format", "md").exit_code == 0
    before = _tree(out)
    edited = tmp_path / "websoft9.sla"
    edited.write_text(WEBSOFT9.read_text(encoding="utf-8").replace("Websoft9", "Websoft10", 1), encoding="utf-8")
    real_replace, calls = os.replace, []

    def disk_full_on_the_fifth(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(fileio.os, "replace", disk_full_on_the_fifth)
    monkeypatch.setattr(fileio, "_renameat2", lambda: None)  # no directory swap: the journaled publish
    result = _run("build", str(edited), str(ACME), "-o", str(out), "--format", "md")
    assert result.exit_code == 2 and "No space left on device" in result.stderr, result.output
    assert _tree(out) == before  # the new policy does not sit next to the old documents
    assert len(calls) > 5  # the renames made before the failure were undone


def test_a_failing_render_of_the_second_contract_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import slac.render

    real = slac.render.render

    def fails_for_acme(policy: dict, **kwargs: object) -> object:
        if policy["contract"]["id"] == "acme_crm":
            raise slac.render.RenderError("no font for this text")
        return real(policy, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(slac.render, "render", fails_for_acme)
    out = tmp_path / "o"
    result = _run("build", str(WEBSOFT9), str(ACME), "-o", str(out), "--format", "md")
    assert result.exit_code == 2, result.output
    assert not out.exists()


# A publish killed (SIGKILL) after its second rename: the journal is there; the next publish finishes it.
_KILLED = textwrap.dedent(
    """
    import os, sys, time
    from slac import fileio
    marker, directory = sys.argv[1], sys.argv[2]
    real, count = os.replace, [0]
    def replace(src, dst):
        real(src, dst)
        count[0] += 1
        if count[0] == 2:
            open(marker, "w").close()
            time.sleep(60)
    fileio.os.replace = replace
    fileio._renameat2 = lambda: None  # no directory swap: the journaled publish
    fileio.publish(directory, {"a.md": "new a\\n", "b.md": "new b\\n", "c.md": "new c\\n"})
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_crash_between_the_renames_is_finished_by_the_next_publish(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (out / name).write_text(f"old {name[0]}\n", encoding="utf-8")
    marker = tmp_path / "reached"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(marker), str(out)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
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
    # Killed after its second rename: a's old file moved aside (1), a's new file in place (2).
    [staging] = [p for p in out.iterdir() if p.name.startswith(fileio.STAGING_PREFIX)]
    assert json.loads((staging / "journal.json").read_text(encoding="utf-8")) == ["a.md", "b.md", "c.md"]
    assert (out / "a.md").read_text(encoding="utf-8") == "new a\n"
    fileio.recover(out)  # what the next `slac build` / `slac render` into `out` does first
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == {
        "a.md": "new a\n",
        "b.md": "new b\n",
        "c.md": "new c\n",
    }


def test_a_staging_directory_without_a_journal_is_dropped(tmp_path: Path) -> None:
    # Killed while writing the new files: nothing was moved, so the old set stays.
    out = tmp_path / "o"
    (out / f"{fileio.STAGING_PREFIX}x" / "new").mkdir(parents=True)
    (out / f"{fileio.STAGING_PREFIX}x" / "new" / "a.md").write_text("half", encoding="utf-8")
    (out / "a.md").write_text("old\n", encoding="utf-8")
    fileio.recover(out)
    assert _tree(out) == {"a.md": b"old\n"}


# ---- item 2: one contract, one set of names ------------------------------------------------------


def test_two_contracts_with_the_same_stem_are_refused_naming_both(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.sla").write_bytes(WEBSOFT9.read_bytes())
    a, b = tmp_path / "a" / "x.sla", tmp_path / "b" / "x.sla"
    result = _run("build", str(a), str(b), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert str(a) in result.stderr and str(b) in result.stderr and "x.policy.json" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("how", ["twice", "symlink", "hardlink"])
def test_the_same_contract_given_twice_is_refused(tmp_path: Path, how: str) -> None:
    first = tmp_path / "w.sla"
    first.write_bytes(WEBSOFT9.read_bytes())
    second = first if how == "twice" else tmp_path / "other" / "w.sla"
    if how != "twice":
        second.parent.mkdir()
        second.symlink_to(first) if how == "symlink" else os.link(first, second)
    result = _run("build", str(first), str(second), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2 and "same contract" in result.stderr, result.output
    assert f"{first} and {second}" in result.stderr
    assert not (tmp_path / "o").exists()


# ---- item 3: an output that is an input; `-` is stdout -------------------------------------------


def test_compile_onto_its_own_contract_is_refused(tmp_path: Path) -> None:
    contract = tmp_path / "x.sla"
    contract.write_bytes(WEBSOFT9.read_bytes())
    link = tmp_path / "link.sla"
    os.link(contract, link)
    for output in (contract, link):
        result = _run("compile", str(contract), "-o", str(output))
        assert result.exit_code == 2 and "is also an input" in result.stderr, result.output
    assert contract.read_bytes() == WEBSOFT9.read_bytes()


def test_evaluate_onto_one_of_its_event_files_is_refused(tmp_path: Path) -> None:
    args = ["evaluate", str(WEBSOFT9), "--period", "2025-03"]
    for name in ("customers", "tickets", "incidents"):
        (tmp_path / f"{name}.csv").write_bytes((EVENTS / f"{name}.csv").read_bytes())
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    result = _run(*args, "-o", str(tmp_path / "tickets.csv"))
    assert result.exit_code == 2 and "is also an input" in result.stderr
    assert (tmp_path / "tickets.csv").read_bytes() == (EVENTS / "tickets.csv").read_bytes()


def test_diff_onto_a_contract_is_refused(tmp_path: Path) -> None:
    new = tmp_path / "new.sla"
    new.write_bytes(WEBSOFT9.read_bytes())
    result = _run("diff", str(WEBSOFT9), str(new), "--no-figures", "-o", str(new))
    assert result.exit_code == 2 and "is also an input" in result.stderr
    assert new.read_bytes() == WEBSOFT9.read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ["compile", str(WEBSOFT9)],
        ["schema"],
        ["diff", str(WEBSOFT9), str(WEBSOFT9), "--no-figures"],
        ["render", str(WEBSOFT9), "--lang", "en", "--format", "md"],
    ],
    ids=["compile", "schema", "diff", "render"],
)
def test_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run(*args, "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip(), "nothing on stdout"
    assert list(tmp_path.iterdir()) == []  # no file named `-`


def test_evaluate_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["evaluate", str(WEBSOFT9), "--period", "2025-03", "-o", "-"]
    for name in ("customers", "tickets", "incidents"):
        args += [f"--{name}", str(EVENTS / f"{name}.csv")]
    result = _run(*args)
    assert result.exit_code == 0 and json.loads(result.stdout)["period"]
    assert list(tmp_path.iterdir()) == []


def test_dash_for_several_documents_or_a_build_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run("render", str(WEBSOFT9), "-o", "-").exit_code == 2
    assert _run("build", str(WEBSOFT9), "-o", "-").exit_code == 2
    assert list(tmp_path.iterdir()) == []


# ---- item 4: fmt through links, keeping modes, all files checked first ---------------------------

UNFORMATTED = WEBSOFT9.read_text(encoding="utf-8").replace("\n  ", "\n   ", 2)


def _formatted() -> str:
    from slac.fmt import format_source

    text = format_source(UNFORMATTED)
    assert text != UNFORMATTED
    return text


def test_fmt_writes_through_a_symlink_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.sla"
    real.write_text(UNFORMATTED, encoding="utf-8")
    link = tmp_path / "link.sla"
    link.symlink_to(real.name)
    assert _run("fmt", str(link)).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_text(encoding="utf-8") == _formatted()


def test_fmt_keeps_the_mode_and_the_hard_links(tmp_path: Path) -> None:
    private = tmp_path / "private.sla"
    private.write_text(UNFORMATTED, encoding="utf-8")
    private.chmod(0o600)
    assert _run("fmt", str(private)).exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    linked = tmp_path / "linked.sla"
    linked.write_text(UNFORMATTED, encoding="utf-8")
    other = tmp_path / "elsewhere.sla"
    os.link(linked, other)
    linked.chmod(0o640)
    assert _run("fmt", str(linked)).exit_code == 0
    assert os.path.samefile(linked, other) and linked.stat().st_nlink == 2
    assert other.read_text(encoding="utf-8") == _formatted()
    assert stat.S_IMODE(linked.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.sla", "linked.sla", "private.sla"]


def test_fmt_with_one_bad_file_writes_none(tmp_path: Path) -> None:
    good = tmp_path / "good.sla"
    good.write_text(UNFORMATTED, encoding="utf-8")
    bad = tmp_path / "bad.sla"
    bad.write_text("sla x {\n  tier t {\n}\n", encoding="utf-8")
    result = _run("fmt", str(good), str(bad))
    assert result.exit_code == 1
    assert good.read_text(encoding="utf-8") == UNFORMATTED
    assert "nothing was written" in result.stderr


@pytest.mark.parametrize(
    ("fault", "when", "code", "said"),
    [
        (OSError(13, "Permission denied"), "write", 2, "Permission denied"),  # b.sla cannot be written
        (KeyboardInterrupt(), "write", 130, "slac: interrupted"),  # Ctrl-C before b.sla is written
        (KeyboardInterrupt(), "written", 130, "slac: interrupted"),  # just after: b.sla has its new text
        (KeyboardInterrupt(), "read", 130, "slac: interrupted"),  # while b.sla is read
    ],
)
def test_fmt_puts_back_every_file_it_rewrote_when_the_next_one_fails(
    fault: BaseException, when: str, code: int, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.sla", tmp_path / "b.sla"
    for path in (first, second):
        path.write_text(UNFORMATTED, encoding="utf-8")
    real_replace, real_read, raised = os.replace, Path.read_bytes, []

    def once_at_b(name: object) -> None:
        if str(name).endswith("b.sla") and not raised:  # once: putting it back is not refused
            raised.append(name)
            raise fault

    def replace(src: object, dst: object) -> None:
        if when == "write":
            once_at_b(dst)
        real_replace(src, dst)  # type: ignore[arg-type]
        if when == "written":
            once_at_b(dst)

    def read_bytes(path: Path) -> bytes:
        if when == "read":
            once_at_b(path)
        return real_read(path)

    monkeypatch.setattr(fileio.os, "replace", replace)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = _run("fmt", str(first), str(second))
    assert raised and result.exit_code == code and said in result.stderr
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8") == UNFORMATTED
