"""Availability: merging incidents, maintenance notice and allowance, scopes, error-rate intervals, windows, termination."""

from __future__ import annotations

import random
from typing import Any

from .build import SuiteFile
from .rows import at, contract, customer, events, incident


def _up(f: SuiteFile, g: list, ident: str, desc: str, clause: str, incs: list[dict[str, Any]], *, period: str = "2025-04",
        tier: str = "starter", fee: int = 500, comment: str | None = None, hand: dict | None = None,
        customers: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
    f.case(g, ident, desc, clause=clause, policy="uptime", period=period, comment=comment, hand=hand,
           events=events(customers or [customer("a", tier, fee)], [], incs))  # fmt: skip


def _cloud(f: SuiteFile, g: list, ident: str, desc: str, clause: str, incs: list[dict[str, Any]], *,
           charges: list[dict[str, Any]], period: str = "2025-05", requests: list[dict[str, Any]] | None = None,
           good: bool = True, comment: str | None = None, hand: dict | None = None) -> None:  # fmt: skip
    f.case(g, ident, desc, clause=clause, policy="cloud", period=period, comment=comment, hand=hand,
           events=events([customer("a", "standard", 0, good_standing=good)], [], incs, charges=charges,
                         requests=requests, v2=True))  # fmt: skip


def charge(service: str, region: str | None, amount: str | int) -> dict[str, Any]:
    return {"customer": "a", "service": service, "region": region, "amount": str(amount)}


def _scope(downtime: str, uptime: str, service: str | None = None, region: str | None = None) -> dict[str, Any]:
    return {"service": service, "region": region, "downtime_seconds": downtime, "uptime": uptime}


def availability_merge() -> SuiteFile:
    f = SuiteFile(
        "availability_merge",
        "Incidents merged as a union of intervals; the minimum outage applies to each merged period.",
    )
    f.policy("uptime", contract("uptime"))
    clause = "minimum     outage 1min"
    g = f.group("edge cases, worked by hand (April 2025: 30 days = 720 h; fee 500 USD)")
    _up(f, g, "across-period-start", "an outage from 31 March 23:00 to 1 April 01:00 counts 1 h in April",
        "window      calendar month", [incident("I1", "2025-03-31T23:00:00+00:00", "2025-04-01T01:00:00+00:00")],
        comment="1h of 720h: 719/720 = 99.861 % < 99.9 %: 10% × 500 = 50.00",
        hand={"customers": {"a": {"scopes": [_scope("3600", "719/720")], "total": "50.00"}}})  # fmt: skip
    _up(f, g, "across-period-end", "an outage from 30 April 23:30 into May counts 30 min in April",
        "window      calendar month", [incident("I1", "2025-04-30T23:30:00+00:00", "2025-05-01T02:00:00+00:00")],
        comment="30 min of 720h: 1439/1440 = 99.93 %: target met; 0.00",
        hand={"customers": {"a": {"scopes": [_scope("1800", "1439/1440")], "total": "0.00"}}})  # fmt: skip
    _up(f, g, "overlap", "10:00–11:00 and 10:30–11:30 merge into 1 h 30 min", clause,
        [incident("I1", "2025-04-10T10:00:00+00:00", "2025-04-10T11:00:00+00:00"),
         incident("I2", "2025-04-10T10:30:00+00:00", "2025-04-10T11:30:00+00:00")],
        comment="union 10:00–11:30 = 5400 s: 1437/1440 (99.79 %): 50.00",
        hand={"customers": {"a": {"scopes": [_scope("5400", "479/480")], "total": "50.00"}}})  # fmt: skip
    _up(f, g, "blips-merge", "two adjacent 40 s blips merge into 80 s, which is at least the 1 min minimum", clause,
        [incident("I1", "2025-04-10T10:00:00+00:00", "2025-04-10T10:00:40+00:00"),
         incident("I2", "2025-04-10T10:00:40+00:00", "2025-04-10T10:01:20+00:00")],
        comment="adjacent: one period of 80 s ≥ 60 s: counted 80 s; 2591920/2592000 = 32399/32400",
        hand={"customers": {"a": {"scopes": [_scope("80", "32399/32400")], "total": "0.00"}}})  # fmt: skip
    _up(f, g, "short-blip", "a lone 59 s blip is below the minimum outage", clause,
        [incident("I1", "2025-04-10T10:00:00+00:00", "2025-04-10T10:00:59+00:00")],
        comment="59 s < 60 s: not downtime; uptime 1/1",
        hand={"customers": {"a": {"scopes": [_scope("0", "1/1")], "total": "0.00"}}})  # fmt: skip
    _up(f, g, "nested", "an incident inside another counts once", clause,
        [incident("I1", "2025-04-10T10:00:00+00:00", "2025-04-10T12:00:00+00:00"),
         incident("I2", "2025-04-10T10:30:00+00:00", "2025-04-10T11:00:00+00:00")],
        comment="union 2h = 7200 s: 359/360 = 99.72 %: 50.00",
        hand={"customers": {"a": {"scopes": [_scope("7200", "359/360")], "total": "50.00"}}})  # fmt: skip
    two = [customer("a", "starter", 500), customer("b", "enterprise", 1000)]
    _up(f, g, "customer-list", "an incident listing one customer does not touch the other", clause,
        [incident("I1", "2025-04-10T10:00:00+00:00", "2025-04-10T11:00:00+00:00", customers=["b"])], customers=two,
        comment="b: 1h → 719/720 < 99.99 %: 10% × 1000 = 100.00; a: 1/1, 0.00",
        hand={"customers": {"a": {"total": "0.00"}, "b": {"total": "100.00"}}})  # fmt: skip
    var = f.group("variations: 3–9 incidents (overlapping, adjacent, short, across the period's ends), two customers")
    for seed in range(32):
        rng = random.Random(seed)
        incs = []
        t = "2025-04-01T00:00:00+00:00"
        for k in range(rng.randint(3, 9)):
            if incs and rng.random() < 0.4:
                start = at(incs[-1]["end"], seconds=-rng.choice([0, 0, 10, 30]))
            else:
                start = at(t, minutes=rng.randint(-120, 30 * 1440 + 60))
            end = at(start, seconds=rng.choice([20, 45, 59, 60, 61, 300, 3600, 5 * 3600, rng.randint(1, 20000)]))
            who = None if rng.random() < 0.7 else [rng.choice(["a", "b"])]
            incs.append(incident(f"I{k + 1}", start, end, customers=who))
        _up(f, var, f"mix-{seed:02d}", f"{len(incs)} incidents, seed {seed}", clause, incs, customers=two)
    return f


def maintenance() -> SuiteFile:
    f = SuiteFile(
        "maintenance", "Planned maintenance is excluded when announced far enough ahead, within a yearly allowance."
    )
    f.policy("uptime", contract("uptime"))
    f.policy("cloud", contract("cloud"))
    clause = "maintenance notice 72h"
    g = f.group("edge cases, worked by hand")
    start = "2025-04-12T01:00:00+00:00"
    for ident, announced, counted, comment in [
        ("exactly-72h", at(start, hours=-72), False, "announced exactly 72 h ahead: excluded; 1/1"),
        ("72h-minus-1s", at(start, hours=-72, seconds=1), True, "71h59m59s < 72h: counted; 4h of 720h = 179/180: 50.00"),
        ("not-announced", None, True, "no announcement: counted; 179/180: 50.00"),
    ]:  # fmt: skip
        _up(f, g, ident, f"4 h of planned maintenance, {ident.replace('-', ' ')}", clause,
            [incident("I1", start, at(start, hours=4), cause="planned_maintenance", announced=announced)],
            comment=comment,
            hand={"customers": {"a": {"scopes": [_scope("14400" if counted else "0", "179/180" if counted else "1/1")],
                                      "total": "50.00" if counted else "0.00"}}})  # fmt: skip
    _up(f, g, "force-majeure", "an excluded cause without a notice rule is never downtime", "excludes    planned_maintenance force_majeure",
        [incident("I1", start, at(start, hours=10), cause="force_majeure")], comment="excluded: 1/1, 0.00",
        hand={"customers": {"a": {"scopes": [_scope("0", "1/1")], "total": "0.00"}}})  # fmt: skip
    allowance = "maintenance notice 5d limit 8h per year"
    jan = incident("M1", "2025-01-10T02:00:00+00:00", "2025-01-10T06:00:00+00:00", cause="scheduled_maintenance",
                   announced="2025-01-03T02:00:00+00:00", service="compute", region="us_east")  # fmt: skip
    feb = incident("M2", "2025-02-14T02:00:00+00:00", "2025-02-14T05:00:00+00:00", cause="scheduled_maintenance",
                   announced="2025-02-07T02:00:00+00:00", service="compute", region="us_east")  # fmt: skip
    mar = incident("M3", "2025-03-14T02:00:00+00:00", "2025-03-14T04:00:00+00:00", cause="scheduled_maintenance",
                   announced="2025-03-07T02:00:00+00:00", service="compute", region="us_east")  # fmt: skip
    _cloud(f, g, "allowance-spent", "4 h + 3 h of the 8 h allowance used before March: 1 of March's 2 h counts", allowance,
           [jan, feb, mar], charges=[charge("compute", "us_east", 500)], period="2025-03",
           comment="7h used; March 2h: 1h excluded, 1h counted; 60/44640 min → 743/744 = 99.866 % < 99.99 %: 10% × 500 = 50.00",
           hand={"customers": {"a": {"scopes": [_scope("3600", "743/744", "compute", "us_east"), _scope("0", "1/1", "dns")],
                                     "total": "50.00"}}})  # fmt: skip
    var = f.group(
        "variations: maintenance announced 0–8 days ahead, 1–10 h long, under the 72 h notice (v1) and the 5 d / 8 h allowance (v2)"
    )
    for days in (0, 2, 3, 4, 5, 6, 8):
        for hours in (1, 4, 9):
            announced = at(start, days=-days, minutes=-1 if days in (3, 5) else 0) if days else None
            _up(f, var, f"v1-{days}d-{hours}h", f"{hours} h announced {days} d ahead (v1, 72 h notice)", clause,
                [incident("I1", start, at(start, hours=hours), cause="planned_maintenance", announced=announced)])  # fmt: skip
    for before in (0, 3, 6, 7, 8, 10):
        incs = [incident("M0", "2025-02-01T00:00:00+00:00", f"2025-02-01T{before:02d}:00:00+00:00", cause="scheduled_maintenance",
                         announced="2025-01-20T00:00:00+00:00", service="compute", region="us_east")] if before else []  # fmt: skip
        for hours in (1, 3):
            _cloud(f, var, f"v2-used-{before}h-then-{hours}h", f"{before} h of the allowance used in February, {hours} h in May",
                   allowance, incs + [incident("M1", "2025-05-10T02:00:00+00:00", f"2025-05-10T{2 + hours:02d}:00:00+00:00",
                                               cause="scheduled_maintenance", announced="2025-05-01T00:00:00+00:00",
                                               service="compute", region="us_east")],
                   charges=[charge("compute", "us_east", 300)])  # fmt: skip
    return f


def scopes() -> SuiteFile:
    f = SuiteFile(
        "scopes",
        "Each service is measured on its own (per region where it says so); credits are shares of its charges.",
    )
    f.policy("cloud", contract("cloud"))
    clause = "measured per region"
    g = f.group("edge cases, worked by hand (May 2025: 31 days = 44640 min)")
    two = [charge("compute", "us_east", 800), charge("compute", "eu_west", 200)]
    _cloud(f, g, "one-region", "an outage in eu_west counts there only", clause,
           [incident("I1", "2025-05-04T10:00:00+00:00", "2025-05-04T10:50:00+00:00", service="compute", region="eu_west")],
           charges=two, comment="eu_west 50 min: 44590/44640 = 4459/4464 < 99.99 %: 10% × 200 = 20.00; us_east 1/1",
           hand={"customers": {"a": {"scopes": [_scope("3000", "4459/4464", "compute", "eu_west"),
                                                _scope("0", "1/1", "compute", "us_east"), _scope("0", "1/1", "dns")],
                                     "total": "20.00"}}})  # fmt: skip
    _cloud(f, g, "every-region", "an outage of compute without a region counts in each of its regions", clause,
           [incident("I1", "2025-05-04T10:00:00+00:00", "2025-05-04T10:50:00+00:00", service="compute")],
           charges=two, comment="both regions 50 min below 99.99 %: 10% × 800 + 10% × 200 = 100.00",
           hand={"customers": {"a": {"total": "100.00"}}})  # fmt: skip
    _cloud(f, g, "platform", "an incident naming no service counts for every scope", "service dns",
           [incident("I1", "2025-05-04T10:00:00+00:00", "2025-05-04T10:50:00+00:00")],
           charges=[*two, charge("dns", None, 50)],
           comment="dns 50 min: 4459/4464 = 99.888 % < 99.95 %: 10% × 50 = 5; compute 80 + 20; total 105.00",
           hand={"customers": {"a": {"total": "105.00"}}})  # fmt: skip
    var = f.group("variations: outages of each service and region, with and without charges there")
    regions = ("us_east", "eu_west", "ap_south")
    for seed in range(30):
        rng = random.Random(100 + seed)
        charges = [charge("compute", r, rng.choice([0, 120, 999, 2500])) for r in regions if rng.random() < 0.7]
        charges += [charge("object_storage", r, rng.choice([40, 300])) for r in regions if rng.random() < 0.4]
        if rng.random() < 0.5:
            charges.append(charge("dns", None, rng.choice([10, 75])))
        incs = []
        for k in range(rng.randint(1, 5)):
            service = rng.choice([None, "compute", "compute", "object_storage", "dns"])
            region = rng.choice([None, *regions]) if service in ("compute", "object_storage") else None
            start = at("2025-05-01T00:00:00+00:00", minutes=rng.randint(0, 44000))
            incs.append(incident(f"I{k + 1}", start, at(start, minutes=rng.choice([2, 30, 90, 600, 3000])),
                                 service=service, region=region))  # fmt: skip
        _cloud(f, var, f"mix-{seed:02d}", f"{len(incs)} outages over {len(charges)} charged scopes, seed {seed}", clause,
               incs, charges=charges, good=rng.random() > 0.15)  # fmt: skip
    return f


def error_rate() -> SuiteFile:
    f = SuiteFile("error_rate", "An interval whose failed share of requests is above the threshold is downtime.")
    f.policy("cloud", contract("cloud"))
    clause = "downtime when error_rate above 5% per 5min"
    g = f.group("edge cases, worked by hand (object storage in us_east, 300 USD)")
    ch = [charge("object_storage", "us_east", 300)]

    def req(start: str, total: int, failed: int, region: str = "us_east") -> dict[str, Any]:
        return {"service": "object_storage", "region": region, "start": start, "total": total, "failed": failed}

    t0 = "2025-05-10T08:00:00+00:00"
    _cloud(f, g, "exactly-5", "exactly 5 % failed is not above 5 %", clause, [], charges=ch,
           requests=[req(t0, 1000, 50)], comment="50/1000 = 5 % is not above 5 %: 1/1; 0.00",
           hand={"customers": {"a": {"scopes": [_scope("0", "1/1", "dns"), _scope("0", "1/1", "object_storage", "us_east")],
                                     "total": "0.00"}}})  # fmt: skip
    _cloud(f, g, "just-above", "51 of 1000 failed is above 5 %: the 5-minute interval is down", clause, [], charges=ch,
           requests=[req(t0, 1000, 51)], comment="5 min of 44640: 8927/8928 = 99.989 % ≥ 99.9 %: 0.00",
           hand={"customers": {"a": {"scopes": [_scope("0", "1/1", "dns"), _scope("300", "8927/8928", "object_storage", "us_east")],
                                     "total": "0.00"}}})  # fmt: skip
    _cloud(f, g, "rows-add-up", "two rows in one interval add up: 30/500 + 30/500 = 6 %", clause, [], charges=ch,
           requests=[req(t0, 500, 30), req(at(t0, minutes=2), 500, 30)],
           comment="one interval 08:00–08:05: 60/1000 = 6 % > 5 %: 300 s down",
           hand={"customers": {"a": {"scopes": [_scope("0", "1/1", "dns"), _scope("300", "8927/8928", "object_storage", "us_east")]}}})  # fmt: skip
    _cloud(f, g, "an-hour", "an hour at 8 % failed: 12 intervals down, below 99.9 %", clause, [], charges=ch,
           requests=[req(at(t0, minutes=5 * k), 1000, 80) for k in range(12)],
           comment="60 min of 44640: 743/744 = 99.866 % < 99.9 %: 10% × 300 = 30.00",
           hand={"customers": {"a": {"total": "30.00"}}})  # fmt: skip
    var = f.group("variations: failure shares around 5 %, request volumes, intervals merged with outages")
    for k, (total, failed) in enumerate([(0, 0), (20, 1), (20, 2), (100, 5), (100, 6), (1000, 49), (1000, 50),
                                         (1000, 51), (7, 1), (3, 0), (1000000, 50000), (1000000, 50001)]):  # fmt: skip
        for n in (1, 12, 150):
            reqs = [req(at(t0, minutes=5 * j), total, failed) for j in range(n)]
            _cloud(f, var, f"share-{k:02d}-x{n}", f"{n} interval(s) of {failed}/{total} failed", clause, [],
                   charges=ch, requests=reqs)  # fmt: skip
    _cloud(f, var, "with-outage", "an error-rate interval touching an outage merges with it", clause,
           [incident("I1", at(t0, minutes=5), at(t0, minutes=7, seconds=30), service="object_storage", region="us_east")],
           charges=ch, requests=[req(t0, 100, 10), req(at(t0, minutes=10), 100, 10)])  # fmt: skip
    _cloud(f, var, "other-region", "requests of another region do not count in us_east", clause, [],
           charges=[*ch, charge("object_storage", "eu_west", 100)],
           requests=[req(t0, 100, 50, "eu_west")] * 1 + [req(at(t0, minutes=5 * j), 100, 50, "eu_west") for j in range(1, 200)])  # fmt: skip
    return f


BUILDERS = {
    "availability_merge": availability_merge,
    "maintenance": maintenance,
    "scopes": scopes,
    "error_rate": error_rate,
}
