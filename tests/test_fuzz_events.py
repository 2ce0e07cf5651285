"""Event-file and policy-file fuzzing with hypothesis (issue 13): no traceback, no input over a second.

CI runs these derandomized (`HYPOTHESIS_PROFILE=ci`, 100 examples each); the long campaigns are
the atheris harnesses under tests/fuzz/ (commands in their docstrings), or these tests with
`HYPOTHESIS_PROFILE=fuzz` (20,000 examples each).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings

from .fuzz import strategies as fs
from .fuzz.targets import load_policy_text, policy, read_event_file

SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _within_a_second(run: Callable[[], None]) -> None:
    """`run` takes under a second of CPU; a first import or cache fill is paid once, so a slow run is timed again."""
    for _ in range(2):
        started = time.process_time()
        run()
        if time.process_time() - started < 1.0:
            return
    raise AssertionError(f"over a second of CPU twice: {time.process_time() - started:.2f} s")


@SLOW
@given(fs.event_files())
def test_event_files_give_an_event_error_or_tables(file: tuple[str, str, bytes]) -> None:
    kind, suffix, data = file
    _within_a_second(lambda: read_event_file(kind, suffix, data))  # raises anything but EventError


@SLOW
@given(fs.policy_texts(__import__("slac").policy_json(dict(policy().raw))))
def test_policy_texts_give_a_policy_error_or_a_policy(text: str) -> None:
    _within_a_second(lambda: load_policy_text(text))  # raises anything but PolicyError (and an evaluation's ValueError)
