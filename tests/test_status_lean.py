"""Issue 12 speed: `Policy.ticket_status` answers most tickets by a lean single-ticket path
(runtime/status_lean.py); it must give exactly what the general path (status.target_statuses) gives.

Random tickets of zones.sla (Shanghai, Berlin, New York calendars) in March 2026 (both DST changes of
Berlin and New York) and October 2025, with random status histories: pauses, reopenings (status
events after `resolved`), updates, resolutions, and `as_of` just before, at and after every event.
Two policies: the random clock policy (business-day targets take the general path) and the same with
every target in open time (all lean). Deadlines are compared as instants, offsets and folds too (two
datetimes of one tzinfo compare equal by their wall clock alone). The response state and the missed
resolutions and updates of single-cycle tickets are checked against the oracle as well.
"""

from __future__ import annotations

import copy
import os
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

import slac
from slac.runtime import load_policy, status_lean
from slac.runtime.calendar import from_us, to_us
from slac.runtime.events import MISSING
from slac.runtime.policy import TicketStatus, _from_targets

from .oracle.reference_tickets import calendars, reference_ticket
from .tickets_random import STATUSES, random_clock_events, zones_clock_policy

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
ZONES = [zoneinfo.ZoneInfo(z) for z in ("Asia/Shanghai", "Europe/Berlin", "America/New_York")]
# ≥ 10k random tickets of the all-lean policy over the two periods (SLAC_STATUS_TICKETS lowers it for a
# quick local run); the random policy's business-day targets take the slow general path: fewer there.
TICKETS = int(os.environ.get("SLAC_STATUS_TICKETS", "10000"))
MIXED = 60


def _open_time_only() -> dict[str, Any]:
    """The random clock policy with every business-day target turned into a duration (all lean)."""
    raw = copy.deepcopy(zones_clock_policy())
    for tier in raw["tiers"]:
        for key, field in (("responses", "within_seconds"), ("resolutions", "within_seconds"), ("updates", "every_seconds")):  # fmt: skip
            for t in tier.get(key, ()):
                if t.pop("business_days", 0):
                    t[field] = 9 * 3600
    raw["content_hash"] = slac.policy.content_hash(raw)
    return raw


def _always_in_berlin() -> dict[str, Any]:
    """The all-lean policy with every target on the 24×7 calendar, moved to Europe/Berlin (a zone with DST,
    also the policy's): open time is real time, across both DST changes; resolutions 4 h, updates 8 h."""
    raw = _open_time_only()
    raw["timezone"] = "Europe/Berlin"
    always = next(c for c in raw["calendars"] if c["id"] == "always")
    always["timezone"] = "Europe/Berlin"
    for tier in raw["tiers"]:
        for key in ("responses", "resolutions", "updates"):
            for t in tier.get(key, ()):
                t["calendar"] = "always"
        for t in tier["resolutions"]:
            t["within_seconds"] = 4 * 3600
        for t in tier["updates"]:
            t["every_seconds"] = 8 * 3600
    raw["content_hash"] = slac.policy.content_hash(raw)
    return raw


def _general(policy: Any, args: tuple[Any, ...]) -> TicketStatus:
    tier, prio, opened, responded, outage, as_of, resolved, events = args
    targets = policy._targets(tier, prio, opened, responded, resolved, outage, events, as_of)
    return _from_targets(policy.effective_priority(prio, outage), targets, responded, as_of)


def _exact(value: Any) -> Any:
    """A datetime as (instant, offset, fold, zone, wall clock); tuples field by field; anything else as is."""
    if isinstance(value, datetime):
        return (to_us(value), value.utcoffset(), value.fold, value.tzinfo, value.replace(tzinfo=None))
    if isinstance(value, tuple):
        return tuple(_exact(v) for v in value)
    return value


