"""`--engine duckdb` on contracts of language v2: the report is the numpy engine's, byte for byte.

The scopes' downtime (error-rate request intervals, incident merging, maintenance notice and yearly
allowance, what did not count, the incidents counted) is measured by SQL (slac.plan.scoped_engine);
the expected bytes are the numpy engine's report of the same files (the numpy engine is itself
checked against the independent oracle tests/oracle/reference_v2.py in tests/test_v2_crosscheck.py).
Corpora: the bundled nimbus-cloud month, the v2 contracts' examples, random scoped months and
quarters in three zones (scopes per region, error-rate intervals, notice and allowance, windows,
caps also over a longer span, minimum credit, termination), tickets with a per-miss credit, and
hand-made own incidents that touch the platform's outages.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slac.render.report import json_chunks
from slac.runtime.engines import Inputs, evaluate_files
from slac.runtime.events import MISSING, Events, Tickets
from slac.runtime.examples import example_events, example_period
from slac.runtime.inputs import EventError
from tests.engine_v2_files import write_v2_files
from tests.hand_contracts import hand_contract
from tests.test_v2_crosscheck import NIMBUS_LIKE, QUARTERLY, load_policy, random_scoped_events

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent
NIMBUS = ROOT / "contracts" / "events" / "nimbus-cloud-2026-05"
DAY = 86_400_000_000


def report_bytes(policy: Any, inputs: Inputs, period: str, engine: str, as_of: datetime | None = None) -> bytes:
    """The report as `slac evaluate` writes it (render.report.json_chunks: key order kept)."""
    return b"".join(json_chunks(evaluate_files(policy, inputs, period=period, as_of=as_of, engine=engine)))


def assert_identical(policy: Any, inputs: Inputs, period: str, as_of: datetime | None = None) -> dict[str, Any]:
    """The duckdb engine's report bytes are the numpy engine's; the report (parsed) for further checks."""
    numpy = report_bytes(policy, inputs, period, "numpy", as_of)
    assert report_bytes(policy, inputs, period, "duckdb", as_of) == numpy
    return json.loads(numpy)


def scopes(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for c in report["customers"] for s in c["scopes"]]


def _nimbus_inputs() -> Inputs:
    return Inputs(*(str(NIMBUS / f"{n}.csv") for n in ("customers", "incidents")),
                  charges=str(NIMBUS / "charges.csv"), requests=str(NIMBUS / "requests.csv"))  # fmt: skip


@pytest.mark.parametrize("as_of", [None, datetime(2026, 5, 20, tzinfo=UTC)])
def test_the_bundled_nimbus_cloud_month_is_byte_identical(as_of: datetime | None) -> None:
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    report = assert_identical(policy, _nimbus_inputs(), "2026-05", as_of)
    assert any(s["downtime"]["error_rate_intervals"] for s in scopes(report))  # a real scoped report
    assert any(s["credits"] for s in scopes(report))


def test_the_nimbus_cloud_examples_are_byte_identical(tmp_path: Path) -> None:
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    assert policy.raw["examples"]
    for k, ex in enumerate(policy.raw["examples"]):
        folder = tmp_path / str(k)
        folder.mkdir()
        events = example_events(policy, ex, ex["tier"] or next(iter(policy.tiers)))
        assert_identical(policy, write_v2_files(events, folder), example_period(policy, ex))


def _variant(source: str, replace: list[tuple[str, str]]) -> str:
    for old, new in replace:
        assert old in source, old
        source = source.replace(old, new)
    return source


ZONES = ["UTC", "America/New_York", "Asia/Kolkata"]
VARIANTS = {
    "as written": [],
    "a large allowance": [("limit 3h per year", "limit 200h per year")],
    "no allowance": [(" limit 3h per year", "")],
    "no minimum, seconds": [("minimum outage 2min", "minimum outage 0min"),
                            ("    downtime counted in whole minutes\n", ""), ("limit 3h", "limit 30h")],
}  # fmt: skip


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_random_scoped_months_are_byte_identical(tmp_path: Path, zone: str, variant: str) -> None:
    """Scopes per region, error-rate intervals, notice and allowance, own incidents, minimum credit, termination."""
    policy = load_policy(_variant(NIMBUS_LIKE, [('"UTC"', f'"{zone}"'), *VARIANTS[variant]]))
    period = ["2026-03", "2026-11", "2026-01"][ZONES.index(zone)]
    seed = sum(map(ord, zone + variant))
    events = random_scoped_events(policy, period, seed=seed, customers=20, incidents=1200, requests=4000)
    report = assert_identical(policy, write_v2_files(events, tmp_path), period)
    assert len(scopes(report)) > 60 and any(s["termination"]["right"] for s in scopes(report))
    assert any(s["downtime"]["incidents"] for s in scopes(report))  # customers' own incidents counted


@pytest.mark.parametrize(("zone", "period"), [("Europe/Berlin", "2026-Q1"), ("America/New_York", "2026-Q4"),
                                              ("Australia/Sydney", "2026-Q2")])  # fmt: skip
def test_random_quarters_across_dst_are_byte_identical(tmp_path: Path, zone: str, period: str) -> None:
    """Quarterly windows, formulas of window_fee and downtime, a cap in days of service, notice without limit."""
    policy = load_policy(_variant(QUARTERLY, [('"Europe/Berlin"', f'"{zone}"')]))
    events = random_scoped_events(policy, period, seed=len(zone), customers=25, incidents=1200, requests=0)
    assert_identical(policy, write_v2_files(events, tmp_path), period)


_SCOPE_QUARTER = [
    ("at or below 95.0% 100% of service_charges", "at or below 95.0% 40% of service_charges"),
    ("100% of service_charges per month", "50% of service_charges per quarter"),
]


@pytest.mark.parametrize(
    ("source", "replace", "period", "days"),
    [
        (NIMBUS_LIKE, _SCOPE_QUARTER, "2026-03", 70),
        (NIMBUS_LIKE, [("100% of service_charges per month", "4000 USD per year")], "2026-11", 320),
        (QUARTERLY, [("15 service_days per quarter", "5 service_days per year")], "2026-Q3", 190),
    ],
)
def test_caps_over_a_longer_span_are_byte_identical(
    tmp_path: Path, source: str, replace: list[tuple[str, str]], period: str, days: int
) -> None:
    """Each earlier window of the cap's span is measured by SQL in turn (tests/test_v2_crosscheck.py's cases)."""
    policy = load_policy(_variant(source, replace))
    events = random_scoped_events(
        policy, period, seed=sum(map(ord, period)), customers=30, incidents=50, requests=3000, history_days=days
    )
    report = assert_identical(policy, write_v2_files(events, tmp_path), period)
    caps = [c["cap"] for c in report["customers"] if c["cap"]] + [s["cap"] for s in scopes(report) if s["cap"]]
    assert caps and all(cap["windows_before"] for cap in caps)


def _with_tickets(policy: Any, events: Events, period: str, seed: int) -> Events:
    from dataclasses import replace

    from tests.oracle.reference_v2 import window_bounds

    rng = np.random.default_rng(seed)
    lo, hi, *_ = window_bounds(dict(policy.raw), period)
    n = 300
    opened = rng.integers(lo - 5 * DAY, hi + 2 * DAY, n)
    responded = np.where(rng.random(n) < 0.85, opened + rng.integers(0, 3 * DAY, n), MISSING)
    ids = np.array([f"t{k}" for k in range(n)], dtype=object)
    tickets = Tickets(
        id=ids,
        customer=np.array(rng.choice(events.customers.id, n), dtype=object),
        priority=np.array(rng.choice(["p1", "p2"], n), dtype=object),
        opened=opened.astype(np.int64),
        responded=responded.astype(np.int64),
        outage=rng.random(n) < 0.2,
        cause=np.array(rng.choice([None, None, None, "customer_caused"], n), dtype=object),
        row=np.arange(2, n + 2),
    )
    return replace(events, tickets=tickets)


def _ticket_policy() -> Any:
    source = _variant(
        NIMBUS_LIKE,
        [
            ("  condition good", '  priority p1 { name en "Urgent" }\n  priority p2 { name en "Normal" }\n'
             "  calendar always { hours mon-sun 00:00-24:00 }\n  calendar office { hours mon-fri 09:00-17:00 }\n"
             "  condition good"),
            ("    uptime 99.9% for storage }", "    uptime 99.9% for storage\n    respond p1 within 4h during always\n"
             "    respond p2 within 8h during office }"),
            ("    uptime 99.99% }", "    uptime 99.99%\n    respond p1 within 1h during always\n"
             "    respond p2 within 4h during office }"),
            ("  minimum credit", "  credit missed {\n    per missed response 2% of monthly_fee\n  }\n  minimum credit"),
        ],
    )  # fmt: skip
    return load_policy(source)


@pytest.mark.parametrize("as_of", [None, datetime(2026, 3, 20, tzinfo=UTC)])
def test_tickets_with_a_per_miss_credit_are_byte_identical(tmp_path: Path, as_of: datetime | None) -> None:
    """The tickets' response results come from SQL (slac.plan.tickets_sql) in a v2 report too."""
    policy = _ticket_policy()
    events = random_scoped_events(policy, "2026-03", seed=21, customers=15, incidents=300, requests=2000)
    inputs = write_v2_files(_with_tickets(policy, events, "2026-03", 21), tmp_path)
    report = assert_identical(policy, inputs, "2026-03", as_of)
    assert any(line["kind"] == "per_miss" for c in report["customers"] for line in c["credits"])


