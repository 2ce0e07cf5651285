"""The report's breached responses as columns: sorted once, read per customer as dicts or as JSON text.

`evaluate()`'s report holds a list of dicts per customer (`BreachColumns.dicts`). `slac evaluate`
writing JSON needs no dict per breach: each customer's list is cut from one text column built by
Arrow for every breach at once (`BreachColumns.run(c).json_fragment()`), the same bytes orjson
writes for the dicts (2-space indent, the list at the depth of a customer's key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .calendar import US, iso_many
from .columns import SMALL, sort_order
from .events import MISSING, Tickets

I64 = npt.NDArray[np.int64]


@dataclass
class BreachColumns:
    """Every breach of a report, sorted by customer, opening time and id; `bounds[c]:bounds[c+1]` is customer c's."""

    ident: npt.NDArray[np.object_]  # str
    priority: npt.NDArray[np.object_]  # str, as in the tickets
    effective: npt.NDArray[np.object_]  # str, the priority measured
    opened: I64
    deadline: I64
    responded: I64  # MISSING: not answered
    late: I64  # µs past the deadline (to the response, or to as_of)
    line: I64
    row: I64
    bounds: list[int]
    zone: Any
    _text: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ident)

    def ids(self, c: int) -> list[str]:
        found: list[str] = self.ident[self.bounds[c] : self.bounds[c + 1]].tolist()
        return found

    def dicts(self) -> list[list[dict[str, Any]]]:
        """Each customer's breaches as the report's dicts."""
        n = len(self.ident)
        out: list[list[dict[str, Any]]] = [[] for _ in range(len(self.bounds) - 1)]
        if n == 0:
            return out
        answered = self.responded != MISSING
        response: list[str | None] = [None] * n
        for k, text in zip(np.flatnonzero(answered).tolist(), _iso(self.responded[answered], self.zone), strict=True):
            response[k] = text
        whole, rest = np.divmod(self.late, US)
        lateness = [w if r == 0 else (w * US + r) / US for w, r in zip(whole.tolist(), rest.tolist(), strict=True)]
        rows = zip(
            self.ident.tolist(),
            self.priority.tolist(),
            self.effective.tolist(),
            _iso(self.opened, self.zone),
            _iso(self.deadline, self.zone),
            response,
            lateness,
            self.line.tolist(),
            self.row.tolist(),
            strict=True,
        )
        flat = [
            {
                "id": ident,
                "priority": prio,
                "effective_priority": eff,
                "opened": opened,
                "deadline": due,
                "response": resp,
                "lateness_seconds": lat,
                "target_line": line,
                "row": row,
            }
            for ident, prio, eff, opened, due, resp, lat, line, row in rows
        ]
        bounds = self.bounds
        for c in range(len(bounds) - 1):
            if bounds[c] != bounds[c + 1]:
                out[c] = flat[bounds[c] : bounds[c + 1]]
        return out

    def run(self, c: int) -> BreachRun | list[Any]:
        """Customer c's breaches for the JSON writer: a run of the text column, or [] without any."""
        return BreachRun(self, c) if self.bounds[c] != self.bounds[c + 1] else []

    def text(self) -> list[str]:
        """Every breach as JSON text, made once for all customers."""
        if self._text is None:
            self._text = _json_rows(self)
        return self._text


class BreachRun:
    """One customer's breaches in a report bound for the JSON writer (`render.report.json_chunks`).

    Not a dataclass: orjson would write one as an object of its fields.
    """

    __slots__ = ("columns", "customer")

    def __init__(self, columns: BreachColumns, customer: int) -> None:
        self.columns, self.customer = columns, customer

    def json_fragment(self) -> bytes:
        """The list as orjson writes it as the value of a key of a top-level object (indent 2)."""
        rows = self.columns.text()
        a, b = self.columns.bounds[self.customer], self.columns.bounds[self.customer + 1]
        return ("[\n    " + ",\n    ".join(rows[a:b]) + "\n  ]").encode("utf-8")


def breach_columns(
    policy: Any, tickets: Tickets, results: Any, pos: npt.NDArray[np.intp], as_of: int, n_customers: int
) -> BreachColumns:
    """The breaches at positions `pos` of `results` (a `TicketResults`), sorted for the report."""
    tix = results.index[pos]
    if len(pos):
        order = sort_order(results.customer[pos], tickets.opened[tix], tickets.id[tix])
        pos, tix = pos[order], tix[order]
    deadline = results.deadline[pos]
    responded = tickets.responded[tix]
    late = np.where(responded != MISSING, responded, as_of) - deadline
    prio_names = np.array(list(policy.priorities), dtype=object)
    customer = results.customer[pos]
    return BreachColumns(
        ident=tickets.id[tix],
        priority=tickets.priority[tix],
        effective=prio_names[results.effective[pos]],
        opened=tickets.opened[tix],
        deadline=deadline,
        responded=responded,
        late=late,
        line=results.line[pos],
        row=tickets.row[tix],
        bounds=np.searchsorted(customer, np.arange(n_customers + 1)).tolist(),
        zone=policy.zone,
    )


