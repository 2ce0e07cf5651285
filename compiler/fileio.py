"""The one bounded reader (contracts, policies, event files) and atomic writes (temp file + rename)."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path


class ReadError(Exception):
    """The base of every refusal to read an input: a contract (`InputError`), a policy (`PolicyError`)
    or an event file (`EventError`). Each caller words its own message."""


class InputError(ReadError):
    """A file could not be read as a contract (missing, a directory, not UTF-8 text)."""


class NotRegularFile(ReadError):
    """A device, pipe or socket where a file was expected (`/dev/zero` would never end)."""


class TooLarge(ReadError):
    """A regular file over the caller's size limit; `size` and `limit` in bytes."""

    def __init__(self, path: str | Path, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__(f"{path}: {size:,} bytes is more than the {limit:,} bytes allowed")


def check_file(path: str | Path, limit: int) -> int:
    """The size of `path`, a regular file of at most `limit` bytes, checked before reading a byte of it.

    Raises `IsADirectoryError`, `FileNotFoundError` (and other `OSError`s), `NotRegularFile` or `TooLarge`.
    """
    import stat

    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(str(path))
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(str(path))
    if info.st_size > limit:
        raise TooLarge(path, info.st_size, limit)
    return info.st_size


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file within `limit` (see `check_file` for what it raises).

    Reads at most `limit` + 1 bytes, so a file that grows after the check is refused all the same.
    """
    check_file(path, limit)
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(path, len(data), limit)
    return data


def read_source(path: str | Path) -> str:
    """The text of a contract file; strict UTF-8 (a leading BOM is dropped), LF line ends kept."""
    from . import limits

    try:
        data = read_bounded(path, limits.MAX_SOURCE_BYTES)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a contract file") from None
    except NotRegularFile:
        raise InputError(f"{path}: not a regular file (a device, pipe or socket); give a contract file") from None
    except TooLarge as exc:
        raise InputError(
            f"{path}: {exc.size:,} bytes is larger than the {exc.limit // 1024} KiB slac reads as a contract"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8"
        ) from None
    if "\x00" in text:
        raise InputError(f"{path}: contains a NUL byte at offset {text.index(chr(0))}; this is not a text file")
    return text.replace("\r\n", "\n")


def atomic_write(path: str | Path, data: str | bytes | Iterable[bytes], *, mode: int | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a fragment.

    `data` may come in pieces (an iterable of bytes, written as they come: a large report need not be
    held whole); an error while they come leaves the old file. `mode` gives the new file these
    permissions (default: the usual ones, 0666 less the umask).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        pieces: Iterable[bytes | bytearray | memoryview] = [data.encode("utf-8")]
    else:
        pieces = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file private; give the result the usual permissions (or the ones asked for).
        os.fchmod(fd, 0o666 & ~_umask() if mode is None else mode)
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def rewrite(path: str | Path, data: str | bytes) -> None:
    """Replace the contents of an existing file, as an editor saving it would: the file, not the name.

    * a symlink is followed: its target is rewritten, the link stays a link;
    * the file keeps its permissions (and, when this process may set them, its owner and group);
    * a file with other hard links is rewritten in place, so every link sees the new text: a copy
      of the old text is first written and fsync'ed beside it (`.NAME.slac-backup`), and put back
      if the rewrite fails; a crash mid-rewrite leaves that copy to restore from;
    * otherwise through `atomic_write` (a temporary file renamed over the target).
    """
    import stat

    real = Path(os.path.realpath(path))
    info = os.stat(real)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if info.st_nlink > 1:
        _rewrite_in_place(real, raw)
        return
    atomic_write(real, raw, mode=stat.S_IMODE(info.st_mode))
    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()) and hasattr(os, "chown"):
        try:
            os.chown(real, info.st_uid, info.st_gid)
        except OSError:
            pass  # not ours to give away; the permissions are kept all the same


def _rewrite_in_place(real: Path, raw: bytes) -> None:
    old = real.read_bytes()
    backup = real.with_name(f".{real.name}.slac-backup")
    _write_synced_replacing(backup, old)
    try:
        _overwrite(real, raw)
    except BaseException:
        _overwrite(real, old)
        backup.unlink(missing_ok=True)
        raise
    backup.unlink(missing_ok=True)


def _overwrite(path: Path, raw: bytes) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        view, done = memoryview(raw), 0
        while done < len(raw):
            done += os.write(fd, view[done:])
        os.ftruncate(fd, len(raw))
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced_replacing(path: Path, raw: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view, done = memoryview(raw), 0
        while done < len(raw):
            done += os.write(fd, view[done:])
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- a set of files, all or nothing ---------------------------------------------------------------

# Hidden directories of an unfinished journaled `publish` inside the output directory (finished by the next one).
STAGING_PREFIX = ".slac-staging-"
# Hidden siblings `.DIR.slac-swap-XXXXXXXX` of a swapped `publish`: the next tree, or the old one swapped out.
SWAP_INFIX = ".slac-swap-"
_JOURNAL = "journal.json"
# A swap carries every other entry of the output directory into the next tree (as hard links); past
# this many, or with a device, pipe or socket among them, the journaled publish is used instead.
MAX_CARRIED = 10_000


class OutputError(OSError):
    """An output that cannot be written as asked (a directory in the way); the message says what to do."""


def publish(directory: str | Path, files: dict[str, str | bytes]) -> None:
    """Write `files` (plain names) into `directory` all or nothing.

    Swapped (Linux, see `_publish_swapped`): the next tree of `directory` (the new files and a hard
    link of every other entry) is built in a hidden sibling and exchanged with `directory` in one
    `renameat2(RENAME_EXCHANGE)`, or renamed into place when `directory` does not exist yet. A crash
    at any point leaves the whole old tree or the whole new one.

    Journaled (elsewhere, see `_publish_journaled`): staged inside `directory`, then renamed file by
    file; a crash between the renames leaves a mix, which the next `publish` there finishes.

    Leftovers of a killed publish are cleaned up (or finished) by the next one into `directory`
    (`recover`). Concurrent publishers with one parent directory take turns (flock).
    """
    real = Path(os.path.realpath(directory))
    created = _make_dirs(real.parent)
    try:
        with _locked(real.parent):
            recover(real)
            for name in files:
                place = real / name
                if place.is_dir() and not place.is_symlink():
                    raise OutputError(
                        21, f"{Path(directory) / name}: is a directory; remove it or choose another output directory"
                    )
            if not _publish_swapped(real, files):
                if not real.exists():
                    real.mkdir()
                    created.insert(0, real)
                _publish_journaled(real, files)
    except BaseException:
        for made in created:  # directories this call made, deepest first, if still empty
            try:
                made.rmdir()
            except OSError:
                break
        raise


def recover(directory: Path) -> None:
    """Clean up after a `publish` into `directory` that was killed: a swapped one leaves a hidden
    sibling (the unfinished next tree, or the old tree swapped out), which is removed; a journaled
    one killed after its journal has its renames finished; the rest is dropped."""
    import json

    real = Path(os.path.realpath(directory))
    for sibling in _swap_siblings(real):
        _remove_tree(sibling)
    try:
        leftovers = [p for p in real.iterdir() if p.name.startswith(STAGING_PREFIX) and p.is_dir()]
    except OSError:
        return
    for staging in sorted(leftovers):
        journal = staging / _JOURNAL
        if journal.is_file():
            try:
                names = [n for n in json.loads(journal.read_text(encoding="utf-8")) if isinstance(n, str)]
            except (ValueError, OSError):
                names = []
            for name in names:
                if "/" in name or name in ("", ".", ".."):
                    continue
                new = staging / "new" / name
                if new.is_file():
                    os.replace(new, real / name)
            _sync_dir(real)
        _remove_tree(staging)


def _swap_siblings(real: Path) -> list[Path]:
    import re

    prefix = f".{real.name}{SWAP_INFIX}"
    tail = re.compile(r"[a-z0-9_]{8}")  # what mkdtemp appends
    try:
        return [
            p
            for p in real.parent.iterdir()
            if p.name.startswith(prefix) and tail.fullmatch(p.name[len(prefix) :]) and not p.is_symlink()
        ]
    except OSError:
        return []


# -- swapped: the whole tree at once -----------------------------------------------------------------


def _publish_swapped(real: Path, files: dict[str, str | bytes]) -> bool:
    """Build the next tree beside `real` and swap it in; False (nothing changed) where a swap cannot be
    used: no `renameat2`, `real` a mount point, another owner's, with extended attributes, the working
    directory of a process (or inside it), holding more than `MAX_CARRIED` entries or special files;
    the parent not writable; a file system that cannot exchange."""
    import stat

    exists = os.path.lexists(real)
    if exists and not _swappable(real):
        return False
    plan = _plan(real) if exists else []
    if plan is None:
        return False
    try:
        next_tree = Path(tempfile.mkdtemp(prefix=f".{real.name}{SWAP_INFIX}", dir=real.parent))
    except OSError:
        return False  # the parent is not writable: stage inside the directory instead
    try:
        if exists:
            info = os.stat(real)
            os.chmod(next_tree, stat.S_IMODE(info.st_mode))
            if info.st_gid != os.stat(next_tree).st_gid:
                os.chown(next_tree, -1, info.st_gid)
        else:
            os.chmod(next_tree, 0o777 & ~_umask())  # mkdtemp's directory is private; mkdir's would not be
        for name, data in files.items():
            _write_synced(next_tree / name, data)
        _carry(real, next_tree, [(rel, st) for rel, st in plan if rel not in files])
        _sync_dir(next_tree)
        if exists:
            _exchange(next_tree, real)
        else:
            os.replace(next_tree, real)
    except OSError as exc:
        _remove_tree(next_tree)
        if exc.errno in _NO_SWAP:
            return False
        raise
    except BaseException:
        _remove_tree(next_tree)
        raise
    _sync_dir(real.parent)
    if exists:  # `next_tree` now holds the old tree
        _rescue(next_tree, real, {(st.st_dev, st.st_ino) for _, st in plan}, set(files))
        _remove_tree(next_tree)
    return True


def _swappable(real: Path) -> bool:
    if _renameat2() is None or os.path.islink(real) or not real.is_dir():
        return False
    info, above = os.stat(real), os.stat(real.parent)
    if info.st_dev != above.st_dev or info.st_uid != os.geteuid():
        return False  # a mount point cannot be renamed; another's directory would change owner
    try:  # an ACL or other extended attribute of the directory would not pass to the new one
        if any(not name.startswith("security.") for name in os.listxattr(real)):
            return False
    except OSError:
        pass  # a file system without extended attributes
    return not _in_use(real)


def _in_use(real: Path) -> bool:
    """Whether `real` holds the working directory of this process or of another one that may be seen
    (`/proc/PID/cwd`): a shell or a preview server started there would be left in the removed old tree."""
    inside = str(real), str(real) + os.sep
    try:
        places = [os.getcwd()]
    except OSError:
        return True
    try:
        pids = [pid for pid in os.listdir("/proc") if pid.isdigit()]
    except OSError:
        pids = []
    for pid in pids:
        try:
            places.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue  # gone, or another user's
    return any(place == inside[0] or place.startswith(inside[1]) for place in places)


def _plan(real: Path) -> list[tuple[str, os.stat_result]] | None:
    """Every entry of `real` to carry into the next tree (relative path, lstat), parents first; the
    replaced outputs are listed too (so `_rescue` knows them) but not carried. None: not swappable."""
    import stat

    plan: list[tuple[str, os.stat_result]] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = sorted(os.scandir(real / rel) if rel else os.scandir(real), key=lambda e: e.name)
        except OSError:
            return None
        for entry in entries:
            name = f"{rel}/{entry.name}" if rel else entry.name
            if not rel and entry.name.startswith(STAGING_PREFIX):
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                pending.append(name)
            elif not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                return None
            plan.append((name, info))
            if len(plan) > MAX_CARRIED:
                return None
    return plan


def _carry(real: Path, next_tree: Path, plan: list[tuple[str, os.stat_result]]) -> None:
    """Hard-link every planned entry into the next tree (a symlink as itself); directories anew."""
    import stat

    made: list[Path] = []
    for rel, info in plan:
        if stat.S_ISDIR(info.st_mode):
            os.mkdir(next_tree / rel)
            os.chmod(next_tree / rel, stat.S_IMODE(info.st_mode))
            made.append(next_tree / rel)
        else:
            os.link(real / rel, next_tree / rel, follow_symlinks=False)
    for directory in reversed(made):
        _sync_dir(directory)


def _rescue(old: Path, new: Path, known: set[tuple[int, int]], outputs: set[str]) -> None:
    """Move into the new tree what appeared in the old one while the next tree was built (a file saved
    there meanwhile), so nothing written by others is lost; best effort."""
    try:
        entries = list(os.scandir(old))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            dest = new / entry.name
            if (info.st_dev, info.st_ino) in known:
                if entry.is_dir(follow_symlinks=False) and dest.is_dir() and not dest.is_symlink():
                    _rescue(Path(entry.path), dest, known, set())
            elif not os.path.lexists(dest):
                os.rename(entry.path, dest)
            elif entry.name not in outputs and not dest.is_dir():
                os.replace(entry.path, dest)
        except OSError:
            continue


# Errors of a swap that mean "this file system or place cannot swap": publish journaled instead.
_NO_SWAP = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EBUSY, errno.EPERM}
_NO_SWAP |= {errno.EMLINK}


@cache
def _renameat2() -> Callable[..., int] | None:
    """libc's `renameat2` (Linux: glibc 2.28 and later, musl), or None."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(first: Path, second: Path) -> None:
    """Swap two existing paths in one step (`renameat2(RENAME_EXCHANGE)`); OSError(ENOSYS) without it."""
    import ctypes

    fn = _renameat2()
    if fn is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(second))
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(second))


