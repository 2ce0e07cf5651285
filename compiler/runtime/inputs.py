"""Event input readers: customers, tickets and incidents from CSV, JSON Lines or Parquet into `events` tables.

Files are parsed by pyarrow with every column kept as text, then checked column by column with
vectorised masks (pyarrow.compute / numpy), never a Python loop over every row: a million tickets
read in about a second. Any bad row raises `EventError` naming the file, the row, the column,
what is wrong and what to do; when a file has several problems the one on the earliest row is
reported, so fixing a file top to bottom works.

Row numbers are what a person sees in the file: for CSV and JSON Lines the LINE number (in CSV the
header is line 1, so the first record is line 2; a quoted value spanning lines is not counted
separately), for Parquet the 1-based record number. The same numbers go into the tables' `row`
columns so that a report can point back at the input.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import limits
from .columns import ByIdentity, remember_codes
from .events import MISSING, Customers, Events, Incidents, Tickets
from .read_ahead import UTC_KEY, prefetch
from .readers import FORMATS, EventError, Source, _read_csv, first_true, no_nulls, open_source
from .ticket_rules import BEFORE, FLAG, KNOWN, REQUIRED, TICKET_RULES, TIME, UNIQUE, Rule
from .ticket_rules import FALSE_WORDS as _FALSE
from .ticket_rules import MAX_US as _MAX_US  # timestamps outside the years slac computes with are refused
from .ticket_rules import MIN_US as _MIN_US
from .ticket_rules import TRUE_WORDS as _TRUE

__all__ = ["EventError", "read_events", "read_customers", "read_tickets", "read_incidents", "FORMATS"]


UTC_US = pa.timestamp("us", tz="UTC")

# Only used to explain a failed cast; the cast itself is Arrow's ISO 8601 parser.
_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)$"
_WITHOUT_OFFSET = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
# Digits past the microsecond in a timestamp's fraction (group 1 keeps the first six).
_SUBMICRO = r"(\.\d{6})\d+"
_NUMBER = r"^[0-9]+(\.[0-9]+)?$"
# An amount Decimal arithmetic keeps exact (the same bounds as amounts in a contract).
_AMOUNT = rf"^0*[0-9]{{1,{limits.MAX_DIGITS}}}(\.[0-9]{{1,{limits.MAX_DECIMALS}}})?$"


class _Problems:
    """Collects the first problem each check finds; `raise_first` raises the one on the earliest row."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.found: list[tuple[int, int, EventError]] = []

    def add(self, index: int, column: str, message: str) -> None:
        self.found.append((index, len(self.found), self.src.error(index, column, message)))

    def first(self, mask: Any, column: str, message: Callable[[int], str]) -> None:
        """Report the first True of a boolean mask (numpy or Arrow; nulls count as False)."""
        index = first_true(mask)
        if index is not None:
            self.add(index, column, message(index))

    def raise_first(self) -> None:
        if self.found:
            raise min(self.found, key=lambda f: (f[0], f[1]))[2]


# ---- public ----------------------------------------------------------------------------------


def read_events(policy: Any, *, customers: str | Path, tickets: str | Path, incidents: str | Path) -> Events:
    """Read and check the three inputs against a policy (a `Policy` or its dict)."""
    raw: Mapping[str, Any] = getattr(policy, "raw", policy)
    cust = read_customers(customers, raw)
    return Events(
        customers=cust,
        tickets=read_tickets(tickets, raw, customers=cust),
        incidents=read_incidents(incidents, raw, customers=cust),
    )


# The columns each file must have, and those it may have (the rest are ignored).
CUSTOMER_COLUMNS = (("customer", "tier", "monthly_fee"), ("currency",))
TICKET_COLUMNS = (("id", "customer", "priority", "opened_at", "responded_at"), ("outage", "cause", "resolved_at"))
INCIDENT_COLUMNS = (("id", "start", "end"), ("cause", "announced_at", "customers"))
TICKET_TIMES = ("opened_at", "responded_at", "resolved_at")
INCIDENT_TIMES = ("start", "end", "announced_at")


