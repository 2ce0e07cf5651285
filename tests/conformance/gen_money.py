"""Money and periods: windows, bands, formulas, caps, minimum credit, claims, termination."""

from __future__ import annotations

import random
from typing import Any

from .build import SuiteFile
from .gen_availability import _cloud, _scope, _up, charge
from .gen_tickets import late
from .rows import at, contract, customer, events, incident, ticket


def _q(f: SuiteFile, g: list, ident: str, desc: str, clause: str, incs: list[dict[str, Any]], *, period: str,
       tier: str = "business", fee: int = 3000, policy: str = "quarter", comment: str | None = None,
       hand: dict | None = None) -> None:  # fmt: skip
    f.case(g, ident, desc, clause=clause, policy=policy, period=period, comment=comment, hand=hand,
           events=events([customer("a", tier, fee)], [], incs, v2=True))  # fmt: skip


QSTART = {"Q1": "2025-01-01T00:00:00+01:00", "Q2": "2025-04-01T00:00:00+02:00", "Q3": "2025-07-01T00:00:00+02:00",
          "Q4": "2025-10-01T00:00:00+02:00"}  # fmt: skip


def windows() -> SuiteFile:
    f = SuiteFile(
        "windows", "Calendar quarters in the contract's zone (Europe/Berlin), with their real length across DST."
    )
    f.policy("quarter", contract("quarter"))
    clause = "window   calendar quarter"
    g = f.group("edge cases, worked by hand (fee 3000 EUR, 3 h down, 10 × fee × downtime / window)")
    for q, hours, total in [("Q1", 2159, "41.69"), ("Q2", 2184, "41.21"), ("Q4", 2209, "40.74")]:
        start = at(QSTART[q], days=20)
        _q(f, g, f"length-{q}", f"2025-{q} has {hours} hours", clause,
           [incident("I1", start, at(start, hours=3))], period=f"2025-{q}",
           comment=f"{hours} h in the quarter (DST counted); 10 × 3000 × 3 / {hours} = {total}",
           hand={"customers": {"a": {"total": total, "scopes": [_scope("10800", f"{hours - 3}/{hours}")
                 if (hours - 3) % 3 or hours % 3 else _scope("10800", f"{(hours - 3) // 3}/{hours // 3}")]}}})  # fmt: skip
    _q(f, g, "across-quarter-start", "an outage from 31 March 23:00 to 1 April 01:00 counts 1 h in Q2", clause,
       [incident("I1", "2025-03-31T23:00:00+02:00", "2025-04-01T01:00:00+02:00")], period="2025-Q2",
       comment="1 h of 2184 h: 2183/2184 = 99.954 % ≥ 99.9 %: 0.00",
       hand={"customers": {"a": {"scopes": [_scope("3600", "2183/2184")], "total": "0.00"}}})  # fmt: skip
    var = f.group("variations: 0–40 h down in each quarter of 2025, on both tiers")
    for q in QSTART:
        for hours in (0, 1, 2, 3, 5, 8, 13, 21, 34):
            for tier, fee in (("business", 3000), ("premium", 9100)):
                start = at(QSTART[q], days=40, hours=hours)
                _q(f, var, f"{q}-{hours}h-{tier}", f"2025-{q}, {hours} h down, {tier}", clause,
                   [incident("I1", start, at(start, hours=hours))] if hours else [], period=f"2025-{q}", tier=tier, fee=fee)  # fmt: skip
    return f