# -- journaled: file by file, with a journal ---------------------------------------------------------


def _publish_journaled(target_dir: Path, files: dict[str, str | bytes]) -> None:
    """1. every file is written and fsync'ed into a hidden staging directory inside `target_dir` (so on
       the same file system, even when it is a mount point); a failure here changes nothing;
    2. a journal listing the names is written and fsync'ed: from here on the new set is complete;
    3. each old file is moved into the staging directory and the new one renamed into place.
       A failure (a full disk, a refused rename) moves every file back: the old set again.
    4. the staging directory, with the old files, is removed.

    A crash during 3 leaves the journal: the next `publish` first finishes those renames (`recover`).
    """
    import json

    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target_dir))
    try:
        (staging / "new").mkdir()
        (staging / "old").mkdir()
        for name, data in files.items():
            _write_synced(staging / "new" / name, data)
        _write_synced(staging / _JOURNAL, json.dumps(sorted(files)))
        _sync_dir(staging)
        _swap(target_dir, staging, list(files))
    finally:
        _remove_tree(staging)


def _swap(directory: Path, staging: Path, names: list[str]) -> None:
    """Move each old file aside and the new one into place; on any failure, undo every step."""
    done: list[tuple[str, bool]] = []  # (name, whether an old file was moved aside)
    try:
        for name in names:
            place, backup = directory / name, staging / "old" / name
            had_old = os.path.lexists(place)
            if had_old:
                os.replace(place, backup)
            done.append((name, had_old))
            os.replace(staging / "new" / name, place)
        _sync_dir(directory)
    except BaseException:
        for name, had_old in reversed(done):
            place, backup = directory / name, staging / "old" / name
            if os.path.lexists(place) and not os.path.lexists(staging / "new" / name):
                os.replace(place, staging / "new" / name)
            if had_old and os.path.lexists(backup):
                os.replace(backup, place)
        raise


def _write_synced(path: Path, data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())


def _sync_dir(directory: Path) -> None:
    """Make renames in `directory` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _make_dirs(directory: Path) -> list[Path]:
    """Create `directory` and its missing parents; the ones created, deepest first."""
    missing: list[Path] = []
    at = directory
    while not at.exists() and at != at.parent:
        missing.append(at)
        at = at.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing


class _locked:
    """An exclusive flock on a directory for the length of a publish (where flock exists)."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.fd = directory, -1

    def __enter__(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return
        try:
            self.fd = os.open(self.directory, os.O_RDONLY)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError:
            if self.fd >= 0:
                os.close(self.fd)
            self.fd = -1

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing releases the lock
