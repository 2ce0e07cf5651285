"""Ticket clocks (language v2 policy): resolution and reopening, pauses, updates, business days."""

from __future__ import annotations

from typing import Any

from .build import SuiteFile
from .rows import at, contract, customer, events, ticket


def _case(f: SuiteFile, g: list, ident: str, desc: str, clause: str, tickets: list[dict[str, Any]],
          evs: list[dict[str, Any]] | None = None, *, period: str = "2025-05", tier: str = "business",
          fee: int = 3100, as_of: str | None = None, comment: str | None = None, hand: dict | None = None,
          policy: str = "clocks") -> None:  # fmt: skip
    f.case(g, ident, desc, clause=clause, policy=policy, period=period, as_of=as_of, comment=comment, hand=hand,
           events=events([customer("a", tier, fee)], tickets, [], ticket_events=evs or [], v2=True))  # fmt: skip


def _ev(ticket_id: str, when: str, event: str) -> dict[str, Any]:
    return {"ticket": ticket_id, "at": when, "event": event}


def _file(feature: str, description: str) -> SuiteFile:
    f = SuiteFile(feature, description)
    f.policy("clocks", contract("clocks"))
    return f


def resolution() -> SuiteFile:
    f = _file(
        "resolution", "Resolution targets: each resolution cycle (reopenings start new ones) measured on its own."
    )
    clause = "resolve p1 within 4h    during always"
    g = f.group("edge cases, worked by hand (fee 3100 CNY in May: 1 service_day = 3100 / 31 = 100 CNY)")
    o = "2025-05-06T10:00:00+08:00"
    updates = [_ev("T1", at(o, minutes=m), "update") for m in (60, 120, 180)]
    _case(f, g, "exactly-4h", "resolved exactly 4 h after opening: met", clause,
          [ticket("T1", "a", "p1", o, at(o, minutes=5), outage=True, resolved=at(o, hours=4))], updates,
          comment="4h of the always calendar ≤ 4h: met; update gaps 55m, 60m, 60m, 60m: none missed; 0.00",
          hand={"customers": {"a": {"missed_resolutions": {}, "missed_updates": {}, "total": "0.00"}}})  # fmt: skip
    _case(f, g, "one-second-late", "resolved 1 s after 4 h: one missed resolution", clause,
          [ticket("T1", "a", "p1", o, at(o, minutes=5), outage=True, resolved=at(o, hours=4, seconds=1))], updates,
          comment="4h 1s > 4h: missed, deadline 14:00 CST = 06:00Z; last gap 13:00–14:00:01 = 1h 1s: ceil − 1 = 1 missed update (50); 100 + 50 = 150.00",
          hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-05-06T06:00:00Z"]},
                                    "missed_updates": {"T1": 1}, "total": "150.00"}}})  # fmt: skip
    reopened = [_ev("T1", at(o, minutes=60), "update"), _ev("T1", at(o, minutes=90), "status:resolved"),
                _ev("T1", at(o, minutes=120), "status:open")] + [
                _ev("T1", at(o, minutes=m), "update") for m in (180, 240, 300, 360)]  # fmt: skip
    _case(f, g, "reopened", "resolved, reopened, resolved again 4 h 30 min later: the second cycle is missed", clause,
          [ticket("T1", "a", "p1", o, at(o, minutes=10), outage=True, resolved=at(o, minutes=390))], reopened,
          comment="cycle 1 10:00–11:30 = 1h30 met; cycle 2 12:00–16:30 = 4h30 > 4h: missed, deadline 16:00 CST = 08:00Z; updates hourly: none missed; 100.00",
          hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-05-06T08:00:00Z"]}, "missed_updates": {},
                                    "total": "100.00"}}})  # fmt: skip
    _case(f, g, "office-p2", "a P2 (no outage) against 18 h of office hours (CN, 09–18)",
          "resolve p2 within 18h   during office",
          [ticket("T1", "a", "p1", "2025-05-08T15:00:00+08:00", "2025-05-08T15:30:00+08:00", resolved="2025-05-12T15:00:00+08:00")],
          comment="downgraded to p2: Thu 15–18 3h, Fri 9h, Mon 09–15 6h = 18h ≤ 18h: met; 0.00",
          hand={"customers": {"a": {"missed_resolutions": {}, "total": "0.00"}}})  # fmt: skip
    cap = f.group("a cap that binds: 20 missed resolutions of 100 CNY, capped at 15 service days")
    ts = [ticket(f"T{k:02d}", "a", "p2", "2025-05-06T10:00:00+08:00", "2025-05-06T10:30:00+08:00",
                 resolved="2025-05-09T10:00:00+08:00") for k in range(1, 21)]  # fmt: skip
    _case(f, cap, "cap-binds", "20 × 100 = 2000 > 15 × 100 = 1500", "cap 15 service_days per month", ts,
          comment="each: Tue 10–18 8h + Wed 9h + Thu 1h = 18h at Thu 10:00, resolved Fri 10:00 (27h): missed; 20 × 100 = 2000, cap 1500.00",
          hand={"customers": {"a": {"total": "1500.00"}}})  # fmt: skip
    _per_miss_on_charges(f)
    var = f.group("variations: P1 resolved 3–5 h after opening, with and without a reopening; P2 after 1–3 days")
    for minutes in range(180, 301, 15):
        for reopen in (False, True):
            evs = [_ev("T1", at(o, minutes=m), "update") for m in range(50, minutes, 50)]
            if reopen:
                evs = [e for e in evs if e["at"] != at(o, minutes=100)]
                evs += [_ev("T1", at(o, minutes=100), "status:resolved"), _ev("T1", at(o, minutes=110), "status:open")]
            _case(f, var, f"p1-{minutes}{'-reopened' if reopen else ''}",
                  f"P1 resolved after {minutes} min{', reopened after 100 min' if reopen else ''}", clause,
                  [ticket("T1", "a", "p1", o, at(o, minutes=20), outage=True, resolved=at(o, minutes=minutes))], evs)  # fmt: skip
    for hours in (20, 24, 30, 44, 48, 52, 70, 72, 96):
        opened = "2025-05-07T11:00:00+08:00"
        _case(f, var, f"p2-{hours}h", f"P2 opened Wed 11:00, resolved {hours} h later", "resolve p2 within 18h   during office",
              [ticket("T1", "a", "p2", opened, at(opened, minutes=30), resolved=at(opened, hours=hours))])  # fmt: skip
    for as_of in ("2025-05-06T13:59:59+08:00", "2025-05-06T14:00:00+08:00", "2025-05-06T14:00:01+08:00"):
        _case(f, var, f"unresolved-as-of-{as_of[11:19].replace(':', '')}", f"P1 not resolved, measured up to as_of {as_of}",
              clause, [ticket("T1", "a", "p1", o, at(o, minutes=5), outage=True)],
              [_ev("T1", at(o, minutes=m), "update") for m in (60, 120, 180)], as_of=as_of)  # fmt: skip
    return f


