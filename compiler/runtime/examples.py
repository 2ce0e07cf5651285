"""Run a contract's `example` blocks with the real evaluator and check each `expect`.

An example is one customer on one tier for one period: its `period`, else the month
(in the contract's zone) of its first event. `expect uptime 99.79%` holds when the exact
uptime rounded half-even to the decimals written equals it; `expect credit` compares the
total owed after the final rounding; `expect breaches` counts breached tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .calendar import to_us
from .evaluate import evaluate
from .events import MISSING, STATUS, UPDATE, Charges, Customers, Events, Incidents, Requests, TicketEvents, Tickets
from .numbers import round_half_even
from .policy import Policy

EXAMPLE_CUSTOMER = "example"


@dataclass(frozen=True, slots=True)
class ExpectCheck:
    """One `expect` line: what the contract says and what the evaluator found."""

    kind: str  # 'uptime' | 'credit' | 'breaches' | 'claim' | 'termination' | 'missed_resolutions' | 'missed_updates'
    line: int
    expected: str
    actual: str
    ok: bool
    written: str | None = None  # the `expect` line that would hold, when it is not `expect KIND ACTUAL`


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """One example: its period and tier, the customer's report entry, and its checks."""

    index: int
    title: str
    line: int
    period: str  # YYYY-MM, YYYY-Qn or YYYY
    tier: str
    report: dict[str, Any]
    checks: tuple[ExpectCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def run_examples(policy: Policy) -> list[ExampleResult]:
    """Every example of the policy, evaluated and checked, in contract order."""
    return [run_example(policy, i, ex) for i, ex in enumerate(policy.raw["examples"])]


def run_example(policy: Policy, index: int, ex: dict[str, Any]) -> ExampleResult:
    tier = ex["tier"] or next(iter(policy.tiers))
    events = example_events(policy, ex, tier)
    period = example_period(policy, ex)
    report = evaluate(policy, events, period=period)
    entry = report["customers"][0]
    return ExampleResult(
        index=index,
        title=ex["title"],
        line=ex["line"],
        period=period,
        tier=tier,
        report=entry,
        checks=tuple(_checks(policy, ex["expect"], entry)),
    )


def example_period(policy: Policy, ex: dict[str, Any]) -> str:
    """The example's `period`, else the month of its first event in the contract's zone."""
    if ex["period"]:
        return str(ex["period"])
    for event in ex["events"]:
        if event["kind"] == "charges":
            continue
        start = event["opened"] if event["kind"] == "ticket" else event["start"]
        local = datetime.fromisoformat(start).astimezone(policy.zone)
        return _period_of(policy, local.date())
    effective = policy.raw["contract"]["effective"]
    if effective:  # an example with no events and no period: the contract's first month
        return _period_of(policy, date.fromisoformat(effective))
    raise ValueError(f"example {ex['title']!r} has neither a period nor an event to take its month from")


def _period_of(policy: Policy, day: date) -> str:
    """The billing period holding `day`: its month, quarter or year as the contract bills."""
    billing = policy.raw["billing"]
    if billing == "quarterly":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if billing == "annually":
        return f"{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}"


def example_events(policy: Policy, ex: dict[str, Any], tier: str) -> Events:
    """The example as event tables: one customer, its tickets and outages (each repeated as written)."""
    fee = Decimal(ex["fee"]["amount"]) if ex["fee"] else Decimal(0)
    t_rows: list[tuple[str, str, int, int, bool, str | None, int]] = []
    i_rows: list[tuple[str, int, int, str | None, int, int, str | None, str | None]] = []
    c_rows: list[tuple[str, str | None, Decimal, int]] = []
    r_rows: list[tuple[str, str | None, int, int, int, int]] = []
    clock_rows: list[tuple[int, list[tuple[int, int, int, str | None]]]] = []  # issue 12: (resolved, events)
    for event in ex["events"]:
        if event["kind"] == "charges":
            c_rows.append((event["service"], event["region"], Decimal(event["amount"]), event["line"]))
            continue
        if event["kind"] == "requests":
            r_rows.extend(_request_rows(policy, event, _window_end(policy, ex)))
            continue
        for k in range(event["repeat"]):
            # Ids name the contract line (and the copy, for `repeat`), so a breach points at the example.
            ident = f"line {event['line']}" + (f" #{k + 1}" if event["repeat"] > 1 else "")
            if event["kind"] == "ticket":
                opened = _us(event["opened"])
                responded = _us(event["responded"]) if event["responded"] else MISSING
                t_rows.append(
                    (ident, event["priority"], opened, responded, event["outage"], event["cause"], event["line"])
                )
                clock_rows.append(_clock_rows(policy, event, len(t_rows) - 1))
            else:
                start = _us(event["start"])
                end = start + round(Decimal(repr(event["duration_seconds"])) * 1_000_000)
                announced = _us(event["announced"]) if event["announced"] else MISSING
                i_rows.append(
                    (
                        ident,
                        start,
                        end,
                        event["cause"],
                        announced,
                        event["line"],
                        event.get("service"),
                        event.get("region"),
                    )
                )
    customers = Customers(
        id=_objects([EXAMPLE_CUSTOMER]),
        tier=_objects([tier]),
        fee=(fee,),
        row=np.array([ex["line"]], dtype=np.int64),
        source="example",
        conditions={
            c["id"]: np.array([c["id"] not in ex.get("conditions_unmet", ())], dtype=bool)
            for c in policy.raw.get("conditions", [])
        },
    )
    tickets = Tickets(
        id=_objects([r[0] for r in t_rows]),
        customer=_objects([EXAMPLE_CUSTOMER] * len(t_rows)),
        priority=_objects([r[1] for r in t_rows]),
        opened=np.array([r[2] for r in t_rows], dtype=np.int64),
        responded=np.array([r[3] for r in t_rows], dtype=np.int64),
        outage=np.array([r[4] for r in t_rows], dtype=bool),
        cause=_objects([r[5] for r in t_rows]),
        row=np.array([r[6] for r in t_rows], dtype=np.int64),
        source="example",
        resolved=np.array([r[0] for r in clock_rows], dtype=np.int64),
    )
    incidents = Incidents(
        id=_objects([r[0] for r in i_rows]),
        start=np.array([r[1] for r in i_rows], dtype=np.int64),
        end=np.array([r[2] for r in i_rows], dtype=np.int64),
        cause=_objects([r[3] for r in i_rows]),
        announced=np.array([r[4] for r in i_rows], dtype=np.int64),
        customers=tuple(None for _ in i_rows),  # an example's outages affect its one customer
        row=np.array([r[5] for r in i_rows], dtype=np.int64),
        source="example",
        service=_objects([r[6] for r in i_rows]),
        region=_objects([r[7] for r in i_rows]),
    )
    charges, requests = _v2_tables(c_rows, r_rows)
    return Events(customers, tickets, incidents, charges, requests, _ticket_events(clock_rows, t_rows))


def _clock_rows(
    policy: Policy, event: dict[str, Any], ticket: int
) -> tuple[int, list[tuple[int, int, int, str | None]]]:
    """A ticket's `resolved`, and its `updated` and `paused T for D` as ticket events (ticket, at, kind, status).

    `paused T for D` is the contract's first pausing status at T and the status `open` at T + D.
    """
    from ..policy.codec import us_of_seconds

    rows: list[tuple[int, int, int, str | None]] = [(ticket, _us(u), UPDATE, None) for u in event.get("updates", [])]
    pausing = (policy.raw.get("ticket_clock") or {}).get("pause") or ["paused"]
    for pause in event.get("pauses", []):
        at = _us(pause["at"])
        rows.append((ticket, at, STATUS, pausing[0]))
        rows.append((ticket, at + us_of_seconds(pause["duration_seconds"]), STATUS, "open"))
    return (_us(event["resolved"]) if event.get("resolved") else MISSING), rows


def _ticket_events(
    clock_rows: list[tuple[int, list[tuple[int, int, int, str | None]]]], t_rows: list[Any]
) -> TicketEvents | None:
    rows = sorted((r for _, rs in clock_rows for r in rs), key=lambda r: (r[0], r[1]))
    if not rows:
        return None
    return TicketEvents(
        ticket=np.array([r[0] for r in rows], dtype=np.int64),
        at=np.array([r[1] for r in rows], dtype=np.int64),
        kind=np.array([r[2] for r in rows], dtype=np.int8),
        status=_objects([r[3] for r in rows]),
        row=np.array([t_rows[r[0]][6] for r in rows], dtype=np.int64),
        source="example",
    )


def _v2_tables(
    c_rows: list[tuple[str, str | None, Decimal, int]], r_rows: list[tuple[str, str | None, int, int, int, int]]
) -> tuple[Charges, Requests]:
    """The example's `charges` and `requests` as event tables."""
    charges = Charges(
        customer=_objects([EXAMPLE_CUSTOMER] * len(c_rows)),
        service=_objects([r[0] for r in c_rows]),
        region=_objects([r[1] for r in c_rows]),
        amount=tuple(r[2] for r in c_rows),
        row=np.array([r[3] for r in c_rows], dtype=np.int64),
        source="example",
    )
    requests = Requests(
        service=_objects([r[0] for r in r_rows]),
        region=_objects([r[1] for r in r_rows]),
        start=np.array([r[2] for r in r_rows], dtype=np.int64),
        total=np.array([r[3] for r in r_rows], dtype=np.int64),
        failed=np.array([r[4] for r in r_rows], dtype=np.int64),
        row=np.array([r[5] for r in r_rows], dtype=np.int64),
        source="example",
    )
    return charges, requests


def _window_end(policy: Policy, ex: dict[str, Any]) -> int:
    """The end (µs) of the window the example is evaluated for: nothing after it changes its report."""
    from .windows import parse_period

    return parse_period(example_period(policy, ex), policy.raw["billing"], policy.zone).end


def _request_rows(
    policy: Policy, event: dict[str, Any], until: int
) -> list[tuple[str, str | None, int, int, int, int]]:
    """`requests S R from T for D failing P`: one row per error-rate interval of the service from T, P failing,
    up to `until` (a line `for 36600d` in a month's example made 10.5M rows, 2 GB)."""
    from ..policy.codec import us_of_seconds

    rule = next((s["error_rate"] for s in policy.raw.get("services", []) if s["id"] == event["service"]), None)
    step = us_of_seconds(rule["per_seconds"]) if rule else 60_000_000
    share = Fraction(Decimal(event["failing"])) / 100
    start = _us(event["start"])
    end = min(start + us_of_seconds(event["duration_seconds"]), until)
    return [
        (event["service"], event["region"], t, share.denominator, share.numerator, event["line"])
        for t in range(start, end, step)
    ]


def _uptime_check(want: dict[str, Any], uptime: dict[str, Any] | None, what: str, scope: str = "") -> ExpectCheck:
    """`scope`: `compute us_east` for `expect uptime P for compute us_east`, kept in the line to write."""
    places = want["decimals"]
    expected = Decimal(want["percent"])
    shown = f"{expected.quantize(Decimal(1).scaleb(-places))}%"
    if uptime is None:
        return ExpectCheck("uptime", want["line"], shown, what, False)
    got = round_half_even(Fraction(uptime["fraction"]) * 100, places)
    written = f"expect uptime {got}% for {scope}" if scope else None
    return ExpectCheck("uptime", want["line"], shown, f"{got}%", got == expected, written)


def _scope_uptime(entry: dict[str, Any], service: str | None, region: str | None) -> dict[str, Any] | None:
    for scope in entry.get("scopes", []):
        if scope["service"] == service and scope["region"] == region:
            return dict(scope["uptime"])
    return None


def _checks(policy: Policy, expect: dict[str, Any], entry: dict[str, Any]) -> list[ExpectCheck]:
    checks: list[ExpectCheck] = []
    if "uptime" in expect:
        uptime = entry["uptime"]
        what = "no uptime"
        if uptime is None:  # a v2 report: the uptime of the one scope there is
            scopes = entry.get("scopes", [])
            uptime = scopes[0]["uptime"] if len(scopes) == 1 else None
            what = f"{len(scopes)} scopes: say which, e.g. `expect uptime 99.9% for SERVICE`"
        checks.append(_uptime_check(expect["uptime"], uptime, what))
    for want in expect.get("scopes", []):
        label = " ".join(x for x in (want["service"], want["region"]) if x)
        found = _scope_uptime(entry, want["service"], want["region"])
        checks.append(_uptime_check(want, found, f"no scope {label}", label))
    if "claim_by" in expect:
        want = expect["claim_by"]
        claim = entry.get("claim") or {}
        got_day = claim.get("last_day") or "no claim deadline"
        checks.append(ExpectCheck("claim", want["line"], want["date"], got_day, got_day == want["date"]))
    if "termination" in expect:
        want = expect["termination"]
        right = bool(entry.get("termination_right"))
        got_text = "a right to terminate" if right else "no right to terminate"
        checks.append(ExpectCheck("termination", want["line"], "a right to terminate", got_text, right))
    if "credit" in expect:
        want = expect["credit"]
        got_total = Decimal(entry["total"])
        ok = got_total == Decimal(want["amount"]) and want["currency"] == entry["currency"]
        checks.append(
            ExpectCheck(
                "credit",
                want["line"],
                f"{want['amount']} {want['currency']}",
                f"{entry['total']} {entry['currency']}",
                ok,
            )
        )
    if "breaches" in expect:
        want = expect["breaches"]
        count = len(entry["breaches"])
        checks.append(ExpectCheck("breaches", want["line"], str(want["count"]), str(count), count == want["count"]))
    for kind in ("missed_resolutions", "missed_updates"):  # issue 12
        if kind in expect:
            want = expect[kind]
            found = entry.get(kind, [])
            count = len(found) if kind == "missed_resolutions" else sum(u["count"] for u in found)
            checks.append(ExpectCheck(kind, want["line"], str(want["count"]), str(count), count == want["count"]))
    return checks


def _us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