def prefetch_events(*, customers: str, tickets: str | None, incidents: str) -> Callable[[], None]:
    """Start parsing the three files in a background thread (`read_ahead.prefetch`); returns its `forget`."""
    files: dict[str, tuple[str, ...]] = {}
    for path, (required, optional) in (
        (customers, CUSTOMER_COLUMNS),
        (tickets, TICKET_COLUMNS),
        (incidents, INCIDENT_COLUMNS),
    ):
        if path is not None:
            files[path] = (*files.get(path, ()), *required, *optional)
    # Time columns parsed as UTC in the thread (issue 15), unless a file is given for two inputs.
    roles = [(tickets, TICKET_TIMES), (incidents, INCIDENT_TIMES), (customers, ())]
    paths = [path for path, _ in roles if path is not None]
    times = {path: columns for path, columns in roles if path is not None and paths.count(path) == 1}
    return prefetch(files, times)


def read_customers(path: str | Path, policy: Mapping[str, Any]) -> Customers:
    src = open_source(path, *CUSTOMER_COLUMNS)
    p = _Problems(src)
    ids = _required_text(src, p, "customer")
    id_objects = _objects(ids, distinct=True)
    _unique(src, p, "customer", ids, id_objects, "customer")
    tiers = _required_text(src, p, "tier")
    _known(p, "tier", tiers, [t["id"] for t in policy["tiers"]], "tier")
    fees = _text(src, "monthly_fee")
    p.first(
        pc.invert(pc.match_substring_regex(fees, _NUMBER)),
        "monthly_fee",
        lambda i: (
            f"{_show(fees, i)} is not an amount of money; write a plain number like 1000 or 1000.50 "
            "(no currency sign, no thousands separator, not negative)"
        ),
    )
    p.first(
        pc.and_(pc.match_substring_regex(fees, _NUMBER), pc.invert(pc.match_substring_regex(fees, _AMOUNT))),
        "monthly_fee",
        lambda i: (
            f"{_show(fees, i)} is out of range; a fee is less than 10^{limits.MAX_DIGITS} "
            f"with at most {limits.MAX_DECIMALS} decimals"
        ),
    )
    code = policy["currency"]["code"]
    if src.has("currency"):
        cur = _text(src, "currency")
        p.first(
            pc.and_(pc.not_equal(cur, ""), pc.not_equal(cur, code)),
            "currency",
            lambda i: (
                f"the fee is in {_show(cur, i)} but the contract's currency is {code}; "
                f"convert the fee to {code} or leave the column empty"
            ),
        )
    p.raise_first()
    return Customers(
        id=id_objects,
        tier=_objects(tiers, coded=True),
        fee=tuple(Decimal(f) for f in fees.to_pylist()),
        row=src.rows,
        source=src.path,
    )


def read_tickets(path: str | Path, policy: Mapping[str, Any], *, customers: Customers) -> Tickets:
    """The tickets file, checked by the rules of `ticket_rules.TICKET_RULES` in their order."""
    src = open_source(path, *TICKET_COLUMNS)
    p = _Problems(src)
    among = {
        "customers": (customers.id.tolist(), f" in {customers.source or 'the customers'}"),
        "priorities": ([x["id"] for x in policy["priorities"]], ""),
        "exclusions": ([e["id"] for e in policy.get("exclusions") or ()], ""),
    }
    out: dict[str, Any] = {}
    for r in TICKET_RULES:
        name = r.column
        if r.rule == REQUIRED:
            _required_text(src, p, name)
        elif r.rule == UNIQUE:
            out[name] = _objects(_text(src, name), distinct=True)
            _unique(src, p, name, _text(src, name), out[name], r.what)
        elif r.rule == KNOWN:
            names, where = among[r.among]
            _known(p, name, _text(src, name), names, r.what, where=where)
        elif r.rule == TIME:
            out[name] = _times(src, p, name, required=r.required)
        elif r.rule == BEFORE:
            _before(src, p, r, out[name], out[r.columns[1]])
        elif r.rule == FLAG:
            out[name] = _flags(src, p, name)
    p.raise_first()
    resolved = out["resolved_at"]
    return Tickets(
        id=out["id"],
        customer=_objects(_text(src, "customer"), coded=True),
        priority=_objects(_text(src, "priority"), coded=True),
        opened=out["opened_at"],
        responded=out["responded_at"],
        outage=out["outage"],
        cause=_objects(_text(src, "cause"), empty_as_none=True, coded=True),
        row=src.rows,
        source=src.path,
        # issue 12: empty = not resolved yet; the same tables whether the column is absent or empty in every row
        resolved=None if (resolved == MISSING).all() else resolved,
    )


