"""Issue 12: the ticket events input (`slac evaluate --ticket-events FILE`): ticket, at, event.

`event` is `update` (a public update) or `status:NAME` (the ticket's status from then on).
Bad rows name the file, the row and the column, as every event reader does (`inputs`): an
unknown ticket, an event before the ticket's opening, a status change after its `resolved_at`,
an unknown event kind. The table comes back sorted by (ticket, at, row).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .events import MISSING, STATUS, UPDATE, TicketEvents, Tickets
from .inputs import _Problems, _required_text, _show, _text, _times
from .readers import open_source

_EVENT = r"^(update|status:[A-Za-z_][A-Za-z0-9_]*)$"


def read_ticket_events(path: str | Path, *, tickets: Tickets) -> TicketEvents:
    src = open_source(path, ("ticket", "at", "event"), ())
    p = _Problems(src)
    ident = _required_text(src, p, "ticket")
    found = pc.index_in(ident, value_set=pa.array(tickets.id.tolist(), type=pa.string()))
    which = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    p.first(
        pc.and_(pc.is_null(found), pc.not_equal(ident, "")),
        "ticket",
        lambda i: f"{_show(ident, i)} is not a ticket id in {tickets.source or 'the tickets'}; check the id",
    )
    at = _times(src, p, "at", required=True)
    event = _required_text(src, p, "event")
    good = pc.match_substring_regex(event, _EVENT)
    p.first(
        pc.and_(pc.invert(good), pc.not_equal(event, "")),
        "event",
        lambda i: (
            f"{_show(event, i)} is not a ticket event; write `update` for a public update or "
            "`status:NAME` (e.g. status:pending_customer) for a change of status"
        ),
    )
    known = which >= 0
    safe = np.maximum(which, 0)
    opened = tickets.opened[safe]
    p.first(
        known & (at != MISSING) & (at < opened),
        "at",
        lambda i: (
            f"the event ({_show(_text(src, 'at'), i)}) is before the ticket's opening "
            f"({_iso(tickets, int(which[i]))}); "
            "check both timestamps and their offsets"
        ),
    )
    kind = np.where(np.array(pc.starts_with(event, "status:").to_pylist(), dtype=bool), STATUS, UPDATE).astype(np.int8)
    if tickets.resolved is not None:
        resolved = tickets.resolved[safe]
        p.first(
            known & (kind == STATUS) & (resolved != MISSING) & (at != MISSING) & (at > resolved),
            "at",
            lambda i: (
                f"a status change ({_show(event, i)} at {_show(_text(src, 'at'), i)}) after the ticket's "
                f"resolution ({_iso(tickets, int(which[i]), resolved=True)}); a reopened ticket has no "
                "resolved_at until it is resolved again: clear it or drop the event"
            ),
        )
    p.raise_first()
    status, code, names = _statuses(pc.utf8_slice_codeunits(event, 7), kind == UPDATE)
    order = np.lexsort((src.rows, at, which))
    return TicketEvents(
        which[order], at[order], kind[order], status[order], src.rows[order], src.path, code[order], names
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