def bands() -> SuiteFile:
    f = SuiteFile("bands", "Bands: `below` is strict, `at or below` inclusive; the single worst band crossed pays.")
    f.policy("uptime", contract("uptime"))
    f.policy("cloud", contract("cloud"))
    g = f.group("edge cases, worked by hand (v1: April 2025 = 2 592 000 s, fee 500; v2: May 2025 = 44 640 min)")
    april = "2025-04-10T00:00:00+00:00"
    for ident, seconds, total, clause, comment in [
        ("target-exact", 2592, "0.00", "when uptime below target 10% of monthly_fee", "2592 s = 0.1 %: uptime 99.9 % exactly is not below 99.9 %"),
        ("target-1s", 2593, "50.00", "when uptime below target 10% of monthly_fee", "2593 s: below 99.9 %: 10% × 500"),
        ("99-exact", 25920, "50.00", "when uptime below 99.0%  25% of monthly_fee", "25920 s = 1 %: 99.0 % is not below 99.0 %: the target band only, 50.00"),
        ("99-1s", 25921, "125.00", "when uptime below 99.0%  25% of monthly_fee", "below 99.0 %: 25% × 500 = 125.00"),
        ("95-exact", 129600, "125.00", "when uptime below 95.0%  100% of monthly_fee", "129600 s = 5 %: 95.0 % is not below 95 %: 125.00"),
        ("95-1s", 129601, "500.00", "when uptime below 95.0%  100% of monthly_fee", "below 95 %: 100% × 500 = 500.00"),
    ]:  # fmt: skip
        _up(f, g, ident, f"{seconds} s down in April", clause, [incident("I1", april, at(april, seconds=seconds))],
            comment=comment, hand={"customers": {"a": {"total": total}}})  # fmt: skip
    may = "2025-05-10T00:00:00+00:00"
    ch = [charge("compute", "us_east", 100)]
    for ident, minutes, total, clause, comment in [
        ("inclusive-95", 2232, "100.00", "when uptime at or below 95.0%  100% of service_charges", "2232 min = 5 % of 44640: 95.0 % is at or below 95 %: 100% × 100"),
        ("inclusive-95-less", 2231, "30.00", "when uptime at or below 95.0%  100% of service_charges", "2231 min: 95.002 %: below 99 %: 30% × 100"),
        ("strict-99", 446, "10.00", "when uptime below 99.0%        30% of service_charges", "446 min: 99.0009 % is not below 99 %: 10% × 100"),
        ("strict-99-more", 447, "30.00", "when uptime below 99.0%        30% of service_charges", "447 min: 98.9986 %: 30% × 100"),
    ]:  # fmt: skip
        _cloud(f, g, ident, f"{minutes} min down in May (compute us_east, 100 USD)", clause,
               [incident("I1", may, at(may, minutes=minutes), service="compute", region="us_east")], charges=ch,
               comment=comment, hand={"customers": {"a": {"total": total}}})  # fmt: skip
    var = f.group("variations: downtime 1 s / 60 s either side of each threshold, v1 (both tiers) and v2")
    for base in (2592, 259, 25920, 129600):
        for delta in (-60, -1, 0, 1, 60):
            for tier, fee in (("starter", 500), ("enterprise", 1200)):
                s = base + delta
                _up(f, var, f"v1-{base}{delta:+d}-{tier}", f"{s} s down, {tier}", "when uptime below target 10% of monthly_fee",
                    [incident("I1", april, at(april, seconds=s))], tier=tier, fee=fee)  # fmt: skip
    for base in (4, 45, 446, 2232):
        for delta in (-1, 0, 1):
            m = base + delta
            _cloud(f, var, f"v2-{base}{delta:+d}min", f"{m} min down (compute us_east)", "when uptime below target       10% of service_charges",
                   [incident("I1", may, at(may, minutes=m, seconds=30), service="compute", region="us_east")], charges=ch)  # fmt: skip
    return f


