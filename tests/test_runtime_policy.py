"""load_policy refuses what it cannot use (each with its own message); per-ticket deadlines and statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from slac.policy import content_hash
from slac.runtime import Policy, PolicyError, load_policy

from .runtime_fixtures import contract_path, policy_text

CST = timezone(timedelta(hours=8))
EST, EDT = timezone(timedelta(hours=-5)), timezone(timedelta(hours=-4))


def rehash(raw: dict) -> dict:
    raw["content_hash"] = content_hash(raw)
    return raw


@pytest.fixture(scope="module")
def acme() -> Policy:
    return load_policy(policy_text("acme-crm"))


@pytest.fixture(scope="module")
def websoft9() -> Policy:
    return load_policy(policy_text("websoft9"))


# ---- loading ------------------------------------------------------------------------------------


def test_loads_from_path_text_and_dict(tmp_path: Path) -> None:
    text = policy_text("websoft9")
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    raw = json.loads(text)
    for source in (path, str(path), text, raw):
        assert load_policy(source).raw == raw
    # The loader keeps its own copy: editing the caller's dict afterwards changes nothing.
    policy = load_policy(raw)
    raw["tiers"].clear()
    assert policy.raw["tiers"]


def test_import_runtime_stays_light() -> None:
    code = (
        "import sys, slac.runtime, slac.runtime.evaluate, slac.runtime.examples; "
        "print(' '.join(m for m in ('lark', 'jinja2', 'weasyprint', 'jsonschema', 'holidays', 'pyarrow', 'pandas') "
        "if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("/no/such/policy.json", "no such policy file"),
        ('{"format_version": "1.0", ', r"policy text:1:\d+: not valid JSON"),
    ],
)
def test_unreadable(source: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(source)


def test_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PolicyError, match="a policy is a JSON object, not list"):
        load_policy(path)


def test_missing_format_version() -> None:
    raw = json.loads(policy_text("websoft9"))
    del raw["format_version"]
    with pytest.raises(PolicyError, match="no format_version"):
        load_policy(raw)


def test_unknown_major_is_refused() -> None:
    raw = rehash({**json.loads(policy_text("websoft9")), "format_version": "2.0"})
    with pytest.raises(PolicyError, match=r"format 2\.0 is not supported: this slac reads format 1\.x"):
        load_policy(raw)


def test_newer_minor_with_unknown_optional_fields_loads() -> None:
    raw = json.loads(policy_text("acme-crm"))
    raw["format_version"] = "1.7"
    raw["future_field"] = {"anything": 1}
    raw["tiers"][0]["future_tier_field"] = True
    policy = load_policy(rehash(raw))
    assert policy.response_deadline("starter", "high", datetime(2026, 6, 1, 9, tzinfo=EDT)) is not None


def test_same_minor_with_unknown_field_is_refused() -> None:
    raw = json.loads(policy_text("acme-crm"))
    raw["future_field"] = 1
    with pytest.raises(PolicyError, match=r"does not match the policy schema:\n  \$: Additional properties"):
        load_policy(rehash(raw))


def test_newer_minor_still_needs_the_known_fields() -> None:
    raw = json.loads(policy_text("acme-crm"))
    raw["format_version"] = "1.7"
    del raw["tiers"]
    with pytest.raises(PolicyError, match="'tiers' is a required property"):
        load_policy(rehash(raw))


def test_schema_violation_names_the_path() -> None:
    raw = json.loads(policy_text("acme-crm"))
    raw["tiers"][1]["responses"][0]["within_seconds"] = "8h"
    with pytest.raises(PolicyError, match=r"\$\.tiers\[1\]\.responses\[0\]\.within_seconds: '8h' is not of type"):
        load_policy(rehash(raw))


def test_tampered_policy_is_refused() -> None:
    raw = json.loads(policy_text("acme-crm"))
    raw["cap"]["amount"]["share"] = "1"  # still valid against the schema, but not what was compiled
    with pytest.raises(PolicyError, match="edited after it was compiled"):
        load_policy(raw)


def test_contract_source_must_match(tmp_path: Path) -> None:
    text = policy_text("websoft9")
    assert load_policy(text, contract=contract_path("websoft9")).raw["contract"]["id"] == "websoft9"
    changed = tmp_path / "websoft9.sla"
    changed.write_text(contract_path("websoft9").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="compiled from a different source than"):
        load_policy(text, contract=changed)
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(text, contract=tmp_path / "missing.sla")


# ---- per-ticket answers --------------------------------------------------------------------------


def test_deadline_24x7_and_downgrade(websoft9: Policy) -> None:
    opened = datetime(2025, 3, 3, 9, tzinfo=CST)
    assert websoft9.response_deadline("standard", "high", opened, outage=True) == opened + timedelta(hours=3)
    # Without an outage a high ticket is measured as normal (12 h).
    assert websoft9.response_deadline("standard", "high", opened) == opened + timedelta(hours=12)
    status = websoft9.ticket_status("standard", "high", opened, opened + timedelta(hours=3, minutes=30), outage=True)
    assert (status.state, status.effective_priority, status.lateness) == ("breached", "high", timedelta(minutes=30))
    status = websoft9.ticket_status("standard", "high", opened, opened + timedelta(hours=3, minutes=30))
    assert (status.state, status.effective_priority) == ("met", "normal")


def test_deadline_exactly_at_the_response_is_met(websoft9: Policy) -> None:
    opened = datetime(2025, 3, 3, 9, tzinfo=CST)
    due = opened + timedelta(hours=2)
    assert websoft9.ticket_status("premium", "normal", opened, due).state == "met"
    assert websoft9.ticket_status("premium", "normal", opened, due + timedelta(microseconds=1)).state == "breached"


def test_open_and_breached_by_as_of(acme: Policy) -> None:
    opened = datetime(2026, 6, 1, 10, tzinfo=UTC)
    due = opened + timedelta(hours=1)  # enterprise urgent: 1 h of an always-open calendar
    open_ = acme.ticket_status("enterprise", "urgent", opened, outage=True, as_of=opened + timedelta(minutes=20))
    assert (open_.state, open_.deadline, open_.time_left) == ("open", due, timedelta(minutes=40))
    # At the deadline itself the ticket is not yet breached; a moment later it is.
    assert acme.ticket_status("enterprise", "urgent", opened, outage=True, as_of=due).state == "open"
    late = acme.ticket_status("enterprise", "urgent", opened, outage=True, as_of=due + timedelta(seconds=5))
    assert (late.state, late.lateness) == ("breached", timedelta(seconds=5))


def test_unmeasured(acme: Policy) -> None:
    # Free has no targets; starter has none for normal priority.
    assert acme.response_deadline("free", "high", datetime(2026, 6, 1, tzinfo=UTC)) is None
    assert acme.response_deadline("starter", "normal", datetime(2026, 6, 1, tzinfo=UTC)) is None
    assert acme.ticket_status("starter", "normal", datetime(2026, 6, 1, tzinfo=UTC)).state == "unmeasured"


def test_friday_evening_before_the_us_dst_weekend(acme: Policy) -> None:
    # Starter high: 16 h of New York business hours (09–17, mon–fri). Opened Friday 2026-03-06
    # 16:00 EST; DST starts Sunday 03-08. 1 h on Friday, 8 h Monday, 7 h Tuesday → Tue 16:00 EDT.
    opened = datetime(2026, 3, 6, 16, tzinfo=EST)
    due = acme.response_deadline("starter", "high", opened)
    assert due == datetime(2026, 3, 10, 16, tzinfo=EDT)
    assert due is not None and due.utcoffset() == opened.utcoffset()  # answered in the caller's zone
    # Opened Friday evening while closed: the clock starts Monday 09:00 EDT; 16 h → Tue 17:00 EDT.
    assert acme.response_deadline("starter", "high", datetime(2026, 3, 6, 19, tzinfo=EST)) == datetime(
        2026, 3, 10, 17, tzinfo=EDT
    )


def test_us_holiday_is_skipped(acme: Policy) -> None:
    # Professional normal: 16 h of business hours. Opened Wed 2026-11-25 09:00 EST; Thanksgiving
    # (Thu 11-26) is closed → 8 h Wed, 8 h Fri → Fri 17:00.
    opened = datetime(2026, 11, 25, 9, tzinfo=EST)
    assert acme.response_deadline("professional", "normal", opened) == datetime(2026, 11, 27, 17, tzinfo=EST)


def test_outside_the_materialised_years_is_an_error(acme: Policy) -> None:
    with pytest.raises(ValueError, match=r"outside the years whose holidays the policy lists \(2026–2031\)"):
        acme.response_deadline("professional", "normal", datetime(2032, 1, 5, 9, tzinfo=EST))


def test_naive_and_unknown_inputs(acme: Policy) -> None:
    with pytest.raises(ValueError, match="has no UTC offset"):
        acme.response_deadline("enterprise", "high", datetime(2026, 6, 1, 9))
    with pytest.raises(ValueError, match="unknown tier 'gold'"):
        acme.response_deadline("gold", "high", datetime(2026, 6, 1, 9, tzinfo=UTC))
    with pytest.raises(ValueError, match="unknown priority 'p1'"):
        acme.response_deadline("enterprise", "p1", datetime(2026, 6, 1, 9, tzinfo=UTC))
