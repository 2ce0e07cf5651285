"""Hostile policy JSON: `load_policy` and `slac evaluate` refuse invalid, incompatible, tampered or oversized policies (exit 2)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac import limits
from slac.cli import main
from slac.policy import content_hash
from slac.runtime import PolicyError, load_policy

from .conftest import ROOT
from .runtime_fixtures import policy_text

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
CUSTOMERS = "customer,tier,monthly_fee\nacme,standard,1000\n"
TICKETS = "id,customer,priority,opened_at,responded_at,outage\nT1,acme,high,2025-03-03T09:00+08:00,,true\n"
INCIDENTS = "id,start,end\nI1,2025-03-05T01:00Z,2025-03-05T02:00Z\n"


def _policy() -> dict[str, Any]:
    return json.loads(policy_text("websoft9"))


def _rehashed(policy: dict[str, Any]) -> dict[str, Any]:
    """What someone who edits a policy and knows the hash recipe would produce."""
    policy["content_hash"] = content_hash(policy)
    return policy


def _evaluate(tmp: Path, policy_file: Path) -> tuple[int, str, Path]:
    args = ["evaluate", str(policy_file), "--period", "2025-03"]
    for name, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        path = tmp / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        args += [f"--{name}", str(path)]
    out = tmp / "report.json"
    result = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stderr, out


def _edit(p: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = p
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value


# (case, edit path, new value, recompute content_hash, words in the message)
REFUSED = [
    ("schema-wrong-type", "tiers.0.uptime", 99.9, True, "does not match the policy schema"),
    ("schema-extra-field", "cap.surprise", True, True, "does not match the policy schema"),
    ("major-2", "format_version", "2.0", True, "not supported"),
    ("version-5000-digits", "format_version", "1." + "9" * 5000, True, "is not MAJOR.MINOR"),
    ("tampered-share", "credits.0.per_miss.amount.share", "500", False, "content_hash does not match"),
    ("tampered-hash-only", "content_hash", "0" * 64, False, "content_hash does not match"),
    ("duration-overflow", "tiers.0.responses.0.within_seconds", 10**30, True, "greater than the maximum"),
    ("target-of-no-time", "tiers.0.responses.0.within_seconds", 0, True, "less than or equal to the minimum of 0"),
    ("repeat-billion", "examples.2.events.0.repeat", 10**9, True, "$.examples[2].events[0]"),
    ("years-out-of-range", "materialised.years", [1, 99999], True, "less than the minimum"),
    ("zone-unknown", "timezone", "Mars/Olympus_Mons", True, "cannot be used here"),
    ("zone-path", "timezone", "../../../../etc/passwd", True, "cannot be used here"),
    ("calendar-zone-unknown", "calendars.1.timezone", "Nope/Nope", True, "cannot be used here"),
]


@pytest.mark.parametrize(("case", "path", "value", "rehash", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_policies(tmp_path: Path, case: str, path: str, value: Any, rehash: bool, words: str) -> None:
    policy = _policy()
    _edit(policy, path, value)
    if rehash:
        _rehashed(policy)
    with pytest.raises(PolicyError) as info:
        load_policy(copy.deepcopy(policy))
    assert words in str(info.value)
    assert len(str(info.value)) < 2_000  # a 5000-digit value is not echoed whole
    file = tmp_path / "policy.json"
    file.write_text(json.dumps(policy), encoding="utf-8")
    code, err, out = _evaluate(tmp_path, file)
    assert code == 2 and words in err, err
    assert "\\n" not in err  # the schema's problems each on a line of their own, not an escaped break
    assert not out.exists()


def test_the_original_policy_evaluates(tmp_path: Path) -> None:
    file = tmp_path / "policy.json"
    file.write_text(policy_text("websoft9"), encoding="utf-8")
    code, err, out = _evaluate(tmp_path, file)
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["period"] == "2025-03"


def test_newer_minor_with_unknown_optional_fields_loads_and_evaluates(tmp_path: Path) -> None:
    policy = _policy()
    policy["format_version"] = "1.7"
    policy["signed_by"] = {"who": "a later slac"}  # unknown to this reader: ignored
    policy["tiers"][0]["escalation"] = ["phone"]
    _rehashed(policy)
    assert load_policy(copy.deepcopy(policy)).raw["format_version"] == "1.7"
    file = tmp_path / "policy.json"
    file.write_text(json.dumps(policy), encoding="utf-8")
    code, err, _ = _evaluate(tmp_path, file)
    assert code == 0, err


def test_policy_from_another_contract_is_refused(tmp_path: Path) -> None:
    edited = tmp_path / "websoft9.sla"
    edited.write_text(WEBSOFT9.read_text(encoding="utf-8").replace("within 12h", "within 24h"), encoding="utf-8")
    load_policy(policy_text("websoft9"), contract=WEBSOFT9)  # its own contract: fine
    with pytest.raises(PolicyError, match="different source"):
        load_policy(policy_text("websoft9"), contract=edited)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # once a RecursionError traceback
        ('{"format_version": "1.0", "a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"format_version": "1.0"', "not valid JSON"),
        ("\ufeff{}", ""),
        ("", "not valid JSON"),
    ],
    ids=["deep-array", "deep-in-object", "truncated", "bom", "empty"],
)
def test_malformed_policy_files(tmp_path: Path, text: str, words: str) -> None:
    file = tmp_path / "policy.json"
    file.write_text(text, encoding="utf-8")
    code, err, out = _evaluate(tmp_path, file)
    assert code == 2 and words in err, err
    assert not out.exists()


def test_a_device_as_policy_is_refused(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    link = tmp_path / "policy.json"
    link.symlink_to("/dev/zero")
    code, err, out = _evaluate(tmp_path, link)
    assert code == 2 and "not a file" in err, err  # the CLI looks first
    with pytest.raises(PolicyError, match="not a regular file"):
        load_policy(link)


def test_an_oversized_policy_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_POLICY_BYTES", 1024)
    file = tmp_path / "policy.json"
    file.write_text(policy_text("websoft9"), encoding="utf-8")
    with pytest.raises(PolicyError, match="too large for a policy"):
        load_policy(file)


def test_schema_bounds_are_the_limits() -> None:
    """The shipped schema and compiler/limits.py agree, so a policy slac writes is one it reads."""
    schema = json.loads((ROOT / "compiler" / "schema" / "policy.schema.json").read_text(encoding="utf-8"))
    found: dict[str, set[Any]] = {"seconds": set(), "repeat": set(), "years": set()}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("description", "")).startswith("A duration in seconds"):
                found["seconds"].add(node.get("maximum"))
            if isinstance(node.get("repeat"), dict):
                found["repeat"].add(node["repeat"].get("maximum"))
            if isinstance(node.get("years"), dict):
                for item in node["years"]["prefixItems"]:
                    found["years"].add((item.get("minimum"), item.get("maximum")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert found["seconds"] == {limits.MAX_DURATION_MS // 1000}
    assert found["repeat"] == {limits.MAX_REPEAT}
    periods = (
        schema["properties"]["claim"]["properties"]["within_cycles"],
        schema["properties"]["termination"]["properties"]["months"],
    )
    assert {p["maximum"] for p in periods} == {limits.MAX_PERIODS}
    assert found["years"] == {(limits.MIN_YEAR, limits.MAX_YEAR + 5)}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("calendars.1.hours.0.start", 1200, "calendar `business`: hours on mon run from minute 1200 to 1080"),
        ("calendars.1.hours.1.day", "mon", "calendar `business`: overlapping hours on mon"),
        ("tiers.0.responses.0.calendar", "nope", "tier `standard` measures responses in unknown calendar `nope`"),
        ("tiers.0.responses.0.priority", "nope", "tier `standard` has a target for unknown priority `nope`"),
        ("tiers.0.live.calendar", "nope", "tier `standard` offers live sessions in unknown calendar `nope`"),
        ("priorities.1.downgrade", "high", "priority `high` downgrades in a cycle"),
        ("priorities.1.downgrade", "nope", "priority `high` downgrades to unknown priority `nope`"),
        ("credits.0.applies", ["nope"], "credit `missed_response` applies to unknown tier `nope`"),
        ("availability.excludes", ["nope"], "availability excludes unknown exclusion `nope`"),
    ],
)
def test_an_inconsistent_policy_with_a_recomputed_hash_is_refused(path: str, value: Any, message: str) -> None:
    """What the schema cannot express (references, hour order, downgrade chains) is checked on load."""
    policy = _policy()
    _edit(policy, path, value)
    with pytest.raises(PolicyError) as caught:
        load_policy(_rehashed(policy))
    assert message in str(caught.value) and "compile the contract again" in str(caught.value)
