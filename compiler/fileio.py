"""Reading contract files and writing outputs atomically (temp file + rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class InputError(Exception):
    """A file could not be read as a contract (missing, a directory, not UTF-8 text)."""


def read_source(path: str | Path) -> str:
    """The text of a contract file; strict UTF-8 (a leading BOM is dropped), LF line ends kept."""
    p = Path(path)
    try:
        _check_size(p)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a contract file") from None
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


def _check_size(p: Path) -> None:
    """A regular file within MAX_SOURCE_BYTES, checked before reading (`/dev/zero` never ends)."""
    import stat

    from .limits import MAX_SOURCE_BYTES

    info = p.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(str(p))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{p}: not a regular file (a device, pipe or socket); give a contract file")
    if info.st_size > MAX_SOURCE_BYTES:
        raise InputError(
            f"{p}: {info.st_size:,} bytes is larger than the {MAX_SOURCE_BYTES // 1024} KiB slac reads as a contract"
        )


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
