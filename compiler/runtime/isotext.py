"""ISO 8601 texts of many instants at once: `from_us(u, zone).isoformat()`, its digits computed by numpy.

The one vectorised implementation of the rule, called through `calendar.iso_many` (large inputs)
and `calendar.iso_arrow` (the breaches' report texts), which give it the zone's offsets over the
instants (`starts[k]` onwards `offsets[k]` µs, written `tails[k]`): the local wall clock at that
offset, seconds always, microseconds only when the instant has some, then the offset as `isoformat`
writes it (`+05:30`, `-03:30`, seconds when the zone's offset has them). The texts of each kind
(with or without microseconds, which offset) are assembled at once as fixed-width bytes; Python
makes at most the str objects (`texts`), or none at all (`arrow`, an Arrow string array).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from ..policy.codec import US

I64 = npt.NDArray[np.int64]


Offsets = tuple[I64, I64, list[str]]  # (starts, offsets in µs, their texts), as `calendar.iso_many` finds them


def texts(us: I64, zone: Offsets, quote: str = "") -> list[str]:
    """`from_us(u, zone).isoformat()` of each instant (between `quote`s), as str."""
    out = np.empty(len(us), dtype=object)
    for rows, mat in _groups(us, zone, quote):
        out[rows] = mat.view(f"S{mat.shape[1]}").ravel().astype(f"U{mat.shape[1]}").astype(object)
    found: list[str] = out.tolist()
    return found


def arrow(us: I64, zone: Offsets, quote: str = "") -> Any:
    """The same texts as one Arrow string array, built from the digits' bytes without a str per instant."""
    import pyarrow as pa

    n = len(us)
    pieces = list(_groups(us, zone, quote))
    width = np.zeros(n, dtype=np.int64)
    for rows, mat in pieces:
        width[rows] = mat.shape[1]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(width, out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    for rows, mat in pieces:
        at = offsets[rows][:, None] + np.arange(mat.shape[1], dtype=np.int64)
        data[at.ravel()] = mat.ravel()
    if offsets[-1] >= 2**31:
        return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)])


def _groups(us: I64, zone: Offsets, quote: str) -> Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.uint8]]]:
    """(rows, their texts as a matrix of ASCII bytes) for each kind of text among the instants."""
    if len(us) == 0:
        return
    starts, offsets, tails = zone
    which = np.searchsorted(starts, us, side="right") - 1
    local = us + offsets[which]
    secs, micro = np.divmod(local, US)
    days, clock = np.divmod(secs, 86_400)
    year, month, day = _civil(days)
    fields = [(year, 4), ("-", 0), (month, 2), ("-", 0), (day, 2), ("T", 0)]
    fields += [(clock // 3600, 2), (":", 0), (clock % 3600 // 60, 2), (":", 0), (clock % 60, 2)]
    # isoformat shows microseconds only when there are some (of the instant: offsets are whole seconds
    # in every zone since 1970, so the local time has the same fraction).
    fine = (us % US) != 0
    for f in (False, True):
        for o, written in enumerate(tails):
            rows = np.flatnonzero((fine == f) & (which == o))
            if len(rows) == 0:
                continue
            tail = written + quote
            parts = [(quote, 0), *fields, *([(".", 0), (micro, 6)] if f else []), (tail, 0)]
            yield rows, _fixed(parts, rows)


def _civil(days: I64) -> tuple[I64, I64, I64]:
    """(year, month, day) of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def _fixed(parts: list[tuple[Any, int]], rows: npt.NDArray[np.intp]) -> npt.NDArray[np.uint8]:
    """The chosen rows' texts from (literal, 0) and (number column, digits) parts, one row of bytes each."""
    width = sum(len(p) if w == 0 else w for p, w in parts)
    mat = np.empty((len(rows), width), dtype=np.uint8)
    at = 0
    for part, digits in parts:
        if digits == 0:
            mat[:, at : at + len(part)] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
            at += len(part)
            continue
        value = part[rows]
        for k in range(digits - 1, -1, -1):
            value, digit = np.divmod(value, 10)
            mat[:, at + k] = digit + 48
        at += digits
    return mat
