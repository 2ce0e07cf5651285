"""The duckdb engine's lean report text (`plan.report_text`) is the runtime assembly's, byte for byte.

Each case runs `report_stream.native_report` twice over the same native read: with the lean writer
(`LEAN = True`) and with the runtime's assembly over each block (`LEAN = False`, the text the engine
wrote before, which tests/test_engine_native.py checks against the numpy engine's report).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import slac
from slac.plan import native, report_stream, report_text
from slac.runtime import load_policy
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


def _texts(policy: Any, found: Any, per: Any, as_of: int, lean: bool, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setattr(report_stream, "LEAN", lean)
    report = report_stream.native_report(policy, found, per, as_of, for_json=True)
    return b"".join(made.text for made in report["customers"])


def _found(policy: Any, period: str, tmp: Path, seed: int, **sizes: int) -> tuple[Any, Any]:
    events = random_events(policy, period, seed=seed, **sizes)
    inputs = _inputs(events, tmp, policy)
    per = Period.month(policy, period)
    found = native.read_natively(policy, inputs, per, per.end)
    assert found is not None
    return per, found


@pytest.mark.parametrize(
    ("policy_json", "period", "seed"),
    [
        (policy_text("acme-crm"), "2026-03", 31),  # causes excluded, planned maintenance, per-miss credits
        (policy_text("websoft9"), "2025-03", 5),
        (zones_policy_text(), "2025-10", 7),  # a zone with a DST change in the month
        (FINE, "2026-06", 11),
        (FIXED, "2026-06", 13),
    ],
    ids=["acme-crm", "websoft9", "zones", "fine-shares", "fixed-amounts"],
)
def test_the_lean_text_is_the_runtime_assemblys(
    policy_json: str, period: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = load_policy(policy_json)
    per, found = _found(policy, period, tmp_path, seed, customers=60, tickets=3000, incidents=300)
    monkeypatch.setattr(report_stream, "BLOCK", 11)  # several blocks, the last one shorter
    called: list[int] = []
    real = report_text.block_text
    monkeypatch.setattr(
        report_text, "block_text", lambda plan, ids, *rest: called.append(len(ids)) or real(plan, ids, *rest)
    )
    texts = []
    for as_of in (per.end, per.start + (per.end - per.start) // 3):  # --as-of: breaches late to as_of
        lean = _texts(policy, found, per, as_of, True, monkeypatch)
        texts.append(lean.decode())
        assert called == [11] * 5 + [5]  # 60 customers, every block written lean
        assert lean == _texts(policy, found, per, as_of, False, monkeypatch)
        called.clear()
    text = "".join(texts)  # each kind of credit line the policy has is in the text compared
    kinds = {
        kind for c in policy.raw["credits"] for key, kind in (("bands", "band"), ("per_miss", "per_miss")) if c[key]
    }
    assert kinds == {kind for kind in ("band", "per_miss") if f'"kind": "{kind}"' in text}
    assert '"breaches": [\n' in text and '"incidents": [\n' in text
    if policy.raw["contract"]["id"] == "acme_crm":  # excludes causes and announced maintenance
        assert '"excluded_incidents": [\n' in text and '"excluded": [\n' in text


def test_amounts_finer_than_the_cent_are_written_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    policy = load_policy(FINE)
    per, found = _found(policy, "2026-06", tmp_path, 11, customers=60, tickets=3000, incidents=300)
    report = json.loads(b"[" + _texts(policy, found, per, per.end, True, monkeypatch).replace(b"\n", b"") + b"]")
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


def test_a_fee_finer_than_the_cent_keeps_the_runtimes_assembly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    policy = load_policy(policy_text("acme-crm"))
    per, found = _found(policy, "2026-03", tmp_path, 3, customers=30, tickets=1000, incidents=50)
    fees = list(found.customers.fee)
    fees[12] = Decimal("10.005")  # customer 12: the second block of 11
    found = replace(found, customers=replace(found.customers, fee=tuple(fees)))
    monkeypatch.setattr(report_stream, "BLOCK", 11)
    called: list[int] = []
    real = report_text.block_text
    monkeypatch.setattr(
        report_text, "block_text", lambda plan, ids, *rest: called.append(len(ids)) or real(plan, ids, *rest)
    )
    lean = _texts(policy, found, per, per.end, True, monkeypatch)
    assert called == [11, 8]  # the blocks of customers 0-10 and 22-29; 11-21 by the runtime
    assert lean == _texts(policy, found, per, per.end, False, monkeypatch)
    assert b'"fee": "10.005"' in lean


def test_a_policy_with_ticket_clocks_has_no_lean_plan() -> None:
    from tests.tickets_random import zones_clock_policy

    clocks = load_policy(zones_clock_policy())
    assert clocks.resolutions or clocks.updates
    assert report_text.Plan.of(clocks, None) is None
    assert report_text.Plan.of(load_policy(policy_text("acme-crm")), None) is not None


def test_the_number_texts() -> None:
    assert report_text._fixed(5, 2) == "0.05"  # Decimal(5).scaleb(-2) → 0.05
    assert report_text._fixed(0, 2) == "0.00" and report_text._fixed(1234, 0) == "1234"
    assert report_text._plain(100_000_000_000, 9) == "100"  # 100.000000000 without its zeros
    assert report_text._plain(99_420_635_379, 9) == "99.420635379"
    assert report_text._plain(99_500_000_000, 9) == "99.5" and report_text._plain(0, 9) == "0"
    # 2/3 to 2 places: 0.666… → 67; 1/8 to 2 places: 0.125 is a tie, 12 is even; 3/8: 0.375 → 38 (37 is odd)
    assert report_text._rounded(2, 3, 2) == 67
    assert report_text._rounded(1, 8, 2) == 12 and report_text._rounded(3, 8, 2) == 38
    assert report_text.fee_units([Decimal("12.3"), Decimal("7")], 2) == [1230, 700]
    assert report_text.fee_units([Decimal("12.345")], 2) is None and report_text.fee_units([Decimal(-1)], 2) is None
