"""Every bad contract under tests/cases/bad gives exactly its golden diagnostics.

Each `NAME.sla` has a `NAME.expected` beside it: the text `slac check` prints
(file:line:col, the source line, a caret and a hint). The first line of each
case is a comment saying what it tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slac
from slac.errors import format_text

from .conftest import BAD_CASES, ROOT


def render(case: Path) -> str:
    source = case.read_text(encoding="utf-8")
    name = case.relative_to(ROOT).as_posix()
    diagnostics = slac.check(source, file=name)
    return format_text(diagnostics, {name: source})


def test_catalogue_is_large_enough() -> None:
    assert len(BAD_CASES) >= 30


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda p: p.stem)
def test_bad_case(case: Path, golden) -> None:
    text = render(case)
    assert "error[" in text, f"{case.name} is accepted; a bad case must fail"
    golden(case.with_suffix(".expected"), text)