def _tickets(policy: Any, period: str, seed: int, tickets: int) -> list[dict[str, Any]]:
    """Random tickets as a service passes them: datetimes in one of the three zones, events in time order."""
    ev = random_clock_events(policy, period, seed=seed, tickets=tickets)
    t, e = ev.tickets, ev.ticket_events
    tiers = dict(zip(ev.customers.id.tolist(), ev.customers.tier.tolist(), strict=True))
    by_ticket: dict[int, list[int]] = {}
    for k, owner in enumerate(e.ticket.tolist()):
        by_ticket.setdefault(owner, []).append(k)
    out = []
    for i in range(len(t.id)):
        tz = ZONES[i % 3]

        def at(us: int, tz: Any = tz) -> datetime:
            return (EPOCH + US * int(us)).astimezone(tz)

        mine = by_ticket.get(i, [])
        raw = [(int(e.at[k]), None if e.status[k] is None else str(e.status[k])) for k in mine]
        out.append({
            "tier": tiers[t.customer[i]], "priority": t.priority[i], "outage": bool(t.outage[i]),
            "opened": int(t.opened[i]), "responded": None if t.responded[i] == MISSING else int(t.responded[i]),
            "resolved": None if t.resolved[i] == MISSING else int(t.resolved[i]), "raw": raw, "at": at,
            "events": [(at(u), "update" if s is None else f"status:{s}") for u, s in raw],
        })  # fmt: skip
    return out


def _args(ticket: dict[str, Any], as_of: int) -> tuple[Any, ...]:
    at = ticket["at"]
    responded = None if ticket["responded"] is None else at(ticket["responded"])
    resolved = None if ticket["resolved"] is None else at(ticket["resolved"])
    return (ticket["tier"], ticket["priority"], at(ticket["opened"]), responded, ticket["outage"], at(as_of), resolved, ticket["events"])  # fmt: skip


def _ask(policy: Any, args: tuple[Any, ...]) -> TicketStatus:
    tier, prio, opened, responded, outage, as_of, resolved, events = args
    return policy.ticket_status(tier, prio, opened, responded, outage=outage, as_of=as_of, resolved_at=resolved, events=events)  # fmt: skip


def _lean_answers(policy: Any, args: tuple[Any, ...]) -> bool:
    tier, prio, opened, responded, outage, as_of, resolved, events = args
    eff = policy.effective_priority(prio, outage)
    plan = status_lean.plan(policy, tier, eff) if eff is not None else None
    return (
        plan is not None and status_lean.statuses(policy, plan, opened, responded, resolved, as_of, events) is not None
    )


def _same_resolution_deadline(policy: Any, args: tuple[Any, ...]) -> None:
    """`resolution_deadline` (the lean path when it can) is the general path's resolution deadline."""
    tier, prio, opened, _, outage, as_of, _, events = args
    got = policy.resolution_deadline(tier, prio, opened, outage=outage, events=events, as_of=as_of)
    general = policy._targets(tier, prio, opened, None, None, outage, events, as_of)
    want = [t.deadline for t in general if t.target == "resolution"]
    assert _exact(got) == _exact(want[0] if want else None), args


