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
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ..policy.codec import US

I64 = npt.NDArray[np.int64]
LARGE = 2**31  # bytes of text from which Arrow needs 64-bit offsets (large_string)


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
    made = list(_groups(us, zone, quote))
    big = sum(mat.size for _, mat in made) >= LARGE
    pieces = [(rows, _fixed_width(mat, big)) for rows, mat in made]
    if len(pieces) == 1:  # one kind of text (the common case): its rows are all, in order
        return pieces[0][1]
    if not pieces:
        return pa.array([], pa.string())
    order = np.empty(n, dtype=np.int64)  # where each instant's text is among the pieces' texts, in turn
    order[np.concatenate([rows for rows, _ in pieces])] = np.arange(n, dtype=np.int64)
    return pa.concat_arrays([texts for _, texts in pieces]).take(pa.array(order))


def _fixed_width(mat: npt.NDArray[np.uint8], big: bool) -> Any:
    """The rows of a matrix of ASCII bytes as an Arrow string array (`big`: with 64-bit offsets)."""
    import pyarrow as pa

    n, width = mat.shape
    data = pa.py_buffer(np.ascontiguousarray(mat).ravel())
    if big:
        return pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(np.arange(n + 1, dtype=np.int64) * width), data]
        )
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), data])


def _groups(us: I64, zone: Offsets, quote: str) -> Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.uint8]]]:
    """(rows, their texts as a matrix of ASCII bytes) for each kind of text among the instants."""
    if len(us) == 0:
        return
    starts, offsets, tails = zone
    which = np.searchsorted(starts, us, side="right") - 1
    local = us + offsets[which]
    secs, micro = np.divmod(local, US)
    days, clock = np.divmod(secs, 86_400)
    dates = _dates(days)  # "YYYY-MM-DD" of each day in the instants' span, by day from the first
    first = int(days.min())
    # isoformat shows microseconds only when there are some (of the instant: offsets are whole seconds
    # in every zone since 1970, so the local time has the same fraction).
    fine = (us % US) != 0
    for f in (False, True):
        for o, written in enumerate(tails):
            rows = np.flatnonzero((fine == f) & (which == o))
            if len(rows) == 0:
                continue
            head, tail = quote.encode("ascii"), (written + quote).encode("ascii")
            width = len(head) + 19 + 7 * f + len(tail)
            mat = np.empty((len(rows), width), dtype=np.uint8)
            at = _put(mat, 0, head)
            mat[:, at : at + 10] = dates[days[rows] - first]
            mat[:, at + 10] = ord("T")
            mat[:, at + 11 : at + 19] = _clocks()[clock[rows]]
            at += 19
            if f:
                mat[:, at] = ord(".")
                part = micro[rows]
                mat[:, at + 1 : at + 4] = _thousand()[part // 1000]
                mat[:, at + 4 : at + 7] = _thousand()[part % 1000]
                at += 7
            _put(mat, at, tail)
            yield rows, mat


def _put(mat: npt.NDArray[np.uint8], at: int, text: bytes) -> int:
    """Write `text` in every row of `mat` from column `at`; the column after it."""
    if text:
        mat[:, at : at + len(text)] = np.frombuffer(text, dtype=np.uint8)
    return at + len(text)


def _dates(days: I64) -> npt.NDArray[np.uint8]:
    """The "YYYY-MM-DD" bytes of every day from the first of `days` to the last, one row each."""
    span = np.arange(int(days.min()), int(days.max()) + 1, dtype=np.int64)
    year, month, day = _civil(span)
    return _fixed([(year, 4), ("-", 0), (month, 2), ("-", 0), (day, 2)], np.arange(len(span)))


@cache
def _clocks() -> npt.NDArray[np.uint8]:
    """ "HH:MM:SS" of each second of a day, one row each (made once)."""
    clock = np.arange(86_400, dtype=np.int64)
    parts = [(clock // 3600, 2), (":", 0), (clock % 3600 // 60, 2), (":", 0), (clock % 60, 2)]
    return _read_only(_fixed(parts, clock))


@cache
def _thousand() -> npt.NDArray[np.uint8]:
    """ "000" to "999", one row each (made once): the halves of a microsecond fraction."""
    return _read_only(_fixed([(np.arange(1000, dtype=np.int64), 3)], np.arange(1000)))


def _read_only(table: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    table.setflags(write=False)  # shared by every call (`cache`): a slip that writes to it raises
    return table


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
