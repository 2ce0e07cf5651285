"""Event files parsed ahead, in a background thread, while `slac evaluate` loads the policy (issue 15).

The parse of a CSV file needs no policy; Arrow parses it with the GIL released, so the main thread
imports and checks the policy meanwhile. `readers.open_source` takes a parse made here only when it
was clean, and otherwise reads the file itself: every message is the one a plain read gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import limits
from .readers import AHEAD, Source, _check_file, _read_csv
from .ticket_rules import MAX_US, MIN_US  # the years slac computes with (µs since the epoch, UTC)

# The cache key of a column parsed as UTC timestamps in the thread, its range checked there (`_typed`).
UTC_KEY = "utc"


def prefetch(
    files: Mapping[str, Sequence[str]], times: Mapping[str, Sequence[str]] | None = None
) -> Callable[[], None]:
    """Start parsing the CSV files among `files` (path → the columns slac reads of it) in a background
    thread; returns a `forget` that drops what was not taken.

    `slac evaluate` calls this before it loads the policy, so the files are parsed (by Arrow, which
    releases the GIL) while the main thread imports and checks the policy: the parse needs no policy.
    `readers.open_source` then takes the parsed file instead of reading it. Only a clean parse is taken:
    when the thread meets any problem (a bad row, a missing file, not UTF-8), `open_source` reads the
    file again itself, so every message is exactly the one a plain read gives. The thread also marks
    the columns whose bytes show no NUL and no overlong cell (`_check_cells` skips those), and parses the
    columns `times` names for a file as UTC timestamps (issue 15: no text column made and cast after it),
    keeping that parse only when every value is in slac's years; otherwise it parses the file as text.
    """
    # What the thread imports is imported here, before it starts: two threads never import at once.
    import csv  # noqa: F401
    import mmap  # noqa: F401

    import pyarrow.csv  # noqa: F401

    from .columns import in_background

    # The futures are held by `AHEAD` alone (a file taken is freed with its `Source`); `token` tells
    # which entries this call's `forget` drops.
    token = object()
    names = [p for p in files if p.lower().endswith(".csv") and p not in AHEAD]
    for name in names:
        AHEAD[name] = (token, in_background(_read_ahead, name, files[name], (times or {}).get(name, ())))

    def forget() -> None:
        for name in names:
            if AHEAD.get(name, (None,))[0] is token:
                AHEAD.pop(name)[1].cancel()

    return forget


def _read_ahead(name: str, columns: Sequence[str], times: Sequence[str] = ()) -> Source:
    _check_file(name)
    src = _typed(name, times) if times else None
    if src is None:
        src = _read_csv(name)
    _mark_clean(src, columns)
    return src


def _typed(name: str, times: Sequence[str]) -> Source | None:
    """The file with its `times` columns parsed as UTC timestamps, or None when any value would need
    the text path's words (not ISO 8601 with an offset, white space around it, outside slac's years)."""
    try:
        src = _read_csv(name, times)
    except Exception:  # noqa: BLE001 - the text parse that follows finds and words any problem
        return None
    for column in times:
        if column not in src.table.column_names:
            continue
        values = src.column(column)
        if not pa.types.is_timestamp(values.type):
            return None  # a header name Arrow read differently (quoted over two lines): typed nothing
        low, high = pc.min_max(values.cast(pa.int64())).values()
        if low.is_valid and (low.as_py() < MIN_US or high.as_py() >= MAX_US):
            return None
        src.cache[(UTC_KEY, column)] = True
    return src


def _mark_clean(src: Source, columns: Sequence[str]) -> None:
    """Mark the text columns that have no zero byte and no value over MAX_FIELD_CHARS bytes (`_check_cells`)."""
    for name in columns:
        if name not in src.table.column_names:
            continue
        kind = src.table.schema.field(name).type
        if not pa.types.is_string(kind):
            continue
        arr = src.column(name)  # combined once here, for every later check
        data = arr.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, dtype=np.uint8).min() == 0:
            continue
        if not len(arr) or (pc.max(pc.binary_length(arr)).as_py() or 0) <= limits.MAX_FIELD_CHARS:
            src.cache[("clean", name)] = True
