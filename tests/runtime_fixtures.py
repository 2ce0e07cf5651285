"""Compiled policies for the runtime tests (compiled once per session, loaded fresh per use)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import slac

from .conftest import ROOT


@lru_cache(maxsize=8)
def _compiled(name: str) -> str:
    source = (ROOT / "contracts" / f"{name}.sla").read_text(encoding="utf-8")
    return slac.policy_json(slac.compile_policy(source, file=f"contracts/{name}.sla"))


def policy_text(name: str) -> str:
    """The canonical policy JSON of a bundled contract (`websoft9`, `acme-crm`)."""
    return _compiled(name)


def compile_text(source: str, *, file: str = "t.sla", **options: Any) -> dict[str, Any]:
    return slac.compile_policy(source, file=file, **options)


def contract_path(name: str) -> Path:
    return ROOT / "contracts" / f"{name}.sla"