def _per_miss_on_charges(f: SuiteFile) -> None:
    """A credit per missed resolution on every scope's charges that requires a condition (cloud_desk)."""
    f.policy("cloud_desk", contract("cloud_desk"))
    g = f.group("per missed resolution 5% of service_charges, requires good_standing, minimum credit 1 USD "
                "(cloud_desk): worked by hand")  # fmt: skip
    o = "2025-05-06T10:00:00+00:00"
    late = [ticket("T1", "a", "p1", o, at(o, minutes=5), resolved=at(o, hours=10))]
    both = [{"customer": "a", "service": "compute", "region": "us_east", "amount": "1000"},
            {"customer": "a", "service": "compute", "region": "eu_west", "amount": "200"}]  # fmt: skip
    cases = [
        ("every-scope", "answered in 5 min, resolved after 10 h: paid on the charges of both regions", True, both,
         "1 missed resolution (10h > 4h, deadline 14:00Z), no missed response; 5% × (1000 + 200) = 60.00", "60.00",
         {"T1": ["2025-05-06T14:00:00Z"]}),
        ("condition-unmet", "the same, the account not in good standing: the credit is not owed", False, both,
         "good_standing false: late_resolution pays nothing; 0.00", "0.00", {"T1": ["2025-05-06T14:00:00Z"]}),
        ("below-minimum", "5% of 10 USD = 0.50, below the minimum credit", True,
         [{"customer": "a", "service": "compute", "region": "us_east", "amount": "10"}],
         "5% × 10 = 0.50 < 1 USD minimum: 0.00", "0.00", {"T1": ["2025-05-06T14:00:00Z"]}),
    ]  # fmt: skip
    for ident, desc, standing, charges, comment, total, missed in cases:
        f.case(g, ident, desc, clause="per missed resolution 5% of service_charges", policy="cloud_desk",
               period="2025-05", as_of=None, comment=comment,
               hand={"customers": {"a": {"breaches": {}, "missed_resolutions": missed, "total": total}}},
               events=events([customer("a", "standard", 0, good_standing=standing)], late, [], charges=charges,
                             v2=True))  # fmt: skip


