"""The plan's availability SQL (slac.plan.availability_sql) agrees with the numpy engine, downtime µs for µs.

The input relations are loaded into DuckDB from the numpy readers' Events (`load_relations`, also
used by tests/test_plan_credits*.py); the SQL's `scope_downtime` is compared per customer and scope
with the numpy report: the bundled contracts' sample events, every contract example, random scoped
corpora (tests/test_v2_crosscheck.py's generator) and hand-computed cases.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")

from slac.driver import compile_policy  # noqa: E402
from slac.plan.availability_sql import scope_downtime_sql  # noqa: E402
from slac.policy.codec import seconds_of_us  # noqa: E402
from slac.runtime import load_policy as _load  # noqa: E402
from slac.runtime.engines import Inputs, read_events_any  # noqa: E402
from slac.runtime.evaluate import evaluate  # noqa: E402
from slac.runtime.events import MISSING, Events  # noqa: E402
from slac.runtime.examples import example_events, example_period  # noqa: E402
from slac.runtime.windows import parse_period  # noqa: E402
from tests.hand_contracts import hand_contract  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MIN = 60_000_000
HOUR = 60 * MIN


def load_policy(source: str, name: str = "t.sla") -> Any:
    return _load(compile_policy(source, file=name))


def _opt(values: Any, missing: int = MISSING) -> list[int | None]:
    return [None if int(v) == missing else int(v) for v in values]


def load_relations(policy: Any, events: Events, period: str, as_of: int | None = None) -> Any:
    """A DuckDB connection holding the plan's input relations for `events` and the window `period`."""
    con = duckdb.connect()
    w = parse_period(period, policy.raw["billing"], policy.zone)
    c = events.customers
    dec = pa.decimal128(38, 9)
    cols: dict[str, Any] = {
        "customer": pa.array([str(x) for x in c.id], pa.string()),
        "tier": pa.array([str(x) for x in c.tier], pa.string()),
        "fee": pa.array([Decimal(x) for x in c.fee], dec),
    }
    for name, values in c.conditions.items():
        cols[name] = pa.array([bool(v) for v in values], pa.bool_())
    con.register("customers_v", pa.table(cols))
    inc = events.incidents
    rows: list[tuple[Any, ...]] = []
    n = len(inc.id)
    svc = inc.service.tolist() if inc.service is not None else [None] * n
    reg = inc.region.tolist() if inc.region is not None else [None] * n
    ann = _opt(inc.announced)
    for i in range(n):
        for who in inc.customers[i] or (None,):
            rows.append(
                (i, str(inc.id[i]), int(inc.start[i]), int(inc.end[i]), who, inc.cause[i], ann[i], svc[i], reg[i])
            )
    names = ["row", "id", "start", "end", "customer", "cause", "announced", "service", "region"]
    types = [pa.int64(), pa.string(), pa.int64(), pa.int64(), pa.string(), pa.string(), pa.int64(), pa.string(),
             pa.string()]  # fmt: skip
    con.register(
        "incidents_v",
        pa.table({k: pa.array([r[j] for r in rows], t) for j, (k, t) in enumerate(zip(names, types, strict=True))}),
    )
    r = events.requests
    req = {
        "service": pa.array(r.service.tolist() if r is not None else [], pa.string()),
        "region": pa.array(r.region.tolist() if r is not None else [], pa.string()),
        "start": pa.array(r.start.tolist() if r is not None else [], pa.int64()),
        "total": pa.array(r.total.tolist() if r is not None else [], pa.int64()),
        "failed": pa.array(r.failed.tolist() if r is not None else [], pa.int64()),
    }
    con.register("requests_v", pa.table(req))
    ch = events.charges
    con.register(
        "charges_v",
        pa.table(
            {
                "customer": pa.array([str(x) for x in ch.customer] if ch is not None else [], pa.string()),
                "service": pa.array(ch.service.tolist() if ch is not None else [], pa.string()),
                "region": pa.array(ch.region.tolist() if ch is not None else [], pa.string()),
                "amount": pa.array([Decimal(x) for x in ch.amount] if ch is not None else [], dec),
            }
        ),
    )
    for name in ("customers", "incidents", "requests", "charges"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_v")
    con.execute("CREATE TABLE params (period_start BIGINT, period_end BIGINT, as_of BIGINT)")
    con.execute("INSERT INTO params VALUES (?, ?, ?)", [w.start, w.end, as_of if as_of is not None else w.end])
    return con


def sql_downtime(policy: Any, con: Any) -> dict[tuple[str, str | None, str | None], tuple[int, int]]:
    rows = con.execute(scope_downtime_sql(policy)).fetchall()
    out = {(r[0], r[1], r[2]): (int(r[3]), int(r[4]), int(r[5])) for r in rows}
    assert len(out) == len(rows), "one row per customer and scope"
    return out


def report_downtime(report: dict[str, Any]) -> dict[tuple[str, str | None, str | None], Fraction]:
    """Per (customer, service, region): the numpy report's uptime as an exact fraction."""
    out: dict[tuple[str, str | None, str | None], Fraction] = {}
    for c in report["customers"]:
        if c.get("scopes"):
            for s in c["scopes"]:
                out[(c["customer"], s["service"], s["region"])] = Fraction(s["uptime"]["fraction"])
        else:
            out[(c["customer"], None, None)] = Fraction(c["uptime"]["fraction"])
    return out


def counted_seconds(report: dict[str, Any]) -> dict[tuple[str, str | None, str | None], Any]:
    out = {}
    for c in report["customers"]:
        if c.get("scopes"):
            for s in c["scopes"]:
                out[(c["customer"], s["service"], s["region"])] = s["downtime"]["counted_seconds"]
        else:
            out[(c["customer"], None, None)] = c["downtime"]["counted_seconds"]
    return out


def agree(policy: Any, events: Events, period: str) -> int:
    """Assert the SQL's downtime equals the numpy report's for every customer and scope; how many compared."""
    report = evaluate(policy, events, period=period)
    con = load_relations(policy, events, period)
    got = sql_downtime(policy, con)
    want = report_downtime(report)
    secs = counted_seconds(report)
    assert set(got) == set(want)
    intervals = {
        (c["customer"], x["service"], x["region"]): x["downtime"]["error_rate_intervals"]
        for c in report["customers"]
        for x in c.get("scopes") or []
    }
    for key, (counted, window, errors) in got.items():
        assert errors == intervals.get(key, 0), key
        assert window == report["period_seconds"] * 1_000_000, key
        assert Fraction(window - counted, window) == want[key], (key, counted, secs[key])
        assert seconds_of_us(counted) == secs[key], key  # the report's seconds, as it writes them
    return len(got)


def test_bundled_events_agree() -> None:
    cases = [("websoft9", "websoft9-2025-03", "2025-03"), ("nimbus-cloud", "nimbus-cloud-2026-05", "2026-05")]
    for contract, folder, period in cases:
        policy = load_policy((ROOT / "contracts" / f"{contract}.sla").read_text(), f"{contract}.sla")
        d = ROOT / "contracts" / "events" / folder
        files = {p.stem: str(p) for p in d.glob("*.csv")}
        inputs = Inputs(
            customers=files["customers"], incidents=files["incidents"], tickets=files.get("tickets"),
            charges=files.get("charges"), requests=files.get("requests"),
        )  # fmt: skip
        events = read_events_any(policy, inputs)
        assert agree(policy, events, period) >= 2


@pytest.mark.parametrize("contract", ["acme-crm", "websoft9", "nimbus-cloud", "harbor-desk"])
def test_contract_examples_agree(contract: str) -> None:
    policy = load_policy((ROOT / "contracts" / f"{contract}.sla").read_text(), f"{contract}.sla")
    compared = 0
    for ex in policy.raw["examples"]:
        tier = ex["tier"] or next(iter(policy.tiers))
        compared += agree(policy, example_events(policy, ex, tier), example_period(policy, ex))
    assert compared >= len(policy.raw["examples"])


# ---- random corpora ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_v1_events_agree(seed: int) -> None:
    from slac.runtime import load_policy as load_json
    from tests.runtime_fixtures import random_events, zones_policy_text

    policy = load_json(zones_policy_text())
    events = random_events(policy, "2026-03", seed=seed, customers=30, tickets=50, incidents=400)
    assert agree(policy, events, "2026-03") == 30


@pytest.mark.parametrize(("period", "seed"), [("2026-03", 11), ("2026-05", 12), ("2026-01", 13)])
def test_random_scoped_month_agrees(period: str, seed: int) -> None:
    """Scopes per region, error-rate intervals, a yearly maintenance allowance, whole minutes, minimum outage."""
    from tests.test_v2_crosscheck import NIMBUS_LIKE, random_scoped_events

    policy = load_policy(NIMBUS_LIKE)
    events = random_scoped_events(policy, period, seed=seed, customers=25, incidents=1500, requests=20_000)
    assert agree(policy, events, period) > 60


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q4"])
def test_random_quarter_across_dst_agrees(period: str) -> None:
    from tests.test_v2_crosscheck import QUARTERLY, random_scoped_events

    policy = load_policy(QUARTERLY)
    events = random_scoped_events(policy, period, seed=5 + int(period[-1]), customers=30, incidents=1500, requests=0)
    assert agree(policy, events, period) == 30


# ---- hand-computed cases -------------------------------------------------------------------------


def us(text: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(text + "+00:00").timestamp()) * 1_000_000


def make_events(
    customers: list[tuple[str, str, str, dict[str, bool]]],
    incidents: list[tuple[str, str, str, str | None, str | None, tuple[str, ...] | None, str | None, str | None]],
    charges: list[tuple[str, str, str | None, str]] = (),  # type: ignore[assignment]
    requests: list[tuple[str, str | None, str, int, int]] = (),  # type: ignore[assignment]
) -> Events:
    """Events from rows written by hand: times as UTC `YYYY-MM-DDTHH:MM[:SS]`."""
    from slac.runtime.events import Charges, Customers, Incidents, Requests, Tickets
    from tests.runtime_fixtures import objects

    names = sorted({k for c in customers for k in c[3]})
    cust = Customers(
        id=objects([c[0] for c in customers]), tier=objects([c[1] for c in customers]),
        fee=tuple(Decimal(c[2]) for c in customers), row=np.arange(2, len(customers) + 2),
        conditions={k: np.array([c[3].get(k, True) for c in customers]) for k in names},
    )  # fmt: skip
    inc = Incidents(
        id=objects([r[0] for r in incidents]),
        start=np.array([us(r[1]) for r in incidents], dtype=np.int64),
        end=np.array([us(r[2]) for r in incidents], dtype=np.int64),
        cause=objects([r[3] for r in incidents]),
        announced=np.array([us(r[4]) if r[4] else MISSING for r in incidents], dtype=np.int64),
        customers=tuple(r[5] for r in incidents), row=np.arange(2, len(incidents) + 2),
        service=objects([r[6] for r in incidents]), region=objects([r[7] for r in incidents]),
    )  # fmt: skip
    ch = Charges(
        customer=objects([r[0] for r in charges]), service=objects([r[1] for r in charges]),
        region=objects([r[2] for r in charges]), amount=tuple(Decimal(r[3]) for r in charges),
        row=np.arange(2, len(charges) + 2),
    )  # fmt: skip
    req = Requests(
        service=objects([r[0] for r in requests]), region=objects([r[1] for r in requests]),
        start=np.array([us(r[2]) for r in requests], dtype=np.int64),
        total=np.array([r[3] for r in requests], dtype=np.int64),
        failed=np.array([r[4] for r in requests], dtype=np.int64), row=np.arange(2, len(requests) + 2),
    )  # fmt: skip
    empty = objects([])
    none = np.zeros(0, dtype=np.int64)
    tickets = Tickets(empty, empty, empty, none, none, np.zeros(0, dtype=bool), empty, none)
    return Events(cust, tickets, inc, ch, req)


HAND = hand_contract()


def hand_events(customers: list[Any] = [], incidents: list[Any] = []) -> Events:  # noqa: B006
    return make_events(
        [("a", "standard", "0.25", {}), ("b", "standard", "0.35", {}), ("c", "standard", "0.45", {}), *customers],
        [
            *incidents,
            ("i1", "2026-05-04T10:00", "2026-05-04T10:03", None, None, None, None, None),
            ("i2", "2026-05-04T10:03", "2026-05-04T10:06:30", None, None, None, "api", None),  # adjacent to i1
            ("i3", "2026-05-05T10:00", "2026-05-05T10:04", None, None, None, None, None),  # alone, under 5 min
            ("i4", "2026-01-10T00:00", "2026-01-10T01:30", "maint", "2026-01-01T00:00", None, None, None),
            ("i5", "2026-05-06T00:00", "2026-05-06T01:00", "maint", "2026-05-01T00:00", None, None, None),
            ("i6", "2026-05-04T10:06:30", "2026-05-04T10:08", None, None, ("b",), None, None),  # b's own
        ],
        requests=[("api", None, "2026-05-07T00:00", 100, 5), ("api", None, "2026-05-07T00:05", 100, 6)],
    )


def test_hand_computed_downtime() -> None:
    """Adjacent incidents join, whole minutes, an allowance that runs out mid-outage, error rate at the threshold.

    a (platform only): i1 ∪ i2 = 10:00–10:06:30, 6.5 min ≥ 5 → 390 s, cut to whole minutes 360 s;
    i3 is 4 min < 5 → 0; maintenance allowance 2 h/year: January used 1 h 30, so of i5's hour 30 min
    are excluded and 00:30–01:00 counts → 1800 s; requests 5 % exactly is not above 5 %, 6 % is: the
    interval 00:05–00:10 is down → 300 s. a: 360 + 1800 + 300 = 2460 s.
    b: its own i6 10:06:30–10:08 joins i1 ∪ i2 → 10:00–10:08 = 480 s: 480 + 1800 + 300 = 2580 s.
    """
    policy = load_policy(HAND)
    events = hand_events()
    got = sql_downtime(policy, load_relations(policy, events, "2026-05"))
    assert got[("a", "api", None)][0] == 2460 * 1_000_000
    assert got[("b", "api", None)][0] == 2580 * 1_000_000
    assert got[("c", "api", None)][0] == 2460 * 1_000_000
    assert got[("a", "api", None)][2] == 1  # 00:05–00:10 only: 5 % exactly is not above 5 %
    assert agree(policy, events, "2026-05") == 3


def test_sql_transpiles_to_every_dialect() -> None:
    import sqlglot
    from sqlglot.errors import ErrorLevel

    from slac.plan.availability_sql import scope_excluded_sql

    policy = load_policy(HAND)
    for sql in (scope_downtime_sql(policy), scope_excluded_sql(policy)):
        for dialect in ("spark", "bigquery", "snowflake", "postgres"):
            assert sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE)


