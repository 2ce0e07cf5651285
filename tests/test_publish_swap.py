"""Issue 13: the swapped publish keeps what users see of the output directory, and falls back to the
journaled publish wherever a directory cannot be swapped safely."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from slac import fileio

pytestmark = pytest.mark.skipif(fileio._renameat2() is None, reason="needs renameat2 (Linux)")

NEW = {"a.en.md": "new a\n", "a.policy.json": "{}\n"}


class Spy:
    """Records which way `publish` went: the exchange, and the journaled publish."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.exchanges = 0
        self.journaled = 0
        real_exchange, real_journaled = fileio._exchange, fileio._publish_journaled

        def exchange(*args: Any) -> None:
            self.exchanges += 1
            real_exchange(*args)

        def journaled(*args: Any) -> None:
            self.journaled += 1
            real_journaled(*args)

        monkeypatch.setattr(fileio, "_exchange", exchange)
        monkeypatch.setattr(fileio, "_publish_journaled", journaled)


def _old(out: Path) -> None:
    out.mkdir()
    (out / "a.en.md").write_text("old a\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "img").mkdir()
    (out / "img" / "logo.svg").write_text("<svg/>\n", encoding="utf-8")
    (out / "latest.md").symlink_to("a.en.md")


def _check_new(out: Path) -> None:
    assert (out / "a.en.md").read_text(encoding="utf-8") == "new a\n"
    assert (out / "a.policy.json").read_text(encoding="utf-8") == "{}\n"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / "img" / "logo.svg").read_text(encoding="utf-8") == "<svg/>\n"
    assert os.readlink(out / "latest.md") == "a.en.md"
    assert [p.name for p in out.parent.iterdir() if fileio.SWAP_INFIX in p.name] == []


def test_the_directory_is_swapped_and_keeps_its_other_files_mode_and_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    _old(out)
    out.chmod(0o750)
    notes = (out / "notes.txt").stat()
    before = out.stat()
    spy = Spy(monkeypatch)
    fileio.publish(out, NEW)
    assert (spy.exchanges, spy.journaled) == (1, 0)
    _check_new(out)
    after = out.stat()
    assert after.st_ino != before.st_ino  # a new directory of the same name …
    assert (stat.S_IMODE(after.st_mode), after.st_gid) == (0o750, before.st_gid)  # … with its mode and group
    # Files that are not slac's are carried as hard links: the same file, not a copy.
    assert ((out / "notes.txt").stat().st_ino, (out / "notes.txt").stat().st_nlink) == (notes.st_ino, 1)


def test_a_new_directory_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fileio.publish(tmp_path / "a" / "site", NEW)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "site").stat().st_mode) == 0o755  # 0777 less the umask 022
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o755


def test_an_output_directory_that_is_a_symlink_stays_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "www"
    _old(real)
    (tmp_path / "site").symlink_to("www")
    spy = Spy(monkeypatch)
    fileio.publish(tmp_path / "site", NEW)
    assert spy.exchanges == 1
    assert os.readlink(tmp_path / "site") == "www"
    _check_new(real)


def _journaled_because(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    spy = Spy(monkeypatch)
    fileio.publish(out, NEW)
    assert (spy.exchanges, spy.journaled) == (0, 1)
    assert (out / "a.en.md").read_text(encoding="utf-8") == "new a\n"
    assert [p.name for p in out.iterdir() if p.name.startswith(fileio.STAGING_PREFIX)] == []


def test_the_working_directory_is_not_swapped_from_under_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `slac build x.sla -o .`: a shell there would be left in a removed directory.
    out = tmp_path / "site"
    _old(out)
    monkeypatch.chdir(out / "img")
    _journaled_because(tmp_path, monkeypatch, out)


def test_a_pipe_in_the_directory_is_not_carried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _old(out)
    os.mkfifo(out / "fifo")
    _journaled_because(tmp_path, monkeypatch, out)
    assert stat.S_ISFIFO((out / "fifo").lstat().st_mode)


def test_a_directory_with_too_many_entries_is_not_swapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _old(out)  # 4 entries and img/logo.svg: 5
    monkeypatch.setattr(fileio, "MAX_CARRIED", 4)
    _journaled_because(tmp_path, monkeypatch, out)


def test_extended_attributes_of_the_directory_are_not_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _old(out)
    try:
        os.setxattr(out, "user.team", b"legal")
    except OSError:
        pytest.skip("this file system has no user extended attributes")
    _journaled_because(tmp_path, monkeypatch, out)
    assert os.getxattr(out, "user.team") == b"legal"


@pytest.mark.parametrize("code", [errno.EINVAL, errno.EXDEV, errno.EBUSY])
def test_a_file_system_that_cannot_exchange_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    # EINVAL: a file system without RENAME_EXCHANGE (NFS, some FUSE); EXDEV, EBUSY: a mount point.
    def refused(first: Path, second: Path) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fileio, "_exchange", refused)
    out = tmp_path / "site"
    _old(out)
    fileio.publish(out, NEW)
    _check_new(out)


