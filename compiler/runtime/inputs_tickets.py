"""Issue 12: the tickets input and the ticket events input (`slac evaluate --ticket-events FILE`):
ticket, at, event.

Both are checked by the rules of `ticket_rules` (TICKET_RULES, TICKET_EVENT_RULES), run here in their
order with vectorised masks; the words of a problem are the rule's (or the shared reader's in
`inputs`). Bad rows name the file, the row and the column, as every event reader does (`inputs`).
`event` is `update` (a public update) or `status:NAME` (the ticket's status from then on); the events
table comes back sorted by (ticket, at, row).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .events import MISSING, STATUS, UPDATE, Customers, TicketEvents, Tickets
from .inputs import (
    TICKET_COLUMNS,
    _flags,
    _known,
    _objects,
    _Problems,
    _required_text,
    _show,
    _text,
    _times,
    _unique,
)
from .readers import Source, open_source
from .ticket_rules import (
    AFTER_RESOLUTION,
    BEFORE,
    FLAG,
    FORM,
    KNOWN,
    OPENING,
    REQUIRED,
    TICKET_EVENT_RULES,
    TICKET_RULES,
    TIME,
    UNIQUE,
    Rule,
)


def read_tickets(path: str | Path, policy: Mapping[str, Any], *, customers: Customers) -> Tickets:
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
        else:  # pragma: no cover - a rule of the events file
            raise AssertionError(r.rule)
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


def read_ticket_events(path: str | Path, *, tickets: Tickets) -> TicketEvents:
    src = open_source(path, ("ticket", "at", "event"), ())
    p = _Problems(src)
    at = which = np.zeros(0, dtype=np.int64)
    kind = np.zeros(0, dtype=np.int8)
    for r in TICKET_EVENT_RULES:
        name = r.column
        if r.rule == REQUIRED:
            _required_text(src, p, name)
        elif r.rule == KNOWN:  # among the tickets: `which` is the ticket's index, -1 when unknown
            which = _ticket_of(src, p, r, tickets)
        elif r.rule == TIME:
            at = _times(src, p, name, required=r.required)
        elif r.rule == FORM:
            event = _text(src, name)
            _form(p, r, event)
            status = np.array(pc.starts_with(event, "status:").to_pylist(), dtype=bool)
            kind = np.where(status, STATUS, UPDATE).astype(np.int8)
        elif r.rule == OPENING:
            _opening(src, p, r, tickets, which, at)
        elif r.rule == AFTER_RESOLUTION:
            _resolution(src, p, r, tickets, which, at, kind)
    p.raise_first()
    status_of, code, names = _statuses(pc.utf8_slice_codeunits(_text(src, "event"), 7), kind == UPDATE)
    order = np.lexsort((src.rows, at, which))
    return TicketEvents(
        which[order], at[order], kind[order], status_of[order], src.rows[order], src.path, code[order], names
    )


def _ticket_of(src: Source, p: _Problems, r: Rule, tickets: Tickets) -> np.ndarray:
    ident = _text(src, r.column)
    found = pc.index_in(ident, value_set=pa.array(tickets.id.tolist(), type=pa.string()))
    p.first(
        pc.and_(pc.is_null(found), pc.not_equal(ident, "")),
        r.column,
        lambda i: r.words(value=_show(ident, i), other=tickets.source or "the tickets"),
    )
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _opening(src: Source, p: _Problems, r: Rule, tickets: Tickets, which: np.ndarray, at: np.ndarray) -> None:
    opened = tickets.opened[np.maximum(which, 0)]
    p.first(
        (which >= 0) & (at != MISSING) & (at < opened),
        r.column,
        lambda i: r.words(value=_show(_text(src, "at"), i), other=_iso(tickets, int(which[i]))),
    )


def _resolution(
    src: Source, p: _Problems, r: Rule, tickets: Tickets, which: np.ndarray, at: np.ndarray, kind: np.ndarray
) -> None:
    if tickets.resolved is None:
        return
    resolved = tickets.resolved[np.maximum(which, 0)]
    p.first(
        (which >= 0) & (kind == STATUS) & (resolved != MISSING) & (at != MISSING) & (at > resolved),
        r.column,
        lambda i: r.words(
            value=f"{_show(_text(src, 'event'), i)} at {_show(_text(src, 'at'), i)}",
            other=_iso(tickets, int(which[i]), resolved=True),
        ),
    )


def _form(p: _Problems, r: Rule, text: pa.Array) -> None:
    p.first(
        pc.and_(pc.invert(pc.match_substring_regex(text, r.form)), pc.not_equal(text, "")),
        r.column,
        lambda i: r.words(value=_show(text, i)),
    )


def _statuses(text: pa.Array | pa.ChunkedArray, update: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(status names as objects, None for updates; their codes into the names, -1 for updates; the names)."""
    if isinstance(text, pa.ChunkedArray):  # one dictionary for the whole column
        text = text.combine_chunks()
    encoded = pc.dictionary_encode(text)
    names = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    code = np.array(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32)  # a writable copy
    code[update] = -1
    status = np.concatenate([names, np.array([None], dtype=object)])[code]  # code -1: the appended None
    return status, code, tuple(str(n) for n in names)


def _iso(tickets: Tickets, k: int, *, resolved: bool = False) -> str:
    from .calendar import from_us

    us = tickets.resolved[k] if resolved and tickets.resolved is not None else tickets.opened[k]
    return f"{from_us(int(us)).isoformat()} in {tickets.source or 'the tickets'}, row {int(tickets.row[k])}"
