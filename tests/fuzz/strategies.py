"""Hypothesis strategies for event files (CSV, JSON Lines, Parquet bytes) and policy JSON text.

Values are drawn from what real exports hold (ids, the websoft9 tiers and priorities, ISO
timestamps with offsets, nanoseconds and without) and from what broke slac before (NUL bytes,
bytes that are not UTF-8, 5,000-digit numbers, deep nesting, repeated columns, blank lines,
long lines, typed Parquet columns of every timestamp unit, dictionary-encoded text).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from .targets import COLUMNS, KINDS, parquet_bytes

KNOWN = ("acme", "beta", "standard", "premium", "advanced", "high", "normal", "true", "false", "planned_maintenance")
TIMESTAMPS = (
    "2025-03-03T09:00+08:00",
    "2025-03-03T09:00:00Z",
    "2025-03-03T09:00:00.123456789+08:00",
    "2025-03-03 09:00:00.5-05:00",
    "2025-03-03T09:00",
    "2025-02-30T09:00Z",
    "99999-01-01T00:00Z",
    "1969-12-31T23:59Z",
    "2200-01-01T00:00Z",
    "2025-03-03T09:00+99:00",
)
HOSTILE = (
    "",
    " ",
    "\x00",
    "a\x00b",
    '"',
    'a,"b',
    "a\nb",
    "a\r\nb",
    "1" * 5000,
    "[" * 200,
    "x" * 10_001,
    "NaN",
    "-0",
    "1e30",
    "\ufeff",
    "\u202e",
    "服务",
)


def cells() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(KNOWN),
        st.sampled_from(TIMESTAMPS),
        st.sampled_from(HOSTILE),
        st.from_regex(r"[A-Za-z0-9_.:+\- ]{0,12}", fullmatch=True),
        st.text(max_size=20),
        st.integers(-(10**20), 10**20).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    )


def headers(kind: str) -> st.SearchStrategy[list[str]]:
    names = st.sampled_from([*COLUMNS[kind], "extra", "Id", " id"])
    required = list(COLUMNS[kind][:3])
    return st.one_of(
        st.just(list(COLUMNS[kind])),
        st.lists(names, min_size=1, max_size=10),
        st.permutations(list(COLUMNS[kind])).map(list),
        st.just([*required, required[0]]),  # a repeated column
    )


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, at, chunk in edits:
        if not out:
            out.extend(chunk)
            continue
        i = at % (len(out) + 1)
        if kind == 0:
            out[i:i] = chunk
        elif kind == 1:
            del out[i : i + len(chunk) + 1]
        else:
            out[i : i + len(chunk)] = chunk
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10**6), st.binary(min_size=1, max_size=4)), max_size=3)


@st.composite
def csv_bytes(draw: Any, kind: str) -> bytes:
    header = draw(headers(kind))
    rows = draw(st.lists(st.lists(cells(), min_size=0, max_size=len(header) + 2), max_size=8))
    end = draw(st.sampled_from(["\n", "\r\n"]))

    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell

    lines = [",".join(quote(c) for c in header)]
    for row in rows:
        lines.append(",".join(quote(c) for c in row))
        if draw(st.integers(0, 9)) == 0:
            lines.append("")  # a blank line
    text = end.join(lines) + (end if draw(st.booleans()) else "")
    data = ("\ufeff" if draw(st.integers(0, 9)) == 0 else "") + text
    return _mutate(data.encode("utf-8"), draw(EDITS))


def json_values(depth: int = 3) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        cells(),
    )
    if depth <= 0:
        return scalars
    return st.one_of(
        scalars,
        st.lists(json_values(depth - 1), max_size=3),
        st.dictionaries(st.text(max_size=5), json_values(depth - 1), max_size=3),
    )


@st.composite
def jsonl_bytes(draw: Any, kind: str) -> bytes:
    keys = st.sampled_from([*COLUMNS[kind], "extra"])
    records = draw(st.lists(st.dictionaries(keys, json_values(), max_size=8), max_size=6))
    lines = []
    for record in records:
        lines.append(json.dumps(record))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "[" * 5000 + "]" * 5000, '{"id": ' + "9" * 5000 + "}", "null"])))
    return _mutate(("\n".join(lines) + "\n").encode("utf-8"), draw(EDITS))


@st.composite
def parquet_files(draw: Any, kind: str) -> bytes:
    import pyarrow as pa

    rows = draw(st.integers(0, 5))
    columns: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from([*COLUMNS[kind], "extra"]), min_size=1, max_size=8, unique=True)):
        choice = draw(st.integers(0, 8))
        if choice <= 2:
            values = draw(st.lists(st.one_of(st.none(), cells()), min_size=rows, max_size=rows))
            array = pa.array(values, (pa.string(), pa.large_string(), pa.string())[choice])
            if choice == 2:
                array = array.dictionary_encode()
        elif choice == 3:
            array = pa.array(draw(st.lists(st.binary(max_size=6), min_size=rows, max_size=rows)), pa.binary())
        elif choice <= 6:
            unit = ("ms", "us", "ns")[choice - 4]
            zone = draw(st.sampled_from(["UTC", "+08:00", None]))
            ints = draw(st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=rows, max_size=rows))
            array = pa.array(ints, pa.timestamp(unit, tz=zone))
        elif choice == 7:
            array = pa.array(draw(st.lists(st.floats(), min_size=rows, max_size=rows)), pa.float64())
        else:
            array = pa.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), pa.bool_())
        columns[name] = array
    data = parquet_bytes(columns)
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]  # truncated
    return data


@st.composite
def event_files(draw: Any) -> tuple[str, str, bytes]:
    """(kind, suffix, bytes) of one event file."""
    kind = draw(st.sampled_from(KINDS))
    suffix = draw(st.sampled_from([".csv", ".jsonl", ".parquet"]))
    make = {".csv": csv_bytes, ".jsonl": jsonl_bytes, ".parquet": parquet_files}[suffix]
    return kind, suffix, draw(make(kind))


HOSTILE_JSON = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "1" * 5000,
    "[" * 100_000 + "]" * 100_000,
    '"\\u0000"',
    "-0",
    "null",
    "{}",
    "[]",
    "true",
    '"x"',
    "-1",
    "1.5",
)


@st.composite
def policy_texts(draw: Any, original: str) -> str:
    """A compiled policy with values replaced by hostile JSON (often with the hash recomputed), or its text edited."""
    data = json.loads(original)
    paths: list[tuple[Any, Any]] = []
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            paths.append((node, key))
            stack.append(value)
    marker = "\x00HOSTILE\x00"
    for _ in range(draw(st.integers(1, 3))):
        node, key = paths[draw(st.integers(0, len(paths) - 1))]
        node[key] = marker + str(draw(st.integers(0, len(HOSTILE_JSON) - 1)))
    if draw(st.booleans()):
        from slac.policy.codec import content_hash

        try:
            data["content_hash"] = content_hash(data)
        except (TypeError, ValueError, KeyError, AttributeError):
            pass
    text = json.dumps(data)
    for i, value in enumerate(HOSTILE_JSON):
        text = text.replace(json.dumps(marker + str(i)), value)
    if draw(st.integers(0, 3)) == 0:
        text = _mutate(text.encode(), draw(EDITS)).decode("utf-8", "replace")
    return text