def formulas() -> SuiteFile:
    f = SuiteFile(
        "formulas", "Credits as formulas of window_fee, downtime and window, in exact fractions, rounded once."
    )
    f.policy("quarter", contract("quarter"))
    g = f.group("edge cases, worked by hand (2025-Q2: 2184 h; premium fee 9100 EUR, 15 service days = 1500)")
    start = "2025-05-06T10:00:00+02:00"
    clause = "when uptime below target 5 * window_fee * downtime / window"
    for hours, total, comment in [
        (1, "0.00", "2183/2184 = 99.954 % ≥ 99.95 %: no band"),
        (2, "41.67", "2182/2184 = 99.908 %: 5 × 9100 × 2 / 2184 = 41.666… → 41.67"),
        (24, "1500.00", "2160/2184 = 98.90 % < 99 %: min(9100, 20 × 9100 × 24 / 2184 = 2000) = 2000, capped at 15 × 9100 / 91 = 1500"),
    ]:  # fmt: skip
        _q(f, g, f"premium-{hours}h", f"premium, {hours} h down in Q2", clause,
           [incident("I1", start, at(start, hours=hours))], period="2025-Q2", tier="premium", fee=9100, comment=comment,
           hand={"customers": {"a": {"total": total}}})  # fmt: skip
    var = f.group("variations: 30 min to 20 h down, premium and business, fees 700 to 12000")
    for minutes in (30, 65, 90, 131, 180, 277, 360, 600, 719, 1200):
        for tier, fee in (("business", 700), ("business", 12000), ("premium", 9100)):
            _q(f, var, f"{tier}-{fee}-{minutes}min", f"{tier} at {fee} EUR, {minutes} min down in Q3",
               "when uptime below 99.0%  min(window_fee, 20 * window_fee * downtime / window)" if tier == "premium"
               else "when uptime below target 10 * window_fee * downtime / window",
               [incident("I1", "2025-08-06T10:00:00+02:00", at("2025-08-06T10:00:00+02:00", minutes=minutes))],
               period="2025-Q3", tier=tier, fee=fee)  # fmt: skip
    return f


def caps() -> SuiteFile:
    f = SuiteFile(
        "caps", "One cap limits the period's exact sum; a cap over a longer span takes off what earlier windows used."
    )
    f.policy("quarter", contract("quarter"))
    f.policy("quarter_year", contract("quarter_year"))
    f.policy("uptime", contract("uptime"))
    g = f.group("edge cases, worked by hand")
    start = "2025-02-03T10:00:00+01:00"
    _q(f, g, "year-cap-first-quarter", "Q1, the first window of the year: 48 h down, capped at 20 service days",
       "cap 20 service_days per year", [incident("I1", start, at(start, hours=48))], period="2025-Q1", fee=9000,
       policy="quarter_year", comment="10 × 9000 × 48 / 2159 = 2000.93 > 20 × 9000 / 90 = 2000.00",
       hand={"customers": {"a": {"total": "2000.00"}}})  # fmt: skip
    _q(f, g, "quarter-cap", "Q2: 60 h down: 10 × 3000 × 60 / 2184 = 824.18 > 15 × 3000 / 91 = 494.51",
       "cap 15 service_days per quarter", [incident("I1", "2025-05-06T10:00:00+02:00", "2025-05-08T22:00:00+02:00")],
       period="2025-Q2", comment="60 h: 824.175… capped at 494.505… → 494.51", hand={"customers": {"a": {"total": "494.51"}}})  # fmt: skip
    ts = [ticket(f"T{k:02d}", "a", "high", "2025-04-07T09:00:00+00:00", "2025-04-07T11:00:00+00:00") for k in range(12)]
    f.case(g, "v1-per-miss", "12 missed responses at 10 % each: 120 % of the fee, capped at 100 %",
           clause="cap 100% of monthly_fee per month", policy="uptime", period="2025-04",
           events=events([customer("a", "enterprise", 1000)], ts, []),
           comment="12 × 10% × 1000 = 1200 > 1000.00", hand={"customers": {"a": {"total": "1000.00"}}})  # fmt: skip
    var = f.group("variations: a yearly cap of 20 service days over quarters, with outages in the earlier quarters")
    for seed in range(24):
        rng = random.Random(300 + seed)
        q = rng.choice(["Q2", "Q3", "Q4"])
        incs = []
        for k, name in enumerate(QSTART):
            if name > q:
                break
            hours = rng.choice([0, 2, 10, 30, 60])
            if hours:
                s = at(QSTART[name], days=rng.randint(5, 60))
                incs.append(incident(f"I{k + 1}", s, at(s, hours=hours)))
        _q(f, var, f"year-{seed:02d}-{q}", f"2025-{q} with {len(incs)} outages this year, seed {seed}",
           "cap 20 service_days per year", incs, period=f"2025-{q}", tier=rng.choice(["business", "premium"]),
           fee=rng.choice([3000, 9100]), policy="quarter_year")  # fmt: skip
    for hours in (20, 36, 37, 40, 100):
        s = "2025-11-03T10:00:00+01:00"
        _q(f, var, f"quarter-{hours}h", f"Q4, {hours} h down against the quarter's cap of 15 service days",
           "cap 15 service_days per quarter", [incident("I1", s, at(s, hours=hours))], period="2025-Q4")  # fmt: skip
    return f


