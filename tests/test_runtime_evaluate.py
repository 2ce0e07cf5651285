"""Hand-computed evaluations: unions, month ends, exact band boundaries, DST, Spring Festival, caps, claims."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pytest

from slac.policy import content_hash
from slac.runtime import Policy, load_policy
from slac.runtime.evaluate import Period, evaluate

from .conftest import ROOT
from .runtime_fixtures import make_events, policy_text, zones_policy_text

CST = timezone(timedelta(hours=8))


@lru_cache(maxsize=1)
def _report_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "compiler" / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def run(policy: Policy, events: Any, period: str, **options: Any) -> dict[str, Any]:
    report = evaluate(policy, events, period=period, **options)
    errors = [f"{e.json_path}: {e.message}" for e in _report_validator().iter_errors(report)]
    assert not errors, errors
    return report


@pytest.fixture(scope="module")
def acme() -> Policy:
    return load_policy(policy_text("acme-crm"))


@pytest.fixture(scope="module")
def zones() -> Policy:
    return load_policy(zones_policy_text())


@pytest.fixture(scope="module")
def websoft9() -> Policy:
    return load_policy(policy_text("websoft9"))


# ---- availability ----------------------------------------------------------------------------------


def test_overlapping_incidents_count_once(acme: Policy) -> None:
    events = make_events(
        [("a", "starter", "500")],
        incidents=[
            ("i1", "2026-06-10T10:00:00Z", "2026-06-10T11:00:00Z"),
            ("i2", "2026-06-10T10:30:00Z", "2026-06-10T12:00:00Z"),  # overlaps i1 by 30 min
            ("i3", "2026-06-10T10:40:00Z", "2026-06-10T10:50:00Z"),  # inside both
        ],
    )
    entry = run(acme, events, "2026-06")["customers"][0]
    assert entry["downtime"]["counted_seconds"] == 2 * 3600
    assert entry["uptime"]["fraction"] == "359/360"  # (720 h - 2 h) / 720 h


def test_incident_crossing_midnight_at_month_end_is_split(acme: Policy) -> None:
    events = make_events(
        [("a", "enterprise", "1000")], incidents=[("i1", "2026-06-30T23:00:00Z", "2026-07-01T01:30:00Z")]
    )
    june = run(acme, events, "2026-06")
    july = run(acme, events, "2026-07")
    assert june["customers"][0]["downtime"]["counted_seconds"] == 3600
    assert july["customers"][0]["downtime"]["counted_seconds"] == 5400
    assert june["platform_incidents"][0]["seconds"] == 3600
    assert july["period_seconds"] == 31 * 86400


def test_the_guides_month_718_5_of_720_hours(acme: Policy) -> None:
    events = make_events([("a", "starter", "500")], incidents=[("i1", "2026-06-10T02:00:00Z", "2026-06-10T03:30:00Z")])
    entry = run(acme, events, "2026-06")["customers"][0]
    assert entry["uptime"] == {
        "fraction": "479/480",
        "percent": "99.791666667",
        "display": "99.79",
        "decimals": 2,
        "target": "99.9",
        "met": False,
        "line": entry["uptime"]["line"],
    }
    [line] = entry["credits"]
    assert (line["kind"], line["threshold"], line["threshold_is_target"], line["amount"]) == (
        "band",
        "99.9",
        True,
        "50.00",
    )
    assert entry["total"] == "50.00"


def test_band_boundary_hit_exactly_is_not_below(acme: Policy) -> None:
    # 1 % of 720 h is 7 h 12 min: uptime is exactly 99.0 %, which is not below 99.0 %,
    # so the starter customer gets the `below target` band (10 %), not the 25 % one.
    exact = make_events([("a", "starter", "500")], incidents=[("i", "2026-06-10T00:00:00Z", "2026-06-10T07:12:00Z")])
    entry = run(acme, exact, "2026-06")["customers"][0]
    assert entry["uptime"]["fraction"] == "99/100"
    assert [(c["threshold"], c["amount"]) for c in entry["credits"]] == [("99.9", "50.00")]
    # One microsecond more downtime crosses it: the single worst band applies, not a sum.
    worse = make_events(
        [("a", "starter", "500")], incidents=[("i", "2026-06-10T00:00:00Z", "2026-06-10T07:12:00.000001Z")]
    )
    entry = run(acme, worse, "2026-06")["customers"][0]
    assert [(c["threshold"], c["amount"]) for c in entry["credits"]] == [("99", "125.00")]
    assert entry["total"] == "125.00"


def test_maintenance_notice_and_minimum_outage(acme: Policy) -> None:
    events = make_events(
        [("a", "enterprise", "2000")],
        incidents=[
            # announced exactly 72 h ahead: excluded
            ("m1", "2026-06-13T01:00:00Z", "2026-06-13T05:00:00Z", "planned_maintenance", "2026-06-10T01:00:00Z"),
            # announced 1 s too late: counts
            ("m2", "2026-06-20T01:00:00Z", "2026-06-20T02:00:00Z", "planned_maintenance", "2026-06-17T01:00:01Z"),
            # never announced: counts
            ("m3", "2026-06-21T01:00:00Z", "2026-06-21T01:30:00Z", "planned_maintenance"),
            ("f", "2026-06-22T00:00:00Z", "2026-06-22T06:00:00Z", "force_majeure"),
            ("short", "2026-06-23T00:00:00Z", "2026-06-23T00:00:59Z"),  # under the 1 min minimum
            ("minute", "2026-06-24T00:00:00Z", "2026-06-24T00:01:00Z"),  # exactly the minimum: counts
        ],
    )
    report = run(acme, events, "2026-06")
    entry = report["customers"][0]
    assert entry["downtime"]["counted_seconds"] == 3600 + 1800 + 60
    assert entry["downtime"]["excluded"] == [
        {"cause": None, "reason": "below_minimum", "seconds": 59},
        {"cause": "force_majeure", "reason": "excluded_cause", "seconds": 6 * 3600},
        {"cause": "planned_maintenance", "reason": "announced_maintenance", "seconds": 4 * 3600},
    ]
    reasons = {i["id"]: i["reason"] for i in report["platform_incidents"]}
    assert reasons == {
        "m1": "announced_maintenance",
        "m2": None,
        "m3": None,
        "f": "excluded_cause",
        "short": "below_minimum",
        "minute": None,
    }
    assert entry["downtime"]["platform_incidents"] == 3


def test_minimum_outage_applies_to_merged_periods(acme: Policy) -> None:
    """changed (SPEC "Downtime rules"): acme-crm's 1 min minimum applies to each merged period, not to each incident.

    - b1 [10:00:00, 10:00:40) and b2 [10:00:40, 10:01:10) are adjacent: one period of 70 s ≥ 60 s, both count;
    - lone [12:00:00, 12:00:30) stays alone: 30 s < 60 s, below the minimum;
    - own [12:00:20, 12:01:00) names customer a only: for a it joins `lone` into [12:00:00, 12:01:00) = 60 s,
      which counts (60 s is not shorter than the minimum); for b `lone` is still 30 s below the minimum.
    - x [14:00:00, 14:00:50) with an excluded cause never joins anything (excluded downtime is not merged).
    a: 70 + 60 = 130 s counted, nothing below; b: 70 s counted, 30 s below the minimum.
    """
    events = make_events(
        [("a", "enterprise", "1000"), ("b", "enterprise", "1000")],
        incidents=[
            ("b1", "2026-06-05T10:00:00Z", "2026-06-05T10:00:40Z"),
            ("b2", "2026-06-05T10:00:40Z", "2026-06-05T10:01:10Z"),
            ("lone", "2026-06-05T12:00:00Z", "2026-06-05T12:00:30Z"),
            ("own", "2026-06-05T12:00:20Z", "2026-06-05T12:01:00Z", None, None, ("a",)),
            ("x", "2026-06-05T14:00:00Z", "2026-06-05T14:00:50Z", "force_majeure"),
            ("y", "2026-06-05T14:00:50Z", "2026-06-05T14:01:00Z"),
        ],
    )
    report = run(acme, events, "2026-06")
    a, b = report["customers"]
    assert a["downtime"]["counted_seconds"] == 70 + 60
    assert b["downtime"]["counted_seconds"] == 70
    assert a["downtime"]["incidents"] == ["own"]
    assert a["downtime"]["excluded_incidents"] == []
    below = {"cause": None, "reason": "below_minimum"}
    assert {**below, "seconds": 30 + 10} in b["downtime"]["excluded"]  # lone, and y (10 s) beside the excluded x
    assert {**below, "seconds": 10} in a["downtime"]["excluded"]
    reasons = {i["id"]: i["reason"] for i in report["platform_incidents"]}
    # The platform list reads the platform's own periods: `lone` is below the minimum there.
    assert reasons == {"b1": None, "b2": None, "lone": "below_minimum", "x": "excluded_cause", "y": "below_minimum"}
    # For a, `lone` is part of a 60 s outage and counts: b1, b2 and lone; for b only b1 and b2.
    assert (a["downtime"]["platform_incidents"], b["downtime"]["platform_incidents"]) == (3, 2)


def test_customer_incidents_apply_to_their_customers_only(acme: Policy) -> None:
    events = make_events(
        [("a", "enterprise", "1000"), ("b", "enterprise", "1000")],
        incidents=[
            ("p", "2026-06-01T00:00:00Z", "2026-06-01T01:00:00Z"),
            ("own", "2026-06-01T00:30:00Z", "2026-06-01T03:00:00Z", None, None, ("a",)),
        ],
    )
    a, b = run(acme, events, "2026-06")["customers"]
    assert (a["downtime"]["counted_seconds"], b["downtime"]["counted_seconds"]) == (3 * 3600, 3600)
    assert (a["downtime"]["incidents"], b["downtime"]["incidents"]) == (["own"], [])
    # Each band line names the customer's own incidents and how many platform-wide ones count.
    assert a["credits"][0]["incidents"] == ["own"] and a["credits"][0]["platform_incidents"] == 1


def test_period_is_real_time_in_the_contracts_zone() -> None:
    raw = json.loads(policy_text("acme-crm"))
    raw["timezone"] = "Europe/Berlin"
    raw["content_hash"] = content_hash(raw)
    berlin = load_policy(raw)
    assert Period.month(berlin, "2026-03").end - Period.month(berlin, "2026-03").start == (31 * 24 - 1) * 3600 * 10**6
    assert Period.month(berlin, "2026-10").end - Period.month(berlin, "2026-10").start == (31 * 24 + 1) * 3600 * 10**6
    report = run(berlin, make_events([("a", "starter", "1")]), "2026-03")
    assert report["period_start"] == "2026-03-01T00:00:00+01:00"
    assert report["period_end"] == "2026-04-01T00:00:00+02:00"


# ---- tickets -------------------------------------------------------------------------------------


def test_friday_evening_before_a_dst_weekend(zones: Policy) -> None:
    # plus/high: 4 h of New York business hours. Fri 2025-03-07 16:00 EST: 1 h on Friday;
    # DST starts Sun 03-09, so Monday opens 09:00 EDT (13:00 UTC) and the deadline is 12:00 EDT.
    events = make_events(
        [("a", "plus", "1000")],
        tickets=[("t1", "a", "high", "2025-03-07T16:00:00-05:00", "2025-03-10T12:00:00-04:00")],
    )
    entry = run(zones, events, "2025-03")["customers"][0]
    assert entry["tickets"]["met"] == 1
    late = make_events(
        [("a", "plus", "1000")],
        tickets=[("t1", "a", "high", "2025-03-07T16:00:00-05:00", "2025-03-10T12:00:01-04:00")],
    )
    [breach] = run(zones, late, "2025-03")["customers"][0]["breaches"]
    assert breach["deadline"] == "2025-03-11T00:00:00+08:00"  # 12:00 EDT = 16:00 UTC = 00:00 CST next day
    assert breach["lateness_seconds"] == 1


def test_spring_festival_closure(zones: Policy) -> None:
    # top/normal: 12 h of Shanghai hours (09–12, 13–18). Opened Mon 2025-01-27 17:00: 1 h that day;
    # closed 01-28 to 02-04 (Spring Festival and a weekend); Wed 02-05 gives 8 h, Thu 02-06 09–12 the last 3 h.
    events = make_events(
        [("a", "top", "1000")],
        tickets=[
            # The deadline falls at the lunch closing: 12:00:01 and 13:00 used no open time past 12 h
            # (decided by open time elapsed), 13:00:01 used 12 h + 1 s.
            ("t0", "a", "normal", "2025-01-27T17:00:00+08:00", "2025-02-06T12:00:01+08:00"),
            ("t1", "a", "normal", "2025-01-27T17:00:00+08:00", "2025-02-06T13:00:01+08:00"),
            ("t2", "a", "normal", "2025-01-27T17:00:00+08:00", "2025-02-06T13:00:00+08:00"),
        ],
    )
    [breach] = run(zones, events, "2025-01")["customers"][0]["breaches"]
    assert breach["id"] == "t1"
    assert breach["deadline"] == "2025-02-06T12:00:00+08:00"  # the report still shows the closing
    assert breach["lateness_seconds"] == 3601  # 13:00:01 − 12:00:00 on the wall clock


def test_make_up_working_sunday_2025_01_26(zones: Policy) -> None:
    # Opened Sat 2025-01-25 10:00 (closed): the clock starts on Sunday 01-26, a make-up working day with
    # Monday's hours: 8 h on Sunday, 09–12 and 13–14 on Monday → deadline Mon 01-27 14:00.
    deadline = zones.response_deadline("top", "normal", datetime(2025, 1, 25, 10, tzinfo=CST))
    assert deadline == datetime(2025, 1, 27, 14, tzinfo=CST)


def test_unanswered_tickets_breach_after_as_of(zones: Policy) -> None:
    events = make_events(
        [("a", "plus", "1000")],
        tickets=[
            # plus/urgent with an outage: 90 min of 24x7 → due 10:30
            ("t1", "a", "urgent", "2025-03-03T09:00:00+08:00", None, True),
        ],
    )
    at = datetime(2025, 3, 3, 10, 30, tzinfo=CST)
    assert run(zones, events, "2025-03", as_of=at)["customers"][0]["tickets"]["open"] == 1
    entry = run(zones, events, "2025-03", as_of=at + timedelta(minutes=5))["customers"][0]
    assert entry["tickets"]["breached"] == 1
    assert entry["breaches"][0]["response"] is None
    assert entry["breaches"][0]["lateness_seconds"] == 300
    # By default as_of is the end of the period.
    assert run(zones, events, "2025-03")["as_of"] == "2025-04-01T00:00:00+08:00"


def test_excluded_cause_never_earns(zones: Policy) -> None:
    events = make_events(
        [("a", "plus", "1000")],
        tickets=[
            ("t1", "a", "urgent", "2025-03-03T09:00:00+08:00", "2025-03-04T09:00:00+08:00", True, "customer_caused"),
            ("t2", "a", "urgent", "2025-03-03T09:00:00+08:00", "2025-03-04T09:00:00+08:00", True),
            ("t3", "a", "normal", "2025-02-28T09:00:00+08:00", "2025-03-04T09:00:00+08:00"),  # another period
        ],
    )
    entry = run(zones, events, "2025-03")["customers"][0]
    assert entry["tickets"] == {
        "opened": 2,
        "measured": 2,
        "met": 0,
        "breached": 1,
        "open": 0,
        "unmeasured": 0,
        "excluded": 1,
    }
    assert [b["id"] for b in entry["breaches"]] == ["t2"]
    [line] = entry["credits"]
    assert (line["kind"], line["tickets"], line["count"], line["each_amount"], line["amount"]) == (
        "per_miss",
        ["t2"],
        1,
        "30.00",
        "30.00",
    )


def test_cap_over_all_credits_and_rounding_at_the_end(zones: Policy) -> None:
    # fee 333.33: 3 % per miss = 9.9999 each, kept exact until the end.
    tickets = [
        (f"t{k}", "a", "urgent", "2025-03-03T09:00:00+08:00", "2025-03-04T09:00:00+08:00", True) for k in range(3)
    ]
    entry = run(zones, make_events([("a", "plus", "333.33")], tickets=tickets), "2025-03")["customers"][0]
    assert (entry["credits"][0]["amount"], entry["subtotal"], entry["total"]) == ("29.9997", "29.9997", "30.00")
    assert entry["cap"] == {
        "amount": {"share": "60", "basis": "monthly_fee"},
        "limit": "199.998",
        "applied": False,
        "line": entry["cap"]["line"],
    }
    # 25 misses (75 %) and a 30 h outage (95.97 % → 25 % band): 100 % before the cap of 60 %.
    many = [(f"t{k}", "a", "urgent", "2025-03-03T09:00:00+08:00", "2025-03-04T09:00:00+08:00", True) for k in range(25)]
    events = make_events(
        [("a", "plus", "333.33")],
        tickets=many,
        incidents=[("i", "2025-03-10T00:00:00+08:00", "2025-03-11T06:00:00+08:00")],
    )
    entry = run(zones, events, "2025-03")["customers"][0]
    assert [c["kind"] for c in entry["credits"]] == ["band", "per_miss"]
    assert Decimal(entry["subtotal"]) == Decimal("333.33") * Decimal("0.25") + Decimal("333.33") * Decimal("0.75")
    assert entry["cap"]["applied"] is True
    assert entry["total"] == "200.00"  # 199.998 rounded half-even to cents


def test_credit_applies_only_to_listed_tiers(zones: Policy) -> None:
    # basic is not in the downtime credit's `applies`: a day-long outage earns it nothing.
    events = make_events(
        [("a", "basic", "1000"), ("b", "top", "1000")],
        incidents=[("i", "2025-03-10T00:00:00+08:00", "2025-03-11T00:00:00+08:00")],
    )
    a, b = run(zones, events, "2025-03")["customers"]
    assert a["uptime"]["met"] is False and a["credits"] == [] and a["total"] == "0.00"
    assert b["total"] == "250.00"  # 96.77 % is below 99.0 % but not 95.0 %


def test_claim_and_payout(acme: Policy, websoft9: Policy) -> None:
    entry = run(acme, make_events([("a", "starter", "10")]), "2026-02")["customers"][0]
    assert entry["claim"]["deadline"] == "2026-03-31T00:00:00+00:00"  # 30 days after the period ends
    assert (entry["claim"]["address"], entry["claim"]["required"]) == ("support@acme.example", True)
    assert entry["payout"]["form"] == "credit"
    ws = run(websoft9, make_events([("a", "standard", "10")]), "2025-03")["customers"][0]
    assert ws["claim"] == {
        "required": True,
        "deadline": None,
        "channel": "ticket",
        "address": None,
        "line": ws["claim"]["line"],
    }
    assert ws["payout"]["form"] == "voucher"


def test_progress_is_reported(zones: Policy) -> None:
    seen: list[int] = []
    events = make_events([("a", "plus", "1")], tickets=[("t1", "a", "high", "2025-03-03T09:00:00+08:00", None)])
    evaluate(zones, events, period="2025-03", progress=seen.append)
    assert seen and seen[-1] == 1


def test_bad_period(zones: Policy) -> None:
    with pytest.raises(ValueError, match="write it as YYYY-MM"):
        evaluate(zones, make_events([("a", "plus", "1")]), period="March")


def test_random_reports_match_the_schema(zones: Policy) -> None:
    from .runtime_fixtures import random_events

    for period in ("2025-01", "2025-03"):
        run(zones, random_events(zones, period, seed=11, customers=8, tickets=400, incidents=80), period)
