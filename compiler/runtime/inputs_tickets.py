"""Issue 12: the ticket events input (`slac evaluate --ticket-events FILE`): ticket, at, event.

Checked by the rules of `ticket_rules.TICKET_EVENT_RULES` (the tickets file's, TICKET_RULES, run in
`inputs.read_tickets`), in their order with vectorised masks; the words of a problem are the rule's
(or the shared reader's in `inputs`). Bad rows name the file, the row and the column, as every event
reader does. `event` is `update` (a public update) or `status:NAME` (the ticket's status from then
on); the events table comes back sorted by (ticket, at, row).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .events import MISSING, STATUS, UPDATE, TicketEvents, Tickets
from .inputs import _Problems, _required_text, _show, _text, _times
from .readers import Source, open_source
from .ticket_rules import AFTER_RESOLUTION, FORM, KNOWN, OPENING, REQUIRED, TICKET_EVENT_RULES, TIME, Rule


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