def minimum_credit() -> SuiteFile:
    f = SuiteFile("minimum_credit", "A total below the minimum credit is not paid (zeroed before rounding).")
    f.policy("cloud", contract("cloud"))
    clause = "minimum credit 1 USD per month"
    g = f.group("edge cases, worked by hand (20 min down in compute us_east: below 99.99 %, 10 % of charges)")
    s = "2025-05-20T03:00:00+00:00"
    out = [incident("I1", s, at(s, minutes=20), service="compute", region="us_east")]
    for amount, total, comment in [("9.90", "0.00", "10% × 9.90 = 0.99 < 1: zeroed"),
                                   ("10.00", "1.00", "10% × 10.00 = 1.00 is not below 1: paid"),
                                   ("9.999", "0.00", "0.9999 < 1: zeroed (before rounding, which would give 1.00)"),
                                   ("10.04", "1.00", "1.004 → 1.00")]:  # fmt: skip
        _cloud(f, g, f"charges-{amount}", f"charges {amount} USD", clause, out, charges=[charge("compute", "us_east", amount)],
               comment=comment, hand={"customers": {"a": {"total": total}}})  # fmt: skip
    _cloud(f, g, "scopes-add-up", "0.60 + 0.60 from two regions: 1.20 together is paid", clause,
           [incident("I1", s, at(s, minutes=20), service="compute")],
           charges=[charge("compute", "us_east", 6), charge("compute", "eu_west", 6)],
           comment="each 10% × 6 = 0.60; total 1.20 ≥ 1: 1.20", hand={"customers": {"a": {"total": "1.20"}}})  # fmt: skip
    var = f.group("variations: charges from 5 to 15 USD, 1 to 3 regions")
    for amount in ("5", "8.5", "9.5", "9.99", "10", "10.01", "12", "15"):
        for n in (1, 2, 3):
            regions = ["us_east", "eu_west", "ap_south"][:n]
            _cloud(f, var, f"charges-{amount}-x{n}", f"{n} region(s) of {amount} USD each, 20 min down in all", clause,
                   [incident("I1", s, at(s, minutes=20), service="compute")],
                   charges=[charge("compute", r, amount) for r in regions])  # fmt: skip
    return f


def claims() -> SuiteFile:
    f = SuiteFile(
        "claims", "The claim deadline: `within D` after the window's end (wall clock), or `within N billing cycles`."
    )
    for name in ("uptime", "cloud", "quarter"):
        f.policy(name, contract(name))
    f.policy("berlin", contract("berlin"))
    g = f.group("edge cases, worked by hand")
    hands = [("uptime", "2025-01", "2025-03-03T00:00:00Z", "1 Feb + 30 d = 3 Mar (February has 28 days)"),
             ("uptime", "2025-02", "2025-03-31T00:00:00Z", "1 Mar + 30 d = 31 Mar"),
             ("uptime", "2025-12", "2026-01-31T00:00:00Z", "1 Jan 2026 + 30 d = 31 Jan 2026"),
             ("cloud", "2025-01", "2025-04-01T00:00:00Z", "two cycles after January: February and March; ends 1 Apr 00:00"),
             ("cloud", "2025-12", "2026-03-01T00:00:00Z", "January and February 2026; ends 1 Mar 2026"),
             ("berlin", "2025-02", "2025-03-30T22:00:00Z", "1 Mar 00:00 CET + 30 d on the wall clock = 31 Mar 00:00 CEST = 30 Mar 22:00Z"),
             ("quarter", "2025-Q4", "2026-01-30T23:00:00Z", "1 Jan 2026 00:00 CET + 30 d = 31 Jan 00:00 CET")]  # fmt: skip
    clauses = {"uptime": 'claim within 30d via "claims@uptime.example"',
               "cloud": 'claim within 2 billing cycles via "https://console.cloud.example/support"',
               "berlin": 'claim within 30d via "claims@berlin.example"', "quarter": 'claim within 30d via "claims@quarter.example"'}  # fmt: skip
    tiers = {"uptime": "starter", "cloud": "standard", "berlin": "gold", "quarter": "business"}
    for policy, period, deadline, comment in hands:
        f.case(g, f"{policy}-{period}", f"{policy}: the claim deadline of {period}", clause=clauses[policy], policy=policy,
               period=period, comment=comment, events=_quiet(policy, tiers[policy]),
               hand={"customers": {"a": {"claim_deadline": deadline}}})  # fmt: skip
    var = f.group("variations: every month of 2025 and 2026 (quarters for the quarterly contract)")
    for policy in ("uptime", "cloud", "berlin"):
        for year in (2025, 2026):
            for month in range(1, 13):
                period = f"{year}-{month:02d}"
                f.case(var, f"{policy}-{period}-all", f"{policy}: {period}", clause=clauses[policy], policy=policy,
                       period=period, events=_quiet(policy, tiers[policy]))  # fmt: skip
    for q in ("Q1", "Q2", "Q3"):
        f.case(var, f"quarter-2025-{q}", f"quarter: 2025-{q}", clause=clauses["quarter"], policy="quarter",
               period=f"2025-{q}", events=_quiet("quarter", "business"))  # fmt: skip
    return f


