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


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a fragment."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file private; give the result the usual permissions.
        os.fchmod(fd, 0o666 & ~_umask())
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
