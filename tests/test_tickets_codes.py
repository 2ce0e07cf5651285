"""Issue 12: the ticket events reader gives the statuses as small codes into a names table, which
`tickets.history` reads instead of comparing names; both forms give the same histories."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from slac.runtime import Policy
from slac.runtime.events import MISSING, Tickets
from slac.runtime.inputs_tickets import read_ticket_events
from slac.runtime.tickets import history

from .runtime_fixtures import objects
from .tickets_random import random_clock_events, zones_clock_policy


def test_the_reader_codes_every_status_and_marks_updates(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "ticket,at,event\n"
        "b,2026-01-01T02:00:00Z,status:on_hold\n"
        "a,2026-01-01T01:00:00Z,update\n"
        "a,2026-01-01T03:00:00Z,status:resolved\n"
        "b,2026-01-01T04:00:00Z,status:open\n"
        "a,2026-01-01T02:00:00Z,status:on_hold\n",
        encoding="utf-8",
    )
    opened = np.array([1767225600_000000] * 2, dtype=np.int64)  # 2026-01-01T00:00Z
    tickets = Tickets(
        id=objects(["a", "b"]), customer=objects(["c", "c"]), priority=objects(["p", "p"]), opened=opened,
        responded=np.full(2, MISSING, np.int64), outage=np.zeros(2, bool), cause=objects([None, None]),
        row=np.array([2, 3], np.int64),
    )  # fmt: skip
    ev = read_ticket_events(path, tickets=tickets)
    assert ev.status_code is not None
    # Sorted by (ticket, at): a's update 01:00, on_hold 02:00, resolved 03:00; b's on_hold, open.
    assert ev.status.tolist() == [None, "on_hold", "resolved", "on_hold", "open"]
    names = [None if c < 0 else ev.status_names[c] for c in ev.status_code.tolist()]
    assert names == ev.status.tolist()


def test_codes_and_names_give_the_same_histories() -> None:
    policy = Policy(zones_clock_policy())
    events = random_clock_events(policy, "2025-03", seed=7, tickets=5000)
    ev = events.ticket_events
    assert ev.status_code is not None
    by_code = history(events.tickets, ev, policy.pause_statuses)
    by_name = history(events.tickets, replace(ev, status_code=None, status_names=()), policy.pause_statuses)
    assert len(by_code.pauses.a) > 1000 and int((np.diff(by_code.cyc_ptr) > 1).sum()) > 100  # pauses, reopenings
    for field in ("upd_ptr", "upd_at", "cyc_ptr", "cyc_start", "cyc_end"):
        assert np.array_equal(getattr(by_code, field), getattr(by_name, field)), field
    for field in ("ptr", "a", "b"):
        assert np.array_equal(getattr(by_code.pauses, field), getattr(by_name.pauses, field)), field
