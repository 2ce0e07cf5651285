"""Random but seeded cases (the same files every run): many tickets or incidents per case, mixed histories.

They join the feature files as extra groups: the response clock over mixed tiers, priorities and
causes; ticket clocks with random status histories (pauses, reopenings, updates); scoped
availability of several customers with maintenance, error rates and customer lists; a scope cap
over the quarter; annual windows.
"""

from __future__ import annotations

import random
from typing import Any

from .build import SuiteFile
from .gen_availability import charge
from .rows import at, customer, events, incident, ticket

_STATUSES = ("status:pending_customer", "status:on_hold", "status:open", "status:in_progress", "status:resolved")


def response_mix(f: SuiteFile) -> None:
    g = f.group("random: 8 tickets of two customers on both tiers, any priority, outage, cause and answer time")
    for seed in range(20):
        rng = random.Random(500 + seed)
        ts = []
        for k in range(8):
            who = rng.choice(["a", "b"])
            opened = at("2025-03-01T00:00:00+00:00", minutes=rng.randint(-600, 31 * 1440))
            answer = rng.choice([None, rng.randint(0, 90), rng.randint(0, 1200), rng.randint(0, 6000)])
            ts.append(
                ticket(f"T{k}", who, rng.choice(["urgent", "high", "normal"]), opened,
                       None if answer is None else at(opened, minutes=answer, seconds=rng.choice([0, 0, 1])),
                       outage=rng.random() < 0.6, cause=rng.choice([None, None, None, "planned"]))
            )  # fmt: skip
        cs = [customer("a", "gold", 1000), customer("b", "silver", rng.choice([0, 250, 990]))]
        as_of = rng.choice([None, "2025-03-25T12:00:00+00:00", "2025-04-15T00:00:00+00:00"])
        f.case(g, f"random-{seed:02d}", f"8 mixed tickets, seed {seed}", clause="respond urgent within 1h during always",
               policy="desk", period="2025-03", as_of=as_of, events=events(cs, ts))  # fmt: skip


def clock_mix(f: SuiteFile, feature: str, seeds: range) -> None:
    g = f.group("random: 6 tickets with random status histories (pauses, reopenings, updates) on both tiers")
    clause = {"resolution": "resolve p1 within 4h during always", "pauses": "pause when status pending_customer on_hold",
              "updates": "update p1 every 1h during always"}[feature]  # fmt: skip
    for seed in seeds:
        rng = random.Random(seed)
        ts, evs = [], []
        for k in range(6):
            opened = at("2025-05-05T00:00:00+08:00", minutes=rng.randint(0, 20 * 1440))
            t = opened
            history = []
            for _ in range(rng.randint(0, 8)):
                t = at(t, minutes=rng.choice([5, 30, 55, 61, 120, 600, 1500]))
                history.append({"ticket": f"T{k}", "at": t, "event": rng.choice(["update", "update", *_STATUSES])})
            last_status = next((e["event"] for e in reversed(history) if e["event"] != "update"), None)
            resolved = None
            if rng.random() < 0.6 or last_status == "status:resolved":
                resolved = at(t, minutes=rng.choice([1, 45, 300]))
            responded = at(opened, minutes=rng.choice([1, 20, 40, 200])) if rng.random() < 0.85 else None
            ts.append(ticket(f"T{k}", "a", rng.choice(["p1", "p1", "p2", "p3"]), opened, responded,
                             outage=rng.random() < 0.7, resolved=resolved))  # fmt: skip
            evs += history
        as_of = rng.choice([None, "2025-05-28T00:00:00+08:00", "2025-06-20T00:00:00+08:00"])
        f.case(g, f"random-{seed}", f"6 tickets with random histories, seed {seed}", clause=clause, policy="clocks",
               period="2025-05", as_of=as_of,
               events=events([customer("a", rng.choice(["business", "europe"]), 3100)], ts, [], ticket_events=evs, v2=True))  # fmt: skip