# ---- what does not count -------------------------------------------------------------------------


def excluded_agree(policy: Any, events: Events, period: str) -> int:
    """The SQL's excluded downtime by (cause, reason) equals the report's `downtime.excluded`; how many entries."""
    from slac.plan.availability_sql import scope_excluded_sql

    report = evaluate(policy, events, period=period)
    con = load_relations(policy, events, period)
    got: dict[tuple[Any, ...], dict[tuple[Any, str], Any]] = {}
    for customer, service, region, cause, reason, us_ in con.execute(scope_excluded_sql(policy)).fetchall():
        entry = got.setdefault((customer, service, region), {})
        assert (cause, reason) not in entry
        entry[(cause, reason)] = seconds_of_us(us_)
    compared = 0
    for c in report["customers"]:
        scopes = c.get("scopes") or [{"service": None, "region": None, "downtime": c["downtime"]}]
        for s in scopes:
            want = {(x["cause"], x["reason"]): x["seconds"] for x in s["downtime"]["excluded"]}
            assert got.get((c["customer"], s["service"], s["region"]), {}) == want, (c["customer"], s["service"])
            compared += len(want)
    return compared


def test_excluded_breakdown_agrees() -> None:
    from slac.runtime import load_policy as load_json
    from tests.runtime_fixtures import random_events, zones_policy_text
    from tests.test_v2_crosscheck import NIMBUS_LIKE, QUARTERLY, random_scoped_events

    policy = load_json(zones_policy_text())
    assert excluded_agree(policy, random_events(policy, "2026-03", seed=4, customers=30, incidents=400), "2026-03")
    policy = load_policy(NIMBUS_LIKE)
    events = random_scoped_events(policy, "2026-05", seed=8, customers=25, incidents=1500, requests=20_000)
    assert excluded_agree(policy, events, "2026-05") > 50
    policy = load_policy(QUARTERLY)
    events = random_scoped_events(policy, "2026-Q1", seed=9, customers=25, incidents=1500, requests=0)
    assert excluded_agree(policy, events, "2026-Q1") > 20
    policy = load_policy(HAND)
    assert excluded_agree(policy, hand_events(), "2026-05") >= 3