# ---- hand-made own incidents --------------------------------------------------------------------------

HAND = hand_contract(customer_exclusion=True)


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def hand_inputs(folder: Path) -> Inputs:
    """The hand-made files of `test_own_incidents_that_touch_the_platform_outages`."""
    customers = _write(folder / "customers.csv", "customer,tier,fee\n" + "".join(
        f"{c},standard,100\n" for c in "abcdef"))  # fmt: skip
    incidents = _write(
        folder / "incidents.csv",
        "id,start,end,cause,announced_at,customers,service,region\n"
        "i1,2026-05-04T10:00:00Z,2026-05-04T10:20:00Z,,,,,\n"  # platform, 20 min
        "i2,2026-05-05T10:00:00Z,2026-05-05T10:03:00Z,,,,api,\n"  # platform blip, under 5 min
        "o1,2026-05-05T10:03:00Z,2026-05-05T10:06:00Z,,,a,,\n"  # a's own, adjacent to i2
        "o2,2026-05-07T00:10:00Z,2026-05-07T00:12:30Z,,,b,api,\n"  # b's own, adjoins the error-rate interval
        "m0,2026-01-10T00:00:00Z,2026-01-10T01:30:00Z,maint,2026-01-01T00:00:00Z,c,,\n"  # c's own allowance
        "m1,2026-05-06T00:00:00Z,2026-05-06T01:00:00Z,maint,2026-05-01T00:00:00Z,,,\n"  # platform maintenance
        "x1,2026-05-08T00:00:00Z,2026-05-08T00:30:00Z,cust,,d,,\n"  # d's own, excluded
        "z1,2026-05-04T10:10:00Z,2026-05-04T10:10:00Z,,,e,,\n"  # e's own point inside i1
        "z2,2026-05-04T10:10:00Z,2026-05-04T10:10:00Z,,,,,\n",  # a platform point inside i1
    )
    requests = _write(
        folder / "requests.csv",
        "service,region,start,total,failed\napi,,2026-05-07T00:05:00Z,100,6\napi,,2026-05-07T00:00:00Z,100,5\n",
    )
    return Inputs(customers=customers, incidents=incidents, requests=requests)