def test_a_full_disk_while_building_the_next_tree_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    _old(out)

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        fileio.publish(out, NEW)
    assert (out / "a.en.md").read_text(encoding="utf-8") == "old a\n"
    assert not (out / "a.policy.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_files_written_into_the_old_directory_meanwhile_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another program writes into the output directory while the next tree is being built: a new
    # file, a file saved by rename (an editor), and a file in a subdirectory. None of it is lost.
    out = tmp_path / "site"
    _old(out)
    real_exchange = fileio._exchange

    def meanwhile(first: Path, second: Path) -> None:
        (out / "draft.md").write_text("draft\n", encoding="utf-8")
        (out / ".notes.swp").write_text("mine, edited\n", encoding="utf-8")
        os.replace(out / ".notes.swp", out / "notes.txt")
        (out / "img" / "new.svg").write_text("<svg/>\n", encoding="utf-8")
        (out / "a.en.md").write_text("someone else's a\n", encoding="utf-8")  # slac's own output wins
        real_exchange(first, second)

    monkeypatch.setattr(fileio, "_exchange", meanwhile)
    fileio.publish(out, NEW)
    assert (out / "draft.md").read_text(encoding="utf-8") == "draft\n"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine, edited\n"
    assert (out / "img" / "new.svg").read_text(encoding="utf-8") == "<svg/>\n"
    assert (out / "a.en.md").read_text(encoding="utf-8") == "new a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_leftovers_of_a_killed_swap_are_removed_but_not_lookalikes(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _old(out)
    for name in (".site.slac-swap-abcd1234", ".site.slac-swap-zz_09xyq"):
        (tmp_path / name / "img").mkdir(parents=True)
    lookalikes = [".site.slac-swap-x.slac-swap-abcd1234", ".site.slac-swap-short", "site.slac-swap-abcd1234"]
    for name in lookalikes:
        (tmp_path / name).mkdir()
    fileio.publish(out, NEW)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", *lookalikes])


def test_a_directory_another_process_works_in_is_not_swapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `cd site && python -m http.server` in another terminal: swapped, it would serve the removed old tree.
    import subprocess
    import sys
    import time

    out = tmp_path / "site"
    _old(out)
    ready = tmp_path / "ready"
    server = subprocess.Popen(
        [sys.executable, "-c", f"import time; open({str(ready)!r}, 'w').close(); time.sleep(60)"], cwd=out / "img"
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.01)
        ready.unlink()
        _journaled_because(tmp_path, monkeypatch, out)
    finally:
        server.kill()
        server.wait()
    spy = Spy(monkeypatch)
    fileio.publish(out, NEW)  # once it has gone, the directory is swapped again
    assert spy.exchanges == 1


def test_concurrent_publishers_take_turns(tmp_path: Path) -> None:
    # Two processes publishing into one directory at once: each publish is whole (the last one
    # wins), and neither removes the other's next tree as a leftover (they take turns on the parent).
    import subprocess
    import sys

    out = tmp_path / "site"
    _old(out)
    script = (
        "import sys\nfrom slac import fileio\n"
        "for i in range(15):\n"
        "    fileio.publish(sys.argv[1], {f'{n}.md': f'{sys.argv[2]} {i}\\n' for n in 'abcdef'})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(out), who], stderr=subprocess.PIPE) for who in "xy"]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    pages = {(out / f"{n}.md").read_text(encoding="utf-8") for n in "abcdef"}
    assert pages in ({"x 14\n"}, {"y 14\n"})  # one publish's set, not a mix of two
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_failure_names_the_output_not_the_hidden_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    from .conftest import ROOT

    out = tmp_path / "site"
    _old(out)
    real_open = os.open

    def full(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("websoft9.en.md"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(fileio.os, "open", full)
    contract = str(ROOT / "contracts" / "websoft9.sla")
    result = CliRunner().invoke(main, ["render", contract, "--lang", "en", "--format", "md", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"slac: error: {out / 'websoft9.en.md'}: cannot write: No space left on device; nothing was changed in {out}"
    )
