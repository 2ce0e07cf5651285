"""Random but seeded cases (the same files every run): many tickets or incidents per case, mixed histories.

They join the feature files as extra groups: the response clock over mixed tiers, priorities and
causes; ticket clocks with random status histories (pauses, reopenings, updates); scoped
availability of several customers with maintenance, error rates and customer lists; a scope cap
over the quarter; annual windows.
"""

from __future__ import annotations

import random

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
