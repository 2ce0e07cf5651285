"""The one bounded reader (contracts, policies, event files) and atomic writes (temp file + rename)."""

from __future__ import annotations

import os
import tempfile
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


def atomic_write(path: str | Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a fragment.

    `mode` gives the new file these permissions (default: the usual ones, 0666 less the umask).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file private; give the result the usual permissions (or the ones asked for).
        os.fchmod(fd, 0o666 & ~_umask() if mode is None else mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
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

# Hidden directories of an unfinished `publish` inside the output directory (found and finished by the next one).
STAGING_PREFIX = ".slac-staging-"
_JOURNAL = "journal.json"


class OutputError(OSError):
    """An output that cannot be written as asked (a directory in the way); the message says what to do."""


def publish(directory: str | Path, files: dict[str, str | bytes]) -> None:
    """Write `files` (plain names) into `directory` all or nothing, each by an atomic rename.

    1. every file is written and fsync'ed into a hidden staging directory inside `directory` (so on
       the same file system, even when `directory` is a mount point); a failure here changes nothing;
    2. a journal listing the names is written and fsync'ed: from here on the new set is complete;
    3. each old file is moved into the staging directory and the new one renamed into place.
       A failure (a full disk, a refused rename) moves every file back: the old set again.
    4. the staging directory, with the old files, is removed.

    A crash (SIGKILL, power loss) during 3 leaves the journal: the next `publish` into the same
    directory (any `slac build` or `slac render` there) first finishes those renames, so the
    directory ends with the new set. Concurrent publishers into one directory take turns (flock).
    """
    import json

    target_dir = Path(directory)
    created = _make_dirs(target_dir)
    try:
        with _locked(target_dir):
            recover(target_dir)
            for name in files:
                place = target_dir / name
                if place.is_dir() and not place.is_symlink():
                    raise OutputError(21, f"{place}: is a directory; remove it or choose another output directory")
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
    except BaseException:
        for made in created:  # directories this call made, deepest first, if still empty
            try:
                made.rmdir()
            except OSError:
                break
        raise


def recover(directory: Path) -> None:
    """Finish the renames of a `publish` that was killed after its journal (see `publish`); drop the rest."""
    import json

    try:
        leftovers = [p for p in directory.iterdir() if p.name.startswith(STAGING_PREFIX) and p.is_dir()]
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
                    os.replace(new, directory / name)
            _sync_dir(directory)
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
    """An exclusive flock on the directory for the length of a publish (where flock exists)."""

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
