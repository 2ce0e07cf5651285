"""Reading and writing the suite's JSON files (one per feature), the same way for the generator and --reset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
KNOWN_BROKEN = HERE / "known-broken.json"

FEATURES = (
    "calendars", "dst", "holidays", "downgrade", "availability_merge", "maintenance", "scopes", "error_rate",
    "windows", "bands", "formulas", "caps", "minimum_credit", "claims", "termination", "pauses", "updates",
    "resolution", "business_days", "response", "examples",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    feature: str
    data: dict[str, Any]  # the case as in its file
    policy: dict[str, Any]  # the compiled policy it names
    contract: str  # the contract source of that policy

    @property
    def id(self) -> str:
        return f"{self.feature}/{self.data['id']}"


def dump(doc: dict[str, Any]) -> str:
    """The one JSON layout of the suite's files (stable, so an unchanged tree rewrites byte for byte).

    Indented one space per level, except that an object or list of plain values (an event row, a
    scope) that fits in 240 characters stays on one line, so a case reads like a table.
    """
    return _dump(doc, 0) + "\n"


def _flat(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) or (isinstance(v, list) and _flat(v)) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def _dump(value: Any, depth: int) -> str:
    one = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or (_flat(value) and len(one) + depth <= 240) or not value:
        return one
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    return "[\n" + ",\n".join(pad + _dump(v, depth + 1) for v in value) + "\n" + " " * depth + "]"


def load_file(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def files() -> list[Path]:
    return sorted(CASES.glob("*.json"))


def cases(paths: list[Path] | None = None) -> Iterator[Case]:
    for path in paths if paths is not None else files():
        doc = load_file(path)
        for group in doc["groups"]:
            for data in group["cases"]:
                shared = doc["policies"][data["policy"]]
                yield Case(doc["feature"], data, shared["policy"], "\n".join(shared["contract"]))


def known_broken() -> list[str]:
    data: list[str] = json.loads(KNOWN_BROKEN.read_text(encoding="utf-8"))["cases"]
    return data