def pauses() -> SuiteFile:
    f = _file(
        "pauses", "A pausing status stops every clock of the ticket until the next status event of another status."
    )
    clause = "pause when status pending_customer on_hold"
    g = f.group("edge cases, worked by hand (Berlin office 09–17 Mon–Fri, P2 resolve within 16h, respond within 2h)")
    opened = "2025-05-08T09:00:00+02:00"
    weekend = [
        _ev("T1", "2025-05-09T15:00:00+02:00", "status:pending_customer"),
        _ev("T1", "2025-05-12T11:00:00+02:00", "status:open"),
    ]
    t = ticket("T1", "a", "p2", opened, "2025-05-08T10:00:00+02:00", resolved="2025-05-12T12:30:00+02:00")
    _case(f, g, "weekend-pause", "paused Friday 15:00 to Monday 11:00, resolved Monday 12:30: met", clause, [t], weekend,
          tier="europe", comment="Thu 8h + Fri 09–15 6h + Mon 11–12:30 1.5h = 15.5h ≤ 16h: met; 0.00",
          hand={"customers": {"a": {"missed_resolutions": {}, "total": "0.00"}}})  # fmt: skip
    _case(f, g, "weekend-no-pause", "the same ticket without the pause: missed", "resolve p2 within 16h   during berlin",
          [t], [], tier="europe",
          comment="Thu 8h + Fri 8h = 16h at Fri 17:00 CEST = 15:00Z; Mon 12:30 is 19.5h: missed; 100.00",
          hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-05-09T15:00:00Z"]}, "total": "100.00"}}})  # fmt: skip
    held = [
        _ev("T1", "2025-05-12T09:30:00+02:00", "status:on_hold"),
        _ev("T1", "2025-05-12T12:00:00+02:00", "status:open"),
    ]
    r = ticket(
        "T1", "a", "p2", "2025-05-12T09:00:00+02:00", "2025-05-12T12:45:00+02:00", resolved="2025-05-12T16:00:00+02:00"
    )
    _case(f, g, "response-paused", "on hold 09:30–12:00, answered 12:45: the response clock shows 1h15: met", clause,
          [r], held, tier="europe", comment="30m + 45m = 1h15 ≤ 2h: met; 0 breaches; 0.00",
          hand={"customers": {"a": {"breaches": {}, "total": "0.00"}}})  # fmt: skip
    _case(f, g, "response-not-paused", "the same answer without the hold: 3h45 > 2h, breached",
          "respond p2 within 2h    during berlin", [r], [], tier="europe",
          comment="09:00–12:45 = 3h45 > 2h: breached, deadline 11:00 CEST = 09:00Z; 2% × 3100 = 62.00",
          hand={"customers": {"a": {"breaches": {"T1": "2025-05-12T09:00:00Z"}, "total": "62.00"}}})  # fmt: skip
    var = f.group("variations: a pause of 1–72 h starting at different times of a P2 resolution (Berlin office)")
    for start_h in (2, 7, 10, 30):
        for length_h in (1, 4, 8, 16, 30, 48, 72):
            p_at = at(opened, hours=start_h)
            evs = [_ev("T1", p_at, "status:pending_customer"), _ev("T1", at(p_at, hours=length_h), "status:open")]
            _case(f, var, f"pause-{start_h}h-for-{length_h}h", f"P2 opened Thu 09:00, paused {start_h} h in for {length_h} h",
                  clause, [ticket("T1", "a", "p2", opened, at(opened, minutes=20),
                                  resolved=at(opened, hours=max(40, start_h + length_h + 6)))], evs,
                  tier="europe")  # fmt: skip
    for k, status in enumerate(("pending_customer", "on_hold")):
        evs = [_ev("T1", at(opened, hours=3), f"status:{status}")]
        _case(f, var, f"paused-for-good-{status}", f"paused by {status} and never resumed nor resolved", clause,
              [ticket("T1", "a", "p2", opened, at(opened, minutes=20 + k))], evs, tier="europe",
              as_of="2025-06-20T00:00:00+02:00")  # fmt: skip
    return f


def updates() -> SuiteFile:
    f = _file("updates", "Update targets: a gap that used L of clock time misses ceil(L / D) − 1 updates.")
    clause = "update  p1 every 1h     during always"
    g = f.group("edge cases, worked by hand (P1: update every 1h, 50 CNY per missed update)")
    o = "2025-05-20T09:00:00+08:00"
    _case(f, g, "exact-and-one-second", "gaps of 1h (none missed) and 1h 1s (one missed)", clause,
          [ticket("T1", "a", "p1", o, at(o, minutes=20), outage=True, resolved=at(o, minutes=170))],
          [_ev("T1", at(o, minutes=80), "update"), _ev("T1", at(o, minutes=140, seconds=1), "update")],
          comment="09:20→10:20 60m: 0; 10:20→11:20:01 60m1s: ceil−1 = 1; 11:20:01→11:50 <1h: 0; 1 × 50 = 50.00",
          hand={"customers": {"a": {"missed_updates": {"T1": 1}, "total": "50.00"}}})  # fmt: skip
    _case(f, g, "pause-stops-gap", "a pause inside a gap stops its clock", "pause when status pending_customer on_hold",
          [ticket("T1", "a", "p1", o, at(o, minutes=20), outage=True, resolved=at(o, hours=4))],
          [_ev("T1", at(o, minutes=50), "status:pending_customer"), _ev("T1", at(o, hours=3), "status:open"),
           _ev("T1", at(o, minutes=200), "update")],
          comment="gap 09:20→12:20 runs 30m + 20m = 50m: 0; 12:20→13:00 40m: 0; resolution 4h − 2h10 = 1h50: met; 0.00",
          hand={"customers": {"a": {"missed_updates": {}, "missed_resolutions": {}, "total": "0.00"}}})  # fmt: skip
    _case(f, g, "no-response-no-updates", "updates are due from the first response: a ticket never answered owes none",
          clause, [ticket("T1", "a", "p1", o, None, outage=True, resolved=at(o, minutes=200))], [],
          comment="no response: breached response (30min) → 2% × 3100 = 62; no update gaps; resolution 3h20 met; 62.00",
          hand={"customers": {"a": {"missed_updates": {}, "breaches": {"T1": "2025-05-20T01:30:00Z"}, "total": "62.00"}}})  # fmt: skip
    var = f.group("variations: updates every G minutes (30–150) up to a resolution after 3 h 50 min")
    for gap in (30, 45, 59, 60, 61, 75, 90, 119, 120, 121, 150):
        for first in (10, 30):
            evs = [_ev("T1", at(o, minutes=m), "update") for m in range(first + gap, 230, gap)]
            _case(f, var, f"every-{gap}-first-{first}", f"answered after {first} min, updates every {gap} min", clause,
                  [ticket("T1", "a", "p1", o, at(o, minutes=first), outage=True, resolved=at(o, minutes=230))], evs)  # fmt: skip
    for as_of_h in (2, 3, 5):
        _case(f, var, f"open-gap-as-of-{as_of_h}h", f"unresolved, no updates, measured to as_of {as_of_h} h after opening",
              clause, [ticket("T1", "a", "p1", o, at(o, minutes=15), outage=True)], [], as_of=at(o, hours=as_of_h))  # fmt: skip
    _business_day_updates(f)
    return f


def _business_day_updates(f: SuiteFile) -> None:
    """Update targets in business days: each due time N business days after the last (the gap's start first)."""
    f.policy("days", contract("clocks_days"))
    g = f.group("update targets in business days, worked by hand (CN office 09–18, P2 every business day, "
                "P3 every 2; 50 CNY per missed update, 3100 / 31 = 100 CNY per service day)")  # fmt: skip
    p2, p3 = "update p2 every 1 business_day during office", "update p3 every 2 business_days during office"
    mon = "2025-05-12T09:30:00+08:00"
    _case(f, g, "days-met-just-before", "answered Mon 10:00, updated Tue 09:59:59, resolved Tue 16:00", p2,
          [ticket("T1", "a", "p2", mon, at(mon, minutes=30), resolved="2025-05-13T16:00:00+08:00")],
          [_ev("T1", "2025-05-13T09:59:59+08:00", "update")], policy="days",
          comment="due Tue 10:00 after the answer: updated before; then due Wed 09:59:59, after the resolution: "
                  "none missed; resolution 8h30 + 7h ≤ 18h: met; 0.00",
          hand={"customers": {"a": {"missed_updates": {}, "missed_resolutions": {}, "total": "0.00"}}})  # fmt: skip
    _case(f, g, "days-three-missed", "answered Mon 10:00, no update, resolved Thu 12:00", p2,
          [ticket("T1", "a", "p2", mon, at(mon, minutes=30), resolved="2025-05-15T12:00:00+08:00")], policy="days",
          comment="due Tue, Wed and Thu 10:00, each before the resolution: 3 × 50 = 150; resolution 18h runs out "
                  "Wed 09:30 CST = 01:30Z: 100; 250.00",
          hand={"customers": {"a": {"missed_updates": {"T1": 3}, "missed_resolutions": {"T1": ["2025-05-14T01:30:00Z"]},
                                    "total": "250.00"}}})  # fmt: skip
    fri = "2025-05-16T09:30:00+08:00"
    for ident, resolved, missed in (("days-due-at-the-end", "2025-05-19T10:00:00+08:00", 0),
                                    ("days-due-a-second-before", "2025-05-19T10:00:01+08:00", 1)):  # fmt: skip
        _case(f, g, ident, f"answered Fri 10:00, no update, resolved {resolved[11:19]} on Monday", p2,
              [ticket("T1", "a", "p2", fri, at(fri, minutes=30), resolved=resolved)], policy="days",
              comment=f"due Mon 10:00 (the next open day), {'the resolution itself: not before it' if not missed else 'a second before the resolution'}: "
                      f"{missed} missed; resolution Fri 8h30 + Mon ≤ 18h: met; {50 * missed}.00",
              hand={"customers": {"a": {"missed_updates": {"T1": 1} if missed else {}, "total": f"{50 * missed}.00"}}})  # fmt: skip
    late = "2025-05-16T17:00:00+08:00"
    _case(f, g, "days-answered-late-friday", "answered Fri 17:30, no update, resolved Mon 17:45", p2,
          [ticket("T1", "a", "p2", late, at(late, minutes=30), resolved="2025-05-19T17:45:00+08:00")], policy="days",
          comment="due Mon 17:30, the same clock time on the next open day, before the resolution: 1 missed; "
                  "resolution 1h + 9h ≤ 18h: met; 50.00",
          hand={"customers": {"a": {"missed_updates": {"T1": 1}, "missed_resolutions": {}, "total": "50.00"}}})  # fmt: skip
    _case(f, g, "days-answered-on-saturday", "answered Sat 11:00 (closed), no update, resolved Tue 09:30", p2,
          [ticket("T1", "a", "p2", late, "2025-05-17T11:00:00+08:00", resolved="2025-05-20T09:30:00+08:00")],
          policy="days",
          comment="counted from the next opening, Mon 09:00: due Tue 09:00, before the resolution: 1 missed; "
                  "response by Mon 12:00: met; resolution 1h + 9h + 30min ≤ 18h: met; 50.00",
          hand={"customers": {"a": {"missed_updates": {"T1": 1}, "missed_resolutions": {}, "breaches": {},
                                    "total": "50.00"}}})  # fmt: skip
    _case(f, g, "days-pause-moves-the-due-time", "answered Mon 10:00, paused 12:00–14:00, resolved Tue 11:00", p2,
          [ticket("T1", "a", "p2", mon, at(mon, minutes=30), resolved="2025-05-13T11:00:00+08:00")],
          [_ev("T1", "2025-05-12T12:00:00+08:00", "status:pending_customer"),
           _ev("T1", "2025-05-12T14:00:00+08:00", "status:open")], policy="days",
          comment="the pause's 2h of open time move the count's start to Mon 12:00: due Tue 12:00, after the "
                  "resolution (Tue 10:00 without the pause): none missed; 0.00",
          hand={"customers": {"a": {"missed_updates": {}, "missed_resolutions": {}, "total": "0.00"}}})  # fmt: skip
    thu = "2025-05-15T15:00:00+08:00"
    _case(f, g, "days-p3-every-two", "P3 answered Thu 15:30, no update, resolved Tue 16:00", p3,
          [ticket("T1", "a", "p3", thu, at(thu, minutes=30), resolved="2025-05-20T16:00:00+08:00")], policy="days",
          comment="2 business days: due Mon 15:30, then Wed 15:30 (after the resolution): 1 missed, 50; resolution "
                  "due Mon 15:00 CST = 07:00Z, resolved Tue: 100; 150.00",
          hand={"customers": {"a": {"missed_updates": {"T1": 1}, "missed_resolutions": {"T1": ["2025-05-19T07:00:00Z"]},
                                    "total": "150.00"}}})  # fmt: skip
    _case(f, g, "days-national-day", "answered 2025-09-30 10:30, no update, unresolved on 10-10 12:00", p2,
          [ticket("T1", "a", "p2", "2025-09-30T10:00:00+08:00", "2025-09-30T10:30:00+08:00")], policy="days",
          period="2025-09", fee=3000, as_of="2025-10-10T12:00:00+08:00",
          comment="the holidays 10-01..10-08 skipped: due 10-09 and 10-10 10:30, both before as_of: 2 × 50 = 100; "
                  "resolution 8h + 9h + 1h runs out 10-10 10:00 CST = 02:00Z: 3000 / 30 = 100; 200.00",
          hand={"customers": {"a": {"missed_updates": {"T1": 2}, "missed_resolutions": {"T1": ["2025-10-10T02:00:00Z"]},
                                    "total": "200.00"}}})  # fmt: skip


def business_days() -> SuiteFile:
    f = _file(
        "business_days",
        "N business_days: open time from the clock start to the same clock time on the Nth following open day.",
    )
    clause = "resolve p3 within 2 business_days during office"
    g = f.group("edge cases, worked by hand (CN office 09–18, fee 3100 CNY in May, 3100 / 31 = 100 per service day)")
    _case(f, g, "thursday-exact", "opened Thu 15:00, resolved Mon 15:00 (2 business days): met", clause,
          [ticket("T1", "a", "p3", "2025-05-08T15:00:00+08:00", resolved="2025-05-12T15:00:00+08:00")],
          comment="Fri 9th and Mon 12th are the two following open days: D = 3h + 9h + 6h = 18h; resolved at 18h: met; 0.00",
          hand={"customers": {"a": {"missed_resolutions": {}, "total": "0.00"}}})  # fmt: skip
    _case(f, g, "thursday-late", "resolved Mon 15:00:01: missed", clause,
          [ticket("T1", "a", "p3", "2025-05-08T15:00:00+08:00", resolved="2025-05-12T15:00:01+08:00")],
          comment="18h 1s > 18h: missed, deadline Mon 15:00 CST = 07:00Z; 100.00",
          hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-05-12T07:00:00Z"]}, "total": "100.00"}}})  # fmt: skip
    _case(f, g, "national-day", "opened 2025-09-30 10:00: National Day holidays 10-01..10-08 are skipped", clause,
          [ticket("T1", "a", "p3", "2025-09-30T10:00:00+08:00")], period="2025-09", fee=3000,
          as_of="2025-10-31T00:00:00+08:00",
          comment="open days after Tue 09-30: Thu 10-09, Fri 10-10 → Fri 10:00 CST = 02:00Z; never resolved: missed; 3000/30 = 100.00",
          hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-10-10T02:00:00Z"]}, "total": "100.00"}}})  # fmt: skip
    _case(f, g, "makeup-saturday", "opened Fri 2025-10-10 10:00: Saturday 10-11 is a make-up working day", clause,
          [ticket("T1", "a", "p3", "2025-10-10T10:00:00+08:00")], period="2025-10", as_of="2025-10-31T00:00:00+08:00",
          comment="Sat 10-11 (make-up), Mon 10-13 → Mon 10:00 CST = 02:00Z; missed; 3100/31 = 100.00",
          hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-10-13T02:00:00Z"]}, "total": "100.00"}}})  # fmt: skip
    var = f.group(
        "variations: never-resolved P3 tickets opened at each day and several hours, CN (2 days) and Berlin (3 days)"
    )
    for day in ("2025-05-05", "2025-05-07", "2025-05-09", "2025-05-10", "2025-05-11", "2025-09-28", "2025-09-29",
                "2025-10-09", "2025-10-11"):  # fmt: skip
        for hour in (8, 12, 18):
            period = day[:7]
            _case(f, var, f"cn-{day}-{hour:02d}", f"CN office, opened {day} {hour:02d}:00", clause,
                  [ticket("T1", "a", "p3", f"{day}T{hour:02d}:00:00+08:00")], period=period,
                  fee=3100 if period != "2025-09" else 3000, as_of=f"{period}-28T00:00:00+08:00"
                  if day[8:] < "20" else "2025-11-30T00:00:00+08:00")  # fmt: skip
    for day in ("2025-03-27", "2025-03-28", "2025-03-29", "2025-10-23", "2025-10-24"):
        for hour in (7, 13):
            _case(f, var, f"berlin-{day}-{hour:02d}", f"Berlin office (3 business days) across DST, opened {day} {hour:02d}:00Z",
                  "resolve p3 within 3 business_days during berlin",
                  [ticket("T1", "a", "p3", f"{day}T{hour:02d}:00:00+00:00")], period=day[:7], tier="europe",
                  as_of="2025-11-30T00:00:00+08:00")  # fmt: skip
    return f


BUILDERS = {"resolution": resolution, "pauses": pauses, "updates": updates, "business_days": business_days}
