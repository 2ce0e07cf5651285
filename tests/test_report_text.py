"""The runtime's writer of customer entries (`runtime.report_text`): money exact, both engines alike.

The numpy engine's assembly (`evaluate.assemble`, as dicts) and the duckdb engine's native read
(`plan.report_stream`, as JSON text a block at a time) both write customers through it: their
reports are compared byte for byte, and the money against the slow reference evaluator
(tests/oracle) or worked by hand: finer shares than the cent, fixed amounts, fees finer than the
cent, and credits per missed resolution and update (issue 12).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import slac
from slac.plan import native, report_stream
from slac.runtime import load_policy, report_text
from slac.runtime.evaluate import Period
from tests.runtime_fixtures import contract_path, policy_text, random_events, zones_policy_text
from tests.test_engine_duckdb_parquet import _inputs


def _variant(**edits: str) -> str:
    """acme-crm with its credits edited (its examples, which pin the original amounts, left out)."""
    source = contract_path("acme-crm").read_text(encoding="utf-8")
    source = re.sub(r'\n  example "[^"]*" \{.*?\n  \}', "", source, flags=re.S)
    for old, new in edits.items():
        assert old in source
        source = source.replace(old, new)
    return slac.policy_json(slac.compile_policy(source, file="variant.sla"))


# Shares that need more places than the cent (7.5% of 1246.37 = 93.47775) and fixed amounts.
FINE = _variant(**{
    "when uptime below target 10% of monthly_fee": "when uptime below target 7.5% of monthly_fee",
    "when uptime below 95.0%  100% of monthly_fee": "when uptime below 95.0%  33.3% of monthly_fee",
    "per missed response 2% of monthly_fee": "per missed response 0.125% of monthly_fee",
    "cap 100% of monthly_fee per month": "cap 33.3% of monthly_fee per month",
})  # fmt: skip
FIXED = _variant(**{
    "per missed response 2% of monthly_fee": "per missed response 12.345 USD",
    "when uptime below 95.0%  100% of monthly_fee": "when uptime below 95.0%  200 USD",
    "cap 100% of monthly_fee per month": "cap 250 USD per month",
})  # fmt: skip


def _texts(policy: Any, found: Any, per: Any, as_of: int) -> bytes:
    report = report_stream.native_report(policy, found, per, as_of, for_json=True)
    return b"".join(made.text for made in report["customers"])


def _found(policy: Any, period: str, tmp: Path, seed: int, **sizes: int) -> tuple[Any, Any]:
    events = random_events(policy, period, seed=seed, **sizes)
    inputs = _inputs(events, tmp, policy)
    per = Period.month(policy, period)
    found = native.read_natively(policy, inputs, per, per.end)
    assert found is not None
    return per, found


def test_amounts_finer_than_the_cent_are_written_exactly(tmp_path: Path) -> None:
    import json

    policy = load_policy(FINE)
    per, found = _found(policy, "2026-06", tmp_path, 11, customers=60, tickets=3000, incidents=300)
    report = json.loads(b"[" + _texts(policy, found, per, per.end).replace(b"\n", b"") + b"]")
    lines = [(c["fee"], line) for c in report for line in c["credits"]]
    fine = [(fee, line) for fee, line in lines if line["kind"] == "band" and line["band"]["share"] == "7.5"]
    assert fine
    for fee, line in fine:  # 7.5% of the fee, exactly: fee × 75 / 1000
        assert Decimal(line["amount"]) == Decimal(fee) * 75 / 1000
    assert any(len(line["amount"].split(".")[1]) > 2 for _, line in fine)  # e.g. 93.47775, not rounded
    for customer in report:  # the total: the subtotal capped at 33.3% of the fee, then to the cent
        limit = Decimal(customer["fee"]) * 333 / 1000
        owed = min(Decimal(customer["subtotal"]), limit)
        assert customer["total"] == str(owed.quantize(Decimal("0.01")))  # half-even, Decimal's default


def _fine_fees(events: Any) -> Any:
    """The events with three fees finer than the cent (one in each block of 11 customers)."""
    from dataclasses import replace

    fees = list(events.customers.fee)
    fees[3], fees[12], fees[25] = Decimal("10.005"), Decimal("1234.5678"), Decimal("0.001")
    return replace(events, customers=replace(events.customers, fee=tuple(fees)))


@pytest.mark.parametrize(
    ("policy_json", "period", "seed"),
    [
        (policy_text("acme-crm"), "2026-03", 31),
        (policy_text("websoft9"), "2025-03", 5),
        (zones_policy_text(), "2025-10", 7),  # a zone with a DST change in the month
        (FINE, "2026-06", 11),
        (FIXED, "2026-06", 13),
    ],
    ids=["acme-crm", "websoft9", "zones", "fine-shares", "fixed-amounts"],
)
def test_both_engines_write_the_same_text_and_the_oracles_totals(
    policy_json: str, period: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    from datetime import UTC

    from slac.runtime.calendar import from_us
    from slac.runtime.engines import evaluate_files
    from slac.runtime.report_json import json_chunks
    from tests.oracle.reference import evaluate_reference

    policy = load_policy(policy_json)
    events = _fine_fees(random_events(policy, period, seed=seed, customers=30, tickets=1500, incidents=120))
    inputs = _inputs(events, tmp_path, policy)
    per = Period.month(policy, period)
    monkeypatch.setattr(report_stream, "BLOCK", 11)  # several blocks, the last one shorter
    for as_of in (None, per.start + (per.end - per.start) // 3):  # --as-of: breaches late to as_of
        when = None if as_of is None else from_us(as_of, UTC)
        texts = {
            engine: b"".join(json_chunks(evaluate_files(policy, inputs, period=period, as_of=when, engine=engine,
                                                        for_json=True)))
            for engine in ("numpy", "duckdb")
        }  # fmt: skip
        assert texts["numpy"] == texts["duckdb"]
        report = json.loads(texts["numpy"])
        reference = evaluate_reference(policy.raw, events, period, as_of)
        totals = {c["customer"]: Decimal(c["total"]) for c in report["customers"]}
        assert totals == {c: ref.total for c, ref in reference.customers.items()}
        breached = {c["customer"]: tuple(sorted(b["id"] for b in c["breaches"])) for c in report["customers"]}
        assert breached == {c: ref.breaches for c, ref in reference.customers.items()}
        assert any(t for t in totals.values())  # some customer is owed something
    assert b'"fee": "10.005"' in texts["numpy"] and b'"fee": "1234.5678"' in texts["numpy"]


def test_credits_per_missed_resolution_and_update_count_the_clock_entries(tmp_path: Path) -> None:
    import copy
    import json

    from slac.runtime.engines import evaluate_files
    from slac.runtime.report_json import json_chunks
    from tests.test_engine_duckdb import write_events
    from tests.tickets_random import random_clock_events, zones_clock_policy

    raw = zones_clock_policy()
    resolved, updated = copy.deepcopy(raw["credits"][1]), copy.deepcopy(raw["credits"][1])
    resolved["id"], resolved["per_miss"]["target"] = "unresolved", "resolution"  # 3% of the fee each
    updated["id"], updated["per_miss"]["target"] = "silent", "update"
    updated["per_miss"]["amount"] = {"money": "1.255", "currency": raw["currency"]["code"]}
    raw["credits"] += [resolved, updated]
    raw["content_hash"] = slac.policy.content_hash(raw)
    policy = load_policy(json.dumps(raw))
    events = _fine_fees(random_clock_events(policy, "2025-10", seed=5, customers=30, tickets=1500))
    inputs = write_events(events, tmp_path, policy)
    found = [
        b"".join(json_chunks(evaluate_files(policy, inputs, period="2025-10", engine=e, for_json=True)))
        for e in ("numpy", "duckdb")
    ]
    assert found[0] == found[1]
    lines = 0
    for customer in json.loads(found[0])["customers"]:
        fee = Decimal(customer["fee"])
        resolutions = list(dict.fromkeys(m["id"] for m in customer["missed_resolutions"]))
        updates = customer["missed_updates"]
        for line in customer["credits"]:
            if line.get("target") == "resolution":  # one per missed cycle, × 3% of the fee, exactly
                assert line["count"] == len(customer["missed_resolutions"]) and line["tickets"] == resolutions
                assert Decimal(line["amount"]) == line["count"] * fee * 3 / 100
                lines += 1
            elif line.get("target") == "update":  # one per missed update, × 1.255 CNY
                assert line["count"] == sum(u["count"] for u in updates)
                assert line["tickets"] == [u["id"] for u in updates]
                assert Decimal(line["amount"]) == line["count"] * Decimal("1.255")
                lines += 1
    assert lines > 10


def test_the_number_texts() -> None:
    assert report_text._fixed(5, 2) == "0.05"  # Decimal(5).scaleb(-2) → 0.05
    assert report_text._fixed(0, 2) == "0.00" and report_text._fixed(1234, 0) == "1234"
    assert report_text._plain(100_000_000_000, 9) == "100"  # 100.000000000 without its zeros
    assert report_text._plain(99_420_635_379, 9) == "99.420635379"
    assert report_text._plain(99_500_000_000, 9) == "99.5" and report_text._plain(0, 9) == "0"
    assert report_text.fee_units([Decimal("12.3"), Decimal("7")], 2) == [1230, 700]
    assert report_text.fee_units([Decimal("12.345")], 2) is None
    assert report_text.fee_units([Decimal("12.345")], 3) == [12345]
