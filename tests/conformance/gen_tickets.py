"""Response clocks (language v1): calendars, DST, holidays and make-up days, downgrade, the response rule."""

from __future__ import annotations

from .build import SuiteFile
from .rows import at, contract, customer, events, ticket

DESK = "respond urgent within 1h  during always"


def late(period: str) -> str:
    """20 days after the end of a monthly period (UTC): late enough for every deadline of these cases."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}-21T00:00:00+00:00"


def _one(f: SuiteFile, group: list, ident: str, desc: str, clause: str, policy: str, period: str, t: dict,
         *, tier: str = "gold", fee: int = 1000, as_of: str | None = None, comment: str | None = None,
         hand: dict | None = None) -> None:  # fmt: skip
    if as_of is None and t["responded_at"] is None:  # never answered: measured up to 20 days after the period
        as_of = late(period)
    f.case(group, ident, desc, clause=clause, policy=policy, period=period,
           events=events([customer("a", tier, fee)], [{**t, "customer": "a"}]), as_of=as_of, comment=comment,
           hand=hand)  # fmt: skip


def response() -> SuiteFile:
    f = SuiteFile(
        "response", "The v1 response clock: a target of D is met when its calendar shows at most D at the response."
    )
    p = f.policy("desk", contract("desk"))
    g = f.group("edge cases, worked by hand")
    _one(f, g, "at-deadline", "answered exactly 1 h after opening: met", DESK, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-03T09:00:00+00:00", "2025-03-03T10:00:00+00:00", outage=True),
         comment="always calendar: 09:00 + 1h = 10:00; the clock shows exactly 1h: at most D is met; 0 breaches, 0.00",
         hand={"customers": {"a": {"breaches": {}, "total": "0.00"}}})  # fmt: skip
    _one(f, g, "one-us-late", "answered 1 µs after the deadline: breached", DESK, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-03T09:00:00+00:00", "2025-03-03T10:00:00.000001+00:00", outage=True),
         comment="1h + 1µs > 1h: breached, deadline 10:00Z; credit 5% × 1000 = 50.00",
         hand={"customers": {"a": {"breaches": {"T1": "2025-03-03T10:00:00Z"}, "total": "50.00"}}})  # fmt: skip
    clause = "respond high   within 4h  during office"
    for ident, resp, late, comment in [
        ("closing-after", "2025-03-04T17:30:00-05:00", False, "opened 13:00 EST, 4h of 09–17 end at the closing 17:00; 17:30 is closed time: the clock still shows 4h: met"),
        ("closing-next-open", "2025-03-05T09:00:00-05:00", False, "the next opening 09:00: still 4h on the clock: met"),
        ("closing-next-open-1s", "2025-03-05T09:00:01-05:00", True, "09:00:01 the next day: 4h 1s > 4h: breached, deadline shown at the closing 17:00 EST = 22:00Z; 50.00"),
    ]:  # fmt: skip
        _one(f, g, ident, f"a deadline exactly at closing (NY office), answered {resp}", clause, p, "2025-03",
             ticket("T1", "a", "high", "2025-03-04T13:00:00-05:00", resp), comment=comment,
             hand={"customers": {"a": {"breaches": {"T1": "2025-03-04T22:00:00Z"} if late else {},
                                       "total": "50.00" if late else "0.00"}}})  # fmt: skip
    _one(f, g, "open-before-deadline", "not answered, as_of before the deadline: open, not a breach", DESK, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-31T23:30:00+00:00", outage=True), as_of="2025-04-01T00:00:00+00:00",
         comment="as_of is 30 min after opening: 30min ≤ 1h: open; 0 breaches",
         hand={"customers": {"a": {"breaches": {}, "total": "0.00"}}})  # fmt: skip
    _one(f, g, "open-past-deadline", "not answered by as_of, past the deadline: breached", DESK, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-20T08:00:00+00:00", outage=True), as_of="2025-03-20T09:00:01+00:00",
         comment="1h 1s elapsed at as_of > 1h: breached, deadline 09:00Z; 50.00",
         hand={"customers": {"a": {"breaches": {"T1": "2025-03-20T09:00:00Z"}, "total": "50.00"}}})  # fmt: skip
    _one(f, g, "excluded-cause", "a late ticket with an excluded cause is not a breach", "exclude planned", p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-03T09:00:00+00:00", "2025-03-03T12:00:00+00:00", outage=True, cause="planned"),
         comment="3h > 1h but the cause `planned` is excluded: 0 breaches, 0.00",
         hand={"customers": {"a": {"breaches": {}, "total": "0.00"}}})  # fmt: skip
    _one(f, g, "before-period", "a ticket opened before the period belongs to the earlier period", DESK, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-02-28T23:59:59+00:00", "2025-03-01T03:00:00+00:00", outage=True),
         comment="opened in February: not a ticket of 2025-03; 0 breaches",
         hand={"customers": {"a": {"breaches": {}, "total": "0.00"}}})  # fmt: skip
    capped = f.group("a cap that binds: 25 late tickets × 5% = 125% of the fee, capped at 100%")
    ts = [ticket(f"T{k:02d}", "a", "urgent", "2025-03-05T09:00:00+00:00", "2025-03-05T11:00:00+00:00", outage=True)
          for k in range(1, 26)]  # fmt: skip
    f.case(capped, "cap-binds", "25 breaches at 5% of 400 = 500, capped at 400.00", clause="cap 100% of monthly_fee per month",
           policy=p, period="2025-03", events=events([customer("a", "gold", 400)], ts),
           comment="25 × 5% × 400 = 500.00 > cap 100% × 400 = 400.00", hand={"customers": {"a": {"total": "400.00"}}})  # fmt: skip
    var = f.group("variations: each tier and priority, answered 0 min to 11 h after opening on a Tuesday 10:00 NY")
    for tier, prio, clause in [("gold", "urgent", DESK), ("gold", "high", "respond high   within 4h  during office"),
                               ("gold", "normal", "respond normal within 8h  during berlin"),
                               ("silver", "urgent", "respond urgent within 2h  during always"),
                               ("silver", "high", "respond high   within 10h during cn")]:  # fmt: skip
        for minutes in (0, 59, 60, 61, 119, 120, 121, 239, 240, 241, 479, 480, 481, 660):
            opened = "2025-03-11T10:00:00-04:00"
            _one(f, var, f"{tier}-{prio}-{minutes}min", f"{tier} {prio}, answered {minutes} min after opening",
                 clause, p, "2025-03", ticket("T1", "a", prio, opened, at(opened, minutes=minutes), outage=True),
                 tier=tier, fee=700)  # fmt: skip
    return f


def calendars() -> SuiteFile:
    f = SuiteFile(
        "calendars",
        "Open hours of a calendar in its own zone: a ticket opened while closed starts at the next opening.",
    )
    p = f.policy("desk", contract("desk"))
    clause = "respond high   within 4h  during office"
    g = f.group("edge cases, worked by hand")
    _one(f, g, "opened-saturday", "opened on a Saturday: the clock starts Monday 09:00 NY", clause, p, "2025-03",
         ticket("T1", "a", "high", "2025-03-15T10:00:00-04:00"), as_of="2025-04-01T00:00:00-04:00",
         comment="Sat closed, Sun closed; Mon 2025-03-17 09:00 EDT + 4h = 13:00 EDT = 17:00Z; never answered: breached",
         hand={"customers": {"a": {"breaches": {"T1": "2025-03-17T17:00:00Z"}}}})  # fmt: skip
    _one(f, g, "opened-friday-late", "opened Friday 15:00: 2h on Friday, 2h on Monday", clause, p, "2025-03",
         ticket("T1", "a", "high", "2025-03-14T15:00:00-04:00"), as_of="2025-04-01T00:00:00-04:00",
         comment="Fri 15:00–17:00 = 2h, Mon 09:00 + 2h = 11:00 EDT = 15:00Z",
         hand={"customers": {"a": {"breaches": {"T1": "2025-03-17T15:00:00Z"}}}})  # fmt: skip
    var = f.group(
        "variations: a never-answered ticket opened at each day and hour of a week, its deadline at the period's end"
    )
    for day in range(17, 24):
        for hour in (0, 6, 8, 9, 12, 13, 16, 17, 22):
            opened = f"2025-03-{day:02d}T{hour:02d}:00:00-04:00"
            _one(f, var, f"office-{day}-{hour:02d}", f"office (NY 09–17), opened {opened}", clause, p, "2025-03",
                 ticket("T1", "a", "high", opened))  # fmt: skip
    for day in (10, 14, 15):
        for hour in (7, 13, 19):
            opened = f"2025-03-{day:02d}T{hour:02d}:00:00+01:00"
            _one(f, var, f"berlin-{day}-{hour:02d}", f"office (Berlin 08–18, 8h), opened {opened}",
                 "respond normal within 8h  during berlin", p, "2025-03", ticket("T1", "a", "normal", opened))  # fmt: skip
    return f


def dst() -> SuiteFile:
    f = SuiteFile(
        "dst", "Daylight saving time: calendars and periods in Europe/Berlin and America/New_York across the changes."
    )
    p = f.policy("berlin", contract("berlin"))
    g = f.group("edge cases, worked by hand")
    _one(f, g, "gap-opening", "02:30 does not exist on 2025-03-30 in Berlin: the night calendar opens at the transition",
         "respond night  within 1h   during night", p, "2025-03", ticket("T1", "a", "night", "2025-03-30T00:10:00+01:00"),
         comment="02:00 CET → 03:00 CEST; opening 02:30 is taken at the transition 03:00 CEST = 01:00Z; +1h = 02:00Z",
         hand={"customers": {"a": {"breaches": {"T1": "2025-03-30T02:00:00Z"}}}})  # fmt: skip
    _one(f, g, "repeated-hour", "2025-10-26 02:30 occurs twice in Berlin: the first occurrence opens the night calendar",
         "respond night  within 1h   during night", p, "2025-10", ticket("T1", "a", "night", "2025-10-26T00:10:00+02:00"),
         comment="first 02:30 is CEST = 00:30Z; +1h of open time = 01:30Z",
         hand={"customers": {"a": {"breaches": {"T1": "2025-10-26T01:30:00Z"}}}})  # fmt: skip
    f.case(g, "march-length", "March 2025 in Berlin has 743 hours: 1 h down is 742/743",
           clause="window   calendar month", policy=p, period="2025-03",
           events=events([customer("a", "gold", 1000)], [], [
               {"id": "I1", "start": "2025-03-12T10:00:00+01:00", "end": "2025-03-12T11:00:00+01:00", "cause": None,
                "announced_at": None, "customers": None, "service": None, "region": None}]),
           comment="31 × 24 − 1 = 743 h; uptime 742/743 = 99.865 % < 99.9 %: 10% × 1000 = 100.00",
           hand={"customers": {"a": {"scopes": [{"uptime": "742/743", "downtime_seconds": "3600"}], "total": "100.00"}}})  # fmt: skip
    f.case(g, "october-length", "October 2025 in Berlin has 745 hours", clause="window   calendar month", policy=p,
           period="2025-10", events=events([customer("a", "gold", 1000)], [], [
               {"id": "I1", "start": "2025-10-12T10:00:00+02:00", "end": "2025-10-12T11:00:00+02:00", "cause": None,
                "announced_at": None, "customers": None, "service": None, "region": None}]),
           comment="31 × 24 + 1 = 745 h; 744/745 = 99.866 %: 100.00",
           hand={"customers": {"a": {"scopes": [{"uptime": "744/745", "downtime_seconds": "3600"}], "total": "100.00"}}})  # fmt: skip
    var = f.group(
        "variations: never-answered tickets opened around the four DST changes of 2025 (Berlin office, NY office, night)"
    )
    changes = [("2025-03", "berlin", ["2025-03-28", "2025-03-29", "2025-03-30", "2025-03-31"]),
               ("2025-10", "berlin", ["2025-10-24", "2025-10-25", "2025-10-26", "2025-10-27"]),
               ("2025-03", "ny", ["2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"]),
               ("2025-11", "ny", ["2025-10-31", "2025-11-01", "2025-11-02", "2025-11-03"])]  # fmt: skip
    for period, zone, days in changes:
        for day in days:
            for hour in (1, 3, 10, 15, 16) if zone == "berlin" else (4, 13, 14, 20, 21):
                if zone == "berlin":
                    opened, prio, clause = (
                        f"{day}T{hour:02d}:00:00Z",
                        "high",
                        "respond high   within 8h   during office",
                    )
                else:
                    opened, prio, clause = f"{day}T{hour:02d}:00:00Z", "normal", "respond normal within 4h   during ny"
                if not opened.startswith(period):
                    continue
                _one(f, var, f"{zone}-{day}-{hour:02d}", f"{zone} office, opened {opened}", clause, p, period,
                     ticket("T1", "a", prio, opened))  # fmt: skip
        for hour in (0, 1, 2, 3):
            day = days[2]
            opened = f"{day}T{hour:02d}:15:00Z"
            if zone == "berlin":
                _one(f, var, f"night-{day}-{hour}", f"night calendar 02:30–05:00 Berlin, opened {opened}",
                     "respond night  within 1h   during night", p, period, ticket("T1", "a", "night", opened))  # fmt: skip
    return f


def holidays() -> SuiteFile:
    f = SuiteFile(
        "holidays",
        "Public holidays close a calendar; China's make-up working days open it (hours of its first weekday).",
    )
    p = f.policy("desk", contract("desk"))
    clause = 'holidays "CN"'
    g = f.group("edge cases, worked by hand")
    _one(f, g, "cn-spring-festival", "opened on 2025-01-27 17:00: then the Spring Festival holidays",
         clause, p, "2025-01", ticket("T1", "a", "high", "2025-01-27T17:00:00+08:00"), tier="silver",
         comment="Mon 01-27 17–18 = 1h; 01-28..02-04 holidays; Wed 02-05 08:00 + 9h = 17:00 CST = 09:00Z",
         hand={"customers": {"a": {"breaches": {"T1": "2025-02-05T09:00:00Z"}}}})  # fmt: skip
    _one(f, g, "cn-makeup-sunday", "opened Saturday 2025-01-25: Sunday 01-26 is a make-up working day",
         clause, p, "2025-01", ticket("T1", "a", "high", "2025-01-25T12:00:00+08:00"), tier="silver",
         comment="Sun 2025-01-26 is worked (08–18): 08:00 + 10h = 18:00 CST = 10:00Z",
         hand={"customers": {"a": {"breaches": {"T1": "2025-01-26T10:00:00Z"}}}})  # fmt: skip
    _one(f, g, "us-independence-day", "opened Thursday 2025-07-03 15:00 NY: Friday 07-04 is a holiday",
         'holidays "US"', p, "2025-07", ticket("T1", "a", "high", "2025-07-03T15:00:00-04:00"),
         comment="Thu 15–17 = 2h; Fri 07-04 holiday; weekend; Mon 07-07 09:00 + 2h = 11:00 EDT = 15:00Z",
         hand={"customers": {"a": {"breaches": {"T1": "2025-07-07T15:00:00Z"}}}})  # fmt: skip
    var = f.group("variations: never-answered tickets opened on each day around CN and US holidays")
    spans = [("2025-01", "cn", [f"2025-01-{d:02d}" for d in range(24, 32)]),
             ("2025-02", "cn", [f"2025-02-{d:02d}" for d in range(1, 11)]),
             ("2025-09", "cn", [f"2025-09-{d:02d}" for d in range(26, 31)]),
             ("2025-10", "cn", [f"2025-10-{d:02d}" for d in range(1, 13)]),
             ("2025-11", "us", ["2025-11-26", "2025-11-27", "2025-11-28"]),
             ("2025-12", "us", ["2025-12-24", "2025-12-25", "2025-12-26"])]  # fmt: skip
    for period, cal, days in spans:
        for day in days:
            if cal == "cn":
                _one(f, var, f"cn-{day}", f"CN business hours (10h target), opened {day} 12:00 CST", clause, p, period,
                     ticket("T1", "a", "high", f"{day}T12:00:00+08:00"), tier="silver")  # fmt: skip
            else:
                _one(f, var, f"us-{day}", f"US office (4h target), opened {day} 15:00 NY", 'holidays "US"', p, period,
                     ticket("T1", "a", "high", f"{day}T15:00:00-05:00"))  # fmt: skip
    return f


def downgrade() -> SuiteFile:
    f = SuiteFile(
        "downgrade",
        "A priority that requires an outage is measured at its downgrade priority when the ticket reports none.",
    )
    p = f.policy("desk", contract("desk"))
    clause = "requires outage downgrade high"
    g = f.group("edge cases, worked by hand")
    _one(f, g, "no-outage", "urgent without an outage is measured as high (4h during office)", clause, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-11T10:00:00-04:00", "2025-03-11T12:00:00-04:00"),
         comment="high: 2h ≤ 4h: met (as urgent, 2h > 1h would be a breach); 0.00",
         hand={"customers": {"a": {"breaches": {}, "total": "0.00"}}})  # fmt: skip
    _one(f, g, "with-outage", "urgent with an outage keeps its 1h target", clause, p, "2025-03",
         ticket("T1", "a", "urgent", "2025-03-11T10:00:00-04:00", "2025-03-11T12:00:00-04:00", outage=True),
         comment="urgent: 2h > 1h: breached, deadline 11:00 EDT = 15:00Z; 50.00",
         hand={"customers": {"a": {"breaches": {"T1": "2025-03-11T15:00:00Z"}, "total": "50.00"}}})  # fmt: skip
    var = f.group("variations: urgent with and without an outage, answered after 30 min to 6 h, on both tiers")
    for tier in ("gold", "silver"):
        for outage in (True, False):
            for minutes in (30, 60, 61, 90, 120, 121, 240, 241, 360):
                opened = "2025-03-12T16:00:00+00:00"
                _one(f, var, f"{tier}-{'outage' if outage else 'plain'}-{minutes}",
                     f"{tier}, urgent {'with' if outage else 'without'} an outage, answered after {minutes} min",
                     clause, p, "2025-03", ticket("T1", "a", "urgent", opened, at(opened, minutes=minutes), outage=outage),
                     tier=tier)  # fmt: skip
    return f


BUILDERS = {"response": response, "calendars": calendars, "dst": dst, "holidays": holidays, "downgrade": downgrade}
