"""The report's breached responses as columns: sorted once, read per customer as dicts or as JSON text.

`evaluate()`'s report holds a list of dicts per customer (`BreachColumns.dicts`). `slac evaluate`
writing JSON needs no dict per breach: each customer's list is cut from one text column built by
Arrow for every breach at once (`BreachColumns.run(c).json_fragment()`), the same bytes orjson
writes for the dicts (2-space indent, the list at the depth of a customer's key).
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .calendar import US, iso_arrow, iso_many
from .columns import sort_order
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

    def text(self, indent: str = "") -> tuple[memoryview, list[int]]:
        """Every breach as JSON text, made once for all customers (per `indent`): (bytes, where each starts).

        Breach k is `data[at[k]:at[k + 1]]`, each but the first of a customer preceded by the comma and
        line break that separate the items of a list, the whole indented by `indent` more than an item
        of a customer's key in a top-level object.
        """
        if self._text is None or self._text[0] != indent:
            self._text = (indent, _json_rows(self, indent))
        made = self._text[1]
        found: tuple[memoryview, list[int]] = made.result() if isinstance(made, Future) else made
        return found

    def prepare(self, indent: str) -> None:
        """Start making `text(indent)` in a background thread, to be ready when the writer asks for it.

        The texts are made by Arrow and numpy, which release the GIL, while the main thread builds the
        customers' dicts; a failure there is raised by `text`.
        """
        if len(self.ident) == 0 or (self._text is not None and self._text[0] == indent):
            return
        import orjson  # noqa: F401 - what the thread imports, imported first: two threads never import at once

        from . import isotext  # noqa: F401
        from .columns import in_background

        self._text = (indent, in_background(_json_rows, self, indent))


class BreachRun:
    """One customer's breaches in a report bound for the JSON writer (`runtime.report_json.json_chunks`).

    Not a dataclass: orjson would write one as an object of its fields.
    """

    __slots__ = ("columns", "customer")

    def __init__(self, columns: BreachColumns, customer: int) -> None:
        self.columns, self.customer = columns, customer

    def json_fragment(self, indent: str = "") -> bytes:
        """The list as orjson writes it as the value of a key of a top-level object (indent 2), each line
        after the first indented by `indent` more (the object being at that depth)."""
        data, at = self.columns.text(indent)
        a, b = self.columns.bounds[self.customer], self.columns.bounds[self.customer + 1]
        first = at[a] + len(_SEPARATOR)  # the first item has no separator before it
        return b"[\n" + data[first : at[b]] + b"\n  " + indent.encode() + b"]"


_SEPARATOR = ",\n"


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
    texts = iso_many(us, zone)
    return [f"{quote}{t}{quote}" for t in texts] if quote else texts


_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what orjson escapes in a string; all else is written as UTF-8


def json_strings(values: list[str]) -> list[str]:
    """Each text as a JSON string exactly as orjson writes it: quoted, or (`"`, `\\`, controls) by orjson."""
    if _ESCAPED.search("".join(values)) is None:
        return [f'"{v}"' for v in values]
    import orjson

    return [orjson.dumps(v).decode("utf-8") for v in values]


def _json_rows(cols: BreachColumns, indent: str) -> tuple[memoryview, list[int]]:
    """Each breach as the JSON object orjson writes for its dict (an item of a customer's key, `indent`
    deeper), built for all breaches at once by Arrow: (the bytes of all, where each starts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(cols.ident)
    if n == 0:
        return memoryview(b""), [0]

    def text(values: list[str]) -> Any:
        return pa.array(values, pa.string())

    answered = cols.responded != MISSING
    response = _with_others(iso_arrow(cols.responded[answered], cols.zone, '"'), answered, "null")
    whole = (cols.late % US) == 0
    lateness = pc.cast(pa.array(cols.late // US), pa.string())
    if not whole.all():
        import orjson

        floats = (cols.late[~whole].astype(np.float64) / US).tolist()  # int / int, as Python divides them
        written = text(orjson.dumps(floats)[1:-1].decode().split(","))
        lateness = pc.if_else(pa.array(whole), lateness.cast(pa.large_string()), _with_others(written, ~whole, ""))
    pad = " " * 4 + indent  # an item of the list; its keys two spaces deeper
    keys = [f'{_SEPARATOR}{pad}{{\n{pad}  "id": ']
    keys += [f',\n{pad}  "{k}": ' for k in _KEYS[1:]] + [f"\n{pad}}}"]
    values = [
        _json_column(cols.ident),
        _json_column(cols.priority, few=True),
        _json_column(cols.effective, few=True),
        iso_arrow(cols.opened, cols.zone, '"'),
        iso_arrow(cols.deadline, cols.zone, '"'),
        response,
        lateness,
        pc.cast(pa.array(cols.line), pa.string()),
        pc.cast(pa.array(cols.row), pa.string()),
    ]
    big = pa.large_string()  # 64-bit offsets: a report's breaches may pass 2 GiB
    parts: list[Any] = []
    for key, value in zip(keys, values, strict=False):
        parts += [pa.scalar(key, big), value.cast(big)]
    parts.append(pa.scalar(keys[-1], big))
    rows = pc.binary_join_element_wise(*parts, pa.scalar("", big))
    _, offsets, data = rows.buffers()
    at = np.frombuffer(offsets, dtype=np.int64, count=n + 1, offset=8 * rows.offset)
    return memoryview(data), at.tolist()


_KEYS: tuple[str, ...] = ("id", "priority", "effective_priority", "opened", "deadline", "response")
_KEYS += ("lateness_seconds", "target_line", "row")


def _json_column(values: npt.NDArray[np.object_], *, few: bool = False) -> Any:
    """Texts (str objects) as JSON strings in an Arrow array, as `json_strings` writes them.

    `few`: a handful of distinct values (priorities), each written once.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values, pa.string())
    if few:
        encoded = pc.dictionary_encode(text)
        return pa.array(json_strings(encoded.dictionary.to_pylist()), pa.string()).take(encoded.indices)
    if pc.any(pc.match_substring_regex(text, _ESCAPED.pattern)).as_py():
        return pa.array(json_strings(values.tolist()), pa.string())
    quote = pa.scalar('"', pa.string())
    return pc.binary_join_element_wise(quote, text, quote, pa.scalar("", pa.string()))


def _with_others(texts: Any, chosen: npt.NDArray[np.bool_], other: str) -> Any:
    """An Arrow string array of `chosen`'s length: `texts` in order where chosen, `other` elsewhere."""
    import pyarrow as pa

    if chosen.all():
        return texts
    where = np.where(chosen, np.cumsum(chosen) - 1, len(texts))
    big = pa.large_string()
    return pa.concat_arrays([texts.cast(big), pa.array([other], big)]).take(pa.array(where))