@pytest.mark.parametrize("which", ["random", "open_time", "always"])
@pytest.mark.parametrize(("period", "seed"), [("2026-03", 7), ("2025-10", 8)])
def test_the_lean_path_gives_what_the_general_path_gives(which: str, period: str, seed: int) -> None:
    # "always": 24×7 in a DST zone, the calendar of the speed goal's tickets (a single open interval
    # per year, deadlines shown across the offset changes).
    raw = {"random": zones_clock_policy, "open_time": _open_time_only, "always": _always_in_berlin}[which]()
    policy = load_policy(raw)
    count = {"random": MIXED, "open_time": max(TICKETS // 2, 50), "always": max(TICKETS // 20, 50)}[which]
    tickets = _tickets(policy, period, seed, count)
    rng = np.random.default_rng(seed)
    asked = lean = 0
    states: set[str] = set()
    for ticket in tickets:
        instants = [u for u, _ in ticket["raw"]] + [ticket["opened"] + int(rng.integers(0, 6 * 3_600_000_000))]
        last = max([ticket["opened"], *instants])
        # Just before, at and after every event (and somewhere in the first hours, and after it all).
        moments = sorted({m for u in instants for m in (u - 1, u, u + 1)} | {last + 3_600_000_000})
        for k, as_of in enumerate(moments):
            args = _args(ticket, as_of)
            got = _ask(policy, args)
            assert _exact(got) == _exact(_general(policy, args)), args
            states.update(t.state for t in got.targets)
            asked += 1
            if k % 5 == 0:
                lean += _lean_answers(policy, args)
                _same_resolution_deadline(policy, args)
    # The lean path really answered (not everything fell back): most tickets with open-time targets.
    assert lean > (0.2 if which == "random" else 0.8) * (asked / 5), (lean, asked)
    assert {"met", "breached", "running", "paused", "at_risk"} <= states
    events = [e for t in tickets for _, e in t["events"]]
    assert {e for e in events if e.startswith("status:")} == {f"status:{s}" for s in STATUSES}


def test_ticket_status_agrees_with_the_oracle() -> None:
    # Response state, missed resolutions and missed updates of single-cycle tickets (the oracle counts
    # every cycle; `ticket_status` reports the current one), at an `as_of` after every event.
    raw = _open_time_only()
    policy = load_policy(raw)
    cals = calendars(raw)
    tickets = _tickets(policy, "2026-03", 9, max(TICKETS // 10, 50))
    checked = 0
    for ticket in tickets:
        if any(s == "resolved" for _, s in ticket["raw"][:-1]):
            continue  # a reopening possible: more than one cycle
        as_of = max([ticket["opened"], *(u for u, _ in ticket["raw"])]) + 2 * 3_600_000_000
        got = _ask(policy, _args(ticket, as_of))
        events = [(u, "update" if s is None else "status", s) for u, s in ticket["raw"]]
        ref = reference_ticket(raw, cals, ticket["tier"], ticket["priority"], ticket["outage"], ticket["opened"],
                               ticket["responded"], ticket["resolved"], events, as_of)  # fmt: skip
        by = {t.target: t for t in got.targets}
        if ref.response is None:
            assert "response" not in by
        else:
            assert {"met": "met", "breached": "breached"}.get(by["response"].state, "open") == ref.response
        if "resolution" in by and by["resolution"].cycle == 1:
            assert int(by["resolution"].state == "breached") == ref.missed_resolutions, ticket
        if "update" in by and by["update"].cycle == 1:
            assert by["update"].missed == ref.missed_updates, ticket
        checked += 1
    assert checked > len(tickets) // 2


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Shanghai"])
def test_instants_are_placed_exactly_or_by_their_own_offset(zone: str) -> None:
    # Wall-clock distances from the window's reference are exact only where the zone keeps one
    # offset: an instant there is placed by it, and a deadline there is shown as the reference moved
    # by a timedelta; near an offset change neither is used (an instant by its own offset).
    tz = zoneinfo.ZoneInfo(zone)
    rng = np.random.default_rng(5)
    placed = outside = 0
    for opened_at in (datetime(2026, 3, 29, 1, tzinfo=tz), datetime(2026, 10, 25, 1, tzinfo=tz),
                      datetime(2026, 3, 8, 1, tzinfo=tz), datetime(2026, 6, 1, 9, tzinfo=tz),
                      datetime(2026, 1, 10, 9, tzinfo=tz), datetime(2026, 4, 5, 1, tzinfo=tz),
                      datetime(2026, 3, 20, 9, tzinfo=tz), datetime(2026, 10, 20, 9, tzinfo=tz)):  # fmt: skip
        opened, (lo, hi, ref, ref_at) = status_lean.window(opened_at)
        assert opened == to_us(opened_at)
        for minutes in rng.integers(0, 60 * 24 * 60, 60).tolist():
            m = (opened_at + timedelta(minutes=minutes)).replace(fold=int(rng.integers(0, 2)))
            t = ref + (m - ref_at) // US
            if lo <= t < hi:
                placed += 1
                assert t == to_us(m), (m, t)
                shown, exact = ref_at + US * (t - ref), from_us(t, tz)
                assert (shown.isoformat(), shown.fold, shown.tzinfo) == (exact.isoformat(), exact.fold, exact.tzinfo)
            else:
                outside += 1
    assert placed > 0
    assert (outside == 0) == (zone in ("UTC", "Asia/Shanghai"))


@pytest.mark.parametrize("calendar", ["shanghai", "berlin", "new_york"])
def test_deadlines_in_clock_time_are_the_general_paths(calendar: str) -> None:
    # The lean path finds a deadline by bisecting the clock time at each pause's start; the general
    # path walks pause by pause (`status._Lists.deadline`). Pauses that touch, start at the clock's
    # start, never end, clocks of no time and clocks that run out at a closing or a pause's start.
    from slac.runtime.status import NEVER, _Lists

    policy = load_policy(_open_time_only())
    cal = policy.calendars[calendar]
    rng = np.random.default_rng(11)
    hour = 3_600_000_000
    base = to_us(datetime(2026, 3, 23, 8, tzinfo=cal.zone))  # a Monday, a week before Berlin's DST change
    compared = 0
    for _ in range(3000):
        pauses, at = [], base + int(rng.integers(0, 48)) * hour // 4
        for _ in range(int(rng.integers(0, 4))):
            a = at + int(rng.choice([0, 0, hour // 4, hour, 13 * hour]))
            b = a + int(rng.integers(1, 40)) * hour // 4
            pauses.append((a, b))
            at = b
        if pauses and rng.random() < 0.3:
            pauses[-1] = (pauses[-1][0], NEVER)
        s = base + int(rng.integers(0, 60)) * hour // 4
        if pauses and rng.random() < 0.3:
            s = pauses[int(rng.integers(0, len(pauses)))][0]  # the clock starts as a pause starts
        d = int(rng.choice([0, 0, hour // 4, hour, 4 * hour, 9 * hour, 30 * hour]))
        pa, pb = [a for a, _ in pauses], [b for _, b in pauses]
        lists = status_lean._lists({}, cal, base, pa, pb)
        general = _Lists(cal, base, pauses)
        found = status_lean._deadline(lists, pa, pb, s, d)
        assert (found and found[:2]) == general.deadline(s, d), (pauses, s, d)
        if found is not None:  # the clock time at the start, found on the way: the general path's count
            assert found[2] == general.counted(s) == status_lean._counted(lists, pa, pb, s), (pauses, s)
        compared += 1
    assert compared == 3000


def test_at_risk_from_exactly_the_warn_percentage_across_a_dst_change() -> None:
    # Berlin, 24×7, resolution 4 h, `warn at 75 %`: opened 2026-03-29 00:30 CET (23:30 UTC the day
    # before); paused 01:30 CET – 03:30 CEST (00:30–01:30 UTC: 1 h real, the clocks jump at 02:00 CET).
    # At 05:30 CEST (03:30 UTC, 4 h after the opening) the clock has used 4 h − 1 h = 3 h = 75 % of
    # 4 h: at risk; 1 µs earlier 3 h − 1 µs: running. Due at the opening + 4 h + the 1 h pause =
    # 04:30 UTC = 06:30 CEST (6 h later by the wall clock).
    policy = load_policy(_always_in_berlin())
    tz = zoneinfo.ZoneInfo("Europe/Berlin")
    tier = next(iter(policy.tiers))
    prio = next(p for t, p in policy.resolutions if t == tier)
    opened = datetime(2026, 3, 29, 0, 30, tzinfo=tz)
    events = [(datetime(2026, 3, 29, 1, 30, tzinfo=tz), "status:pending_customer"),
              (datetime(2026, 3, 29, 3, 30, tzinfo=tz), "status:open")]  # fmt: skip
    at_risk = datetime(2026, 3, 29, 5, 30, tzinfo=tz)
    assert to_us(at_risk) - to_us(opened) == 4 * 3_600_000_000
    for as_of, state, used in ((at_risk, "at_risk", timedelta(hours=3)),
                               (at_risk - US, "running", timedelta(hours=3) - US)):  # fmt: skip
        args = (tier, prio, opened, None, False, as_of, None, events)
        assert _lean_answers(policy, args)
        got = _ask(policy, args)
        assert _exact(got) == _exact(_general(policy, args))
        (res,) = [t for t in got.targets if t.target == "resolution"]
        assert (res.state, res.used, res.time_left) == (state, used, timedelta(hours=4) - used)
        assert _exact(res.deadline) == _exact(datetime(2026, 3, 29, 6, 30, tzinfo=tz))