def test_own_maintenance_shares_the_allowance() -> None:
    """d's own announced maintenance in January (20 min) uses the yearly 2 h with the platform's 1 h 30:
    of May 6's hour only 10 min are excluded (600 s) and 50 min count: d has 360 + 3000 + 300 = 3660 s
    (the others 2460 s, 1800 s of announced maintenance, as in test_hand_computed_downtime)."""
    policy = load_policy(HAND)
    events = hand_events(
        [("d", "standard", "1", {})],
        [("i7", "2026-01-20T00:00", "2026-01-20T00:20", "maint", "2026-01-01T00:00", ("d",), None, None)],
    )
    got = sql_downtime(policy, load_relations(policy, events, "2026-05"))
    assert got[("d", "api", None)][0] == 3660 * 1_000_000
    assert got[("a", "api", None)][0] == 2460 * 1_000_000
    assert excluded_agree(policy, events, "2026-05") >= 4
    from slac.plan.availability_sql import scope_excluded_sql

    con = load_relations(policy, events, "2026-05")
    rows = {(r[0], r[4]): r[5] for r in con.execute(scope_excluded_sql(policy)).fetchall()}
    assert rows[("d", "announced_maintenance")] == 600 * 1_000_000
    assert rows[("a", "announced_maintenance")] == 1800 * 1_000_000
    assert agree(policy, events, "2026-05") == 4