def test_own_incidents_that_touch_the_platform_outages(tmp_path: Path) -> None:
    """Own incidents join a platform blip below the minimum (a: 3 + 3 min → counts 6 min, the platform's
    i2 now counted for a), adjoin an error-rate interval (b), share the yearly allowance (c: own announced
    maintenance of 90 min in January leaves 30 min of the 2 h for May's platform maintenance of 60 min),
    are excluded (d), and are a zero-length point inside a platform outage (e)."""
    inputs = hand_inputs(tmp_path)
    policy = load_policy(HAND)
    report = assert_identical(policy, inputs, "2026-05")
    down = {c["customer"]: c["scopes"][0]["downtime"] for c in report["customers"]}
    # f (none of its own): i1 20 min + the error-rate interval 00:05–00:10 (6/100 > 5 %; 5/100 is not) 5 min
    # = 25 min; i2 (3 min) is below the minimum; m1 (60 min, announced 5 d ahead) is within the 2 h allowance.
    # Platform incidents counted: i1 and z2 (a point inside i1).
    assert down["f"]["counted_seconds"] == 25 * 60 and down["f"]["platform_incidents"] == 2
    # a: o1 joins i2 into 10:00–10:06, 6 min ≥ 5 min: 31 min, and i2 now counts for a
    assert down["a"]["counted_seconds"] == 31 * 60 and down["a"]["incidents"] == ["o1"]
    assert down["a"]["platform_incidents"] == 3
    # b: o2 joins the error-rate interval into 00:05–00:12:30, 7.5 min → 7 whole minutes: 27 min, 30 s cut
    assert down["b"]["counted_seconds"] == 27 * 60
    assert {"cause": None, "reason": "partial_minute", "seconds": 30} in down["b"]["excluded"]
    # c: m0 (90 min in January) leaves 30 min of the 2 h for m1: m1's last 30 min count, 25 + 30 = 55 min
    assert down["c"]["counted_seconds"] == 55 * 60
    assert {"cause": "maint", "reason": "announced_maintenance", "seconds": 30 * 60} in down["c"]["excluded"]
    assert down["d"]["excluded_incidents"] == ["x1"] and down["e"]["incidents"] == ["z1"]


# ---- bad rows, refusals ---------------------------------------------------------------------------------


def test_bad_rows_keep_the_readers_messages(tmp_path: Path) -> None:
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    good = _nimbus_inputs()
    lines = Path(good.requests or "").read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",lots"
    requests = _write(tmp_path / "requests.csv", "\n".join(lines) + "\n")
    charges = _write(tmp_path / "charges.csv", Path(good.charges or "").read_text() + "acme,compute,us_east,5 USD\n")
    for bad in (Inputs(good.customers, good.incidents, charges=good.charges, requests=requests),
                Inputs(good.customers, good.incidents, charges=charges, requests=good.requests)):  # fmt: skip
        with pytest.raises(EventError) as numpy_error:
            evaluate_files(policy, bad, period="2026-05")
        with pytest.raises(EventError) as duck_error:
            evaluate_files(policy, bad, period="2026-05", engine="duckdb")
        assert str(duck_error.value) == str(numpy_error.value)
        assert "row" in str(duck_error.value)


def test_a_bad_period_is_refused_as_by_numpy() -> None:
    policy = load_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text())
    with pytest.raises(ValueError) as numpy_error:
        evaluate_files(policy, _nimbus_inputs(), period="2026-13")
    with pytest.raises(ValueError) as duck_error:
        evaluate_files(policy, _nimbus_inputs(), period="2026-13", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)