def _quiet(policy: str, tier: str) -> dict[str, list[dict[str, Any]]]:
    cs = [customer("a", tier, 100, **({"good_standing": True} if policy == "cloud" else {}))]
    return events(cs, [], [], v2=policy in ("cloud", "quarter"))


def termination() -> SuiteFile:
    f = SuiteFile("termination", "A right to terminate after N consecutive months below a level (per scope).")
    f.policy("cloud", contract("cloud"))
    clause = "terminate when uptime below 99.0% for 3 consecutive months"
    ch = [charge("compute", "us_east", 100)]

    def outage(month: int, minutes: int, region: str = "us_east") -> dict[str, Any]:
        s = f"2025-{month:02d}-08T00:00:00+00:00"
        return incident(f"I{month}-{region}", s, at(s, minutes=minutes), service="compute", region=region)

    g = f.group("edge cases, worked by hand")
    _cloud(f, g, "three-months", "8 h down in January, February and March", clause,
           [outage(1, 480), outage(2, 480), outage(3, 480)], charges=ch, period="2025-03",
           comment="Jan 736/744 = 98.92 %, Feb 664/672 = 98.81 %, Mar 98.92 %: all below 99 %: right; March 30% × 100",
           hand={"customers": {"a": {"termination": True, "total": "30.00"}}})  # fmt: skip
    _cloud(f, g, "january-at-99", "January exactly at 99 % (446 whole minutes of 44640 is above 99 %): no right", clause,
           [outage(1, 446), outage(2, 480), outage(3, 480)], charges=ch, period="2025-03",
           comment="446/44640 = 0.9991 %: 99.0009 % is not below 99 %: the run breaks", hand={"customers": {"a": {"termination": False}}})  # fmt: skip
    _cloud(f, g, "other-region", "the third month's outage in another region does not continue the run", clause,
           [outage(1, 480), outage(2, 480), outage(3, 480, "eu_west")], charges=[*ch, charge("compute", "eu_west", 50)],
           period="2025-03", comment="us_east: March 100 %; eu_west: only March below: no right",
           hand={"customers": {"a": {"termination": False}}})  # fmt: skip
    var = f.group(
        "variations: each pattern of months below 99 % from January to May, evaluated in March, April and May"
    )
    for mask in range(32):
        incs = [outage(m + 1, 480 if mask >> m & 1 else 300) for m in range(5)]
        for period in ("2025-03", "2025-05"):
            _cloud(f, var, f"mask-{mask:05b}-{period}", f"below 99 % in months {[m + 1 for m in range(5) if mask >> m & 1]}, {period}",
                   clause, [i for i in incs if i["start"] < f"{period}-32"], charges=ch, period=period)  # fmt: skip
    return f


assert late  # shared helper of the ticket files

BUILDERS = {"windows": windows, "bands": bands, "formulas": formulas, "caps": caps, "minimum_credit": minimum_credit,
            "claims": claims, "termination": termination}  # fmt: skip