def _before(src: Source, p: _Problems, r: Rule, later: np.ndarray, earlier: np.ndarray) -> None:
    a, b = r.columns
    p.first(
        (later != MISSING) & (earlier != MISSING) & (later < earlier),
        a,
        lambda i: r.words(value=_show(_text(src, a), i), other=_show(_text(src, b), i)),
    )


def read_incidents(path: str | Path, policy: Mapping[str, Any], *, customers: Customers) -> Incidents:
    src = open_source(path, *INCIDENT_COLUMNS)
    p = _Problems(src)
    ids = _required_text(src, p, "id")
    id_objects = _objects(ids, distinct=True)
    _unique(src, p, "id", ids, id_objects, "incident id")
    start = _times(src, p, "start", required=True)
    end = _times(src, p, "end", required=True)
    p.first(
        (start != MISSING) & (end != MISSING) & (end < start),
        "end",
        lambda i: (
            f"the incident ends ({_show(_text(src, 'end'), i)}) before it starts "
            f"({_show(_text(src, 'start'), i)}); check both timestamps and their offsets"
        ),
    )
    cause = _causes(src, p, policy)
    announced = _times(src, p, "announced_at", required=False)
    affected = _customer_lists(src, p, customers)
    p.raise_first()
    return Incidents(
        id=id_objects,
        start=start,
        end=end,
        cause=cause,
        announced=announced,
        customers=affected,
        row=src.rows,
        source=src.path,
    )


# ---- columns ---------------------------------------------------------------------------------


def _text(src: Source, name: str) -> pa.Array:
    """The column as trimmed text, null as ""; a column the file lacks is all "" (optional columns).

    Made once per column: every check of the column and every message reads the same array.
    """
    key = ("text", name)
    if key not in src.cache:
        src.cache[key] = _trimmed(src, name)
    text: pa.Array = src.cache[key]
    return text


