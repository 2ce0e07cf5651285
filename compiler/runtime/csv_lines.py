"""Where each record of a CSV file starts: the line numbers an error names.

Arrow reads records, not lines; a value holding line breaks, or an empty line it skipped, would
shift every later number. These scans count them, in blocks or through a memory map.
"""

from __future__ import annotations

import numpy as np


def line_count(path: str) -> int:
    """Lines in the file (a last line without a line break counted), read in blocks."""
    count, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def record_lines(path: str, breaks: np.ndarray, blanks: bool, header: int = 1) -> np.ndarray:
    """The line each record starts on: after the header (line 1), the line breaks inside the values
    before it and the empty lines skipped (which would otherwise shift every later number).

    The file is scanned for its empty lines only when it has more lines than that (`blanks`)."""
    n = len(breaks)
    blank = empty_lines(path) if blanks else None
    if blank is None:
        rows = np.arange(header + 1, header + n + 1, dtype=np.int64)
        if breaks.any():
            rows += np.concatenate(([0], np.cumsum(breaks)[:-1]))
        return rows
    last = int(blank.max()) + n + int(breaks.sum()) + header + 1
    lines = np.setdiff1d(np.arange(header + 1, last + 1, dtype=np.int64), blank, assume_unique=True)
    if not breaks.any():
        return lines[:n]
    rows = np.empty(n, dtype=np.int64)
    at = header  # the last line used so far; a record starts on the next line that is not empty
    for i, extra in enumerate(breaks.tolist()):  # only for files with both empty lines and multi-line values
        rows[i] = lines[np.searchsorted(lines, at, side="right")]
        at = int(rows[i]) + extra
    return rows


def empty_lines(path: str) -> np.ndarray | None:
    """The numbers of the empty lines (`\n` or `\r\n` alone) after the first; None when there are none.

    Read through a memory map in blocks, so a 2 GiB file costs its line positions, not a copy.
    """
    import mmap
    import os

    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if mm.find(b"\n\n") < 0 and mm.find(b"\n\r\n") < 0:
                return None
            whole = np.frombuffer(mm, dtype=np.uint8)
            block = 64 * 1024 * 1024
            parts = [np.flatnonzero(whole[at : at + block] == 10) + at for at in range(0, size, block)]
            nl = np.concatenate(parts)
            # whether the byte before each line break is a carriage return
            cr = (nl > 0) & (whole[np.maximum(nl - 1, 0)] == 13)
            del whole
    if nl.size < 2:
        return None
    # Line k + 2 runs from nl[k] + 1 to nl[k + 1]; it is empty when that is no byte, or only a "\r".
    length = nl[1:] - nl[:-1] - 1
    empty = (length == 0) | ((length == 1) & cr[1:])
    found = np.flatnonzero(empty).astype(np.int64) + 2
    return found if found.size else None
