"""Shared test fixtures: paths, and `--update-goldens` to regenerate golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs property tests derandomized, so a red build is reproducible.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
# A long local campaign: HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz.py
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.sla"))
BAD_CASES = sorted((ROOT / "tests" / "cases" / "bad").glob("*.sla"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output (review the diff before committing)",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """`golden(path, actual)`: compare with the file, or rewrite it under --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(path: Path, actual: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"missing golden {path}; run pytest --update-goldens and review it"
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, (
            f"{path} differs; if the change is intended, run pytest --update-goldens and review the diff"
        )

    return check
