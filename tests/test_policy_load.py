"""`slac.policy.load`, the one loader: every hostile or broken policy is a PolicyError that says what is wrong."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slac import limits
from slac import policy as pol
from slac.policy import PolicyError, PolicyView, content_hash, load

from .runtime_fixtures import policy_text


def _policy() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(policy_text("acme-crm"))
    assert data["availability"]["minimum_outage_seconds"] is not None
    return data


def _refused(source: Any, words: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        load(source)
    assert re.search(words, str(info.value)), str(info.value)
    assert len(str(info.value)) < 2_000  # a huge value is never echoed whole
    return info.value


def _text_with(value: str) -> str:
    """The policy's JSON text with minimum_outage_seconds replaced by `value` (any JSON token)."""
    text = json.dumps(_policy())
    out, n = re.subn(r'"minimum_outage_seconds": [^,}]+', f'"minimum_outage_seconds": {value}', text)
    assert n == 1
    return out


def test_a_good_policy_loads_into_a_read_only_view() -> None:
    view = load(policy_text("acme-crm"))
    assert isinstance(view, PolicyView) and view.contract_id == "acme_crm"
    assert view.raw == _policy()
    with pytest.raises(TypeError):
        view.raw["tiers"] = []  # type: ignore[index]
    assert set(view.tiers) == {t["id"] for t in _policy()["tiers"]}


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_in_minimum_outage_seconds(tmp_path: Path, token: str) -> None:
    file = tmp_path / "policy.json"
    file.write_text(_text_with(token), encoding="utf-8")
    _refused(file, f"{token} is not a number a policy can hold")
    _refused(_text_with(token), f"{token} is not a number a policy can hold")


def test_nan_in_a_policy_dict() -> None:
    data = _policy()
    data["availability"]["minimum_outage_seconds"] = float("nan")
    _refused(data, r"\$\.availability\.minimum_outage_seconds: nan is not a number a policy can hold")


def test_a_number_too_large_for_a_float() -> None:
    _refused(_text_with("1e999"), "too large to be a policy value")


def test_a_5000_digit_integer() -> None:
    _refused(_text_with("9" * 5000), "an integer of 5,000 digits")
    data = _policy()
    data["availability"]["minimum_outage_seconds"] = 10**5000
    _refused(data, r"minimum_outage_seconds: an integer of 100 digits or more")


def test_100000_nested_brackets(tmp_path: Path) -> None:
    _refused("[" * 100_000 + "]" * 100_000, "nested too deeply")
    file = tmp_path / "policy.json"
    file.write_text('{"format_version": "1.0", "a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    _refused(file, "nested too deeply")


def test_a_nested_dict_is_refused_too() -> None:
    data = _policy()
    deep: list[Any] = []
    data["a"] = deep
    for _ in range(200):
        deep.append([])
        deep = deep[0]
    _refused(data, "nested too deeply")


def test_a_tampered_value_with_a_stale_content_hash() -> None:
    data = _policy()
    data["tiers"][-1]["responses"][0]["within_seconds"] = 1  # urgent in 1 s instead of hours
    _refused(data, "content_hash does not match its content: the policy was edited after it was compiled")


def test_another_major_format_version() -> None:
    data = _policy()
    data["format_version"] = "2.0"
    data["content_hash"] = content_hash(data)
    _refused(data, r"policy format 2\.0 is not supported: this slac reads format 1\.x")


def test_a_newer_minor_version_with_a_new_field_loads() -> None:
    data = _policy()
    data["format_version"] = "1.9"
    data["future_field"] = {"x": 1}
    data["content_hash"] = content_hash(data)
    assert load(data).format_version == "1.9"


def test_a_truncated_file(tmp_path: Path) -> None:
    file = tmp_path / "policy.json"
    text = policy_text("acme-crm")
    file.write_text(text[: len(text) // 2], encoding="utf-8")
    _refused(file, rf"{re.escape(str(file))}:\d+:\d+: not valid JSON")


def test_a_file_over_the_policy_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The policy limit, not the contract one: a policy larger than a contract may be loads.
    file = tmp_path / "policy.json"
    file.write_text(policy_text("acme-crm") + " " * (limits.MAX_SOURCE_BYTES + 1), encoding="utf-8")
    assert load(file).contract_id == "acme_crm"
    monkeypatch.setattr(limits, "MAX_POLICY_BYTES", 1024)
    _refused(file, "too large for a policy")


def test_only_policy_errors_escape(tmp_path: Path) -> None:
    for source in ("{", "[]", "{}", '{"format_version": 1}', tmp_path / "missing.json", tmp_path):
        with pytest.raises(PolicyError):
            load(source)


def test_one_policy_error_class() -> None:
    import slac.runtime
    from slac.fileio import ReadError

    assert slac.runtime.PolicyError is pol.PolicyError is pol.schema.PolicyError
    assert issubclass(PolicyError, ValueError) and issubclass(PolicyError, ReadError)


def test_loading_a_policy_imports_no_front_end() -> None:
    code = (
        "import sys, slac.policy, slac.runtime.evaluate; slac.policy.load(sys.stdin.read()); "
        "print(' '.join(m for m in ('slac.nodes', 'slac.policy.build', 'lark', 'slac.checks') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], input=policy_text("acme-crm"), capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == ""


def test_build_is_still_importable_from_the_package() -> None:
    from slac.policy import build, seconds

    assert callable(build) and callable(seconds)
    assert pol.build is build
