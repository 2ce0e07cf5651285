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
from .evaluate import evaluate, round_half_even
from .events import MISSING, Customers, Events, Incidents, Tickets
from .policy import Policy

EXAMPLE_CUSTOMER = "example"


@dataclass(frozen=True, slots=True)
class ExpectCheck:
    """One `expect` line: what the contract says and what the evaluator found."""

    kind: str  # 'uptime' | 'credit' | 'breaches'
    line: int
    expected: str
    actual: str
    ok: bool


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """One example: its period and tier, the customer's report entry, and its checks."""

    index: int
    title: str
    line: int
    period: str  # YYYY-MM
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
        start = event["opened"] if event["kind"] == "ticket" else event["start"]
        local = datetime.fromisoformat(start).astimezone(policy.zone)
        return f"{local.year:04d}-{local.month:02d}"
    effective = policy.raw["contract"]["effective"]
    if effective:  # an example with no events and no period: the contract's first month
        day = date.fromisoformat(effective)
        return f"{day.year:04d}-{day.month:02d}"
    raise ValueError(f"example {ex['title']!r} has neither a period nor an event to take its month from")


def example_events(policy: Policy, ex: dict[str, Any], tier: str) -> Events:
    """The example as event tables: one customer, its tickets and outages (each repeated as written)."""
    fee = Decimal(ex["fee"]["amount"]) if ex["fee"] else Decimal(0)
    t_rows: list[tuple[str, str, int, int, bool, str | None, int]] = []
    i_rows: list[tuple[str, int, int, str | None, int, int]] = []
    for event in ex["events"]:
        for k in range(event["repeat"]):
            # Ids name the contract line (and the copy, for `repeat`), so a breach points at the example.
            ident = f"line {event['line']}" + (f" #{k + 1}" if event["repeat"] > 1 else "")
            if event["kind"] == "ticket":
                opened = _us(event["opened"])
                responded = _us(event["responded"]) if event["responded"] else MISSING
                t_rows.append(
                    (ident, event["priority"], opened, responded, event["outage"], event["cause"], event["line"])
                )
            else:
                start = _us(event["start"])
                end = start + round(Decimal(repr(event["duration_seconds"])) * 1_000_000)
                announced = _us(event["announced"]) if event["announced"] else MISSING
                i_rows.append((ident, start, end, event["cause"], announced, event["line"]))
    customers = Customers(
        id=_objects([EXAMPLE_CUSTOMER]),
        tier=_objects([tier]),
        fee=(fee,),
        row=np.array([ex["line"]], dtype=np.int64),
        source="example",
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
    )
    return Events(customers, tickets, incidents)


def _checks(policy: Policy, expect: dict[str, Any], entry: dict[str, Any]) -> list[ExpectCheck]:
    checks: list[ExpectCheck] = []
    if "uptime" in expect:
        want = expect["uptime"]
        places = want["decimals"]
        exact = Fraction(entry["uptime"]["fraction"]) * 100
        got = round_half_even(exact, places)
        expected = Decimal(want["percent"])
        checks.append(
            ExpectCheck(
                "uptime",
                want["line"],
                f"{expected.quantize(Decimal(1).scaleb(-places))}%",
                f"{got}%",
                got == expected,
            )
        )
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
    return checks


def _us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