def _trimmed(src: Source, name: str) -> pa.Array:
    if name not in src.table.column_names:
        return pa.array([""] * len(src), pa.string())
    col = src.column(name)
    if src.cache.get((UTC_KEY, name)):  # a message quotes the cell as written: the file's text, parsed again
        col = _read_csv(src.path).column(name)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        try:
            col = pc.cast(col, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a list or a struct in a Parquet file
            raise EventError(
                src.path,
                0,
                name,
                f"holds values of type {col.type}; store single texts, numbers or booleans",
                unit=src.unit,
            ) from None
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return no_nulls(arr if _plain_edges(arr) else pc.utf8_trim_whitespace(arr), "")


def _plain_edges(arr: pa.Array) -> bool:
    """Whether no value starts or ends with a byte that may be (part of) white space: nothing to trim.

    Read from the column's offsets and bytes (trimming a 1M-row column copies it); a value whose
    first or last byte is outside printable ASCII is left to Arrow's Unicode trim.
    """
    if not pa.types.is_string(arr.type):
        return False
    _, offsets, data = arr.buffers()
    if data is None:
        return True  # no bytes: every value empty or null
    at = np.frombuffer(offsets, dtype=np.int32, count=len(arr) + 1, offset=4 * arr.offset)
    lo, hi = at[:-1], at[1:]
    filled = hi > lo
    raw = np.frombuffer(data, dtype=np.uint8)
    edges = np.concatenate((raw[lo[filled]], raw[hi[filled] - 1]))
    return bool(((edges > 0x20) & (edges < 0x7F)).all())


def _required_text(src: Source, p: _Problems, name: str) -> pa.Array:
    text = _text(src, name)
    p.first(pc.equal(text, ""), name, lambda i: f"`{name}` is empty; every record needs one")
    return text


def _unique(src: Source, p: _Problems, name: str, text: pa.Array, values: np.ndarray, what: str) -> None:
    if _all_distinct(text, values):  # the usual case: answered without hashing into a dictionary
        return
    codes = pc.dictionary_encode(text).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # dictionary_encode numbers values in order of first appearance, so a record repeats an
    # earlier one exactly when its code is not larger than every code before it.
    seen = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    dup = codes <= seen

    def message(i: int) -> str:
        first = int(np.argmax(codes == codes[i]))
        return f"duplicate {what} {_show(text, i)}, first used on {src.unit} {int(src.rows[first])}; ids must be unique"

    p.first(dup, name, message)


def _all_distinct(text: pa.Array, values: np.ndarray) -> bool:
    """Whether no value repeats; for ASCII ids (the usual case) by sorting them as 64-bit words.

    Each id, padded with spaces to a multiple of 8 bytes, is read as words: an id of up to 8
    characters is one word (equal words, equal ids), a longer one is hashed from its words; only
    when two hashes meet does the exact (slower) check decide.
    """
    n = len(text)
    if n > 1000 and pc.all(pc.string_is_ascii(text)).as_py():
        width = max(int(pc.max(pc.binary_length(text)).as_py() or 0), 1)
        if width <= 64:
            words = -(-width // 8)
            # Values are trimmed, so none ends in a space: padding with spaces keeps distinct values distinct.
            padded = pc.utf8_rpad(text, width=8 * words, padding=" ")
            _, offsets, data = padded.buffers()
            start = int(np.frombuffer(offsets, dtype=np.int32, count=1, offset=4 * padded.offset)[0])
            fixed = np.frombuffer(data, dtype="<u8", count=n * words, offset=start).reshape(n, words)
            key = fixed[:, 0].copy()
            for j in range(1, words):
                key *= np.uint64(0x9E3779B97F4A7C15)  # wraps modulo 2**64
                key ^= fixed[:, j]
            ordered = np.sort(key)
            meet = bool((ordered[1:] == ordered[:-1]).any())
            if not meet or words == 1:
                return not meet
    return len(set(values)) == n  # 2× slower than the sort for 1M ids, but any text


def _known(p: _Problems, name: str, text: pa.Array, choices: Sequence[str], what: str, *, where: str = "") -> None:
    """The first value not among `choices` (empty is allowed here), checked on the column's distinct values."""
    allowed = pa.array(sorted(set(choices)), pa.string())
    encoded = _encoded(text)
    words = encoded.dictionary
    strange = pc.and_(pc.not_equal(words, ""), pc.invert(pc.is_in(words, value_set=allowed)))
    if not pc.any(strange).as_py():
        return
    unknown = pc.is_in(encoded.indices, value_set=pc.indices_nonzero(strange).cast(encoded.indices.type))
    p.first(
        unknown, name, lambda i: f"unknown {what} {_show(text, i)}{where}; {_suggest(text[i].as_py(), choices, what)}"
    )


def _times(src: Source, p: _Problems, name: str, *, required: bool) -> np.ndarray:
    """Microseconds since the epoch (UTC) as int64; an empty optional value is MISSING."""
    n = len(src)
    if name not in src.table.column_names:
        return np.full(n, MISSING, dtype=np.int64)
    if src.cache.get((UTC_KEY, name)):  # CSV parsed as UTC by the read-ahead thread, in range (issue 15)
        parsed = src.column(name)
        if required:
            p.first(pc.is_null(parsed), name, lambda i: f"`{name}` is empty; every record needs one")
        return np.asarray(no_nulls(parsed.cast(pa.int64()), MISSING).to_numpy(zero_copy_only=False), dtype=np.int64)
    col = src.table.column(name)
    if pa.types.is_timestamp(col.type):  # Parquet: typed already
        if col.type.tz is None:
            p.first(pc.is_valid(col), name, lambda i: "a timestamp without a time zone; store it with UTC offsets")
            return np.full(n, MISSING, dtype=np.int64)
        if required:
            p.first(pc.is_null(col), name, lambda i: f"`{name}` is empty; every record needs one")
        return _typed_times(src, p, name, col)
    text = _text(src, name)
    empty = pc.equal(text, "")
    if required:
        p.first(empty, name, lambda i: f"`{name}` is empty; every record needs one")
    candidates = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    try:
        parsed = pc.cast(candidates, UTC_US)
    except pa.ArrowInvalid:
        # Nanoseconds (pandas, Go and Java write nine digits) are kept to the microsecond, as slac computes.
        candidates = pc.replace_substring_regex(candidates, _SUBMICRO, r"\1")
        try:
            parsed = pc.cast(candidates, UTC_US)
        except pa.ArrowInvalid:
            i = _first_bad_time(candidates)
            p.add(i, name, _time_problem(text[i].as_py()))
            return np.full(n, MISSING, dtype=np.int64)
    if isinstance(parsed, pa.ChunkedArray):
        parsed = parsed.combine_chunks()
    values = np.asarray(no_nulls(parsed.cast(pa.int64()), MISSING).to_numpy(zero_copy_only=False), dtype=np.int64)
    p.first(
        (values != MISSING) & ((values < _MIN_US) | (values >= _MAX_US)),
        name,
        lambda i: (
            f"{_show(_text(src, name), i)} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}; check the year"
        ),
    )
    return values


def _typed_times(src: Source, p: _Problems, name: str, col: Any) -> np.ndarray:
    """A Parquet timestamp column (any unit) as µs, range-checked in its own unit before converting.

    Arrow's cast refuses nanoseconds that are not a whole microsecond (pandas' default) and
    overflows on milliseconds beyond its range; slac truncates to the microsecond and names the row.
    """
    unit = col.type.unit
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    raw = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    values = np.asarray(no_nulls(raw.cast(pa.int64()), MISSING).to_numpy(zero_copy_only=False), dtype=np.int64)
    low, high = _MIN_US // 1_000_000 * per_second, _MAX_US // 1_000_000 * per_second
    present = pc.is_valid(raw).to_numpy(zero_copy_only=False)
    p.first(
        present & ((values < low) | (values >= high)),
        name,
        lambda i: f"a timestamp outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}; check the year",
    )
    inside = present & (values >= low) & (values < high)
    out = np.full(len(values), MISSING, dtype=np.int64)
    if per_second >= 1_000_000:
        out[inside] = values[inside] // (per_second // 1_000_000)
    else:
        out[inside] = values[inside] * (1_000_000 // per_second)
    return out


def _first_bad_time(text: pa.Array) -> int:
    """The first value Arrow cannot parse: by pattern when that explains it, else by bisection."""
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.match_substring_regex(text, _WITH_OFFSET)))
    index = first_true(bad)
    if index is not None:
        return index
    lo, hi = 0, len(text)  # well-formed but impossible (a 30 February): halve until one value is left
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            pc.cast(text.slice(lo, mid - lo), UTC_US)
            lo = mid
        except pa.ArrowInvalid:
            hi = mid
    return lo


def _time_problem(value: str) -> str:
    if re.match(_WITHOUT_OFFSET, value):
        return (
            f"the timestamp {value!r} has no UTC offset, so the moment is ambiguous; "
            f"add one, like {value}+08:00 or {value}Z"
        )
    if re.match(_WITH_OFFSET, value):
        return f"{value!r} is not a real date and time; check the day, month and hour"
    return f"{value!r} is not an ISO 8601 timestamp; write it like 2025-03-03T09:00+08:00 or 2025-03-03T01:00Z"


def _flags(src: Source, p: _Problems, name: str) -> np.ndarray:
    if name not in src.table.column_names:
        return np.zeros(len(src), dtype=np.bool_)
    if pa.types.is_boolean(src.table.column(name).type):
        return np.asarray(no_nulls(src.table.column(name), False).to_numpy(zero_copy_only=False), dtype=np.bool_).copy()
    text = pc.utf8_lower(_text(src, name))
    p.first(
        pc.invert(pc.is_in(text, value_set=pa.array(_TRUE + _FALSE))),
        name,
        lambda i: f"{_show(text, i)} is not true or false; write true, false, or leave it empty (false)",
    )
    return np.asarray(pc.is_in(text, value_set=pa.array(_TRUE)).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _causes(src: Source, p: _Problems, policy: Mapping[str, Any]) -> np.ndarray:
    text = _text(src, "cause")
    _known(p, "cause", text, [e["id"] for e in policy.get("exclusions") or ()], "cause (exclusion)")
    return _objects(text, empty_as_none=True, coded=True)


def _customer_lists(src: Source, p: _Problems, customers: Customers) -> tuple[tuple[str, ...] | None, ...]:
    text = _text(src, "customers")
    parts = pc.split_pattern(text, ";")
    flat = pc.utf8_trim_whitespace(pc.list_flatten(parts))
    parent = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
    known = pa.array(sorted(set(customers.id.tolist())), pa.string())
    unknown = pc.and_(pc.not_equal(flat, ""), pc.invert(pc.is_in(flat, value_set=known))).to_numpy(zero_copy_only=False)
    if unknown.any():
        k = int(np.argmax(unknown))
        name = flat[k].as_py()
        ids = customers.id.tolist()
        listed = [part.strip() for part in name.split(",")]
        if len(listed) > 1 and set(listed) <= set(ids):  # `acme,borealis`: the list's separator is `;`
            hint = f"separate the customers with `;`: {';'.join(listed)!r}"
        else:
            hint = _suggest(name, ids, "customer")
        p.add(
            int(parent[k]), "customers", f"unknown customer {name!r} in {customers.source or 'the customers'}; {hint}"
        )
    # Per incident: its names sorted, without empties and repeats (sorted and deduplicated by Arrow and
    # numpy for all incidents at once), then one tuple each; None when the list is empty.
    pairs = pa.table({"incident": parent, "name": flat}).filter(pc.not_equal(flat, ""))
    pairs = pairs.sort_by([("incident", "ascending"), ("name", "ascending")])
    owner = pairs.column("incident").to_numpy()
    names = np.asarray(pairs.column("name").to_numpy(zero_copy_only=False), dtype=object)
    keep = np.ones(len(owner), dtype=np.bool_)
    keep[1:] = (owner[1:] != owner[:-1]) | (names[1:] != names[:-1])
    owner, listed = owner[keep], names[keep].tolist()
    every = np.arange(len(text))
    starts = np.searchsorted(owner, every, side="left").tolist()
    ends = np.searchsorted(owner, every, side="right").tolist()
    return tuple(tuple(listed[a:b]) if b > a else None for a, b in zip(starts, ends, strict=True))


# ---- helpers ---------------------------------------------------------------------------------


def _objects(text: pa.Array, *, distinct: bool = False, empty_as_none: bool = False, coded: bool = False) -> np.ndarray:
    """An object array of str; repeated values share one str (tiers, priorities: a few values, 1M rows).

    `coded`: the array's codes are remembered with it (`columns.remember_codes`; it becomes
    read-only), so that the evaluator's `codes` need not hash every row again.
    """
    if distinct:  # ids: nothing to share
        return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    encoded = _encoded(text)
    values = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    if empty_as_none:
        values[values == ""] = None
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False))
    out = values[indices]
    if coded:
        remember_codes(out, values.tolist(), indices)
    return out


# The dictionary encoding of each text column, made once for its checks (`_known`) and its objects.
_ENCODED = ByIdentity()


def _encoded(text: pa.Array) -> Any:
    return _ENCODED.make(text, pc.dictionary_encode)


def _show(text: pa.Array, i: int) -> str:
    value = text[i].as_py()
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _suggest(word: str, choices: Sequence[str], what: str) -> str:
    unique = sorted(set(choices))
    close = difflib.get_close_matches(word, unique, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if not unique:
        return f"no {what} is declared"
    if len(unique) <= 8:
        return f"known: {', '.join(unique)}"
    return f"{len(unique)} are known, e.g. {', '.join(unique[:5])}"
