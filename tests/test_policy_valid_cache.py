"""The loader skips the schema for policy JSON text whose content passed this schema before (issue 15).

The mark is keyed by the policy's content hash, which the loader checks against the content first:
an edited policy, a policy the schema refuses, or a dict source is validated every time.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from slac.policy import PolicyError, content_hash, load, schema

from .runtime_fixtures import policy_text


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SLAC_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each schema validation the loader makes, by its strictness (the real validation still runs)."""
    seen: list[bool] = []
    real = schema.validate

    def counting(policy: Any, *, lenient: bool = False) -> None:
        seen.append(lenient)
        real(policy, lenient=lenient)

    # `slac.policy.load` names the function; the module is taken from the import system.
    monkeypatch.setattr(importlib.import_module("slac.policy.load"), "validate", counting)
    return seen


def _marks(cache: Path) -> list[str]:
    folder = cache / "valid-policies"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_valid_policy_file_is_validated_once(tmp_path: Path, cache: Path, calls: list[bool]) -> None:
    file = tmp_path / "policy.json"
    file.write_text(policy_text("acme-crm"), encoding="utf-8")
    first = load(file)
    assert calls == [False] and len(_marks(cache)) == 1
    second = load(file)
    assert calls == [False]  # the mark was found: no second validation
    assert second.raw == first.raw
    load(file.read_text(encoding="utf-8"))  # the same content as text
    assert calls == [False]


def test_a_changed_schema_validates_again(tmp_path: Path, cache: Path, calls: list[bool], monkeypatch: Any) -> None:
    file = tmp_path / "policy.json"
    file.write_text(policy_text("acme-crm"), encoding="utf-8")
    load(file)
    text = schema._schema_text()
    monkeypatch.setattr(schema, "_schema_text", lambda: text + "\n")  # another schema text, as a new slac ships
    load(file)
    assert calls == [False, False] and len(_marks(cache)) == 2


def test_an_edited_policy_is_validated_and_refused(tmp_path: Path, cache: Path, calls: list[bool]) -> None:
    file = tmp_path / "policy.json"
    data = json.loads(policy_text("acme-crm"))
    file.write_text(json.dumps(data), encoding="utf-8")
    load(file)  # marked valid
    data["tiers"][-1]["responses"][0]["within_seconds"] = 1  # edited, its old content_hash kept
    file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PolicyError, match="content_hash does not match its content"):
        load(file)
    assert calls == [False, False] and len(_marks(cache)) == 1


def test_a_policy_the_schema_refuses_is_never_marked(tmp_path: Path, cache: Path, calls: list[bool]) -> None:
    data = json.loads(policy_text("acme-crm"))
    data["title"] = 42  # the schema wants a translated title or null
    data["content_hash"] = content_hash(data)  # hashed as if compiled so
    file = tmp_path / "policy.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PolicyError, match=r"\$\.title: 42 is not of type 'object', 'null'"):
            load(file)
    assert calls == [False, False] and _marks(cache) == []


def test_a_dict_source_is_always_validated(cache: Path, calls: list[bool]) -> None:
    data = json.loads(policy_text("acme-crm"))
    load(data)
    load(data)
    assert calls == [False, False] and _marks(cache) == []


def test_a_cache_that_cannot_be_written_is_tried_once(tmp_path: Path, calls: list[bool], monkeypatch: Any) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SLAC_CACHE_DIR", str(blocker))  # a file, so no folder can be made under it
    tries = _counted(monkeypatch, "mkdir")
    file = tmp_path / "policy.json"
    file.write_text(policy_text("acme-crm"), encoding="utf-8")
    load(file)
    load(file)
    other = json.loads(policy_text("acme-crm"))
    other["title"]["en"] = "Another title"
    other["content_hash"] = content_hash(other)
    load(json.dumps(other))
    # Each content is validated once in this process; the folder that cannot be made is tried once.
    assert calls == [False, False] and len(tries) == 1


def test_a_mark_once_found_is_not_looked_up_again(
    tmp_path: Path, cache: Path, calls: list[bool], monkeypatch: Any
) -> None:
    file = tmp_path / "policy.json"
    file.write_text(policy_text("acme-crm"), encoding="utf-8")
    load(file)  # validated, marked, and known to this process
    schema._KNOWN.clear()  # as a new process would start
    looks = _counted(monkeypatch, "is_file")
    for _ in range(3):
        load(file)
    assert calls == [False] and len(looks) == 1  # found once, then known


def _counted(monkeypatch: Any, method: str) -> list[Path]:
    """The cache folder's calls of `Path.<method>` (mkdir, is_file) from now on; the real method still runs."""
    seen: list[Path] = []
    real = getattr(Path, method)

    def counting(self: Path, *args: Any, **kwargs: Any) -> Any:
        if "valid-policies" in self.parts:
            seen.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, counting)
    return seen