def _iso(us: I64, zone: Any, quote: str = "") -> list[str]:
    if len(us) < SMALL:
        return [f"{quote}{t}{quote}" for t in iso_many(us, zone)] if quote else iso_many(us, zone)
    return iso_texts(us, zone, quote)


def iso_texts(us: I64, zone: Any, quote: str = "") -> list[str]:
    """`from_us(u, zone).isoformat()` of each instant (between `quote`s), its digits computed by numpy.

    The text of each (whether it has microseconds, which UTC offset) is assembled for all instants of
    one kind at once as fixed-width bytes; Python only makes the str objects.
    """
    from .calendar import _offset_text, _offsets

    n = len(us)
    starts, offsets = _offsets(zone, int(us.min()), int(us.max()))
    which = np.searchsorted(starts, us, side="right") - 1
    local = us + offsets[which]
    secs, micro = np.divmod(local, US)
    days, clock = np.divmod(secs, 86_400)
    year, month, day = _civil(days)
    fields = [(year, 4), ("-", 0), (month, 2), ("-", 0), (day, 2), ("T", 0)]
    fields += [(clock // 3600, 2), (":", 0), (clock % 3600 // 60, 2), (":", 0), (clock % 60, 2)]
    # isoformat shows microseconds only when there are some (of the instant, as `iso_many` decides).
    fine = (us % US) != 0
    out = np.empty(n, dtype=object)
    for f in (False, True):
        for o, offset in enumerate(offsets.tolist()):
            rows = np.flatnonzero((fine == f) & (which == o))
            if len(rows) == 0:
                continue
            tail = _offset_text(int(offset)) + quote
            parts = [(quote, 0), *fields, *([(".", 0), (micro, 6)] if f else []), (tail, 0)]
            out[rows] = _fixed(parts, rows)
    texts: list[str] = out.tolist()
    return texts


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


def _fixed(parts: list[tuple[Any, int]], rows: npt.NDArray[np.intp]) -> npt.NDArray[np.object_]:
    """Text of the chosen rows from (literal, 0) and (number column, digits) parts, as str objects."""
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
    return mat.view(f"S{width}").ravel().astype(f"U{width}").astype(object)


_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what orjson escapes in a string; all else is written as UTF-8


def json_strings(values: list[str]) -> list[str]:
    """Each text as a JSON string exactly as orjson writes it: quoted, or (`"`, `\\`, controls) by orjson."""
    if _ESCAPED.search("".join(values)) is None:
        return [f'"{v}"' for v in values]
    import orjson

    return [orjson.dumps(v).decode("utf-8") for v in values]


def _json_rows(cols: BreachColumns) -> list[str]:
    """Each breach as the JSON object orjson writes for its dict, indented as an item of a customer's key."""
    n = len(cols.ident)
    if n == 0:
        return []
    answered = cols.responded != MISSING
    response = ["null"] * n
    for k, text in zip(np.flatnonzero(answered).tolist(), _iso(cols.responded[answered], cols.zone, '"'), strict=True):
        response[k] = text
    whole = (cols.late % US) == 0
    lateness = [str(w) for w in (cols.late // US).tolist()]
    if not whole.all():
        import orjson

        floats = (cols.late[~whole].astype(np.float64) / US).tolist()  # int / int, as Python divides them
        for k, text in zip(
            np.flatnonzero(~whole).tolist(), orjson.dumps(floats)[1:-1].decode().split(","), strict=True
        ):
            lateness[k] = text
    names = {v: json_strings([v])[0] for v in set(cols.priority.tolist()) | set(cols.effective.tolist())}
    rows = zip(
        json_strings(cols.ident.tolist()),
        [names[v] for v in cols.priority.tolist()],
        [names[v] for v in cols.effective.tolist()],
        _iso(cols.opened, cols.zone, '"'),
        _iso(cols.deadline, cols.zone, '"'),
        response,
        lateness,
        cols.line.tolist(),
        cols.row.tolist(),
        strict=True,
    )
    return [
        f'{{\n      "id": {i},\n      "priority": {p},\n      "effective_priority": {e},\n      "opened": {o},'
        f'\n      "deadline": {d},\n      "response": {r},\n      "lateness_seconds": {late},'
        f'\n      "target_line": {line},\n      "row": {row}\n    }}'
        for i, p, e, o, d, r, late, line, row in rows
    ]