def scoped_mix(f: SuiteFile) -> None:
    g = f.group(
        "random: three customers, outages of every kind (maintenance, exclusions, customer lists), request error rates"
    )
    regions = ("us_east", "eu_west")
    for seed in range(20):
        rng = random.Random(700 + seed)
        ids = ["a", "b", "c"]
        cs = [customer(c, "standard", 0, good_standing=rng.random() > 0.2) for c in ids]
        charges = [{"customer": c, "service": s, "region": r, "amount": str(rng.choice([5, 60, 400]))}
                   for c in ids for s in ("compute", "object_storage") for r in regions if rng.random() < 0.6]  # fmt: skip
        charges += [
            {"customer": c, "service": "dns", "region": None, "amount": "20"} for c in ids if rng.random() < 0.5
        ]
        incs = []
        for k in range(rng.randint(2, 10)):
            start = at("2025-05-01T00:00:00+00:00", minutes=rng.randint(-3000, 31 * 1440))
            cause = rng.choice([None, None, "scheduled_maintenance", "customer_caused"])
            service = rng.choice([None, "compute", "object_storage", "dns"])
            incs.append(incident(
                f"I{k}", start, at(start, seconds=rng.choice([30, 59, 61, 600, 7200, 40000])), cause=cause,
                announced=at(start, days=-rng.choice([1, 5, 6])) if cause == "scheduled_maintenance" else None,
                customers=None if rng.random() < 0.6 else rng.sample(ids, rng.randint(1, 2)), service=service,
                region=rng.choice([None, *regions]) if service in ("compute", "object_storage") else None))  # fmt: skip
        reqs = []
        for _ in range(rng.choice([0, 20, 80])):
            reqs.append({"service": "object_storage", "region": rng.choice(regions),
                         "start": at("2025-05-10T00:00:00+00:00", minutes=5 * rng.randint(0, 300)),
                         "total": (n := rng.choice([0, 20, 100])), "failed": rng.choice([0, n // 20, min(n, n // 20 + 1), n])})  # fmt: skip
        f.case(g, f"random-{seed:02d}", f"three customers, {len(incs)} outages, {len(reqs)} request rows, seed {seed}",
               clause="measured per region", policy="cloud", period="2025-05",
               events=events(cs, [], incs, charges=charges, requests=reqs, v2=True))  # fmt: skip


def scope_cap_quarter(f: SuiteFile) -> None:
    f.policy("cloud_quarter", _source("cloud_quarter"))
    g = f.group("a cap of 50 % of the scope's charges per quarter over monthly windows: earlier months use it up")
    for seed in range(16):
        rng = random.Random(900 + seed)
        month = rng.choice([2, 3, 5, 6])
        incs = []
        for m in range((month - 1) // 3 * 3 + 1, month + 1):
            minutes = rng.choice([0, 30, 500, 2300, 4000])
            if minutes:
                s = f"2025-{m:02d}-10T00:00:00+00:00"
                incs.append(incident(f"I{m}", s, at(s, minutes=minutes), service="compute", region="us_east"))
        f.case(g, f"scope-quarter-{seed:02d}", f"2025-{month:02d} with {len(incs)} outages in its quarter, seed {seed}",
               clause="cap 50% of service_charges per quarter", policy="cloud_quarter", period=f"2025-{month:02d}",
               events=events([customer("a", "standard", 0, good_standing=True)], [], incs,
                             charges=[charge("compute", "us_east", rng.choice([10, 100, 1000]))], v2=True))  # fmt: skip


def annual(f: SuiteFile) -> None:
    f.policy("annual", _source("annual"))
    g = f.group("annual windows: 2024 (a leap year, 8784 h) and 2025 (8760 h) in Europe/Berlin")
    for year in (2024, 2025):
        for hours in (0, 4, 9, 20, 100):
            s = f"{year}-06-10T00:00:00+02:00"
            f.case(g, f"year-{year}-{hours}h", f"{year}, {hours} h down", clause="window   calendar year", policy="annual",
                   period=str(year), events=events([customer("a", "business", 36500)], [],
                                                   [incident("I1", s, at(s, hours=hours))] if hours else [], v2=True))  # fmt: skip


def _source(name: str) -> str:
    from .rows import contract

    return contract(name)


# feature → the random groups appended to its file (after its hand-written cases and variations)
EXTRAS = {
    "response": [response_mix],
    "resolution": [lambda f: clock_mix(f, "resolution", range(1000, 1020))],
    "pauses": [lambda f: clock_mix(f, "pauses", range(2000, 2020))],
    "updates": [lambda f: clock_mix(f, "updates", range(3000, 3020))],
    "scopes": [scoped_mix],
    "caps": [scope_cap_quarter],
    "windows": [annual],
}


def _probe(f: SuiteFile, g: list, ident: str, desc: str, clause: str, policy: str, period: str,
           evs: dict[str, list[dict[str, Any]]], as_of: str | None = None, **hand: Any) -> None:  # fmt: skip
    f.case(g, ident, desc, clause=clause, policy=policy, period=period, events=evs, as_of=as_of, **hand)


def response_boundaries(f: SuiteFile) -> None:
    g = f.group("boundaries: the period's first and last instant, as_of before the opening or before the answer")
    cs = [customer("a", "gold", 1000)]
    c = "respond urgent within 1h during always"
    o = "2025-03-03T09:00:00+00:00"
    _probe(
        f,
        g,
        "answer-after-as-of",
        "answered late, after as_of: the answer is known, so it is a breach",
        c,
        "desk",
        "2025-03",
        events(cs, [ticket("T1", "a", "urgent", o, at(o, hours=3), outage=True)]),
        at(o, minutes=30),
    )
    _probe(
        f,
        g,
        "opened-after-as-of",
        "opened after as_of: not yet measured",
        c,
        "desk",
        "2025-03",
        events(cs, [ticket("T1", "a", "urgent", "2025-03-20T09:00:00+00:00", outage=True)]),
        "2025-03-10T09:30:00+00:00",
    )
    for ident, when in (("opened-at-start", "2025-03-01T00:00:00+00:00"), ("opened-at-end", "2025-04-01T00:00:00+00:00"),
                        ("opened-last-us", "2025-03-31T23:59:59.999999+00:00")):  # fmt: skip
        _probe(
            f,
            g,
            ident,
            f"never answered, opened at {when}",
            c,
            "desk",
            "2025-03",
            events(cs, [ticket("T1", "a", "urgent", when, outage=True)]),
            "2025-04-10T00:00:00+00:00",
        )


def merge_boundaries(f: SuiteFile) -> None:
    f.policy("cloud", _source("cloud"))
    g = f.group("boundaries: outages over the whole period, of no length, merged across the period's start")
    cu = [customer("a", "starter", 500)]
    c = "minimum     outage 1min"
    _probe(
        f,
        g,
        "whole-month",
        "one outage from March to May covers April",
        "window      calendar month",
        "uptime",
        "2025-04",
        events(cu, [], [incident("I1", "2025-03-20T00:00:00+00:00", "2025-05-02T00:00:00+00:00")]),
    )
    _probe(
        f,
        g,
        "zero-length",
        "an outage that ends when it starts",
        c,
        "uptime",
        "2025-04",
        events(cu, [], [incident("I1", "2025-04-20T00:00:00+00:00", "2025-04-20T00:00:00+00:00")]),
    )
    _probe(f, g, "merged-across-start", "30 s before the period and 30 s in it merge into one minute-long period", c,
           "uptime", "2025-04", events(cu, [], [
               incident("I1", "2025-03-31T23:59:30+00:00", "2025-04-01T00:00:20+00:00"),
               incident("I2", "2025-04-01T00:00:20+00:00", "2025-04-01T00:00:30+00:00")]))  # fmt: skip
    cc = [customer("a", "standard", 0, good_standing=True)]
    ch = [charge("compute", "us_east", 100)]
    for ident, s, e in (("v2-across-start", "2025-04-30T23:59:30+00:00", "2025-05-01T00:00:50+00:00"),
                        ("v2-across-end", "2025-05-31T23:59:10+00:00", "2025-06-01T00:05:00+00:00"),
                        ("v2-zero-length", "2025-05-03T00:00:00+00:00", "2025-05-03T00:00:00+00:00")):  # fmt: skip
        _probe(f, g, ident, f"compute us_east down {s} – {e}, whole minutes", "downtime    counted in whole minutes",
               "cloud", "2025-05", events(cc, [], [incident("I1", s, e, service="compute", region="us_east")],
                                          charges=ch, v2=True))  # fmt: skip


def maintenance_boundaries(f: SuiteFile) -> None:
    g = f.group("boundaries: maintenance across the new year (the allowance is per calendar year)")
    cc = [customer("a", "standard", 0, good_standing=True)]
    ch = [charge("compute", "us_east", 100)]
    for period, s, e in (("2025-01", "2024-12-31T20:00:00+00:00", "2025-01-01T10:00:00+00:00"),
                         ("2024-12", "2024-12-31T10:00:00+00:00", "2025-01-01T10:00:00+00:00"),
                         ("2025-01", "2024-12-31T23:00:00+00:00", "2025-01-01T09:30:00+00:00")):  # fmt: skip
        inc = incident("M1", s, e, cause="scheduled_maintenance", announced="2024-12-20T00:00:00+00:00", service="compute",
                       region="us_east")  # fmt: skip
        _probe(
            f,
            g,
            f"new-year-{period}-{s[11:13]}",
            f"maintenance {s} – {e}, evaluated in {period}",
            "maintenance notice 5d limit 8h per year",
            "cloud",
            period,
            events(cc, [], [inc], charges=ch, v2=True),
        )


def error_rate_boundaries(f: SuiteFile) -> None:
    g = f.group("boundaries: request rows at the period's ends and not on an interval's start")
    cc = [customer("a", "standard", 0, good_standing=True)]
    ch = [charge("object_storage", "us_east", 100)]

    def rq(s: str) -> dict[str, Any]:
        return {"service": "object_storage", "region": "us_east", "start": s, "total": 10, "failed": 10}

    for ident, starts in (("last-interval", ["2025-05-31T23:55:00+00:00", "2025-06-01T00:00:00+00:00"]),
                          ("unaligned", ["2025-05-10T00:03:17+00:00"]), ("before-period", ["2025-04-30T23:58:00+00:00"]),
                          ("first-interval", ["2025-05-01T00:00:00+00:00", "2025-05-01T00:04:59.999999+00:00"])):  # fmt: skip
        _probe(f, g, ident, f"all requests failing, rows at {', '.join(starts)}", "downtime when error_rate above 5% per 5min",
               "cloud", "2025-05", events(cc, [], [], charges=ch, requests=[rq(s) for s in starts], v2=True))  # fmt: skip


def clock_boundaries(f: SuiteFile) -> None:
    g = f.group("boundaries: as_of before the answer, resolution or update; a reopening in the next period")
    ck = [customer("a", "business", 3100)]
    o = "2025-05-06T10:00:00+08:00"
    c = "resolve p1 within 4h during always"

    def one(ident: str, desc: str, t: dict[str, Any], evs: list[dict[str, Any]], as_of: str | None = None) -> None:
        _probe(f, g, ident, desc, c, "clocks", "2025-05", events(ck, [t], [], ticket_events=evs, v2=True), as_of)

    one("answer-after-as-of", "answered 2 h after opening, as_of at 10 min", ticket("T1", "a", "p1", o, at(o, hours=2), outage=True),
        [], at(o, minutes=10))  # fmt: skip
    one(
        "resolved-after-as-of",
        "resolved the next day, as_of 2 h after opening",
        ticket("T1", "a", "p1", o, at(o, minutes=5), outage=True, resolved=at(o, hours=26)),
        [],
        at(o, hours=2),
    )
    one("update-after-as-of", "an update after as_of does not count before it",
        ticket("T1", "a", "p1", o, at(o, minutes=5), outage=True), [{"ticket": "T1", "at": at(o, hours=3), "event": "update"}],
        at(o, hours=1))  # fmt: skip
    one("resolved-unanswered", "resolved after 20 min without a response", ticket("T1", "a", "p1", o, None, outage=True,
        resolved=at(o, minutes=20)), [])  # fmt: skip
    one(
        "resolved-unanswered-late",
        "resolved after 80 min without a response",
        ticket("T1", "a", "p1", o, None, outage=True, resolved=at(o, minutes=80)),
        [],
    )
    s = "2025-05-31T20:00:00+08:00"
    one("reopened-next-period", "resolved on 31 May, reopened on 1 June: all its cycles count in May",
        ticket("T1", "a", "p1", s, at(s, minutes=5), outage=True, resolved="2025-06-02T12:00:00+08:00"),
        [{"ticket": "T1", "at": at(s, hours=1), "event": "status:resolved"},
         {"ticket": "T1", "at": "2025-06-01T09:00:00+08:00", "event": "status:open"}])  # fmt: skip


def business_day_dst(f: SuiteFile) -> None:
    g = f.group(
        "edge cases, worked by hand: 1 business_day of an around-the-clock Berlin calendar across the DST changes"
    )
    c = "resolve p1 within 1 business_day during berlin_always"
    ck = [customer("a", "europe", 3100)]
    o = "2025-03-29T02:30:00+01:00"
    for ident, resolved, missed, comment in [
        ("gap-met", "2025-03-30T01:00:00+00:00", False, "next day 02:30 does not exist: taken at 03:00 CEST = 01:00Z; D = 23h; resolved at 23h: met"),
        ("gap-missed", "2025-03-30T01:00:01+00:00", True, "23h 1s > 23h: missed, deadline 01:00Z; 3100/31 = 100.00"),
    ]:  # fmt: skip
        _probe(f, g, ident, f"opened Sat 29 March 02:30 CET, resolved {resolved}", c, "clocks", "2025-03",
               events(ck, [ticket("T1", "a", "p1", o, outage=True, resolved=resolved)], [], ticket_events=[], v2=True),
               comment=comment, hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-03-30T01:00:00Z"]} if missed else {},
                                                          "total": "100.00" if missed else "0.00"}}})  # fmt: skip
    o = "2025-10-25T02:30:00+02:00"
    _probe(f, g, "repeated-hour", "opened Sat 25 October 02:30 CEST, never resolved", c, "clocks", "2025-10",
           events(ck, [ticket("T1", "a", "p1", o, outage=True)], [], ticket_events=[], v2=True), "2025-11-05T00:00:00+01:00",
           comment="next day 02:30 occurs twice: the first (CEST) = 00:30Z on 26 Oct; D = 24h; missed; 3100/31 = 100.00",
           hand={"customers": {"a": {"missed_resolutions": {"T1": ["2025-10-26T00:30:00Z"]}, "total": "100.00"}}})  # fmt: skip


EXTRAS["response"].append(response_boundaries)
EXTRAS["availability_merge"] = [merge_boundaries]
EXTRAS["maintenance"] = [maintenance_boundaries]
EXTRAS["error_rate"] = [error_rate_boundaries]
EXTRAS["resolution"].append(clock_boundaries)
EXTRAS["business_days"] = [business_day_dst]


def pause_boundaries(f: SuiteFile) -> None:
    g = f.group(
        "boundaries: a response deadline moved by a pause; a ticket paused for good before or after its deadline"
    )
    ce = [customer("a", "europe", 3100)]
    c = "pause when status pending_customer on_hold"
    o = "2025-05-12T09:00:00+02:00"
    hold = {"ticket": "T1", "event": "status:on_hold"}
    cases = [
        ("deadline-moved", "on hold 09:30–10:30, answered 15:00: breached, the deadline an hour later",
         ticket("T1", "a", "p2", o, at(o, hours=6), resolved=at(o, hours=7)),
         [{**hold, "at": at(o, minutes=30)}, {"ticket": "T1", "at": at(o, minutes=90), "event": "status:open"}], None),
        ("held-for-good-early", "on hold for good 1 h 30 min in, never answered", ticket("T1", "a", "p2", o),
         [{**hold, "at": at(o, minutes=90)}], "2025-06-20T00:00:00+02:00"),
        ("held-for-good-late", "on hold for good 2 h 30 min in, never answered", ticket("T1", "a", "p2", o),
         [{**hold, "at": at(o, minutes=150)}], "2025-06-20T00:00:00+02:00"),
    ]  # fmt: skip
    for ident, desc, t, evs, as_of in cases:
        _probe(f, g, ident, desc, c, "clocks", "2025-05", events(ce, [t], [], ticket_events=evs, v2=True), as_of)


EXTRAS["pauses"].append(pause_boundaries)
